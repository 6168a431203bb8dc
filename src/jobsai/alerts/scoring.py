"""New ads against every stored alert profile, in one batched pass of matrix products.

Why batched rather than one index query per profile: an update brings ~hundreds to a few thousand new ads,
and there may be 100k profiles. Fetching the new ads' stored vectors from the index once and multiplying
them with blocks of profiles costs a few matrix products per block; a query per profile costs 100k index
round trips, each re-reading the same few thousand ads (``bench/alerts.py`` measures both).

The score is the match score (``match.scoring``: the same features, weights and calibration) without the
BM25 term: its weight is 0.005 on a BM25 score normalised *within the candidate set*, which has no meaning
for a set of new ads, and the CV's words are not kept to compute it. An alert's score can therefore be
up to ~3 points below the match page's for the same ad; the thresholds are set from the match's scores
with 5 points to spare (:func:`jobsai.alerts.profiles.thresholds_from`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from jobsai.alerts.profiles import ProfileVectors
from jobsai.index.filters import PUBLIC_FILTERS
from jobsai.match.scoring import DEFAULT_CALIBRATION, DEFAULT_WEIGHTS, Calibration, Weights

FILTER_FIELDS = tuple(f.payload_key for f in PUBLIC_FILTERS)
"""Filter keys an alert stores (concept ids), the same names as the index payload's."""
BLOCK_FLOATS = 16_000_000
"""Profiles per block are chosen so one block's chunk-by-ad products stay near this many floats (64 MB)."""


@dataclass(frozen=True, slots=True)
class NewAds:
    """The ads to score: their ids, stored title and body vectors, filter concepts and first-seen times."""

    ids: list[str]
    titles: np.ndarray
    bodies: np.ndarray
    concepts: Mapping[str, np.ndarray]
    """Field (``FILTER_FIELDS``) -> each ad's concept id (``""`` when it has none)."""
    first_seen: np.ndarray
    """Epoch seconds, so an alert is told only of ads that arrived after it was made."""

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True, slots=True)
class ScoredProfile:
    """One alert as scoring needs it."""

    alert_id: int
    vectors: ProfileVectors
    min_score: int
    filters: Mapping[str, Sequence[str]]
    created_ts: float


def percent(fused: np.ndarray, cal: Calibration) -> np.ndarray:
    """Match scores of an array of fused scores: the match page's curve (:meth:`Calibration.percents`)."""
    return cal.percents(fused)


def fused_scores(ads: NewAds, profiles: Sequence[ProfileVectors], w: Weights = DEFAULT_WEIGHTS) -> np.ndarray:
    """(profiles, ads) fused scores: ``match.scoring.fuse`` of ``compute_features`` without BM25."""
    titles, bodies = ads.titles, ads.bodies
    n = len(ads)
    prof = np.stack([p.profile for p in profiles])
    head = np.stack([p.headline for p in profiles])
    # Every profile's chunks in one matrix (no padding), one product with titles and bodies side by side,
    # then the best chunk per profile by a segmented max.
    flat = np.concatenate([p.chunks for p in profiles])
    starts = np.cumsum([0] + [len(p.chunks) for p in profiles[:-1]])
    best = np.maximum.reduceat(flat @ np.concatenate([titles, bodies]).T, starts, axis=0)
    return (w.title_profile * (prof @ titles.T) + w.title_chunk * best[:, :n]
            + w.body_profile * (prof @ bodies.T) + w.body_chunk * best[:, n:]
            + w.title_headline * (head @ titles.T))


def eligible(ads: NewAds, profile: ScoredProfile) -> np.ndarray:
    """Which ads pass the profile's filters (OR within a field, AND across) and arrived after it was made."""
    mask = ads.first_seen > profile.created_ts
    for field, values in profile.filters.items():
        if values and field in ads.concepts:
            mask &= np.isin(ads.concepts[field], list(values))
    return mask


def block_size(ads: NewAds, profiles: Sequence[ScoredProfile]) -> int:
    chunks = max((len(p.vectors.chunks) for p in profiles), default=1)
    return max(1, BLOCK_FLOATS // max(1, 2 * chunks * max(1, len(ads))))


def score_profiles(
    ads: NewAds, profiles: Sequence[ScoredProfile], cal: Calibration = DEFAULT_CALIBRATION,
    weights: Weights = DEFAULT_WEIGHTS,
) -> list[tuple[int, str, int]]:
    """Every (alert id, ad id, score) where the ad passes the alert's filters and reaches its threshold."""
    if not len(ads) or not profiles:
        return []
    out: list[tuple[int, str, int]] = []
    step = block_size(ads, profiles)
    for start in range(0, len(profiles), step):
        block = profiles[start : start + step]
        scores = percent(fused_scores(ads, [p.vectors for p in block], weights), cal)
        floors = np.array([p.min_score for p in block], dtype=np.int32)[:, None]
        passing = scores >= floors
        for i in np.flatnonzero(passing.any(axis=1)).tolist():
            hits = passing[i] & eligible(ads, block[i])
            out.extend((block[i].alert_id, ads.ids[j], int(scores[i, j])) for j in np.flatnonzero(hits).tolist())
    return out
