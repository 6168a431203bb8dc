"""Replicas (issue 11): two web apps on one database and one index behave as one service.

A match answered by the first app, feedback and deletion taken by the second; the rate limit counted
across both (in the database, or in Redis when a ``redis-server`` binary is installed); expired sessions
swept. Runs on SQLite and, with ``JOBSAI_TEST_POSTGRES_URL``, on PostgreSQL (tests/pg.py). The two apps
share one Runtime (one open index), as two replicas share one Qdrant server.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from jobsai.cli.main import app as cli
from jobsai.cli.replicas import plan_replicas, run_replicas
from jobsai.config import Settings
from jobsai.errors import ConfigError
from jobsai.index.catalog import next_index_name
from jobsai.runtime import Runtime
from jobsai.sources.demo import iter_demo_items
from jobsai.store import feedback as feedback_repo
from jobsai.store.schema import match_sessions
from jobsai.sync.reindex import build_index, switch_active
from jobsai.timeutil import utcnow
from jobsai.web.app import create_app
from jobsai.web.limiter import DatabaseStorage, resolve_storage_kind

from support.web import CV_NURSE, CV_WAREHOUSE

pytest_plugins = ["pg"]

GENEROUS = {"web_rate_limit_per_min": 100_000.0, "web_rate_limit_burst": 1000, "rate_limit_storage": "database"}


@pytest.fixture
def runtime(db_url: str, tmp_path: Path, tiny_model: Path) -> Iterator[Runtime]:
    """One store (SQLite file or PostgreSQL) and one index, shared by the replicas of a test."""
    settings = Settings(data_dir=tmp_path / "data", database_url=db_url, model=str(tiny_model), embed_quantize=False,
                        qdrant_url=None, jobstream_url="http://127.0.0.1:9", http_max_retries=0)
    with Runtime(settings) as rt:
        rt.ingestor.load_items(list(iter_demo_items())[:40])
        yield rt


def _replicas(runtime: Runtime, **overrides: Any) -> tuple[TestClient, TestClient]:
    settings = runtime.settings.model_copy(update=overrides)
    return TestClient(create_app(settings, runtime=runtime)), TestClient(create_app(settings, runtime=runtime))


def _match(client: TestClient, text: str = CV_NURSE) -> dict[str, Any]:
    r = client.post("/api/v1/match", json={"text": text, "top_k": 5})
    assert r.status_code == 200, r.text
    return r.json()


def _sessions_in_db(runtime: Runtime) -> int:
    with runtime.db.begin(readonly=True) as conn:
        return int(conn.execute(select(func.count()).select_from(match_sessions)).scalar_one())


def test_a_match_on_one_replica_then_feedback_and_deletion_on_the_other(runtime: Runtime) -> None:
    first, second = _replicas(runtime, **GENEROUS)
    with first as a, second as b:
        body = _match(a)
        sid, token = body["session_id"], body["deletion_token"]
        ads = [r["id"] for r in body["results"]]

        r = b.post("/api/v1/feedback", json={"session_id": sid, "ad_id": ads[0], "label": "relevant", "consent": True})
        assert r.status_code == 200, r.text
        assert r.json()["cv_stored"] is True and r.json()["deletion_token"] is None  # B never saw the token
        r = a.post("/api/v1/feedback", json={"session_id": sid, "ad_id": ads[1], "label": "not_relevant",
                                             "consent": True})
        assert r.status_code == 200 and r.json()["deletion_token"] == token  # A made the session
        with runtime.db.begin(readonly=True) as conn:
            rows = feedback_repo.get_feedback(conn, session_id=sid)
        assert {row.ad_id for row in rows} == set(ads[:2])
        assert all(row.deletion_token_hash == feedback_repo.hash_token(token) for row in rows)
        assert all(row.cv_text_redacted and "maria.testsson" not in row.cv_text_redacted for row in rows)
        assert "[" in rows[0].cv_text_redacted  # redacted: tags in place of the name, phone, address

        # withdrawing consent on B removes the CV from everything given under the token
        r = b.post("/api/v1/feedback", json={"session_id": sid, "ad_id": ads[0], "label": "relevant"})
        assert r.status_code == 200 and r.json()["cv_stored"] is False
        with runtime.db.begin(readonly=True) as conn:
            assert all(row.cv_text_redacted is None for row in feedback_repo.get_feedback(conn, session_id=sid))
        assert b.post("/api/v1/feedback", json={"session_id": sid, "ad_id": "not-shown", "label": "relevant"}
                      ).status_code == 404

        # deletion on B: the rows and the session go everywhere; A forgets its copy at its next sweep
        r = b.post("/api/v1/feedback/delete", json={"token": token})
        assert r.status_code == 200 and r.json() == {"deleted": 2}
        assert _sessions_in_db(runtime) == 0
        service_a = a.app.state.service  # type: ignore[attr-defined]
        assert service_a.sessions.get(sid) is not None
        assert service_a.sweep()[0] == 1 and service_a.sessions.get(sid) is None
        for client in (a, b):
            r = client.post("/api/v1/feedback", json={"session_id": sid, "ad_id": ads[0], "label": "relevant"})
            assert r.status_code == 404 and r.json()["error"] == "session_not_found"


def test_expired_sessions_are_refused_and_swept(runtime: Runtime) -> None:
    first, second = _replicas(runtime, **GENEROUS)
    with first as a, second as b:
        body = _match(a, CV_WAREHOUSE)
        assert _sessions_in_db(runtime) == 1
        with runtime.db.begin() as conn:
            conn.execute(update(match_sessions).values(expires_at=utcnow() - timedelta(seconds=1)))
        r = b.post("/api/v1/feedback", json={"session_id": body["session_id"], "ad_id": body["results"][0]["id"],
                                             "label": "relevant"})
        assert r.status_code == 404
        forgotten, swept = b.app.state.service.sweep()  # type: ignore[attr-defined]
        assert (forgotten, swept) == (0, 1) and _sessions_in_db(runtime) == 0
        assert a.app.state.service.sweep() == (1, 0)  # type: ignore[attr-defined]


def test_the_rate_limit_holds_across_replicas(runtime: Runtime) -> None:
    limits = {"web_rate_limit_per_min": 1.0, "web_rate_limit_burst": 3}
    first, second = _replicas(runtime, **limits, rate_limit_storage="database")
    with first as a, second as b:
        assert isinstance(a.app.state.service._limit_storage, DatabaseStorage)  # type: ignore[attr-defined]
        codes = [c.post("/api/v1/match", json={"text": CV_NURSE, "top_k": 1}).status_code for c in (a, a, b, b, a)]
        assert codes == [200, 200, 200, 429, 429]
        r = a.post("/api/v1/match", json={"text": CV_NURSE, "top_k": 1})
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
        assert b.get("/api/v1/filters").status_code == 200  # cheap calls count apart
    # in memory each replica counts alone (one process only)
    first, second = _replicas(runtime, **limits, rate_limit_storage="memory")
    with first as a, second as b:
        codes = [c.post("/api/v1/match", json={"text": CV_NURSE, "top_k": 1}).status_code for c in (a, a, a, a, b)]
        assert codes == [200, 200, 200, 429, 200]


def test_auto_storage_is_the_database_on_postgresql_and_memory_on_sqlite(runtime: Runtime) -> None:
    expected = "database" if runtime.db.backend == "postgresql" else "memory"
    assert resolve_storage_kind(runtime.settings) == expected
    redis = runtime.settings.model_copy(update={"redis_url": "redis://127.0.0.1:6379/0"})
    assert resolve_storage_kind(redis) == "redis"


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_rate_limit_holds_across_replicas_through_redis(runtime: Runtime, redis_url: str) -> None:
    first, second = _replicas(runtime, web_rate_limit_per_min=1.0, web_rate_limit_burst=2, redis_url=redis_url)
    with first as a, second as b:
        assert a.app.state.service.limit_storage_kind == "redis"  # type: ignore[attr-defined]
        codes = [c.post("/api/v1/match", json={"text": CV_NURSE, "top_k": 1}).status_code for c in (a, b, b, a)]
        assert codes == [200, 200, 429, 429]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_replica_without_the_worker_follows_a_switch_made_elsewhere(runtime: Runtime) -> None:
    settings = runtime.settings.model_copy(update={"serve_worker": False, **GENEROUS})
    with TestClient(create_app(settings, runtime=runtime)) as client:
        service = client.app.state.service  # type: ignore[attr-defined]
        assert service.follow_active_index() is False
        with runtime.db.begin(readonly=True) as conn:
            name = next_index_name(conn)
        build_index(runtime.settings, runtime.db, runtime.embedder, name)  # what `jobsai worker` does
        switch_active(runtime.settings, runtime.db, name)
        assert service.follow_active_index() is True and service.runtime.index_name == name
        assert service.follow_active_index() is False
        assert _match(client)["results"]
        assert client.get("/readyz").json()["index_points"] == 40


# -- jobsai serve --workers N -------------------------------------------------------------------


def test_workers_are_refused_with_the_embedded_index(tmp_path: Path) -> None:
    env = {"JOBSAI_DATA_DIR": str(tmp_path / "d"), "JOBSAI_QDRANT_URL": None, "JOBSAI_DATABASE_URL": None}
    result = CliRunner().invoke(cli, ["serve", "--workers", "2"], env=env)
    assert result.exit_code == 1 and "Qdrant server" in result.output and "JOBSAI_QDRANT_URL" in result.output


def test_workers_plan_ports_and_turn_the_in_process_worker_off(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, qdrant_url="http://qdrant:6333", database_url=None)
    plan = plan_replicas(settings, 3, 7860)
    assert plan.ports == [7860, 7861, 7862]
    assert plan.env == {"JOBSAI_SERVE_WORKER": "false", "JOBSAI_RATE_LIMIT_STORAGE": "database"}
    assert any("jobsai worker" in n for n in plan.notes) and any("sticky" in n for n in plan.notes)
    with_redis = plan_replicas(settings.model_copy(update={"redis_url": "redis://r:6379/0"}), 2, 8000)
    assert "JOBSAI_RATE_LIMIT_STORAGE" not in with_redis.env
    with pytest.raises(ConfigError, match="Qdrant"):
        plan_replicas(settings.model_copy(update={"qdrant_url": None}), 2, 7860)


def test_replicas_are_stopped_together_when_one_ends() -> None:
    plan = plan_replicas(Settings(qdrant_url="http://q:6333", database_url=None), 2, 7860)
    ended: list[tuple[int, int]] = []
    started = time.monotonic()
    status = run_replicas(plan, [[sys.executable, "-c", "import time; time.sleep(60)"],
                                 [sys.executable, "-c", "import sys, time; time.sleep(0.5); sys.exit(3)"]],
                          on_exit=lambda i, code: ended.append((i, code)))
    assert status == 3 and ended == [(1, 3)] and time.monotonic() - started < 20
