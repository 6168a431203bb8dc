"""A real HTTP JobStream stand-in on 127.0.0.1, for tests of the client and of sync.

It serves ``/v2/snapshot``, ``/v2/stream``, ``/snapshot`` and ``/stream`` with JobStream's
semantics (see shared/docs/jobtech-api.md): the snapshot is every current ad as a one-line
JSON array (or JSON Lines when the client prefers them, or when built with ``jsonl=True``),
sent in chunks; the stream is every ad and removal record whose timestamp lies in
``[after, before + 1 s]``, with the window given as Swedish local time. Faults are queued
per path prefix (HTTP errors with ``Retry-After``, slow responses, bodies cut short), and
every request is recorded so tests can assert on paths, parameters and headers.

    with FakeJobStream(ads=[...]) as srv:
        srv.fail_next("/v2/snapshot", status=429, retry_after=7)
        client = JobStreamClient(Settings(jobstream_url=srv.url), sleep=sleeps.append)
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from jobsai.timeutil import ensure_utc, parse_local, to_local_param

_REMOVAL_CONCEPTS = {
    "occupation": ("occupation", "concept_id"),
    "occupation_group": ("occupation_group", "concept_id"),
    "occupation_field": ("occupation_field", "concept_id"),
    "municipality": ("workplace_address", "municipality_concept_id"),
    "region": ("workplace_address", "region_concept_id"),
    "country": ("workplace_address", "country_concept_id"),
}
_JSONL_TYPES = ("application/x-ndjson", "application/jsonl", "application/json-lines")


def epoch_ms(dt: datetime) -> int:
    """An instant as JobTech's ``timestamp`` (epoch milliseconds, UTC)."""
    return int(round(ensure_utc(dt).timestamp() * 1000))


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it (header names in lower case)."""

    method: str
    path: str
    params: dict[str, list[str]]
    headers: dict[str, str]

    def param(self, name: str) -> str | None:
        values = self.params.get(name)
        return values[0] if values else None


@dataclass
class _Fault:
    path_prefix: str
    kind: str  # "status" | "slow" | "truncate"
    times: int
    status: int = 500
    retry_after: str | None = None
    body: bytes = b""
    seconds: float = 0.0
    after_bytes: int | None = None
    abort: bool = False


@dataclass
class _State:
    ads: dict[str, dict[str, Any]] = field(default_factory=dict)
    removed: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    faults: list[_Fault] = field(default_factory=list)
    api_key: str | None = None
    requests: list[RecordedRequest] = field(default_factory=list)


class FakeJobStream:
    """JobStream on an ephemeral 127.0.0.1 port; use as a context manager, read ``url``."""

    def __init__(
        self,
        ads: Iterable[dict[str, Any]] = (),
        removed: Iterable[dict[str, Any]] = (),
        *,
        jsonl: bool = False,
        chunked: bool = True,
        chunk_size: int = 8 * 1024,
        expire: bool = False,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """``jsonl`` forces JSON Lines; ``chunked=False`` sends Content-Length instead;
        ``expire`` applies v1's ``publication_date <= now <= last_publication_date`` filter."""
        self.jsonl = jsonl
        self.chunked = chunked
        self.chunk_size = chunk_size
        self.expire = expire
        self.now = now
        self._lock = threading.Lock()
        self._state = _State()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        for ad in ads:
            self.add_or_update(ad)
        for record in removed:
            self.add_removal_record(record)

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> FakeJobStream:
        handler = type("_BoundHandler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="fake-jobstream",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeJobStream:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeJobStream is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._state.requests)

    # -- data -------------------------------------------------------------------------------

    def add_or_update(self, ad: dict[str, Any], when: datetime | None = None) -> dict[str, Any]:
        """Publish or change an ad. Its ``timestamp`` becomes ``when``, else stays as given,
        else is now; a removed ad with the same id comes back."""
        stored = json.loads(json.dumps(ad))
        if when is not None:
            stored["timestamp"] = epoch_ms(when)
        elif not isinstance(stored.get("timestamp"), int):
            stored["timestamp"] = epoch_ms(self.now())
        stored["removed"] = False
        stored["removed_date"] = None
        ad_id = str(stored["id"])
        with self._lock:
            self._state.removed.pop(ad_id, None)
            self._state.ads[ad_id] = stored
        return stored

    def remove(self, ad_id: str, when: datetime | None = None) -> dict[str, Any]:
        """Unpublish an ad: it leaves the snapshot and the stream shows v1's removal record
        (plain concept-id strings, no content fields)."""
        when = ensure_utc(when or self.now())
        with self._lock:
            ad = self._state.ads.pop(str(ad_id), {})
        record: dict[str, Any] = {"id": str(ad_id), "removed": True, "removed_date": to_local_param(when)}
        for key, (outer, inner) in _REMOVAL_CONCEPTS.items():
            holder = ad.get(outer)
            value = holder.get(inner) if isinstance(holder, dict) else None
            record[key] = value
        with self._lock:
            self._state.removed[str(ad_id)] = (epoch_ms(when), record)
        return record

    def add_removal_record(self, record: dict[str, Any]) -> None:
        """A ready-made removal record; its window time is its ``timestamp`` (epoch ms) if it
        carries one, else its ``removed_date`` (Swedish local)."""
        ts = record.get("timestamp")
        if not isinstance(ts, int):
            removed_at = parse_local(record.get("removed_date"))
            if removed_at is None:
                raise ValueError("a removal record needs a timestamp or a removed_date")
            ts = epoch_ms(removed_at)
        with self._lock:
            self._state.ads.pop(str(record["id"]), None)
            self._state.removed[str(record["id"])] = (ts, dict(record))

    def current_ads(self) -> list[dict[str, Any]]:
        """What a snapshot would return now."""
        with self._lock:
            ads = list(self._state.ads.values())
        return [a for a in ads if self._published(a)]

    # -- faults -----------------------------------------------------------------------------

    def fail_next(
        self,
        path_prefix: str = "/",
        status: int = 500,
        times: int = 1,
        retry_after: float | str | None = None,
        body: str | None = None,
    ) -> None:
        """The next ``times`` matching requests get ``status`` (with ``Retry-After`` if given:
        seconds, or a string such as an HTTP date)."""
        text = body if body is not None else json.dumps({"message": f"fake error {status}"})
        ra = (
            None
            if retry_after is None
            else (retry_after if isinstance(retry_after, str) else f"{retry_after:g}")
        )
        self._add_fault(
            _Fault(path_prefix, "status", times, status=status, retry_after=ra, body=text.encode("utf-8"))
        )

    def slow_next(
        self, seconds: float, path_prefix: str = "/", times: int = 1, after_bytes: int | None = None
    ) -> None:
        """Stall ``seconds`` before the response headers, or after ``after_bytes`` of the body."""
        self._add_fault(_Fault(path_prefix, "slow", times, seconds=seconds, after_bytes=after_bytes))

    def truncate_next(
        self, after_bytes: int, path_prefix: str = "/", times: int = 1, abort: bool = False
    ) -> None:
        """Send only the first ``after_bytes`` of the body. By default the response then ends
        cleanly (as the real server does on slow transfers, mid-array); ``abort=True`` drops
        the connection without ending the chunked body instead."""
        self._add_fault(_Fault(path_prefix, "truncate", times, after_bytes=after_bytes, abort=abort))

    def require_api_key(self, key: str | None) -> None:
        """Answer 401 unless the ``api-key`` header equals ``key`` (None: no key needed)."""
        with self._lock:
            self._state.api_key = key

    def clear_faults(self) -> None:
        with self._lock:
            self._state.faults.clear()

    def _add_fault(self, fault: _Fault) -> None:
        if fault.times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._state.faults.append(fault)

    def _take_fault(self, path: str) -> _Fault | None:
        with self._lock:
            for fault in self._state.faults:
                if path.startswith(fault.path_prefix):
                    fault.times -= 1
                    if fault.times == 0:
                        self._state.faults.remove(fault)
                    return fault
        return None

    # -- semantics --------------------------------------------------------------------------

    def _published(self, ad: dict[str, Any]) -> bool:
        if not self.expire:
            return True
        now = ensure_utc(self.now())
        start = parse_local(ad.get("publication_date"))
        end = parse_local(ad.get("last_publication_date"))
        return (start is None or start <= now) and (end is None or now <= end)

    def _window(self, after_ms: int, before_ms: int) -> list[dict[str, Any]]:
        with self._lock:
            items = [(a["timestamp"], a) for a in self._state.ads.values() if self._published(a)]
            items += list(self._state.removed.values())
        hits = [(ts, obj) for ts, obj in items if after_ms <= ts <= before_ms + 1000]
        hits.sort(key=lambda pair: pair[0])
        return [obj for _, obj in hits]

    def _record(self, req: RecordedRequest) -> None:
        with self._lock:
            self._state.requests.append(req)

    def _api_key_ok(self, headers: dict[str, str]) -> bool:
        with self._lock:
            key = self._state.api_key
        return key is None or headers.get("api-key") == key

    def _wait(self, seconds: float) -> None:
        self._stopping.wait(seconds)


def wants_jsonl(accept: str | None) -> bool:
    """True when the Accept header prefers a JSON Lines type over application/json."""
    best_q, best = -1.0, False
    for part in (accept or "").split(","):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        q = 1.0
        for p in pieces[1:]:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        if media in _JSONL_TYPES and q > best_q:
            best_q, best = q, True
        elif media in ("application/json", "application/*", "*/*") and q > best_q:
            best_q, best = q, False
    return best


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30
    fake: FakeJobStream

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request stderr lines."""

    def do_GET(self) -> None:
        split = urlsplit(self.path)
        path = split.path
        params = parse_qs(split.query, keep_blank_values=True)
        headers = {k.lower(): v for k, v in self.headers.items()}
        req = RecordedRequest("GET", path, params, headers)
        fake = self.fake
        fake._record(req)
        try:
            self._serve(fake, req)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True

    def _serve(self, fake: FakeJobStream, req: RecordedRequest) -> None:
        fault = fake._take_fault(req.path)
        if fault is not None and fault.kind == "status":
            extra = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            self._send_simple(fault.status, fault.body, extra)
            return
        if fault is not None and fault.kind == "slow" and fault.after_bytes is None:
            fake._wait(fault.seconds)
        if not fake._api_key_ok(req.headers):
            self._send_error_json(401, "invalid or missing api-key")
            return
        if req.path in ("/v2/snapshot", "/snapshot"):
            items = fake.current_ads()
        elif req.path in ("/v2/stream", "/stream"):
            v1 = req.path == "/stream"
            after_name, before_name = (
                ("date", "updated-before-date") if v1 else ("updated-after", "updated-before")
            )
            after_text, before_text = req.param(after_name), req.param(before_name)
            if not after_text:
                self._send_error_json(400, f"missing required parameter {after_name}")
                return
            try:
                after = parse_local(after_text)
                before = parse_local(before_text) if before_text else ensure_utc(fake.now())
            except ValueError:
                self._send_error_json(400, "dates must look like YYYY-MM-DDTHH:MM:SS")
                return
            assert after is not None and before is not None
            items = fake._window(epoch_ms(after), epoch_ms(before))
        else:
            self._send_error_json(404, f"no such endpoint {req.path}")
            return
        jsonl = fake.jsonl or wants_jsonl(req.headers.get("accept"))
        self._send_body(fake, _encode(items, jsonl), jsonl, fault)

    def _send_simple(self, status: int, body: bytes, extra: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _send_error_json(self, status: int, message: str) -> None:
        self._send_simple(status, json.dumps({"message": message}).encode("utf-8"), {})

    def _send_body(self, fake: FakeJobStream, body: bytes, jsonl: bool, fault: _Fault | None) -> None:
        limit = len(body)
        truncating = fault is not None and fault.kind == "truncate"
        if truncating:
            assert fault is not None and fault.after_bytes is not None
            limit = min(fault.after_bytes, len(body))
        stall_at = fault.after_bytes if fault is not None and fault.kind == "slow" else None
        chunked = fake.chunked
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson" if jsonl else "application/json")
        if truncating:
            self.send_header("Connection", "close")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            # A clean truncation must be consistent with the length; an abort promises it all.
            declared = len(body) if (not truncating or (fault is not None and fault.abort)) else limit
            self.send_header("Content-Length", str(declared))
        self.end_headers()
        sent = 0
        while sent < limit:
            end = min(limit, sent + fake.chunk_size)
            if stall_at is not None and stall_at < end:
                if stall_at > sent:
                    end = stall_at
                else:
                    self.wfile.flush()
                    fake._wait(fault.seconds if fault is not None else 0.0)
                    stall_at = None
            piece = body[sent:end]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            self.wfile.flush()
            sent = end
        if truncating and fault is not None and fault.abort:
            self.close_connection = True
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if chunked:
            self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
        if truncating:
            self.close_connection = True


def _encode(items: list[dict[str, Any]], jsonl: bool) -> bytes:
    """A one-line JSON array (like v2's default) or JSON Lines."""
    if jsonl:
        return b"".join(json.dumps(i, ensure_ascii=False).encode("utf-8") + b"\n" for i in items)
    return ("[" + ",".join(json.dumps(i, ensure_ascii=False) for i in items) + "]").encode("utf-8")
