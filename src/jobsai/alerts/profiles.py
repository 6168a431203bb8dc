"""What an alert keeps of a CV: its vectors and the model that made them, never its text.

The vectors are the ones the match computed (:class:`~jobsai.match.matcher.PreparedCV`): the profile, the
headline (the goal, else the title line, else the profile: what ``match.scoring`` compares with the ads'
titles) and the chunks, packed as float32 rows. The fingerprint names the model weights *and* the kind of
inference (fp32 or int8) so that a model change can never score old vectors against a new index.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jobsai.embed.fingerprint import ModelFingerprint
from jobsai.match.matcher import PreparedCV
from jobsai.match.scoring import CvVectors

LEVELS = ("very_good", "good")


def fingerprint_key(fp: ModelFingerprint) -> str:
    """``name@sha256:vectors``: equal only for the very same weights and kind of inference."""
    return f"{fp.name[:100]}@{fp.weights_sha256}:{fp.vectors}"


@dataclass(frozen=True, slots=True)
class ProfileVectors:
    """The three kinds of CV vectors scoring reads (unit length, float32)."""

    profile: np.ndarray
    headline: np.ndarray
    chunks: np.ndarray
    """(n_chunks, dim); at least one row (the profile stands in when the CV had no chunks)."""

    @classmethod
    def from_prepared(cls, prepared: PreparedCV) -> ProfileVectors:
        cv = CvVectors.split(prepared.texts, prepared.vectors)
        chunks = cv.chunks if len(cv.chunks) else cv.profile[None, :]
        return cls(np.asarray(cv.profile, np.float32), np.asarray(cv.headline, np.float32),
                   np.asarray(chunks, np.float32))

    def pack(self) -> bytes:
        return np.vstack([self.profile[None, :], self.headline[None, :], self.chunks]).astype("<f4").tobytes()

    @classmethod
    def unpack(cls, blob: bytes, dim: int, n_chunks: int) -> ProfileVectors:
        rows = np.frombuffer(blob, dtype="<f4").reshape(2 + n_chunks, dim)
        return cls(rows[0], rows[1], rows[2:])


def title_line(prepared: PreparedCV) -> str | None:
    """The (redacted) goal, else title line, that explanations quote: what the person said they are or want."""
    texts = prepared.texts
    line = texts.goal or texts.headline
    return line.strip()[:200] if line and line.strip() else None


def thresholds_from(scores: list[int]) -> dict[str, int]:
    """Score floors for the two levels, from the scores of the match the alert is made from.

    "Very good": as good as today's best, give or take (the best score less 5, at least 50). "Good": as good
    as today's fifth result (at least 30). Both stay below 100 so a perfect new ad can always pass.
    """
    ranked = sorted(scores, reverse=True) or [0]
    best = ranked[0]
    fifth = ranked[min(4, len(ranked) - 1)]
    very_good = max(50, min(95, best - 5))
    good = max(30, min(very_good - 5, fifth - 5))
    return {"very_good": very_good, "good": good}
