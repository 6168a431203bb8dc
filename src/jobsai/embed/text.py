"""What text represents an ad or a CV. Used identically by indexing, matching and training.

Measured on the dev set (see ``bench/quality.py``): plain truncation (headline + whole
description against the whole CV, cut by the model at 512 tokens) ranks far worse than
representing each side by what says *which job this is*:

* an ad by a short **title** text (headline + occupation, occupation group and field
  labels) and a **body** text (the description with boilerplate removed, first 120
  words: on the dev set 120 words rank as well as 180 and embed faster);
* a CV by its **profile** (the opening lines — title and summary — with the name line and
  contact details removed) and by up to four 80-word **chunks** spread over the whole CV, so
  a long CV is read from start to end rather than cut after its first page.

Every text is bounded in words so it stays within the model's token limit; nothing is
silently cut by the tokenizer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jobsai.sources.ads import Ad

AD_BODY_WORDS = 120
CV_PROFILE_WORDS = 60
CV_CHUNK_WORDS = 80
CV_MIN_STRIDE = 40
CV_MAX_CHUNKS = 4
"""A CV is read through at most four 80-word windows spread evenly over its whole length.

Spread windows rank better than consecutive ones (nDCG@10 0.878 vs 0.857 for six spread vs
twelve consecutive, fp32). Four rank as well as six on the dev set (hybrid 0.871 vs 0.874,
one CV's rank apart) and cut the CV's tokens by a quarter, which is what keeps matching a
two-page CV inside its latency budget on two CPU cores (``bench/match_speed.py``)."""

_CONTACT_LINE = re.compile(
    r"@|https?://|www\.|\+?\d[\d \-–()]{6,}\d|personnummer|person-nr|telefon|tel\.|mobil|e-post|e-mail",
    re.IGNORECASE,
)
_URL = re.compile(r"\(?https?://\S+\)?|www\.\S+")
_BOILERPLATE = re.compile(
    r"^(välkommen med din ansökan|vi undanber oss|vi tar inte emot ansökningar|"
    r"sista ansökningsdag|ansök senast|urval sker löpande|intervjuer (kan komma att )?ske|"
    r"fackliga (företrädare|kontakter)|information om tjänsten lämnas|"
    r"vi har i vissa fall skyldighet|du som har skyddade personuppgifter)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class AdTexts:
    title: str
    body: str


@dataclass(frozen=True, slots=True)
class CVTexts:
    profile: str
    chunks: tuple[str, ...]


def _words(text: str, limit: int) -> str:
    return " ".join(text.split()[:limit])


def ad_title_text(ad: Ad) -> str:
    """Headline plus occupation labels: what the job *is*, in the taxonomy's words."""
    parts = [ad.headline.strip().rstrip(".") + "."]
    if ad.occupation and ad.occupation.label:
        parts.append(f"Yrke: {ad.occupation.label}.")
    if ad.occupation_group and ad.occupation_group.label:
        parts.append(f"Yrkesgrupp: {ad.occupation_group.label}.")
    if ad.occupation_field and ad.occupation_field.label:
        parts.append(f"Område: {ad.occupation_field.label}.")
    return " ".join(parts)


def clean_ad_description(text: str) -> str:
    """Drop lines that say nothing about the job: contacts, links, application boilerplate."""
    kept: list[str] = []
    for raw in text.replace("\r", "\n").split("\n"):
        line = _URL.sub("", raw).strip()
        if not line or _BOILERPLATE.match(line) or _CONTACT_LINE.search(line) and len(line) < 120:
            continue
        kept.append(line)
    return "\n".join(kept)


def ad_body_text(ad: Ad, max_words: int = AD_BODY_WORDS) -> str:
    """The description's substance, bounded so it never exceeds the model's token limit."""
    body = clean_ad_description(ad.description)
    return _words(f"{ad.headline}. {body}", max_words)


def ad_texts(ad: Ad) -> AdTexts:
    return AdTexts(ad_title_text(ad), ad_body_text(ad))


def _cv_lines(text: str) -> list[str]:
    lines = []
    for raw in text.splitlines():
        line = raw.strip().strip("|").strip()
        if not line or set(line) <= set("-=_|*#· "):
            continue
        if _CONTACT_LINE.search(line) and len(line) < 140:
            continue
        lines.append(" ".join(line.replace("|", " ").split()))
    return lines


_CV_HEADINGS = frozenset({"curriculum vitae", "cv", "meritförteckning", "resume", "résumé", "personligt brev"})


def _looks_like_name(line: str) -> bool:
    """A CV's first line is usually the person's name ("Anna Svensson", "TOMASZ NOWAK, MD"):
    it says nothing about the job and would only add noise to the profile."""
    words = line.split(",")[0].split()
    return 2 <= len(words) <= 4 and all(
        w[0].isupper() and w.replace("-", "").replace("'", "").isalpha() for w in words
    )


def cv_texts(text: str) -> CVTexts:
    """Profile (the CV's opening, without name and contact details) and chunks spread over it."""
    lines = _cv_lines(text)
    while lines and lines[0].casefold().strip(" :") in _CV_HEADINGS:
        lines = lines[1:]
    if lines and _looks_like_name(lines[0]):
        lines = lines[1:]
    words = "\n".join(lines).split()
    profile = " ".join(words[:CV_PROFILE_WORDS])
    return CVTexts(profile=profile, chunks=tuple(_spread_chunks(words)) or (profile,))


def _spread_chunks(words: list[str]) -> list[str]:
    """Up to CV_MAX_CHUNKS windows from the start to the end of the text, evenly spaced."""
    if len(words) <= CV_CHUNK_WORDS:
        return [" ".join(words)] if words else []
    span = len(words) - CV_CHUNK_WORDS
    n = min(CV_MAX_CHUNKS, span // CV_MIN_STRIDE + 1)
    starts = sorted({int(i * span / (n - 1)) if n > 1 else 0 for i in range(n)})
    return [" ".join(words[s : s + CV_CHUNK_WORDS]) for s in starts]
