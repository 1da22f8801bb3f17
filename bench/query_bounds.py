"""Crash depth and cost of pyoxigraph per query shape, by thread stack size: the figures behind the input bounds.

Each trial runs one query (a shape at size n) in a fresh subprocess, on the
main thread (``--stack 0``, the 8 MB of ``ulimit -s``) or on a thread of
``--stack`` MiB, and prints its time and outcome (``ok``, ``err …``,
``crash rc=-11``: the stack overflowed, ``timeout``). n doubles from 500
until a crash or a timeout. The bounds of ``spine_evidence.web.query_bounds``
must sit far below the crash depth on the query threads' stack
(``query_runner.QUERY_STACK_BYTES``).

Example:
    python -m bench.query_bounds                       # every shape, main thread
    python -m bench.query_bounds --stack 64 braces calls
    python -m bench.query_bounds --sizes 64,128,256 optional same_var_triples
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

SHAPES = {
    "braces": lambda n: "SELECT * WHERE " + "{" * n + "}" * n,
    "parens": lambda n: "SELECT * WHERE { FILTER(" + "(" * n + "1" + ")" * n + ") }",
    "brackets": lambda n: "SELECT * WHERE { ?s <p> " + "[ <p> " * n + "1" + " ]" * n + " }",
    "path_parens": lambda n: "SELECT * WHERE { ?s " + "(" * n + "<p>" + ")" * n + " ?o }",
    "path_seq": lambda n: "SELECT * WHERE { ?s " + "/".join(["<p>"] * n) + " ?o }",
    "path_alt": lambda n: "SELECT * WHERE { ?s " + "|".join(["<p>"] * n) + " ?o }",
    "subquery": lambda n: "SELECT * WHERE " + "{ SELECT * WHERE " * n + "{}" + " }" * n,
    "union": lambda n: "SELECT * WHERE { " + " UNION ".join(["{?s <p> ?o}"] * n) + " }",
    "optional": lambda n: "SELECT * WHERE { ?s <p> ?o " + " OPTIONAL { ?s <p> ?o }" * n + " }",
    "minus": lambda n: "SELECT * WHERE { ?s <p> ?o " + " MINUS { ?s <p> ?o }" * n + " }",
    "and_chain": lambda n: "SELECT * WHERE { ?s <p> ?o FILTER(" + " && ".join(["?o"] * n) + ") }",
    "plus_chain": lambda n: "SELECT * WHERE { BIND(" + "+".join(["1"] * n) + " AS ?x) }",
    "not_chain": lambda n: "SELECT * WHERE { FILTER(" + "!" * n + "true) }",
    "calls": lambda n: "SELECT * WHERE { BIND(" + "STR(" * n + "1" + ")" * n + " AS ?x) }",
    "coalesce_nest": lambda n: "SELECT * WHERE { BIND(" + "COALESCE(" * n + "1" + ")" * n + " AS ?x) }",
    "exists": lambda n: "SELECT * WHERE " + "{ FILTER EXISTS " * n + "{}" + " }" * n,
    "graph": lambda n: "SELECT * WHERE " + "{ GRAPH ?g " * n + "{}" + " }" * n,
    "triples": lambda n: "SELECT * WHERE { " + " ".join(f"?s{i} <p> ?o{i} ." for i in range(n)) + " }",
    "same_var_triples": lambda n: "SELECT * WHERE { " + " ".join("?s <p> ?o ." for _ in range(n)) + " }",
    "filters": lambda n: "SELECT * WHERE { ?s <p> ?o " + " FILTER(?o)" * n + " }",
    "binds": lambda n: "SELECT * WHERE { " + " ".join(f"BIND(1 AS ?v{i})" for i in range(n)) + " }",
    "values_rows": lambda n: "SELECT * WHERE { VALUES ?x { " + " ".join(["1"] * n) + " } }",
    "in_list": lambda n: "SELECT * WHERE { FILTER(1 IN (" + ",".join(["1"] * n) + ")) }",
    "construct_nest": lambda n: "CONSTRUCT { ?s <p> " + "[ <p> " * n + "1" + " ]" * n + " } WHERE { ?s <p> ?o }",
}

CHILD = r"""
import sys, threading, pyoxigraph as ox
from bench.query_bounds import SHAPES
shape, n, stack = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
query = SHAPES[shape](n)
store = ox.Store()
store.add(ox.Quad(ox.NamedNode("http://x/s"), ox.NamedNode("http://x/p"), ox.Literal("1")))
outcome = []
def run():
    try:
        result = store.query(query, base_iri="http://x/")
        if not isinstance(result, ox.QueryBoolean):
            for _ in result:
                pass
        outcome.append("ok")
    except BaseException as error:
        outcome.append(f"err {type(error).__name__} {str(error)[:80]}")
if stack == 0:
    run()
else:
    threading.stack_size(stack)
    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
print(outcome[0])
"""


def trial(shape: str, n: int, stack_bytes: int, limit: float) -> tuple[str, float]:
    """The outcome and seconds of one query of ``shape`` at size ``n`` in a subprocess."""
    started = time.monotonic()
    try:
        done = subprocess.run([sys.executable, "-c", CHILD, shape, str(n), str(stack_bytes)],
                              capture_output=True, text=True, timeout=limit)
    except subprocess.TimeoutExpired:
        return "timeout", time.monotonic() - started
    if done.returncode != 0:
        return f"crash rc={done.returncode}", time.monotonic() - started
    return done.stdout.strip(), time.monotonic() - started


def main(argv: list[str] | None = None) -> None:
    """Print one line per trial."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("shapes", nargs="*", default=list(SHAPES), help="shapes to try (default: all)")
    parser.add_argument("--stack", type=int, default=0, help="thread stack in MiB (0: the main thread)")
    parser.add_argument("--sizes", default="", help="comma-separated sizes instead of doubling from 500")
    parser.add_argument("--top", type=int, default=128_000, help="largest size when doubling")
    parser.add_argument("--limit", type=float, default=120.0, help="seconds per trial before it counts as a timeout")
    args = parser.parse_args(argv)
    for shape in args.shapes:
        sizes = [int(v) for v in args.sizes.split(",")] if args.sizes else []
        n = sizes.pop(0) if sizes else 500
        while n <= args.top:
            outcome, seconds = trial(shape, n, args.stack << 20, args.limit)
            print(f"{shape:16} n={n:7} stack={args.stack or 'main (8)'} MiB {seconds:7.2f} s {outcome}", flush=True)
            if args.sizes:
                if not sizes:
                    break
                n = sizes.pop(0)
            elif outcome.startswith("crash") or outcome == "timeout":
                break
            else:
                n *= 2


if __name__ == "__main__":
    main()
