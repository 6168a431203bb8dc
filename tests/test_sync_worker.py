"""The scheduled worker: schedules, the job lock, feedback retention, clean shutdown on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from jobsai import worker as worker_mod
from jobsai.config import Settings
from jobsai.filelock import INDEX_LOCK, job_lock
from jobsai.runtime import Runtime
from jobsai.store import feedback as fb
from jobsai.store import runs
from jobsai.timeutil import utcnow
from jobsai.worker import Worker, purge_feedback_cv_text


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=None, qdrant_url=None, embed_quantize=False,
                    jobstream_url="http://127.0.0.1:9", update_interval_min=10, train_interval_days=7,
                    domain_adapt_interval_days=0)


@pytest.fixture
def runtime(settings: Settings) -> Any:
    rt = Runtime(settings)  # only the database is opened; the jobs below never load a model
    yield rt
    rt.close()


def _entry(session: str, ad: str, cv: str | None) -> fb.FeedbackEntry:
    return fb.FeedbackEntry(
        session_id=session, ad_id=ad, ad_text="Undersköterska\n\nHemtjänst", label="relevant", rank=1,
        score=80, model_version="m@1", deletion_token=fb.new_deletion_token(), consent=cv is not None,
        cv_text_redacted=cv,
    )


def test_retention_deletes_only_old_consented_cv_text(runtime) -> None:
    now = utcnow()
    with runtime.db.begin() as conn:
        fb.record_feedback(conn, _entry("s-old", "a1", "gammalt CV"), now=now - timedelta(days=200))
        fb.record_feedback(conn, _entry("s-new", "a2", "nytt CV"), now=now - timedelta(days=10))
        fb.record_feedback(conn, _entry("s-none", "a3", None), now=now - timedelta(days=400))
    assert purge_feedback_cv_text(runtime, now) == 1
    with runtime.db.begin(readonly=True) as conn:
        rows = {r.session_id: r for r in fb.get_feedback(conn)}
    assert rows["s-old"].cv_text_redacted is None and rows["s-old"].label == "relevant"  # judgement kept
    assert rows["s-new"].cv_text_redacted == "nytt CV"
    assert purge_feedback_cv_text(runtime, now) == 0


def test_jobs_run_on_their_schedule_and_training_is_optional(runtime, settings) -> None:
    updates: list[int] = []
    trained: list[int] = []
    w = Worker(settings, lambda: runtime, update=lambda rt: updates.append(1))  # no training job
    assert w.run_due() == ["update", "train", "retention"]  # train: logged as unavailable
    assert w.run_due() == []  # nothing is due again yet
    assert w.run_due(utcnow() + timedelta(minutes=11)) == ["update"]
    # The same schedule (checkpoints in the store) with a training job given.
    w = Worker(settings, lambda: runtime, update=lambda rt: updates.append(1), train=lambda rt: trained.append(1))
    assert w.run_due(utcnow() + timedelta(days=7, minutes=1)) == ["update", "train", "retention"]
    assert updates == [1, 1, 1] and trained == [1]
    with runtime.db.begin(readonly=True) as conn:
        assert runs.get_checkpoint(conn, "worker:train") is not None


def test_a_failing_job_does_not_stop_the_worker(runtime, settings) -> None:
    def boom(rt: Runtime) -> None:
        raise RuntimeError("JobStream is down")

    w = Worker(settings, lambda: runtime, update=boom)
    assert w.run_due() == ["update", "train", "retention"]


def test_two_workers_never_run_the_same_job_at_once(runtime, settings) -> None:
    ran: list[str] = []
    w = Worker(settings, lambda: runtime, update=lambda rt: ran.append("update"))
    with job_lock(settings, "index") as taken:
        assert taken
        with job_lock(settings, "index") as again:  # a second opener (another worker) is refused
            assert not again
        assert w.run_job("update") is False
        assert w.run_job("retention") is True  # another lock
    assert ran == []
    assert w.run_job("update") is True and ran == ["update"]


def test_stop_lets_the_running_job_finish_and_starts_no_other(runtime, settings) -> None:
    finished: list[str] = []

    def update(rt: Runtime) -> None:
        w.stop()  # SIGTERM arrives mid-job
        time.sleep(0.05)
        finished.append("update")

    w = Worker(settings, lambda: runtime, update=update)
    assert w.run_due() == ["update"]
    assert finished == ["update"]
    w.run_forever()  # returns at once: stop was requested


def test_worker_process_shuts_down_cleanly_on_sigterm(tmp_path: Path) -> None:
    env = dict(os.environ)
    env.update({
        "JOBSAI_DATA_DIR": str(tmp_path / "data"),
        "JOBSAI_JOBSTREAM_URL": "http://127.0.0.1:9",
        "JOBSAI_HTTP_MAX_RETRIES": "1",
        "JOBSAI_HTTP_TIMEOUT_S": "2",
        "JOBSAI_UPDATE_INTERVAL_MIN": "10",
        "JOBSAI_MODEL": str(tmp_path / "no-model"),  # the update fails before any model is needed
    })
    env.pop("JOBSAI_DATABASE_URL", None)
    env.pop("JOBSAI_QDRANT_URL", None)
    log_path = tmp_path / "worker.log"
    with open(log_path, "wb") as log_file:
        proc = subprocess.Popen([sys.executable, "-m", "jobsai.cli.main", "worker"], env=env,
                                stdout=log_file, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 40
            while time.monotonic() < deadline and "job retention" not in log_path.read_text() \
                    and "retention" not in _checkpoints(tmp_path):
                time.sleep(0.2)
            time.sleep(0.5)
            proc.send_signal(signal.SIGTERM)
            rc = proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
    text = log_path.read_text()
    assert rc == 0, text
    assert "worker started" in text and "worker stopped" in text, text


def _checkpoints(tmp_path: Path) -> str:
    import sqlite3

    db = tmp_path / "data" / "jobsai.sqlite3"
    if not db.exists():
        return ""
    try:
        with sqlite3.connect(db) as conn:
            return " ".join(r[0] for r in conn.execute("select name from checkpoints"))
    except sqlite3.Error:
        return ""


def test_serve_runs_the_worker_in_a_thread_once_the_service_is_ready(runtime, settings, monkeypatch) -> None:
    from types import SimpleNamespace

    from jobsai.worker import WorkerThread

    monkeypatch.setattr(worker_mod, "SERVE_START_DELAY_S", 0.0)
    ran: list[Runtime] = []
    service = SimpleNamespace(runtime=runtime, hot_swap=lambda new: None,
                              readiness=lambda: SimpleNamespace(stage="ready"))
    wt = WorkerThread.start_for(settings, service, update=ran.append)
    deadline = time.monotonic() + 10
    while not ran and time.monotonic() < deadline:
        time.sleep(0.05)
    wt.stop_and_join(10)
    assert ran == [runtime] and not wt.thread.is_alive()


def test_index_commands_refuse_to_run_while_the_index_lock_is_held(settings) -> None:
    from typer.testing import CliRunner

    from jobsai.cli.main import app
    from jobsai.cli.worker_cmds import INDEX_BUSY_EXIT

    env = {"JOBSAI_DATA_DIR": str(settings.data_dir), "JOBSAI_DATABASE_URL": None, "JOBSAI_QDRANT_URL": None,
           "JOBSAI_MODEL": str(settings.data_dir / "no-model")}  # refused before any model is needed
    runner = CliRunner()
    with job_lock(settings, "index") as taken:  # a worker's update or re-index is running
        assert taken
        for args in (["index", "build"], ["index", "rollback"], ["index", "rollback", "ads-2"]):
            result = runner.invoke(app, args, env=env)
            assert result.exit_code == INDEX_BUSY_EXIT != 0, result.output
            assert "another JobsAI process" in result.output and f"process {os.getpid()}" in result.output
            assert "Try again" in result.output
    # The lock is free again: the command runs (and says there is nothing to roll back to).
    result = runner.invoke(app, ["index", "rollback"], env=env)
    assert result.exit_code == 1 and "no retired index" in result.output, result.output
    with job_lock(settings, "index") as taken:  # and the command released the lock
        assert taken


def _cli_env(settings: Settings) -> dict[str, str | None]:
    return {"JOBSAI_DATA_DIR": str(settings.data_dir), "JOBSAI_DATABASE_URL": None, "JOBSAI_QDRANT_URL": None,
            "JOBSAI_JOBSTREAM_URL": "http://127.0.0.1:9", "JOBSAI_MODEL": str(settings.data_dir / "no-model")}


def test_ingest_commands_refuse_to_run_while_the_index_lock_is_held(settings, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from jobsai.cli.main import app
    from jobsai.cli.worker_cmds import INDEX_BUSY_EXIT

    ads = tmp_path / "ads.jsonl"
    ads.write_text("[]", encoding="utf-8")
    runner = CliRunner()
    with job_lock(settings, "index") as taken:  # a worker's update or re-index is running
        assert taken
        for args in (["update"], ["load", str(ads)], ["bootstrap"], ["reindex"]):
            result = runner.invoke(app, args, env=_cli_env(settings))
            assert result.exit_code == INDEX_BUSY_EXIT, (args, result.output)
            assert f"another JobsAI process (process {os.getpid()})" in result.output and "Try again" in result.output
    # Free again: `load` gets past the lock (to the missing model) and lets it go when it fails.
    result = runner.invoke(app, ["load", str(ads)], env=_cli_env(settings))
    assert result.exit_code == 1 and "no-model does not exist" in " ".join(result.output.split()), result.output
    with job_lock(settings, "index") as taken:
        assert taken


def test_a_command_during_the_in_process_workers_update_is_refused_at_once(runtime, settings, tmp_path) -> None:
    """`jobsai serve` runs the worker in-process: a command meeting its lock (even from the same
    process, the strictest case) exits 75 at once instead of waiting, so neither can deadlock."""
    from typer.testing import CliRunner

    from jobsai.cli.main import app
    from jobsai.cli.worker_cmds import INDEX_BUSY_EXIT

    ads = tmp_path / "ads.jsonl"
    ads.write_text("[]", encoding="utf-8")
    seen: list[tuple[int, float]] = []

    def update(rt: Runtime) -> None:
        t0 = time.monotonic()
        result = CliRunner().invoke(app, ["load", str(ads)], env=_cli_env(settings))
        seen.append((result.exit_code, time.monotonic() - t0))

    w = Worker(settings, lambda: runtime, update=update)
    assert w.run_job("update") is True
    assert len(seen) == 1 and seen[0][0] == INDEX_BUSY_EXIT and seen[0][1] < 10


def test_the_update_job_checks_the_registry_champion(runtime, settings, caplog) -> None:
    """After each update the worker looks for a champion that does not serve yet (a hand promotion):
    with none it reads the registry and loads nothing (the configured model does not even exist)."""
    import logging

    from jobsai.store import registry

    w = Worker(settings, lambda: runtime, update=lambda rt: None)
    assert w.run_job("update") is True and w.champion_to_serve() is None
    with runtime.db.begin() as conn:  # promoted by hand, but its folder has gone: reported, not served
        registry.add_model(conn, version="v-gone", base="b", path=str(settings.data_dir / "models" / "v-gone"))
        registry.promote_in(conn, "v-gone", reason="promoted by hand")
    with caplog.at_level(logging.WARNING, logger="jobsai.worker"):
        assert w.run_job("update") is True
    assert "the champion v-gone cannot be served" in caplog.text


def test_readers_skip_the_data_step_while_another_process_updates(runtime, settings) -> None:
    """`jobsai match` and the web app's start-up fill or sync the index only under the index lock;
    while a worker holds it they write nothing and match against what is indexed."""
    with job_lock(settings, INDEX_LOCK) as taken:
        assert taken
        assert worker_mod.ensure_data_unless_busy(runtime) is False
    assert runtime.live_count() == 0  # no demo load, no JobStream contact


def test_domain_adaptation_runs_once_the_store_has_ads_then_on_its_interval(runtime, tmp_path, monkeypatch) -> None:
    from jobsai.sources.ads import parse_item
    from jobsai.store import ads as ads_repo

    settings = runtime.settings.model_copy(update={"domain_adapt_interval_days": 30})
    adapted: list[int] = []
    w = Worker(settings, lambda: runtime, update=lambda rt: None, adapt=lambda rt: adapted.append(rt.live_count()))
    assert [j.name for j in w.jobs] == ["update", "adapt", "train", "retention"]
    assert w.run_due() == ["update", "adapt", "train", "retention"]
    assert adapted == []  # no ads yet: not run, and due again at the next tick
    assert w.run_due(utcnow() + timedelta(minutes=1)) == ["adapt"]
    now = utcnow()
    items = [parse_item({"id": str(i), "headline": f"Lagerarbetare {i}", "description": {"text": "Plock och pack"},
                         "publication_date": now.isoformat(), "application_deadline": (now + timedelta(days=30))
                         .isoformat()}) for i in range(3)]
    with runtime.db.begin() as conn:
        ads_repo.upsert_ads(conn, items)
    assert w.run_due(utcnow() + timedelta(minutes=2)) == ["adapt"] and adapted == [3]
    assert "adapt" not in w.run_due(utcnow() + timedelta(days=29))
    assert "adapt" in w.run_due(utcnow() + timedelta(days=31))
    off = Worker(settings.model_copy(update={"domain_adapt_interval_days": 0}), lambda: runtime, adapt=print)
    assert "adapt" not in [j.name for j in off.jobs]
    # too little free memory: skipped (and checkpointed), never started inside a serving process
    monkeypatch.setattr(worker_mod, "available_memory", lambda: 2 * 2**30)
    before = len(adapted)
    assert w.run_job("adapt") and len(adapted) == before
