"""The admin view of the model registry: JSON, the page, the plot, and who may see them.

Each app here has its own data directory (real SQLite), so the registry rows recorded with the
store functions are the only ones; one test serves the shared demo-data app with uvicorn on
127.0.0.1 to check the loopback rule over real HTTP.
"""

from __future__ import annotations

import logging
import struct
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from jobsai.runtime import Runtime
from jobsai.store import registry
from jobsai.web.app import create_app
from jobsai.web.middleware import AccessLogRedaction

from support.web import offline_settings, serve_in_thread

pytest_plugins = ["web_fixtures"]

TOKEN = "admin-secret-token-1234567890"
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _png_size(data: bytes) -> tuple[int, int]:
    """Walk a PNG's chunks, checking each CRC, IHDR first and IEND last; its (width, height)."""
    assert data.startswith(PNG_MAGIC)
    pos, kinds, size = len(PNG_MAGIC), [], (0, 0)
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, kind
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        kinds.append(kind)
        pos += 12 + length
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"IDAT" in kinds
    return size


def _metrics(feedback: float, project: float) -> dict:
    def sets(fb: float, pr: float) -> dict:
        return {"feedback": {"ndcg@10": fb, "mrr": fb - 0.05, "recall@10": fb + 0.05, "n": 18.0,
                             "per_cv": [fb] * 18},
                "project": {"ndcg@10": pr, "mrr": pr, "recall@10": pr, "n": 12.0}}

    return {"champion": sets(0.5, 0.4), "challenger": sets(feedback, project),
            "train": {"steps": 40, "train_loss": 1.25, "examples": 300}}


def _record_models(runtime_db) -> None:  # type: ignore[no-untyped-def]
    """Three training runs as run_training records them: rejected, promoted, then promoted again."""
    sizes = {"train_cvs": 42, "test_cvs": 18, "train_triplets": 310}
    with runtime_db.begin() as conn:
        registry.add_model(conn, version="v1-rejected", base="base", path="/models/v1", status="rejected",
                           metrics=_metrics(0.48, 0.41), data_sizes=sizes,
                           reason="rejected: <script>alert('x')</script> & no gain", now=T0)
        registry.add_model(conn, version="v2-old", base="base", path="/models/v2", metrics=_metrics(0.56, 0.42),
                           data_sizes=sizes, reason="promoted", now=T0 + timedelta(days=7))
        registry.promote_in(conn, "v2-old", reason="promoted: gain 0.06")
        registry.add_model(conn, version="v3-champion", base="/models/v2", path="/models/v3",
                           metrics=_metrics(0.61, 0.43), data_sizes=sizes, now=T0 + timedelta(days=14))
        registry.promote_in(conn, "v3-champion", reason="promoted: gain 0.05")


@pytest.fixture
def admin_app(tmp_path: Path, web_tiny_model: Path) -> Iterator[TestClient]:
    settings = offline_settings(tmp_path / "data", web_tiny_model, web_prepare_data=False, serve_worker=False,
                                admin_token=TOKEN)
    with TestClient(create_app(settings)) as client:
        yield client


def _auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}


def _db(client: TestClient):  # type: ignore[no-untyped-def]
    return client.app.state.service.runtime.db  # type: ignore[attr-defined]


def test_models_endpoint_returns_the_registry_newest_first(admin_app: TestClient) -> None:
    empty = admin_app.get("/api/v1/models", headers=_auth())
    assert empty.status_code == 200 and empty.json()["models"] == [] and empty.json()["champion"] is None

    _record_models(_db(admin_app))
    r = admin_app.get("/api/v1/models", headers=_auth())
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    body = r.json()
    assert body["champion"] == "v3-champion"
    assert [m["version"] for m in body["models"]] == ["v3-champion", "v2-old", "v1-rejected"]
    assert [m["status"] for m in body["models"]] == ["champion", "retired", "rejected"]
    top = body["models"][0]
    assert top["metrics"]["feedback"] == {"ndcg@10": 0.61, "mrr": pytest.approx(0.56), "recall@10": 0.66, "n": 18.0}
    assert top["metrics"]["project"]["ndcg@10"] == 0.43 and "per_cv" not in top["metrics"]["feedback"]
    assert top["champion_metrics"]["feedback"]["ndcg@10"] == 0.5
    assert top["data_sizes"] == {"train_cvs": 42, "test_cvs": 18, "train_triplets": 310}
    assert top["training"]["steps"] == 40 and top["reason"] == "promoted: gain 0.05"
    assert top["promoted_at"] and datetime.fromisoformat(top["created_at"]) == T0 + timedelta(days=14)
    assert "path" not in top  # no file system paths leave the server


def test_plot_is_a_valid_png_rendered_again_only_when_the_registry_changes(admin_app: TestClient) -> None:
    first = admin_app.get("/admin/models/plot.png", headers=_auth())  # an empty registry still plots
    assert first.status_code == 200 and first.headers["content-type"] == "image/png"
    assert first.content.startswith(PNG_MAGIC)
    _record_models(_db(admin_app))
    r = admin_app.get("/admin/models/plot.png", headers=_auth())
    assert r.content.startswith(PNG_MAGIC) and r.content != first.content
    assert _png_size(r.content) == (800, 450)
    assert admin_app.get("/admin/models/plot.png", headers=_auth()).content == r.content  # cached
    registry.rollback(_db(admin_app), "v2-old")  # a status change: the plot's markers change
    assert admin_app.get("/admin/models/plot.png", headers=_auth()).content != r.content


def test_admin_page_lists_versions_escaped_with_the_plot(admin_app: TestClient) -> None:
    _record_models(_db(admin_app))
    r = admin_app.get(f"/admin?token={TOKEN}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    for version in ("v1-rejected", "v2-old", "v3-champion"):
        assert version in page
    assert "<script>" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; no gain" in page
    assert "0.610 (was 0.500)" in page and "42 train / 18 held-out CVs" in page
    assert "project 0.430 (was 0.400)" in page
    assert page.index("v3-champion") < page.index("v1-rejected")  # newest first
    assert 'src="data:image/png;base64,iVBORw0KGgo' in page  # the PNG, inline
    assert TOKEN not in page  # the token is never echoed back


def test_with_a_token_every_admin_route_needs_it(admin_app: TestClient) -> None:
    for path in ("/api/v1/models", "/admin", "/admin/models/plot.png"):
        missing = admin_app.get(path)
        assert missing.status_code == 401 and missing.json()["error"] == "unauthorized"
        assert missing.headers["www-authenticate"].startswith("Bearer")
        assert admin_app.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert admin_app.get(path, params={"token": TOKEN[:-1]}).status_code == 401
        assert admin_app.get(path, headers={"Authorization": "Basic " + TOKEN}).status_code == 401
        assert admin_app.get(path, headers=_auth()).status_code == 200
        assert admin_app.get(path, params={"token": TOKEN}).status_code == 200
    assert admin_app.get("/healthz").status_code == 200  # nothing else is affected


def test_without_a_token_only_this_machine_gets_in(tmp_path: Path, web_tiny_model: Path) -> None:
    app = create_app(offline_settings(tmp_path / "data", web_tiny_model, web_prepare_data=False, serve_worker=False))
    with TestClient(app) as remote:  # the test client's address is not a loopback one
        r = remote.get("/api/v1/models")
        assert r.status_code == 403 and "JOBSAI_ADMIN_TOKEN" in r.json()["message"]
        assert remote.get("/admin").status_code == 403
        assert remote.get("/api/v1/models", params={"token": "anything"}).status_code == 403
    with TestClient(app, client=("127.0.0.1", 50000)) as local:
        assert local.get("/api/v1/models").status_code == 200
        assert local.get("/admin").status_code == 200
        proxied = local.get("/admin", headers={"X-Forwarded-For": "203.0.113.9"})  # a proxy on this machine
        assert proxied.status_code == 403
    with TestClient(app, client=("::1", 50000)) as local6:
        assert local6.get("/admin/models/plot.png").status_code == 200


def test_admin_over_real_http_from_loopback(web_runtime: Runtime) -> None:
    settings = web_runtime.settings.model_copy(update={"admin_token": None})
    with serve_in_thread(create_app(settings, runtime=web_runtime)) as base:
        r = httpx.get(f"{base}/admin", timeout=30)
        assert r.status_code == 200 and "Model registry" in r.text and "Serving:" in r.text
        models = httpx.get(f"{base}/api/v1/models", timeout=30).json()
        assert models["serving"] and isinstance(models["models"], list)
        png = httpx.get(f"{base}/admin/models/plot.png", timeout=30)
        assert png.status_code == 200 and png.content.startswith(PNG_MAGIC)


def test_admin_token_in_a_url_is_masked_in_access_logs() -> None:
    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
                               ("1.2.3.4", "GET", f"/admin?x=1&token={TOKEN}&y=2", "1.1", 200), None)
    AccessLogRedaction().filter(record)
    assert TOKEN not in record.getMessage() and "token=***&y=2" in record.getMessage()
