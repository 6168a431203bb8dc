"""What does scoring one update's new ads against every stored alert profile cost, two ways?

* **batched** (what ``jobsai.alerts.queue`` does): the new ads' stored title/body vectors are read from the
  index once (``get_vectors``), then blocks of profiles are unpacked from their stored bytes and scored with
  a few matrix products (``jobsai.alerts.scoring.score_profiles``);
* **per profile**: one hybrid index query per profile (its profile, headline and chunk vectors, as the
  matcher asks), restricted by a filter to the new ads, for the matcher's candidate depth (``CANDIDATES``,
  300), then exact re-scoring of those hits from their stored vectors (``match.scoring``): the matcher's
  path once per profile. (It can miss a fitting ad ranked below the depth; the batched pass cannot.)

Both run in the same process on the same Qdrant Edge index (``--old-ads`` old ads plus ``--new`` new ones,
the new ones told apart by their publication time, which is what the per-profile filter restricts on) with
random unit vectors of the real model's dimension (384): the cost of scoring does not depend on what the
vectors mean. Profiles have 2-10 chunks (uniform; a 2-page CV has ~6). The batched pass is timed over all
profiles; the per-profile queries are timed on a sample (``--sample``) and scaled linearly (the queries are
independent). Best of ``--rounds`` rounds each; the load average is printed beside the figures.

    nice -n 5 python bench/alerts.py                      # 1,000 new ads vs 10,000 and 100,000 profiles
    python bench/alerts.py --profiles 1000 --sample 50     # a quick look
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from jobsai.alerts.profiles import ProfileVectors
from jobsai.alerts.scoring import FILTER_FIELDS, NewAds, ScoredProfile, percent, score_profiles
from jobsai.config import Settings
from jobsai.embed.fingerprint import ModelFingerprint
from jobsai.index.base import BODY_VECTOR, TITLE_VECTOR, AdPayload, IndexPoint, SearchFilter, SparseVector
from jobsai.index.bm25 import Bm25Encoder
from jobsai.index.factory import open_index
from jobsai.match.matcher import CANDIDATES
from jobsai.match.scoring import DEFAULT_CALIBRATION, CvVectors, compute_features, fuse

DIM = 384
POOL = 2000
"""Distinct profiles generated; larger counts reuse them (scoring cost does not depend on the values)."""


def unit(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.normal(size=(n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def build_index(settings: Settings, n_old: int, n_new: int, rng: np.random.Generator, cutoff: datetime) -> list[str]:
    fp = ModelFingerprint("bench-random", "0" * 64, DIM)
    index = open_index(settings, fp, "ads", create=True, encoder=Bm25Encoder())
    new_ids = []
    old_ts, new_ts = int(cutoff.timestamp()) - 86400, int(cutoff.timestamp()) + 60
    for start in range(0, n_old + n_new, 1000):
        count = min(1000, n_old + n_new - start)
        titles, bodies = unit(rng, count), unit(rng, count)
        points = []
        for k in range(count):
            i = start + k
            is_new = i >= n_old
            ad_id = f"{'new' if is_new else 'old'}-{i}"
            if is_new:
                new_ids.append(ad_id)
            payload = AdPayload(ad_id=ad_id, municipality=f"m{i % 290}", published_ts=new_ts if is_new else old_ts)
            points.append(IndexPoint(payload, {TITLE_VECTOR: titles[k], BODY_VECTOR: bodies[k]},
                                     SparseVector([], [])))
        index.upsert(points)
    index.close()
    return new_ids


def profile_pool(rng: np.random.Generator) -> list[tuple[bytes, int]]:
    out = []
    for _ in range(POOL):
        n = int(rng.integers(2, 11))
        rows = unit(rng, 2 + n)
        out.append((ProfileVectors(rows[0], rows[1], rows[2:]).pack(), n))
    return out


def batched(index, new_ids: list[str], pool: list[tuple[bytes, int]], n_profiles: int) -> tuple[float, int]:
    """Seconds and hits: vectors read once, profiles unpacked and scored in pages of 2,000 (as the worker does)."""
    t0 = time.perf_counter()
    stored = index.get_vectors(new_ids)
    ids = [i for i in new_ids if i in stored]
    concepts = {f: np.array([""] * len(ids), dtype=object) for f in FILTER_FIELDS}
    ads = NewAds(ids, np.stack([stored[i][TITLE_VECTOR] for i in ids]), np.stack([stored[i][BODY_VECTOR] for i in ids]),
                 concepts, np.full(len(ids), 2e9))
    hits = 0
    for start in range(0, n_profiles, 2000):
        page = []
        for k in range(start, min(n_profiles, start + 2000)):
            blob, n = pool[k % len(pool)]
            page.append(ScoredProfile(k, ProfileVectors.unpack(blob, DIM, n), 90, {}, 0.0))
        hits += len(score_profiles(ads, page, DEFAULT_CALIBRATION))
    return time.perf_counter() - t0, hits


def per_profile(index, n_new: int, pool: list[tuple[bytes, int]], sample: int, cutoff: datetime) -> float:
    """Seconds per profile: one filtered hybrid query over the new ads, then exact re-scoring of its hits."""
    flt = SearchFilter(published_after=cutoff)
    depth = min(n_new, CANDIDATES)
    t0 = time.perf_counter()
    for k in range(sample):
        blob, n = pool[k % len(pool)]
        v = ProfileVectors.unpack(blob, DIM, n)
        dense = [(BODY_VECTOR, v.profile), (TITLE_VECTOR, v.profile), (TITLE_VECTOR, v.headline),
                 *((TITLE_VECTOR, c) for c in v.chunks)]
        hits = index.search_hybrid(dense, None, limit=depth, flt=flt, prefetch_limit=depth)
        ids = [h.ad_id for h in hits]
        stored = index.get_vectors(ids)
        cv = CvVectors(profile=v.profile, chunks=v.chunks, headline=v.headline)
        titles = np.stack([stored[i][TITLE_VECTOR] for i in ids])
        bodies = np.stack([stored[i][BODY_VECTOR] for i in ids])
        fused = fuse(compute_features(cv, titles, bodies, np.zeros(len(ids), np.float32)))
        _ = percent(fused, DEFAULT_CALIBRATION) >= 90
    return (time.perf_counter() - t0) / sample


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--new", type=int, default=1000, help="new ads in the update")
    parser.add_argument("--old-ads", type=int, default=9000, help="ads already in the index")
    parser.add_argument("--profiles", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--sample", type=int, default=200, help="profiles timed one query each")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(12)
    cutoff = datetime(2026, 12, 1, tzinfo=UTC)
    with tempfile.TemporaryDirectory(prefix="jobsai-bench-alerts-") as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=None, qdrant_url=None)
        t0 = time.perf_counter()
        new_ids = build_index(settings, args.old_ads, args.new, rng, cutoff)
        pool = profile_pool(rng)
        print(f"index: {args.old_ads:,} old + {len(new_ids):,} new ads, dim {DIM} ({time.perf_counter() - t0:.0f} s "
              f"to build); profiles with 2-10 chunks; load average {os.getloadavg()[0]:.2f}")
        index = open_index(settings, ModelFingerprint("bench-random", "0" * 64, DIM), "ads", create=False)
        try:
            per = min(per_profile(index, len(new_ids), pool, args.sample, cutoff) for _ in range(args.rounds))
            print(f"per-profile queries: {per * 1000:.1f} ms per profile (best of {args.rounds} x {args.sample})")
            for n in args.profiles:
                best = min(batched(index, new_ids, pool, n) for _ in range(args.rounds))
                query_s = per * n
                print(f"{n:>7,} profiles x {len(new_ids):,} new ads: batched {best[0]:6.1f} s "
                      f"({best[0] / n * 1e6:.0f} us/profile, {best[1]:,} hits at >= 90) | per-profile queries "
                      f"~{query_s:7.0f} s (scaled from the sample) | batched is {query_s / best[0]:.0f}x cheaper")
        finally:
            index.close()
        print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
