"""ASGI guards around the whole app: body size, request time, security headers, the upload
rate limit, and secrets kept out of access logs.

Why as raw ASGI middleware: the size limit has to act *while* the body arrives (a client
that declares nothing, or lies in ``Content-Length``, is cut off at the limit instead of
filling memory or disk), the timeout has to answer the client even when the work it
waits for cannot be interrupted, and the headers and the upload limit must cover the
mounted Gradio app's routes too, which no FastAPI dependency reaches.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping

import anyio
from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def _json_response(status: int, error: str, message: str) -> JSONResponse:
    return JSONResponse({"error": error, "message": message}, status_code=status)


class _BodyTooLarge(Exception):
    pass


class _TrackedSend:
    """``send``, remembering whether the response has started: until it has, a guard can still
    answer with an error of its own; after that it can only let the failure through."""

    __slots__ = ("_send", "started")

    def __init__(self, send: Send) -> None:
        self._send = send
        self.started = False

    async def __call__(self, msg: Message) -> None:
        if msg["type"] == "http.response.start":
            self.started = True
        await self._send(msg)


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
        tracked = _TrackedSend(send)

        async def limited_receive() -> Message:
            nonlocal received
            msg = await receive()
            if msg["type"] == "http.request":
                received += len(msg.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge
            return msg

        try:
            await self.app(scope, limited_receive, tracked)
        except _BodyTooLarge:
            if not tracked.started:
                await _json_response(413, "file_too_large", message)(scope, receive, send)
        except Exception as exc:
            # Starlette's form parser wraps errors raised while reading; find ours inside.
            if _caused_by(exc, _BodyTooLarge) and not tracked.started:
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
        tracked = _TrackedSend(send)
        try:
            with anyio.fail_after(self.timeout_s):
                await self.app(scope, receive, tracked)
        except TimeoutError:
            if tracked.started:
                raise
            await _json_response(
                504, "timeout", f"The request took longer than {self.timeout_s:g} seconds; try again."
            )(scope, receive, send)


_SECRET_IN_PATH = re.compile(
    r"(/api/v1/feedback/(?!delete(?![A-Za-z0-9_\-]))|/api/v1/alerts/(?:confirm/|manage/|open/)?|[?&](?:radera|delete)=)"
    r"[A-Za-z0-9_\-]+"
    r"|([?&](?:token|session_hash)=|/gradio_api/(?:heartbeat|stream)/)[^&\s\"#?/]+"
    r"|(/gradio_api/file=)[^\s\"#?]+"
)
"""Deletion tokens (the DELETE path, old UI links), alert links, the admin ``?token=``, Gradio session hashes
(whoever presents one receives that browser tab's results) and uploaded files' paths (a file
name may be a person's name)."""


def _mask(text: str) -> str:
    return _SECRET_IN_PATH.sub(lambda m: (m.group(1) or m.group(2) or m.group(3)) + "***", text)


class AccessLogRedaction(logging.Filter):
    """Keep secrets in URLs out of access logs: deletion tokens, the admin ``?token=``, Gradio
    session hashes and upload paths (see ``_SECRET_IN_PATH``)."""

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



# -- security headers --------------------------------------------------------------------------

GRADIO_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; media-src 'self' blob:; "
    "worker-src 'self' blob:; frame-src 'none'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
"""The UI's policy: nothing from other origins. Gradio's page needs inline scripts and styles
(its start-up config and theme are inline), ``data:``/``blob:`` images and fonts."""
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
"""``/docs``: FastAPI's Swagger UI loads its script and styles from jsDelivr."""
SECURITY_HEADERS: Mapping[str, str] = {
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


class SecurityHeadersMiddleware:
    """Add a Content-Security-Policy and the other security headers to every HTTP response.

    A response that sets its own policy (the deletion page, with a stricter one) keeps it;
    ``csp_by_prefix`` gives paths their own policy (``/docs``), the rest get ``default_csp``.
    """

    def __init__(
        self, app: ASGIApp, default_csp: str = GRADIO_CSP, csp_by_prefix: Mapping[str, str] | None = None
    ) -> None:
        self.app = app
        self.default_csp = default_csp
        self.csp_by_prefix = dict(csp_by_prefix if csp_by_prefix is not None else {"/docs": DOCS_CSP})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        csp = next((v for p, v in self.csp_by_prefix.items() if path.startswith(p)), self.default_csp)

        async def with_headers(msg: Message) -> None:
            if msg["type"] == "http.response.start":
                headers = MutableHeaders(scope=msg)
                for name, value in (("Content-Security-Policy", csp), *SECURITY_HEADERS.items()):
                    if name not in headers:
                        headers[name] = value
            await send(msg)

        await self.app(scope, receive, with_headers)


# -- the upload route's rate limit --------------------------------------------------------------


class UploadCredits:
    """Uploads that the upload route has charged a client for and the UI's upload event has not read yet.

    One upload from the browser is two requests: the file to Gradio's upload route, which answers its
    path in Gradio's cache, then the upload event, which names that path and has the file read and
    matched. Both must count against the client's rate limit, but together as one upload (issue 14):
    the route charges, and records a credit for (client, path); the event :meth:`redeem` s it instead
    of charging again. An event without a credit (the same path sent again, another client's path, a
    credit expired or forgotten) is charged, so no file is ever read without being paid for.

    Credits are kept in memory for ``ttl_s`` (the browser sends the event as soon as the upload is
    answered), at most ``max_credits`` of them, the oldest forgotten first. Thread-safe: the route
    runs on the event loop, the event in a worker thread.
    """

    def __init__(self, ttl_s: float = 300.0, max_credits: int = 10_000, clock: Callable[[], float] = time.monotonic):
        self.ttl_s = ttl_s
        self.max_credits = max_credits
        self._clock = clock
        self._lock = threading.Lock()
        self._credits: OrderedDict[tuple[str, str], list[float]] = OrderedDict()
        """(client, path) → when each of its credits expires, oldest first; keys in order of their last grant."""
        self._count = 0

    @staticmethod
    def _key(client: str, path: str) -> tuple[str, str]:
        return client, os.path.realpath(path)

    def grant(self, client: str, path: str) -> None:
        """``client`` has paid for uploading ``path`` (the path the upload route answered)."""
        key = self._key(client, path)
        with self._lock:
            now = self._clock()
            self._forget_expired(now)
            self._credits.setdefault(key, []).append(now + self.ttl_s)
            self._credits.move_to_end(key)
            self._count += 1
            while self._count > self.max_credits:
                _, dropped = self._credits.popitem(last=False)
                self._count -= len(dropped)

    def redeem(self, client: str, path: str) -> bool:
        """Use one of ``client``'s credits for ``path``: True when there was one (the read is paid for)."""
        key = self._key(client, path)
        with self._lock:
            expiries = self._credits.pop(key, None)
            if expiries is None:
                return False
            now = self._clock()
            live = [at for at in expiries if at > now]
            self._count -= len(expiries) - len(live)
            if not live:
                return False
            self._count -= 1
            if len(live) > 1:
                self._credits[key] = live[1:]
            return True

    def __len__(self) -> int:
        with self._lock:
            return self._count

    def _forget_expired(self, now: float) -> None:
        while self._credits:
            key, expiries = next(iter(self._credits.items()))
            if expiries[-1] > now:  # the oldest-granted key still has a live credit
                return
            del self._credits[key]
            self._count -= len(expiries)


MAX_UPLOAD_ANSWER_BYTES = 64 * 1024
"""The upload route's answer is read for its path only up to this size (one path is ~100 bytes)."""


class UploadRateLimitMiddleware:
    """Rate-limit Gradio's file upload route (``POST …/gradio_api/upload``) per client.

    Gradio writes every upload to its cache folder before any handler runs, so without a limit
    a client could fill the disk with ten-megabyte files that no search ever reads. ``check``
    takes the client's address and returns 0 when allowed, else the seconds to wait (429 with
    ``Retry-After``). The client is read after :class:`~jobsai.web.proxies.ProxyHeadersMiddleware`.

    With ``credits``, an upload of one file that the route accepted is recorded as paid for
    (:class:`UploadCredits`), so that the UI's upload event reads it without charging the client a
    second time. A request carrying several files pays once and earns no credit (the UI sends one).
    """

    def __init__(
        self,
        app: ASGIApp,
        check: Callable[[str], float],
        path_suffix: str = "/gradio_api/upload",
        credits: UploadCredits | None = None,
    ) -> None:
        self.app = app
        self.check = check
        self.path_suffix = path_suffix
        self.credits = credits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method") == "POST" and scope.get("path", "").rstrip("/").endswith(
            self.path_suffix
        ):
            client = scope.get("client")
            host = client[0] if client else "unknown"
            # in a worker thread: with shared limits (Redis, the database) a check is a network round trip
            wait = await anyio.to_thread.run_sync(self.check, host)
            if wait > 0:
                retry = str(max(1, math.ceil(wait)))
                response = JSONResponse(
                    {"error": "rate_limited", "message": f"Too many uploads; try again in {retry} seconds."},
                    status_code=429, headers={"Retry-After": retry},
                )
                await response(scope, receive, send)
                return
            if self.credits is not None:
                await self.app(scope, receive, self._crediting(send, self.credits, host))
                return
        await self.app(scope, receive, send)

    @staticmethod
    def _crediting(send: Send, credits: UploadCredits, client: str) -> Send:
        """``send``, which also reads the route's answer and credits ``client`` with the one path it names.

        The credit is granted before the answer's last part is sent: the client cannot name the path
        before it can be redeemed.
        """
        status = 0
        body = bytearray()

        async def crediting_send(msg: Message) -> None:
            nonlocal status
            if msg["type"] == "http.response.start":
                status = int(msg["status"])
            elif msg["type"] == "http.response.body" and status == 200 and len(body) <= MAX_UPLOAD_ANSWER_BYTES:
                body.extend(msg.get("body", b""))
                if not msg.get("more_body", False) and len(body) <= MAX_UPLOAD_ANSWER_BYTES:
                    try:
                        paths = json.loads(bytes(body))
                    except ValueError:
                        paths = None
                    if isinstance(paths, list) and len(paths) == 1 and isinstance(paths[0], str) and paths[0]:
                        credits.grant(client, paths[0])
            await send(msg)

        return crediting_send
