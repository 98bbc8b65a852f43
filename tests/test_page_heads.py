"""Every page the browser opens names its icon: without one the browser asks for /favicon.ico,
which is a 404 in every log (the visitor's check-in, the driver's run, the hall's TV)."""

from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "fugong"
PRINTED = ("/print/",)  # made into PDFs, never opened by a browser


def test_every_page_with_a_head_links_the_icon() -> None:
    missing = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("templates/**/*.html")
        if "<head" in path.read_text()
        and not any(part in str(path) for part in PRINTED)
        and 'rel="icon"' not in path.read_text()
    ]
    assert missing == []
