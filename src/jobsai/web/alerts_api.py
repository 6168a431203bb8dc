"""Job alerts over HTTP (issue 12): made from a match session, confirmed, managed and read by secret links.

JSON under ``/api/v1/alerts`` for programs, and small HTML pages for the links people follow from an
e-mail (confirm, manage): a GET shows a page with a button, the button POSTs, so a mail scanner that
prefetches links confirms or deletes nothing. Every token is a path segment, masked in access logs.
"""

from __future__ import annotations

import html
import secrets
from dataclasses import replace
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from jobsai.alerts.errors import AlertError, AlertNotFoundError, AlertRequestError, AlertUnavailableError
from jobsai.alerts.feed import MEDIA_TYPE
from jobsai.alerts.service import AlertRequest, AlertService, AlertView, CreatedAlert
from jobsai.match.filters import FilterInput, resolve_filter
from jobsai.sources.ads import PLATSBANKEN_URL
from jobsai.store.feedback import hash_token
from jobsai.web.api import TOKEN_PATTERN, Filters, get_service, rate_limited, run_blocking
from jobsai.web.errors import NotReadyError, SessionNotFoundError
from jobsai.web.i18n import Lang, as_lang, t
from jobsai.web.render import safe_url
from jobsai.web.service import WebService

Token = Annotated[str, Path(pattern=TOKEN_PATTERN)]
Service = Annotated[WebService, Depends(get_service)]


class AlertCreateRequest(BaseModel):
    """``POST /api/v1/alerts``: an alert from the match session named (its id and deletion token)."""

    model_config = ConfigDict(extra="forbid")

    session_id: str = Field(min_length=8, max_length=64)
    deletion_token: str = Field(pattern=TOKEN_PATTERN, description="The match's deletion token: proves the session "
                                "is yours.")
    channel: Literal["email", "feed"]
    email: str | None = Field(default=None, max_length=254)
    language: Literal["sv", "en"] | None = Field(default=None, description="The messages' language; default: "
                                                 "the CV's (Swedish when it is neither).")
    level: Literal["very_good", "good"] = "very_good"
    frequency: Literal["instant", "daily"] = "instant"
    filters: Filters = Field(default_factory=Filters)
    consent: bool = Field(description="Must be true: you agree that the CV's vectors, its title line, the filters, "
                          "the threshold and (for e-mail) the address are stored. The CV's text is not stored.")


class AlertChangeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    paused: bool | None = None
    level: Literal["very_good", "good"] | None = None
    frequency: Literal["instant", "daily"] | None = None


class AlertResponse(BaseModel):
    status: str = Field(description="pending (waiting for the e-mail confirmation), active, paused or needs_refresh "
                        "(the matching model changed: upload the CV again)")
    paused_reason: str | None
    channel: str
    email: str | None
    language: str
    level: str
    min_score: int = Field(description="New ads with at least this match score (0–100) are sent.")
    thresholds: dict[str, int]
    frequency: str
    filters: dict[str, list[str]] = Field(description="Taxonomy concept ids by field.")
    title_line: str | None = Field(description="The CV's title or goal line kept for the explanations (redacted).")
    created_at: datetime
    manage_url: str | None = Field(description="Secret: pause, change or delete the alert.")
    feed_url: str | None = Field(description="Secret: the private Atom feed (feed alerts).")
    manage_token: str | None = None
    queued: int
    sent: int


class AlertDeleted(BaseModel):
    deleted: int = Field(description="Alerts deleted (with every row stored for them).")


def _response(view: AlertView, token: str | None = None) -> AlertResponse:
    return AlertResponse(
        status=view.status, paused_reason=view.paused_reason, channel=view.channel, email=view.email,
        language=view.language, level=view.level, min_score=view.min_score, thresholds=dict(view.thresholds),
        frequency=view.frequency, filters={k: list(v) for k, v in view.filters.items()}, title_line=view.title_line,
        created_at=view.created_at, manage_url=view.manage_url, feed_url=view.feed_url, manage_token=token,
        queued=view.queued, sent=view.sent,
    )


def alert_service(service: WebService) -> AlertService:
    """An :class:`AlertService` on the serving runtime's database (made per call: nothing is kept)."""
    rt = service.runtime
    if rt is None:
        raise NotReadyError("JobsAI is starting; try again in a moment.")
    return AlertService(service.settings, rt.db.begin)


def create_alert_for_session(service: WebService, session_id: str, deletion_token: str, request: AlertRequest,
                             filters: FilterInput) -> CreatedAlert:
    """Make an alert from a live match session of this process (its encoded CV; the CV text is not needed).

    The session must have been encoded by the model that serves now: its vectors are what the alert keeps.
    """
    rt = service.runtime
    session = service.sessions.get(session_id)
    if (rt is None or session is None or session.prepared is None
            or not secrets.compare_digest(session.deletion_token.encode(), deletion_token.encode())):
        raise SessionNotFoundError("This search has expired or was deleted; run the match again, then create the "
                                   "alert.")
    if session.served_by != f"{service.model_version} {rt.index_name}":
        raise SessionNotFoundError("The matching model was just updated; run the match again, then create the alert.")
    with rt.db.begin(readonly=True) as conn:
        flt = resolve_filter(conn, filters)
    scores = [s.score for s in session.shown.values()]
    if not request.language:  # the API left it open: the CV's language
        request = replace(request, language=session.language if session.language in ("sv", "en") else "sv")
    return alert_service(service).create(request, session.prepared, rt.embedder.fingerprint, flt, scores,
                                         session_token_hash=hash_token(deletion_token))


def _error(exc: AlertError) -> JSONResponse:
    if isinstance(exc, AlertNotFoundError):
        return JSONResponse({"error": "not_found", "message": str(exc)}, status_code=404)
    if isinstance(exc, AlertUnavailableError):
        return JSONResponse({"error": "alerts_unavailable", "message": str(exc)}, status_code=503)
    return JSONResponse({"error": "invalid_alert", "message": str(exc)}, status_code=422)


# -- HTML pages for the links in e-mails ---------------------------------------------------------



def _page(lang: str, title: str, body: str, status: int = 200) -> HTMLResponse:
    doc = (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><meta name="robots" content="noindex">'
           f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{html.escape(title)}</title>'
           f"</head><body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>")
    return HTMLResponse(doc, status_code=status, headers={"Cache-Control": "no-store"})


def _not_found_page(title: str) -> HTMLResponse:
    """The page for a link to no alert (deleted, expired or never made): in Swedish, as no alert says otherwise."""
    return _page("sv", t("sv", f"alert_page_{title}"), f"<p>{html.escape(t('sv', 'alert_page_not_found'))}</p>", 404)


def _lang(value: str | None) -> Lang:
    return as_lang(value or "sv")


def _button(action: str, label: str) -> str:
    return (f'<form method="post"><input type="hidden" name="action" value="{html.escape(action)}">'
            f'<button type="submit">{html.escape(label)}</button></form>')


def _manage_body(view: AlertView, lang: str) -> str:
    def w(key: str) -> str:
        return t(lang, f"alert_page_{key}")

    rows = [(w("status"), view.status + (f" ({view.paused_reason})" if view.paused_reason else "")),
            (w("threshold"), str(view.min_score)), (w("frequency"), view.frequency)]
    table = "".join(f"<p>{html.escape(k)}: <b>{html.escape(v)}</b></p>" for k, v in rows)
    toggle = _button("resume", w("resume")) if view.status == "paused" else _button("pause", w("pause"))
    return f"{table}<p>{html.escape(w('stored'))}</p>{toggle}{_button('delete', w('delete'))}"


def alerts_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1/alerts", tags=["alerts"])
    light = [Depends(rate_limited("light"))]

    @router.post("", status_code=201, response_model=AlertResponse, summary="Create an alert from a match session",
                 dependencies=[Depends(rate_limited("match"))], responses={404: {}, 422: {}, 503: {}})
    async def create(body: AlertCreateRequest, service: Service) -> AlertResponse | JSONResponse:
        """E-mail: a confirmation is sent and nothing else until its link is followed. Feed: ``feed_url`` is the
        private Atom feed. Either way ``manage_url`` (secret) pauses, changes or deletes the alert."""
        request = AlertRequest(body.channel, body.email, body.language or "", body.level, body.frequency, body.consent)
        try:
            created = await run_blocking(create_alert_for_session, service, body.session_id, body.deletion_token,
                                         request, body.filters.to_input())
        except AlertError as exc:
            return _error(exc)
        return _response(created.view, created.manage_token)

    @router.get("/confirm/{token}", response_class=HTMLResponse, include_in_schema=False, dependencies=light)
    async def confirm_page(token: Token, lang: str | None = None) -> HTMLResponse:
        code = _lang(lang)
        button = _button("confirm", t(code, "alert_page_confirm_button"))
        return _page(code, t(code, "alert_page_confirm_title"), button)

    @router.post("/confirm/{token}", response_class=HTMLResponse, include_in_schema=False, dependencies=light)
    async def confirm(token: Token, service: Service) -> HTMLResponse:
        try:
            view = await run_blocking(lambda: alert_service(service).confirm(token))
        except AlertNotFoundError:
            return _not_found_page("confirm_title")
        lang = _lang(view.language)
        return _page(lang, t(lang, "alert_page_manage_title"),
                     f"<p>{html.escape(t(lang, 'alert_page_confirmed'))}</p>" + _manage_body(view, lang))

    @router.get("/manage/{token}", response_class=HTMLResponse, include_in_schema=False, dependencies=light)
    async def manage_page(token: Token, service: Service) -> HTMLResponse:
        try:
            view = await run_blocking(lambda: alert_service(service).view(token))
        except AlertNotFoundError:
            return _not_found_page("manage_title")
        lang = _lang(view.language)
        return _page(lang, t(lang, "alert_page_manage_title"), _manage_body(view, lang))

    @router.post("/manage/{token}", response_class=HTMLResponse, include_in_schema=False, dependencies=light)
    async def manage(token: Token, request: Request, service: Service) -> HTMLResponse:
        action = str((await request.form()).get("action", ""))
        alerts = alert_service(service)
        try:
            lang = _lang((await run_blocking(alerts.view, token)).language)
            if action == "delete":
                await run_blocking(alerts.delete, token)
                done = html.escape(t(lang, "alert_page_deleted"))
                return _page(lang, t(lang, "alert_page_manage_title"), f"<p>{done}</p>")
            if action not in ("pause", "resume"):
                return _page(lang, t(lang, "alert_page_manage_title"), "<p>?</p>", 400)
            view = await run_blocking(lambda: alerts.change(token, paused=action == "pause"))
        except AlertNotFoundError:
            return _not_found_page("manage_title")
        except AlertError as exc:
            return _page(lang, t(lang, "alert_page_manage_title"), f"<p>{html.escape(str(exc))}</p>", 422)
        return _page(lang, t(lang, "alert_page_manage_title"), _manage_body(view, lang))

    @router.get("/open/{token}/{ad_id}", include_in_schema=False, dependencies=light)
    async def open_ad(token: Token, ad_id: Annotated[str, Path(max_length=100)], service: Service) -> Response:
        """An ad link from a message or the feed: counts as a sign of life, then leads to the ad on Platsbanken."""
        try:
            ad = await run_blocking(lambda: alert_service(service).open_ad(token, ad_id))
        except AlertError as exc:
            return _error(exc)
        url = safe_url(ad.webpage_url) or PLATSBANKEN_URL.format(id=ad.id)
        return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})

    @router.get("/{token}.atom", summary="The private Atom feed of a feed alert", dependencies=light,
                responses={200: {"content": {"application/atom+xml": {}}}, 404: {}})
    async def feed(token: Token, service: Service) -> Response:
        try:
            body = await run_blocking(lambda: alert_service(service).feed(token))
        except AlertError as exc:
            return _error(exc)
        return Response(body, media_type=MEDIA_TYPE, headers={"Cache-Control": "private, max-age=300"})

    @router.get("/{token}", response_model=AlertResponse, summary="An alert, by its management token",
                dependencies=light, responses={404: {}})
    async def get_alert(token: Token, service: Service) -> AlertResponse | JSONResponse:
        try:
            return _response(await run_blocking(lambda: alert_service(service).view(token)))
        except AlertError as exc:
            return _error(exc)

    @router.patch("/{token}", response_model=AlertResponse, summary="Pause, resume or change an alert",
                  dependencies=light, responses={404: {}, 422: {}})
    async def change_alert(token: Token, body: AlertChangeRequest, service: Service) -> AlertResponse | JSONResponse:
        try:
            view = await run_blocking(lambda: alert_service(service).change(
                token, paused=body.paused, level=body.level, frequency=body.frequency))
        except AlertError as exc:
            return _error(exc)
        return _response(view)

    @router.delete("/{token}", response_model=AlertDeleted, summary="Delete an alert and everything stored with it",
                   dependencies=light, responses={404: {}})
    async def delete_alert(token: Token, service: Service) -> AlertDeleted | JSONResponse:
        try:
            n = await run_blocking(lambda: alert_service(service).delete(token))
        except AlertError as exc:
            return _error(exc)
        return AlertDeleted(deleted=n)

    return router


__all__ = ["AlertRequestError", "alerts_router", "create_alert_for_session"]
