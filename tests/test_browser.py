"""report.html in a real headless Chromium: it renders, shows the passages, runs nothing, logs nothing.

Chromium comes from the system packages (.ci/run installs it). Without a
chromium binary these tests skip, unless CI is set: then a missing browser
is a failure, so CI can never pass by skipping them.

Chromium is driven without new dependencies: from the command line
(``--dump-dom`` prints the DOM after the page loaded, ``--screenshot`` draws
it, ``--enable-logging=stderr`` prints every console message, blocked load
and Content-Security-Policy violation as a ``:CONSOLE`` line), and through
the DevTools protocol over ``--remote-debugging-pipe`` (JSON messages ending
in NUL on file descriptors 3 and 4, no websocket needed) to measure the
rendered layout and collect console calls, exceptions and log entries.
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from overlap.report.html import HtmlLimits, render_html_pages
from overlap.model import Match
from overlap.report.folder import write_scan
from reuse_scenario import GRAIN, HOSTILE, claim_clusters, scenario

pytestmark = pytest.mark.browser

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _chromium() -> str:
    for name in (os.environ.get("OVERLAP_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)  # type: ignore[return-value]
    if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
        pytest.fail("CI is set but no chromium binary was found (.ci/run installs the chromium package)")
    pytest.skip("no chromium binary found (apt-get install chromium, or run .ci/run)")


def _run(page: Path, *args: str) -> tuple[str, list[str]]:
    """Load ``page`` with the given action; return stdout and the console lines Chromium logged."""
    binary = _chromium()
    with tempfile.TemporaryDirectory(prefix="overlap-chromium-") as profile:
        proc = subprocess.run(
            [binary, *FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args,
             page.resolve().as_uri()],
            capture_output=True, text=True, timeout=120, env={**os.environ, "HOME": profile},
        )
    assert proc.returncode == 0, proc.stderr[-2000:]
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    return proc.stdout, console


@pytest.fixture(scope="module")
def report_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scan")
    with scenario() as result:
        result.claim_clusters = claim_clusters()  # type: ignore[attr-defined]
        write_scan(result, out)
    return out / "report.html"


@pytest.fixture(scope="module")
def paged_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scenario with every match repeated, on pages of 5 matches: report.html and its further pages."""
    out = tmp_path_factory.mktemp("paged")
    with scenario() as result:
        result.matches.extend(Match(m.kind, m.score, m.a, m.b, a_in_b=m.a_in_b, b_in_a=m.b_in_a)
                              for m in list(result.matches) for _ in range(3))
        for name, page in render_html_pages(result, limits=HtmlLimits(matches=5)).items():
            (out / name).write_text(page, encoding="utf-8")
    return out / "report.html"


def test_report_renders_passages_and_logs_no_errors(report_page: Path) -> None:
    dom, console = _run(report_page, "--dump-dom")
    assert console == []
    assert "<title>overlap scan report</title>" in dom  # an injected onerror would have changed it
    assert dom.count('<article class="match"') == 9
    assert "<mark>" in dom and GRAIN[:60] in dom
    assert "<img" not in dom and "<script" not in dom
    assert "&lt;script&gt;document.title=\"pwned\"&lt;/script&gt;" in dom  # the article's markup, shown as text
    assert "<svg" in dom and "<circle" in dom
    assert 'aria-label="When each outlet carried the claim"' in dom  # the claim's timeline


def test_console_check_sees_errors(tmp_path: Path) -> None:
    """Control: the console check above is able to fail."""
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><title>x</title><p>x</p><script>undefinedFunction()</script>")
    _, console = _run(page, "--dump-dom")
    assert any("undefinedFunction" in line for line in console)


def test_hostile_markup_would_be_blocked_even_unescaped(tmp_path: Path, report_page: Path) -> None:
    """Second line of defence: the page's Content-Security-Policy stops scripts if escaping ever failed."""
    head = report_page.read_text(encoding="utf-8").split("<body>")[0]
    page = tmp_path / "injected.html"
    page.write_text(head + "<body>" + HOSTILE + "</body></html>")
    dom, console = _run(page, "--dump-dom")
    assert "<title>overlap scan report</title>" in dom
    assert console and all("Content Security Policy" in line for line in console)


def test_screenshot(report_page: Path, tmp_path: Path) -> None:
    png = tmp_path / "report.png"
    _, console = _run(report_page, "--hide-scrollbars", "--window-size=1280,2200", f"--screenshot={png}")
    assert console == []
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000  # a blank page is a few kB


class DevTools:
    """A headless Chromium driven over ``--remote-debugging-pipe`` (fd 3: commands in, fd 4: replies out)."""

    def __init__(self, binary: str) -> None:
        self.profile = tempfile.TemporaryDirectory(prefix="overlap-chromium-")
        child_in, self._out = os.pipe()
        self._in, child_out = os.pipe()

        def give_fds() -> None:  # in the child: the pipe ends become fds 3 and 4, inheritable
            a = fcntl.fcntl(child_in, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(child_out, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={self.profile.name}", "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            close_fds=False, preexec_fn=give_fds, env={**os.environ, "HOME": self.profile.name},
        )
        os.close(child_in)
        os.close(child_out)
        self._buf = b""
        self._id = 0
        self.events: list[dict[str, Any]] = []
        self.session: str | None = None

    def _read(self, timeout: float) -> dict[str, Any]:
        end = time.monotonic() + timeout
        while b"\0" not in self._buf:
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError("no reply from Chromium")
            if select.select([self._in], [], [], left)[0]:
                chunk = os.read(self._in, 1 << 16)
                if not chunk:
                    raise EOFError("Chromium closed the DevTools pipe")
                self._buf += chunk
        message, self._buf = self._buf.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, params: dict[str, Any] | None = None, timeout: float = 60) -> dict[str, Any]:
        self._id += 1
        message: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if self.session and not method.startswith(("Target.", "Browser.")):
            message["sessionId"] = self.session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read(timeout)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 60) -> None:
        if any(e.get("method") == method for e in self.events):
            return
        while True:
            event = self._read(timeout)
            self.events.append(event)
            if event.get("method") == method:
                return

    def open(self, url: str, width: int = 1280) -> None:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Runtime", "Log", "Page"):
            self.send(f"{domain}.enable")
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False})
        self.send("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        """Run JavaScript from DevTools (the page's own policy forbids scripts; DevTools is not the page)."""
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")

    def problems(self) -> list[dict[str, Any]]:
        """Console calls, uncaught exceptions and browser log entries (CSP violations, failed loads)."""
        kinds = {"Runtime.consoleAPICalled", "Runtime.exceptionThrown", "Log.entryAdded"}
        return [e for e in self.events if e.get("method") in kinds]

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=10)
        except (OSError, EOFError, TimeoutError, RuntimeError):
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._in)
        os.close(self._out)
        self.profile.cleanup()


@pytest.fixture()
def devtools():
    browser = DevTools(_chromium())
    yield browser
    browser.close()


_SIDES = """JSON.stringify([...document.querySelectorAll('.pair')].map(p =>
    [...p.children].map(e => { const r = e.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; })))"""


def test_passages_render_side_by_side_and_nothing_complains(devtools: DevTools, report_page: Path) -> None:
    devtools.open(report_page.resolve().as_uri(), width=1280)
    assert devtools.evaluate("document.title") == "overlap scan report"
    pairs = json.loads(devtools.evaluate(_SIDES))
    assert len(pairs) == 9
    for (ax, ay, aw, ah), (bx, by, bw, bh) in pairs:
        assert ay == by and ax + aw <= bx and aw > 300 and bw > 300 and ah > 20 and bh > 20
    marks = devtools.evaluate("[...document.querySelectorAll('mark')].filter(m => m.getClientRects().length).length")
    assert marks >= 9
    assert devtools.evaluate("document.querySelectorAll('script, img, iframe').length") == 0
    assert devtools.evaluate("document.querySelector('svg').getBoundingClientRect().height") > 100
    timeline = json.loads(devtools.evaluate(
        "JSON.stringify((r => [r.width, r.height])(document.querySelector('#claim-1 svg').getBoundingClientRect()))"))
    assert timeline[0] > 600 and timeline[1] > 100
    lanes = devtools.evaluate("[...document.querySelectorAll('#claim-1 svg text')].map(t => t.childNodes[0].nodeValue)")
    assert "wire" in lanes and "undated" in lanes and any("<script>" in t for t in lanes)  # escaped: shown as text
    assert devtools.problems() == []


def test_narrow_window_stacks_the_passages(devtools: DevTools, report_page: Path) -> None:
    devtools.open(report_page.resolve().as_uri(), width=600)
    for (ax, ay, aw, ah), (bx, by, _, _) in json.loads(devtools.evaluate(_SIDES)):
        assert ax == bx and ay + ah <= by
    assert devtools.problems() == []


def test_next_page_opens_by_its_link_and_leads_back(devtools: DevTools, paged_report: Path) -> None:
    """Paged lists: the pager's link opens the second page, which renders its matches and links back."""
    devtools.open(paged_report.resolve().as_uri(), width=1280)
    summary = devtools.evaluate("document.querySelector('#reuse-list > summary').textContent")
    assert summary == "Shared passages: 16 passages: 5 here, the rest on 3 more pages"
    ids = "[...document.querySelectorAll('article.match')].map(a => a.id)"
    first_page = set(devtools.evaluate(ids))
    assert devtools.evaluate("document.querySelectorAll('#reuse-list article.match').length") == 5
    devtools.events.clear()
    devtools.evaluate("document.querySelector('#reuse-list a[rel=next]').click()")
    devtools.wait_for("Page.loadEventFired")
    assert devtools.evaluate("location.pathname").endswith("/report-reuse-2.html")
    assert devtools.evaluate("document.querySelector('h2').textContent") == "Shared passages: page 2 of 4"
    pairs = json.loads(devtools.evaluate(_SIDES))
    assert len(pairs) == 5 and all(a[1] == b[1] and a[0] + a[2] <= b[0] for a, b in pairs)  # side by side
    assert not first_page & set(devtools.evaluate(ids))  # other matches than page 1's
    back = devtools.evaluate("document.querySelector('a[rel=prev]').getAttribute('href')")
    assert back == "report.html#reuse"
    assert devtools.problems() == []


def test_devtools_check_sees_errors(devtools: DevTools, tmp_path: Path) -> None:
    """Control: the problems() check above is able to fail."""
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><title>x</title><script>console.error('boom'); undefinedFunction()</script>")
    devtools.open(page.as_uri())
    methods = {e["method"] for e in devtools.problems()}
    assert {"Runtime.consoleAPICalled", "Runtime.exceptionThrown"} <= methods
