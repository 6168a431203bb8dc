"""Issue 14: a session hash is no key to a CV, proxy headers are believed only from configured
proxies, every page carries security headers, the deletion link keeps its token out of URLs,
Gradio's upload route is rate-limited, and the data directory is private.

The apps here run in-process (``TestClient``) around the session's demo-data runtime; the
client's address is given explicitly where the proxy and loopback rules depend on it.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import anyio
import numpy as np
import pytest
from fastapi.testclient import TestClient
from starlette.responses import JSONResponse
from starlette.routing import Mount

from jobsai.config import Settings
from jobsai.match.filters import FilterInput
from jobsai.runtime import Runtime
from jobsai.store.db import Database
from jobsai.web.app import create_app
from jobsai.web.errors import SessionNotFoundError
from jobsai.web.middleware import AccessLogRedaction, UploadCredits, UploadRateLimitMiddleware
from jobsai.web.proxies import ProxyHeadersMiddleware, TrustedProxies, parse_networks
from jobsai.web.service import SessionRef, SharedQueryEncoder, WebService
from jobsai.web.sessions import MatchSession, SessionStore, ShownResult, session_bytes
from jobsai.web.ui import _token_html

from support.ui_events import call_event
from support.web import CV_NURSE, PII

pytest_plugins = ["web_fixtures"]

LOOPBACK = ("127.0.0.1", 50000)
GENEROUS = {"web_rate_limit_per_min": 100_000.0, "web_rate_limit_burst": 1000}


def _app(runtime: Runtime, **settings: Any) -> Any:
    return create_app(runtime.settings.model_copy(update={**GENEROUS, **settings}), runtime=runtime)


@pytest.fixture(scope="module")
def local(web_runtime: Runtime) -> Iterator[TestClient]:
    """The app as this machine sees it (loopback, no proxy configured: the admin page is open)."""
    with TestClient(_app(web_runtime, admin_token=None), client=LOOPBACK) as c:
        yield c


def _service(client: TestClient) -> WebService:
    return client.app.state.service  # type: ignore[attr-defined,no-any-return]


# -- 1. sessions: no raw CV kept, nothing identifying shown, everything cleared on delete --------


def test_a_session_keeps_the_cv_encoded_and_redacted_never_its_text(local: TestClient) -> None:
    service = _service(local)
    cv = service.paste_cv(CV_NURSE)
    keys: list[list[str]] = []
    service.on_delete(lambda k: keys.append(list(k)))
    first = service.match(cv, FilterInput(), 10, ui_key="gradio-page-1")
    session = service.sessions.get(first.session_id)
    assert session is not None and session.prepared is not None
    kept = [session.cv_redacted, session.prepared.text, *session.prepared.texts.query_texts()]
    shown = [c.result.explanation.passage for c in first.cards] + [first.title or ""]
    for secret in PII["nurse"]:
        assert not any(secret in text for text in kept + shown), secret
    assert "Solgläntans" in session.prepared.text  # the CV itself is there, redacted

    # new filters and more results re-rank the encoded CV: the same ranking as matching the text again
    ref = SessionRef(first.session_id, first.deletion_token)
    again = service.rematch(ref, FilterInput(), 10)
    assert [c.result.id for c in again.cards] == [c.result.id for c in first.cards]
    assert [c.result.raw_score for c in again.cards] == pytest.approx([c.result.raw_score for c in first.cards])
    more = service.rematch(ref, FilterInput(), 20)
    assert [c.result.id for c in more.cards][:10] == [c.result.id for c in first.cards]
    assert again.session_id == first.session_id and again.title == first.title
    with pytest.raises(SessionNotFoundError):  # the session id alone is not enough
        service.rematch(SessionRef(first.session_id, "x" * 43), FilterInput(), 10)

    # feedback, then deletion: the session, its cached vectors and the page's state go
    ad = first.cards[0].result.id
    service.feedback(first.session_id, ad, "relevant", True)
    encoder = service._matcher.encoder  # type: ignore[union-attr]
    assert isinstance(encoder, SharedQueryEncoder)
    vectors = session.prepared.vectors
    assert encoder.forget(np.zeros_like(vectors)) == 0
    assert service.delete(first.deletion_token) == 1
    assert keys == [["gradio-page-1"]]
    assert service.sessions.get(first.session_id) is None
    assert encoder.forget(vectors) == 0  # already forgotten by the deletion
    with pytest.raises(SessionNotFoundError):
        service.rematch(ref, FilterInput(), 10)


def test_the_session_store_is_bounded_in_bytes_oldest_first() -> None:
    def session(sid: str, chars: int, token: str = "tok") -> MatchSession:
        return MatchSession(session_id=sid, deletion_token=token, cv_redacted="x" * chars, cv_digest="d",
                            model_version="m", language="sv")

    store = SessionStore(ttl_s=3600, max_sessions=100, max_bytes=10_000)
    store.put(session("a", 4_000))
    store.put(session("b", 4_000))
    assert store.nbytes == sum(session_bytes(s) for s in (store.get("a"), store.get("b")) if s)
    store.put(session("c", 4_000))  # over 10 kB: the least recently used ("a") goes
    assert store.get("a") is None and store.get("b") is not None and store.get("c") is not None
    assert store.update_shown("b", {f"ad{i}": ShownResult(i + 1, 50, 0.5, {}) for i in range(20)})
    assert store.get("c") is None  # "b" grew past the bound: "c" was older
    store.put(session("big", 50_000))  # alone over the bound: the newest stays, everything else goes
    assert len(store) == 1 and store.get("big") is not None and store.nbytes > 10_000
    assert store.drop_token("tok") == 1 and store.nbytes == 0


def test_access_log_masks_session_hashes_tokens_and_upload_paths() -> None:
    lines = {
        "/gradio_api/queue/data?session_hash=k3y0fth3p4g3": "k3y0fth3p4g3",
        "/gradio_api/heartbeat/k3y0fth3p4g3": "k3y0fth3p4g3",
        "/gradio_api/file=/tmp/gradio/ab12/Maria%20Testsson%20CV.pdf": "Maria",
        "/api/v1/feedback/SECRETtoken_123": "SECRET",
        "/delete?lang=sv&token=SECRETtoken_123": "SECRET",
    }
    for path, secret in lines.items():
        record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                                   ("1.2.3.4", "GET", path, "1.1", 200), None)
        AccessLogRedaction().filter(record)
        assert secret not in record.getMessage(), path
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("1.2.3.4", "POST", "/api/v1/feedback/delete", "1.1", 200), None)
    AccessLogRedaction().filter(record)
    assert "/api/v1/feedback/delete" in record.getMessage()  # a route name is no secret


def test_gradio_deep_links_are_not_served(local: TestClient) -> None:
    """Gradio would write any session's shown values to disk for whoever names its hash."""
    r = local.get("/gradio_api/deep_link", params={"session_hash": "anything"})
    assert r.status_code == 404


# -- 3. proxies ----------------------------------------------------------------------------------


def test_trusted_proxies_take_the_rightmost_untrusted_hop() -> None:
    proxies = TrustedProxies.parse("127.0.0.1, 10.0.0.0/8, ::1")
    assert proxies.trusts("10.1.2.3") and proxies.trusts("::1") and not proxies.trusts("203.0.113.9")
    assert proxies.client_from("10.0.0.2", ["203.0.113.9"]) == "203.0.113.9"
    # what the client wrote itself (left of the last untrusted hop) is ignored
    assert proxies.client_from("10.0.0.2", ["1.1.1.1, 203.0.113.9, 10.0.0.7"]) == "203.0.113.9"
    assert proxies.client_from("10.0.0.2", ["1.1.1.1", "203.0.113.9"]) == "203.0.113.9"  # two headers
    assert proxies.client_from("10.0.0.2", ["[2001:db8::5]:443"]) == "2001:db8::5"
    assert proxies.client_from("10.0.0.2", ["not-an-ip"]) == "10.0.0.2"
    assert proxies.client_from("10.0.0.2", ["10.0.0.9, 10.0.0.8"]) == "10.0.0.9"  # all proxies: the first
    assert proxies.client_from("203.0.113.50", ["1.2.3.4"]) == "203.0.113.50"  # not from a proxy: ignored
    assert not TrustedProxies.parse("") and not TrustedProxies.parse(" , ")
    with pytest.raises(ValueError, match="bogus"):
        parse_networks("10.0.0.1, bogus")


def test_proxy_middleware_sets_client_scheme_and_marks_the_request() -> None:
    seen: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope)

    mw = ProxyHeadersMiddleware(app, TrustedProxies.parse("127.0.0.1"))

    def call(peer: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
        scope = {"type": "http", "client": (peer, 1234), "headers": headers, "scheme": "http"}
        anyio.run(mw, scope, None, None)
        return seen[-1]

    proxied = call("127.0.0.1", [(b"x-forwarded-for", b"198.51.100.7"), (b"x-forwarded-proto", b"https")])
    assert proxied["client"][0] == "198.51.100.7" and proxied["scheme"] == "https" and proxied["state"]["via_proxy"]
    bare = call("127.0.0.1", [])
    assert bare["client"][0] == "127.0.0.1" and bare["state"]["via_proxy"]
    direct = call("198.51.100.8", [(b"x-forwarded-for", b"1.2.3.4"), (b"x-forwarded-proto", b"https")])
    assert direct["client"][0] == "198.51.100.8" and direct["scheme"] == "http" and "state" not in direct


def _match_codes(c: TestClient, forwarded_for: list[str]) -> list[int]:
    """One match per ``X-Forwarded-For`` value, in order; their status codes."""
    return [
        c.post("/api/v1/match", json={"text": CV_NURSE, "top_k": 1}, headers={"X-Forwarded-For": value}).status_code
        for value in forwarded_for
    ]


def test_without_trusted_proxies_a_header_picks_no_rate_limit_key(web_runtime: Runtime) -> None:
    app = _app(web_runtime, web_rate_limit_burst=3, web_rate_limit_per_min=1.0)
    with TestClient(app, client=LOOPBACK) as c:
        codes = _match_codes(c, [f"198.51.100.{i}" for i in range(14)])
    assert codes[:3] == [200, 200, 200] and set(codes[3:]) == {429}


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(web_runtime: Runtime) -> None:
    app = _app(web_runtime, web_rate_limit_burst=3, web_rate_limit_per_min=1.0, web_trusted_proxies="127.0.0.1")
    with TestClient(app, client=LOOPBACK) as c:
        codes = _match_codes(c, [f"198.51.100.{i}" for i in range(6)])
        assert codes == [200] * 6
        # a client that prepends addresses of its own is still the address the proxy saw
        spoofed = _match_codes(c, [f"10.9.9.{i}, 198.51.100.200" for i in range(5)])
        assert spoofed[:3] == [200, 200, 200] and set(spoofed[3:]) == {429}


def test_admin_loopback_rule_holds_behind_a_same_host_proxy(web_runtime: Runtime) -> None:
    behind = _app(web_runtime, admin_token=None, web_trusted_proxies="127.0.0.1,::1")
    with TestClient(behind, client=LOOPBACK) as c:
        assert c.get("/admin").status_code == 403  # the proxy itself, no forwarding header
        assert c.get("/admin", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 403
        assert c.get("/api/v1/models", headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 403
    direct = _app(web_runtime, admin_token=None)
    with TestClient(direct, client=LOOPBACK) as c:
        assert c.get("/admin").status_code == 200
    with pytest.raises(ValueError, match="not an IP"):
        _app(web_runtime, web_trusted_proxies="localhost")


# -- 4. security headers on every kind of route --------------------------------------------------


def _assert_security_headers(r: Any, *, frame: str = "frame-ancestors 'none'") -> str:
    csp = r.headers.get("content-security-policy", "")
    assert frame in csp, (r.url, csp)
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["x-content-type-options"] == "nosniff"
    return csp


def test_security_headers_on_every_kind_of_route(local: TestClient, web_runtime: Runtime) -> None:
    pages = {
        "/": 200, "/healthz": 200, "/readyz": 200, "/api/v1/filters": 200, "/openapi.json": 200,
        "/admin": 200, "/api/v1/models": 200, "/admin/models/plot.png": 200, "/delete": 200,
        "/gradio_api/info": 200, "/config": 200, "/api/v1/ads/no-such-ad": 404, "/no-such-page": 404,
    }
    for path, status in pages.items():
        r = local.get(path)
        assert r.status_code == status, (path, r.status_code)
        csp = _assert_security_headers(r)
        if path in ("/", "/admin", "/api/v1/filters"):
            assert "default-src 'self'" in csp and "https:" not in csp and "'unsafe-eval'" in csp
    docs = local.get("/docs")
    assert "https://cdn.jsdelivr.net" in _assert_security_headers(docs)
    assert local.post("/api/v1/feedback", json={"bad": 1}).status_code == 422
    _assert_security_headers(local.post("/api/v1/feedback", json={"bad": 1}))
    # answers made by the middleware itself carry them too (413, 429)
    small = _app(web_runtime, max_upload_bytes=1000, web_rate_limit_burst=1, web_rate_limit_per_min=1.0)
    with TestClient(small, client=LOOPBACK) as c:
        _assert_security_headers(c.post("/api/v1/match", content=b"x" * 2_000_000,
                                        headers={"content-type": "application/json"}))
        c.post("/api/v1/match", json={"text": CV_NURSE, "top_k": 1})
        limited = c.post("/api/v1/match", json={"text": CV_NURSE, "top_k": 1})
        assert limited.status_code == 429
        _assert_security_headers(limited)


# -- 5. the deletion link -------------------------------------------------------------------------


def test_the_ui_link_carries_the_token_in_its_fragment() -> None:
    token = "T0ken_" + "a" * 40
    for lang in ("sv", "en"):
        page = _token_html(token, True, lang)  # type: ignore[arg-type]
        href = re.search(r'href="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        path, _, fragment = href.partition("#")
        assert path == f"./delete?lang={lang}" and fragment == f"token={token}"
        assert 'rel="noopener noreferrer"' in page


def test_the_deletion_page_runs_only_its_own_script(local: TestClient) -> None:
    r = local.get("/delete", params={"lang": "en"})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "connect-src 'self'" in csp and "unsafe" not in csp
    scripts = re.findall(r"<script>(.*?)</script>", r.text, re.S)
    styles = re.findall(r"<style>(.*?)</style>", r.text, re.S)
    assert len(scripts) == 1 and len(styles) == 1
    for source in scripts + styles:
        digest = base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert "Delete what you have given" in r.text and "history.replaceState" in r.text
    assert "api/v1/feedback/delete" in r.text


def test_post_delete_takes_the_token_in_the_body(local: TestClient) -> None:
    body = local.post("/api/v1/match", json={"text": CV_NURSE, "top_k": 2}).json()
    token = body["deletion_token"]
    for result in body["results"]:
        r = local.post("/api/v1/feedback", json={"session_id": body["session_id"], "ad_id": result["id"],
                                                 "label": "relevant", "consent": True})
        assert r.status_code == 200
    r = local.post("/api/v1/feedback/delete", json={"token": token})
    assert r.status_code == 200 and r.json() == {"deleted": 2}
    again = local.post("/api/v1/feedback/delete", json={"token": token})
    assert again.status_code == 404 and again.json()["error"] == "not_found"
    assert local.post("/api/v1/feedback/delete", json={"token": "short"}).status_code == 422
    assert local.post("/api/v1/feedback/delete", json={"token": token, "x": 1}).status_code == 422
    assert "/api/v1/feedback/delete" in local.get("/openapi.json").json()["paths"]
    # the session went with it: no more feedback or re-ranking under it
    r = local.post("/api/v1/feedback", json={"session_id": body["session_id"], "ad_id": body["results"][0]["id"],
                                             "label": "relevant"})
    assert r.status_code == 404


# -- 6. Gradio's upload route ---------------------------------------------------------------------


def test_the_upload_route_is_rate_limited(web_runtime: Runtime) -> None:
    app = _app(web_runtime, web_rate_limit_burst=2, web_rate_limit_per_min=1.0)
    with TestClient(app, client=("198.51.100.77", 1)) as c:
        codes = []
        for _ in range(3):
            r = c.post("/gradio_api/upload", files={"files": ("cv.txt", "Undersköterska".encode(), "text/plain")})
            codes.append(r.status_code)
            for path in r.json() if r.status_code == 200 else []:
                Path(path).unlink(missing_ok=True)
        assert codes == [200, 200, 429]
        assert int(r.headers["retry-after"]) >= 1 and r.json()["error"] == "rate_limited"
    with TestClient(app, client=("198.51.100.78", 1)) as other:  # someone else is not affected
        r = other.post("/gradio_api/upload", files={"files": ("cv.txt", b"x", "text/plain")})
        assert r.status_code == 200
        Path(r.json()[0]).unlink(missing_ok=True)


def _upload_event(app: Any) -> tuple[Any, Any]:
    """The UI's upload handler, as the browser's upload event calls it, and the status box it fills."""
    blocks = next(r.app for r in app.routes if isinstance(r, Mount)).get_blocks()
    status = next(b for b in blocks.blocks.values() if getattr(b, "elem_id", None) == "status")

    def on_upload(path: str, request: Any) -> dict[Any, Any]:
        return call_event(blocks, "on_upload", request, cv_file=path)  # type: ignore[no-any-return]

    return on_upload, status


def test_a_browser_upload_is_charged_once(web_runtime: Runtime) -> None:
    """The upload route charges the token; the upload event that reads and matches that file does not
    charge it again (it did: five uploads per burst of ten), and reads no file it was not paid for."""
    app = _app(web_runtime, web_rate_limit_burst=10, web_rate_limit_per_min=0.01)
    on_upload, status = _upload_event(app)
    person, other = "198.51.100.79", "198.51.100.80"

    def event(path: str, host: str) -> str:
        request = SimpleNamespace(client=SimpleNamespace(host=host), session_hash=None)
        return str(on_upload(path, request)[status])

    with TestClient(app, client=(person, 1)) as c:
        parses = _service(c).parser.stats().parses
        shown = []
        for i in range(11):
            cv = f"{CV_NURSE}\nReferenser lämnas på begäran ({i}).".encode()
            r = c.post("/gradio_api/upload", files={"files": (f"cv{i}.txt", cv, "text/plain")})
            if r.status_code != 200:
                break
            (path,) = r.json()
            shown.append(event(path, person))
        assert len(shown) == 10 and r.status_code == 429, (len(shown), r.status_code)
        assert all("jobsai-msg-error" not in m for m in shown), shown  # ten read and matched, none refused
        assert _service(c).parser.stats().parses == parses + 10

        # a credit is the uploader's own: someone out of tokens does not read another's upload for free
        someone = TestClient(app, client=(other, 1))  # not started again (the app's shutdown empties Gradio's cache)
        r = someone.post("/gradio_api/upload", files={"files": ("cv.txt", CV_NURSE.encode(), "text/plain")})
        assert r.status_code == 200
        assert "Vänta" in event(r.json()[0], person)  # charged, and refused before the file is read
        assert _service(c).parser.stats().parses == parses + 10


def test_upload_credits_only_for_one_paid_file() -> None:
    """The route credits an accepted upload of one file, once; not several files in one request (they paid
    once), not a refused one. A credit expires, and is one read."""
    now = [0.0]
    credits = UploadCredits(ttl_s=60, max_credits=3, clock=lambda: now[0])
    answers = {"/one": (200, ["/tmp/gradio/a/cv.pdf"]), "/two": (200, ["/tmp/gradio/b/x", "/tmp/gradio/c/y"]),
               "/bad": (400, ["/tmp/gradio/d/cv.pdf"])}

    async def gradio(scope: Any, receive: Any, send: Any) -> None:
        code, paths = answers[scope["path"].removesuffix("/gradio_api/upload")]
        await JSONResponse(paths, status_code=code)(scope, receive, send)

    guarded = UploadRateLimitMiddleware(gradio, check=lambda client: 0.0, credits=credits)
    c = TestClient(guarded, client=("192.0.2.1", 1))
    for prefix in answers:
        c.post(prefix + "/gradio_api/upload")
    assert len(credits) == 1
    assert not credits.redeem("192.0.2.2", "/tmp/gradio/a/cv.pdf")  # another client's
    assert credits.redeem("192.0.2.1", "/tmp/gradio/a/cv.pdf")
    assert not credits.redeem("192.0.2.1", "/tmp/gradio/a/cv.pdf")  # read once
    credits.grant("192.0.2.1", "/p")
    now[0] = 61.0
    assert not credits.redeem("192.0.2.1", "/p") and len(credits) == 0  # expired
    for i in range(5):
        credits.grant("192.0.2.1", f"/p{i}")
    assert len(credits) == 3 and not credits.redeem("192.0.2.1", "/p0") and credits.redeem("192.0.2.1", "/p4")


# -- 7. a private data directory ------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_data_dir_and_database_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        (tmp_path / "shared").mkdir(mode=0o755)
        settings = Settings(data_dir=tmp_path / "shared" / "new" / "jobsai", database_url=None, qdrant_url=None)
        settings.ensure_dirs()
        for folder in (tmp_path / "shared" / "new", settings.data_dir, settings.index_dir,
                       settings.resolved_model_cache_dir):
            assert _mode(folder) == 0o700, folder
        assert _mode(tmp_path / "shared") == 0o755  # a folder that existed is left alone
        db = Database(settings.resolved_database_url)
        try:
            with db.begin() as conn:
                conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
                conn.exec_driver_sql("INSERT INTO t VALUES (1)")
            files = [p for p in settings.data_dir.iterdir() if p.name.startswith("jobsai.sqlite3")]
            assert {p.name for p in files} >= {"jobsai.sqlite3", "jobsai.sqlite3-wal"}
            for f in files:
                assert _mode(f) == 0o600, f
        finally:
            db.dispose()
        nested = Database(f"sqlite:///{tmp_path / 'elsewhere' / 'db.sqlite3'}")
        nested.dispose()
        assert _mode(tmp_path / "elsewhere") == 0o700 and _mode(tmp_path / "elsewhere" / "db.sqlite3") == 0o600
    finally:
        os.umask(old)
