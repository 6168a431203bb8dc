"""What text represents an ad or a CV. Used identically by indexing, matching and training.

Measured on the dev set (see ``bench/quality.py``): plain truncation (headline + whole
description against the whole CV, cut by the model at 512 tokens) ranks far worse than
representing each side by what says *which job this is*:

* an ad by a short **title** text (headline + occupation, occupation group and field
  labels) and a **body** text (the description with boilerplate removed, first 120
  words: on the dev set 120 words rank as well as 180 and embed faster);
* a CV by its **profile** (the opening lines — title and summary — with the name line and
  contact details removed), by up to four 80-word **chunks** spread over the whole CV, so
  a long CV is read from start to end rather than cut after its first page, and by its
  **headline** (the title line under the name, "Legitimerad sjuksköterska", "Senior data
  engineer") when it has one: the person's own words for the job they do, which
  the matcher compares with the ads' titles on its own (dev nDCG@10 0.864 → 0.903, English
  CVs 0.78 → 0.87: a short title crosses languages far better than a long mixed profile).

Every text is bounded in words so it stays within the model's token limit; nothing is
silently cut by the tokenizer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jobsai.sources.ads import Ad

AD_TEXT_VERSION = "ad-text-1"
"""Names how an ad becomes text (``ad_texts``, ``clean_ad_description`` and the BM25 document in
``index.points``). Every index records it and refuses to open under another, so a change here
means re-indexing, never an index that mixes vectors of old and new texts: bump it with any
change to those functions' output."""
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
_CV_CONTACT_LINE = re.compile(
    r"@|https?://|www\.|\+?\d[\d \-–()]{6,}\d|personnummer|person-nr|"
    r"\b(?:telefon|tfn|tel|mobil|mobile|phone|e-post|e-mail|email)\s*[:.]",
    re.IGNORECASE,
)
"""A CV line with contact details. Stricter than the ads' pattern: "telefon" or "mobil" alone is
a word of the trade in a CV ("Kundtjänst via telefon och chatt") and must not drop the line."""
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
    headline: str | None = None
    """The CV's title line, if it has one (see ``cv_headline``)."""

    def query_texts(self) -> list[str]:
        """Every text to encode, in the order ``match.scoring.CvVectors.split`` reads them."""
        return [self.profile, *self.chunks, *([self.headline] if self.headline else [])]


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
        line = (_URL.sub("", raw) if "http" in raw or "www." in raw else raw).strip()  # guard: cheap test first
        if not line or _BOILERPLATE.match(line) or len(line) < 120 and _CONTACT_LINE.search(line):
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
        if _CV_CONTACT_LINE.search(line) and len(line) < 140:
            continue
        # table cells and "Name | Title" headers: keep the cell boundary as a separator
        lines.append(" · ".join(" ".join(cell.split()) for cell in line.split("|") if cell.strip()))
    return lines


_CV_HEADINGS = frozenset({"curriculum vitae", "cv", "meritförteckning", "resume", "résumé", "personligt brev"})
_SECTION_HEADINGS = _CV_HEADINGS | frozenset({
    "om mig", "kort om mig", "profil", "sammanfattning", "erfarenhet", "arbetslivserfarenhet",
    "yrkeserfarenhet", "anställningar", "utbildning", "kompetenser", "färdigheter", "språk",
    "kontakt", "personuppgifter", "referenser", "meriter", "övrigt", "körkort", "intressen",
    "about me", "profile", "summary", "experience", "work experience", "professional experience",
    "employment", "education", "skills", "languages", "contact", "personal details",
    "references", "qualifications", "interests", "objective", "academic positions",
})
_NAME_PARTICLES = frozenset({
    "af", "al", "bin", "da", "das", "de", "del", "della", "der", "den", "di", "dos", "du", "el",
    "la", "le", "ten", "ter", "van", "von",
})
HEADLINE_LINES = 4
"""The title sits right under the name; further down, a short line is a section or a date."""
_HEADLINE_SEPARATORS = (" – ", " — ", " - ", " · ")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_TITLE_WORD = re.compile(r"[^\W\d_]{2,}")


def _looks_like_name(line: str) -> bool:
    """A CV's first line is usually the person's name ("Anna Svensson", "TOMASZ NOWAK, MD",
    "Marieke van Dijk, PhD"): it says nothing about the job and would only add noise."""
    words = line.split(",")[0].split()
    named = [w for w in words if w not in _NAME_PARTICLES]
    return 2 <= len(words) <= 5 and len(named) >= 2 and all(
        w[0].isupper() and w.replace("-", "").replace("'", "").isalpha() for w in named
    )


def _without_name_prefix(line: str) -> str:
    """"LINA BERG – LEGITIMERAD ARBETSTERAPEUT" → "LEGITIMERAD ARBETSTERAPEUT": a first line
    that carries the name and the title together keeps the title only."""
    for sep in _HEADLINE_SEPARATORS:
        head, found, rest = line.partition(sep)
        if found and rest.strip() and _looks_like_name(head):
            return rest.strip()
    return line


def _sentence_case(line: str) -> str:
    """"LEGITIMERAD FYSIOTERAPEUT" → "Legitimerad fysioterapeut". The model's tokenizer splits
    capitals into meaningless pieces: in capitals, that title matched a doctor's ad better
    than the physiotherapist's. A short prefix of a compound stays as written: it is an
    acronym ("IT-PROJEKTLEDARE" → "IT-projektledare", "HR-ANALYTIKER" → "HR-analytiker")."""
    letters = [c for c in line if c.isalpha()]
    if len(letters) < 4 or sum(c.isupper() for c in letters) < 0.8 * len(letters):
        return line
    words = []
    for word in line.split(" "):
        head, dash, tail = word.partition("-")
        words.append(f"{head}-{tail.lower()}" if dash and 2 <= len(head) <= 3 and head.isalpha() else word.lower())
    text = " ".join(words)
    return line[0] + text[1:]


def cv_headline(lines: list[str]) -> str | None:
    """The CV's title line: the first of its opening lines (name already removed) that reads
    like a job title.

    Not a section heading, not a sentence, no digits but years ("Lärare sedan 2019"; an address is
    not a title), 2–14 words of which at least two are words ("2019 – 2023", "Född 1985" and
    "Körkort B" are not titles).
    """
    for line in lines[:HEADLINE_LINES]:
        if line.casefold().strip(" :") in _SECTION_HEADINGS or line.endswith((":", ".", "!", "?")):
            continue
        if any(c.isdigit() for c in _YEAR.sub("", line)) or not 2 <= len(line.split()) <= 14:
            continue
        if len(_TITLE_WORD.findall(line)) < 2:
            continue
        return line
    return None


def cv_texts(text: str) -> CVTexts:
    """Profile (the CV's opening, without name and contact details), chunks spread over it,
    and the title line."""
    lines = _cv_lines(text)
    while lines and lines[0].casefold().strip(" :") in _CV_HEADINGS:
        lines = lines[1:]
    if lines and _looks_like_name(lines[0]):
        lines = lines[1:]
    elif lines:
        lines[0] = _without_name_prefix(lines[0])
    lines = [_sentence_case(line) for line in lines]
    words = "\n".join(lines).split()
    profile = " ".join(words[:CV_PROFILE_WORDS])
    return CVTexts(profile=profile, chunks=tuple(_spread_chunks(words)) or (profile,), headline=cv_headline(lines))


def _spread_chunks(words: list[str]) -> list[str]:
    """Up to CV_MAX_CHUNKS windows from the start to the end of the text, evenly spaced."""
    if len(words) <= CV_CHUNK_WORDS:
        return [" ".join(words)] if words else []
    span = len(words) - CV_CHUNK_WORDS
    n = min(CV_MAX_CHUNKS, span // CV_MIN_STRIDE + 1)
    starts = sorted({int(i * span / (n - 1)) if n > 1 else 0 for i in range(n)})
    return [" ".join(words[s : s + CV_CHUNK_WORDS]) for s in starts]
