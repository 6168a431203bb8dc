"""Ad repository: upsert, revive, removal, expiry, snapshot reconciliation, index state, reads."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from jobsai.errors import StoreError
from jobsai.sources.ads import Ad, parse_item
from jobsai.store import ads as repo
from jobsai.store import runs
from jobsai.store.db import Database
from jobsai.store.schema import ads as ads_table

pytest_plugins = ["pg"]

NOW = datetime(2025, 9, 20, 10, 0, tzinfo=UTC)
STOCKHOLM = ("AvNB_uwa_6n6", "Stockholm")
GOTEBORG = ("PVZL_BQT_XtL", "Göteborg")


def make_ad(
    ad_id: str,
    *,
    headline: str = "Systemutvecklare",
    municipality: tuple[str, str] | None = STOCKHOLM,
    occupation: tuple[str, str] = ("rQds_YGd_quU", "Mjukvaruutvecklare"),
    last_publication: str | None = "2025-12-31T23:59:59",
    timestamp: datetime = NOW - timedelta(days=1),
    **extra: Any,
) -> Ad:
    """A JobTech-shaped record, parsed like ingestion parses it."""
    raw: dict[str, Any] = {
        "id": ad_id,
        "headline": headline,
        "description": {"text": f"Beskrivning av {headline}."},
        "employer": {"name": "Exempel AB"},
        "occupation": {"concept_id": occupation[0], "label": occupation[1]},
        "occupation_group": {"concept_id": "DJh5_yyF_hEM", "label": "Mjukvaru- och systemutvecklare"},
        "occupation_field": {"concept_id": "apaJ_2ja_LuF", "label": "Data/IT"},
        "employment_type": {"concept_id": "PFZr_Syz_cUq", "label": "Vanlig anställning"},
        "working_hours_type": {"concept_id": "6YE1_gAC_R2G", "label": "Heltid"},
        "workplace_address": {
            "region": "Stockholms län",
            "region_concept_id": "CifL_Rzy_Mku",
            "country": "Sverige",
            "country_concept_id": "i46j_HmG_v64",
        },
        "publication_date": "2025-09-01T08:00:00",
        "last_publication_date": last_publication,
        "timestamp": int(timestamp.timestamp() * 1000),
        **extra,
    }
    if municipality is not None:
        raw["workplace_address"]["municipality"] = municipality[1]
        raw["workplace_address"]["municipality_concept_id"] = municipality[0]
    ad = parse_item(raw)
    assert isinstance(ad, Ad)
    return ad


def row(db: Database, ad_id: str) -> Any:
    with db.begin(readonly=True) as conn:
        return conn.execute(select(ads_table).where(ads_table.c.id == ad_id)).one()


def upsert(db: Database, items: list[Ad], **kwargs: Any) -> repo.UpsertCounts:
    kwargs.setdefault("now", NOW)
    with db.begin() as conn:
        return repo.upsert_ads(conn, items, **kwargs)


def test_upsert_counts_inserted_updated_unchanged(db: Database) -> None:
    a, b, c = make_ad("a"), make_ad("b"), make_ad("c")
    assert upsert(db, [a, b, c]) == (3, 0, 0)
    with db.begin() as conn:
        repo.mark_indexed(conn, [(x.id, row(db, x.id).content_hash) for x in (a, b, c)])
    assert upsert(db, [a, b, c]) == (0, 0, 3)
    b2 = make_ad("b", headline="Senior systemutvecklare")
    later = NOW + timedelta(hours=1)
    assert upsert(db, [a, b2, c], now=later) == (0, 1, 2)

    changed = row(db, "b")
    assert changed.headline == "Senior systemutvecklare"
    assert changed.indexed_hash not in (None, changed.content_hash)  # index holds the old version
    with db.begin() as conn:
        assert [p.id for p in repo.ads_needing_index(conn, 10)] == ["b"]  # must be re-indexed
    assert changed.first_seen_at == NOW and changed.updated_at == later
    assert row(db, "a").indexed_hash == row(db, "a").content_hash  # untouched


def test_upsert_stores_normalised_columns_as_utc(db: Database) -> None:
    upsert(db, [make_ad("a")])
    r = row(db, "a")
    assert r.municipality_id == STOCKHOLM[0] and r.municipality_label == "Stockholm"
    assert r.region_id == "CifL_Rzy_Mku" and r.country_id == "i46j_HmG_v64"
    assert r.occupation_group_label == "Mjukvaru- och systemutvecklare"
    assert r.employer_name == "Exempel AB"
    for value in (r.published_at, r.last_publication_at, r.source_updated_at, r.first_seen_at):
        assert value.tzinfo is not None and value.utcoffset() == timedelta(0)
    # 08:00 Swedish summer time is 06:00 UTC; 23:59:59 in December is 22:59:59 UTC.
    assert r.published_at == datetime(2025, 9, 1, 6, 0, tzinfo=UTC)
    assert r.last_publication_at == datetime(2025, 12, 31, 22, 59, 59, tzinfo=UTC)
    assert len(r.content_hash) == 64 and r.removed_at is None


def test_upsert_hash_ignores_key_order_and_dedupes_batch(db: Database) -> None:
    a = make_ad("a")
    reordered = parse_item(dict(reversed(list(a.raw.items()))))
    assert isinstance(reordered, Ad)
    assert repo.content_hash(a.raw) == repo.content_hash(reordered.raw)
    assert upsert(db, [a, make_ad("a", headline="Ny rubrik")]) == (1, 0, 0)  # last one wins
    assert row(db, "a").headline == "Ny rubrik"
    assert upsert(db, [reordered]) == (0, 1, 0)


def test_upsert_large_batch(db: Database) -> None:
    items = [make_ad(f"ad{i:05d}") for i in range(1234)]
    assert upsert(db, items) == (1234, 0, 0)
    items[7] = make_ad("ad00007", headline="Ändrad")
    assert upsert(db, items + [make_ad("new")]) == (1, 1, 1233)
    with db.begin(readonly=True) as conn:
        assert repo.count_ads(conn).live == 1235


def test_revive_after_snapshot_removal(db: Database) -> None:
    a = make_ad("a")
    upsert(db, [a])
    with db.begin() as conn:
        repo.mark_indexed(conn, [("a", row(db, "a").content_hash)])
        repo.mark_removed(conn, ["a"], NOW, "snapshot")
    assert upsert(db, [a]) == (0, 1, 0)  # unchanged content, but live again
    r = row(db, "a")
    # The point was never deleted, so the index still holds exactly this version.
    assert r.removed_at is None and r.removed_reason is None and r.indexed_hash == r.content_hash


def test_overlapping_stream_does_not_revive_a_removed_ad(db: Database) -> None:
    """A re-delivered update from before the removal leaves the ad removed; a newer one revives it."""
    a = make_ad("a", timestamp=NOW - timedelta(hours=2))
    upsert(db, [a])
    with db.begin() as conn:
        repo.mark_indexed(conn, [("a", row(db, "a").content_hash)])
        assert repo.mark_removed(conn, ["a"], NOW - timedelta(hours=1)) == 1
    assert upsert(db, [a]) == (0, 0, 1)
    older_edit = make_ad("a", headline="Gammal ändring", timestamp=NOW - timedelta(hours=1, minutes=30))
    assert upsert(db, [older_edit]) == (0, 1, 0)
    r = row(db, "a")
    assert r.removed_reason == "removed" and r.indexed_hash is not None  # still to be unindexed
    republished = make_ad("a", headline="Återpublicerad", timestamp=NOW)
    assert upsert(db, [republished]) == (0, 1, 0)
    r = row(db, "a")
    assert r.removed_at is None and r.headline == "Återpublicerad"
    assert r.indexed_hash not in (None, r.content_hash)  # the new version must be indexed
    with db.begin() as conn:
        assert [p.id for p in repo.ads_needing_index(conn, 10)] == ["a"]


def test_expired_ad_revives_only_with_a_future_last_publication(db: Database) -> None:
    a = make_ad("a", last_publication="2025-09-10T23:59:59")
    upsert(db, [a], now=NOW - timedelta(days=20))
    with db.begin() as conn:
        assert repo.expire_ads(conn, NOW) == 1
    assert upsert(db, [a]) == (0, 0, 1)
    assert row(db, "a").removed_reason == "expired"
    extended = make_ad("a", last_publication="2025-10-31T23:59:59")
    assert upsert(db, [extended]) == (0, 1, 0)
    assert row(db, "a").removed_at is None


def test_snapshot_revives_even_a_source_removed_ad(db: Database) -> None:
    a = make_ad("a")
    upsert(db, [a])
    with db.begin() as conn:
        repo.mark_removed(conn, ["a"], NOW)
        run_id = runs.start_run(conn, "snapshot", now=NOW)
    assert upsert(db, [a], snapshot_run=run_id) == (0, 1, 0)
    assert row(db, "a").removed_at is None and row(db, "a").snapshot_run == run_id


def test_mark_removed_is_idempotent(db: Database) -> None:
    upsert(db, [make_ad("a"), make_ad("b")])
    first = NOW + timedelta(hours=1)
    with db.begin() as conn:
        assert repo.mark_removed(conn, ["a", "a", "unknown"], first) == 1
        assert repo.mark_removed(conn, ["a"], first + timedelta(hours=1)) == 0
        with pytest.raises(ValueError):
            repo.mark_removed(conn, ["b"], first, "bogus")  # type: ignore[arg-type]
    r = row(db, "a")
    assert r.removed_at == first and r.removed_reason == "removed"
    assert row(db, "b").removed_at is None


def test_expire_ads(db: Database) -> None:
    upsert(
        db,
        [
            make_ad("past", last_publication="2025-09-19T23:59:59"),
            make_ad("future", last_publication="2025-09-21T23:59:59"),
            make_ad("open", last_publication=None),
        ],
    )
    with db.begin() as conn:
        assert repo.expire_ads(conn, NOW) == 1
        assert repo.expire_ads(conn, NOW) == 0
        counts = repo.count_ads(conn)
    assert row(db, "past").removed_reason == "expired" and row(db, "past").removed_at == NOW
    assert counts.live == 2 and counts.expired == 1 and counts.removed == 0


def test_reconcile_snapshot(db: Database) -> None:
    upsert(db, [make_ad("kept"), make_ad("gone"), make_ad("already")], now=NOW - timedelta(days=1))
    with db.begin() as conn:
        repo.mark_removed(conn, ["already"], NOW - timedelta(hours=5))
        run_id = runs.start_run(conn, "snapshot", now=NOW)
    assert upsert(db, [make_ad("kept"), make_ad("new")], snapshot_run=run_id, now=NOW) == (1, 0, 1)
    # A stream run writes an ad while the snapshot is being read: it must survive.
    upsert(db, [make_ad("streamed")], now=NOW + timedelta(minutes=5))
    done = NOW + timedelta(minutes=10)
    with db.begin() as conn:
        runs.finish_run(conn, run_id, "complete", {"inserted": 1}, now=done)
        assert repo.reconcile_snapshot(conn, run_id, done) == 1
        assert repo.reconcile_snapshot(conn, run_id, done) == 0
    assert row(db, "gone").removed_reason == "snapshot" and row(db, "gone").removed_at == done
    assert row(db, "already").removed_reason == "removed"
    for live in ("kept", "new", "streamed"):
        assert row(db, live).removed_at is None


def test_reconcile_refuses_failed_or_non_snapshot_runs(db: Database) -> None:
    upsert(db, [make_ad("a")], now=NOW - timedelta(days=1))
    with db.begin() as conn:
        stream = runs.start_run(conn, "stream", now=NOW)
        failed = runs.start_run(conn, "snapshot", now=NOW)
        runs.finish_run(conn, failed, "failed", now=NOW)
    for run_id, message in ((stream, "stream"), (failed, "failed"), (999, "does not exist")):
        with pytest.raises(StoreError, match=message), db.begin() as conn:
            repo.reconcile_snapshot(conn, run_id, NOW)
    assert row(db, "a").removed_at is None


def test_index_state_queries(db: Database) -> None:
    upsert(db, [make_ad(x) for x in "edcba"])
    with db.begin() as conn:
        page1 = repo.ads_needing_index(conn, 2)
        page2 = repo.ads_needing_index(conn, 2, after_id=page1[-1].id)
        page3 = repo.ads_needing_index(conn, 2, after_id=page2[-1].id)
    assert [p.id for p in page1 + page2 + page3] == list("abcde")
    assert page1[0].raw["headline"] == "Systemutvecklare"
    assert page1[0].content_hash == row(db, "a").content_hash

    with db.begin() as conn:
        assert repo.mark_indexed(conn, [(p.id, p.content_hash) for p in page1 + page2 + page3]) == 5
        assert repo.ads_needing_index(conn, 10) == []
        assert repo.count_ads(conn).pending_index == 0
    # 'b' changes while being embedded: marking the old hash keeps it pending.
    old_hash = row(db, "b").content_hash
    upsert(db, [make_ad("b", headline="Ändrad")])
    with db.begin() as conn:
        repo.mark_indexed(conn, [("b", old_hash)])
        assert [p.id for p in repo.ads_needing_index(conn, 10)] == ["b"]
        repo.mark_removed(conn, ["c", "d"], NOW)
        assert repo.ads_needing_unindex(conn, 10) == ["c", "d"]
        assert repo.ads_needing_unindex(conn, 1) == ["c"]
        counts = repo.count_ads(conn)
        assert (counts.live, counts.removed, counts.pending_index, counts.pending_unindex) == (3, 2, 1, 2)
        assert repo.mark_unindexed(conn, ["c", "d"]) == 2
        assert repo.ads_needing_unindex(conn, 10) == []
        assert repo.ads_needing_index(conn, 10)[0].id == "b"  # removed ads are never indexed
        assert repo.reset_index_state(conn) == 3  # a, e and the stale b
        assert [p.id for p in repo.ads_needing_index(conn, 10)] == ["a", "b", "e"]


def test_get_ads_and_iter_live_ads(db: Database) -> None:
    items = [make_ad(f"ad{i}", headline=f"Jobb {i}") for i in range(7)]
    upsert(db, items)
    with db.begin() as conn:
        repo.mark_removed(conn, ["ad3"], NOW)
    with db.begin(readonly=True) as conn:
        got = repo.get_ads(conn, ["ad1", "ad3", "missing", "ad1"])
        assert set(got) == {"ad1"}
        assert got["ad1"] == items[1] and got["ad1"].raw == items[1].raw
        assert set(repo.get_ads(conn, ["ad3"], live_only=False)) == {"ad3"}
        live = list(repo.iter_live_ads(conn, batch=2))
    assert [a.id for a in live] == ["ad0", "ad1", "ad2", "ad4", "ad5", "ad6"]


def test_distinct_concepts(db: Database) -> None:
    upsert(
        db,
        [
            make_ad("a"),
            make_ad("b"),
            make_ad("c", municipality=GOTEBORG),
            make_ad("d", municipality=GOTEBORG),
            make_ad("e", municipality=GOTEBORG),
            make_ad("f", municipality=None),
        ],
    )
    with db.begin() as conn:
        repo.mark_removed(conn, ["e"], NOW)
        result = repo.distinct_concepts(conn, "municipality")
        assert result == [(GOTEBORG[0], "Göteborg", 2), (STOCKHOLM[0], "Stockholm", 2)]
        assert repo.distinct_concepts(conn, "occupation_field") == [("apaJ_2ja_LuF", "Data/IT", 5)]
        assert repo.distinct_concepts(conn, "region")[0].n_live_ads == 5
        for kind in repo.CONCEPT_KINDS:
            assert repo.distinct_concepts(conn, kind)
        with pytest.raises(ValueError, match="unknown concept kind"):
            repo.distinct_concepts(conn, "skill")  # type: ignore[arg-type]


def test_empty_inputs_are_fine(db: Database) -> None:
    with db.begin() as conn:
        assert repo.upsert_ads(conn, []) == (0, 0, 0)
        assert repo.mark_removed(conn, [], NOW) == 0
        assert repo.mark_indexed(conn, []) == 0
        assert repo.mark_unindexed(conn, []) == 0
        assert repo.get_ads(conn, []) == {}
        assert repo.count_ads(conn) == (0, 0, 0, 0, 0)
        assert repo.distinct_concepts(conn, "municipality") == []


def test_concurrent_upserts_of_overlapping_batches(db_url: str, db: Database) -> None:
    """Two writers (scheduled update + a CLI run) ingesting the same new ads must not fail."""
    handles = [Database(db_url) for _ in range(3)]
    batches = [[make_ad(f"ad{i:04d}") for i in range(start, start + 300)] for start in (0, 100, 200)]
    results: list[repo.UpsertCounts] = []
    errors: list[BaseException] = []

    def run(database: Database, batch: list[Ad]) -> None:
        try:
            for part in (batch[:150], batch[150:]):
                with database.begin() as conn:
                    results.append(repo.upsert_ads(conn, part, now=NOW))
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=pair) for pair in zip(handles, batches, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    for h in handles:
        h.dispose()
    assert errors == []
    assert sum(r.inserted for r in results) == 500
    assert sum(r.unchanged for r in results) == 400
    with db.begin(readonly=True) as conn:
        assert repo.count_ads(conn).live == 500


def test_sqlite_keyset_and_lookup_queries_use_the_partial_indexes(db: Database) -> None:
    """The queries the indexer and the matcher run per page/request must not scan and sort all
    live ads (the planner trap a plain ``removed_at`` index set): check SQLite's own plans."""
    if db.backend != "sqlite":
        pytest.skip("query plans are checked on SQLite; PostgreSQL plans depend on its statistics")
    upsert(db, [make_ad(f"ad{i}") for i in range(30)])
    with db.begin() as conn:
        repo.mark_removed(conn, ["ad3"], NOW)
    seen: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and " ads" in statement:
            seen.append((statement, params))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        with db.begin(readonly=True) as conn:
            repo.ads_needing_index(conn, 5, after_id="ad1")
            repo.ads_needing_unindex(conn, 5)
            repo.get_ads(conn, ["ad1", "ad2"])
            list(repo.iter_live_ads(conn, batch=50))
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    assert len(seen) >= 4
    with db.engine.connect() as raw:
        for statement, params in seen:
            plan = " | ".join(r[-1] for r in raw.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params))
            assert "ix_ads_removed_at" not in plan and "TEMP B-TREE" not in plan, (statement, plan)
            assert "USING INDEX" in plan or "USING PRIMARY KEY" in plan, (statement, plan)
