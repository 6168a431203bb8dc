"""Blue/green re-indexing: build beside the serving index, switch atomically, resume, roll back.

Two tiny models with different seeds stand in for the champion (A) and challenger (B).
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from jobsai.config import Settings
from jobsai.embed.model import Embedder
from jobsai.errors import StoreError
from jobsai.index.points import AdPointBuilder
from jobsai.runtime import Runtime
from jobsai.sources.demo import iter_demo_items
from jobsai.store import runs
from jobsai.store.schema import ads as ads_table
from jobsai.sync.reindex import build_index, read_manifest, rollback, switch_active
from jobsai.web.service import WebService

from support.tiny_model import make_tiny_model

N_ADS = 30
CV = ("Jag är undersköterska med många års erfarenhet av hemtjänst och äldreomsorg. "
      "Jag har arbetat inom vård och omsorg, kan dokumentera, är noggrann och tycker om att "
      "hjälpa människor i vardagen. Körkort finns.")


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("models")
    return make_tiny_model(base / "champion", seed=0), make_tiny_model(base / "challenger", seed=1)


@pytest.fixture(scope="module")
def demo_ads() -> list[dict[str, Any]]:
    return list(iter_demo_items())[:N_ADS]


@pytest.fixture
def settings(tmp_path: Path, models: tuple[Path, Path]) -> Settings:
    return Settings(data_dir=tmp_path / "data", model=str(models[0]), embed_quantize=False, database_url=None,
                    qdrant_url=None, jobstream_url="http://127.0.0.1:9", web_request_timeout_s=1.0)


@pytest.fixture
def served(settings: Settings, demo_ads: list[dict[str, Any]]) -> Iterator[Runtime]:
    rt = Runtime(settings)
    rt.ingestor.load_items(demo_ads, expire=False)
    yield rt
    rt.close()


def _challenger(settings: Settings, models: tuple[Path, Path]) -> Embedder:
    return Embedder.load(settings.model_copy(update={"model": str(models[1])}))


def _hash_state(rt: Runtime) -> dict[str, tuple[str, str | None]]:
    with rt.db.begin(readonly=True) as conn:
        rows = conn.execute(select(ads_table.c.id, ads_table.c.content_hash, ads_table.c.indexed_hash)
                            .where(ads_table.c.removed_at.is_(None)))
        return {r.id: (r.content_hash, r.indexed_hash) for r in rows}


def test_build_switch_then_queries_use_the_new_index_and_its_model(settings, served, models) -> None:
    before = served.matcher.match(CV, top_k=5)
    challenger = _challenger(settings, models)
    report = build_index(settings, served.db, challenger, "ads-2")
    assert report.embedded == N_ADS and report.record.point_count == N_ADS
    with served.db.begin(readonly=True) as conn:
        assert runs.active_index(conn).name == "ads"  # type: ignore[union-attr]
        assert runs.get_index(conn, "ads-2").status == "building"  # type: ignore[union-attr]
    assert served.matcher.match(CV, top_k=5) == before  # the old index kept serving, untouched

    record = switch_active(settings, served.db, "ads-2")
    assert record.status == "active"
    state = _hash_state(served)
    assert all(c == i for c, i in state.values())  # indexed_hash now describes ads-2 exactly
    served.close()
    # The configured model is still A, but queries follow the registry: index ads-2, model B.
    with Runtime(settings) as rt:
        assert rt.index_name == "ads-2"
        assert rt.embedder.fingerprint == challenger.fingerprint
        assert rt.index.count() == N_ADS
        assert rt.ingestor.sync_index().indexed == 0  # nothing to catch up
        assert rt.matcher.match(CV, top_k=5)


def test_queries_keep_answering_during_reindex_and_switch_is_atomic(settings, served, models) -> None:
    service = WebService(settings)
    service.start(served, background=False)
    assert service.readiness().ready
    old_version = service.model_version
    errors: list[BaseException] = []
    empties: list[int] = []
    answered: list[str] = []
    stop = threading.Event()
    swapped = threading.Event()
    mixed: list[str] = []

    def ask() -> None:
        while not stop.is_set():
            try:
                after_swap = swapped.is_set()
                rt, matcher = service._ready_runtime()
                if matcher.index is not rt.index or (after_swap and rt.index_name != "ads-2"):
                    mixed.append(rt.index_name)  # a torn pair, or the old one after the swap
                found = matcher.match(CV, top_k=5)
                if not found:
                    empties.append(1)
                answered.append(rt.index_name)
            except BaseException as exc:  # noqa: BLE001 - collected for the assertion
                errors.append(exc)
            time.sleep(0.005)

    askers = [threading.Thread(target=ask) for _ in range(3)]
    for t in askers:
        t.start()
    try:
        build_index(settings, served.db, _challenger(settings, models), "ads-2")
        switch_active(settings, served.db, "ads-2")
        service.hot_swap(Runtime(settings))
        swapped.set()
        time.sleep(0.3)
    finally:
        stop.set()
        for t in askers:
            t.join()
    try:
        assert not errors, errors[:3]
        assert not empties
        assert "ads" in answered and "ads-2" in answered
        assert not mixed  # atomic: never a torn (runtime, matcher) pair, never the old one after
        assert service.model_version != old_version
        assert service.runtime is not None and service.runtime.index_name == "ads-2"
    finally:
        service.stop()  # closes the swapped-in runtime; the original belongs to the fixture


def test_crash_mid_build_leaves_the_old_index_serving_and_the_build_resumes(
    settings, served, models, monkeypatch
) -> None:
    challenger = _challenger(settings, models)
    real_build = AdPointBuilder.build
    calls = {"n": 0}

    def build_then_crash(self, ads):  # the second batch dies, as a kill would
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("killed")
        return real_build(self, ads)

    monkeypatch.setattr(AdPointBuilder, "build", build_then_crash)
    with pytest.raises(KeyboardInterrupt):
        build_index(settings, served.db, challenger, "ads-2", batch=8)
    with served.db.begin(readonly=True) as conn:
        assert runs.active_index(conn).name == "ads"  # type: ignore[union-attr]
        assert runs.get_index(conn, "ads-2").status == "building"  # type: ignore[union-attr]
    assert served.matcher.match(CV, top_k=5)  # still serving
    with pytest.raises(StoreError, match="not finished"):
        switch_active(settings, served.db, "ads-2")
    assert len(read_manifest(settings, "ads-2")) == 8

    monkeypatch.setattr(AdPointBuilder, "build", real_build)
    report = build_index(settings, served.db, challenger, "ads-2", batch=8)
    assert report.resumed_with == 8 and report.embedded == N_ADS - 8
    switch_active(settings, served.db, "ads-2")
    with served.db.begin(readonly=True) as conn:
        assert runs.active_index(conn).name == "ads-2"  # type: ignore[union-attr]


def test_rollback_switches_back_without_re_embedding_then_syncs_the_delta(
    settings, served, models, demo_ads
) -> None:
    build_index(settings, served.db, _challenger(settings, models), "ads-2")
    switch_active(settings, served.db, "ads-2")
    served.close()
    changed = copy.deepcopy(demo_ads[0])
    changed["headline"] = changed["headline"] + " (ändrad)"
    with Runtime(settings) as rt:  # ads-2 serves; one ad changes and is synced into it
        assert rt.index_name == "ads-2"
        assert rt.ingestor.load_items([changed], expire=False).indexed == 1

    record = rollback(settings, served.db)
    assert record.name == "ads" and record.status == "active"
    state = _hash_state(served)
    stale = [ad_id for ad_id, (c, i) in state.items() if c != i]
    assert stale == [str(changed["id"])]  # ads still holds the old version of that ad only
    with Runtime(settings) as rt:
        assert rt.index_name == "ads"
        assert rt.embedder.fingerprint.name == Path(settings.model).name
        assert rt.ingestor.sync_index().indexed == 1  # only the delta is embedded
        assert rt.matcher.match(CV, top_k=5)
    with pytest.raises(StoreError):
        rollback(settings, served.db, "nonexistent")
