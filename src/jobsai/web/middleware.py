"""ASGI guards around the whole app: body size, request time, and secrets kept out of access logs.

Why as raw ASGI middleware: the size limit has to act *while* the body arrives (a client
that declares nothing, or lies in ``Content-Length``, is cut off at the limit instead of
filling memory or disk), and the timeout has to answer the client even when the work it
waits for cannot be interrupted.
"""

from __future__ import annotations

import logging
import re

import anyio
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def _json_response(status: int, error: str, message: str) -> JSONResponse:
    return JSONResponse({"error": error, "message": message}, status_code=status)


class _BodyTooLarge(Exception):
    pass


class BodySizeLimitMiddleware:
    """Refuse request bodies over ``max_bytes`` with 413, counting the bytes as they arrive."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        message = (
            f"The request is larger than {self.max_bytes // (1024 * 1024)} MB. Upload a smaller file "
            "(a CV without large photos is usually well under 1 MB), or paste the text of your CV instead."
        )
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await _json_response(413, "file_too_large", message)(scope, receive, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            msg = await receive()
            if msg["type"] == "http.request":
                received += len(msg.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge
            return msg

        async def tracking_send(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await _json_response(413, "file_too_large", message)(scope, receive, send)
        except Exception as exc:
            # Starlette's form parser wraps errors raised while reading; find ours inside.
            if _caused_by(exc, _BodyTooLarge) and not started:
                await _json_response(413, "file_too_large", message)(scope, receive, send)
                return
            raise


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class RequestTimeoutMiddleware:
    """Answer 504 when an API request takes longer than ``timeout_s`` (reading the body included).

    Only paths under ``prefix``: the Gradio UI keeps long-lived event streams open on purpose.
    The work itself runs in threads that are abandoned, not killed; match slots bound how many
    such threads can exist.
    """

    def __init__(self, app: ASGIApp, timeout_s: float, prefix: str = "/api/") -> None:
        self.app = app
        self.timeout_s = timeout_s
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            with anyio.fail_after(self.timeout_s):
                await self.app(scope, receive, tracking_send)
        except TimeoutError:
            if started:
                raise
            await _json_response(
                504, "timeout", f"The request took longer than {self.timeout_s:g} seconds; try again."
            )(scope, receive, send)


_SECRET_IN_PATH = re.compile(r"(/api/v1/feedback/|[?&](?:radera|delete)=)[A-Za-z0-9_\-]+|([?&]token=)[^&\s\"#]+")


def _mask(text: str) -> str:
    return _SECRET_IN_PATH.sub(lambda m: (m.group(1) or m.group(2)) + "***", text)


class AccessLogRedaction(logging.Filter):
    """Keep deletion tokens (a DELETE path, the UI link) and the admin ``?token=`` out of access logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_mask(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = _mask(record.msg)
        return True


def install_access_log_redaction(logger_name: str = "uvicorn.access") -> None:
    """Attach :class:`AccessLogRedaction` to the access logger once (idempotent)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, AccessLogRedaction) for f in logger.filters):
        logger.addFilter(AccessLogRedaction())

