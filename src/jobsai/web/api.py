"""The HTTP API under ``/api/v1`` (documented in OpenAPI at ``/docs``), plus health checks.

Thin: every route parses and validates its input, calls :class:`~jobsai.web.service.WebService`
in a worker thread (never blocking the event loop), and shapes the answer. Errors are JSON
``{"error": code, "message": text}`` with the status that says what went wrong (see
:func:`error_status`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Annotated, Any, Literal, TypeVar

import anyio
import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException

from jobsai.cv.extract import CVText
from jobsai.errors import (
    CVError,
    FileTooLargeError,
    JobsAIError,
    NoDataError,
    ParseLimitError,
    StoreError,
    UnknownFilterValueError,
    UnsupportedFileTypeError,
    VectorIndexError,
)
from jobsai.index.filters import MAX_PUBLISHED_WITHIN_DAYS, PUBLIC_FILTERS, PUBLISHED_WITHIN
from jobsai.match.filters import FilterInput
from jobsai.web.errors import (
    AdminAuthError,
    AdminForbiddenError,
    BusyError,
    NotFoundError,
    NotReadyError,
    RateLimitedError,
    SessionNotFoundError,
)
from jobsai.web.ratelimit import TokenBucketLimiter
from jobsai.web.render import AdSummary, ad_body_html, ad_summary, highlight, plain_text, why_text
from jobsai.web.service import MAX_TOP_K, MatchOutcome, WebService

log = logging.getLogger(__name__)
T = TypeVar("T")

TOKEN_PATTERN = r"^[A-Za-z0-9_\-]{20,100}$"

# -- models -------------------------------------------------------------------------------------


def _filter_fields() -> type[BaseModel]:
    """The filters a request may give, one per public filter in ``index.filters`` (names or concept ids)."""
    value = Annotated[str, Field(max_length=200)]
    fields: dict[str, Any] = {
        f.name: (list[value], Field(default_factory=list, max_length=50)) for f in PUBLIC_FILTERS
    }
    fields[PUBLISHED_WITHIN] = (int | None, Field(default=None, ge=1, le=MAX_PUBLISHED_WITHIN_DAYS))
    return create_model("FilterFields", **fields)


class Filters(_filter_fields()):  # type: ignore[misc]
    """Names (``"Göteborg"``) or taxonomy concept ids; several values in a field mean OR."""

    model_config = ConfigDict(extra="forbid")

    def to_input(self) -> FilterInput:
        values = {f.name: tuple(getattr(self, f.name)) for f in PUBLIC_FILTERS}
        return FilterInput(published_within_days=getattr(self, PUBLISHED_WITHIN), **values)


class MatchTextRequest(BaseModel):
    """The JSON form of ``POST /api/v1/match``: CV text instead of a file."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, description="The CV as plain text.")
    filters: Filters = Field(default_factory=Filters)
    top_k: int = Field(default=10, ge=1, le=MAX_TOP_K)


class Choice(BaseModel):
    id: str
    label: str
    count: int = Field(description="Live ads with this value.")


class OccupationCount(BaseModel):
    label: str
    count: int


class Understood(BaseModel):
    language: str = Field(description="Detected CV language: sv, en or unknown.")
    words: int
    pages: int | None
    kind: str = Field(description="pdf, docx, txt or paste")
    title: str | None = Field(
        description="The CV's title line as matching read it (matched against the ads' titles); null when "
        "the CV has none."
    )
    occupations: list[OccupationCount] = Field(description="Occupations of the best results: what the CV fits.")
    skills: list[str] = Field(description="Skills from the best results' ads that the CV mentions.")


class Skills(BaseModel):
    """The ad's skills (taxonomy skills it lists or names in its text) against the CV."""

    matched: list[str] = Field(description="The ad's skills that the CV names too.")
    missing: list[str] = Field(
        description="The ad's skills the CV does not name, most specific first (at most 8): what to add, "
        "if you have it."
    )
    total: int = Field(description="How many skills the ad names: len(matched) of total are in the CV.")


class Result(AdSummary):
    rank: int
    score: int = Field(description="Match score 0–100.")
    raw_score: float
    why: str
    matched_skills: list[str] = Field(description="The same as skills.matched.")
    skills: Skills
    matched_terms: list[str] = Field(description="Words the CV and the ad share that few ads use, rarest first.")
    cv_passage: str
    excerpt: str = Field(description="The opening of the ad as plain text (tags removed; escape it to show it).")
    excerpt_html: str = Field(description="The excerpt as safe HTML, matched terms in <mark>.")


class MatchResponse(BaseModel):
    session_id: str = Field(description="Random id of this match session; name it in feedback calls.")
    deletion_token: str = Field(
        description="Secret: POST /api/v1/feedback/delete {\"token\": …} (or DELETE /api/v1/feedback/{token}) "
        "deletes all feedback given in this session."
    )
    language: str
    understood: Understood
    results: list[Result]


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: str = Field(min_length=8, max_length=64)
    ad_id: str = Field(min_length=1, max_length=100)
    label: Literal["relevant", "not_relevant"]
    consent: bool = Field(
        default=False,
        description="True: store this session's CV (redacted) with the feedback. False: store nothing of the CV "
        "and remove it from what this session already gave.",
    )


class FeedbackResponse(BaseModel):
    stored: bool
    session_id: str
    ad_id: str
    label: str
    consent: bool
    cv_stored: bool
    deletion_token: str | None = Field(
        description="The session's deletion token; null when another server than the one that answered the "
        "match took this call (servers share only the token's hash): keep the one the match returned."
    )
    delete_url: str | None


class DeleteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(pattern=TOKEN_PATTERN, description="The deletion token a match or feedback call returned.")


class DeleteResponse(BaseModel):
    deleted: int


class AdResponse(AdSummary):
    description_text: str = Field(description="Plain text (tags removed; escape it to show it).")
    description_html: str = Field(description="Sanitised HTML: no scripts, event handlers or javascript: links.")


class FiltersResponse(create_model("FilterChoices", **{f.name: (list[Choice], ...) for f in PUBLIC_FILTERS})):  # type: ignore[misc]
    # Each public filter's choices among live ads (a comment: a docstring would change the OpenAPI schema).
    pass


class ErrorResponse(BaseModel):
    error: str
    message: str


class Health(BaseModel):
    status: str


class Ready(BaseModel):
    ready: bool
    stage: str
    ads: int = Field(description="Points in the index (counted by the index).")
    model: str | None
    message: str
    store_live: int | None = Field(default=None, description="Live ads in the store (once ready).")
    index_points: int | None = Field(default=None, description="The same as ads (once ready).")
    mismatch: bool = Field(default=False, description="The index does not hold exactly the store's live ads.")
    last_update: datetime | None = Field(default=None, description="End of the last successful ingestion run.")
    last_update_age_s: float | None = None
    stale: bool = Field(
        default=False,
        description="No successful update for JOBSAI_STALE_AFTER_INTERVALS update intervals (still served).",
    )


# -- errors -------------------------------------------------------------------------------------


def error_status(exc: Exception) -> tuple[int, str]:
    """HTTP status and error code for an exception (the one place that decides)."""
    table: list[tuple[type[Exception], int, str]] = [
        (RateLimitedError, 429, "rate_limited"),
        (AdminAuthError, 401, "unauthorized"),
        (AdminForbiddenError, 403, "forbidden"),
        (FileTooLargeError, 413, "file_too_large"),
        (UnsupportedFileTypeError, 415, "unsupported_file_type"),
        (ParseLimitError, 422, "over_parse_limits"),
        (CVError, 422, "unreadable_cv"),
        (UnknownFilterValueError, 422, "unknown_filter_value"),
        (SessionNotFoundError, 404, "session_not_found"),
        (NotFoundError, 404, "not_found"),
        (NotReadyError, 503, "not_ready"),
        (NoDataError, 503, "not_ready"),
        (BusyError, 503, "busy"),
        (StoreError, 503, "store_unavailable"),
        (VectorIndexError, 503, "index_unavailable"),
        (JobsAIError, 500, "error"),
    ]
    for kind, status, code in table:
        if isinstance(exc, kind):
            return status, code
    return 500, "internal_error"


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status, headers=headers)


async def _jobsai_error(_request: Request, exc: Exception) -> JSONResponse:
    status, code = error_status(exc)
    headers = None
    if isinstance(exc, RateLimitedError):
        headers = {"Retry-After": TokenBucketLimiter.retry_after_header(exc.retry_after)}
    elif isinstance(exc, AdminAuthError):
        headers = {"WWW-Authenticate": 'Bearer realm="jobsai-admin"'}
    if status >= 500:
        log.warning("%s: %s", code, exc)
    return _error(status, code, str(exc), headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    errors = exc.errors() if isinstance(exc, RequestValidationError | ValidationError) else []
    parts = []
    for err in errors[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body",))
        parts.append(f"{where}: {err.get('msg', 'invalid')}" if where else str(err.get("msg", "invalid")))
    return _error(422, "invalid_request", "Invalid request: " + ("; ".join(parts) or "malformed input") + ".")


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return _error(exc.status_code, code, str(exc.detail), getattr(exc, "headers", None))


async def _unexpected_error(_request: Request, exc: Exception) -> JSONResponse:
    log.error("unexpected error: %s", type(exc).__name__, exc_info=exc)
    return _error(500, "internal_error", "Something went wrong on our side; please try again.")


def install_error_handlers(app: FastAPI) -> None:
    """JSON errors of one shape for every failure the API can meet."""
    app.add_exception_handler(JobsAIError, _jobsai_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": text}
    for status, text in {
        404: "Not found (unknown ad, expired session, unknown token)",
        413: "Upload too large",
        415: "Unsupported request or file type",
        422: "Unreadable CV (or one over the parsing limits), text too short, unknown filter value or invalid input",
        429: "Rate-limited: see Retry-After",
        503: "Not ready (still loading) or busy",
        504: "Took longer than the request timeout",
    }.items()
}

# -- helpers ------------------------------------------------------------------------------------


def get_service(request: Request) -> WebService:
    return request.app.state.service


def client_key(request: Request) -> str:
    """The client's IP: behind proxies listed in ``JOBSAI_WEB_TRUSTED_PROXIES``, the one they forwarded
    (:mod:`jobsai.web.proxies`); otherwise the peer's, whatever headers say."""
    return request.client.host if request.client else "unknown"


def rate_limited(kind: Literal["match", "light"]) -> Callable[..., None]:
    def check(request: Request, service: Annotated[WebService, Depends(get_service)]) -> None:
        service.check_rate(kind, client_key(request))

    return check


async def run_blocking(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run CPU or database work in a worker thread; a request timeout abandons (not blocks on) it."""
    return await anyio.to_thread.run_sync(partial(fn, *args, **kwargs), abandon_on_cancel=True)


async def read_upload(request: Request, service: WebService, data: bytes, filename: str | None) -> CVText:
    """Read an uploaded file in the service's parse pool; an abandoned request stops the work.

    The parse runs in a worker process. When the request ends early (the timeout answered 504, or
    the client went away) the event below is set and the pool kills that process at once, so no
    work outlives its request (a thread cannot be killed; a process can).
    """
    cancel = threading.Event()

    async def watch_client() -> None:
        while not cancel.is_set():
            if await request.is_disconnected():
                cancel.set()
                return
            await anyio.sleep(0.25)

    result: CVText | None = None
    try:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(watch_client)
            try:
                result = await run_blocking(
                    service.read_cv, data, filename, client=client_key(request), cancel=cancel
                )
            finally:
                tasks.cancel_scope.cancel()
    except BaseExceptionGroup as group:  # the task group wraps the parse's typed error; the handlers want it bare
        if len(group.exceptions) == 1:
            raise group.exceptions[0] from None
        raise
    finally:
        cancel.set()
    if result is None:  # not reached: an outer cancellation propagates out of the task group
        raise RuntimeError("the upload's parse ended without a result")
    return result


MATCH_BODY_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "CV: PDF, DOCX or TXT"},
                        "text": {"type": "string", "description": "CV text (instead of a file)"},
                        "filters": {"type": "string", "description": "JSON object, see Filters"},
                        "top_k": {"type": "integer", "minimum": 1, "maximum": MAX_TOP_K, "default": 10},
                    },
                }
            },
            "application/json": {"schema": {"$ref": "#/components/schemas/MatchTextRequest"}},
        },
    }
}


def _results(outcome: MatchOutcome) -> list[Result]:
    out = []
    for card in outcome.cards:
        r, ex = card.result, card.result.explanation
        out.append(
            Result(
                **card.ad.model_dump(), rank=card.rank, score=r.score, raw_score=r.raw_score, why=why_text(r),
                matched_skills=list(ex.skills),
                skills=Skills(matched=list(ex.skills), missing=list(ex.missing_skills), total=ex.skills_total),
                matched_terms=list(ex.terms), cv_passage=ex.passage, excerpt=card.excerpt,
                excerpt_html=highlight(card.excerpt, ex.terms),
            )
        )
    return out


def match_response(outcome: MatchOutcome) -> MatchResponse:
    return MatchResponse(
        session_id=outcome.session_id,
        deletion_token=outcome.deletion_token,
        language=outcome.language,
        understood=Understood(
            language=outcome.language, words=outcome.words, pages=outcome.pages, kind=outcome.kind,
            title=outcome.title,
            occupations=[OccupationCount(label=label, count=n) for label, n in outcome.occupations],
            skills=list(outcome.skills),
        ),
        results=_results(outcome),
    )


def _parse_filters(raw: object) -> Filters:
    if raw is None or raw == "":
        return Filters()
    if not isinstance(raw, str):
        raise RequestValidationError([{"loc": ("filters",), "msg": "must be a JSON object", "type": "value_error"}])
    try:
        return Filters.model_validate_json(raw)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("filters", *e["loc"])} for e in exc.errors(include_url=False)]
        ) from None


def _parse_top_k(raw: object) -> int:
    if raw is None or raw == "":
        return 10
    try:
        value = int(str(raw))
    except ValueError:
        value = -1
    if not 1 <= value <= MAX_TOP_K:
        raise RequestValidationError(
            [{"loc": ("top_k",), "msg": f"must be an integer from 1 to {MAX_TOP_K}", "type": "value_error"}]
        )
    return value


# -- routes -------------------------------------------------------------------------------------

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
health_router = APIRouter()
Service = Annotated[WebService, Depends(get_service)]


@router.post(
    "/match",
    response_model=MatchResponse,
    summary="Rank live ads for a CV",
    openapi_extra=MATCH_BODY_DOC,
    dependencies=[Depends(rate_limited("match"))],
)
async def match(request: Request, service: Service) -> MatchResponse | JSONResponse:
    """Send a CV file as ``multipart/form-data`` (``file``, optional ``filters`` as JSON and
    ``top_k``), or CV text as JSON ``{"text": …, "filters": {…}, "top_k": 10}``.

    The answer opens a match session: its ``session_id`` is what feedback names, and its
    ``deletion_token`` deletes whatever feedback the session gives.
    """
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    cv: CVText
    if content_type == "application/json":
        body = MatchTextRequest.model_validate_json(await request.body())
        filters, top_k = body.filters, body.top_k
        cv = await run_blocking(service.paste_cv, body.text)
    elif content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        try:
            form = await request.form(max_files=1, max_fields=10)
        except MultiPartException as exc:
            raise RequestValidationError([{"loc": ("body",), "msg": exc.message, "type": "value_error"}]) from None
        try:
            filters = _parse_filters(form.get("filters"))
            top_k = _parse_top_k(form.get("top_k"))
            upload, text = form.get("file"), form.get("text")
            if isinstance(upload, UploadFile):
                data = await upload.read(service.settings.max_upload_bytes + 1)
                cv = await read_upload(request, service, data, upload.filename)
            elif isinstance(text, str) and text.strip():
                cv = await run_blocking(service.paste_cv, text)
            else:
                raise RequestValidationError(
                    [{"loc": ("file",), "msg": "send a CV file (or a text field)", "type": "missing"}]
                )
        finally:
            await form.close()
    else:
        return _error(
            415, "unsupported_media_type",
            "Send multipart/form-data with a CV file, or application/json with the CV text.",
        )
    outcome = await run_blocking(service.match, cv, filters.to_input(), top_k)
    return match_response(outcome)


@router.post(
    "/feedback", response_model=FeedbackResponse, summary="Say whether an ad in a session's results is relevant",
    dependencies=[Depends(rate_limited("light"))],
)
async def feedback(body: FeedbackRequest, service: Service) -> FeedbackResponse:
    """Stores one row per (session, ad); a second call for the same ad replaces the first.

    The CV is never sent here: with ``consent`` the server stores the CV of the named session
    (which the servers keep, redacted, in the database for a while after the match); without
    consent, nothing of the CV is stored. Any server behind a load balancer can take this call.
    """
    outcome = await run_blocking(service.feedback, body.session_id, body.ad_id, body.label, body.consent)
    return FeedbackResponse(
        stored=True, session_id=outcome.session_id, ad_id=outcome.ad_id, label=outcome.label,
        consent=outcome.consent, cv_stored=outcome.cv_stored, deletion_token=outcome.deletion_token,
        delete_url=f"/api/v1/feedback/{outcome.deletion_token}" if outcome.deletion_token else None,
    )


@router.delete(
    "/feedback/{token}", response_model=DeleteResponse, summary="Delete everything given under a deletion token",
    dependencies=[Depends(rate_limited("light"))],
)
async def delete_feedback(
    token: Annotated[str, Path(pattern=TOKEN_PATTERN)], service: Service
) -> DeleteResponse | JSONResponse:
    """Really deletes the rows (no soft delete); 404 when nothing is stored under the token.

    The token is part of the URL here (masked in access logs); ``POST /api/v1/feedback/delete``
    takes it in the body instead.
    """
    return await _delete(service, token)


@router.post(
    "/feedback/delete", response_model=DeleteResponse,
    summary="Delete everything given under a deletion token (the token in the body)",
    dependencies=[Depends(rate_limited("light"))],
)
async def delete_feedback_post(body: DeleteRequest, service: Service) -> DeleteResponse | JSONResponse:
    """The same as ``DELETE /api/v1/feedback/{token}``, with the token kept out of URLs (and so out of
    logs and browser history): what the deletion page (``/delete#token=…``) sends."""
    return await _delete(service, body.token)


async def _delete(service: WebService, token: str) -> DeleteResponse | JSONResponse:
    n = await run_blocking(service.delete, token)
    if n == 0:
        return _error(404, "not_found", "Nothing is stored under this token (already deleted, or never given).")
    return DeleteResponse(deleted=n)


@router.get(
    "/ads/{ad_id}", response_model=AdResponse, summary="One live ad, with sanitised HTML",
    dependencies=[Depends(rate_limited("light"))],
)
async def get_ad(ad_id: Annotated[str, Path(max_length=100)], service: Service) -> AdResponse:
    ad = await run_blocking(service.get_ad, ad_id)
    return AdResponse(
        **ad_summary(ad).model_dump(), description_text=plain_text(ad.description),
        description_html=ad_body_html(ad.description_html, ad.description),
    )


@router.get(
    "/filters", response_model=FiltersResponse, summary="Filter choices among live ads (most ads first)",
    dependencies=[Depends(rate_limited("light"))],
)
async def get_filters(service: Service) -> FiltersResponse:
    choices = await run_blocking(service.filter_choices)
    return FiltersResponse(
        **{
            name: [Choice(id=c.concept_id, label=c.label or c.concept_id, count=c.n_live_ads) for c in values]
            for name, values in choices.items()
        }
    )


@health_router.get("/healthz", response_model=Health, summary="The process is up")
async def healthz() -> Health:
    return Health(status="ok")


@health_router.get(
    "/readyz", response_model=Ready, summary="Model and index loaded, ads present",
    responses={503: {"model": Ready, "description": "Not ready yet"}},
)
async def readyz(service: Service) -> Ready | JSONResponse:
    state = await run_blocking(service.readiness)
    body = Ready(ready=state.ready, stage=state.stage, ads=state.ads, model=state.model, message=state.message)
    if state.health is not None:
        h = state.health
        body = body.model_copy(update={
            "store_live": h.store_live, "index_points": h.index_points, "mismatch": h.mismatch,
            "last_update": h.last_update, "last_update_age_s": h.last_update_age_s, "stale": h.stale,
        })
    if not state.ready:
        return JSONResponse(body.model_dump(mode="json"), status_code=503)
    return body
