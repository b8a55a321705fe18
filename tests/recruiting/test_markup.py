"""Vacancy descriptions rendered as Markdown and sanitised (recruiting.markup): formatting shows, nothing executable
survives — in the function itself and in every page and API field that shows a description as HTML."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from recruiting.markup import render_description, sanitise_html
from recruiting.services import vacancy_upsert
from tests.factories import RecruiterFactory

MARKDOWN = """# Senior ML engineer

We build **recommendation** models with *PyTorch*.

## What you will do
- Train models
- Ship them to [production](https://example.com/jobs)

| Skill | Level |
|---|---|
| Python | expert |
"""

HOSTILE = [
    "<script>alert(1)</script>",
    '<iframe src="https://evil.example"></iframe>',
    '<img src=x onerror="alert(2)">',
    "<svg onload=alert(4)>",
    '<a href="javascript:alert(3)">click</a>',
    "[click](javascript:alert(5))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCg2KTwvc2NyaXB0Pg==)",
    '<div onclick="alert(7)" style="background:url(javascript:alert(8))">x</div>',
    '<object data="x.swf"></object><embed src="x"><form action="https://evil.example"><input></form>',
    "<style>body{display:none}</style><link rel=stylesheet href=https://evil.example/x.css>",
    "[JaVaScRiPt](  JaVaScRiPt:alert(9))",
    "![img](https://evil.example/track.png)",
]
SAFE_TAGS = {
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


class _Elements(HTMLParser):
    """Every element and attribute of an HTML fragment, as a browser's parser sees them (text is not markup)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in SAFE_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on") or name in ("style", "src", "srcdoc", "action", "formaction"):
                self.found.append(f"{tag}[{name}]")
            if name == "href" and not value.startswith(("http://", "https://", "mailto:")):
                self.found.append(f"{tag}[href={value}]")


def executable(html: str) -> list[str]:
    """The elements and attributes of ``html`` that could run script or load something: [] when safe."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.found


def test_markdown_formatting_is_rendered():
    html = render_description(MARKDOWN)
    assert "<h1>Senior ML engineer</h1>" in html
    assert "<strong>recommendation</strong>" in html and "<em>PyTorch</em>" in html
    assert "<li>Train models</li>" in html
    assert '<a href="https://example.com/jobs" rel="nofollow noopener noreferrer">production</a>' in html
    assert "<table>" in html and "<td>Python</td>" in html


def test_wrapped_markdown_paragraphs_are_joined():
    html = render_description("# Title\n\nWe build models\nfor books.\n\n- one\n- two")
    assert "<p>We build models\nfor books.</p>" in html and "<br>" not in html


def test_plain_text_from_imports_keeps_its_lines():
    html = render_description("Machine learning engineer\nLondon, hybrid\n\nWe need Python.")
    assert "Machine learning engineer<br>\nLondon, hybrid" in html
    assert "<p>We need Python.</p>" in html


@pytest.mark.parametrize("hostile", HOSTILE)
def test_nothing_executable_survives_rendering(hostile):
    html = render_description(f"Intro\n\n{hostile}\n\nOutro")
    assert executable(html) == [], html
    assert "Intro" in html and "Outro" in html


@pytest.mark.parametrize("hostile", HOSTILE)
def test_the_sanitiser_alone_removes_executable_html(hostile):
    # The second wall: even HTML that did not come from the Markdown parser is cleaned.
    assert executable(sanitise_html(hostile)) == []


def test_the_check_itself_finds_executable_markup():
    assert executable('<p onclick="x">a</p><script>b</script><a href="javascript:c">d</a>') == [
        "p[onclick]",
        "<script>",
        "a[href=javascript:c]",
    ]
    assert executable("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>") == []


def test_empty_descriptions_render_empty():
    assert render_description("") == "" and render_description(None) == ""


@pytest.mark.django_db
def test_every_page_and_api_field_showing_a_description_renders_it_safely():
    description = MARKDOWN + "\n\n" + "\n\n".join(HOSTILE)
    vacancy, _ = vacancy_upsert(
        source="import", reference="MD-1", title="Senior ML engineer", description=description
    )
    portal = Client().get(reverse("portal:vacancy_detail", args=[vacancy.pk])).content.decode()
    workspace_client = Client()
    workspace_client.force_login(RecruiterFactory())
    workspace = workspace_client.get(
        reverse("admin:recruiting_vacancy_change", args=[vacancy.pk])
    ).content.decode()
    api = Client().get(f"/api/v1/vacancies/{vacancy.pk}/").json()
    api_list = Client().get("/api/v1/vacancies/").json()
    assert api["description"] == vacancy.description  # the text as written, a JSON string
    for where, html in (
        ("portal", portal),
        ("workspace", _description_preview(workspace)),
        ("api", api["description_html"]),
        ("api list", api_list["results"][0]["description_html"]),
    ):
        assert "<strong>recommendation</strong>" in html, where
        assert executable(_prose(html) if where == "portal" else html) == [], where


def _prose(page: str) -> str:
    return re.search(r'<div class="prose">(.*?)</div>\s*</section>', page, re.DOTALL).group(1)


def _description_preview(page: str) -> str:
    return re.search(r'<div class="ws-prose">(.*?)</div>\s*</div>', page, re.DOTALL).group(1)
