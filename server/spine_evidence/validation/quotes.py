"""The quote check: every ``oa:exact`` is the words of the source text its target names.

A selector's target names its source (``oa:hasSource src:NAME``); ``NAME`` is
looked up among the ``--source`` files (a single one serves every ``src:``
IRI), then beside the data files, then in the shipped graph folder. The words are compared as ``spine_evidence.quotes``
does (whitespace collapsed, a line-end hyphen kept or joined), and an
``oa:exact`` must itself be written with its whitespace collapsed. When a
quote is not found, the report gives the nearest passage of the source.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.term import Node

from .. import quotes as text_quotes
from ..namespaces import OA, SRC
from .inputs import Inputs
from .report import Finding

CHECK = "QuoteInSource"
PASSAGE_MARGIN = 20


def check_quotes(inputs: Inputs) -> list[Finding]:
    """A finding for every ``oa:exact`` not in its source text (or with uncollapsed whitespace)."""
    graph, findings = inputs.graph, []
    texts: dict[Node, str | None] = {}
    for selector, exact in sorted(graph.subject_objects(OA.exact)):
        target = graph.value(None, OA.hasSelector, selector)
        source = graph.value(target, OA.hasSource) if target is not None else None
        about = quoted_thing(graph, target)
        if source is None:
            findings.append(Finding(CHECK, selector, f"The quote{about} has no oa:hasSource naming its source "
                                    "text, so its words cannot be checked.", OA.exact, exact))
            continue
        if source not in texts:
            texts[source] = source_text(inputs, source)
        findings += check_one(selector, exact, source, texts[source], about)
    return findings


def check_one(selector: Node, exact: Node, source: Node, text: str | None, about: str) -> list[Finding]:
    """The findings for one selector's ``oa:exact``."""
    words = str(exact)
    if text is None:
        return [Finding(CHECK, selector, f"The source text <{source}> of the quote{about} is not found: expected "
                        f"a file named {source_name(source) or '?'} (give it with --source FILE).", OA.hasSource,
                        source)]
    found = []
    if words != " ".join(words.split()):
        found.append(Finding(CHECK, selector, f"oa:exact of the quote{about} must have its whitespace collapsed "
                             f"to single spaces (no doubled, leading or trailing white space); found {words!r}.",
                             OA.exact, exact))
    if text_quotes.find_quote(text, words) is None:
        found.append(Finding(CHECK, selector, f"oa:exact of the quote{about} is not in the source text "
                             f"{source_name(source)}: expected the source's own words, found «{words}»; "
                             f"the nearest passage of the source is «{nearest_passage(text, words)}».",
                             OA.exact, exact))
    return found


def quoted_thing(graph: Graph, target: Node | None) -> str:
    """`` of <thing>`` for the annotation whose target is ``target`` (empty when unknown)."""
    annotation = graph.value(None, OA.hasTarget, target) if target is not None else None
    body = graph.value(annotation, OA.hasBody) if annotation is not None else None
    return f" of {body.n3(graph.namespace_manager)}" if isinstance(body, URIRef) else ""


def source_name(source: Node) -> str | None:
    """The file name an ``src:NAME`` IRI names (``None`` for another IRI)."""
    iri = str(source)
    return iri[len(str(SRC)):] or None if iri.startswith(str(SRC)) else None


def source_text(inputs: Inputs, source: Node) -> str | None:
    """The text of the source file ``source`` names, or ``None`` when there is no such file."""
    name = source_name(source)
    if name is None or "/" in name:
        return None
    candidates = [f for f in inputs.source_files if f.name == name]
    if not candidates and len(inputs.source_files) == 1:
        candidates = list(inputs.source_files)
    candidates += [folder / name for folder in inputs.source_dirs]
    for path in candidates:
        if Path(path).is_file():
            try:
                return text_quotes.read_source_text(str(path))
            except (OSError, UnicodeDecodeError):
                return None
    return None


def nearest_passage(text: str, words: str) -> str:
    """The passage of the (normalised) source that best matches ``words``, cut at word boundaries."""
    normalised, wanted = text_quotes.normalise(text), text_quotes.normalise(words)
    if not wanted:
        return ""
    matcher = difflib.SequenceMatcher(None, normalised, wanted, autojunk=False)
    match = matcher.find_longest_match(0, len(normalised), 0, len(wanted))
    start = max(0, match.a - match.b)
    end = min(len(normalised), start + len(wanted))
    start = normalised.rfind(" ", 0, start) + 1 if start > 0 else 0
    stop = normalised.find(" ", end)
    return normalised[start: stop if stop >= 0 else len(normalised)]
