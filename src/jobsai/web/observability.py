"""``/metrics`` (Prometheus), request metrics per route template, and a request id on every request.

* :class:`MetricsMiddleware` counts and times every HTTP request (API, UI, admin, errors made by
  the other guards) under its route *template* (``/api/v1/ads/{ad_id}``; ``unmatched`` for a 404
  that no route took), so the series stay few whatever the paths are.
* :class:`RequestIdMiddleware` gives each request an id: the ``X-Request-ID`` a proxy sent when it
  is a plain token, else a new random one; it is echoed in the response and put on every log line
  the request causes (:mod:`jobsai.logs`).
* ``GET /metrics``: the app's :class:`~jobsai.metrics.Metrics`. With ``JOBSAI_METRICS_TOKEN`` set it
  needs ``Authorization: Bearer <token>``; otherwise the admin rule applies (the admin token, or a
  request from this machine), so an exposed server shows its metrics to no one by accident.
"""

from __future__ import annotations

import re
import secrets
import time
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import SecretStr
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jobsai.logs import REQUEST_ID
from jobsai.metrics import Metrics
from jobsai.web.admin import _given_token, check_admin
from jobsai.web.api import client_key, get_service, run_blocking
from jobsai.web.errors import AdminAuthError
from jobsai.web.service import WebService

Service = Annotated[WebService, Depends(get_service)]
_REQUEST_ID_OK = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")


class MetricsMiddleware:
    """Count and time each HTTP request by route template, method and status (see the module docstring)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recording_send(msg: Message) -> None:
            nonlocal status
            if msg["type"] == "http.response.start":
                status = int(msg["status"])
            await send(msg)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            labels = (template, scope.get("method", ""), str(status))
            self.metrics.http_requests.labels(*labels).inc()
            self.metrics.http_latency.labels(*labels).observe(time.perf_counter() - started)


class RequestIdMiddleware:
    """Set the request id for the request's context and echo it as ``X-Request-ID``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v.decode("latin-1") for k, v in scope.get("headers") or [] if k == b"x-request-id"), "")
        request_id = given if _REQUEST_ID_OK.match(given) else secrets.token_hex(8)

        async def with_id(msg: Message) -> None:
            if msg["type"] == "http.response.start":
                MutableHeaders(scope=msg)["X-Request-ID"] = request_id
            await send(msg)

        token = REQUEST_ID.set(request_id)
        try:
            await self.app(scope, receive, with_id)
        finally:
            REQUEST_ID.reset(token)


def metrics_router() -> APIRouter:
    router = APIRouter()

    @router.get("/metrics", include_in_schema=False)
    async def metrics(request: Request, service: Service) -> Response:
        service.check_rate("light", client_key(request))  # before the token check: limits guessing too
        expected = service.settings.metrics_token
        wanted = (expected.get_secret_value() if isinstance(expected, SecretStr) else str(expected or "")).strip()
        if wanted:  # an empty JOBSAI_METRICS_TOKEN= counts as unset, never as "the empty token"
            given = _given_token(request) or ""
            if not secrets.compare_digest(given.encode(), wanted.encode()):
                raise AdminAuthError("/metrics needs the metrics token (Authorization: Bearer …).")
        else:
            check_admin(service.settings, request)
        body, content_type = await run_blocking(service.metrics.render, request.headers.get("accept", ""))
        return Response(body, media_type=content_type, headers={"Cache-Control": "no-store"})

    return router
