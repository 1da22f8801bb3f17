"""Whether the servers agree: the same number of rows for every query, with known exceptions.

A DESCRIBE's answer is up to each service (SPARQL 1.1 Query, section 16.4), so for a
DESCRIBE only a non-empty graph is required. Where a peer is known to differ, the reason
is written here and the report shows its figure beside the others.
"""

from __future__ import annotations

REFERENCE = "oxigraph"
KNOWN_DIFFERENCES: dict[tuple[str, str], str] = {
    ("rdflib-endpoint", "describe-claim"):
        "rdflib-endpoint 0.6.3 answers DESCRIBE with a SPARQL XML results document, not RDF",
}


def base_name(key: str) -> str:
    """``describe-claim#1`` → ``describe-claim``."""
    return key.split("#", 1)[0]


def disagreements(counts: dict[str, dict[str, int | str]], forms: dict[str, str],
                  server: str, reference: str = REFERENCE) -> list[str]:
    """What ``server`` answered differently from ``reference``, one line per query."""
    problems = []
    for key, per_server in counts.items():
        name = base_name(key)
        if (server, name) in KNOWN_DIFFERENCES or server not in per_server:
            continue
        mine, theirs = per_server[server], per_server.get(reference)
        if not isinstance(mine, int):
            problems.append(f"{key}: {server} failed: {mine}")
        elif forms[name] == "DESCRIBE":
            if mine < 1:
                problems.append(f"{key}: {server} described nothing")
        elif mine != theirs:
            problems.append(f"{key}: {server} {mine} rows, {reference} {theirs}")
    return problems
