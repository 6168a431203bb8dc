"""Turn ads into index points: the one place where an ad's vectors and payload are made.

Indexing and re-indexing both go through here, so an ad is always represented the same way
(``embed.text`` decides the texts; the model embeds them; BM25 reads title and body).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from jobsai.embed.text import ad_texts, clean_ad_description
from jobsai.index.base import BODY_VECTOR, TITLE_VECTOR, AdPayload, IndexPoint
from jobsai.index.bm25 import Bm25Encoder
from jobsai.sources.ads import Ad


class PassageEncoder(Protocol):
    def encode_passages(self, texts: Sequence[str], progress: bool = False) -> np.ndarray: ...


def _cid(concept: object) -> str | None:
    return getattr(concept, "concept_id", None)


def ad_payload(ad: Ad) -> AdPayload:
    """Filterable fields of an ad (concept ids only; labels change over time)."""
    return AdPayload(
        ad_id=ad.id,
        municipality=_cid(ad.municipality),
        region=_cid(ad.region),
        country=_cid(ad.country),
        occupation=_cid(ad.occupation),
        occupation_group=_cid(ad.occupation_group),
        occupation_field=_cid(ad.occupation_field),
        employment_type=_cid(ad.employment_type),
        working_hours_type=_cid(ad.working_hours_type),
        published_ts=int(ad.publication_date.timestamp()) if ad.publication_date else None,
    )


def ad_bm25_text(ad: Ad) -> str:
    """Everything a keyword search should find: title words, skills and the cleaned description."""
    skills = " ".join(s.label for s in ad.skills if s.label)
    return f"{ad.headline}\n{skills}\n{clean_ad_description(ad.description)}"


class AdPointBuilder:
    """Embeds batches of ads into points (title and body vectors plus a BM25 vector)."""

    def __init__(self, encoder: PassageEncoder, bm25: Bm25Encoder, progress: bool = False) -> None:
        self.encoder = encoder
        self.bm25 = bm25
        self.progress = progress

    def build(self, ads: Sequence[Ad]) -> list[IndexPoint]:
        if not ads:
            return []
        texts = [ad_texts(ad) for ad in ads]
        # One call for both kinds of text, so length bucketing can sort across all of them.
        vecs = self.encoder.encode_passages(
            [t.title for t in texts] + [t.body for t in texts], progress=self.progress
        )
        n = len(ads)
        sparse = self.bm25.embed_documents([ad_bm25_text(ad) for ad in ads])
        return [
            IndexPoint(
                payload=ad_payload(ad),
                dense={TITLE_VECTOR: vecs[i], BODY_VECTOR: vecs[n + i]},
                sparse=sparse[i],
            )
            for i, ad in enumerate(ads)
        ]
