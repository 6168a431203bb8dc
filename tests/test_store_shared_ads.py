"""All real reference ads survive the store: parse → upsert → read back → parse again."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from jobsai.sources.ads import Ad, parse_item
from jobsai.store import ads as repo
from jobsai.store.db import Database
from jobsai.store.schema import ads as ads_table

pytest_plugins = ["pg"]


def _load(path: Path) -> list[Ad]:
    # Split on "\n" only: str.splitlines() also breaks on U+2028/U+0085 inside the ad texts.
    with path.open(encoding="utf-8", newline="\n") as fh:
        items = [parse_item(json.loads(line)) for line in fh if line.strip()]
    parsed = [a for a in items if isinstance(a, Ad)]
    assert len(parsed) == len(items) and parsed
    return parsed


def test_shared_ads_round_trip(db: Database, shared_ads_path: Path) -> None:
    originals = _load(shared_ads_path)
    with db.begin() as conn:
        assert repo.upsert_ads(conn, originals) == (len(originals), 0, 0)
    with db.begin() as conn:
        assert repo.upsert_ads(conn, originals) == (0, 0, len(originals))

    with db.begin(readonly=True) as conn:
        stored = repo.get_ads(conn, [a.id for a in originals])
        live = list(repo.iter_live_ads(conn, batch=40))
        rows = {r.id: r for r in conn.execute(select(ads_table))}
        municipalities = repo.distinct_concepts(conn, "municipality")
        pending = repo.ads_needing_index(conn, 1000)

    assert len(stored) == len(originals) and len(live) == len(originals) and len(pending) == len(originals)
    for ad in originals:
        back = stored[ad.id]
        assert back == ad  # every parsed field
        assert back.raw == ad.raw  # the JSON exactly as received
        r = rows[ad.id]
        assert r.published_at == ad.publication_date
        assert r.last_publication_at == ad.last_publication_date
        assert r.application_deadline == ad.application_deadline
        assert r.source_updated_at == ad.updated_at
        assert r.municipality_id == (ad.municipality.concept_id if ad.municipality else None)
        assert r.occupation_id == (ad.occupation.concept_id if ad.occupation else None)
        assert r.content_hash == repo.content_hash(ad.raw)

    expected: dict[str, int] = {}
    for ad in originals:
        if ad.municipality:
            expected[ad.municipality.concept_id] = expected.get(ad.municipality.concept_id, 0) + 1
    assert {c.concept_id: c.n_live_ads for c in municipalities} == expected
