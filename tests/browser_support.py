"""Browser plumbing for the page tests: headless Chromium, a guarded visit, and the page checks.

Debian's Chromium (``apt-get install chromium``) is driven by the ``playwright``
package from PyPI with ``executable_path``; no browser is downloaded.
``tests/conftest.py`` loads this module as a plugin (``pytest_plugins``), so its
fixtures reach every test module; a module imports only the function::

    from browser_support import check_page

(Importing the fixtures as well, ``from browser_support import browser, visit, check_page
# noqa: F401``, also works, but ruff then reports F811 at every test taking them.)

- ``browser``: headless Chromium for the module (skipped when Chromium or Playwright is absent).
- ``visit``: a :class:`Visit`, a fresh context and page at 1280×900 that records every request,
  aborts any request to a host other than 127.0.0.1 before it leaves, and collects console errors;
  when the test ends, every HTML page it navigated to that ``check_page`` did not check is opened
  again and checked by Nu and axe (:func:`check_every_page_visited`), so a page reached by a link
  is checked too.
- :func:`check_page` ``(visit, name)``: :meth:`Visit.check_clean`; nothing overflows a 390 px phone
  viewport sideways (:func:`horizontal_overflow`); the Nu HTML Checker reports no error on the
  HTML the server sent; axe-core reports no serious or critical violation; and full-page
  screenshots ``name.png`` (1280 px) and ``name-phone.png`` (390 px) go to the test artefacts folder:
  ``$SPINE_EVIDENCE_TEST_ARTEFACTS``, else ``<pytest basetemp>/artefacts`` (outside the clone),
  printed at the end of the session.

The checkers are npm packages in the Node package cache outside the clone
(``spine_evidence.node_packages``: ``vnu`` and ``axe``), installed on first use;
the checks skip with the install command when Java or npm is absent. The Nu HTML
Checker runs once per session as its own HTTP service (``nu.validator.servlet.Main``
on a free 127.0.0.1 port, started when the first visit opens, stopped by its
PID at the end, and sent SIGTERM by Linux if pytest itself is killed): its JVM
took 11-23 s to start and then answered in 0.03-0.2 s a page, where
``java -jar vnu.jar`` costs 1.2 s a page on an idle 2-core machine and 11-13 s
under load.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
import requests

from spine_evidence import node_packages, processes

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_INSTALL = "apt-get install chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
WAIT_MS = 15_000
SCREENSHOT_MS = 90_000  # a full-page screenshot of a long page (the ontology's) on a busy machine
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
ARTEFACTS_VARIABLE = "SPINE_EVIDENCE_TEST_ARTEFACTS"
NU_START_SECONDS = 180
PR_SET_PDEATHSIG = 1  # prctl(2)
NU_CHECK_SECONDS = 60
AXE_IMPACTS = ("serious", "critical")
PAGE_CHECKS_INSTALL = ("apt-get install openjdk-17-jre-headless nodejs npm;"
                       " python -m spine_evidence.node_packages vnu axe")

AXE_RUN = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" "))}));
}"""


def require_chromium() -> None:
    """Skip when Debian's Chromium is absent."""
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is absent ({CHROMIUM_INSTALL})")


@dataclass
class Visit:
    """A browser context on the endpoint: its page, every request URL, requests aimed elsewhere, errors.

    ``documents`` holds the main frame's navigation responses (the HTML the server sent), last one last.
    """

    page: Any
    requests: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    documents: list[Any] = field(default_factory=list)
    checkers: PageCheckers | None = None
    checked: set[str] = field(default_factory=set)

    def check_clean(self) -> None:
        """Every request went to 127.0.0.1 and the page logged no error."""
        assert self.requests, "the browser made no request at all"
        assert not self.outside, f"requests to other hosts: {self.outside}"
        assert all(urlsplit(url).hostname == "127.0.0.1" for url in self.requests if not url.startswith("data:"))
        assert not self.errors, f"console errors: {self.errors}"

    def html(self) -> str:
        """The HTML the server sent for the page now shown (else the live DOM, for a page set by script)."""
        shown = [r for r in self.documents if urldefrag(r.url).url == urldefrag(self.page.url).url]
        if shown:
            try:
                return str(shown[-1].text())
            except Exception:  # playwright's Error: the browser no longer holds the body
                pass
        return str(self.page.content())


def die_with_parent() -> None:
    """In the child before exec: ask Linux to send SIGTERM when pytest exits, even killed (``PR_SET_PDEATHSIG``)."""
    if sys.platform == "linux":
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class NuChecker:
    """The Nu HTML Checker as an HTTP service on 127.0.0.1, started in the background, stopped by its PID."""

    def __init__(self, java: str, jar: Path, log: Path) -> None:
        self.port = processes.free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = log
        command = [java, "-Dnu.validator.servlet.bind-address=127.0.0.1", "-cp", str(jar),
                   "nu.validator.servlet.Main", str(self.port)]
        with open(log, "ab") as sink:  # as processes.spawn_in_session, and gone with pytest if pytest is killed
            self.process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True, cwd=log.parent, preexec_fn=die_with_parent)
        self.started = time.monotonic()
        self.ready_seconds: float | None = None
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Block until the service answers (once); fail with its last log line if it exits or stalls."""
        with self._lock:
            started = time.monotonic()
            while self.ready_seconds is None:
                if self.process.poll() is not None:
                    pytest.fail(f"the Nu HTML Checker exited: {processes.last_line(self.log)}", pytrace=False)
                if time.monotonic() - started > NU_START_SECONDS:
                    pytest.fail(f"the Nu HTML Checker did not answer within {NU_START_SECONDS} s", pytrace=False)
                try:
                    requests.get(self.url, timeout=5).raise_for_status()
                    self.ready_seconds = time.monotonic() - self.started
                except requests.RequestException:
                    time.sleep(0.1)

    def errors(self, html: str) -> list[str]:
        """The checker's errors on ``html``, one line each (``line:column: message``)."""
        self.wait()
        response = requests.post(self.url, params={"out": "json"}, data=html.encode("utf-8"),
                                 headers={"Content-Type": "text/html; charset=utf-8"}, timeout=NU_CHECK_SECONDS)
        response.raise_for_status()
        messages = response.json()["messages"]
        return [f"{m.get('lastLine', '?')}:{m.get('firstColumn', m.get('lastColumn', '?'))}: {m['message']}"
                for m in messages if m["type"] in ("error", "non-document-error")]

    def stop(self) -> None:
        """Stop the service's process group."""
        processes.stop_group(self.process)


@dataclass
class PageCheckers:
    """What :func:`check_page` needs: the artefacts folder, and the checkers or why they are unavailable."""

    artefacts: Path
    nu: NuChecker | None = None
    axe_script: Path | None = None
    unavailable: str | None = None
    written: list[Path] = field(default_factory=list)


class ArtefactsSummary:
    """A pytest plugin object that prints the artefacts folder at the end of the session."""

    def __init__(self, checkers: PageCheckers) -> None:
        self.checkers = checkers

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """How many screenshots were written, and where; how long the Nu service took to start."""
        if self.checkers.written:
            terminalreporter.write_line(
                f"page screenshots: {len(self.checkers.written)} in {self.checkers.artefacts}")
        nu = self.checkers.nu
        if nu is not None and nu.ready_seconds is not None:
            terminalreporter.write_line(f"Nu HTML Checker: answered {nu.ready_seconds:.1f} s after its start")


def artefacts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``$SPINE_EVIDENCE_TEST_ARTEFACTS``, else ``<pytest basetemp>/artefacts``; created."""
    chosen = os.environ.get(ARTEFACTS_VARIABLE)
    folder = Path(chosen) if chosen else tmp_path_factory.getbasetemp() / "artefacts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def start_checkers(checkers: PageCheckers, log: Path) -> None:
    """Install the checkers when missing and start the Nu service; record why not when Java or npm is absent."""
    from spine_evidence.reasoning import ReasonerError, find_java

    try:
        java = find_java()
    except ReasonerError:
        checkers.unavailable = f"Java is not installed: the Nu HTML Checker needs it ({PAGE_CHECKS_INSTALL})"
        return
    jar, script = node_packages.vnu_jar(), node_packages.axe_script()
    if not (jar.is_file() and script.is_file()):
        if shutil.which("npm") is None or shutil.which("node") is None:
            checkers.unavailable = f"node/npm are not installed, needed for the page checkers ({PAGE_CHECKS_INSTALL})"
            return
        try:
            jar, script = node_packages.install_vnu(), node_packages.install_axe()
        except node_packages.NodePackageError as error:
            pytest.fail(f"cannot install the page checkers into {node_packages.node_dir()}: {error}", pytrace=False)
    checkers.nu, checkers.axe_script = NuChecker(java, jar, log), script


_SESSION: list[PageCheckers] = []  # the one set of checkers of this pytest run


@pytest.fixture(scope="session")
def page_checkers(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> PageCheckers:
    """The session's artefacts folder and page checkers (the Nu service starts now, in the background).

    One per pytest run even when a test module re-binds this fixture under its own name (its own
    fixture definition): the service is stopped by its PID when the session ends.
    """
    require_chromium()
    if not _SESSION:
        checkers = PageCheckers(artefacts_dir(tmp_path_factory))
        request.config.pluginmanager.register(ArtefactsSummary(checkers))
        start_checkers(checkers, tmp_path_factory.mktemp("vnu") / "vnu.log")
        if checkers.nu is not None:
            request.config.add_cleanup(checkers.nu.stop)
        _SESSION.append(checkers)
    return _SESSION[0]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium, for the whole module."""
    require_chromium()
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def visit(browser: Any, page_checkers: PageCheckers) -> Iterator[Visit]:
    """A fresh browser context that records every request and keeps the browser on 127.0.0.1."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    record = Visit(page, checkers=page_checkers)

    def guard(route: Any) -> None:
        url = route.request.url
        record.requests.append(url)
        if urlsplit(url).hostname != "127.0.0.1" and not url.startswith("data:"):
            record.outside.append(url)
            route.abort()
        else:
            route.continue_()

    def document(response: Any) -> None:
        if response.request.is_navigation_request() and response.frame == page.main_frame:
            record.documents.append(response)

    context.route("**/*", guard)
    def console(message: Any) -> None:
        if message.type == "error":
            record.errors.append(message.text)

    context.on("console", console)
    context.on("weberror", lambda error: record.errors.append(str(error.error)))
    page.on("response", document)
    page.set_default_timeout(WAIT_MS)
    yield record
    try:
        unchecked = check_every_page_visited(record, context)
    finally:
        context.close()
    assert not unchecked, "pages visited that fail the page checks:\n" + "\n".join(unchecked)


def visited_html_pages(visit: Visit) -> list[str]:
    """The URLs (without fragment) of every HTML page this visit navigated to with 200, in order, once each."""
    found: dict[str, None] = {}
    for response in visit.documents:
        kind = (response.headers.get("content-type") or "").split(";", 1)[0].strip()
        if response.status == 200 and kind == "text/html":
            found.setdefault(urldefrag(response.url).url, None)
    return list(found)


def check_every_page_visited(visit: Visit, context: Any) -> list[str]:
    """Nu and axe on every HTML page the test navigated to that :func:`check_page` did not check; the failures.

    So "no error on every page the tests visit" holds for pages reached by following links too:
    each is opened again in a fresh page of the same context and checked (no screenshot).
    """
    checkers = visit.checkers
    if checkers is None or checkers.unavailable or checkers.nu is None or checkers.axe_script is None:
        return []
    failures: list[str] = []
    for url in visited_html_pages(visit):
        if url in visit.checked:
            continue
        page = context.new_page()
        try:
            response = page.goto(url, wait_until="load")
            html = str(response.text()) if response is not None else str(page.content())
            errors = checkers.nu.errors(html)
            violations = axe_violations(page, checkers.axe_script)
        finally:
            page.close()
        failures += [f"{url}: Nu: {error}" for error in errors]
        failures += [f"{url}: axe: {v['id']} ({v['impact']}) {v['nodes']}" for v in violations]
    return failures


def axe_violations(page: Any, script: Path) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page's live DOM.

    The same engine as ``@axe-core/playwright``: its ``AxeBuilder.analyze()`` injects the
    ``axe-core`` package it depends on (``axe.source``, the code of ``axe.min.js``) into the
    page and runs it (``axe.runPartial`` + ``axe.finishRun``, which is ``axe.run`` split across
    frames; our pages have no frames). Here ``axe.min.js`` from that same installed
    ``axe-core`` is added with ``page.add_script_tag`` (inline: no request) and ``axe.run`` is
    called with axe's default rules, as ``AxeBuilder`` does without ``withTags``.
    """
    page.add_script_tag(path=str(script))
    found: list[dict[str, Any]] = page.evaluate(AXE_RUN)
    return [v for v in found if v["impact"] in AXE_IMPACTS]


WIDER_THAN_VIEWPORT = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width && document.body.scrollWidth <= width) return [];
  const wide = [...document.body.querySelectorAll("*")].filter((e) => e.getBoundingClientRect().right > width + 1);
  const outermost = wide.filter((e) => !wide.includes(e.parentElement));
  return outermost.slice(0, 5).map((e) => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}`
    + `${e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\\s+/).join(".") : ""}`
    + ` (right edge ${Math.round(e.getBoundingClientRect().right)} px)`);
}"""


def horizontal_overflow(page: Any) -> list[str]:
    """The outermost elements that make the page wider than its viewport (none when it fits)."""
    found: list[str] = page.evaluate(WIDER_THAN_VIEWPORT)
    return found


def screenshots(visit: Visit, name: str, checkers: PageCheckers) -> list[str]:
    """Full-page screenshots at desktop width (``name.png``) and phone width (``name-phone.png``).

    Returns what overflows the 390 px phone viewport horizontally (:func:`horizontal_overflow`).
    """
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-")
    page = visit.page
    size = page.viewport_size or DESKTOP
    overflow: list[str] = []
    for suffix, viewport in (("", size), ("-phone", PHONE)):
        page.set_viewport_size(viewport)
        if viewport == PHONE:
            overflow = horizontal_overflow(page)
        path = checkers.artefacts / f"{safe}{suffix}.png"
        page.screenshot(path=str(path), full_page=True, timeout=SCREENSHOT_MS)
        checkers.written.append(path)
    page.set_viewport_size(size)
    return overflow


def tab_until(page: Any, tag: str, presses: int = 40) -> None:
    """Press Tab until a ``tag`` element (upper case: ``SUMMARY``) has the focus; fail after ``presses``."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.tagName") == tag:
            return
    pytest.fail(f"no {tag} element took the focus within {presses} presses of Tab")


def check_page(visit: Visit, name: str) -> None:
    """The page is clean, fits a phone, is valid HTML (Nu), has no serious/critical axe violation.

    ``name`` names the screenshots (``name.png``, ``name-phone.png``) in the artefacts folder;
    make it unique per page visited. At 390 px nothing may make the page scroll sideways (wide
    tables go in a scrolling wrapper, ``.table-scroll``). Skips with the install command when Java
    or npm is absent (after the clean check, the phone check and the screenshots).
    """
    visit.check_clean()
    checkers = visit.checkers
    assert checkers is not None, "check_page needs a Visit from the visit fixture"
    overflow = screenshots(visit, name, checkers)
    assert not overflow, f"{visit.page.url} is wider than a 390 px phone: {overflow}"
    if checkers.unavailable or checkers.nu is None or checkers.axe_script is None:
        pytest.skip(checkers.unavailable or "the page checkers are unavailable")
    errors = checkers.nu.errors(visit.html())
    assert not errors, f"Nu HTML Checker errors on {visit.page.url}:\n" + "\n".join(errors)
    violations = axe_violations(visit.page, checkers.axe_script)
    assert not violations, f"axe-core on {visit.page.url}:\n" + json.dumps(violations, indent=1)
    visit.check_clean()
    visit.checked.add(urldefrag(visit.page.url).url)
