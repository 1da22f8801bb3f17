"""What serving over Virtuoso 7 needs beyond the SPARQL protocol: its describe mode, its answers' quirks, its row cap.

Virtuoso is recognised by the ``Server`` header of its first answer
(:attr:`.store.RemoteSparqlStore.virtuoso`). Its ``ResultSetMaxRows`` (10,000
in Debian's packaged ``virtuoso.ini``) cuts every answer: a SELECT's with an
``X-SPARQL-MaxRows`` header (refused with 502 by the store), but a CONSTRUCT's
or DESCRIBE's without any sign. :func:`check_row_cap` therefore reads the
setting when ``serve --backend`` starts and refuses a Virtuoso that would cut
answers this endpoint's row limit lets through.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox

from .errors import BackendError

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


def row_cap(store: RemoteSparqlStore) -> int | None:
    """Virtuoso's ``ResultSetMaxRows`` (``None``: not Virtuoso, or no cap set).

    Raises :class:`BackendError` when Virtuoso does not answer the question.
    """
    if not store.virtuoso:
        return None
    from .store import RESULTS_ACCEPT

    answer = store.results(store.send(ROW_CAP_QUERY, [], RESULTS_ACCEPT))
    values = [row["cap"].value for row in answer if row["cap"] is not None] if isinstance(
        answer, ox.QuerySolutions) else []
    return int(values[0]) if values and values[0].strip().isdigit() and int(values[0]) > 0 else None


def check_row_cap(store: RemoteSparqlStore, max_rows: int) -> None:
    """Refuse (:class:`BackendError`) a Virtuoso whose ``ResultSetMaxRows`` is not above ``max_rows``."""
    try:
        cap = row_cap(store)
    except BackendError as error:
        raise BackendError(store.url, f"did not say its ResultSetMaxRows ({error}): a lower cap would cut "
                                      "CONSTRUCT and DESCRIBE answers without a sign, so it is not served") from None
    if cap is not None and cap <= max_rows:
        raise BackendError(store.url, f"cuts every answer at {cap} rows (Virtuoso's ResultSetMaxRows), not above "
                                      f"this endpoint's row limit of {max_rows}: CONSTRUCT and DESCRIBE answers "
                                      f"would be cut without a sign. Raise ResultSetMaxRows in the [SPARQL] section "
                                      f"of virtuoso.ini above {max_rows}, or serve with --max-rows below {cap}")
