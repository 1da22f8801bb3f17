"""Reading a WSGI request without building a request object: headers, the endpoint's URL, the body.

Used by :mod:`.query_operation` (and so by :mod:`.fast_path`), which answer
queries at the WSGI level: :func:`read_query_request` turns one request into
a :class:`~.protocol.QueryRequest`, reading its body within a size and a
time limit.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import IO, Any

from werkzeug.sansio.utils import get_current_url, get_host
from werkzeug.wsgi import get_input_stream

from .http_errors import HttpError
from .protocol import QueryRequest, base_iri, parse_query_request

BODY_READ_SECONDS = 10
READ_CHUNK = 64 * 1024
Environ = dict[str, Any]  # a WSGI environ


class RequestHeaders(Mapping[str, str]):
    """The request headers of a WSGI environ, read by name (case-insensitive) without copying."""

    def __init__(self, environ: Environ) -> None:
        self.environ = environ

    @staticmethod
    @lru_cache(maxsize=64)
    def key(name: str) -> str:
        upper = name.upper().replace("-", "_")
        return upper if upper in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + upper

    def __getitem__(self, name: str) -> str:
        return str(self.environ[self.key(name)])

    def get(self, name: str, default: Any = None) -> Any:
        """The header ``name`` (``default`` when absent), read without raising ``KeyError``."""
        return self.environ.get(self.key(name), default)

    def __iter__(self) -> Iterator[str]:
        return (k for k in self.environ if k.startswith("HTTP_"))

    def __len__(self) -> int:
        return sum(1 for _ in self)


@lru_cache(maxsize=256)
def endpoint_iri(scheme: str, host_header: str | None, server: tuple[str, int | None] | None, root: str,
                 path: str) -> str | None:
    """The endpoint's URL as werkzeug's ``request.base_url`` builds it, if it is a valid IRI."""
    host = get_host(scheme, host_header, server)
    return base_iri(get_current_url(scheme, host, root, path))


def request_base_iri(environ: Environ) -> str | None:
    """The URL of the endpoint this request was sent to (the query's base IRI)."""
    port = environ.get("SERVER_PORT")
    name = environ.get("SERVER_NAME")
    server = (name, int(port) if port and port.isdigit() else None) if name else None
    return endpoint_iri(environ.get("wsgi.url_scheme", "http"), environ.get("HTTP_HOST"), server,
                        environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""))


def content_length(environ: Environ) -> int | None:
    """The declared body length (``None`` when absent or not a number)."""
    declared = environ.get("CONTENT_LENGTH")
    if not declared:
        return None
    try:
        length = int(declared)
    except ValueError:
        return None
    return length if length >= 0 else None


def read_query_request(environ: Environ, headers: Mapping[str, str], max_body: int, timeout: float) -> QueryRequest:
    """The :class:`QueryRequest` of a request (``HttpError`` for a bad one; 413 when its body is over ``max_body``).

    ``timeout`` is the server's deadline; a client may ask for a shorter one.
    """
    method = environ.get("REQUEST_METHOD", "GET")
    length = content_length(environ)
    if method == "POST" and length is not None and length > max_body:
        raise HttpError.payload_too_large(f"the request body ({length} bytes) is over the limit of {max_body} bytes")
    return parse_query_request(method, environ, headers, lambda: read_body(environ, max_body), timeout,
                               request_base_iri(environ))


def read_at_most(stream: IO[bytes], limit: int) -> bytes:
    """Read ``stream`` to its end, or raise 413 as soon as it holds more than ``limit`` bytes."""
    chunks, size = [], 0
    while chunk := stream.read(min(READ_CHUNK, limit + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise HttpError.payload_too_large(f"the request body is over the limit of {limit} bytes")
    return b"".join(chunks)


def read_body(environ: Environ, limit: int) -> bytes:
    """The request body (at most ``limit`` bytes, else 413), read within ``BODY_READ_SECONDS``.

    A body that stops arriving gets 408; one that cannot be decoded (bad
    chunked framing, a client gone) gets 400, never a 500.
    """
    client = environ.get("gunicorn.socket")
    if client is not None:
        client.settimeout(BODY_READ_SECONDS)
    try:
        return read_at_most(get_input_stream(environ, max_content_length=None), limit)
    except HttpError:
        raise
    except TimeoutError:
        raise HttpError.request_timeout(f"the request body did not arrive within {BODY_READ_SECONDS} s") from None
    except Exception as error:  # the WSGI servers' body readers raise their own exception types
        raise HttpError.bad_request(f"the request body could not be read: {error}") from None
