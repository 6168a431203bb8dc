"""Metrics and logs (issue 11): ``/metrics`` after a match, a feedback and an update; request ids; JSON logs.

Each app has its own registry, so two apps in one process count apart. The update runs as the worker's
``update`` job against a local JobStream stand-in, with the app's metrics, as ``jobsai serve`` runs it.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from jobsai.config import Settings
from jobsai.logs import REQUEST_ID, JsonFormatter, RequestIdFilter
from jobsai.runtime import Runtime
from jobsai.sources.demo import iter_demo_items
from jobsai.sources.jobstream import JobStreamClient
from jobsai.web.app import create_app
from jobsai.worker import Worker

from fake_jobstream import FakeJobStream
from support.web import CV_NURSE, free_port

TOKEN = "metrics-token-for-the-test-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def runtime(tmp_path: Path, tiny_model: Path) -> Iterator[Runtime]:
    settings = Settings(data_dir=tmp_path / "data", model=str(tiny_model), embed_quantize=False, database_url=None,
                        qdrant_url=None, jobstream_url="http://127.0.0.1:9", http_max_retries=0,
                        metrics_token=TOKEN, web_rate_limit_per_min=10_000.0, web_rate_limit_burst=1000)
    with Runtime(settings) as rt:
        rt.ingestor.load_items(list(iter_demo_items())[:40])
        yield rt


def _scrape(client: TestClient) -> str:
    r = client.get("/metrics", headers=AUTH)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return r.text


def _value(text: str, name: str, **labels: str) -> float:
    """The value of one series (labels in any order); fails when it is missing."""
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$", line)
        if not m or m.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(m.group(4))
    raise AssertionError(f"no series {name}{labels} in:\n{text}")


def test_metrics_after_a_match_a_feedback_and_an_update(runtime: Runtime) -> None:
    app = create_app(runtime.settings, runtime=runtime)
    with TestClient(app) as client:
        body = client.post("/api/v1/match", json={"text": CV_NURSE, "top_k": 5}).json()
        up = client.post("/api/v1/match", files={"file": ("cv.txt", CV_NURSE.encode(), "text/plain")})
        assert up.status_code == 200, up.text
        ad = body["results"][0]["id"]
        fb = client.post("/api/v1/feedback", json={"session_id": body["session_id"], "ad_id": ad,
                                                   "label": "relevant"})
        assert fb.status_code == 200, fb.text
        assert client.get(f"/api/v1/ads/{ad}").status_code == 200
        assert client.get("/api/v1/no-such-route").status_code == 404

        service = app.state.service
        demo = list(iter_demo_items())
        with FakeJobStream(ads=demo[:60]) as srv:
            def update(rt: Runtime) -> object:  # the worker's update job, against the stand-in
                with JobStreamClient(rt.settings.model_copy(update={"jobstream_url": srv.url})) as jobstream:
                    return rt.ingestor.update(jobstream)

            worker = Worker(runtime.settings, lambda: runtime, update=update, metrics=service.metrics)
            assert worker.run_job("update")
        text = _scrape(client)

    # requests per route template and status
    assert _value(text, "jobsai_http_requests_total", route="/api/v1/match", method="POST", status="200") == 2
    assert _value(text, "jobsai_http_requests_total", route="/api/v1/feedback", method="POST", status="200") == 1
    assert _value(text, "jobsai_http_requests_total", route="/api/v1/ads/{ad_id}", method="GET", status="200") == 1
    assert _value(text, "jobsai_http_requests_total", route="unmatched", method="GET", status="404") >= 1
    assert _value(text, "jobsai_http_request_duration_seconds_count", route="/api/v1/match", method="POST",
                  status="200") == 2
    # match stages, parse outcomes, feedback
    for stage in ("encode", "search", "rescore", "explain"):
        assert _value(text, "jobsai_match_stage_seconds_count", stage=stage) == 2
    assert _value(text, "jobsai_cv_parse_total", kind="paste", outcome="ok") == 1
    assert _value(text, "jobsai_cv_parse_total", kind="txt", outcome="ok") == 1
    assert _value(text, "jobsai_feedback_total", label="relevant") == 1
    # the update: ingest counters and the job's outcome
    assert _value(text, "jobsai_ingest_ads_total", change="inserted") == 20  # 60 in the snapshot, 40 known
    assert _value(text, "jobsai_ingest_runs_total", kind="snapshot", outcome="complete") == 1
    assert _value(text, "jobsai_worker_jobs_total", job="update", outcome="ok") == 1
    # state, read from the store and the index at scrape time
    assert _value(text, "jobsai_store_live_ads") == _value(text, "jobsai_index_points") == 60
    assert _value(text, "jobsai_index_mismatch") == 0 and _value(text, "jobsai_data_stale") == 0
    assert 0 <= _value(text, "jobsai_seconds_since_last_update") < 600
    assert _value(text, "jobsai_model_info", version=service.model_version) == 1
    assert CV_NURSE.split()[0] not in text and body["session_id"] not in text


def test_each_app_counts_its_own_and_metrics_need_the_token(runtime: Runtime) -> None:
    first = create_app(runtime.settings, runtime=runtime)
    second = create_app(runtime.settings, runtime=runtime)
    with TestClient(first) as a, TestClient(second) as b:
        assert a.post("/api/v1/match", json={"text": CV_NURSE, "top_k": 3}).status_code == 200
        assert _value(_scrape(a), "jobsai_http_requests_total", route="/api/v1/match", method="POST",
                      status="200") == 1
        with pytest.raises(AssertionError):
            _value(_scrape(b), "jobsai_http_requests_total", route="/api/v1/match", method="POST", status="200")
        assert a.get("/metrics").status_code == 401
        assert a.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    for unset in (None, ""):  # an empty JOBSAI_METRICS_TOKEN= is no token, not the empty one
        no_token = runtime.settings.model_copy(update={"metrics_token": unset})
        with TestClient(create_app(no_token, runtime=runtime)) as c:
            assert c.get("/metrics").status_code == 403  # the admin rule: this test client is not loopback
            assert c.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 403


def test_request_ids_and_json_logs_without_cv_text(runtime: Runtime) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("jobsai.web.service")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        with TestClient(create_app(runtime.settings, runtime=runtime)) as client:
            r = client.post("/api/v1/match", json={"text": CV_NURSE, "top_k": 3}, headers={"X-Request-ID": "req-42"})
            assert r.status_code == 200 and r.headers["X-Request-ID"] == "req-42"
            evil = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
            assert re.fullmatch(r"[0-9a-f]{16}", evil.headers["X-Request-ID"])
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    lines: list[dict[str, Any]] = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert any(line["request_id"] == "req-42" and line["message"].startswith("match:") for line in lines)
    assert all(set(line) <= {"ts", "level", "logger", "message", "request_id", "exception"} for line in lines)
    words = {w for w in CV_NURSE.split() if len(w) > 6}
    assert not any(w in line["message"] for line in lines for w in words)
    token = REQUEST_ID.set("outside")
    try:
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello %s", ("you",), None)
        RequestIdFilter().filter(record)
        assert json.loads(JsonFormatter().format(record))["request_id"] == "outside"
    finally:
        REQUEST_ID.reset(token)


def test_the_worker_process_serves_its_metrics_on_its_port(tmp_path: Path) -> None:
    port = free_port()
    env = dict(os.environ)
    env.update({
        "JOBSAI_DATA_DIR": str(tmp_path / "data"), "JOBSAI_JOBSTREAM_URL": "http://127.0.0.1:9",
        "JOBSAI_HTTP_MAX_RETRIES": "1", "JOBSAI_HTTP_TIMEOUT_S": "2", "JOBSAI_UPDATE_INTERVAL_MIN": "10",
        "JOBSAI_MODEL": str(tmp_path / "no-model"),  # the update fails before any model is needed
        "JOBSAI_WORKER_METRICS_PORT": str(port), "JOBSAI_LOG_FORMAT": "json",
    })
    env.pop("JOBSAI_DATABASE_URL", None)
    env.pop("JOBSAI_QDRANT_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "jobsai.cli.main", "worker"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    text = ""
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
                if "jobsai_worker_jobs_total{" in text and 'job="update"' in text:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert _value(text, "jobsai_worker_jobs_total", job="update", outcome="failed") == 1  # JobStream is offline
    assert _value(text, "jobsai_ingest_runs_total", kind="update", outcome="failed") == 1
    assert _value(text, "jobsai_store_up") == 1 and _value(text, "jobsai_store_live_ads") == 0
    lines = [json.loads(line) for line in out.decode().splitlines() if line.startswith("{")]
    assert lines and any(line["message"].startswith("worker started") for line in lines)
