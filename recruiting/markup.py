"""Vacancy descriptions as safe HTML: the one place text written by employers or imports becomes markup.

Descriptions are Markdown or plain text (imports).  ``render_description`` parses them with markdown-it-py
(CommonMark plus tables and strikethrough; in plain text a single line break is kept as a break, in Markdown —
``looks_like_markdown`` — it joins the wrapped lines of a paragraph)
with raw HTML *off*, then cleans the result with the nh3 sanitiser against an allow-list, so nothing executable
survives whatever the text holds: no ``<script>``, ``<iframe>``, ``<style>`` or ``<object>``, no event attributes
(``onclick``, ``onerror`` …), no ``style`` attribute, and links only to ``http``, ``https`` and ``mailto`` URLs
(a ``javascript:`` or ``data:`` link loses its ``href``), each with ``rel="nofollow noopener noreferrer"``.
Images are not allowed (an employer's text must not make a candidate's browser fetch third-party URLs).

Every page, export and API field that shows a description as HTML goes through this module: the portal's
vacancy page, the workspace's vacancy page (``VacancyAdmin.description_preview``) and the API's
``description_html``.  The plain ``description`` field of the API stays the text as written.
"""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "strong",
        "em",
        "b",
        "i",
        "s",
        "del",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener noreferrer"
#: Descriptions longer than this are cut before rendering (the import limit is far above any real job text).
MAX_CHARS = 100_000


# Lines of Markdown block syntax: headings, list items, quotes, table rows.
_MARKDOWN_BLOCK = re.compile(r"^(?:#{1,6}\s|[-*+]\s|\d{1,3}[.)]\s|>\s?|\|)", re.MULTILINE)


@lru_cache(maxsize=2)
def _parser(breaks: bool) -> MarkdownIt:
    # "html": False — raw HTML in the text is shown as text, never passed through; the sanitiser is the second wall.
    return MarkdownIt("commonmark", {"html": False, "breaks": breaks, "linkify": False}).enable(
        ["table", "strikethrough"]
    )


def looks_like_markdown(text: str) -> bool:
    """Whether ``text`` is written in Markdown (two or more lines of block syntax: headings, lists, quotes,
    tables).  Markdown wraps its paragraphs, so a line break there is a space; in plain text from imports a line
    break is a line break."""
    return len(_MARKDOWN_BLOCK.findall(text)) >= 2


def sanitise_html(html: str) -> str:
    """``html`` cleaned to ``ALLOWED_TAGS`` / ``ALLOWED_ATTRIBUTES`` / ``URL_SCHEMES`` (nh3); the content of
    ``script`` and ``style`` elements is dropped with them."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        clean_content_tags={"script", "style"},
        strip_comments=True,
    )


def render_description(text: str | None) -> SafeString:
    """A vacancy description (Markdown or plain text) as sanitised HTML, safe to put in a page as it is.

    Empty or ``None`` gives "".  Raises nothing for odd input: any text renders to something readable.
    """
    if not text:
        return mark_safe("")
    text = str(text)[:MAX_CHARS]
    html = _parser(not looks_like_markdown(text)).render(text)
    return mark_safe(sanitise_html(html))  # sanitised by nh3 just above
