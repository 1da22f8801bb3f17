"""Is a store's Graph Store PUT atomic? A graph of 1,000 triples, then a large PUT cut or failing, then its count.

For each store (Oxigraph server, Virtuoso 7 as ``bench.backend`` runs it), on
a fresh database: PUT the first 1,000 lines of the corpus into a graph; then

1. send the headers and half the body of a PUT of the whole corpus, and close
   the socket (the client goes away mid-body); count the graph after 1, 5
   and 30 s;
2. send a whole PUT of the corpus with one line that is not N-Triples at its
   end; its status; count the graph.

A count of 1,000 means the previous version survived. Prints one line per
step. A measurement, not a test (``tests/`` asserts no such thing).

Example::

    python -m bench.backend_atomicity --corpus ~/.cache/spine-evidence-bench/backend/corpus-1m-seed1.nt
"""

from __future__ import annotations

import argparse
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlsplit

import requests
from requests.auth import HTTPDigestAuth

from bench.backend_servers import PublishedVirtuoso
from bench.servers import CACHE
from spine_evidence import processes

GRAPH = "https://example.org/atomicity"
BAD_LINE = b"<urn:a> <urn:b> this is not N-Triples .\n"
Header = Callable[[], str | None]


def count(query_url: str) -> str:
    """The number of triples in ``GRAPH``."""
    answer = requests.post(query_url, data={"query": f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"},
                           headers={"Accept": "text/csv"}, timeout=300)
    return answer.text.strip().splitlines()[-1]


def raw_put(url: str, parameter: str, body: bytes, length: int, authorization: str | None, cut: bool) -> str:
    """A PUT on its own socket announcing ``length`` bytes; ``cut``: close after ``body``, else the status line."""
    parts = urlsplit(url)
    head = (f"PUT {parts.path}?{parameter}={quote(GRAPH, safe='')} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            f"Content-Type: application/n-triples\r\nContent-Length: {length}\r\n"
            + (f"Authorization: {authorization}\r\n" if authorization else "") + "\r\n")
    with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80)) as connection:
        connection.sendall(head.encode("ascii") + body)
        if cut:
            time.sleep(2)
            return "socket closed mid-body"
        connection.settimeout(900)
        answer = b""
        while b"\r\n" not in answer and (chunk := connection.recv(65536)):
            answer += chunk
    return answer.split(b"\r\n", 1)[0].decode("latin-1")


def experiment(name: str, gsp: str, query_url: str, parameter: str, auth: HTTPDigestAuth | None,
               corpus: bytes) -> None:
    """Both steps against one store (module docstring)."""
    session = requests.Session()
    session.auth = auth
    first = b"".join(corpus.splitlines(keepends=True)[:1000])
    put = session.put(gsp, params={parameter: GRAPH}, data=first, headers={"Content-Type": "application/n-triples"},
                      timeout=300)
    print(f"{name}: previous version PUT {put.status_code}, {count(query_url)} triples", flush=True)

    def authorization() -> str | None:  # a fresh digest challenge, answered for the PUT
        if auth is None:
            return None
        session.get(gsp, params={parameter: GRAPH}, timeout=60)
        return auth.build_digest_header("PUT", f"{gsp}?{parameter}={quote(GRAPH, safe='')}")

    half = corpus[: len(corpus) // 2]
    print(f"{name}: PUT of {len(corpus):,} bytes, {raw_put(gsp, parameter, half, len(corpus), authorization(), True)}",
          flush=True)
    for wait in (1, 4, 25):
        time.sleep(wait)
        print(f"{name}:   then {count(query_url)} triples", flush=True)
    bad = corpus + BAD_LINE
    status = raw_put(gsp, parameter, bad, len(bad), authorization(), False)
    time.sleep(2)
    print(f"{name}: whole PUT ending in a line that is not N-Triples: {status}; then {count(query_url)} triples",
          flush=True)


def oxigraph(folder: Path, corpus: bytes) -> None:
    """The experiment on ``oxigraph serve`` with a fresh store."""
    port = processes.free_port()
    folder.mkdir(parents=True, exist_ok=True)
    server = processes.spawn_in_session(["oxigraph", "serve", "--location", str(folder / "db"), "--bind",
                                         f"127.0.0.1:{port}"], folder / "server.log")
    try:
        processes.wait_until_answers(server, f"http://127.0.0.1:{port}/query", 60, folder / "server.log")
        experiment("oxigraph", f"http://127.0.0.1:{port}/store", f"http://127.0.0.1:{port}/query", "graph", None,
                   corpus)
    finally:
        processes.stop_group(server)


def virtuoso(folder: Path, corpus: bytes) -> None:
    """The experiment on Virtuoso 7 as ``bench.backend`` publishes into it (fresh database)."""
    server = PublishedVirtuoso(folder)
    server.fresh()
    server.start()
    try:
        experiment("virtuoso", server.gsp_url, server.sparql_url, "graph-uri", HTTPDigestAuth("dba", "dba"), corpus)
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.backend_atomicity``; exit 2 when the corpus is missing."""
    parser = argparse.ArgumentParser(prog="python -m bench.backend_atomicity", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=CACHE / "backend" / "corpus-1m-seed1.nt",
                        help="an N-Triples file (python -m bench.corpus --triples 1m --out FILE)")
    parser.add_argument("--stores", default="oxigraph,virtuoso")
    parser.add_argument("--workdir", type=Path, default=CACHE / "atomicity")
    args = parser.parse_args(argv)
    if not args.corpus.is_file():
        print(f"error: no corpus {args.corpus}", file=sys.stderr)
        return 2
    corpus = args.corpus.read_bytes()
    for name in args.stores.split(","):
        {"oxigraph": oxigraph, "virtuoso": virtuoso}[name.strip()](args.workdir / name.strip(), corpus)
    return 0


if __name__ == "__main__":
    sys.exit(main())
