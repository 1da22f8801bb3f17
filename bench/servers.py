"""The servers, side by side: ours (now and at an earlier revision), Oxigraph server, rdflib-endpoint, Virtuoso 7.

Each server is loaded with the same N-Triples corpus (``load``), then started and timed
until it answers (``start``), measured, and stopped (``stop``). All bind 127.0.0.1.
``bench.install`` installs the peers that are missing.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

from bench.client import BenchEndpoint
from bench.processes import MemorySampler, run_bounded
from spine_evidence.processes import free_port, spawn_in_session, stop_group, wait_until_answers

CACHE = Path.home() / ".cache" / "spine-evidence-bench"
RDFLIB_ENDPOINT = CACHE / "rdflib-endpoint-venv" / "bin" / "rdflib-endpoint"
VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
OUR_COMMAND = [sys.executable, "-m", "spine_evidence"]
# spine_evidence.store.load: the store plus build.json (graph version, triple counts) beside it,
# which serve reads instead of scanning the store at start.
CREATE_STORE = ("import sys; from pathlib import Path; from spine_evidence.store import load; "
                "load(Path(sys.argv[1]), [(sys.argv[2], Path(sys.argv[3]))])")
BENCH_GRAPH = "https://w3id.org/spine-evidence/graph/benchmark"
REPO = Path(__file__).resolve().parents[1]
# The revision ``ours-before`` serves by default: the endpoint before issue 10's request-path restructuring.
BEFORE_REVISION = "829ba79"


class Server:
    """A SPARQL server under test: load once, start, answer, stop."""

    name = "server"
    ready_timeout = 120.0

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir / self.name
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.log = self.workdir / "server.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.sampler: MemorySampler | None = None
        self.port = 0
        self.peak_rss = self.peak_pss = self.peak_uss = 0

    @classmethod
    def available(cls) -> str | None:
        """``None`` when the server can run here, else why not."""
        return None

    def command(self) -> list[str]:
        raise NotImplementedError

    def environment(self) -> dict[str, str] | None:
        """Variables added to the server process's environment (``None``: none)."""
        return None

    @property
    def endpoint(self) -> BenchEndpoint:
        return BenchEndpoint(self.name, f"http://127.0.0.1:{self.port}/sparql")

    def load(self, corpus: Path) -> float | None:
        """Load ``corpus``; return the seconds taken (``None`` when ``start`` parses it)."""
        self.corpus = corpus
        return None

    def prepare(self) -> None:
        """Choose the ports (and write any configuration) before the process starts."""
        self.port = free_port()

    def start(self) -> float:
        """Start the server; return the seconds until it answers a query."""
        self.prepare()
        self.process = spawn_in_session(self.command(), self.log, self.environment())
        self.sampler = MemorySampler(self.process.pid)
        try:
            return wait_until_answers(self.process, self.endpoint.url, self.ready_timeout, self.log,
                                      self.endpoint.extra)
        except RuntimeError as error:
            self.stop()
            raise RuntimeError(f"{self.name}: {error}; log: {self.log}") from None

    def stop(self) -> None:
        """Stop the server (and its workers); keep the peak memory seen."""
        if self.sampler is not None:
            self.peak_rss = max(self.peak_rss, self.sampler.close())
            self.peak_pss = max(self.peak_pss, self.sampler.peak_pss)
            self.peak_uss = max(self.peak_uss, self.sampler.peak_uss)
            self.sampler = None
        stop_group(self.process)
        self.process = None


class Oxigraph(Server):
    """``oxigraph serve-read-only`` (PyPI ``oxigraph``) on a RocksDB store made by ``oxigraph load``."""

    name = "oxigraph"

    @classmethod
    def available(cls) -> str | None:
        return None if shutil.which("oxigraph") else "the oxigraph command is not installed (pip install oxigraph)"

    def load(self, corpus: Path) -> float:
        self.location = self.workdir / "store"
        shutil.rmtree(self.location, ignore_errors=True)
        seconds = run_bounded(["oxigraph", "load", "--location", str(self.location), "--file", str(corpus)],
                              1800, self.workdir / "load.log")
        # compacted like ours (create_store optimises): the store layouts compared are alike
        return seconds + run_bounded(["oxigraph", "optimize", "--location", str(self.location)],
                                     1800, self.workdir / "optimize.log")

    def command(self) -> list[str]:
        return ["oxigraph", "serve-read-only", "--location", str(self.location),
                "--bind", f"127.0.0.1:{self.port}"]

    @property
    def endpoint(self) -> BenchEndpoint:
        return BenchEndpoint(self.name, f"http://127.0.0.1:{self.port}/query")


class Ours(Server):
    """``spine-evidence serve`` on a pyoxigraph store made by ``spine_evidence.store.load``.

    The store has the shape of our built dataset: the corpus in its named graph, merged into
    the default graph, which the queries see (as Oxigraph server's default graph).
    """

    name = "ours"
    workers: int | None = None
    cache_bytes: int | None = 0  # uncached: every request reaches the store (None: the server's default cache)

    @classmethod
    def available(cls) -> str | None:
        help_text = subprocess.run([*OUR_COMMAND, "serve", "--help"], capture_output=True, text=True, timeout=60)
        if help_text.returncode != 0 or "--store" not in help_text.stdout:
            return "spine-evidence serve --store is not available"
        return None

    def load(self, corpus: Path) -> float | None:
        self.store = self.workdir / "store"
        shutil.rmtree(self.store, ignore_errors=True)
        return run_bounded([sys.executable, "-c", CREATE_STORE, str(self.store), BENCH_GRAPH, str(corpus)],
                           1800, self.workdir / "load.log")

    def command(self) -> list[str]:
        command = [*OUR_COMMAND, "serve", "--host", "127.0.0.1", "--port", str(self.port),
                   "--store", str(self.store), "--max-rows", "10000000", "--timeout", "600"]
        command += ["--cache-bytes", str(self.cache_bytes)] if self.cache_bytes is not None else []
        return command + (["--workers", str(self.workers)] if self.workers else [])


class OursCached(Ours):
    """Ours with its default result cache, on the store ``Ours`` made (or making its own)."""

    name = "ours-cached"
    cache_bytes: int | None = None

    def load(self, corpus: Path) -> float | None:
        made = self.workdir.parent / Ours.name / "store"
        if not (made / "CURRENT").exists():
            return super().load(corpus)
        self.store = made
        return None


class OursBefore(OursCached):
    """Ours at an earlier git revision (``revision``, ``--before``): the same store, served by that revision's code.

    Its ``server/`` folder is taken from this checkout with ``git archive`` into the work folder
    (no install, no worktree) and put first on ``PYTHONPATH``, so ``python -m spine_evidence``
    runs that code; the store is the one ``Ours`` made (identical data), served uncached.
    """

    name = "ours-before"
    cache_bytes = 0
    revision = BEFORE_REVISION

    @classmethod
    def available(cls) -> str | None:
        found = subprocess.run(["git", "-C", str(REPO), "cat-file", "-e", f"{cls.revision}^{{commit}}"],
                               capture_output=True, timeout=60)
        return None if found.returncode == 0 else f"revision {cls.revision} is not in the git history of {REPO}"

    def code(self) -> Path:
        """The revision's ``server/`` folder, extracted once into the work folder."""
        folder = self.workdir / f"code-{self.revision}"
        if not (folder / "server" / "spine_evidence" / "__init__.py").exists():
            archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", self.revision, "server"],
                                     capture_output=True, check=True, timeout=120).stdout
            with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
                tar.extractall(folder, filter="data")
        return folder / "server"

    def environment(self) -> dict[str, str]:
        return {"PYTHONPATH": str(self.code())}


class RdflibEndpoint(Server):
    """rdflib-endpoint (PyPI, its own venv): parses the corpus into rdflib's memory store at start."""

    name = "rdflib-endpoint"
    ready_timeout = 1800.0

    @classmethod
    def available(cls) -> str | None:
        return None if RDFLIB_ENDPOINT.exists() else f"rdflib-endpoint is not installed in {RDFLIB_ENDPOINT.parent}"

    @property
    def endpoint(self) -> BenchEndpoint:
        return BenchEndpoint(self.name, f"http://127.0.0.1:{self.port}/")

    def command(self) -> list[str]:
        return [str(RDFLIB_ENDPOINT), "serve", "--host", "127.0.0.1", "--port", str(self.port), str(self.corpus)]


class Virtuoso(Server):
    """Virtuoso 7 (Debian ``virtuoso-opensource``) from a generated ini, loaded with ``ld_dir``."""

    name = "virtuoso"

    @classmethod
    def available(cls) -> str | None:
        missing = [c for c in ("virtuoso-t", "isql-vt") if not shutil.which(c)]
        if missing or not VIRTUOSO_INI.exists():
            return "virtuoso-opensource is not installed (apt-get install virtuoso-opensource)"
        return None

    @property
    def endpoint(self) -> BenchEndpoint:
        return BenchEndpoint(self.name, f"http://127.0.0.1:{self.port}/sparql", {"default-graph-uri": BENCH_GRAPH})

    def command(self) -> list[str]:
        return ["virtuoso-t", "+foreground", "+configfile", str(self.workdir / "virtuoso.ini")]

    def write_ini(self) -> None:
        """The packaged ini with our folder, loopback ports, more buffers and no row cap."""
        db = self.workdir / "db"
        db.mkdir(exist_ok=True)
        text = VIRTUOSO_INI.read_text()
        text = text.replace("/var/lib/virtuoso-opensource-7/db", str(db))
        text = text.replace("/var/lib/virtuoso-opensource-7/vsp", str(self.workdir))
        settings = {"DirsAllowed": f"., /usr/share/virtuoso-opensource-7/vad, {self.workdir}",
                    "NumberOfBuffers": "340000", "MaxDirtyBuffers": "250000",
                    "ResultSetMaxRows": "10000000", "MaxQueryExecutionTime": "600",
                    "MaxClientConnections": "32", "ServerThreads": "16", "MaxKeepAlives": "32"}
        for key, value in settings.items():
            text = re.sub(rf"(?m)^{key}\s*=.*$", f"{key} = {value}", text)
        text = re.sub(r"(?m)^ServerPort\s*=\s*1111.*$", f"ServerPort = 127.0.0.1:{self.sql_port}", text)
        text = re.sub(r"(?m)^ServerPort\s*=\s*8890.*$", f"ServerPort = 127.0.0.1:{self.port}", text)
        (self.workdir / "virtuoso.ini").write_text(text)

    def prepare(self) -> None:
        self.port, self.sql_port = free_port(), free_port()
        self.write_ini()

    def isql(self, statements: str, timeout: float) -> float:
        return run_bounded(["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={statements}"],
                           timeout, self.workdir / "isql.log")

    def load(self, corpus: Path) -> float:
        """Start on a fresh database, bulk-load the corpus, checkpoint, stop: the load time."""
        shutil.rmtree(self.workdir / "db", ignore_errors=True)
        link = self.workdir / "corpus.nt"
        link.unlink(missing_ok=True)
        link.symlink_to(corpus.resolve())
        self.start()
        try:
            return self.isql(f"ld_dir('{self.workdir}', 'corpus.nt', '{BENCH_GRAPH}'); "
                             "rdf_loader_run(); checkpoint;", 3600)
        finally:
            self.stop()


SERVERS: dict[str, type[Server]] = {
    "oxigraph": Oxigraph, "ours": Ours, "ours-cached": OursCached, "ours-before": OursBefore,
    "rdflib-endpoint": RdflibEndpoint, "virtuoso": Virtuoso,
}
