"""Why an ad matches a CV, in words a job seeker can check.

Three kinds of evidence, all cheap enough to compute for every shown result:

* **skills**: the taxonomy skills the ad names (listed in its structured fields or written in
  its text, :mod:`jobsai.match.skills`), split into those the CV names too and those it does
  not ("3 of 7 skills in your CV; to add: …", the missing ones most specific first);
* **shared terms**: words the CV and the ad share, compared by their stemmed form (the same
  Swedish BM25 analyzer as the keyword index), shown only when they are real words, not on
  the Swedish and English stop-word lists (``data/stopwords_*.txt``: function words, ad
  boilerplate and CV filler such as "passionate", "hanterar") and rare among *all* live ads
  (:mod:`jobsai.match.corpus`), rarest first. Before this filter an English CV's shared terms
  were "passionate, contribute, utilizing, looking, months"; a word in many ads explains nothing;
* the part of the CV that best matches the ad's title and occupation.

Each ad's analysis (its words' stems, its skills) is cached per ad and text, so an ad shown to
many people is read once; the CV is read once per request.
"""

from __future__ import annotations

import re
import sys
import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from jobsai.embed.text import clean_ad_description
from jobsai.index.bm25 import Bm25Encoder
from jobsai.match.corpus import CorpusSource, CorpusStats, CorpusStatsTracker
from jobsai.match.skills import WORD, SkillVocabulary, default_vocabulary, normalise, parts
from jobsai.sources.ads import Ad

_ADDRESSES = re.compile(r"\S+@\S+|https?://\S+|www\.\S+|\b[\w-]+(\.[\w-]+)*\.(se|com|org|net|nu|eu|io)\b", re.I)
_ADDRESS_MARKERS = ("@", "http", "www.", ".se", ".com", ".org", ".net", ".nu", ".eu", ".io")
_URLISH = re.compile(r"https?:|www\.|\.(?:se|com|org|net|nu|eu|io)\b", re.I)
MIN_LETTERS = 3
MAX_TERMS = 8
MAX_MISSING_SKILLS = 8
TERM_MAX_DF = 0.05
"""A shared word is shown only when fewer than this share of all live ads use it. Chosen on the
91 real reference ads and the demo set with invented CVs: at 0.05 "patienter", "kunder",
"säljare" and "Stockholm" drop out while "truckkort", "cytostatika", "PostgreSQL" stay."""
SKILL_MAX_DF = 0.08
"""A one-word skill label found in more than this share of ads is an everyday word there
("Forskning" is a skill, and every university ad says it) and is not counted from text."""
MIN_DOCS_FOR_DF = 30
"""Below this many ads, frequencies say little: only the stop words filter then."""
MAX_CACHED_STEMS = 200_000
"""The stem cache lives as long as the matcher (ad words repeat across requests); past this
many words it starts afresh, so memory stays bounded on a long-running server."""
MAX_CACHED_ADS = 8192
"""Analysed ads kept (~1.6 KB each: ~13 MB): a page of results and its "show more" read each ad once."""


@dataclass(frozen=True, slots=True)
class Explanation:
    skills: tuple[str, ...]
    """The ad's skills that the CV names too."""
    terms: tuple[str, ...]
    passage: str
    missing_skills: tuple[str, ...] = ()
    """The ad's skills the CV does not name (most specific first, at most ``MAX_MISSING_SKILLS``)."""
    skills_total: int = 0
    """How many skills the ad names in all (matched, missing, and missing ones past the cap)."""


@dataclass(frozen=True, slots=True)
class _AdWords:
    """One ad, analysed once: its usable words by stem id, and the skill aliases in its text."""

    stems: tuple[int, ...]
    """The stem ids of the ad's showable words, one each, in text order."""
    words: tuple[str, ...]
    """The word the ad writes for each stem (interned: cached ads share their strings)."""
    aliases: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class _CvWords:
    stems: frozenset[int]
    skills: frozenset[int]
    """Every vocabulary skill the CV names (any alias)."""
    tokens: tuple[str, ...]
    """Normalised tokens, for ad-listed skills the vocabulary does not know."""


@dataclass(frozen=True, slots=True)
class _Filters:
    """What one statistics snapshot makes of the vocabulary (computed once per snapshot)."""

    stats: CorpusStats
    generic_aliases: frozenset[int]
    skill_df: dict[int, int]


@cache
def stop_words(language: str | None = None) -> frozenset[str]:
    """The shipped stop words (lower case): Swedish (``"sv"``), English (``"en"``) or both (``None``)."""
    data = resources.files("jobsai.match").joinpath("data")
    words: set[str] = set()
    for lang in ("sv", "en") if language is None else (language,):
        for line in data.joinpath(f"stopwords_{lang}.txt").read_text(encoding="utf-8").splitlines():
            word = line.strip().lower()
            if word and not word.startswith("#"):
                words.add(word)
    return frozenset(words)


class Explainer:
    """Explains matches; holds the skill vocabulary, the corpus statistics and bounded per-word and
    per-ad caches. One instance serves every request of a matcher (thread-safe: caches are
    written whole under a lock or replaced, snapshots are immutable)."""

    def __init__(
        self,
        bm25: Bm25Encoder,
        corpus: CorpusSource | None = None,
        vocabulary: SkillVocabulary | None = None,
        *,
        background_refresh: bool = True,
    ) -> None:
        self.bm25 = bm25
        self.vocabulary = vocabulary or default_vocabulary()
        self._words: dict[str, tuple[int, ...]] = {}
        self._stop = stop_words()
        # Inflections of a Swedish stop word are caught by its stem ("hanterar" → "hanterade"). Not of an
        # English one: the Swedish stemmer would make "develop" hide "developer".
        self._stop_stems = frozenset(ids[0] for w in stop_words("sv") if len(ids := self._stems_of(w)) == 1)
        self._ads: OrderedDict[tuple[str, int], _AdWords] = OrderedDict()
        self._ads_lock = threading.Lock()
        self._filters: _Filters | None = None
        self.stats = CorpusStatsTracker(corpus, self._doc_words, self._word_keys, background=background_refresh)

    # -- words --------------------------------------------------------------------------------

    def _stems_of(self, low: str) -> tuple[int, ...]:
        """A lower-case word's stem ids; a compound's parts shorter than three letters add none
        ("C-körkort" shares "körkort" with a CV, not "c")."""
        return tuple(dict.fromkeys(int(i) for p in _stemmed_parts(low) for i in self.bm25.embed_query(p).indices))

    def _word(self, word: str) -> tuple[int, ...]:
        """The stem ids of a word that may be shown, none for one that may not; cached per word as written.

        Shown: a real, non-generic word: ≥ 3 letters, no digits, not a stop word in any inflection."""
        known = self._words.get(word)
        if known is None:
            low = word.lower()
            ids = self._stems_of(low)
            letters = len(low) if low.isalpha() else sum(ch.isalpha() for ch in low)
            usable = (
                letters >= MIN_LETTERS and not any(ch.isdigit() for ch in low) and low not in self._stop
                and bool(ids) and not all(i in self._stop_stems for i in ids)
            )
            known = ids if usable else ()
            if len(self._words) >= MAX_CACHED_STEMS:
                self._words = {}
            self._words[word] = known
        return known

    @staticmethod
    def _strip_addresses(text: str) -> str:
        """Text without e-mail addresses, links and domain names, line by line: the full pattern
        costs ~0.3 ms on a whole ad, and only a line or two of an ad holds an address."""
        low = text.lower()
        if not any(marker in low for marker in _ADDRESS_MARKERS):  # substring tests: far cheaper than a pattern
            return text
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if "@" in line or _URLISH.search(line):
                lines[i] = _ADDRESSES.sub(" ", line)
        return "\n".join(lines)

    def _doc_words(self, text: str) -> set[str]:
        """One ad's distinct lower-case words, for the corpus statistics."""
        return set(WORD.findall(text.lower()))

    def _word_keys(self, word: str) -> tuple[Hashable, ...]:
        """A word's keys in the corpus statistics: its stem ids (shared terms) and its normalised
        parts (skill words). Not cached: the statistics see far more words than requests do."""
        keys: list[Hashable] = list(self._stems_of(word))
        keys += [normalise(p) for p in word.split("-") if p]
        return tuple(dict.fromkeys(keys))

    # -- per ad, per CV -----------------------------------------------------------------------

    def _ad_words(self, ad: Ad) -> _AdWords:
        key = (ad.id, hash((ad.headline, ad.description)))
        with self._ads_lock:
            hit = self._ads.get(key)
            if hit is not None:
                self._ads.move_to_end(key)
                return hit
        text = self._strip_addresses(f"{ad.headline}\n{clean_ad_description(ad.description)}")
        found = WORD.findall(text)
        get = self._words.get
        by_stem: dict[int, str] = {}
        for word in dict.fromkeys(found):
            ids = get(word)
            if ids is None:
                ids = self._word(word)
            for tid in ids:
                seen = by_stem.get(tid)
                if seen is None or (not seen.islower() and word.islower()):  # prefer "sjuksköterska" to "Sjuksköterska"
                    by_stem[tid] = word
        analysed = _AdWords(tuple(by_stem), tuple(sys.intern(w) for w in by_stem.values()),
                            self.vocabulary.find_words(found))
        with self._ads_lock:
            self._ads[key] = analysed
            while len(self._ads) > MAX_CACHED_ADS:
                self._ads.popitem(last=False)
        return analysed

    def _cv_words(self, cv_text: str) -> _CvWords:
        text = self._strip_addresses(cv_text)
        name = _name_line(text)
        found = WORD.findall(text)
        stems: set[int] = set()
        for word in set(found):
            if word.lower() not in name:
                stems.update(self._word(word))
        vocab = self.vocabulary
        skills = frozenset(vocab.aliases[a].skill for a in vocab.find_words(found))
        return _CvWords(frozenset(stems), skills, tuple(vocab.normalise_all(parts(found))))

    def _current_filters(self) -> _Filters:
        stats = self.stats.current()
        filters = self._filters
        if filters is not None and filters.stats is stats:
            return filters
        vocab = self.vocabulary
        use_df = stats.n_docs >= MIN_DOCS_FOR_DF
        generic = frozenset(
            i for i, a in enumerate(vocab.aliases)
            if use_df and len(a.tokens) == 1 and stats.fraction(a.tokens[0]) > SKILL_MAX_DF
        )
        skill_df: dict[int, int] = {}
        for a in vocab.aliases:  # an upper bound for a phrase: its rarest word's count
            df = min(stats.df.get(t, 0) for t in a.tokens)
            skill_df[a.skill] = min(df, skill_df.get(a.skill, df))
        filters = _Filters(stats, generic, skill_df)
        self._filters = filters
        return filters

    # -- the explanation ----------------------------------------------------------------------

    def explain(self, cv_text: str, ads: Sequence[Ad], passages: Sequence[str]) -> list[Explanation]:
        filters = self._current_filters()
        stats = filters.stats
        use_df = stats.n_docs >= MIN_DOCS_FOR_DF
        cv = self._cv_words(cv_text)
        cv_stems, normalise_cached = cv.stems, self.vocabulary.normalise
        out: list[Explanation] = []
        for ad, passage in zip(ads, passages, strict=True):
            words = self._ad_words(ad)
            have, missing, total, skill_tokens = self._skills(ad, words, cv, filters)
            shared = [(tid, w) for tid, w in zip(words.stems, words.words, strict=True) if tid in cv_stems]
            if use_df:
                shared = [(tid, w) for tid, w in shared if stats.fraction(tid) < TERM_MAX_DF]
            shared.sort(key=lambda tw: (stats.df.get(tw[0], 0), -len(tw[1])))
            terms: list[str] = []
            seen: set[str] = set()
            for _, word in shared:
                low = word.lower()
                if low in seen or all(normalise_cached(p) in skill_tokens for p in low.split("-") if p):
                    continue
                seen.add(low)
                terms.append(word)
                if len(terms) >= MAX_TERMS:
                    break
            out.append(Explanation(skills=have, terms=tuple(terms), passage=passage,
                                   missing_skills=missing, skills_total=total))
        return out

    def _skills(
        self, ad: Ad, words: _AdWords, cv: _CvWords, filters: _Filters
    ) -> tuple[tuple[str, ...], tuple[str, ...], int, frozenset[str]]:
        """(matched names, missing names, how many in all, the matched skills' words)."""
        vocab = self.vocabulary
        # (name, in the CV, listed by the ad, how many ads name it) in the ad's order: listed first
        found: dict[str, tuple[str, bool, bool, int]] = {}
        matched_tokens: set[str] = set()
        for concept in ad.skills:
            idx, name = vocab.name_of(concept.concept_id, concept.label)
            if idx is not None:
                has = idx in cv.skills
                df = filters.skill_df.get(idx, 0)
                if has:
                    matched_tokens.update(vocab.skill_words[idx])
            else:
                has = vocab.mentions(cv.tokens, concept.label)
                df = 0
            found.setdefault(name.casefold(), (name, has, True, df))
        for a in words.aliases:
            if a in filters.generic_aliases:
                continue
            alias = vocab.aliases[a]
            skill = vocab.skills[alias.skill]
            has = alias.skill in cv.skills
            if has:
                matched_tokens.update(alias.tokens)
            found.setdefault(skill.name.casefold(), (skill.name, has, False, filters.skill_df.get(alias.skill, 0)))
        have = tuple(name for name, has, _, _ in found.values() if has)
        lacking = [(not listed, df, n, name) for n, (name, has, listed, df) in enumerate(found.values()) if not has]
        lacking.sort()
        missing = tuple(name for *_, name in lacking[:MAX_MISSING_SKILLS])
        return have, missing, len(found), frozenset(matched_tokens)


def _stemmed_parts(low: str) -> list[str]:
    """The parts of a word that are stemmed: the word, or a compound's parts of three letters or more."""
    if "-" not in low:
        return [low]
    return [p for p in low.split("-") if sum(ch.isalpha() for ch in p) >= MIN_LETTERS]


def _name_line(text: str) -> frozenset[str]:
    """The words of a CV's first line when it reads as a name ("Alex Example"): an ad that names
    its recruiter Alex shares that word with the CV, and it explains nothing."""
    for line in text.splitlines():
        words = line.split()
        if not words:
            continue
        if 2 <= len(words) <= 4 and all(w[:1].isupper() and w.replace("-", "").isalpha() for w in words):
            return frozenset(w.lower() for w in words)
        return frozenset()
    return frozenset()


def short_passage(text: str, words: int = 14) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")
