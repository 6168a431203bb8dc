"""How candidate ads are scored against a CV, and how that score becomes one people can read.

The features are cosine similarities between the CV's texts (profile, chunks, headline) and
the ad's two vectors (title, body), plus the BM25 score normalised within the candidate set. The
weights and the calibration were fitted on the development set with ``bench/quality.py``
(grid search, then a logistic fit of P(relevant) on the fused score).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from jobsai.embed.text import CVTexts


@dataclass(frozen=True, slots=True)
class Weights:
    title_profile: float = 1.0
    title_chunk: float = 0.75
    body_profile: float = 0.15
    body_chunk: float = 0.15
    title_headline: float = 0.5
    """The CV's own title line against the ad's title (the profile stands in without one)."""
    title_goal: float = 0.0
    """The job the CV says it wants next against the ad's title (the title line stands in without one)."""
    bm25: float = 0.005
    """Cosines of e5 vectors spread over a narrow band (~0.7–0.9), BM25 is normalised to
    [0, 1] per query: a small weight is enough to break ties between equally close ads."""


@dataclass(frozen=True, slots=True)
class Calibration:
    """``match% = 100 / (1 + exp(-slope * (fused - midpoint)))``: the estimated chance (in
    percent) that the ad is in the CV's occupation group, fitted by logistic regression on the
    dev set's graded labels (grade >= 2 as relevant)."""

    slope: float = 60.0
    midpoint: float = 2.16

    def percent(self, fused: float) -> int:
        z = self.slope * (fused - self.midpoint)
        z = max(-60.0, min(60.0, z))
        return int(round(100.0 / (1.0 + math.exp(-z))))


DEFAULT_WEIGHTS = Weights()
DEFAULT_CALIBRATION = Calibration()


@dataclass(frozen=True, slots=True)
class CvVectors:
    """A CV's encoded texts: profile, chunks and headline (the profile when there is none)."""

    profile: np.ndarray
    chunks: np.ndarray
    headline: np.ndarray
    goal: np.ndarray | None = None
    """The wanted job's vector; ``None`` reads as the headline's."""

    @classmethod
    def split(cls, texts: CVTexts, vecs: np.ndarray) -> CvVectors:
        """Read back the vectors of ``texts.query_texts()``, encoded in that order."""
        n = len(texts.chunks)
        headline = vecs[1 + n] if texts.headline is not None else vecs[0]
        goal_at = 1 + n + (texts.headline is not None)
        return cls(
            profile=vecs[0],
            chunks=vecs[1 : 1 + n],
            headline=headline,
            goal=vecs[goal_at] if texts.goal is not None else None,
        )


@dataclass(frozen=True, slots=True)
class Features:
    """Per-candidate feature arrays (aligned with the candidate id list)."""

    title_profile: np.ndarray
    title_chunk: np.ndarray
    body_profile: np.ndarray
    body_chunk: np.ndarray
    title_headline: np.ndarray
    title_goal: np.ndarray
    bm25: np.ndarray
    best_chunk: np.ndarray
    """Index of the CV chunk that best matches each ad's title (for the explanation)."""


def compute_features(cv: CvVectors, titles: np.ndarray, bodies: np.ndarray, bm25: np.ndarray) -> Features:
    """All similarities in a few matrix products (candidates x CV texts)."""
    tc = titles @ cv.chunks.T
    bc = bodies @ cv.chunks.T
    top = float(bm25.max()) if bm25.size else 0.0
    return Features(
        title_profile=titles @ cv.profile,
        title_chunk=tc.max(axis=1),
        body_profile=bodies @ cv.profile,
        body_chunk=bc.max(axis=1),
        title_headline=titles @ cv.headline,
        title_goal=titles @ (cv.goal if cv.goal is not None else cv.headline),
        bm25=bm25 / top if top > 0 else np.zeros_like(bm25),
        best_chunk=tc.argmax(axis=1),
    )


def fuse(f: Features, w: Weights = DEFAULT_WEIGHTS) -> np.ndarray:
    return (
        w.title_profile * f.title_profile
        + w.title_chunk * f.title_chunk
        + w.body_profile * f.body_profile
        + w.body_chunk * f.body_chunk
        + w.title_headline * f.title_headline
        + w.title_goal * f.title_goal
        + w.bm25 * f.bm25
    )
