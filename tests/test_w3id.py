"""The w3id.org redirect rules, served by a real Apache httpd, lead every media type to our server's answer.

``deploy/w3id/spine-evidence/.htaccess`` is served by Debian's ``apache2``
(mod_rewrite, mod_headers) on 127.0.0.1 from a folder ``spine-evidence/``,
as w3id.org serves it, with the deployment base (its one line) pointed at
the session's real ``serve`` endpoint. A redirect-following client
(requests) asks for a claim, a study and the ontology in each media type,
by a single-type Accept (redirected to the suffix twin), by a weighted
Accept (redirected to the bare path, the server negotiates) and by a
suffix path; every answer must be our server's: 200, the right
Content-Type, RDF that parses back with the IRI as a subject, HTML that
names the IRI.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from conftest import RunningServer
from rdflib import Graph, URIRef

from spine_evidence import processes
from spine_evidence.namespaces import BASE, ONTOLOGY_IRI, ONTOLOGY_VERSION_IRI, SOURCE_TEXT_NAME, STUDY

REPO = Path(__file__).resolve().parents[1]
HTACCESS = REPO / "deploy" / "w3id" / "spine-evidence" / ".htaccess"
FOLDER = "spine-evidence"
BASE_LINE = re.compile(r"^(RewriteRule \^ - \[E=SPINE_EVIDENCE_DEPLOYMENT:)([^\]]+)(\])$", re.MULTILINE)
MODULES = Path("/usr/lib/apache2/modules")
APACHE_INSTALL = "apt-get install apache2"
START_SECONDS = 30.0
RDFLIB_FORMAT = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml",
                 "application/n-triples": "nt"}
SUFFIX = {"text/html": ".html", "text/turtle": ".ttl", "application/ld+json": ".jsonld",
          "application/rdf+xml": ".rdf", "application/n-triples": ".nt"}
MEDIA_TYPES = sorted(SUFFIX)
CONFIG = """ServerRoot "{root}"
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
LoadModule mpm_prefork_module {modules}/mod_mpm_prefork.so
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule rewrite_module {modules}/mod_rewrite.so
LoadModule headers_module {modules}/mod_headers.so
User {user}
Group {group}
PidFile "{root}/httpd.pid"
ErrorLog "{root}/error.log"
LogLevel warn
DefaultRuntimeDir "{root}"
Mutex file:{root} default
DocumentRoot "{docroot}"
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory "{docroot}">
  AllowOverride All
  Require all granted
</Directory>
"""


def apache_binary() -> str:
    """Debian's ``apache2`` binary; skip the test when it is absent."""
    found = shutil.which("apache2") or next((p for p in ("/usr/sbin/apache2",) if os.access(p, os.X_OK)), None)
    if found is None or not (MODULES / "mod_rewrite.so").is_file():
        pytest.skip(f"Apache httpd with mod_rewrite is not installed ({APACHE_INSTALL})")
    return found


def run_as() -> tuple[str, str]:
    """The User and Group of the Apache child: ours, or ``www-data`` (else ``nobody``) when we are root.

    Apache refuses to serve as root; started by root it switches to this user.
    """
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid()).pw_name, grp.getgrgid(os.getegid()).gr_name
    for name in ("www-data", "nobody"):
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            return entry.pw_name, grp.getgrgid(entry.pw_gid).gr_name
    pytest.skip("running as root and neither www-data nor nobody exists for Apache's child")


def rules_for(deployment: str) -> str:
    """The shipped rules with the deployment base (its one line) set to ``deployment``."""
    text = HTACCESS.read_text(encoding="utf-8")
    assert len(BASE_LINE.findall(text)) == 1, "the deployment base must be set on exactly one line"
    return BASE_LINE.sub(lambda m: m.group(1) + deployment + m.group(3), text)


def wait_for_apache(process: processes.Process, url: str, log: Path) -> None:
    """Poll ``url`` until Apache answers at all; fail with its error log when it exits or stays silent."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"apache2 exited with {process.returncode}: {log.read_text(errors='replace')[-2000:]}")
        with contextlib.suppress(requests.ConnectionError):
            requests.get(url, allow_redirects=False, timeout=5)
            return
        time.sleep(0.05)
    pytest.fail(f"apache2 did not answer within {START_SECONDS:.0f} s")


@contextlib.contextmanager
def apache(rules: str, root: Path) -> Iterator[str]:
    """Apache httpd in the foreground (``-X``) serving ``rules`` as ``/spine-evidence/.htaccess``; its base URL.

    Config, pid file and logs live in ``root``. The document root is a fresh
    world-readable folder under the system temp dir, so that the child Apache
    switches to when started by root can read it.
    """
    binary = apache_binary()
    user, group = run_as()
    docroot = Path(tempfile.mkdtemp(prefix="spine-evidence-w3id-"))
    try:
        docroot.chmod(0o755)
        (docroot / FOLDER).mkdir(mode=0o755)
        (docroot / FOLDER / ".htaccess").write_text(rules, encoding="utf-8")
        (docroot / FOLDER / ".htaccess").chmod(0o644)
        port = processes.free_port()
        config = root / "httpd.conf"
        config.write_text(CONFIG.format(root=root, port=port, modules=MODULES, user=user, group=group,
                                        docroot=docroot), encoding="utf-8")
        log = root / "apache.log"
        process = processes.spawn_in_session([binary, "-X", "-f", str(config)], log)
        try:
            wait_for_apache(process, f"http://127.0.0.1:{port}/{FOLDER}/", root / "error.log")
            yield f"http://127.0.0.1:{port}/{FOLDER}/"
        finally:
            processes.stop_group(process)
    finally:
        shutil.rmtree(docroot, ignore_errors=True)


@pytest.fixture(scope="module")
def w3id(endpoint: RunningServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The stand-in for ``https://w3id.org/spine-evidence/``: Apache with our rules, redirecting to ``endpoint``."""
    with apache(rules_for(endpoint.base), tmp_path_factory.mktemp("apache")) as base:
        yield base


@pytest.fixture(scope="module")
def iris(endpoint: RunningServer) -> dict[str, str]:
    """A claim (the first, by SPARQL on the served graph), a study and the ontology."""
    query = f'SELECT ?c WHERE {{ ?c ?p ?o FILTER(STRSTARTS(STR(?c), "{BASE}claim/")) }} ORDER BY ?c LIMIT 1'
    answer = requests.get(endpoint.url, params={"query": query}, timeout=30,
                          headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200, answer.text[:300]
    rows = answer.json()["results"]["bindings"]
    assert rows, "the served graph has no claim"
    return {"claim": rows[0]["c"]["value"], "study": str(STUDY["ref-07"]), "ontology": ONTOLOGY_IRI}


def check_answer(response: requests.Response, iri: str, media_type: str, landing: str) -> None:
    """``response`` came through one 303 from Apache and is our server's right answer for ``iri``."""
    assert [r.status_code for r in response.history] == [303], (response.url, response.history)
    redirect = response.history[0]
    assert "Accept" in redirect.headers.get("Vary", ""), redirect.headers
    assert response.url == landing, (response.url, landing)
    assert response.status_code == 200, (response.url, response.text[:300])
    assert response.headers["Content-Type"].split(";")[0].strip() == media_type, response.headers
    if media_type == "text/html":
        assert iri in response.text
        return
    graph = Graph().parse(data=response.content, format=RDFLIB_FORMAT[media_type])
    assert (URIRef(iri), None, None) in graph, f"{iri} is not a subject of the {media_type} at {response.url}"


def local(endpoint_base: str, iri: str) -> str:
    """The URL our server answers ``iri`` at."""
    return endpoint_base + "/" + iri[len(BASE):]


@pytest.mark.parametrize("media_type", MEDIA_TYPES)
@pytest.mark.parametrize("what", ["claim", "study", "ontology"])
def test_single_type_goes_to_suffix_twin(w3id: str, endpoint: RunningServer, iris: dict[str, str], what: str,
                                          media_type: str) -> None:
    iri = iris[what]
    response = requests.get(w3id + iri[len(BASE):], headers={"Accept": media_type}, timeout=30)
    check_answer(response, iri, media_type, local(endpoint.base, iri) + SUFFIX[media_type])


@pytest.mark.parametrize("media_type", MEDIA_TYPES)
@pytest.mark.parametrize("what", ["claim", "study", "ontology"])
def test_weighted_accept_goes_to_path_and_server_negotiates(w3id: str, endpoint: RunningServer, iris: dict[str, str],
                                                            what: str, media_type: str) -> None:
    iri = iris[what]
    others = ", ".join(f"{m};q=0.{i + 1}" for i, m in enumerate(m for m in MEDIA_TYPES if m != media_type))
    response = requests.get(w3id + iri[len(BASE):], headers={"Accept": f"{others}, {media_type}"}, timeout=30)
    check_answer(response, iri, media_type, local(endpoint.base, iri))


@pytest.mark.parametrize("media_type", MEDIA_TYPES)
@pytest.mark.parametrize("what", ["claim", "study", "ontology"])
def test_suffix_path_is_forwarded_as_it_is(w3id: str, endpoint: RunningServer, iris: dict[str, str], what: str,
                                           media_type: str) -> None:
    iri = iris[what]
    path = iri[len(BASE):] + SUFFIX[media_type]
    response = requests.get(w3id + path, headers={"Accept": "text/turtle"}, timeout=30)
    check_answer(response, iri, media_type, f"{endpoint.base}/{path}")


def test_browser_gets_the_html_page(w3id: str, endpoint: RunningServer, iris: dict[str, str]) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for iri in iris.values():
        response = requests.get(w3id + iri[len(BASE):], headers={"Accept": browser}, timeout=30)
        check_answer(response, iri, "text/html", local(endpoint.base, iri))


@pytest.mark.parametrize(("path", "accept"), [
    (f"source/{SOURCE_TEXT_NAME}", "text/plain"),  # a file: no twin, served as it is
    ("context.jsonld", "application/ld+json"),  # already a suffix: forwarded as it is
    (ONTOLOGY_VERSION_IRI[len(BASE):], "text/turtle"),  # a dotted path: its twin is ontology/0.1.0.ttl
])
def test_files_and_version_iri_resolve(w3id: str, endpoint: RunningServer, path: str, accept: str) -> None:
    response = requests.get(w3id + path, headers={"Accept": accept}, timeout=30)
    assert [r.status_code for r in response.history] == [303]
    assert response.url.startswith(f"{endpoint.base}/{path}")
    assert response.status_code == 200, (response.url, response.text[:300])
    assert response.headers["Content-Type"].split(";")[0] == accept
    assert response.content


def test_redirect_is_303_with_query_string_kept(w3id: str, endpoint: RunningServer, iris: dict[str, str]) -> None:
    response = requests.get(w3id + iris["study"][len(BASE):] + "?format=ttl", allow_redirects=False, timeout=30,
                            headers={"Accept": "application/n-triples"})
    assert response.status_code == 303
    assert response.headers["Location"] == local(endpoint.base, iris["study"]) + ".nt?format=ttl"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_unknown_iri_reaches_our_404(w3id: str, endpoint: RunningServer) -> None:
    response = requests.get(w3id + "claim/no-such-claim", headers={"Accept": "text/turtle"}, timeout=30)
    assert [r.status_code for r in response.history] == [303]
    assert response.url == f"{endpoint.base}/claim/no-such-claim.ttl"
    assert response.status_code == 404
    assert "no-such-claim" in response.text
