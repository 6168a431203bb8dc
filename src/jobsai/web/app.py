"""The app factory: one FastAPI app with the HTTP API under ``/api/v1``, the admin page at ``/admin``
(:mod:`jobsai.web.admin`) and the Gradio UI at ``/``.

Run it with ``jobsai serve``, or under any ASGI server with
``uvicorn --factory jobsai.web.app:create_app``. Each call of :func:`create_app` builds an
independent app (its own service, sessions and limiters), which is what tests need and why
nothing lives at module level.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
import gradio as gr
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from jobsai import __version__
from jobsai.config import Settings
from jobsai.jobs import worker_jobs
from jobsai.runtime import Runtime
from jobsai.web.admin import admin_router
from jobsai.web.alerts_api import alerts_router
from jobsai.web.api import health_router, install_error_handlers, router
from jobsai.web.deletion import deletion_router
from jobsai.web.middleware import (
    BodySizeLimitMiddleware,
    RequestTimeoutMiddleware,
    SecurityHeadersMiddleware,
    UploadCredits,
    UploadRateLimitMiddleware,
    install_access_log_redaction,
)
from jobsai.web.observability import MetricsMiddleware, RequestIdMiddleware, metrics_router
from jobsai.web.proxies import ProxyHeadersMiddleware, TrustedProxies
from jobsai.web.service import WebService
from jobsai.web.ui import build_ui, mount_kwargs
from jobsai.worker import WorkerThread

MULTIPART_OVERHEAD = 256 * 1024
"""Room for multipart headers and form fields around an upload of the maximum size."""


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """Build the app. Start-up (the lifespan) opens the store and loads model and index once.

    ``runtime``: an already built :class:`Runtime` to share (the caller keeps ownership and
    closes it); without one the app builds its own from ``settings`` and, when the store is
    empty, fetches JobStream or falls back to the demo set.
    """
    settings = settings or Settings()
    proxies = TrustedProxies.parse(settings.web_trusted_proxies)  # a bad entry fails here, not per request
    service = WebService(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # A given runtime is already prepared by its owner: be ready at once (tests, embedding).
        await anyio.to_thread.run_sync(lambda: service.start(runtime, background=runtime is None))
        worker = _start_worker(settings, service) if settings.serve_worker and runtime is None else None
        try:
            yield
        finally:
            if worker is not None:
                await anyio.to_thread.run_sync(worker.stop_and_join)
            await anyio.to_thread.run_sync(service.stop)

    app = FastAPI(
        title="JobsAI",
        version=__version__,
        summary="Match a CV against live Swedish job ads, with explained results and feedback.",
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.service = service
    install_error_handlers(app)
    app.include_router(router)
    app.include_router(health_router)
    app.include_router(admin_router())
    app.include_router(deletion_router())
    app.include_router(alerts_router())
    app.include_router(metrics_router())
    # Gradio would save any session's component values to disk and answer them to whoever names the
    # session hash (its "deep links"); the UI has none, so the route is answered here, before the mount.
    app.add_api_route("/gradio_api/deep_link", _no_deep_links, methods=["GET"], include_in_schema=False)
    # The last added runs first: headers on every answer, then the real client, then the guards.
    app.add_middleware(RequestTimeoutMiddleware, timeout_s=settings.web_request_timeout_s)
    # One browser upload is charged once: at the upload route, which credits the upload event (UploadCredits).
    upload_credits = UploadCredits()
    app.add_middleware(UploadRateLimitMiddleware, check=service.match_limiter.acquire, credits=upload_credits)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_upload_bytes + MULTIPART_OVERHEAD)
    app.add_middleware(MetricsMiddleware, metrics=service.metrics)  # after the proxy one: it may copy the scope
    app.add_middleware(ProxyHeadersMiddleware, proxies=proxies)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestIdMiddleware)
    install_access_log_redaction()
    return gr.mount_gradio_app(app, build_ui(service, upload_credits), path="/", **mount_kwargs(service))


async def _no_deep_links() -> JSONResponse:
    return JSONResponse({"error": "not_found", "message": "Not found."}, status_code=404)


def _start_worker(settings: Settings, service: WebService) -> Any:
    """Run the worker's scheduled jobs in a background thread, on the service's runtime (the
    embedded index allows one opener); a promotion's new index is hot-swapped in."""
    return WorkerThread.start_for(settings, service, **worker_jobs())
