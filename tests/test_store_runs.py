"""Checkpoints, ingest runs and skipped ads (the index registry: test_index_catalog.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from jobsai.errors import StoreError
from jobsai.store import runs
from jobsai.store.db import Database

pytest_plugins = ["pg"]

NOW = datetime(2025, 9, 20, 10, 0, tzinfo=UTC)
MODEL = {"backend": "edge", "model_name": "multilingual-e5-small", "model_sha256": "ab" * 32, "dim": 384}


def test_checkpoints_round_trip_as_utc(db: Database) -> None:
    with db.begin() as conn:
        assert runs.get_checkpoint(conn, "jobstream") is None
        # 12:30 in Stockholm summer time is 10:30 UTC.
        runs.set_checkpoint(
            conn, "jobstream", datetime(2025, 9, 20, 12, 30, tzinfo=ZoneInfo("Europe/Stockholm"))
        )
    with db.begin(readonly=True) as conn:
        value = runs.get_checkpoint(conn, "jobstream")
    assert value == datetime(2025, 9, 20, 10, 30, tzinfo=UTC)
    assert value is not None and value.tzinfo is not None and value.utcoffset() == timedelta(0)

    with db.begin() as conn:
        runs.set_checkpoint(conn, "jobstream", datetime(2025, 9, 21, 1, 2, 3, 456789, tzinfo=UTC))
        runs.set_checkpoint(conn, "other", NOW)
    with db.begin(readonly=True) as conn:
        assert runs.get_checkpoint(conn, "jobstream") == datetime(2025, 9, 21, 1, 2, 3, 456789, tzinfo=UTC)
        assert runs.get_checkpoint(conn, "other") == NOW


def test_checkpoint_rolls_back_with_its_transaction(db: Database) -> None:
    with pytest.raises(RuntimeError), db.begin() as conn:
        runs.set_checkpoint(conn, "jobstream", NOW)
        raise RuntimeError("ingest failed after the checkpoint moved")
    with db.begin(readonly=True) as conn:
        assert runs.get_checkpoint(conn, "jobstream") is None


def test_ingest_runs(db: Database) -> None:
    after, before = NOW - timedelta(minutes=5), NOW
    with db.begin() as conn:
        assert runs.last_successful_run(conn) is None
        snap = runs.start_run(conn, "snapshot", now=NOW - timedelta(hours=2))
        runs.finish_run(conn, snap, "complete", {"inserted": 10, "skipped": 1}, now=NOW - timedelta(hours=1))
        stream = runs.start_run(conn, "stream", window_after=after, window_before=before, now=NOW)
        run = runs.get_run(conn, stream)
    assert run is not None and run.status == "running" and run.finished_at is None and run.counts == {}
    assert run.window_after == after and run.window_before == before and run.started_at.tzinfo is not None

    with db.begin() as conn:
        runs.finish_run(conn, stream, "failed", {"inserted": 2}, now=NOW + timedelta(minutes=1))
        last = runs.last_successful_run(conn)
        assert last is not None and last.id == snap and last.kind == "snapshot"
        assert last.counts == {"inserted": 10, "skipped": 1}
        assert runs.last_successful_run(conn, "stream") is None
        stream2 = runs.start_run(conn, "stream", now=NOW + timedelta(minutes=2))
        runs.finish_run(conn, stream2, "complete", {"inserted": 0}, now=NOW + timedelta(minutes=3))
        last = runs.last_successful_run(conn)
        assert last is not None and last.id == stream2
        assert [r.id for r in runs.recent_runs(conn)] == [stream2, stream, snap]
        with pytest.raises(ValueError):
            runs.finish_run(conn, stream2, "running")
        with pytest.raises(ValueError):
            runs.start_run(conn, "weekly")  # type: ignore[arg-type]
        with pytest.raises(StoreError, match="does not exist"):
            runs.finish_run(conn, 12345, "complete")


def test_record_skipped(db: Database) -> None:
    with db.begin() as conn:
        run_id = runs.start_run(conn, "file", now=NOW)
        runs.record_skipped(conn, run_id, "123", "ad 123: missing headline", now=NOW)
        runs.record_skipped(conn, run_id, None, "an ad must be a JSON object, got list")
        runs.record_skipped(conn, run_id, "x", "y" * 10_000)
    with db.begin(readonly=True) as conn:
        skipped = runs.skipped_in_run(conn, run_id)
    assert [(s.ad_id, s.reason[:20]) for s in skipped] == [
        ("123", "ad 123: missing head"),
        (None, "an ad must be a JSON"),
        ("x", "y" * 20),
    ]
    assert skipped[0].at == NOW and len(skipped[2].reason) == runs.MAX_REASON_CHARS
    with pytest.raises(StoreError), db.begin() as conn:
        runs.record_skipped(conn, 999, "1", "no such run")  # foreign key enforced on both engines
