"""A crawl of the product as one signed-in person sees it: every in-platform link, tab and
button target they are shown, followed breadth-first from their home page, one page of each
kind ("the first object of each list"), and on every page the defects people met in their
first hour and no unit test saw:

- a server error, or a link shown to someone that answers 403 or 404 (hide what a role may
  not use);
- a page wider than the phone (sideways scroll at 390 px);
- on Chinese pages, English words outside an allow-list and raw choice codes (`e_tricycle`);
- form controls without an accessible name and other serious or critical findings of axe-core;
- anything the Content-Security-Policy refused (an inline script, event handler or style
  attribute, an image or script from elsewhere, eval): it does not run, so the page is broken;
- a mobile or resident ID number in full (in the text, a call link, a field, a downloaded workbook
  or an API list) on a page not declared to show it to this person.

The checker knows nothing of Fugong's URLs beyond where to start: it is tested on a made-up
site in test_crawl.py, so that each class of defect is shown to make it fail.
"""

from __future__ import annotations

import base64
import io
import re
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from openpyxl import load_workbook
from playwright.sync_api import BrowserContext, Error, Page
from stdnum.cn import ric

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CSP_LISTENER = Path(__file__).parent / "csp_violations.js"

# Latin words a Chinese page may show: the brand, units, file formats and terms that Chinese
# users themselves write in Latin letters.
ALLOWED_LATIN = frozenset(
    {
        "Fugong",
        "English",  # the language switcher names each language in itself
        "kVA",
        "kWh",
        "kW",
        "km",
        "kg",
        "mm",
        "km/h",
        "API",
        "Excel",
        "CSV",
        "PDF",
        "QR",
        "SMS",
        "ID",
        "VIN",
        "GPS",
        "PyVRP",
        "OSM",
        "OpenStreetMap",
        "Leaflet",
        "ECharts",
        "DuckDB",
        "Parquet",
        "xlsx",
        "parquet",
        "JSON",
        "MB",
        "WGS",  # WGS-84, the coordinates' datum
        "mg/L",
    }
)
# Paths never followed: signing out or switching language changes the session, static files
# and the API's own documentation are not pages of the product.
SKIPPED_PREFIXES = ("/accounts/logout", "/i18n/", "/static/", "/jsi18n/", "/api/docs", "/api/openapi")

MOBILE = re.compile(r"(?:(?<=\+86)|(?<![0-9]))1[3-9][0-9]{9}(?![0-9])")
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Run in the page: the words a reader sees, the widest elements, and the links it offers.
PAGE_FACTS = (Path(__file__).parent / "page_facts.js").read_text()


@dataclass(frozen=True)
class Finding:
    who: str
    size: str
    url: str
    kind: str
    detail: str
    came_from: str = ""

    def __str__(self) -> str:
        origin = f" (linked from {self.came_from})" if self.came_from else ""
        return f"[{self.who} @ {self.size}] {self.url}{origin}: {self.kind}: {self.detail}"


@dataclass
class Crawl:
    who: str
    size: str
    visited: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # where the time went: open, read, axe

    @contextmanager
    def timing(self, what: str) -> Iterator[None]:
        started = time.monotonic()
        yield
        self.seconds[what] = self.seconds.get(what, 0.0) + time.monotonic() - started

    def add(self, url: str, kind: str, detail: str, came_from: str = "") -> None:
        self.findings.append(Finding(self.who, self.size, url, kind, detail, came_from))


def page_kind(url: str) -> str:
    """One page of each kind: numbers (ids, dates, page numbers) and long signed tokens are
    the same kind, so the crawl opens the first object of each list and not every one."""
    parts = urlsplit(url)

    def general(value: str) -> str:
        value = re.sub(r"[A-Za-z0-9_\-:.]{24,}", "{token}", value)
        return re.sub(r"\d+", "{n}", value)

    query = sorted((key, general(value)) for key, value in parse_qsl(parts.query, keep_blank_values=True))
    return general(parts.path) + ("?" + urlencode(query) if query else "")


def full_numbers(text: str) -> list[str]:
    """Mobiles and (valid) resident ID numbers written in full, masked for the report, which
    must not leak them either."""
    found = set(MOBILE.findall(text)) | {n for n in ID_NUMBER.findall(text) if ric.is_valid(n)}
    return sorted(f"{n[:3]}{'*' * (len(n) - 7)}{n[-4:]}" for n in found)


def check_numbers(crawl: Crawl, url: str, text: str, shows_full_numbers: Callable[[str], bool]) -> None:
    found = full_numbers(text)
    if found and not shows_full_numbers(url):
        crawl.add(url, "personal numbers in full", f"{len(found)}: {', '.join(found[:3])}")


# Fetched from inside the page, so the request carries the person's session and goes wherever
# the page's own requests go.
FETCH = """async url => {
  const r = await fetch(url, {credentials: "same-origin"});
  const bytes = new Uint8Array(await r.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 8192) binary += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return {status: r.status, type: r.headers.get("content-type") || "", body: btoa(binary)};
}"""


def fetch(page: Page, url: str) -> tuple[int, str]:
    """A URL's status and what it says: a workbook's cells, a text or JSON body's text."""
    answer = page.evaluate(FETCH, url)
    body = base64.b64decode(answer["body"])
    if answer["type"].startswith(XLSX):
        book = load_workbook(io.BytesIO(body), read_only=True)
        text = "\n".join(str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if v)
    elif answer["type"].startswith(("text/", "application/json")):
        text = body.decode("utf-8", "replace")
    else:
        text = ""
    return answer["status"], text


def in_scope(url: str, origin: str) -> bool:
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return False
    return not parts.path.startswith(SKIPPED_PREFIXES)


def check_text(crawl: Crawl, url: str, facts: dict, allowed: frozenset[str]) -> None:
    if not facts["lang"].startswith("zh"):
        return
    codes = sorted(set(facts["codes"]))
    if codes:
        crawl.add(url, "raw code", ", ".join(codes[:10]))
    words = sorted({w for w in facts["words"] if w not in allowed})
    if words:
        crawl.add(url, "English on a Chinese page", ", ".join(words[:15]))


def check_axe(page: Page, crawl: Crawl, url: str) -> None:
    result = page.evaluate(
        """async () => {
          const r = await axe.run(document, {resultTypes: ["violations"]});
          return r.violations.filter(v => ["serious", "critical"].includes(v.impact))
            .map(v => v.id + ": " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
        }"""
    )
    for violation in result:
        crawl.add(url, "accessibility", violation)


def crawl_as(
    context: BrowserContext,
    origin: str,
    *,
    who: str,
    size: str,
    start: str = "/",
    limit: int = 400,
    axe: bool = True,
    allowed: frozenset[str] = ALLOWED_LATIN,
    shows_full_numbers: Callable[[str], bool] = lambda url: False,
    api_lists: Sequence[str] = (),
) -> Crawl:
    """Follow every link the person is shown, one page of each kind, checking each page; then
    read each of `api_lists` as this person."""
    crawl = Crawl(who, size)
    context.add_init_script(path=CSP_LISTENER)
    if axe:
        context.add_init_script(path=AXE)
    page = context.new_page()
    phone = (page.viewport_size or {"width": 1024})["width"] < 600
    first = urljoin(origin, start)
    queue: deque[tuple[str, str]] = deque([(first, "")])
    fragments: dict[str, tuple[str, str]] = {}  # kind -> (url, the page that fetches it)
    seen = {page_kind(first)}
    while queue:
        url, came_from = queue.popleft()
        if len(crawl.visited) >= limit:
            crawl.add(url, "crawl limit", f"more than {limit} kinds of page; raise the limit or find the loop")
            break
        crawl.visited.append(url)
        try:
            with crawl.timing("open"):
                response = page.goto(url, wait_until="load")
        except Error as error:
            if "Download is starting" not in str(error):
                crawl.add(url, "did not open", str(error).splitlines()[0], came_from)
                continue
            response = None
        with crawl.timing("open"):
            status, html, downloaded = _status(page, url, response)
        check_numbers(crawl, url, downloaded, shows_full_numbers)
        if status >= 500:
            crawl.add(url, "server error", str(status), came_from)
        elif status in (403, 404):
            crawl.add(url, f"shown but answers {status}", "hide what this person may not use", came_from)
        if status >= 400 or not html:
            continue
        with crawl.timing("read"):
            facts = page.evaluate(PAGE_FACTS)
        if phone and facts["wide"]:
            crawl.add(url, "sideways scroll on a phone", "; ".join(facts["wide"][:4]))
        for choice in facts["empty_choices"]:
            crawl.add(url, "a required choice with nothing to choose", choice)
        for violation in dict.fromkeys(facts["csp"]):
            crawl.add(url, "refused by the Content-Security-Policy", violation)
        check_text(crawl, url, facts, allowed)
        check_numbers(crawl, url, facts["personal"], shows_full_numbers)
        if axe:
            with crawl.timing("axe"):
                check_axe(page, crawl, url)
        for link in facts["links"]:
            link = link.split("#", 1)[0]
            kind = page_kind(link)
            if in_scope(link, origin) and kind not in seen:
                seen.add(kind)
                queue.append((link, url))
        for link in facts["fragments"]:
            if in_scope(link, origin):
                fragments.setdefault(page_kind(link), (link, url))
    for url in api_lists:
        crawl.visited.append(url)
        with crawl.timing("api"):
            status, text = fetch(page, url)
        if status >= 500:
            crawl.add(url, "server error", str(status))
        elif status == 200:
            check_numbers(crawl, url, text, shows_full_numbers)
    page.close()
    for kind, (link, came_from) in fragments.items():
        if kind in seen:
            continue
        crawl.visited.append(link)
        with crawl.timing("open"):
            status = context.request.get(link, headers={"HX-Request": "true"}).status
        if status >= 400:
            crawl.add(link, f"piece of a page answers {status}", "htmx fetches it", came_from)
    return crawl


def _status(page: Page, url: str, response: object) -> tuple[int, bool, str]:
    """The status, whether the person got an HTML page, and a download's text (a download is
    fetched again to read its status and content, which the browser does not report)."""
    if response is None:
        status, text = fetch(page, url)
        return status, False, text
    status: int = response.status  # type: ignore[attr-defined]
    content_type: str = response.headers.get("content-type", "")  # type: ignore[attr-defined]
    return status, content_type.startswith("text/html"), ""
