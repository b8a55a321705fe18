"""axe-core in the browser tests: the WCAG 2 A and AA audit of a page, and a crawler that walks every page a
logged-in user can reach by following links.

axe-core is a test-only npm package, pinned in ``package.json`` / ``package-lock.json`` at the repository root and
installed with ``npm ci`` (``.ci/run`` does this before ``make test``).  Where ``node_modules`` is absent the
tests that need it are skipped with the reason; under ``CI=true`` they fail instead.  Nothing here is served: the
script is injected by Playwright into a browser context made with ``bypass_csp=True``, so the
Content-Security-Policy that production sends stays as it is.
"""

from __future__ import annotations

import os
import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest

from tests.browser.conftest import REPO_ROOT

AXE_JS = Path(os.environ.get("AXE_JS", REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"))

# The rule set the audit enforces: axe-core's rules tagged WCAG 2.0 level A and level AA.
WCAG_TAGS = ("wcag2a", "wcag2aa")

# Both colour schemes: the admin follows the browser's (Django's dark_mode.css, ``data-theme="auto"``).
THEMES = ("light", "dark")

# Links the crawler never follows: logging out ends the session being audited; deleting is not a page to
# audit by accident; static and media files and the admin's "view on site" redirects are not pages; popups
# are the admin's raw-id pickers, the same changelists again.
SKIP_LINK = re.compile(r"/logout/|/delete/|^/static/|^/media/|^/admin/r/|[?&]_popup=|^/api/schema/")

_RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html, summary: n.failureSummary})),
  }));
}"""


# Resolves when the CSS transitions running now have ended (at most 2 s); infinite animations are not waited for.
_TRANSITIONS_DONE = """() => Promise.race([
  Promise.all(document.getAnimations().filter(a => a instanceof CSSTransition).map(a => a.finished.catch(() => null))),
  new Promise(resolve => setTimeout(resolve, 2000)),
])"""


@cache
def _axe_source_text() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def axe_source() -> str:
    """The text of ``axe.min.js``.  Skips the calling test where it is not installed (``npm ci``); fails under
    ``CI=true``, where ``.ci/run`` must have installed it."""
    if not AXE_JS.is_file():
        reason = f"axe-core is not installed ({AXE_JS} is missing): run `npm ci` at the repository root"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    return _axe_source_text()


def axe_violations(page, *, where: str) -> list[str]:
    """Run axe-core's WCAG 2 A/AA rules on the page as it is now and return one message per failing element:
    ``"<where> <url>: <rule> (<impact>) <help> — <CSS selector> <html> — <what is wrong>"``; empty when the
    page passes.  Injects axe-core first if the page does not have it (the context must bypass CSP)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    messages = []
    for v in page.evaluate(_RUN_AXE, list(WCAG_TAGS)):
        for node in v["nodes"]:
            html = re.sub(r"\s+", " ", node["html"])[:160]
            summary = re.sub(r"\s+", " ", node["summary"] or "")[:300]
            messages.append(
                f"{where} {page.url}: {v['id']} ({v['impact']}) {v['help']} — {node['target']} {html} — {summary}"
            )
    return messages


def audit_themes(page, *, where: str) -> list[str]:
    """``axe_violations`` in each of ``THEMES`` (the browser's colour scheme), the page left in light."""
    found = []
    for theme in THEMES:
        page.emulate_media(color_scheme=theme)
        # The admin's links fade between colours (a CSS transition): audit the colours they end on.
        page.evaluate(_TRANSITIONS_DONE)
        found += axe_violations(page, where=f"{where} [{theme}]")
    page.emulate_media(color_scheme="light")
    return found


def page_key(url: str) -> str:
    """What makes two URLs "the same page" for the crawler: the path with every number replaced by ``N``
    (``/admin/recruiting/candidate/7/change/`` and ``…/8/change/`` are one page), query string ignored."""
    return re.sub(r"\d+", "N", urlsplit(url).path)


@dataclass
class Crawl:
    """What ``crawl`` saw: ``audited`` URLs (one per page key, plus every seed), ``skipped`` URLs with why
    (not 200 or not HTML), and ``violations`` (messages from ``axe_violations``)."""

    audited: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)


def crawl(page, base: str, seeds: Iterable[str], *, who: str, limit: int = 150) -> Crawl:
    """Visit every seed (paths under ``base``), then breadth-first every same-origin link found on the pages,
    one URL per ``page_key``, and audit each HTML page that answers 200 in both themes.  Seeds are always
    visited, whatever their key.  Links matching ``SKIP_LINK`` are not followed.  At most ``limit`` pages;
    raises ``AssertionError`` when there are more (raise the limit or narrow the keys, rather than audit a
    random part of the site)."""
    origin = urlsplit(base).netloc
    seeds = [base + s for s in seeds]
    queue = deque(seeds)
    seen_urls = set(seeds)
    seen_keys = {page_key(s) for s in seeds}
    result = Crawl()
    while queue:
        url = queue.popleft()
        # Ask first, as a browser would for a page: a download or a JSON answer is not a page to audit.
        answer = page.request.get(url, headers={"Accept": "text/html"}, max_redirects=0, timeout=30_000)
        kind = answer.headers.get("content-type", "")
        if answer.status != 200 or not kind.startswith("text/html"):
            result.skipped[url] = f"{answer.status} {kind}"
            continue
        assert len(result.audited) < limit, f"{who}: more than {limit} pages to audit: {result.audited}"
        page.goto(url)
        page.wait_for_load_state("load")
        if urlsplit(page.url).path.startswith("/api/docs/"):
            page.wait_for_selector(".swagger-ui .info", timeout=15_000)  # Swagger UI renders after load
        result.audited.append(url)
        result.violations += audit_themes(page, where=who)
        links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        for link in links:
            link = urldefrag(link)[0]
            parts = urlsplit(link)
            if parts.netloc != origin or parts.scheme not in ("http", "https"):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if SKIP_LINK.search(target) or link in seen_urls or page_key(link) in seen_keys:
                continue
            seen_urls.add(link)
            seen_keys.add(page_key(link))
            queue.append(link)
    return result
