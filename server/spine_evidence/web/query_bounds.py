"""Input bounds on a query's text, checked by one linear scan before any parser sees it.

pyoxigraph's parser and evaluator recurse once per level of nesting and
once per link of a chain (a left-deep tree of UNIONs, joins, operators), and
nothing inside it bounds that: about 5,000 nested braces overflow an 8 MB
stack and end the process; some shapes also cost time that grows faster
than their length (500 OPTIONALs: 19 s to plan). So every query is first
measured by :func:`measure`, one pass of a tokenizer whose every repetition
is possessive (no backtracking, linear in the text) and which skips string
literals, IRIs and comments, and refused (400, naming the bound) when a
count is over its bound in :class:`QueryBounds`. pyoxigraph reads codepoint
escapes (``\\u007B``) only inside strings and IRIs, but SPARQL says they are
decoded before parsing: a text holding any is measured both ways, so that
no parser can find a brace hidden in one.

The counts are upper estimates (a comma in a VALUES row counts as a
separator): the bounds are chosen well below the measured limits so that
over-counting never refuses a real query. Measured figures: README, section
"The SPARQL endpoint", and ``python -m bench.query_bounds``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from .http_errors import HttpError

DEFAULT_MAX_LENGTH = 128 * 1024  # characters

# Token classes, tried in order; every repetition is possessive, so a failed match never backtracks.
TOKEN = re.compile(
    r"""[\ \t\r\n]*+(?:(?P<comment>\#[^\r\n]*+)
    |(?P<long>\"\"\"(?:[^"\\]++|\\.|"(?!""))*+\"\"\"|'''(?:[^'\\]++|\\.|'(?!''))*+''')
    |(?P<string>"(?:[^"\\\r\n]++|\\.)*+"|'(?:[^'\\\r\n]++|\\.)*+')
    |(?P<quote>["'])
    |(?P<iri><(?:[^<>"{}|^`\\\x00-\x20]++|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*+>)
    |(?P<name>[?$]?[\w:][\w\-:%]*+(?:\.++[\w\-:%]++)*+)
    |(?P<op>&&|\|\||\^\^|!=|<=|>=|[{}()\[\].,;|/^!=<>+*-])
    |(?P<other>.))""",
    re.VERBOSE | re.DOTALL,
)
CODEPOINT_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
OPEN, CLOSE = "{([", "})]"
PATH_OPERATORS = frozenset({"/", "|", "^"})
EXPRESSION_OPERATORS = frozenset({"&&", "||", "=", "!=", "<", ">", "<=", ">=", "+", "-", "*", "!"})
SEPARATORS = frozenset({".", ";", ","})
QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
PATTERN_KEYWORDS = frozenset({"UNION", "OPTIONAL", "MINUS", "GRAPH", "SERVICE", "FILTER", "BIND", "VALUES",
                              "EXISTS", "SELECT"})


class QueryTooLarge(HttpError):
    """A query over one of the input bounds (400); ``bound`` names it, the message says by how much."""

    def __init__(self, bound: str, message: str) -> None:
        super().__init__(400, message)
        self.bound = bound


@dataclass(frozen=True)
class QueryBounds:
    """The largest query the endpoint parses (field names are the bounds' names in messages).

    ``max_length``: characters of query text. ``max_depth``: nesting of
    ``{}``, ``()`` and ``[]`` together. ``max_triple_patterns``: triple
    patterns (estimated: separators ``. ; ,`` inside groups, plus one per
    group). ``max_path_operators``: ``/ | ^``. ``max_pattern_operators``:
    UNION, OPTIONAL, MINUS, GRAPH, SERVICE, FILTER, BIND, VALUES, EXISTS,
    SELECT. ``max_expression_operators``: ``&& || = != < > <= >= + - * !``.
    """

    max_length: int = DEFAULT_MAX_LENGTH
    max_depth: int = 64
    max_triple_patterns: int = 128
    max_path_operators: int = 64
    max_pattern_operators: int = 128
    max_expression_operators: int = 512

    def as_dict(self) -> dict[str, int]:
        """The bounds by name."""
        return asdict(self)


@dataclass
class Measure:
    """What :func:`measure` counted in a query's text."""

    max_depth: int = 0
    max_triple_patterns: int = 0
    max_path_operators: int = 0
    max_pattern_operators: int = 0
    max_expression_operators: int = 0


def decoded(text: str) -> str:
    """``text`` with its codepoint escapes (``\\u0041``, ``\\U0001F600``) decoded, as SPARQL reads them."""
    if "\\u" not in text and "\\U" not in text:
        return text
    return CODEPOINT_ESCAPE.sub(lambda m: chr(min(int(m.group(1) or m.group(2), 16), 0x10FFFF)), text)


def measure(text: str, bounds: QueryBounds) -> Measure:
    """Count what the bounds limit in ``text``, stopping at the first bound exceeded (``QueryTooLarge``)."""
    check_length(text, bounds)
    found = count(text, bounds, strict=True)
    escaped = decoded(text)
    if escaped is not text:
        other = count(escaped, bounds, strict=False)
        found = Measure(**{name: max(value, vars(other)[name]) for name, value in vars(found).items()})
    return found


def count(text: str, bounds: QueryBounds, strict: bool) -> Measure:
    """One scan of ``text`` (``strict``: an unclosed string literal is refused, else it is skipped)."""
    counts: dict[str, int] = dict.fromkeys(vars(Measure()), 0)
    limit = bounds.as_dict()
    stack: list[str] = []
    for token in TOKEN.finditer(text):
        kind = token.lastgroup
        if kind == "op":
            counted = count_operator(token.group("op"), stack)
        elif kind == "name":
            name = token.group("name")
            counted = "max_pattern_operators" if name[0] not in "?$:" and name.upper() in PATTERN_KEYWORDS else None
        elif kind == "quote" and strict:
            raise QueryTooLarge("syntax", "the query has a string literal that is never closed")
        else:
            continue
        if counted is not None:
            counts[counted] += 1
            if counted != "max_depth" and counts[counted] > limit[counted]:
                over(counted, counts[counted], limit[counted])
        if len(stack) > counts["max_depth"]:
            counts["max_depth"] = len(stack)
            if len(stack) > limit["max_depth"]:
                over("max_depth", len(stack), limit["max_depth"])
    return Measure(**counts)


def count_operator(value: str, stack: list[str]) -> str | None:
    """Update ``stack`` (the open brackets) for one operator token; the name of the count it adds to."""
    if value in OPEN:
        stack.append(value)
        return "max_triple_patterns" if value == "{" else None
    if value in CLOSE:
        if stack:
            stack.pop()
        return None
    if value in SEPARATORS:
        return "max_triple_patterns" if stack and stack[-1] != "(" else None
    if value in PATH_OPERATORS:
        return "max_path_operators"
    return "max_expression_operators" if value in EXPRESSION_OPERATORS else None


def camel(name: str) -> str:
    """A bound's name as the service description writes it: ``max_depth`` → ``maxDepth``."""
    first, *rest = name.split("_")
    return first + "".join(word.title() for word in rest)


def over(name: str, value: int, limit: int) -> None:
    """Raise ``QueryTooLarge`` for the count ``name`` over its bound."""
    raise QueryTooLarge(name, f"the query is over the input bound {camel(name)} = {limit} (it has at least {value}; "
                              "the bounds are in the service description)")


def check_length(text: str, bounds: QueryBounds) -> None:
    """``QueryTooLarge`` when ``text`` is longer than ``bounds.max_length`` characters."""
    if len(text) > bounds.max_length:
        raise QueryTooLarge("max_length", f"the query is over the input bound maxLength = {bounds.max_length} "
                                          f"characters (it has {len(text)}; the bounds are in the service description)")


def query_form(text: str) -> str | None:
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``: the first query-form keyword of ``text`` (else ``None``)."""
    for token in TOKEN.finditer(text):
        name = token.group("name")
        if name is not None and name.upper() in QUERY_FORMS:
            return name.upper()
        if token.lastgroup == "op" and token.group("op") == "{":
            return None  # the form comes before the first group
    return None


def check_bounds(text: str, bounds: QueryBounds) -> None:
    """Refuse (``QueryTooLarge``) a query over any of ``bounds``; see the module docstring."""
    measure(text, bounds)
