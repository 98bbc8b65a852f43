"""The Content-Security-Policy: every page and API answer carries it, it allows no inline script,
style or eval, and no template relies on what it forbids (the browser tests show the pages still
work under it)."""

import re
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def directives(header: str) -> dict[str, str]:
    parts = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {name: value for name, value in parts}  # noqa: C416 - pairs from split(), not tuples


def assert_strict(header: str) -> None:
    assert "unsafe-inline" not in header and "unsafe-eval" not in header, header
    assert directives(header) == EXPECTED


@pytest.mark.django_db
def test_pages_and_api_answers_carry_the_policy(client: Client) -> None:
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert_strict(page["Content-Security-Policy"])
    answer = client.get("/api/jobs/1")  # not signed in: a JSON error, with the policy all the same
    assert answer.status_code == 401 and answer["Content-Type"].startswith("application/json")
    assert_strict(answer["Content-Security-Policy"])


@pytest.mark.django_db
def test_the_api_docs_page_is_served_from_this_site_without_inline_script(client: Client) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn.jsdelivr.net" not in html and "django-ninja.dev" not in html
    assert findings(html) == []
    sources = re.findall(r'<script[^>]*\ssrc="([^"]+)"', html)
    assert sources and all(src.startswith("/static/ninja/") for src in sources)
    assert '"validatorUrl": null' in html  # no badge fetched from validator.swagger.io


@pytest.mark.django_db
def test_a_refused_form_answers_with_the_sites_own_page_without_inline_style() -> None:
    """Django's own page for a failed CSRF check has a <style> element the policy blocks."""
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "403_csrf.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "<style" not in html and 'href="/static/fugong/app.css"' in html


# What no template may contain -------------------------------------------------------------

DJANGO_COMMENTS = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", re.DOTALL)
EVENT_HANDLER = re.compile(r"<[a-zA-Z][^>]*?\s(on[a-z]+)\s*=", re.DOTALL)
HTMX_EVAL = re.compile(
    r"\s(?:data-)?hx-(?:on\b[\w:.-]*|vars)\s*=|\s(?:data-)?hx-(?:vals|headers)\s*=\s*['\"]\s*(?:js|javascript):",
    re.IGNORECASE,
)
STYLE_ATTRIBUTE = re.compile(r"<[a-zA-Z][^>]*?\sstyle\s*=", re.DOTALL)
SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"\s(?:href|src|action)\s*=\s*[\"']\s*javascript:", re.IGNORECASE)
NONCE = 'nonce="{{ request.csp_nonce }}"'


def findings(text: str, *, styles_allowed: bool = False) -> list[str]:
    """What in this markup needs 'unsafe-inline' or 'unsafe-eval'."""
    text = DJANGO_COMMENTS.sub("", text)
    found = [f"event handler {m[1]}=" for m in EVENT_HANDLER.finditer(text)]
    found += [f"htmx eval {m[0].strip()}" for m in HTMX_EVAL.finditer(text)]
    found += ["style attribute" for _ in STYLE_ATTRIBUTE.finditer(text)]
    found += ["javascript: link" for _ in JAVASCRIPT_URL.finditer(text)]
    for match in SCRIPT.finditer(text):
        attributes = match[1]
        if "src=" in attributes or 'type="application/json"' in attributes or NONCE in attributes:
            continue
        found.append(f"inline script <script{attributes}>")
    if not styles_allowed:
        found += ["style element" for _ in STYLE_ELEMENT.finditer(text)]
    return found


def templates() -> list[Path]:
    return sorted(path for folder in (ROOT / "fugong").rglob("templates") for path in folder.rglob("*.html"))


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<button onclick=\"return confirm('?')\">x</button>", ["event handler onclick="]),
        ("<select name=s\n  onchange='this.form.submit()'>", ["event handler onchange="]),
        ('<form hx-on::after-request="go()">', ["htmx eval hx-on::after-request="]),
        ("<div hx-vals='js:{a: 1}'>", ["htmx eval hx-vals='js:"]),
        ('<span style="width: 5%"></span>', ["style attribute"]),
        ("<script>alert(1)</script>", ["inline script <script>"]),
        ('<a href="javascript:void(0)">', ["javascript: link"]),
        ("<style>p{}</style>", ["style element"]),
        ('<script src="/static/x.js" defer></script><script type="application/json">{}</script>', []),
        ('<script nonce="{{ request.csp_nonce }}">go()</script>', []),
        ('<input data-confirm="Leave?" data-onclick="x"><p>Click on=here</p>{# <p style="x"> #}', []),
    ],
)
def test_the_template_check_finds_what_the_policy_forbids(markup: str, expected: list[str]) -> None:
    assert findings(markup) == expected


def test_no_template_needs_inline_script_handlers_or_styles() -> None:
    found = []
    for path in templates():
        # Print templates become PDFs through WeasyPrint, which no browser policy governs: their
        # <style> elements are fine, not the rest.
        for finding in findings(path.read_text(encoding="utf-8"), styles_allowed="print" in path.parts):
            found.append(f"{path.relative_to(ROOT)}: {finding}")
    assert len(templates()) > 100
    assert found == []


def test_no_python_or_script_builds_markup_with_inline_script_handlers_or_styles() -> None:
    """format_html, mark_safe, template tags and our static JS: markup they build obeys it too."""
    sources = [*(ROOT / "fugong").rglob("*.py"), *(ROOT / "fugong" / "static").rglob("*.js")]
    found = []
    for path in sources:
        if "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            found += [f"{path.relative_to(ROOT)}:{number}: {f}" for f in findings(line) if not f.startswith("htmx")]
    assert found == []


@pytest.mark.django_db
def test_an_error_page_carries_the_policy_and_no_inline_style(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert_strict(response["Content-Security-Policy"])
    assert findings(response.content.decode()) == []
