"""The UI in a real browser: headless Chromium (Debian's, driven by Playwright) against the real app.

The app is built by ``create_app(settings)`` exactly as ``jobsai serve`` builds it (its own
runtime, JobStream unreachable, so it falls back to the demo set) and served by uvicorn on
127.0.0.1. The test uploads a real two-page PDF, reads the result cards, filters by
municipality, gives feedback with the keyboard and the mouse, checks the stored row in
SQL, deletes it through the deletion link (its own page, the token in the URL's fragment), and
saves screenshots under ``artifacts/``. Every page is served with the app's Content-Security-Policy,
so a policy that breaks Gradio fails here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.routing import Mount

from jobsai.store import feedback as feedback_repo
from jobsai.store.db import Database
from jobsai.web.app import create_app

from support.cv_files import PAGE_BREAK, make_cv_pdf
from support.web import CV_NURSE, PII, offline_settings, serve_in_thread

pytest_plugins = ["web_fixtures"]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CARDS = "article[data-ad-id]"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium); browsers are never downloaded",
)

CV_TWO_PAGES = CV_NURSE + PAGE_BREAK + """UTBILDNING
2015 – 2017 Vård- och omsorgsprogrammet, vuxenutbildningen (undersköterska)
2022 Demens ABC plus, Svenskt demenscentrum
2023 HLR för vårdpersonal

ÖVRIGT
B-körkort. Svenska (modersmål), engelska (god). Van vid TES, Treserva och Microsoft 365.
Jag tycker om att arbeta i team, är lugn i pressade situationer och har lätt för att
skapa trygghet för de boende och deras anhöriga.
"""


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory, web_tiny_model: Path) -> Iterator[tuple[str, str, Any]]:
    settings = offline_settings(tmp_path_factory.mktemp("browser-data"), web_tiny_model)
    app = create_app(settings)
    with serve_in_thread(app, ready_timeout=300) as base:
        yield base, settings.resolved_database_url, app


def _gradio_state(app: Any) -> str:
    """Every string Gradio keeps on the server for the open pages (State values, shown values), fields
    hidden from ``repr`` (``CVText.text``) included."""
    blocks = next(r.app for r in app.routes if isinstance(r, Mount)).get_blocks()
    out: list[str] = []

    def walk(value: Any, depth: int = 0) -> None:
        if depth > 12:
            return
        if isinstance(value, str):
            out.append(value)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for f in dataclasses.fields(value):
                walk(getattr(value, f.name), depth + 1)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(k, depth + 1)
                walk(v, depth + 1)
        elif isinstance(value, list | tuple | set | frozenset):
            for v in value:
                walk(v, depth + 1)

    for session in blocks.state_holder.session_data.values():
        walk(session.state_data)
        walk(session.config_values)
    return "\n".join(out)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield instance
        finally:
            instance.close()


def _card_ids(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector_all(CARDS, "els => els.map(e => e.dataset.adId)")


def _upload_and_wait(page, base: str, pdf: Path) -> list[str]:  # type: ignore[no-untyped-def]
    page.goto(base + "/")
    page.wait_for_selector("#cv-file input[type=file]", state="attached", timeout=30_000)
    page.wait_for_function(
        "() => !document.querySelector('#status')?.innerText.includes('laddas')", timeout=60_000
    )
    page.locator("#cv-file input[type=file]").set_input_files(str(pdf))
    page.wait_for_function(f"() => document.querySelectorAll('{CARDS}').length >= 5", timeout=60_000)
    return _card_ids(page)


def test_upload_filter_feedback_delete_in_a_real_browser(
    live_app: tuple[str, str, Any], browser, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    base, db_url, app = live_app
    pdf = make_cv_pdf(CV_TWO_PAGES, tmp_path / "cv-maria.pdf")
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("console", lambda m: dialogs.append(m.text) if "Content Security Policy" in m.text else None)

    # 1. upload a real two-page PDF: at least 5 result cards, and what the app understood
    before = _upload_and_wait(page, base, pdf)
    assert len(before) >= 5
    understood = page.locator("#understood").inner_text()
    assert "svenska" in understood and "2 sidor" in understood
    assert "Din yrkestitel: Undersköterska – äldreomsorg och hemsjukvård" in understood
    assert page.locator(".jobsai-why").first.is_visible()
    assert page.locator(".jobsai-card-body a[href^='https://arbetsformedlingen.se/platsbanken/']").count() >= 5

    # 2. filter by municipality (search in the list, pick it): the results change, all in Stockholm
    box = page.locator("#filter-municipality input")
    box.click()
    box.fill("Stockholm")
    page.get_by_role("option", name="Stockholm (", exact=False).first.click()
    page.keyboard.press("Escape")
    page.wait_for_function(
        """(before) => {
            const ids = Array.from(document.querySelectorAll('article[data-ad-id]')).map(e => e.dataset.adId);
            const metas = Array.from(document.querySelectorAll('article[data-ad-id] .jobsai-meta'));
            const inStockholm = metas.every(m => m.innerText.includes('Stockholm'));
            return ids.length > 0 && ids.join() !== before.join() && inStockholm;
        }""",
        arg=before,
        timeout=60_000,
    )
    after = _card_ids(page)
    assert after != before
    # the new filter re-ranked the CV the server keeps encoded: no page's state holds the CV's text,
    # and what the cards show of it is redacted
    state = _gradio_state(app)
    assert "Undersköterska – äldreomsorg och hemsjukvård" in state  # the results are there …
    assert not any(secret in state for secret in PII["nurse"])  # … the CV's identifiers are not

    # 3. consent, then "Relevant" on the first card: visible confirmation and a deletion link
    page.locator("#consent input[type=checkbox]").check()
    first = after[0]
    card = page.locator(f".gr-group.jobsai-card:has(article[data-ad-id='{first}'])").first
    card.locator("button.jobsai-relevant").click()
    card.get_by_text("Sparat: relevant").wait_for(timeout=30_000)
    token = page.locator("#jobsai-deletion-token").inner_text().strip()
    assert len(token) >= 40

    db = Database(db_url)
    try:
        with db.begin(readonly=True) as conn:
            (row,) = feedback_repo.get_feedback(conn, ad_id=first)
        assert row.label == "relevant" and row.rank == 1 and row.consent is True
        assert row.cv_text_redacted and "Solgläntans" in row.cv_text_redacted
        assert not any(secret in row.cv_text_redacted for secret in PII["nurse"])
        assert row.deletion_token_hash == feedback_repo.hash_token(token)
        assert row.filters and row.filters.get("municipalities")

        # 4. change it with the keyboard: the same row now says not relevant
        other = card.locator("button.jobsai-not-relevant")
        other.focus()
        page.keyboard.press("Enter")
        card.get_by_text("Sparat: inte relevant").wait_for(timeout=30_000)
        with db.begin(readonly=True) as conn:
            (row2,) = feedback_repo.get_feedback(conn, ad_id=first)
        assert row2.id == row.id and row2.label == "not_relevant"

        # 5. "show more": more cards, and the confirmation survives the re-drawn list
        shown = len(_card_ids(page))
        page.locator("#more-btn").click()
        page.wait_for_function(
            f"(n) => document.querySelectorAll('{CARDS}').length > n", arg=shown, timeout=60_000
        )
        assert card.get_by_text("Sparat: inte relevant").is_visible()

        ARTIFACTS.mkdir(exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(ARTIFACTS / "web-results.png"), full_page=False)
        page.screenshot(path=str(ARTIFACTS / "web-results-full.png"), full_page=True)

        # 6. the deletion link carries the token in its fragment (never sent to the server); its page
        # takes it out of the address bar at once and deletes on one click: the row is gone from SQL
        href = page.locator("#token-box a").get_attribute("href") or ""
        assert href.startswith("./delete?lang=sv#token=") and href.endswith(token) and "?radera" not in href
        deletion = browser.new_page()  # type: ignore[attr-defined]
        deletion.on("console", lambda m: dialogs.append(m.text) if "Content Security Policy" in m.text else None)
        deletion.goto(f"{base}/{href[2:]}")
        assert deletion.locator("#token").input_value() == token
        assert "#" not in deletion.url and token not in deletion.url
        deletion.locator("#delete-btn").click()
        deletion.locator("#msg").get_by_text("raderade").wait_for(timeout=30_000)
        deletion.close()
        with db.begin(readonly=True) as conn:
            assert feedback_repo.get_feedback(conn, ad_id=first) == []
            assert feedback_repo.count_feedback(conn, token=token) == 0
    finally:
        db.dispose()
    assert dialogs == []  # nothing on the page ran script it should not have
    page.close()


def test_phone_width_and_english(live_app: tuple[str, str, Any], browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base, _, _ = live_app
    pdf = make_cv_pdf(CV_TWO_PAGES, tmp_path / "cv.pdf")
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)  # type: ignore[attr-defined]
    _upload_and_wait(page, base, pdf)
    # nothing wider than the screen: no sideways scrolling on a phone (after any transition settles)
    try:
        page.wait_for_function("() => document.documentElement.scrollWidth <= window.innerWidth + 2", timeout=10_000)
    except Exception:  # report what sticks out
        wide = page.evaluate(
            """() => Array.from(document.querySelectorAll('body *'))
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 2)
                .slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className)"""
        )
        pytest.fail(f"the page is wider than a phone screen: {wide}")
    page.get_by_label("English").check()
    page.get_by_text("Why it matches:").first.wait_for(timeout=30_000)
    page.wait_for_function(
        "() => document.querySelector('#search-btn')?.innerText.trim() === 'Find jobs'", timeout=30_000
    )
    assert "What we understood from your CV" in page.locator("#understood").inner_text()
    assert page.locator("button.jobsai-relevant").first.inner_text().strip() == "Relevant"
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#status").scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, window.scrollY)")
    page.screenshot(path=str(ARTIFACTS / "web-results-phone.png"), full_page=False)
    page.close()


def test_admin_page_in_a_real_browser(live_app: tuple[str, str, Any], browser) -> None:  # type: ignore[no-untyped-def]
    base, _, _ = live_app  # served on 127.0.0.1 without JOBSAI_ADMIN_TOKEN: this machine may see it
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page.goto(base + "/admin")
    assert page.locator("h1").inner_text() == "Model registry"
    assert page.locator("table th").count() == 9
    page.wait_for_function("() => document.querySelector('img')?.naturalWidth === 800", timeout=30_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-admin.png"), full_page=True)
    page.close()
