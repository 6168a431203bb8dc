"""Backup and restore (issue 11): the store and the trained model folders in one archive; the index rebuilt.

The end-to-end test does what an operator would: back up, lose the data directory, restore, rebuild the
index, and get the same ``jobsai match`` answer. The store-level tests move a store between SQLite and
PostgreSQL through the portable JSON-lines format (the PostgreSQL half runs when
``JOBSAI_TEST_POSTGRES_URL`` is set, see tests/pg.py).
"""

from __future__ import annotations

import json
import shutil
import tarfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from jobsai.config import Settings
from jobsai.errors import StoreError
from jobsai.store import feedback as feedback_repo
from jobsai.store import registry, runs
from jobsai.store.backup import archive_members, backup, read_manifest, restore
from jobsai.store.db import Database
from jobsai.store.schema import ads as ads_table
from jobsai.store.schema import feedback as feedback_table
from jobsai.store.schema import ingest_runs, model_registry
from jobsai.sync.ingest import Ingestor

from support.cli import invoke

pytest_plugins = ["pg"]

CV = """Lagerarbetare och truckförare

Erfaren lagerarbetare med truckkort A och B. Jag har arbetat med plock och pack, inleveranser,
inventering och orderhantering i WMS-system på ett stort tredjepartslager. Van vid skiftarbete,
ordning och reda och att arbeta säkert. B-körkort.
"""


def _add_feedback_and_model(settings: Settings, db: Database, ad_id: str, model_source: Path) -> Path:
    """A consented feedback row and a champion model whose folder lives in the data directory."""
    folder = settings.data_dir / "models" / "v-test-1"
    shutil.copytree(model_source, folder)
    with db.begin() as conn:
        feedback_repo.record_feedback(conn, feedback_repo.FeedbackEntry(
            session_id="s" * 24, ad_id=ad_id, ad_text="Lagerarbetare\n\ntruck", label="relevant", rank=1, score=80,
            model_version="tiny@1", deletion_token=feedback_repo.new_deletion_token(), consent=True,
            cv_text_redacted="[NAMN] lagerarbetare", raw_score=0.8, filters={"regions": ["x"]},
        ))
        registry.add_model(conn, version="v-test-1", base="tiny", path=str(folder), metrics={"ndcg@10": 0.5})
        registry.promote_in(conn, "v-test-1", reason="test")
    return folder


def test_backup_wipe_restore_index_build_gives_the_same_matches(
    tmp_path: Path, tiny_model: Path, demo_items: list[dict[str, Any]]
) -> None:
    data = tmp_path / "data"
    env: dict[str, str | None] = {
        "JOBSAI_DATA_DIR": str(data), "JOBSAI_MODEL": str(tiny_model), "JOBSAI_EMBED_QUANTIZE": "false",
        "JOBSAI_JOBSTREAM_URL": "http://127.0.0.1:9", "JOBSAI_HTTP_MAX_RETRIES": "0",
        "JOBSAI_DATABASE_URL": None, "JOBSAI_QDRANT_URL": None, "COLUMNS": "200",
    }
    ads_file = tmp_path / "ads.jsonl"
    ads_file.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in demo_items[:80]), encoding="utf-8")
    cv = tmp_path / "cv.txt"
    cv.write_text(CV, encoding="utf-8")
    invoke(env, "load", str(ads_file))
    before = json.loads(invoke(env, "match", str(cv), "--format", "json", "--top-k", "15"))
    assert len(before) == 15
    settings = Settings(data_dir=data, model=str(tiny_model), database_url=None, qdrant_url=None)
    with Database.from_settings(settings) as db:
        model_folder = _add_feedback_and_model(settings, db, before[0]["id"], tiny_model)
    model_files = sorted(p.relative_to(model_folder).as_posix() for p in model_folder.rglob("*") if p.is_file())

    archive = tmp_path / "backup" / "jobsai.tar.gz"
    out = invoke(env, "backup", str(archive))
    assert "backup written" in out and archive.stat().st_mode & 0o077 == 0
    names = archive_members(archive)
    assert "manifest.json" in names and "database.sqlite3" in names
    assert any(n.startswith("models/v-test-1/") for n in names) and not any(n.startswith("index") for n in names)

    shutil.rmtree(data)  # the disk is gone
    out = invoke(env, "restore", str(archive))
    assert "restored" in out and f"jobsai index build --model {model_folder}" in out
    assert sorted(p.relative_to(model_folder).as_posix() for p in model_folder.rglob("*") if p.is_file()) == model_files
    status = json.loads(invoke(env, "status"))
    assert status["ads"]["live"] == 80 and status["index"] is None  # the index is not in the archive
    with Database.from_settings(settings) as db, db.begin(readonly=True) as conn:
        assert feedback_repo.count_feedback(conn) == 1
        assert registry.champion(conn).path == str(model_folder)  # type: ignore[union-attr]

    invoke(env, "index", "build")
    after = json.loads(invoke(env, "match", str(cv), "--format", "json", "--top-k", "15"))
    assert after == before
    status = json.loads(invoke(env, "status"))
    assert status["index"]["points"] == 80 and status["index"]["mismatch"] is False

    # restoring over a store with data needs --force
    assert "--force" in invoke(env, "restore", str(archive), code=1)
    assert "restored" in invoke(env, "restore", str(archive), "--force")


def _source_store(tmp_path: Path, demo_items: list[dict[str, Any]], model: Path) -> tuple[Settings, Database]:
    settings = Settings(data_dir=tmp_path / "source", database_url=None, qdrant_url=None)
    settings.ensure_dirs()
    db = Database.from_settings(settings)
    db.migrate()
    Ingestor(settings, db).load_items(demo_items[:50])  # the store only: no index needed here
    with db.begin(readonly=True) as conn:
        first = conn.execute(select(ads_table.c.id).limit(1)).scalar_one()
    _add_feedback_and_model(settings, db, first, model)
    return settings, db


def _table_counts(db: Database) -> dict[str, int]:
    with db.begin(readonly=True) as conn:
        return {t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                for t in (ads_table, feedback_table, ingest_runs, model_registry)}


def _ads_raw(db: Database) -> dict[str, str]:
    with db.begin(readonly=True) as conn:
        return dict(conn.execute(select(ads_table.c.id, ads_table.c.raw)).tuples().all())


@pytest.mark.parametrize("fmt", ["jsonl", "sqlite"])
def test_a_store_moves_between_engines(
    tmp_path: Path, db_url: str, tiny_model: Path, demo_items: list[dict[str, Any]], fmt: str
) -> None:
    """SQLite -> (jsonl or sqlite archive) -> this engine, then this engine -> jsonl -> a new SQLite."""
    source_settings, source = _source_store(tmp_path, demo_items, tiny_model)
    archive = tmp_path / f"store-{fmt}.tar"
    report = backup(source_settings, source, archive, db_format=fmt)  # type: ignore[arg-type]
    assert report.tables["ads"] == 50 and report.models == ["v-test-1"]
    assert read_manifest(archive)["database"]["format"] == fmt
    expected, raw = _table_counts(source), _ads_raw(source)
    source.dispose()

    target_settings = Settings(data_dir=tmp_path / "target", database_url=db_url, qdrant_url=None)
    restored = restore(target_settings, archive)
    assert restored.champion_path == str(tmp_path / "target" / "models" / "v-test-1")
    with Database(db_url) as target:
        assert _table_counts(target) == expected and _ads_raw(target) == raw
        with target.begin() as conn:
            assert runs.start_run(conn, "file") > 0  # id sequences were moved past the restored ids
            assert registry.champion(conn).path == restored.champion_path  # type: ignore[union-attr]
            rows = feedback_repo.get_feedback(conn)
        assert rows[0].consent and rows[0].filters == {"regions": ["x"]} and rows[0].created_at.tzinfo
        again = tmp_path / "again.tar.gz"
        backup(target_settings, target, again, db_format="jsonl")
    final = Settings(data_dir=tmp_path / "final", database_url=None, qdrant_url=None)
    restore(final, again)
    with Database.from_settings(final) as db:
        counts = _table_counts(db)
        assert _ads_raw(db) == raw
    assert counts["ads"] == expected["ads"] and counts["feedback"] == expected["feedback"]
    assert counts["ingest_runs"] == expected["ingest_runs"] + 1


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "d", database_url=None, qdrant_url=None)
    bad = tmp_path / "evil.tar"
    payload = tmp_path / "x.txt"
    payload.write_text("x", encoding="utf-8")
    with tarfile.open(bad, "w") as tar:
        tar.add(payload, "../escape.txt")
    with pytest.raises(StoreError, match="unsafe entry"):
        restore(settings, bad)
    plain = tmp_path / "plain.tar"
    with tarfile.open(plain, "w") as tar:
        tar.add(payload, "x.txt")
    with pytest.raises(StoreError, match="not a JobsAI backup"):
        restore(settings, plain)
