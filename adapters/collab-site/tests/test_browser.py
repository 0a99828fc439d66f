"""Every page of a published site, opened in a real browser: Debian's Chromium, driven by
Playwright (it never downloads a browser of its own). Each page renders with no console error,
every link and asset it names resolves, and axe-core finds no WCAG 2.2 A or AA violation in it.
A screenshot of each page is kept under the test's temporary folder and its path printed.

Without a browser the tests skip, saying why; under CI (``CI=true``) they fail instead.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from collab_core.ports import Publication
from collab_site import SitePublisher

AXE = Path(__file__).parent / "axe" / "axe.min.js"
#: The WCAG 2.0, 2.1 and 2.2 success criteria at levels A and AA, as axe-core tags its rules.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def _chromium() -> str | None:
    """Debian's Chromium: ``COLLAB_CHROMIUM``, else ``chromium`` on the PATH."""
    return os.environ.get("COLLAB_CHROMIUM") or shutil.which("chromium")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"the browser tests must run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install 'collab-site[test]')")
    executable = _chromium()
    if executable is None:
        _unavailable("no Chromium found: apt-get install chromium, or set COLLAB_CHROMIUM")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=executable, headless=True)
        except Error as exc:
            _unavailable(f"Chromium at {executable} did not start: {exc.message.splitlines()[0]}")
        yield launched
        launched.close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def _served(folder: Path) -> Iterator[str]:
    """The folder over HTTP on loopback, as a web server would serve the site."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


_TARGETS = """() => [
  ...[...document.querySelectorAll('a[href]')].map(e => e.getAttribute('href')),
  ...[...document.querySelectorAll('link[href]')].map(e => e.getAttribute('href')),
  ...[...document.querySelectorAll('img[src], script[src]')].map(e => e.getAttribute('src')),
]"""
_IDS = "() => [...document.querySelectorAll('[id]')].map(e => e.id)"
_AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5),
  }));
}"""


def _check_page(
    browser: Any, base: str, page_path: str, shots: Path
) -> tuple[list[str], int, Path]:
    """Open one page; its problems, axe's violation count, and its screenshot."""
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.on(
        "response",
        lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
    )
    url = urljoin(base, page_path)
    response = page.goto(url, wait_until="load")
    if response is None or response.status != 200:
        problems.append(f"the page itself did not load ({response and response.status})")
    if not page.title().strip():
        problems.append("the page has no title")
    own_ids = set(page.evaluate(_IDS))
    for target in page.evaluate(_TARGETS):
        absolute, fragment = urldefrag(urljoin(url, target))
        if urlsplit(absolute).netloc != urlsplit(base).netloc:
            problems.append(f"a link leaves the site: {target}")
            continue
        if absolute == urldefrag(url)[0]:
            if fragment and fragment not in own_ids:
                problems.append(f"no element with id {fragment!r} for {target}")
            continue
        reply = context.request.get(absolute)
        if reply.status != 200:
            problems.append(f"{target} answers HTTP {reply.status}")
        elif fragment:
            problems.append(f"{target}: fragments are checked only within a page")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(_AXE_RUN, WCAG_TAGS)
    for violation in violations:
        problems.append(
            f"axe {violation['id']} ({violation['impact']}): {violation['help']} "
            f"at {violation['nodes']}"
        )
    shot = shots / (page_path.replace("/", "__").removesuffix(".html") + ".png")
    page.screenshot(path=str(shot), full_page=True)
    context.close()
    return problems, len(violations), shot


@pytest.mark.slow
def test_every_page_renders_cleanly_and_passes_axe_in_chromium(
    browser: Any, tmp_path: Path, public: list[Publication], board: list[Publication]
) -> None:
    report: dict[str, dict[str, Any]] = {}
    for audience, publications in (("public", public), ("board", board)):
        folder = tmp_path / audience
        site = SitePublisher(folder)
        for publication in publications:
            site.deliver(publication)
        shots = tmp_path / "screenshots" / audience
        shots.mkdir(parents=True)
        pages = sorted(str(p.relative_to(folder)) for p in folder.rglob("*.html"))
        assert "index.html" in pages
        with _served(folder) as base:
            for page_path in pages:
                problems, count, shot = _check_page(browser, base, page_path, shots)
                report[f"{audience}/{page_path}"] = {
                    "axe_violations": count,
                    "problems": problems,
                    "screenshot": str(shot),
                }
                print(f"{audience}/{page_path}: axe violations {count}; screenshot {shot}")  # noqa: T201
    (tmp_path / "browser-report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"report: {tmp_path / 'browser-report.json'}")  # noqa: T201
    failing = {page: r["problems"] for page, r in report.items() if r["problems"]}
    assert failing == {}, json.dumps(failing, indent=2)
    assert all(r["axe_violations"] == 0 for r in report.values())
    assert len(report) >= 2 * 10, "every kind of page was opened"


def test_the_checks_find_what_is_planted_in_a_bad_page(browser: Any, tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "index.html").write_text(
        "<!DOCTYPE html><html><head><title>Bad</title></head><body>"
        '<img src="missing.png"><a href="nowhere.html">Nowhere</a><a href="#gone">Gone</a>'
        "<script>console.error('broken')</script></body></html>",
        encoding="utf-8",
    )
    shots = tmp_path / "shots"
    shots.mkdir()
    with _served(folder) as base:
        problems, count, shot = _check_page(browser, base, "index.html", shots)
    text = "\n".join(problems)
    assert count >= 2
    assert "axe html-has-lang" in text
    assert "axe image-alt" in text
    assert "console error: broken" in text
    assert "nowhere.html answers HTTP 404" in text
    assert "no element with id 'gone'" in text
    assert shot.is_file()
