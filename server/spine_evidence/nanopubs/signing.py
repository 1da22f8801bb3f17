"""Assemble one nanopublication, sign it and give it its trusty URI, with the ``nanopub`` library.

``nanopub`` 2.0.1 (the last release for Python < 3.12) does the work: it
normalises the quads, signs them (RSA, SHA-256, PKCS#1 v1.5: deterministic, so
the same content and key give the same signature), computes the trusty code
(``RA`` + SHA-256 of the normalised quads) and renames the nanopublication's
own IRIs after it. It needs no network for this. The maintainer's key is read
here: a PEM file (PKCS#1 or PKCS#8) or the headerless base64 ``id_rsa`` that
``np setup`` writes.
"""

from __future__ import annotations

import base64
import binascii
import warnings
from pathlib import Path

from Crypto.PublicKey import RSA
from nanopub.nanopub import Nanopub
from nanopub.nanopub_conf import NanopubConf
from nanopub.profile import Profile
from nanopub.utils import MalformedNanopubError
from rdflib import ConjunctiveGraph, Graph, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF

from ..namespaces import BASE
from .content import Publication, Subject, Triple
from .model import NANOPUB_BASE, NP, NanopubError, library_message

# The library's Profile wants a name and an id; neither is written into the nanopublication.
SIGNER_NAME = "Spine Evidence Graph"


def read_private_key(path: Path) -> str:
    """The RSA private key in ``path`` as the base64 of its PKCS#8 DER form (what ``nanopub`` signs with).

    Raises :class:`NanopubError` when the file cannot be read or holds no RSA private key.
    """
    try:
        text = Path(path).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as error:
        raise NanopubError(f"cannot read the signing key {path}: {getattr(error, 'strerror', None) or error}") from None
    try:
        if "-----BEGIN" in text:
            key = RSA.import_key(text)
        else:
            key = RSA.import_key(base64.b64decode("".join(text.split()), validate=True))
    except (ValueError, IndexError, TypeError, binascii.Error):
        raise NanopubError(f"{path} is not an unencrypted RSA private key (PEM, or the base64 id_rsa of"
                           " `np setup`)") from None
    if not key.has_private():
        raise NanopubError(f"{path} holds a public key; signing needs the private key")
    return base64.b64encode(key.export_key("DER", pkcs=8)).decode("ascii")


def profile(private_key: str) -> Profile:
    """The library's signing profile for ``private_key`` (its public key is derived from it)."""
    return Profile(orcid_id=BASE, name=SIGNER_NAME, private_key=private_key)


def unsigned(subject: Subject, publication: Publication) -> ConjunctiveGraph:
    """The four graphs of ``subject``'s nanopublication before signing, under the temporary IRI ``NANOPUB_BASE``."""
    this = URIRef(NANOPUB_BASE)
    head, assertion, provenance, pubinfo = (URIRef(NANOPUB_BASE + name)
                                            for name in ("Head", "assertion", "provenance", "pubinfo"))
    prov_triples: list[Triple] = [(assertion, PROV.wasDerivedFrom, subject.document)]
    prov_triples += [(assertion, PROV.wasAttributedTo, creator) for creator in subject.document_creators]
    pubinfo_triples: list[Triple] = [(this, DCTERMS.created, publication.created),
                                     (this, DCTERMS.license, publication.license),
                                     (this, DCTERMS.creator, publication.creator)]
    head_triples: list[Triple] = [(this, RDF.type, NP.Nanopublication), (this, NP.hasAssertion, assertion),
                                  (this, NP.hasProvenance, provenance), (this, NP.hasPublicationInfo, pubinfo)]
    with warnings.catch_warnings():  # nanopub 2.0.1 takes an rdflib ConjunctiveGraph, which rdflib 7 deprecates
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset = ConjunctiveGraph()
    for graph, triples in ((head, head_triples), (assertion, subject.assertion),
                           (provenance, prov_triples + subject.provenance), (pubinfo, pubinfo_triples)):
        context = Graph(dataset.store, graph)
        for triple in triples:
            context.add(triple)
    return dataset


def sign(dataset: ConjunctiveGraph, private_key: str) -> tuple[str, ConjunctiveGraph]:
    """Sign an unsigned nanopublication; its trusty URI and its signed quads.

    The library refuses a nanopublication of more than its 1,200 triples, an
    empty graph, or a provenance graph that says nothing about the assertion;
    its message is passed on.
    """
    try:
        nanopub = Nanopub(rdf=dataset, conf=NanopubConf(profile=profile(private_key)))
        nanopub.sign()
    except MalformedNanopubError as error:
        raise NanopubError(f"cannot sign a nanopublication: {library_message(error)}") from None
    uri = nanopub.source_uri
    if not isinstance(uri, str):
        raise NanopubError("internal error: the signed nanopublication has no trusty URI")
    return uri, nanopub.rdf


def make_nanopub(subject: Subject, publication: Publication, private_key: str) -> tuple[str, ConjunctiveGraph]:
    """``subject``'s signed nanopublication: its trusty URI and quads."""
    return sign(unsigned(subject, publication), private_key)

