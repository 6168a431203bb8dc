"""The HTTP API: every endpoint, every error status, consent on and off, deletion by token.

Runs the real app (FastAPI + mounted Gradio, lifespan included) in-process with
``TestClient`` around the session's demo-data runtime and the tiny model. Stored feedback
is checked in SQL, not through the API.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from jobsai.embed.text import ad_texts
from jobsai.runtime import Runtime
from jobsai.store import feedback as feedback_repo
from jobsai.store.schema import feedback as feedback_table
from jobsai.web.app import create_app

from support.cv_files import make_cv_docx, make_cv_pdf, make_scanned_pdf, png_bytes
from support.web import CLOSED_PORT_URL, CV_NURSE, CV_WAREHOUSE, PII, free_port, offline_settings

pytest_plugins = ["web_fixtures"]


@pytest.fixture(scope="module")
def client(web_runtime: Runtime) -> Iterator[TestClient]:
    # Rate limits are tested on their own app below; this one must not get in the way.
    settings = web_runtime.settings.model_copy(update={"web_rate_limit_per_min": 100_000.0,
                                                       "web_rate_limit_burst": 1000})
    app = create_app(settings, runtime=web_runtime)
    with TestClient(app) as c:
        yield c


def _match_json(client: TestClient, text: str = CV_NURSE, **extra: object) -> dict:
    r = client.post("/api/v1/match", json={"text": text, **extra})
    assert r.status_code == 200, r.text
    return r.json()


def _rows(runtime: Runtime, **where: str) -> list[feedback_repo.FeedbackRow]:
    with runtime.db.begin(readonly=True) as conn:
        return feedback_repo.get_feedback(conn, **where)  # type: ignore[arg-type]


# -- health -------------------------------------------------------------------------------------


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["ready"] is True and body["ads"] >= 273 and body["model"]


def test_readyz_is_503_until_there_are_ads(tmp_path: Path, web_tiny_model: Path) -> None:
    settings = offline_settings(tmp_path / "empty", web_tiny_model, web_prepare_data=False)
    with TestClient(create_app(settings)) as c:
        app_service = c.app.state.service  # type: ignore[attr-defined]
        app_service.wait_ready(60)
        r = c.get("/readyz")
        assert r.status_code == 503 and r.json()["ready"] is False and r.json()["ads"] == 0
        m = c.post("/api/v1/match", json={"text": CV_NURSE})
        assert m.status_code == 503 and m.json()["error"] == "not_ready"


def test_openapi_documents_the_api(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in ("/api/v1/match", "/api/v1/feedback", "/api/v1/feedback/{token}", "/api/v1/ads/{ad_id}",
                 "/api/v1/filters", "/healthz", "/readyz"):
        assert path in paths
    body = paths["/api/v1/match"]["post"]["requestBody"]["content"]
    assert {"multipart/form-data", "application/json"} <= set(body)
    assert {"413", "415", "422", "429"} <= set(paths["/api/v1/match"]["post"]["responses"])


def test_ui_is_served_at_the_root(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200 and "<html" in r.text.lower()


# -- match --------------------------------------------------------------------------------------


def test_match_with_json_text(client: TestClient) -> None:
    body = _match_json(client, top_k=7)
    assert len(body["results"]) == 7
    assert body["language"] == "sv" and body["understood"]["language"] == "sv"
    assert body["understood"]["words"] > 50 and body["understood"]["occupations"]
    assert body["understood"]["title"] == "Undersköterska – äldreomsorg och hemsjukvård"
    assert len(body["session_id"]) >= 16 and len(body["deletion_token"]) >= 40
    first = body["results"][0]
    for key in ("id", "score", "raw_score", "headline", "employer", "municipality", "region", "occupation",
                "occupation_field", "employment_type", "working_hours", "published", "deadline", "url",
                "apply_url", "why", "matched_skills", "skills", "matched_terms", "cv_passage", "excerpt",
                "excerpt_html"):
        assert key in first
    assert [r["rank"] for r in body["results"]] == list(range(1, 8))
    scores = [r["raw_score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= r["score"] <= 100 for r in body["results"])


def test_results_say_which_of_the_ads_skills_the_cv_has_and_which_to_add(client: TestClient) -> None:
    results = _match_json(client, top_k=100)["results"]
    for r in results:
        skills = r["skills"]
        assert set(skills) == {"matched", "missing", "total"}
        assert skills["matched"] == r["matched_skills"]
        assert len(skills["matched"]) + len(skills["missing"]) <= skills["total"] and len(skills["missing"]) <= 8
        if skills["total"]:
            assert f"{len(skills['matched'])} of {skills['total']} skills in your CV" in r["why"]
        assert not set(skills["matched"]) & set(skills["missing"])
    # the nurse's CV names omvårdnad, hemtjänst, demenssjukdom, …: care ads that ask for them say so
    assert any(r["skills"]["matched"] for r in results)
    assert any(r["skills"]["missing"] for r in results)


@pytest.mark.parametrize("kind", ["pdf", "docx", "txt"])
def test_match_with_uploaded_file(client: TestClient, tmp_path: Path, kind: str) -> None:
    if kind == "pdf":
        data = make_cv_pdf(CV_WAREHOUSE, tmp_path / "cv.pdf").read_bytes()
    elif kind == "docx":
        data = make_cv_docx(tmp_path / "cv.docx", CV_WAREHOUSE.split("\n\n")).read_bytes()
    else:
        data = CV_WAREHOUSE.encode("utf-8")
    r = client.post(
        "/api/v1/match",
        files={"file": (f"cv.{kind}", data, "application/octet-stream")},
        data={"top_k": "5", "filters": json.dumps({"published_within_days": 365})},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["results"]) == 5
    assert body["understood"]["kind"] == kind
    if kind == "pdf":
        assert body["understood"]["pages"] == 1


def test_filters_are_applied_and_listed(client: TestClient) -> None:
    filters = client.get("/api/v1/filters").json()
    for key in ("municipalities", "regions", "occupation_fields", "employment_types", "working_hours"):
        assert filters[key], key
        assert all({"id", "label", "count"} <= set(c) for c in filters[key])
    stockholm = next(c for c in filters["municipalities"] if c["label"] == "Stockholm")
    by_name = _match_json(client, top_k=50, filters={"municipalities": ["Stockholm"]})
    by_id = _match_json(client, top_k=50, filters={"municipalities": [stockholm["id"]]})
    assert by_name["results"] and all(r["municipality"] == "Stockholm" for r in by_name["results"])
    assert [r["id"] for r in by_name["results"]] == [r["id"] for r in by_id["results"]]
    assert len(by_name["results"]) <= stockholm["count"]


def test_get_ad(client: TestClient, web_runtime: Runtime) -> None:
    ad_id = _match_json(client, top_k=1)["results"][0]["id"]
    r = client.get(f"/api/v1/ads/{ad_id}")
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == ad_id and body["headline"] and body["description_html"].startswith("<")
    assert client.get("/api/v1/ads/no-such-ad").status_code == 404
    assert client.get("/api/v1/ads/no-such-ad").json()["error"] == "not_found"


# -- errors -------------------------------------------------------------------------------------


def _error(r, status: int, code: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error", "message"} and body["message"]
    if code:
        assert body["error"] == code
    return body


def test_413_too_large(web_runtime: Runtime) -> None:
    settings = web_runtime.settings.model_copy(update={"max_upload_bytes": 20_000})
    with TestClient(create_app(settings, runtime=web_runtime)) as c:
        # just over the limit: the extractor's own check
        big = (CV_NURSE + "\n") * (25_000 // len(CV_NURSE) + 1)
        _error(c.post("/api/v1/match", files={"file": ("cv.txt", big.encode(), "text/plain")}), 413, "file_too_large")
        # far over: refused from the declared length, before the body is read
        huge = b"x" * 2_000_000
        _error(c.post("/api/v1/match", files={"file": ("cv.txt", huge, "text/plain")}), 413, "file_too_large")

        # no declared length (chunked): cut off while reading
        def chunks() -> Iterator[bytes]:
            for _ in range(100):
                yield b"y" * 20_000

        r = c.post("/api/v1/match", content=chunks(), headers={"content-type": "application/json"})
        _error(r, 413, "file_too_large")
        _error(c.post("/api/v1/match", json={"text": big}), 413, "file_too_large")


def test_415_unsupported_types(client: TestClient) -> None:
    png = png_bytes()
    _error(client.post("/api/v1/match", files={"file": ("cv.png", png, "image/png")}), 415, "unsupported_file_type")
    r = client.post("/api/v1/match", content=CV_NURSE.encode(), headers={"content-type": "text/plain"})
    _error(r, 415, "unsupported_media_type")


def test_422_unreadable_short_or_bad_input(client: TestClient, tmp_path: Path) -> None:
    scanned = make_scanned_pdf(tmp_path / "scan.pdf").read_bytes()
    body = _error(client.post("/api/v1/match", files={"file": ("scan.pdf", scanned, "application/pdf")}), 422)
    assert body["error"] == "unreadable_cv" and "scan" in body["message"].lower()
    _error(client.post("/api/v1/match", json={"text": "Undersköterska med körkort."}), 422, "unreadable_cv")
    bad_filter = client.post("/api/v1/match", json={"text": CV_NURSE, "filters": {"municipalities": ["Stokholm"]}})
    assert "Did you mean" in _error(bad_filter, 422, "unknown_filter_value")["message"]
    _error(client.post("/api/v1/match", json={"text": CV_NURSE, "top_k": 101}), 422, "invalid_request")
    _error(client.post("/api/v1/match", json={"cv": CV_NURSE}), 422, "invalid_request")
    _error(client.post("/api/v1/match", content=b"{not json", headers={"content-type": "application/json"}), 422)
    _error(client.post("/api/v1/match", files={"other": ("x.txt", b"x", "text/plain")}), 422)
    _error(client.post("/api/v1/match", data={"text": CV_NURSE, "top_k": "0"}), 422, "invalid_request")
    r = client.post("/api/v1/match", data={"text": CV_NURSE, "filters": "{\"regions\": 5}"})
    _error(r, 422, "invalid_request")


def test_429_rate_limited_with_retry_after(web_runtime: Runtime) -> None:
    settings = web_runtime.settings.model_copy(update={"web_rate_limit_burst": 2, "web_rate_limit_per_min": 1.0})
    with TestClient(create_app(settings, runtime=web_runtime)) as c:
        for _ in range(2):
            assert c.post("/api/v1/match", json={"text": CV_NURSE, "top_k": 1}).status_code == 200
        r = c.post("/api/v1/match", json={"text": CV_NURSE, "top_k": 1})
        _error(r, 429, "rate_limited")
        assert int(r.headers["Retry-After"]) >= 1
        # cheap calls have their own, larger bucket
        assert c.get("/api/v1/filters").status_code == 200


def test_request_timeout_is_a_json_504(web_runtime: Runtime) -> None:
    settings = web_runtime.settings.model_copy(update={"web_request_timeout_s": 0.0001})
    with TestClient(create_app(settings, runtime=web_runtime)) as c:
        _error(c.post("/api/v1/match", json={"text": CV_NURSE}), 504, "timeout")
        assert c.get("/healthz").status_code == 200  # only /api/ is timed


# -- feedback -----------------------------------------------------------------------------------


def test_feedback_without_consent_stores_nothing_of_the_cv(client: TestClient, web_runtime: Runtime) -> None:
    body = _match_json(client, top_k=5)
    ad = body["results"][2]
    r = client.post("/api/v1/feedback", json={"session_id": body["session_id"], "ad_id": ad["id"],
                                              "label": "not_relevant", "consent": False})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["cv_stored"] is False and out["deletion_token"] == body["deletion_token"]
    (row,) = _rows(web_runtime, session_id=body["session_id"])
    assert row.cv_text_redacted is None and row.consent is False
    assert (row.ad_id, row.label, row.rank, row.score) == (ad["id"], "not_relevant", 3, ad["score"])
    stored_ad = web_runtime.lookup_ads([ad["id"]])[ad["id"]]
    texts = ad_texts(stored_ad)
    assert row.ad_text == f"{texts.title}\n\n{texts.body}"
    assert row.model_version.startswith(web_runtime.embedder.fingerprint.name + "@")
    assert row.deletion_token_hash == feedback_repo.hash_token(body["deletion_token"])
    assert body["deletion_token"] not in json.dumps(row.filters or {})
    # nothing of the CV anywhere in the row
    dumped = repr(row)
    assert "Solgläntans" not in dumped and "maria.testsson" not in dumped and "Undersköterska –" not in dumped


def test_feedback_with_consent_stores_the_redacted_cv(client: TestClient, web_runtime: Runtime) -> None:
    body = _match_json(client, top_k=5, filters={"published_within_days": 365})
    sid = body["session_id"]
    ad_id = body["results"][0]["id"]
    r = client.post("/api/v1/feedback", json={"session_id": sid, "ad_id": ad_id, "label": "relevant", "consent": True})
    assert r.status_code == 200 and r.json()["cv_stored"] is True
    (row,) = _rows(web_runtime, session_id=sid)
    assert row.consent is True and row.cv_text_redacted
    assert "Solgläntans äldreboende" in row.cv_text_redacted  # the CV is there …
    for secret in PII["nurse"]:  # … without personnummer, e-mail, phone or street address
        assert secret not in row.cv_text_redacted
    assert row.filters == {"published_within_days": 365}
    # changing one's mind overwrites (one row per session and ad), and consent can be withdrawn
    r2 = client.post("/api/v1/feedback", json={"session_id": sid, "ad_id": ad_id, "label": "not_relevant",
                                               "consent": True})
    assert r2.status_code == 200
    (row2,) = _rows(web_runtime, session_id=sid)
    assert row2.label == "not_relevant" and row2.id == row.id and row2.updated_at >= row.updated_at
    other = body["results"][1]["id"]
    client.post("/api/v1/feedback", json={"session_id": sid, "ad_id": other, "label": "relevant", "consent": False})
    rows = _rows(web_runtime, session_id=sid)
    assert len(rows) == 2 and all(r.cv_text_redacted is None and not r.consent for r in rows)


def test_feedback_errors(client: TestClient) -> None:
    body = _match_json(client, top_k=3)
    ok = {"session_id": body["session_id"], "ad_id": body["results"][0]["id"], "label": "relevant"}
    _error(client.post("/api/v1/feedback", json={**ok, "session_id": "x" * 24}), 404, "session_not_found")
    _error(client.post("/api/v1/feedback", json={**ok, "ad_id": "not-shown"}), 404, "not_found")
    _error(client.post("/api/v1/feedback", json={**ok, "label": "maybe"}), 422, "invalid_request")
    # the CV never travels with feedback
    _error(client.post("/api/v1/feedback", json={**ok, "cv_text": "my CV"}), 422, "invalid_request")


def test_delete_by_token_really_deletes(client: TestClient, web_runtime: Runtime) -> None:
    body = _match_json(client, top_k=4)
    sid, token = body["session_id"], body["deletion_token"]
    for i, result in enumerate(body["results"][:3]):
        r = client.post("/api/v1/feedback", json={"session_id": sid, "ad_id": result["id"],
                                                  "label": "relevant", "consent": i % 2 == 0})
        assert r.status_code == 200
    other = _match_json(client, CV_WAREHOUSE, top_k=2)
    client.post("/api/v1/feedback", json={"session_id": other["session_id"], "ad_id": other["results"][0]["id"],
                                          "label": "relevant", "consent": True})
    assert len(_rows(web_runtime, session_id=sid)) == 3
    r = client.delete(f"/api/v1/feedback/{token}")
    assert r.status_code == 200 and r.json() == {"deleted": 3}
    with web_runtime.db.begin(readonly=True) as conn:
        left = conn.execute(
            select(func.count()).select_from(feedback_table).where(
                (feedback_table.c.session_id == sid)
                | (feedback_table.c.deletion_token_hash == feedback_repo.hash_token(token))
            )
        ).scalar_one()
    assert left == 0
    assert len(_rows(web_runtime, session_id=other["session_id"])) == 1  # someone else's stays
    _error(client.delete(f"/api/v1/feedback/{token}"), 404, "not_found")
    _error(client.delete("/api/v1/feedback/short"), 422)
    # the session is gone from memory too: no more feedback under it
    r = client.post("/api/v1/feedback", json={"session_id": sid, "ad_id": body["results"][3]["id"],
                                              "label": "relevant"})
    _error(r, 404, "session_not_found")


def test_errors_never_echo_the_cv(client: TestClient) -> None:
    r = client.post("/api/v1/match", json={"text": CV_NURSE, "filters": {"municipalities": ["Nowhere-ville"]}})
    assert r.status_code == 422
    assert "maria" not in r.text.lower() and "070-123" not in r.text


def test_api_excerpt_fields_are_safe(client: TestClient) -> None:
    for result in _match_json(client, top_k=10)["results"]:
        assert "<" not in result["excerpt_html"].replace("<mark>", "").replace("</mark>", "")
        assert result["url"].startswith("https://")


def test_file_upload_reads_bytes_not_names(client: TestClient) -> None:
    # a text CV named .pdf still works: the type comes from the content
    r = client.post("/api/v1/match", files={"file": ("cv.pdf", io.BytesIO(CV_NURSE.encode()), "application/pdf")})
    assert r.status_code == 200 and r.json()["understood"]["kind"] == "txt"


def test_cli_serve_starts_answers_and_stops(tmp_path: Path, web_tiny_model: Path) -> None:
    """`jobsai serve` wiring: health at once, 503 while there are no ads, a clean exit on Ctrl-C."""
    port = free_port()
    env = dict(os.environ)
    env.update({
        "JOBSAI_DATA_DIR": str(tmp_path / "serve-data"), "JOBSAI_MODEL": str(web_tiny_model),
        "JOBSAI_EMBED_QUANTIZE": "false", "JOBSAI_JOBSTREAM_URL": CLOSED_PORT_URL, "JOBSAI_WEB_PREPARE_DATA": "false",
    })
    env.pop("JOBSAI_DATABASE_URL", None)
    env.pop("JOBSAI_QDRANT_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "jobsai.cli.main", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        state: dict = {}
        while time.monotonic() < deadline:
            try:
                r = httpx.get(base + "/readyz", timeout=5)
                state = r.json()
                if state.get("stage") in ("ready", "failed"):
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        assert state.get("stage") == "ready" and state["ready"] is False and state["ads"] == 0, state
        assert httpx.get(base + "/healthz", timeout=5).json() == {"status": "ok"}
        assert httpx.get(base + "/", timeout=5).status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert f"http://127.0.0.1:{port}/" in out
