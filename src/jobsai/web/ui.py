"""The Gradio UI: upload or paste a CV, filter, read explained matches, say what is relevant.

Everything a person does lives in their own ``gr.State`` (their results, session and
ratings); the only shared object is the :class:`~jobsai.web.service.WebService`, passed in by
the app factory. The CV's text is not kept there after a match: whoever presents a Gradio
session hash gets that session's state, so a new filter or "show more" re-ranks the CV the
service keeps encoded (:meth:`WebService.rematch`), and shown passages are redacted. Only a
file that could not be matched yet (busy, rate-limited) waits in state, for a few minutes.
Deleting one's data clears the page's state too. Swedish is the default language, English is a toggle. Result cards
are built by :mod:`jobsai.web.render` (escaped and sanitised) and drawn with ``gr.render``,
so each card has real, keyboard-reachable buttons for feedback.

Layout: :func:`build_ui` places the panels (``_header``, ``_cv_input``, ``_filter_panel`` with one
dropdown per filter of ``index.filters``, ``_privacy_panel``, ``_results_panel``) and hands the
resulting :class:`_Page` to the ``_wire_*`` functions, one per kind of event.
"""

from __future__ import annotations

import html
import logging
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import gradio as gr

from jobsai.config import Settings
from jobsai.cv.extract import CVText
from jobsai.errors import JobsAIError
from jobsai.index.filters import PUBLIC_FILTERS
from jobsai.match.filters import FilterInput
from jobsai.web.deletion import delete_link
from jobsai.web.i18n import Lang, as_lang, error_message, t
from jobsai.web.middleware import UploadCredits
from jobsai.web.proxies import request_client
from jobsai.web.render import CardView, card_html, message_html, understood_html
from jobsai.web.service import MAX_TOP_K, MatchOutcome, Readiness, SessionRef, WebService
from jobsai.web.ui_alerts import alert_panel

log = logging.getLogger(__name__)

PUBLISHED_DAYS = (0, 1, 3, 7, 14, 30)
TOP_K_STEP = 10
DELETE_PARAMS = ("radera", "delete")
"""Query parameters of deletion links given out before links carried the token in the fragment."""
UPLOAD_CACHE_SWEEP = (120, 300)
"""Gradio's ``delete_cache``: every 120 s, uploaded files older than 300 s are deleted."""
PENDING_CV_TTL_S = 900
"""How long a file that could not be matched yet (busy, rate-limited) waits in the page's state."""

CSS = """
.gradio-container { max-width: 1180px !important; margin: 0 auto !important; }
#jobsai-header { align-items: center; gap: 12px; }
#jobsai-lang { flex: 0 0 auto !important; }
#jobsai-lang .wrap { flex-wrap: nowrap; }
#jobsai-title h1 { font-size: 1.7rem; margin: 0 0 .25rem 0; }
#jobsai-title p { margin: 0; color: var(--body-text-color-subdued); }
#search-btn { font-size: 1.05rem; min-height: 46px; }
.jobsai-msg { padding: .7rem 1rem; border-radius: 10px; margin: 0 0 .5rem 0; line-height: 1.45; }
.jobsai-msg-info { background: #eff6ff; color: #1e3a8a; border: 1px solid #dbeafe; }
.dark .jobsai-msg-info { background: #172554; color: #dbeafe; border-color: #1e3a8a; }
.jobsai-msg-ok { background: #e8f5ec; color: #14532d; }
.jobsai-msg-error { background: #fdecec; color: #7f1d1d; border: 1px solid #f5c2c2; }
.dark .jobsai-msg-ok { background: #0f2e1c; color: #bbf7d0; }
.dark .jobsai-msg-error { background: #3b1212; color: #fecaca; }
.jobsai-understood { border: 1px solid var(--border-color-primary); border-radius: 12px; padding: .8rem 1rem;
  background: var(--background-fill-secondary); margin-bottom: .5rem; }
.jobsai-understood h2 { font-size: 1.05rem; margin: 0 0 .35rem 0; }
.jobsai-understood ul { margin: 0 0 .3rem 1.1rem; padding: 0; }
.jobsai-hint { font-size: .9rem; color: var(--body-text-color-subdued); margin: .2rem 0 0 0; }
#jobsai-results .gr-group.jobsai-card { border: 1px solid var(--border-color-primary) !important;
  border-radius: 14px !important; background: var(--background-fill-primary) !important; padding: 0 !important;
  margin: 0 0 .9rem 0 !important; box-shadow: 0 1px 4px rgba(15, 23, 42, .07); overflow: hidden; }
#jobsai-results .gr-group.jobsai-card > .gr-group.jobsai-card { border: none !important; box-shadow: none;
  margin: 0 !important; border-radius: 0 !important; }
.jobsai-card .styler, .jobsai-card .block { background: transparent !important; border: none !important;
  box-shadow: none !important; }
.jobsai-card-body { padding: 1rem 1.2rem .1rem 1.2rem; }
.jobsai-card-head { display: flex; justify-content: space-between; align-items: flex-start; gap: 1rem; }
.jobsai-card-head h3 { font-size: 1.15rem; margin: 0 0 .2rem 0; line-height: 1.3; }
.jobsai-card-head h3 a { text-decoration: none; color: inherit; }
.jobsai-card-head h3 a:hover, .jobsai-card-head h3 a:focus { text-decoration: underline; }
.jobsai-rank { color: var(--body-text-color-subdued); font-weight: 400; }
.jobsai-score { flex: 0 0 auto; min-width: 112px; text-align: right; }
.jobsai-score-num { font-size: 1.6rem; font-weight: 700; color: var(--color-accent); }
.jobsai-score-max { color: var(--body-text-color-subdued); margin-left: 2px; }
.jobsai-score-word { display: block; font-size: .8rem; color: var(--body-text-color-subdued); }
.jobsai-bar { display: block; height: 6px; background: var(--border-color-primary); border-radius: 3px;
  margin-top: 4px; overflow: hidden; }
.jobsai-bar i { display: block; height: 100%; background: var(--color-accent); border-radius: 3px; }
.jobsai-meta { font-weight: 600; margin: .15rem 0; }
.jobsai-dates { font-size: .9rem; color: var(--body-text-color-subdued); margin: .1rem 0 .5rem 0; }
.jobsai-why { background: #f1f5f9; border-radius: 10px; padding: .55rem .9rem; margin: .45rem 0;
  font-size: .93rem; }
.dark .jobsai-why { background: #1e293b; }
.jobsai-why ul { margin: .2rem 0 0 1.1rem; padding: 0; }
.jobsai-why li { margin: .1rem 0; }
.jobsai-card mark { background: #fff3a3; color: inherit; padding: 0 2px; border-radius: 3px; }
.dark .jobsai-card mark { background: #5b4f00; }
.jobsai-excerpt { margin: .5rem 0; line-height: 1.5; }
.jobsai-full summary { cursor: pointer; color: var(--color-accent); margin: .3rem 0; }
.jobsai-ad-body { max-height: 420px; overflow: auto; padding: .3rem .8rem; border-left: 3px solid
  var(--border-color-primary); margin: .3rem 0; font-size: .93rem; }
.jobsai-links { display: flex; flex-wrap: wrap; gap: .5rem; margin: .6rem 0 .2rem 0; }
.jobsai-link { display: inline-block; padding: .35rem .8rem; border-radius: 8px; text-decoration: none;
  border: 1px solid var(--color-accent); color: var(--color-accent) !important; font-weight: 600; }
.jobsai-apply { background: var(--color-accent); color: #fff !important; }
.jobsai-link:focus, .jobsai-card button:focus-visible { outline: 3px solid #2563eb; outline-offset: 2px; }
.jobsai-feedback { align-items: center; gap: .5rem !important; flex-wrap: wrap; border-top: 1px solid
  var(--border-color-primary); padding: .6rem 1.2rem .8rem 1.2rem; background: var(--background-fill-secondary); }
.jobsai-feedback button { flex: 0 0 auto !important; min-width: 130px !important; font-weight: 600;
  border: 1px solid var(--border-color-accent, #93c5fd) !important; }
.jobsai-feedback-note { flex: 1 1 200px; }
.jobsai-feedback-note .jobsai-msg { margin: 0; padding: .35rem .7rem; font-size: .9rem; }
.jobsai-token { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: .6rem .9rem; }
.jobsai-token code { word-break: break-all; font-size: .85rem; }
.jobsai-card-body, .jobsai-understood, .jobsai-msg, .jobsai-token { overflow-wrap: anywhere; }
.jobsai-ad-body table { display: block; max-width: 100%; overflow-x: auto; }
#jobsai-footer { font-size: .85rem; color: var(--body-text-color-subdued); text-align: center; }
.jobsai-feedback button.primary { color: #fff !important; }
@media (max-width: 640px) {
  #jobsai-header { flex-direction: column; align-items: stretch; }
  #jobsai-title h1 { font-size: 1.35rem; }
  .jobsai-card-head { flex-direction: column; gap: .3rem; }
  .jobsai-score { text-align: left; }
  .jobsai-feedback button { flex: 1 1 45% !important; }
}
"""


@dataclass(frozen=True, slots=True)
class _Page:
    """Every component the event handlers read or write, and the page's per-browser state.

    Built by :func:`build_ui` from its panels (:func:`_header`, :func:`_cv_input`, :func:`_filter_panel`,
    :func:`_privacy_panel`, :func:`_results_panel`), then wired by the ``_wire_*`` functions.
    """

    # Per browser session, and no longer than a match session lives on the server: a file not yet
    # matched (see PENDING_CV_TTL_S), the results, the session handle (new filters and "show more"
    # re-rank the CV the service keeps encoded; no CV text here), the ratings.
    cv_state: Any
    view_state: Any
    session_state: Any
    labels_state: Any
    title: Any
    lang: Any
    tab_upload: Any
    tab_paste: Any
    file: Any
    paste: Any
    search: Any
    filters: Any
    concept_filters: tuple[Any, ...]
    """One dropdown per public filter, in the order of ``index.filters.PUBLIC_FILTERS``."""
    published: Any
    top_k: Any
    consent: Any
    privacy: Any
    consent_msg: Any
    token_box: Any
    delete_acc: Any
    delete_token: Any
    delete_btn: Any
    delete_msg: Any
    status: Any
    understood: Any
    more: Any
    footer: Any
    timer: Any

    @property
    def search_inputs(self) -> set[Any]:
        """What a search reads; handlers get it as one dict keyed by component (see :func:`_filter_input`)."""
        return {self.cv_state, self.paste, *self.concept_filters, self.published, self.top_k, self.lang,
                self.session_state}

    @property
    def search_outputs(self) -> list[Any]:
        # status first: the page scrolls to it when results arrive (a phone shows them, not the filters)
        return [self.status, self.cv_state, self.view_state, self.session_state, self.understood, self.more]


@dataclass(frozen=True, slots=True)
class UploadRefusal:
    """Why the last uploaded file was not read, in both UI languages.

    It takes the CV's place in the page's state, so that pressing search after a refused upload
    repeats the file's own reason (scanned, password-protected, over our limits …) instead of
    "upload your CV first" (issue 14).
    """

    sv: str
    en: str

    def message(self, lang: Lang) -> str:
        return self.en if lang == "en" else self.sv


def _published_choices(lang: Lang) -> list[tuple[str, int]]:
    out = []
    for days in PUBLISHED_DAYS:
        if days == 0:
            out.append((t(lang, "any_time"), 0))
        elif days == 1:
            out.append((t(lang, "within_day"), 1))
        else:
            out.append((t(lang, "within_days", days=days), days))
    return out


def _ui_key(request: gr.Request | None) -> str | None:
    """The Gradio session hash: what a deletion clears this page's state by."""
    return getattr(request, "session_hash", None) or None


def _token_html(token: str, consent: bool, lang: Lang) -> str:
    """Where to delete what was given: shown as soon as anything is stored."""
    intro = t(lang, "token_intro_consent" if consent else "token_intro_no_consent")
    safe = html.escape(token)
    return (
        f'<div class="jobsai-token" role="status"><p>{intro}</p><p>{t(lang, "token_keep")}</p>'
        f'<p><a href="{html.escape(delete_link(token, lang))}" target="_blank" rel="noopener noreferrer">'
        f'{t(lang, "token_link")}</a></p>'
        f'<p><code id="jobsai-deletion-token">{safe}</code></p></div>'
    )


def _read_upload(path: str, max_bytes: int) -> tuple[bytes, str]:
    """The uploaded file's bytes (at most ``max_bytes + 1``), then the temporary copy is deleted.

    Gradio keeps uploads in its cache directory; a CV must not stay on disk after it was read.
    """
    p = Path(path)
    try:
        with p.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    finally:
        cache_root = Path(os.environ.get("GRADIO_TEMP_DIR") or Path(tempfile.gettempdir()) / "gradio").resolve()
        try:
            if p.resolve().is_relative_to(cache_root):
                p.unlink(missing_ok=True)
        except OSError:
            log.warning("could not delete an uploaded file from Gradio's cache")
    return data, p.name


def build_ui(service: WebService, upload_credits: UploadCredits | None = None) -> gr.Blocks:
    """The whole UI, wired to ``service``; no state outside the Blocks and its sessions.

    ``upload_credits``: the uploads that Gradio's upload route has already charged to their client
    (:class:`~jobsai.web.middleware.UploadRateLimitMiddleware`); the upload event charges only a file
    without one, so that one upload costs one token. Without it every upload event is charged.
    """
    ttl = service.settings.web_session_ttl_s
    # Every upload is read and deleted by its event at once; delete_cache removes what no event read
    # (a client may post to the upload route alone) within minutes: checked every 2 min, older than 5.
    with gr.Blocks(title="JobsAI", analytics_enabled=False, delete_cache=UPLOAD_CACHE_SWEEP) as demo:
        cv_state = gr.State(None, time_to_live=min(ttl, PENDING_CV_TTL_S))
        view_state = gr.State(None, time_to_live=ttl)
        session_state = gr.State(None, time_to_live=ttl)
        labels_state = gr.State({}, time_to_live=ttl)
        title, lang = _header()
        with gr.Row(equal_height=False):
            with gr.Column(scale=1, min_width=300, elem_id="jobsai-input"):
                tab_upload, tab_paste, file, paste, search = _cv_input()
                filters, concept_filters, published, top_k = _filter_panel()
                consent, privacy, consent_msg, token_box, delete_acc, delete_token, delete_btn, delete_msg = (
                    _privacy_panel()
                )
            with gr.Column(scale=2, min_width=320, elem_id="jobsai-results"):
                status, understood, more = _results_panel(
                    service, view_state, lang, labels_state, session_state, consent, token_box
                )
                alert_panel(service, lang=lang, session=session_state, filters=concept_filters)  # job alerts
        footer = gr.Markdown(t("sv", "footer"), elem_id="jobsai-footer")
        timer = gr.Timer(2.0, active=False)
        page = _Page(
            cv_state=cv_state, view_state=view_state, session_state=session_state, labels_state=labels_state,
            title=title, lang=lang, tab_upload=tab_upload, tab_paste=tab_paste, file=file, paste=paste, search=search,
            filters=filters, concept_filters=concept_filters, published=published, top_k=top_k, consent=consent,
            privacy=privacy, consent_msg=consent_msg, token_box=token_box, delete_acc=delete_acc,
            delete_token=delete_token, delete_btn=delete_btn, delete_msg=delete_msg, status=status,
            understood=understood, more=more, footer=footer, timer=timer,
        )
        _wire_search(page, service, upload_credits)
        _wire_consent(page, service)
        _wire_delete(page, service)
        _wire_readiness(demo, page, service)
        _wire_language(page)

    demo.queue(default_concurrency_limit=None, max_size=256)
    demo.state_session_capacity = service.settings.web_max_sessions  # Gradio keeps 10,000 pages' state by default
    _forget_with_the_page(demo, page, service)
    return demo


# -- panels ---------------------------------------------------------------------------------------

_PRIVATE = MappingProxyType({"api_visibility": "private", "concurrency_limit": None})
"""Every event: not part of Gradio's API, and no per-event queue limit (the service bounds the work)."""


def _header() -> tuple[Any, Any]:
    """The title and the language toggle."""
    with gr.Row(elem_id="jobsai-header", equal_height=False):
        title = gr.Markdown(f"# {t('sv', 'title')}\n{t('sv', 'tagline')}", elem_id="jobsai-title")
        lang = gr.Radio(
            choices=[("Svenska", "sv"), ("English", "en")], value="sv", label=t("sv", "language"),
            elem_id="jobsai-lang", scale=0, min_width=270,
        )
    return title, lang


def _cv_input() -> tuple[Any, Any, Any, Any, Any]:
    """Upload or paste the CV, and the search button: (upload tab, paste tab, file, paste box, button)."""
    with gr.Tabs():
        with gr.Tab(t("sv", "tab_upload"), id="upload") as tab_upload:
            file = gr.File(
                label=t("sv", "upload_label"), file_types=[".pdf", ".docx", ".txt"], type="filepath",
                elem_id="cv-file", height=140,
            )
        with gr.Tab(t("sv", "tab_paste"), id="paste") as tab_paste:
            paste = gr.Textbox(
                label=t("sv", "paste_label"), placeholder=t("sv", "paste_placeholder"), lines=8,
                max_lines=24, elem_id="cv-paste",
            )
    search = gr.Button(t("sv", "search"), variant="primary", elem_id="search-btn")
    return tab_upload, tab_paste, file, paste, search


def _filter_panel() -> tuple[Any, tuple[Any, ...], Any, Any]:
    """(the accordion, one dropdown per public filter, published within, number of results)."""
    with gr.Accordion(t("sv", "filters"), open=True) as accordion:
        dropdowns = tuple(
            gr.Dropdown(
                choices=[], value=[], multiselect=True, filterable=True, label=f.label("sv"),
                info=t("sv", "choose_any") if i == 0 else None, elem_id=f"filter-{f.option}",
            )
            for i, f in enumerate(PUBLIC_FILTERS)
        )
        published = gr.Dropdown(
            choices=_published_choices("sv"), value=0, label=t("sv", "published_within"),
            filterable=False, elem_id="filter-published",
        )
        top_k = gr.Slider(5, MAX_TOP_K, value=10, step=5, label=t("sv", "top_k"), elem_id="top-k")
    return accordion, dropdowns, published, top_k


def _privacy_panel() -> tuple[Any, ...]:
    """Consent, what is kept, the deletion code and the deletion form: (consent, privacy note, consent
    message, token box, deletion accordion, deletion code, deletion button, deletion message)."""
    consent = gr.Checkbox(value=False, label=t("sv", "consent"), elem_id="consent")
    privacy = gr.Markdown(t("sv", "privacy_note"), elem_id="privacy-note")
    consent_msg = gr.HTML("", elem_id="consent-msg", js_on_load=None)
    token_box = gr.HTML("", elem_id="token-box", js_on_load=None)
    with gr.Accordion(t("sv", "delete_title"), open=False, elem_id="delete-acc") as delete_acc:
        delete_token = gr.Textbox(label=t("sv", "delete_token"), elem_id="delete-token", max_lines=1)
        delete_btn = gr.Button(t("sv", "delete_button"), variant="stop", elem_id="delete-btn")
        delete_msg = gr.HTML("", elem_id="delete-msg", js_on_load=None)
    return consent, privacy, consent_msg, token_box, delete_acc, delete_token, delete_btn, delete_msg


def _results_panel(
    service: WebService, view_state: Any, lang: Any, labels_state: Any, session_state: Any, consent: Any,
    token_box: Any,
) -> tuple[Any, Any, Any]:
    """The status line, what was understood, the result cards (drawn per search) and "show more"."""
    status = gr.HTML(message_html(t("sv", "status_start")), elem_id="status", js_on_load=None)
    understood = gr.HTML("", elem_id="understood", js_on_load=None)

    @gr.render(
        inputs=[view_state, lang, labels_state], triggers=[view_state.change, lang.change],
        concurrency_limit=None, show_progress="hidden",
    )
    def draw_cards(view: MatchOutcome | None, lang_value: str, labels: dict[str, str]) -> None:
        if view is None:
            return
        for card in view.cards:
            _draw_card(service, card, as_lang(lang_value), (labels or {}).get(card.ad.id),
                       session_state, consent, lang, labels_state, token_box)

    more = gr.Button(t("sv", "show_more"), visible=False, elem_id="more-btn")
    return status, understood, more


def _draw_card(
    service: WebService, card: CardView, lang_code: Lang, chosen: str | None, session_state: Any, consent: Any,
    lang: Any, labels_state: Any, token_box: Any,
) -> None:
    """One result card with its Relevant / Not relevant buttons (inside :func:`_results_panel`'s render)."""
    with gr.Group(elem_classes=["jobsai-card"]):
        gr.HTML(card_html(card, lang_code), js_on_load=None, elem_classes=["jobsai-card-html"])
        with gr.Row(elem_classes=["jobsai-feedback"], equal_height=True):
            rel = gr.Button(
                _button_label(lang_code, "relevant", chosen), size="sm", scale=0, min_width=120,
                variant="primary" if chosen == "relevant" else "secondary", elem_classes=["jobsai-relevant"],
            )
            notrel = gr.Button(
                _button_label(lang_code, "not_relevant", chosen), size="sm", scale=0, min_width=120,
                variant="primary" if chosen == "not_relevant" else "secondary",
                elem_classes=["jobsai-not-relevant"],
            )
            note = gr.HTML(
                message_html(t(lang_code, f"saved_{chosen}"), "ok") if chosen else "",
                js_on_load=None, elem_classes=["jobsai-feedback-note"],
            )
    for button, label in ((rel, "relevant"), (notrel, "not_relevant")):
        button.click(
            _feedback_handler(service, card.ad.id, label),
            inputs=[session_state, consent, lang, labels_state],
            outputs=[rel, notrel, note, labels_state, token_box],
            api_visibility="private", show_progress="minimal", concurrency_limit=None,
        )


# -- events ---------------------------------------------------------------------------------------


def _filter_input(page: _Page, values: Mapping[Any, Any]) -> tuple[FilterInput, int]:
    """The filters and the number of results a search's inputs ask for."""
    chosen = {f.name: tuple(values[d] or ()) for f, d in zip(PUBLIC_FILTERS, page.concept_filters, strict=True)}
    days = values[page.published]
    filters = FilterInput(published_within_days=int(days) if days else None, **chosen)
    return filters, max(1, min(MAX_TOP_K, int(values[page.top_k] or 10)))


def _wire_search(page: _Page, service: WebService, upload_credits: UploadCredits | None) -> None:
    """Upload, search, a changed filter and "show more": each matches (or re-ranks) and shows the results."""
    settings = service.settings

    def run_search(
        values: Mapping[Any, Any], request: gr.Request | None, *, quiet: bool = False,
        fresh: CVText | None = None, rated: bool = False,
    ) -> dict[Any, Any]:
        """Match ``fresh`` (a file just read), else the pasted text, else a pending file, else
        re-rank the session's CV (new filters, more results). ``rated``: the caller has
        checked the rate limit already (an upload, before reading the file)."""
        lang_code = as_lang(values[page.lang])
        pending, pasted, session = values[page.cv_state], values[page.paste], values[page.session_state]
        if isinstance(pending, UploadRefusal) and fresh is None and not (pasted and pasted.strip()):
            return {} if quiet else {page.status: message_html(pending.message(lang_code), "error")}
        cv, from_paste = fresh, False
        if cv is None and pasted and pasted.strip():
            try:
                cv, from_paste = service.paste_cv(pasted), True
            except JobsAIError as exc:
                return {page.status: _error_html(settings, exc, lang_code)}
        cv = cv or pending
        if cv is None and session is None:
            if quiet:
                return {}
            return {page.status: message_html(t(lang_code, "status_need_cv"), "error")}
        filters, top = _filter_input(page, values)
        try:
            if not rated:
                service.check_rate("match", request_client(request))
            if cv is not None:
                outcome = service.match(cv, filters, top, previous=session, ui_key=_ui_key(request))
            else:
                outcome = service.rematch(session, filters, top)
        except JobsAIError as exc:
            # A file not matched yet waits for the next try; pasted text is in its box already.
            waiting = {page.cv_state: cv} if cv is not None and not from_paste else {}
            return {**waiting, page.status: _error_html(settings, exc, lang_code)}
        n = len(outcome.cards)
        message = (
            message_html(t(lang_code, "status_results", n=n), "info") if n
            else message_html(t(lang_code, "status_no_results"), "error")
        )
        return {
            page.status: message, page.cv_state: None, page.view_state: outcome, page.session_state: outcome.ref,
            page.understood: _understood(outcome, lang_code),
            page.more: gr.update(visible=n >= top and top < MAX_TOP_K),
        }

    def on_upload(values: dict[Any, Any], request: gr.Request) -> dict[Any, Any]:
        path = values[page.file]
        if not path:
            return {}
        try:
            data, name = _read_upload(path, settings.max_upload_bytes)
            client = request_client(request)
            # before the file is read: a refused upload is never parsed. One the upload route charged
            # (this client, this path, not read yet) is not charged again; any other upload is.
            if upload_credits is None or not upload_credits.redeem(client, path):
                service.check_rate("match", client)
            cv = service.read_cv(data, name, client=client)
        except JobsAIError as exc:
            refusal = UploadRefusal(*(_error_message(settings, exc, lang) for lang in ("sv", "en")))
            return {page.cv_state: refusal, page.status: _error_html(settings, exc, as_lang(values[page.lang])),
                    page.understood: ""}
        # The new file wins over text pasted earlier: the paste box is emptied.
        found = run_search({**values, page.cv_state: None, page.paste: ""}, request, fresh=cv, rated=True)
        return {**found, page.paste: ""}

    def on_search(values: dict[Any, Any], request: gr.Request) -> dict[Any, Any]:
        return run_search(values, request)

    def on_filter(values: dict[Any, Any], request: gr.Request) -> dict[Any, Any]:
        return run_search(values, request, quiet=True)

    def on_more(k: float) -> int:
        return min(MAX_TOP_K, int(k or 10) + TOP_K_STEP)

    inputs, outputs = page.search_inputs, page.search_outputs
    page.file.upload(
        on_upload, inputs={page.file, *inputs}, outputs=[*outputs, page.paste], scroll_to_output=True,
        **_PRIVATE,
    )
    page.search.click(on_search, inputs=inputs, outputs=outputs, scroll_to_output=True, **_PRIVATE)
    page.paste.submit(on_search, inputs=inputs, outputs=outputs, **_PRIVATE)
    for component in (*page.concept_filters, page.published, page.top_k):
        component.input(
            on_filter, inputs=inputs, outputs=outputs, trigger_mode="always_last", **_PRIVATE
        )
    page.more.click(on_more, inputs=[page.top_k], outputs=[page.top_k], **_PRIVATE).then(
        on_search, inputs=inputs, outputs=outputs, **_PRIVATE
    )


def _wire_consent(page: _Page, service: WebService) -> None:
    """A changed consent answer applies to what this session already gave."""

    def on_consent(given: bool, session: SessionRef | None, lang_value: str, request: gr.Request) -> str:
        lang_code = as_lang(lang_value)
        if session is None:
            return message_html(t(lang_code, "consent_given"), "ok") if given else ""
        try:
            service.check_rate("light", request_client(request))
            n = service.set_consent(session.session_id, bool(given))
        except JobsAIError as exc:
            return _error_html(service.settings, exc, lang_code)
        if given:
            return message_html(t(lang_code, "consent_given"), "ok")
        return message_html(t(lang_code, "consent_withdrawn", n=n), "ok") if n else ""

    page.consent.input(
        on_consent, inputs=[page.consent, page.session_state, page.lang], outputs=[page.consent_msg],
        **_PRIVATE,
    )


def _wire_delete(page: _Page, service: WebService) -> None:
    """Delete what was given under a code; this page's own code also clears the page."""

    def on_delete(token: str, lang_value: str, session: SessionRef | None, request: gr.Request) -> dict[Any, Any]:
        lang_code = as_lang(lang_value)
        token = (token or "").strip()
        if not token:
            return {page.delete_msg: message_html(t(lang_code, "delete_missing"), "error")}
        try:
            service.check_rate("light", request_client(request))
            n = service.delete(token)
        except JobsAIError as exc:
            return {page.delete_msg: _error_html(service.settings, exc, lang_code)}
        message = (
            message_html(t(lang_code, "delete_done", n=n), "ok") if n
            else message_html(t(lang_code, "delete_none"), "info")
        )
        if session is not None and session.deletion_token == token:
            # This page's own data: forget the search too (results, CV, file, the code itself).
            return {
                page.delete_msg: message, page.session_state: None, page.token_box: "", page.labels_state: {},
                page.cv_state: None, page.view_state: None, page.understood: "",
                page.status: message_html(t(lang_code, "status_start")), page.paste: "", page.file: None,
                page.delete_token: "", page.more: gr.update(visible=False),
            }
        return {page.delete_msg: message}

    page.delete_btn.click(
        on_delete, inputs=[page.delete_token, page.lang, page.session_state],
        outputs=[page.delete_msg, page.session_state, page.token_box, page.labels_state, page.cv_state,
                 page.view_state, page.understood, page.status, page.paste, page.file, page.delete_token, page.more],
        **_PRIVATE,
    )


def _wire_readiness(demo: gr.Blocks, page: _Page, service: WebService) -> None:
    """While the service starts, the page says so (polling); once ready, the filters get their choices."""
    choice_outputs = list(page.concept_filters)

    def filter_updates() -> list[Any]:
        choices = service.filter_choices()
        return [
            gr.update(choices=[(f"{c.label or c.concept_id} ({c.n_live_ads})", c.concept_id) for c in choices[f.name]])
            for f in PUBLIC_FILTERS
        ]

    def readiness_updates(lang_code: Lang) -> tuple[list[Any], Any, Any]:
        state = service.readiness()
        if state.ready:
            start = message_html(t(lang_code, "status_start")) + _stale_notice(state, lang_code)
            return filter_updates(), start, gr.Timer(active=False)
        key = "status_failed" if state.stage == "failed" else "status_loading"
        kind = "error" if state.stage == "failed" else "info"
        return (
            [gr.skip() for _ in choice_outputs], message_html(t(lang_code, key, detail=state.message), kind),
            gr.Timer(active=state.stage != "failed"),
        )

    def on_load(request: gr.Request) -> tuple[Any, ...]:
        choices, message, timer_update = readiness_updates("sv")
        params = getattr(request, "query_params", None) or {}
        token = next((params.get(p) for p in DELETE_PARAMS if params.get(p)), None)
        if token:
            return (*choices, message, timer_update, token, gr.update(open=True),
                    message_html(t("sv", "delete_prefilled"), "info"))
        return (*choices, message, timer_update, gr.skip(), gr.skip(), gr.skip())

    demo.load(
        on_load, inputs=None,
        outputs=[*choice_outputs, page.status, page.timer, page.delete_token, page.delete_acc, page.delete_msg],
        **_PRIVATE,  # type: ignore[arg-type]
    )

    def on_tick(lang_value: str, view: MatchOutcome | None) -> tuple[Any, ...]:
        choices, message, timer_update = readiness_updates(as_lang(lang_value))
        if view is not None:
            message = gr.skip()
        return (*choices, message, timer_update)

    page.timer.tick(
        on_tick, inputs=[page.lang, page.view_state], outputs=[*choice_outputs, page.status, page.timer],
        show_progress="hidden", **_PRIVATE,
    )


def _wire_language(page: _Page) -> None:
    """The language toggle: every label, the status line and what was understood, in the new language."""

    def on_lang(lang_value: str, view: MatchOutcome | None) -> tuple[Any, ...]:
        lc = as_lang(lang_value)
        updates = _language_updates(lc)
        if view is None:
            return (*updates, message_html(t(lc, "status_start")), gr.skip())
        n = len(view.cards)
        message = (
            message_html(t(lc, "status_results", n=n)) if n else message_html(t(lc, "status_no_results"), "error")
        )
        return (*updates, message, _understood(view, lc))

    page.lang.change(
        on_lang, inputs=[page.lang, page.view_state],
        outputs=[*_language_targets(page), page.status, page.understood],
        show_progress="hidden", **_PRIVATE,
    )


def _forget_with_the_page(demo: gr.Blocks, page: _Page, service: WebService) -> None:
    """Drop a page's Gradio state when a deletion removes its sessions, and what may be CV text when it closes."""

    def forget_pages(keys: Sequence[str]) -> None:
        """A deletion removed these pages' sessions: drop their Gradio state (results, values shown)."""
        holder = getattr(demo, "state_holder", None)  # set when the app mounts the Blocks
        if holder is None:
            return
        for key in keys:
            if key in holder:
                holder.delete_state(key)
                with holder.lock:
                    holder.session_data.pop(key, None)
                    holder.time_last_used.pop(key, None)

    service.on_delete(forget_pages)

    def on_unload(request: gr.Request) -> None:
        """The tab closed: Gradio keeps its state for an hour more, and every input's last value for
        as long as the session is held; drop what may be CV text (a pending file, the paste box)."""
        holder = getattr(demo, "state_holder", None)
        session = holder.session_data.get(_ui_key(request) or "") if holder is not None else None
        if session is None:
            return
        session.state_data.pop(page.cv_state._id, None)
        shown = session.config_values.get(page.paste._id)
        if isinstance(shown, dict) and isinstance(shown.get("props"), dict):
            shown["props"]["value"] = ""

    demo.unload(on_unload)


def _error_message(settings: Settings, exc: Exception, lang_code: Lang) -> str:
    return error_message(lang_code, exc, max_upload_bytes=settings.max_upload_bytes, min_words=settings.min_cv_words)


def _error_html(settings: Settings, exc: Exception, lang_code: Lang) -> str:
    return message_html(_error_message(settings, exc, lang_code), "error")


def _stale_notice(state: Readiness, lang: Lang) -> str:
    """A small notice under the start message when the ads have not been updated for a while (still served)."""
    health = state.health
    if health is None or not health.stale:
        return ""
    if health.last_update_age_s is None:
        return message_html(t(lang, "status_stale_never"), "info")
    return message_html(t(lang, "status_stale", hours=f"{health.last_update_age_s / 3600:.0f}"), "info")


def _understood(outcome: MatchOutcome, lang: Lang) -> str:
    return understood_html(
        lang, language=outcome.language, words=outcome.words, pages=outcome.pages, kind=outcome.kind,
        title=outcome.title, occupations=outcome.occupations, skills=outcome.skills,
    )


def _feedback_handler(service: WebService, ad_id: str, label: str) -> Any:
    """The click handler of one card's button (closes over the ad id and the label, not over a user)."""

    def on_feedback(
        session: SessionRef | None, consent: bool, lang_value: str, labels: dict[str, str], request: gr.Request
    ) -> tuple[Any, ...]:
        lang = as_lang(lang_value)
        settings = service.settings
        if session is None:
            return (gr.skip(), gr.skip(), message_html(t(lang, "err_session"), "error"), gr.skip(), gr.skip())
        try:
            service.check_rate("light", request_client(request))
            outcome = service.feedback(session.session_id, ad_id, label, bool(consent))  # type: ignore[arg-type]
        except JobsAIError as exc:
            text = error_message(lang, exc, max_upload_bytes=settings.max_upload_bytes, min_words=settings.min_cv_words)
            return (gr.skip(), gr.skip(), message_html(text, "error"), gr.skip(), gr.skip())
        new_labels = {**(labels or {}), ad_id: label}
        return (
            gr.update(value=_button_label(lang, "relevant", label),
                      variant="primary" if label == "relevant" else "secondary"),
            gr.update(value=_button_label(lang, "not_relevant", label),
                      variant="primary" if label == "not_relevant" else "secondary"),
            message_html(t(lang, f"saved_{label}"), "ok"),
            new_labels,
            _token_html(outcome.deletion_token or session.deletion_token, outcome.consent, lang),
        )

    return on_feedback


def _button_label(lang: Lang, label: str, chosen: str | None) -> str:
    """The feedback button's text; the chosen one carries a check mark (not only a colour)."""
    return ("✓ " if chosen == label else "") + t(lang, label)


def _language_targets(page: _Page) -> list[Any]:
    return [
        page.title, page.lang, page.tab_upload, page.tab_paste, page.file, page.paste, page.filters,
        *page.concept_filters, page.published, page.top_k, page.search, page.more, page.consent, page.privacy,
        page.delete_acc, page.delete_token, page.delete_btn, page.footer,
    ]


def _language_updates(lang: Lang) -> list[Any]:
    """New words for every labelled component, in the order of :func:`_language_targets`."""
    return [
        gr.update(value=f"# {t(lang, 'title')}\n{t(lang, 'tagline')}"),
        gr.update(label=t(lang, "language")),
        gr.update(label=t(lang, "tab_upload")),
        gr.update(label=t(lang, "tab_paste")),
        gr.update(label=t(lang, "upload_label")),
        gr.update(label=t(lang, "paste_label"), placeholder=t(lang, "paste_placeholder")),
        gr.update(label=t(lang, "filters")),
        *(
            gr.update(label=f.label(lang), info=t(lang, "choose_any") if i == 0 else None)
            for i, f in enumerate(PUBLIC_FILTERS)
        ),
        gr.update(label=t(lang, "published_within"), choices=_published_choices(lang)),
        gr.update(label=t(lang, "top_k")),
        gr.update(value=t(lang, "search")),
        gr.update(value=t(lang, "show_more")),
        gr.update(label=t(lang, "consent")),
        gr.update(value=t(lang, "privacy_note")),
        gr.update(label=t(lang, "delete_title")),
        gr.update(label=t(lang, "delete_token")),
        gr.update(value=t(lang, "delete_button")),
        gr.update(value=t(lang, "footer")),
    ]


def mount_kwargs(service: WebService) -> dict[str, Any]:
    """Options for ``gr.mount_gradio_app``: privacy-minded defaults and the theme."""
    theme = gr.themes.Soft(
        primary_hue="blue",
        font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"],
        font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
    )
    return {
        "max_file_size": service.settings.max_upload_bytes,
        "footer_links": [],
        "run_history": False,  # would keep CV text in the browser's storage
        "ssr_mode": False,
        "show_error": False,
        "theme": theme,
        "css": CSS,
        "head": '<meta name="viewport" content="width=device-width, initial-scale=1">',
    }
