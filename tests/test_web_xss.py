"""Ad text is untrusted: an ad carrying ``<script>``, ``onerror=`` and ``javascript:`` renders inert.

The hostile ad is ingested like any other (it could come from JobStream), matched, and then
checked where it is shown: the UI's result card, the API's excerpt, and ``GET /api/v1/ads``.
The rendered HTML is parsed (not grepped) for scripts, event handlers and script URLs, and
also loaded into headless Chromium to prove that nothing runs.
"""

from __future__ import annotations

import copy
import gzip
import json
from collections.abc import Iterator
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from jobsai.match.filters import FilterInput
from jobsai.runtime import Runtime
from jobsai.web.app import create_app
from jobsai.web.i18n import LANGS
from jobsai.web.render import card_html, highlight, safe_url, sanitize_ad_html

pytest_plugins = ["web_fixtures"]

EVIL_ID = "99990001"
XSS_MUNICIPALITY = "xss_test_muni"
ONLY_EVIL = FilterInput(municipalities=(XSS_MUNICIPALITY,))
EVIL_HEADLINE = 'Undersköterska <img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
EVIL_TEXT = (
    "Undersköterska till äldreboende: omvårdnad, demenssjukdom och dokumentation.\n"
    '<script>window.__xss=3</script><img src=x onerror="window.__xss=4"> Vi söker dig! '
    '<a href="javascript:window.__xss=5">ansök</a>'
)
EVIL_HTML = (
    '<p onclick="window.__xss=6">Undersköterska till äldreboende: omvårdnad och demenssjukdom.</p>'
    '<script>window.__xss=7</script><img src=x onerror="window.__xss=8">'
    '<a href="javascript:window.__xss=9">klicka</a> <a href="JaVaScRiPt:window.__xss=10">igen</a>'
    '<iframe src="javascript:window.__xss=11"></iframe><svg onload="window.__xss=12"></svg>'
    '<style>body{display:none}</style><a href="https://example.com/ok" onmouseover="window.__xss=13">ok</a>'
)
CV = """Undersköterska inom äldreomsorg med erfarenhet av omvårdnad, demenssjukdom, dokumentation,
delegerade insatser och hemtjänst. Jag arbetar på äldreboende och söker ny tjänst som undersköterska.
Kontaktman, genomförandeplaner och läkemedelsöverlämning ingår i mitt arbete sedan många år."""


def _evil_item() -> dict:
    demo = resources.files("jobsai.sources").joinpath("demo_data/demo_ads.jsonl.gz")
    with demo.open("rb") as fh, gzip.open(fh, "rt", encoding="utf-8") as lines:
        item = json.loads(next(iter(lines)))
    item = copy.deepcopy(item)
    item["id"] = EVIL_ID
    item["headline"] = EVIL_HEADLINE
    item["description"]["text"] = EVIL_TEXT
    item["description"]["text_formatted"] = EVIL_HTML
    item["webpage_url"] = "javascript:window.__xss=14"
    item["application_details"]["url"] = " javascript:window.__xss=15"
    item["employer"]["name"] = '<b onmouseover="window.__xss=16">Elak AB</b>'
    # a skill label is ad data too: it is shown among the skills to add
    item["must_have"]["skills"].append({"concept_id": "xss_skill", "label": '<img src=x onerror="window.__xss=17">'})
    # a municipality of its own, so a filter finds it whatever the (tiny, random) model ranks first
    item["workplace_address"]["municipality"] = "Xssby"
    item["workplace_address"]["municipality_concept_id"] = XSS_MUNICIPALITY
    # still live whenever the test runs (ingestion expires ads past their last publication date)
    item["last_publication_date"] = "2099-12-31T23:59:59"
    item["application_deadline"] = "2099-12-31T23:59:59"
    return item


class _Audit(HTMLParser):
    """Collects everything in a fragment that could run script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed", "svg", "style", "base", "form", "meta", "link"):
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.problems.append(f"{tag}[{name}]")
            if name.lower() in ("href", "src", "action", "formaction", "xlink:href") and value:
                scheme = value.strip().lower().replace("\t", "").replace("\n", "")
                if not scheme.startswith(("https://", "http://", "mailto:", "#", "./?")):
                    self.problems.append(f"{tag}[{name}={value!r}]")


def _audit(fragment: str) -> list[str]:
    parser = _Audit()
    parser.feed(fragment)
    parser.close()
    return parser.problems


@pytest.fixture(scope="module")
def evil_client(web_runtime: Runtime) -> Iterator[TestClient]:
    web_runtime.ingestor.load_items([_evil_item()], kind="file")
    assert EVIL_ID in web_runtime.lookup_ads([EVIL_ID])
    settings = web_runtime.settings.model_copy(update={"web_rate_limit_per_min": 100_000.0,
                                                       "web_rate_limit_burst": 1000})
    with TestClient(create_app(settings, runtime=web_runtime)) as client:
        yield client


def test_sanitiser_and_url_guard() -> None:
    clean = sanitize_ad_html(EVIL_HTML)
    assert _audit(clean) == []
    assert "window.__xss" not in clean
    assert "Undersköterska till äldreboende" in clean and 'href="https://example.com/ok"' in clean
    assert 'rel="noopener noreferrer nofollow"' in clean
    for url in ("javascript:alert(1)", " javascript:x", "JAVASCRIPT:x", "java\tscript:x", "data:text/html,x",
                "vbscript:x", "//evil.example", "/relative"):
        assert safe_url(url) is None, url
    assert safe_url("https://arbetsformedlingen.se/platsbanken/annonser/1") is not None
    assert highlight("<b>omvårdnad</b>", ["omvårdnad"]) == "&lt;b&gt;<mark>omvårdnad</mark>&lt;/b&gt;"


def test_hostile_ad_renders_inert_in_cards_and_api(evil_client: TestClient, web_runtime: Runtime) -> None:
    service = evil_client.app.state.service  # type: ignore[attr-defined]
    cv = service.paste_cv(CV)
    outcome = service.match(cv, ONLY_EVIL, 10)
    cards = [c for c in outcome.cards if c.result.id == EVIL_ID]
    assert cards, "the hostile ad should be found"
    card = cards[0]
    for lang in LANGS:
        rendered = card_html(card, lang)
        assert _audit(rendered) == [], rendered
        assert "&lt;img src=x onerror=" in rendered  # the headline is shown as text, escaped
        assert "jobsai-skill-gap" in rendered and "window.__xss=17" in rendered  # the listed skill, escaped
        assert "javascript:" not in rendered.lower()

    body = evil_client.post(
        "/api/v1/match", json={"text": CV, "top_k": 10, "filters": {"municipalities": ["Xssby"]}}
    ).json()
    (result,) = [r for r in body["results"] if r["id"] == EVIL_ID]
    assert _audit(result["excerpt_html"]) == []
    assert "<script" not in result["excerpt_html"] and "onerror" not in result["excerpt_html"].replace("&", "")
    assert result["url"].startswith("https://arbetsformedlingen.se/") and result["apply_url"] is None

    ad = evil_client.get(f"/api/v1/ads/{EVIL_ID}").json()
    assert _audit(ad["description_html"]) == []
    assert "window.__xss" not in ad["description_html"]
    assert ad["url"].startswith("https://") and ad["apply_url"] is None


def test_hostile_card_runs_nothing_in_chromium(evil_client: TestClient, tmp_path: Path) -> None:
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    service = evil_client.app.state.service  # type: ignore[attr-defined]
    outcome = service.match(service.paste_cv(CV), ONLY_EVIL, 10)
    (card,) = [c for c in outcome.cards if c.result.id == EVIL_ID]
    page_html = "<!doctype html><html><body><div id='root'></div></body></html>"
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=args, headless=True)
        try:
            page = browser.new_page()
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.set_content(page_html)
            # the way Gradio shows HTML: innerHTML
            page.evaluate("(html) => { document.getElementById('root').innerHTML = html; }", card_html(card, "sv"))
            page.evaluate("() => { const d = document.querySelector('details'); if (d) d.open = true; }")
            for link in page.locator("#root a").all():
                link.hover()
            page.wait_for_timeout(300)
            assert page.evaluate("window.__xss") is None
            assert dialogs == []
        finally:
            browser.close()
