"""What serving over Virtuoso 7 needs beyond the SPARQL protocol: its describe mode, its answers' quirks, its row cap.

Virtuoso is recognised by the ``Server`` header of its first answer
(:attr:`.store.RemoteSparqlStore.virtuoso`). Its ``ResultSetMaxRows`` (10,000
in Debian's packaged ``virtuoso.ini``) cuts every answer: a SELECT's with an
``X-SPARQL-MaxRows`` header (refused with 502, :func:`refuse_partial_answer`), but a CONSTRUCT's
or DESCRIBE's without any sign. :func:`check_row_cap` therefore reads the
setting when ``serve --backend`` starts and refuses a Virtuoso that would cut
answers this endpoint's row limit lets through.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox
import requests

from .errors import BackendError, BackendTimeout

if TYPE_CHECKING:
    from .store import RemoteSparqlStore

VIRTUOSO_CBD = 'DEFINE sql:describe-mode "CBD"\n'
# Rewritten in Virtuoso's answers: a blank node's label nodeID://b10000 (not a valid label) as b10000, and the
# type "typed-literal" of the 2008 JSON draft as SPARQL 1.1's "literal" (so that its bytes may be relayed as is).
VIRTUOSO_REWRITES = {"application/sparql-results+json": ((b'"type": "bnode", "value": "nodeID://',
                                                          b'"type": "bnode", "value": "'),
                                                         (b'"type": "typed-literal"', b'"type": "literal"')),
                     "application/sparql-results+xml": ((b"<bnode>nodeID://", b"<bnode>"),)}
ROW_CAP_QUERY = "SELECT (bif:virtuoso_ini_item_value('SPARQL', 'ResultSetMaxRows') AS ?cap) {}"


def cuts_answers(cap: int | None, max_rows: int) -> bool:
    """Whether a ``ResultSetMaxRows`` of ``cap`` would cut answers that a row limit of ``max_rows`` lets through."""
    return cap is not None and cap <= max_rows


def refuse_partial_answer(url: str, response: requests.Response, max_rows: int) -> None:
    """Close ``response`` and raise when Virtuoso says it answered only part of the query.

    ``X-SQL-State: S1TAT``: its "anytime" answer at our timeout (:class:`BackendTimeout`);
    ``X-SPARQL-MaxRows``: solutions cut at its ``ResultSetMaxRows`` (:class:`BackendError`).
    """
    if response.headers.get("X-SQL-State") == "S1TAT":
        response.close()
        raise BackendTimeout(url, "reached the query's deadline and answered only part of it (Virtuoso's "
                                  "anytime answer, X-SQL-State S1TAT): refused rather than served incomplete")
    cap = response.headers.get("X-SPARQL-MaxRows", "")
    if cap.isdigit() and cuts_answers(int(cap), max_rows):
        response.close()
        raise BackendError(url, f"cut its answer at {cap} rows (Virtuoso's ResultSetMaxRows), below this "
                                f"endpoint's row limit of {max_rows}: raise ResultSetMaxRows in "
                                "virtuoso.ini above it (refused rather than served incomplete)")


def row_cap(store: RemoteSparqlStore) -> int | None:
    """Virtuoso's ``ResultSetMaxRows`` (``None``: not Virtuoso, or no cap set).

    Raises :class:`BackendError` when Virtuoso does not answer the question.
    """
    if not store.virtuoso:
        return None
    from .store import RESULTS_ACCEPT

    answer = store.results(store.send(ROW_CAP_QUERY, [], RESULTS_ACCEPT))
    for row in answer if isinstance(answer, ox.QuerySolutions) else ():
        value = row["cap"].value.strip() if row["cap"] is not None else ""
        return int(value) if value.isdigit() and int(value) > 0 else None
    return None


def check_row_cap(store: RemoteSparqlStore, max_rows: int) -> None:
    """Refuse (:class:`BackendError`) a Virtuoso whose ``ResultSetMaxRows`` is not above ``max_rows``."""
    try:
        cap = row_cap(store)
    except BackendError as error:
        raise BackendError(store.url, f"did not say its ResultSetMaxRows ({error}): a lower cap would cut "
                                      "CONSTRUCT and DESCRIBE answers without a sign, so it is not served") from None
    if cuts_answers(cap, max_rows):
        raise BackendError(store.url, f"cuts every answer at {cap} rows (Virtuoso's ResultSetMaxRows), not above "
                                      f"this endpoint's row limit of {max_rows}: CONSTRUCT and DESCRIBE answers "
                                      f"would be cut without a sign. Raise ResultSetMaxRows in the [SPARQL] section "
                                      f"of virtuoso.ini above {max_rows}, or serve with --max-rows below {cap}")
