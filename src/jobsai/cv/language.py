"""Tiny Swedish/English detector for CV text, with no dependencies.

Matching only needs to know whether a CV is Swedish or English (to pick query
prefixes, explain results and flag cross-lingual matches), so a stopword count backed
by the share of å/ä/ö letters is enough and keeps start-up instant and offline.
"""

from __future__ import annotations

import re
from typing import Literal

Language = Literal["sv", "en", "unknown"]


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Frequent function words that are not also common words in the other language.
# Left out on purpose: "i" (Swedish "in" / English "I"), "de" (Swedish "they" / name
# particle in "de Vries"), "in", "man", "till", "far" and other cross-language homographs.
_SV_STOPWORDS = _wordset(
    """
    och att det som en på är av för med den har inte om ett men var jag sig från vi så
    kan när efter också eller min mitt mina vid hos sedan inom samt där vill får gärna
    nu mycket mot bara både hade alla oss dem sina sin sitt vara blir blev ska skulle
    detta denna dessa vad vilket vilka genom utan än över mellan innan hur år något
    några varit arbetat arbetar jobbat jobbar söker erfarenhet utbildning mig dig er
    ni hon han hans hennes deras våra vår vårt inför enligt därför samma även
    """
)
_EN_STOPWORDS = _wordset(
    """
    the and of to a is for with on as at by an be this that from or are was my have
    has it we our not which their his her also into than about after since while who
    will can been more other all were would such these through what when where there
    they them its your you us am being had do does did should could experience
    education skills work working worked
    """
)

_WORD = re.compile(r"[^\W\d_]+")
_SV_LETTERS = frozenset("åäöÅÄÖ")

_MIN_HITS = 3
"""Below this many stopword hits, two agreeing hits or å/ä/ö decide."""


def detect_language(text: str) -> Language:
    """Return ``'sv'``, ``'en'`` or ``'unknown'`` for a CV or job-ad text.

    Stopword hits decide; the å/ä/ö share breaks ties and covers very short texts.
    English CVs written in Sweden mention Swedish place names, so å/ä/ö alone is
    never trusted over a clear stopword majority.
    """
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return "unknown"
    sv_hits = sum(1 for w in words if w in _SV_STOPWORDS)
    en_hits = sum(1 for w in words if w in _EN_STOPWORDS)
    letters = sum(len(w) for w in words)
    sv_letter_share = sum(1 for ch in text if ch in _SV_LETTERS) / letters

    if sv_hits + en_hits < _MIN_HITS:
        if sv_hits == 2 and en_hits == 0:
            return "sv"
        if en_hits == 2 and sv_hits == 0:
            return "en"
        if sv_letter_share >= 0.01 and sum(1 for ch in text if ch in _SV_LETTERS) >= 2:
            return "sv"
        return "unknown"

    sv_share = sv_hits / (sv_hits + en_hits)
    if sv_share >= 0.65:
        return "sv"
    if sv_share <= 0.35:
        return "en"
    # Mixed text: Swedish prose has about 3-4 % å/ä/ö letters, English almost none.
    if sv_letter_share >= 0.015:
        return "sv"
    if sv_letter_share <= 0.003:
        return "en"
    return "unknown"
