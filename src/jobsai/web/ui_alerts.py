"""The UI's alert panel (issue 12): "Bevaka nya jobb som passar" / "Alert me to new matching jobs".

Shown under the results; it makes an alert from the page's match session with the filters in use. It says
exactly what is stored and needs the consent box ticked. Nothing here keeps state outside the page's own
components; the alert itself lives in the database (:mod:`jobsai.alerts`).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import gradio as gr

from jobsai.alerts.service import AlertRequest
from jobsai.errors import JobsAIError
from jobsai.index.filters import PUBLIC_FILTERS
from jobsai.match.filters import FilterInput
from jobsai.web.alerts_api import create_alert_for_session
from jobsai.web.i18n import Lang, as_lang, t
from jobsai.web.proxies import request_client
from jobsai.web.render import message_html
from jobsai.web.service import SessionRef, WebService


def _choices(lang: Lang, *pairs: tuple[str, str]) -> list[tuple[str, str]]:
    return [(t(lang, key), value) for key, value in pairs]


CHANNELS = (("alert_email_choice", "email"), ("alert_feed_choice", "feed"))
LEVELS = (("alert_very_good", "very_good"), ("alert_good", "good"))
FREQUENCIES = (("alert_instant", "instant"), ("alert_daily", "daily"))


def _link(url: str | None) -> str:
    return f'<a href="{html.escape(url)}" rel="noreferrer">{html.escape(url)}</a>' if url else ""


def alert_panel(service: WebService, *, lang: Any, session: Any, filters: Sequence[Any]) -> gr.Accordion:
    """Build the panel inside the current Blocks context and wire it; ``filters`` are the page's filter
    dropdowns, one per filter of ``index.filters.PUBLIC_FILTERS`` in that order."""
    dropdowns = tuple(filters)
    if len(dropdowns) != len(PUBLIC_FILTERS):
        raise ValueError("alert_panel needs one dropdown per public filter")
    with gr.Accordion(t("sv", "alert_title"), open=False, elem_id="alert-acc") as panel:
        intro = gr.Markdown(t("sv", "alert_intro") + "\n\n" + t("sv", "alert_stored"), elem_id="alert-intro")
        channel = gr.Radio(_choices("sv", *CHANNELS), value="email", label=t("sv", "alert_channel"),
                           elem_id="alert-channel")
        email = gr.Textbox(label=t("sv", "alert_email"), max_lines=1, elem_id="alert-email", type="email")
        level = gr.Radio(_choices("sv", *LEVELS), value="very_good", label=t("sv", "alert_level"),
                         elem_id="alert-level")
        frequency = gr.Radio(_choices("sv", *FREQUENCIES), value="instant", label=t("sv", "alert_frequency"),
                             elem_id="alert-frequency")
        consent = gr.Checkbox(value=False, label=t("sv", "alert_consent"), elem_id="alert-consent")
        create = gr.Button(t("sv", "alert_create"), variant="primary", elem_id="alert-create")
        result = gr.HTML("", elem_id="alert-result", js_on_load=None)

    def on_channel(value: str) -> Any:
        return gr.update(visible=value == "email")

    def on_create(values: dict[Any, Any], request: gr.Request) -> str:
        ref: SessionRef | None = values[session]
        code = as_lang(values[lang])
        channel_value, address, level_value = values[channel], values[email], values[level]
        frequency_value, agreed = values[frequency], values[consent]
        if ref is None:
            return message_html(t(code, "alert_need_match"), "error")
        if not agreed:
            return message_html(t(code, "alert_need_consent"), "error")
        chosen = {f.name: tuple(values[box] or ()) for f, box in zip(PUBLIC_FILTERS, dropdowns, strict=True)}
        filters = FilterInput(published_within_days=None, **chosen)  # new ads are always recent
        alert = AlertRequest("feed" if channel_value == "feed" else "email", (address or "").strip() or None, code,
                             "good" if level_value == "good" else "very_good",
                             "daily" if frequency_value == "daily" else "instant", True)
        try:
            service.check_rate("match", request_client(request))
            created = create_alert_for_session(service, ref.session_id, ref.deletion_token, alert, filters)
        except JobsAIError as exc:
            return message_html(str(exc), "error")
        view = created.view
        if view.channel == "feed":
            text = t(code, "alert_created_feed", feed="{feed}", manage="{manage}")
        else:
            text = t(code, "alert_created_email", email="{email}", manage="{manage}")
        body = (html.escape(text).replace("{feed}", _link(view.feed_url)).replace("{manage}", _link(view.manage_url))
                .replace("{email}", html.escape(view.email or "")))
        return (f'<div class="jobsai-msg jobsai-msg-ok" role="status">{body}<br>'
                f'{html.escape(t(code, "alert_threshold", score=view.min_score))}</div>')

    def relabel(lang_value: str) -> tuple[Any, ...]:
        code = as_lang(lang_value)
        return (gr.update(label=t(code, "alert_title")),
                gr.update(value=t(code, "alert_intro") + "\n\n" + t(code, "alert_stored")),
                gr.update(choices=_choices(code, *CHANNELS), label=t(code, "alert_channel")),
                gr.update(label=t(code, "alert_email")),
                gr.update(choices=_choices(code, *LEVELS), label=t(code, "alert_level")),
                gr.update(choices=_choices(code, *FREQUENCIES), label=t(code, "alert_frequency")),
                gr.update(label=t(code, "alert_consent")), gr.update(value=t(code, "alert_create")))

    common: dict[str, Any] = {"api_visibility": "private", "concurrency_limit": None}
    channel.change(on_channel, inputs=[channel], outputs=[email], **common)
    create.click(on_create, inputs={session, lang, channel, email, level, frequency, consent, *dropdowns},
                 outputs=[result], **common)
    lang.change(relabel, inputs=[lang], outputs=[panel, intro, channel, email, level, frequency, consent, create],
                **common)
    return panel
