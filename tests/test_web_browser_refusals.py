"""Issue 14 in a real browser: a refused upload shows that file's own reason, in Swedish and in English.

Headless Chromium (Debian's, driven by Playwright, as in ``test_web_browser``) uploads a scanned PDF,
a password-protected PDF, a truncated DOCX and a zip-bomb DOCX through the page's real file input.
Each upload must show its own reason, never "upload your CV first" nor another file's reason; then
the language is switched and the search button pressed, which must repeat the same file's reason
in the other language (the refusal waits in the page's state, :class:`jobsai.web.ui.UploadRefusal`).
One page starts in Swedish and one in English, so every file is refused on upload and on search in
both languages. Each page must stay usable: a good CV pasted afterwards gets results.

The expected words come from the app's own table (:func:`jobsai.web.i18n.error_message` for the
error the extractor raises for the file), never from a copy here that could drift.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import test_web_browser as shared
from jobsai.config import Settings
from jobsai.cv.extract import extract_cv_text
from jobsai.errors import CorruptFileError, CVError, EncryptedPDFError, ScannedPDFError, UnpackTooLargeError
from jobsai.runtime import Runtime
from jobsai.web.app import create_app
from jobsai.web.i18n import LANGS, STRINGS, Lang, error_message, t

from support.cv_files import make_cv_docx, make_encrypted_pdf
from support.hostile_files import hostile_files, jpeg_only_pdf
from support.web import CV_NURSE, serve_in_thread

pytest_plugins = ["web_fixtures"]

CARDS, CHROMIUM = shared.CARDS, shared.CHROMIUM
browser = shared.browser  # test_web_browser's fixture: one headless Chromium for the module

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium); browsers are never downloaded",
)
pytest.importorskip("playwright.sync_api", reason="needs playwright (pip install playwright); no browser download")

OTHER: dict[Lang, Lang] = {"sv": "en", "en": "sv"}
LANG_LABEL: dict[Lang, str] = {"sv": "Svenska", "en": "English"}


@dataclass(frozen=True, slots=True)
class Refused:
    """A file the app must refuse, the error it is refused with, and what the page says in each language."""

    path: Path
    error: type[CVError]
    message: dict[Lang, str]


def _refused(path: Path, data: bytes, error: type[CVError], key: str, settings: Settings) -> Refused:
    """``data`` saved as ``path``; the extractor (in this process) refuses it with ``error``, and the page's
    words for it are the app's own: Swedish from the table's ``key``, English the extractor's message."""
    path.write_bytes(data)
    limits = {"max_upload_bytes": settings.max_upload_bytes, "min_words": settings.min_cv_words}
    with pytest.raises(error) as raised:
        extract_cv_text(data, filename=path.name, max_bytes=settings.max_upload_bytes, min_words=settings.min_cv_words)
    message = {lang: error_message(lang, raised.value, **limits) for lang in LANGS}
    assert message["sv"].startswith(STRINGS[key]["sv"].split("{")[0]), (path.name, key, message["sv"])
    return Refused(path, error, message)


@pytest.fixture(scope="module")
def live_app(web_runtime: Runtime) -> Iterator[tuple[str, Settings]]:
    """The app as ``jobsai serve`` builds it, around the session's demo-data runtime, served by uvicorn.

    A browser upload costs one of the client's match tokens (at Gradio's upload route; the upload event
    does not charge it again) and the search for the pasted CV another, so the eight uploads and two
    searches here use the whole default burst of 10: the burst is raised to leave a margin, the rate
    limit itself is tested elsewhere (``test_abuse``, ``test_web_security``).
    """
    settings = web_runtime.settings.model_copy(update={"web_rate_limit_burst": 100})
    with serve_in_thread(create_app(settings, runtime=web_runtime)) as base:
        yield base, settings


@pytest.fixture(scope="module")
def refused_files(tmp_path_factory: pytest.TempPathFactory, live_app: tuple[str, Settings]) -> list[Refused]:
    settings = live_app[1]
    d = tmp_path_factory.mktemp("refused")
    docx = make_cv_docx(d / "whole.docx", [CV_NURSE]).read_bytes()
    (bomb,) = (h for h in hostile_files() if h.name == "bomb.docx")
    encrypted = make_encrypted_pdf(CV_NURSE, d / "encrypted.pdf").read_bytes()
    files = [
        _refused(d / "skannat.pdf", jpeg_only_pdf(), ScannedPDFError, "err_scanned", settings),
        _refused(d / "last.pdf", encrypted, EncryptedPDFError, "err_encrypted", settings),
        _refused(d / "trasig.docx", docx[: len(docx) // 2], CorruptFileError, "err_corrupt", settings),
        # a 128 kB file that unpacks past the 100 MB cap: refused before it is inflated, and told so in both
        # languages (not the upload-size words, "högst 10 MB", which it is well within)
        _refused(d / bomb.name, bomb.make(), UnpackTooLargeError, "err_unpacks_too_large", settings),
    ]
    for lang in LANGS:  # four reasons, not one: each file's own words, none a part of another's
        texts = [f.message[lang] for f in files]
        assert all(a == b or a not in b for a in texts for b in texts), texts
    return files


def _status(page: Any) -> str:
    return str(page.locator("#status").inner_text())


def _wait_status(page: Any, expected: str) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            "(text) => (document.querySelector('#status')?.innerText || '').includes(text)", arg=expected,
            timeout=30_000,
        )
    except PlaywrightTimeout:
        pytest.fail(f"the page never said {expected!r}; it says {_status(page)!r}")


def _switch_language(page: Any, lang: Lang) -> None:
    page.get_by_label(LANG_LABEL[lang]).check()
    page.wait_for_function(
        "(word) => document.querySelector('#search-btn')?.innerText.trim() === word", arg=t(lang, "search"),
        timeout=30_000,
    )
    _wait_status(page, t(lang, "status_start"))  # nothing matched yet: the start message, in the new language


def _refusals_then_a_pasted_cv(page: Any, base: str, files: list[Refused], first: Lang) -> None:
    page.goto(base + "/")
    page.wait_for_selector("#cv-file input[type=file]", state="attached", timeout=30_000)
    _wait_status(page, t("sv", "status_start"))  # the ads are loaded
    lang: Lang = "sv"
    if first != lang:
        _switch_language(page, first)
        lang = first
    for refused in files:
        other = OTHER[lang]
        _upload(page, refused.path)
        _wait_status(page, refused.message[lang])
        _assert_only(page, refused, files, lang)

        _switch_language(page, other)
        page.locator("#search-btn").click()
        _wait_status(page, refused.message[other])
        _assert_only(page, refused, files, other)
        lang = other

    # the page is still usable: a good CV pasted now (over the refusal in the page's state) gets results
    page.get_by_role("tab", name=t(lang, "tab_paste")).click()
    page.locator("#cv-paste textarea").fill(CV_NURSE)
    page.locator("#search-btn").click()
    page.wait_for_function(f"() => document.querySelectorAll('{CARDS}').length >= 5", timeout=60_000)
    shown = _status(page)
    assert not any(f.message[code] in shown for f in files for code in LANGS), shown
    assert t(lang, "understood_title") in page.locator("#understood").inner_text()


def _upload(page: Any, path: Path) -> None:
    """Through the page's own file input; a file shown from the last upload is cleared first (its × button)."""
    shown = page.locator("#cv-file button[aria-label='Clear']")
    if shown.count():
        shown.click()
    page.locator("#cv-file input[type=file]").set_input_files(str(path))


def _assert_only(page: Any, refused: Refused, files: list[Refused], lang: Lang) -> None:
    """The page shows ``refused``'s reason in ``lang``: not another file's, not "upload your CV first"."""
    shown = _status(page)
    name = refused.path.name
    assert refused.message[lang] in shown, (name, lang, shown)
    assert refused.message[OTHER[lang]] not in shown, (name, lang, shown)
    assert all(t(code, "status_need_cv") not in shown for code in LANGS), (name, lang, shown)
    assert not any(f.message[lang] in shown for f in files if f is not refused), (name, lang, shown)
    assert page.locator(CARDS).count() == 0


@pytest.mark.parametrize("first", LANGS)
def test_each_refused_upload_shows_its_own_reason_in_both_languages(
    live_app: tuple[str, Settings], browser: Any, refused_files: list[Refused], first: Lang
) -> None:
    base = live_app[0]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        _refusals_then_a_pasted_cv(page, base, refused_files, first)
    finally:
        page.close()
