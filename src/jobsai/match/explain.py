"""Why an ad matches a CV, in words a job seeker can check.

Three kinds of evidence, all cheap enough to compute for every shown result:
* the ad's listed skills (taxonomy concepts) that the CV mentions;
* the words the CV and the ad share, compared by their stemmed form (the same Swedish BM25
  analyzer as the keyword index), ranked by how rare they are among the candidate ads;
* the part of the CV that best matches the ad's title and occupation.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from jobsai.embed.text import clean_ad_description
from jobsai.index.bm25 import Bm25Encoder
from jobsai.sources.ads import Ad

_WORD = re.compile(r"[^\W\d_][\w+#-]*[\w+#]|[^\W\d_]", re.UNICODE)
_ADDRESSES = re.compile(r"\S+@\S+|https?://\S+|www\.\S+|\b[\w-]+(\.[\w-]+)*\.(se|com|org|net|nu|eu|io)\b", re.I)
_TLD = re.compile(r"\.(?:se|com|org|net|nu|eu|io)\b", re.I)
MIN_WORD_LEN = 3
GENERIC_TERMS = frozenset(
    """
    erfarenhet erfarenheter arbete arbeta arbetar arbetat jobb jobba tjänst tjänsten söker sök ansökan
    person personlig personligt personliga egenskaper god goda bra stor stort viktigt trivas trivs
    utbildning utbildad utbildade profil kompetens kunskap kunskaper svenska engelska språk års år
    månader vecka veckor heltid deltid tillsvidare anställning anställningen lön välkommen ett två tre
    fyra fem sex sju åtta nio tio samt även inom både eller också mycket många experience work working
    job team skills good great english swedish years year
    """.split()  # noqa: SIM905 - a word list reads better as text
)
"""Words that nearly every ad and CV share: they say nothing about why this ad fits."""
MAX_TERMS = 8
MAX_CACHED_STEMS = 200_000
"""The stem cache lives as long as the matcher (ad words repeat across requests); past this
many words it starts afresh, so memory stays bounded on a long-running server."""


@dataclass(frozen=True, slots=True)
class Explanation:
    skills: tuple[str, ...]
    terms: tuple[str, ...]
    passage: str

    def text(self, occupation: str | None) -> str:
        parts: list[str] = []
        if occupation:
            parts.append(f"Occupation: {occupation}")
        if self.skills:
            parts.append("skills in your CV: " + ", ".join(self.skills))
        if self.terms:
            parts.append("shared terms: " + ", ".join(self.terms))
        if self.passage:
            parts.append(f'closest part of your CV: "{self.passage}"')
        return "; ".join(parts)


class Explainer:
    """Finds shared terms between one CV and several ads; holds a bounded per-word stem cache.

    One instance serves every request of a matcher (safe across threads: the cache is a dict
    whose entries are written whole)."""

    def __init__(self, bm25: Bm25Encoder) -> None:
        self.bm25 = bm25
        self._stems: dict[str, frozenset[int]] = {}

    def _stem_ids(self, word: str) -> frozenset[int]:
        key = word.lower()
        ids = self._stems.get(key)
        if ids is None:
            ids = frozenset(int(i) for i in self.bm25.embed_query(key).indices)
            if len(self._stems) >= MAX_CACHED_STEMS:
                self._stems = {}
            self._stems[key] = ids
        return ids

    def _words(self, text: str) -> list[str]:
        low = text.lower()
        if "@" in text or "http" in low or "www." in low or _TLD.search(text):  # the full pattern is slow
            text = _ADDRESSES.sub(" ", text)
        return [w for w in _WORD.findall(text) if len(w) >= MIN_WORD_LEN and w.lower() not in GENERIC_TERMS]

    def explain(
        self, cv_text: str, ads: Sequence[Ad], passages: Sequence[str]
    ) -> list[Explanation]:
        cv_ids: set[int] = set()
        for w in set(self._words(cv_text)):
            cv_ids |= self._stem_ids(w)
        cv_lower = cv_text.lower()
        # Term rarity among the shown ads: words every ad shares explain nothing.
        per_ad: list[dict[int, str]] = []
        df: Counter[int] = Counter()
        for ad in ads:
            found: dict[int, str] = {}
            for w in dict.fromkeys(self._words(f"{ad.headline}\n{clean_ad_description(ad.description)}")):
                for tid in self._stem_ids(w):
                    if tid in cv_ids and tid not in found:
                        found[tid] = w
            per_ad.append(found)
            df.update(found.keys())
        out: list[Explanation] = []
        n = max(len(ads), 1)
        for ad, found, passage in zip(ads, per_ad, passages, strict=True):
            ranked = sorted(found.items(), key=lambda kv: (-math.log((n + 1) / df[kv[0]]), -len(kv[1])))
            terms: list[str] = []
            seen: set[str] = set()
            for _, word in ranked:
                if word.lower() not in seen:
                    seen.add(word.lower())
                    terms.append(word)
                if len(terms) >= MAX_TERMS:
                    break
            skills = tuple(s.label for s in ad.skills if s.label and _mentions(cv_lower, s.label.lower()))
            out.append(Explanation(skills=skills[:6], terms=tuple(terms), passage=passage))
        return out


def _mentions(text: str, phrase: str) -> bool:
    """``phrase`` occurs in ``text`` as whole words; the plain substring test rules most out
    cheaply, before a pattern is built (an ad lists a dozen skills, a page shows up to 200 ads)."""
    return phrase in text and re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text) is not None


def short_passage(text: str, words: int = 14) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")
