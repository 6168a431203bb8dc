"""The index catalog: the one owner of what each index is and which one serves.

Against real SQLite/PostgreSQL (``db``) and, for opening and writing, a real Runtime with a
tiny real model and the embedded Qdrant Edge index.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from jobsai.config import Settings
from jobsai.embed.fingerprint import FP32_VECTORS
from jobsai.embed.model_ref import ModelRef
from jobsai.errors import StoreError
from jobsai.index import catalog
from jobsai.index.factory import DEFAULT_INDEX_NAME
from jobsai.runtime import Runtime
from jobsai.sources.demo import iter_demo_items
from jobsai.store.db import Database
from jobsai.store.schema import indexes

from support.tiny_model import make_tiny_model

pytest_plugins = ["pg"]

NOW = datetime(2025, 9, 20, 10, 0, tzinfo=UTC)
MODEL = {"backend": "edge", "model_name": "multilingual-e5-small", "model_sha256": "ab" * 32, "dim": 384}


def test_index_activation_is_exclusive(db: Database) -> None:
    with db.begin() as conn:
        assert catalog.active_index(conn) is None
        blue = catalog.register_index(conn, "ads_blue", now=NOW, **MODEL)
        assert blue.status == "building" and blue.activated_at is None and blue.dim == 384
        catalog.register_index(
            conn, "ads_green", now=NOW + timedelta(hours=1), **{**MODEL, "model_sha256": "cd" * 32}
        )
        catalog.activate_index(conn, "ads_blue", point_count=100, now=NOW)
    with db.begin() as conn:
        active = catalog.active_index(conn)
        assert active is not None and active.name == "ads_blue" and active.point_count == 100
        assert active.activated_at == NOW
        catalog.set_index_point_count(conn, "ads_green", 250)
        catalog.activate_index(conn, "ads_green", now=NOW + timedelta(hours=2))
    with db.begin(readonly=True) as conn:
        states = {r.name: r.status for r in catalog.list_indexes(conn)}
        active = catalog.active_index(conn)
    assert states == {"ads_blue": "retired", "ads_green": "active"}
    assert active is not None and active.model_sha256 == "cd" * 32 and active.point_count == 250

    with db.begin() as conn:
        catalog.activate_index(conn, "ads_blue")  # roll back to the previous index
        assert catalog.active_index(conn).name == "ads_blue"  # type: ignore[union-attr]
        with pytest.raises(StoreError, match="is active"):
            catalog.register_index(conn, "ads_blue", **MODEL)
        with pytest.raises(StoreError, match="not registered"):
            catalog.activate_index(conn, "nope")
        rebuilt = catalog.register_index(conn, "ads_green", **{**MODEL, "dim": 768})
        assert rebuilt.status == "building" and rebuilt.dim == 768 and rebuilt.point_count is None
        catalog.retire_index(conn, "ads_green")
        assert catalog.get_index(conn, "ads_green").status == "retired"  # type: ignore[union-attr]


def test_database_refuses_two_active_indexes(db: Database) -> None:
    with db.begin() as conn:
        catalog.register_index(conn, "a", **MODEL)
        catalog.register_index(conn, "b", **MODEL)
        catalog.activate_index(conn, "a")
    with pytest.raises(StoreError), db.begin() as conn:
        conn.execute(update(indexes).where(indexes.c.name == "b").values(status="active"))
    with db.begin(readonly=True) as conn:
        assert catalog.active_index(conn).name == "a"  # type: ignore[union-attr]


def test_a_record_says_how_to_load_its_model_and_which_vectors_it_holds(db: Database) -> None:
    with db.begin() as conn:
        old = catalog.register_index(conn, "ads", **MODEL)  # as a row from before the catalog
        int8 = catalog.register_index(conn, "ads-2", **MODEL, model_spec="/models/v2", vectors="int8-onnx")
    assert old.model is None and old.vectors == FP32_VECTORS
    assert int8.model == ModelRef("/models/v2", "onnx")
    assert int8.fingerprint.vectors == "int8-onnx" and int8.fingerprint.weights_sha256 == "ab" * 32
    with db.begin(readonly=True) as conn:
        assert catalog.get_index(conn, "ads-2") == int8
        assert catalog.next_index_name(conn) == "ads-3"


def test_what_serves_is_decided_without_side_effects(db: Database, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, model="/configured", embed_backend="torch")
    assert catalog.serving_model(settings, None) == ModelRef("/configured", "torch")
    with db.begin() as conn:
        catalog.register_index(conn, "ads-2", **MODEL, model_spec="/models/v2", vectors="int8-onnx")
        active = catalog.activate_index(conn, "ads-2")
    assert catalog.serving_model(settings, active) == ModelRef("/models/v2", "onnx")  # the index's, not the configured
    assert catalog.serving_index(active, active.fingerprint) == ("ads-2", False)
    other = active.fingerprint.__class__(name="x", weights_sha256="ef" * 32, dim=384)
    assert catalog.serving_index(active, other) == (DEFAULT_INDEX_NAME, True)  # another model: the default index
    assert catalog.serving_index(None, other) == (DEFAULT_INDEX_NAME, True)
    with db.begin(readonly=True) as conn:
        assert [(r.name, r.status) for r in catalog.list_indexes(conn)] == [("ads-2", "active")]


def test_legacy_meta_files_move_into_the_catalog_once(db: Database, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    with db.begin() as conn:
        catalog.register_index(conn, "ads", **MODEL)
        catalog.register_index(conn, "ads-2", **MODEL)
    legacy = catalog.legacy_meta_path(settings, "ads")
    legacy.parent.mkdir(parents=True)
    legacy.write_text(json.dumps({"model": "/models/v1", "model_sha256": "ab" * 32, "vectors": "int8-onnx"}))
    catalog.legacy_meta_path(settings, "ads-2").write_text("{not json")  # damaged: left alone
    assert catalog.import_legacy_meta(settings, db) == ["ads"]
    assert not legacy.exists()
    with db.begin(readonly=True) as conn:
        ads, ads2 = catalog.get_index(conn, "ads"), catalog.get_index(conn, "ads-2")
    assert ads is not None and ads.model_spec == "/models/v1" and ads.vectors == "int8-onnx"
    assert ads2 is not None and ads2.model_spec is None
    assert catalog.import_legacy_meta(settings, db) == []


def test_opening_the_index_records_nothing_and_the_writer_records_it(tmp_path: Path) -> None:
    model = make_tiny_model(tmp_path / "tiny")
    settings = Settings(data_dir=tmp_path / "data", model=str(model), embed_quantize=False, database_url=None,
                        qdrant_url=None)
    with Runtime(settings) as rt:
        assert rt.index.count() == 0 and rt.index_name == DEFAULT_INDEX_NAME
        with rt.db.begin(readonly=True) as conn:
            assert catalog.list_indexes(conn) == []  # opening (and creating) the index registered nothing
        rt.ingestor.load_items(list(iter_demo_items())[:3], expire=False)
        with rt.db.begin(readonly=True) as conn:
            active = catalog.active_index(conn)
        assert active is not None and active.name == DEFAULT_INDEX_NAME and active.status == "active"
        assert active.fingerprint == rt.embedder.fingerprint and active.model_spec == str(model)
    with Runtime(settings) as again:  # a second start serves the recorded index and model
        assert again.active_record == active and again.index.count() == 3
