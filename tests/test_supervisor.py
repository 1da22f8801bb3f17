"""The served stack's processes: a supervisor that always respawns and holds the socket, clean stops, honest logs.

Real servers on 127.0.0.1 (``spine-evidence serve``), real signals, real
worker deaths (a worker is sent SIGSEGV or SIGKILL from outside, as a crash
or the kernel's OOM killer would end it). Times are printed, never asserted:
waits are bounded only as hang guards.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time

import psutil
import pytest
import requests

SMALL = "SELECT ?p WHERE { ?s ?p ?o } LIMIT 5"
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
STOP_WAIT_SECONDS = 30  # a hang guard: a stop measured at ~0.6 s here
BAD_STOP_LINES = ("refused to gracefully stop", "SIGSEGV", "Traceback", "Unexpected exit", "crash loop")


def small_query_status(url: str, timeout: float = 30) -> int:
    response = requests.get(url, params={"query": SMALL}, headers={"Accept": "application/json"}, timeout=timeout)
    return response.status_code


def workers(supervisor_pid: int) -> list[psutil.Process]:
    """The supervisor's worker processes now."""
    return psutil.Process(supervisor_pid).children()


def wait_for_new_workers(supervisor_pid: int, old: set[int], count: int, seconds: float = 20) -> set[int]:
    """PIDs of ``count`` workers, none of them in ``old``, once they exist."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        pids = {p.pid for p in workers(supervisor_pid)}
        if len(pids) >= count and not pids & old:
            return pids
        time.sleep(0.05)
    raise AssertionError(f"no {count} new workers after {seconds} s (have {pids}, old {old})")


def still_running(pids: set[int], grace: float = 10) -> list[int]:
    """Those of ``pids`` still running after ``grace`` seconds at the most (a hang guard, not a measure)."""
    processes = []
    for pid in pids:
        try:
            processes.append(psutil.Process(pid))
        except psutil.NoSuchProcess:
            continue
    _, alive = psutil.wait_procs(processes, timeout=grace)
    left = []
    for process in alive:
        with contextlib.suppress(psutil.NoSuchProcess):  # ended meanwhile
            if process.status() != psutil.STATUS_ZOMBIE:
                left.append(process.pid)
    return left


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_stop_is_clean_and_leaves_no_worker(endpoint_factory, store_dir, wsgi_server, how):
    with endpoint_factory("--workers", "2", "--server", wsgi_server, store=store_dir) as running:
        for _ in range(20):
            assert small_query_status(running.url) == 200
        pids = running.worker_pids()
        started = time.monotonic()
        if how == "ctrl-c":  # a terminal's Ctrl-C: SIGINT to the whole foreground process group
            os.killpg(running.process.pid, signal.SIGINT)
        else:  # kill, systemd, docker stop: SIGTERM to the main process
            running.process.send_signal(signal.SIGTERM)
        code = running.process.wait(STOP_WAIT_SECONDS)
        seconds = time.monotonic() - started
        log = running.output()
    print(f"\n{wsgi_server} stopped by {how} in {seconds:.2f} s with exit code {code}")
    assert code == 0, log
    assert len(pids) == 2 and not still_running(pids), log
    for line in BAD_STOP_LINES:
        assert line not in log, log


def test_crashing_workers_are_always_respawned(endpoint_factory, store_dir):
    with endpoint_factory("--workers", "2", store=store_dir) as running:
        pid = running.process.pid
        current = {p.pid for p in workers(pid)}
        for _ in range(4):  # 8 deaths, each worker dying again soon after its respawn: granian's "crash loop"
            for worker in current:
                os.kill(worker, signal.SIGSEGV)
            current = wait_for_new_workers(pid, current, 2)
        statuses = [small_query_status(running.url) for _ in range(20)]
        assert running.process.poll() is None, running.output()
        log = running.output()
    assert statuses == [200] * 20
    assert "crash loop" not in log
    assert log.count("crashed (SIGSEGV); starting a new one") == 8, log


def test_connections_wait_in_the_backlog_while_no_worker_runs(endpoint_factory, store_dir):
    with endpoint_factory("--workers", "1", store=store_dir) as running:
        pid = running.process.pid
        listening = [c for c in psutil.Process(pid).net_connections("tcp")
                     if c.status == psutil.CONN_LISTEN and c.laddr.port == running.port]
        assert listening, "the supervisor itself does not hold the listening socket"
        (worker,) = workers(pid)
        worker.kill()
        started = time.monotonic()
        status = small_query_status(running.url)  # sent while the only worker is dead or being replaced
        seconds = time.monotonic() - started
        log = running.output()
    print(f"\nanswered {status} after {seconds:.2f} s with no worker running at the time it connected")
    assert status == 200
    assert "was ended (SIGKILL); starting a new one" in log, log


def test_a_retirement_is_logged_as_a_warning_not_an_error(endpoint_factory, store_dir):
    with endpoint_factory("--workers", "2", "--timeout", "1", store=store_dir) as running:
        slow = requests.get(running.url, params={"query": CROSS_PRODUCT}, timeout=30)
        assert slow.status_code == 503, slow.text
        until = time.monotonic() + 20
        while "retired itself" not in running.output() and time.monotonic() < until:
            time.sleep(0.1)
        assert small_query_status(running.url) == 200
        log = running.output()
    assert "[WARNING] worker-" in log and "retired itself (a runaway query" in log
    assert "[ERROR]" not in log and "Unexpected exit" not in log, log
