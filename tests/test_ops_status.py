"""Honest status (issue 11): the index's points are counted by the index, compared with the store's live ads,
and stale data is reported (by ``jobsai status``, ``jobsai index list`` and ``/readyz``; the UI says so).

The index is broken on purpose through the index API (points deleted behind the store's back), which is
what a restored or half-written index looks like, and every report must notice.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jobsai.config import Settings
from jobsai.index import catalog
from jobsai.index.factory import open_index
from jobsai.index.qdrant_edge import EdgeIndex
from jobsai.runtime import Runtime
from jobsai.store.db import Database
from jobsai.sync.health import store_health
from jobsai.web.app import create_app
from jobsai.web.i18n import LANGS
from jobsai.web.ui import _stale_notice

from fake_jobstream import FakeJobStream
from support.cli import invoke


def _env(data_dir: Path, model: Path, jobstream: str = "http://127.0.0.1:9") -> dict[str, str | None]:
    return {
        "JOBSAI_DATA_DIR": str(data_dir), "JOBSAI_MODEL": str(model), "JOBSAI_EMBED_QUANTIZE": "false",
        "JOBSAI_JOBSTREAM_URL": jobstream, "JOBSAI_HTTP_MAX_RETRIES": "0", "JOBSAI_HTTP_TIMEOUT_S": "5",
        "JOBSAI_DATABASE_URL": None, "JOBSAI_QDRANT_URL": None, "COLUMNS": "200",
    }


def _status(env: dict[str, str | None]) -> dict[str, Any]:
    return json.loads(invoke(env, "status"))


def _active(env: dict[str, str | None]) -> dict[str, Any]:
    rows = json.loads(invoke(env, "index", "list"))
    return next(r for r in rows if r["status"] == "active")


def _break_index(settings: Settings, n: int) -> list[str]:
    """Delete ``n`` points through the index API, behind the store's back."""
    with Database.from_settings(settings) as db, db.begin(readonly=True) as conn:
        record = catalog.active_index(conn)
    assert record is not None
    index = open_index(settings, record.fingerprint, record.name, create=False)
    try:
        victims = sorted(index.ad_ids())[:n]
        index.delete(victims)
    finally:
        assert isinstance(index, EdgeIndex)
        index.close(optimize=False)
    return victims


def _write_jsonl(path: Path, items: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    return path


def test_status_and_index_list_count_the_index_after_load_and_see_a_broken_one(
    tmp_path: Path, tiny_model: Path, demo_items: list[dict[str, Any]]
) -> None:
    env = _env(tmp_path / "data", tiny_model)
    invoke(env, "load", str(_write_jsonl(tmp_path / "ads.jsonl", demo_items[:60])))

    status = _status(env)
    live = status["ads"]["live"]
    assert live == 60
    assert status["index"]["points"] == live and status["index"]["store_live"] == live
    assert status["index"]["mismatch"] is False and status["index"]["points_error"] is None
    assert status["freshness"]["stale"] is False and status["freshness"]["last_update"]
    active = _active(env)
    assert active["points"] == live and active["mismatch"] is False

    settings = Settings(data_dir=tmp_path / "data", model=str(tiny_model), database_url=None, qdrant_url=None)
    _break_index(settings, 5)

    status = _status(env)
    assert status["index"]["points"] == live - 5 and status["index"]["mismatch"] is True
    active = _active(env)
    assert active["points"] == live - 5 and active["mismatch"] is True and active["store_live"] == live


def test_status_counts_the_index_after_bootstrap_and_update(
    tmp_path: Path, tiny_model: Path, demo_items: list[dict[str, Any]]
) -> None:
    with FakeJobStream(ads=demo_items[:30]) as srv:
        env = _env(tmp_path / "data", tiny_model, srv.url)
        invoke(env, "update")  # no checkpoint yet: a snapshot
        first = _status(env)
        assert first["last_successful_run"]["kind"] == "snapshot"
        assert first["index"]["points"] == first["ads"]["live"] == 30 and first["index"]["mismatch"] is False
        now = datetime.now(UTC)
        for item in demo_items[30:45]:
            srv.add_or_update(item, when=now)  # JobStream stamps every change
        invoke(env, "update")  # now the stream
        second = _status(env)
    assert second["last_successful_run"]["kind"] == "stream"
    assert second["index"]["points"] == second["ads"]["live"] == 45 and second["index"]["mismatch"] is False
    assert _active(env)["points"] == 45


def test_status_reports_stale_data(tmp_path: Path, tiny_model: Path, demo_items: list[dict[str, Any]]) -> None:
    env = _env(tmp_path / "data", tiny_model)
    invoke(env, "load", str(_write_jsonl(tmp_path / "ads.jsonl", demo_items[:10])))
    time.sleep(0.2)
    stale = _status({**env, "JOBSAI_UPDATE_INTERVAL_MIN": "0.001", "JOBSAI_STALE_AFTER_INTERVALS": "1"})
    assert stale["freshness"]["stale"] is True and stale["freshness"]["stale_after_s"] == pytest.approx(0.06)
    assert _status(env)["freshness"]["stale"] is False  # 6 × 10 min by default


# -- /readyz and the UI -------------------------------------------------------------------------


@pytest.fixture
def runtime(tmp_path: Path, tiny_model: Path, demo_items: list[dict[str, Any]]) -> Iterator[Runtime]:
    settings = Settings(data_dir=tmp_path / "data", model=str(tiny_model), embed_quantize=False,
                        database_url=None, qdrant_url=None, jobstream_url="http://127.0.0.1:9")
    with Runtime(settings) as rt:
        rt.ingestor.load_items(demo_items[:40])
        yield rt


def test_readyz_reports_counts_a_mismatch_and_stale_data_but_keeps_serving(runtime: Runtime) -> None:
    with TestClient(create_app(runtime.settings, runtime=runtime)) as client:
        body = client.get("/readyz").json()
        assert body["ready"] is True and body["ads"] == body["index_points"] == body["store_live"] == 40
        assert body["mismatch"] is False and body["stale"] is False and body["last_update"]

        runtime.index.delete(sorted(runtime.index.ad_ids())[:3])
        r = client.get("/readyz")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["index_points"] == 37 and body["store_live"] == 40 and body["mismatch"] is True
        assert "37" in body["message"] and "40" in body["message"]

    stale_settings = runtime.settings.model_copy(update={"update_interval_min": 0.001, "stale_after_intervals": 1.0})
    time.sleep(0.1)
    with TestClient(create_app(stale_settings, runtime=runtime)) as client:
        r = client.get("/readyz")
        assert r.status_code == 200 and r.json()["ready"] is True and r.json()["stale"] is True
        assert "stale" in r.json()["message"]
        state = client.app.state.service.readiness()  # type: ignore[attr-defined]
    notices = {lang: _stale_notice(state, lang) for lang in LANGS}
    assert "uppdaterades senast" in notices["sv"] and "last updated" in notices["en"]


def test_store_health_without_an_index_says_so(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_url=None, qdrant_url=None)
    settings.ensure_dirs()
    with Database.from_settings(settings) as db:
        db.migrate()
        health = store_health(settings, db)
    assert health.index_points is None and health.index_error and not health.mismatch
    assert health.stale and health.last_update is None and health.store_live == 0


def test_status_counts_the_index_after_a_killed_load_is_run_again(
    tmp_path: Path, tiny_model: Path, demo_items: list[dict[str, Any]]
) -> None:
    import os
    import signal
    import sqlite3
    import subprocess
    import sys

    env = _env(tmp_path / "data", tiny_model)
    proc_env = {**os.environ, **{k: v for k, v in env.items() if v is not None}}
    proc_env.pop("JOBSAI_DATABASE_URL", None)
    proc_env.pop("JOBSAI_QDRANT_URL", None)
    ads = _write_jsonl(tmp_path / "ads.jsonl", demo_items)
    proc = subprocess.Popen([sys.executable, "-m", "jobsai.cli.main", "load", str(ads)], env=proc_env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db_file = tmp_path / "data" / "jobsai.sqlite3"
    deadline = time.monotonic() + 120
    stored = 0
    while proc.poll() is None and time.monotonic() < deadline:  # kill it as soon as the first ads are stored
        if db_file.exists():
            try:
                with sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=0.2) as conn:
                    stored = conn.execute("SELECT count(*) FROM ads").fetchone()[0]
            except sqlite3.Error:
                stored = 0
            if stored:
                break
        time.sleep(0.05)
    killed_while_running = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    assert killed_while_running and stored > 0  # a real mid-job kill: ads stored, the index not finished
    invoke(env, "load", str(ads))  # the rerun finishes the job

    status = _status(env)
    live = status["ads"]["live"]
    assert live == len({i["id"] for i in demo_items})
    assert status["index"]["points"] == live and status["index"]["mismatch"] is False
    assert _active(env)["points"] == live
