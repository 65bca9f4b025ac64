"""report.html in a real headless Chromium: it renders, shows the passages, runs nothing, logs nothing.

Chromium comes from the system packages (.ci/run installs it). Without a
chromium binary these tests skip, unless CI is set: then a missing browser
is a failure, so CI can never pass by skipping them.

Chromium is driven from the command line only (no new dependencies):
``--dump-dom`` prints the DOM after the page loaded, ``--screenshot`` draws
it, and ``--enable-logging=stderr`` prints every console message (errors,
blocked loads, Content-Security-Policy violations) as a ``:CONSOLE`` line.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from overlap.report import write_scan
from reuse_scenario import GRAIN, HOSTILE, scenario

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
        write_scan(result, out)
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
