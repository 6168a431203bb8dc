"""How candidate ads are scored against a CV, and how that score becomes one people can read.

The features are cosine similarities between the CV's texts (profile, chunks, headline) and
the ad's two vectors (title, body), plus the BM25 score normalised within the candidate set. The
weights and the calibration were fitted on the development set with ``bench/quality.py``
(grid search, then a logistic fit of P(relevant) on the fused score).
"""

from __future__ import annotations

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
    """The job the CV aims at against the ad's title: the job it says it wants next, else its own
    title line, else its profile (see ``CvVectors.split``)."""
    bm25: float = 0.005
    """Cosines of e5 vectors spread over a narrow band (~0.7–0.9), BM25 is normalised to
    [0, 1] per query: a small weight is enough to break ties between equally close ads."""


@dataclass(frozen=True, slots=True)
class Calibration:
    """``match% = 100 / (1 + exp(-slope * (fused - midpoint)))``: the estimated chance (in
    percent) that the ad is in the CV's occupation group, fitted by logistic regression on the
    graded labels (grade >= 2 as relevant) of the first development set and the tuning half of
    the second (41 CVs; ``bench/quality.py``) for the base model. A trained model carries its own
    curve (``embed.model.read_score_calibration``)."""

    slope: float = 43.0
    midpoint: float = 2.173

    def percent(self, fused: float) -> int:
        return int(self.percents(np.asarray(fused, dtype=np.float64)))

    def percents(self, fused: np.ndarray) -> np.ndarray:
        """:meth:`percent` of every fused score in an array (int32), as alerts score new ads in blocks.

        The one place the curve is computed, so an alert and the match page give an ad the same score
        from the same fused score. ``z`` is clipped so ``exp`` cannot overflow (the ends are 0 and 100)."""
        z = np.clip(self.slope * (np.asarray(fused, dtype=np.float64) - self.midpoint), -60.0, 60.0)
        return np.rint(100.0 / (1.0 + np.exp(-z))).astype(np.int32)

    @classmethod
    def fit(cls, scores: np.ndarray, relevant: np.ndarray, iters: int = 50) -> Calibration:
        """Logistic regression of ``relevant`` on the fused score, by Newton's method.

        Why per model: a fine-tuned model spreads its cosines differently, so the base model's
        curve would call every ad 99 % (or 10 %) a match. Training fits one for its model."""
        x = np.stack([np.ones_like(scores), scores], axis=1).astype(np.float64)
        y = relevant.astype(np.float64)
        beta = np.zeros(2)
        for _ in range(iters):
            p = 1.0 / (1.0 + np.exp(-(x @ beta)))
            hessian = x.T @ (x * (p * (1 - p))[:, None]) + 1e-9 * np.eye(2)
            beta += np.linalg.solve(hessian, x.T @ (y - p))
        if beta[1] <= 0:  # scores that do not order relevance: keep the neutral default
            return DEFAULT_CALIBRATION
        return cls(slope=float(beta[1]), midpoint=float(-beta[0] / beta[1]))

    def to_json(self) -> dict[str, float]:
        return {"slope": self.slope, "midpoint": self.midpoint}


DEFAULT_WEIGHTS = Weights()
DEFAULT_CALIBRATION = Calibration()


@dataclass(frozen=True, slots=True)
class CvVectors:
    """A CV's encoded texts: profile, chunks and headline (the profile when there is none)."""

    profile: np.ndarray
    chunks: np.ndarray
    headline: np.ndarray
    """The job the CV aims at: its goal, else its title line, else its profile."""
    goal: np.ndarray | None = None
    """The wanted job's own vector, if the CV states one."""
    title_line: np.ndarray | None = None
    """The title line's own vector, if the CV has one."""

    @classmethod
    def split(cls, texts: CVTexts, vecs: np.ndarray) -> CvVectors:
        """Read back the vectors of ``texts.query_texts()``, encoded in that order.

        A stated goal takes the title line's place in scoring: a career changer's or a school
        leaver's title says what they were, the goal what they want (with the domain-adapted
        model, dev2 half A 0.878 -> 0.889, half B and the first set unchanged; added beside the
        title line instead, half B lost 0.01)."""
        n = len(texts.chunks)
        goal_at = 1 + n + (texts.headline is not None)
        goal = vecs[goal_at] if texts.goal is not None else None
        title = vecs[1 + n] if texts.headline is not None else vecs[0]
        return cls(profile=vecs[0], chunks=vecs[1 : 1 + n], headline=goal if goal is not None else title, goal=goal,
                   title_line=vecs[1 + n] if texts.headline is not None else None)

    def title_queries(self) -> list[np.ndarray]:
        """What retrieval asks the ads' title vectors: profile, chunks, the title line and the goal."""
        extra = [v for v in (self.title_line, self.goal) if v is not None]
        return [self.profile, *self.chunks, *extra]


@dataclass(frozen=True, slots=True)
class Features:
    """Per-candidate feature arrays (aligned with the candidate id list)."""

    title_profile: np.ndarray
    title_chunk: np.ndarray
    body_profile: np.ndarray
    body_chunk: np.ndarray
    title_headline: np.ndarray
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
        + w.bm25 * f.bm25
    )
