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
_LINK_WORDS = frozenset({
    "github", "gitlab", "linkedin", "portfolio", "portfölj", "twitter", "xing", "website", "webbsida",
    "hemsida", "homepage", "blogg", "blog", "stackoverflow", "behance", "dribbble", "instagram", "facebook",
    "orcid", "researchgate", "kaggle", "medium", "mastodon", "bluesky",
})
_LINK_TOKEN = re.compile(r"@\S+|\S+\.(?:com|se|org|net|io|nu|dev|eu|me|app|info)(?:/\S*)?", re.IGNORECASE)
_LINE_SEPARATORS = re.compile(r"[|·•,;/\u2013\u2014()\[\]<>]|\s-\s|:")
_ADDRESS = re.compile(
    r"\b(?:SE-?\s?)?\d{3}\s?\d{2}\s+\w{2,}"  # Swedish postcode and town: 123 45 Ödeby, 752 31 UPPSALA
    r"|\b[\w\-]*?(?:gatan|gata|vägen|väg|gränd|gränden|torget|torg|plan|platsen|allén|allé|backe|backen|stig|stigen|"
    r"leden|esplanaden)\s+\d{1,4}\s?[a-z]?\b"  # street and number: Storgatan 3, Kyrkbacken 12B
    r"|\b\d{1,4}\s+[A-Z]\w+\s+(?:Street|St|Road|Rd|Avenue|Ave|Lane|Drive|Close|Way)\b"  # 12 Baker Street
    r"|^[^\W\d_][\w-]+\s+\d{1,3}\s?[a-zA-Z]?\s*(?:,|$)"  # a street of another name first: Skogsbrynet 3, …
    r"|\b\d\s?tr\b|\blgh\s?\d+",  # floor and flat numbers
    re.IGNORECASE,
)
"""Every alternative holds a digit, so a line without one is not searched (2 ms of regex per CV)."""
_DIGIT = re.compile(r"\d")
_PERSONAL_FIELD = re.compile(
    r"(?:adress|address|postadress|bostadsort|hemort|ort|född|födelsedatum|födelseår|date of birth|"
    r"nationality|nationalitet|medborgarskap|civilstånd|namn|name|bor i|bosatt i|lives in|based in|"
    r"located in)\b\s*:?",
    re.IGNORECASE,
)
"""A personal detail field at the start of a line (``match``, not ``search``)."""
CONTACT_LINE_CHARS = 140
"""Contact patterns drop a line only when it is this short: in a long line they are a detail of real
content ("… lagret på Industrigatan 4, där jag …")."""
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
    goal: str | None = None
    """The job the person says they want next, if they say so (see ``cv_goal``)."""

    def query_texts(self) -> list[str]:
        """Every text to encode, in the order ``match.scoring.CvVectors.split`` reads them."""
        return [self.profile, *self.chunks, *([self.headline] if self.headline else []),
                *([self.goal] if self.goal else [])]


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


def is_contact_line(line: str) -> bool:
    """Contact details, links or an address: never the CV's title, profile or evidence.

    A line of link names and handles ("GitHub | LinkedIn", "linkedin.com/in/…"), a phone or
    e-mail line, a street address or a postcode with its town ("752 31 UPPSALA"), or a personal
    detail field ("Född: …", "Nationality: …").
    """
    if len(line) >= CONTACT_LINE_CHARS:
        return False
    if _CV_CONTACT_LINE.search(line) or _PERSONAL_FIELD.match(line):
        return True
    if _DIGIT.search(line) and _ADDRESS.search(line):
        return True
    tokens = [t for t in _LINE_SEPARATORS.split(_LINK_TOKEN.sub(" @ ", line)) for t in t.split()]
    return bool(tokens) and all(t == "@" or t.casefold().strip(".") in _LINK_WORDS for t in tokens)


_CLOSED_PERIOD = re.compile(r"\b(?:19|20)\d\d(?:[-/.]\d{1,2})?\s*[-–—]\s*(?:19|20)\d\d\b")
"""A short line with a closed period ("Säljare, Firma AB, 2017 – 2020", "Läkarprogrammet, 2015–2021") heads
a past job or a finished education: it names employers, schools and dates. Left out, the CV is read
through what the person does now and the descriptions of the work (dev nDCG@10 0.858 with those
lines, 0.903 without; the second set within ±0.003 either way). The current job ("2021 – nu") stays."""
_PLACE = re.compile(r"^[^\W\d_][\w-]+(?:,\s*[^\W\d_][\w-]+)*$")
_CELL = re.compile(r"\s*\|\s*|\s+[·•]\s+|\s+[–—]\s+")


def _without_contact_cells(line: str) -> str:
    """"Anna Ek | Undersköterska | 070-… | anna@…" → "Anna Ek · Undersköterska": a header row that
    mixes the title with contact cells keeps the title. Table cells and "Name | Title" headers keep
    the cell boundary as a separator; a line without contact cells is otherwise kept as written."""
    cells = [c for c in _CELL.split(line) if c.strip()]
    if len(cells) < 2:
        return "" if is_contact_line(line) else line
    kept = [c for c in cells if not is_contact_line(c)]
    if len(kept) == len(cells):
        return line if "|" not in line else " · ".join(" ".join(c.split()) for c in kept)
    # beside contact cells, a lone place ("Ödeby", "Uppsala, Sweden") or the name is contact too
    kept = [c for c in kept if not (_PLACE.match(c.strip()) and not _AGENT_NOUN.match(c.strip()))
            and not _looks_like_name(c.strip())]
    return " · ".join(" ".join(c.split()) for c in kept)


def _cv_lines(text: str) -> list[str]:
    lines = []
    for raw in text.splitlines():
        line = "".join(c for c in raw if not 0xE000 <= ord(c) <= 0xF8FF)  # icon-font glyphs
        line = line.strip().strip("|").strip()
        if not line or set(line) <= set("-=_|*#·• "):
            continue
        if len(line) < CONTACT_LINE_CHARS and _CLOSED_PERIOD.search(line):
            continue
        line = _without_contact_cells(line)
        if line:
            lines.append(line)
    return lines


_CV_HEADINGS = frozenset({"curriculum vitae", "cv", "meritförteckning", "resume", "résumé", "personligt brev"})
_SECTION_HEADINGS = _CV_HEADINGS | frozenset({
    "om mig", "kort om mig", "profil", "sammanfattning", "erfarenhet", "arbetslivserfarenhet",
    "yrkeserfarenhet", "anställningar", "utbildning", "kompetenser", "färdigheter", "språk",
    "kontakt", "personuppgifter", "referenser", "meriter", "övrigt", "körkort", "intressen",
    "about me", "profile", "summary", "experience", "work experience", "professional experience",
    "employment", "education", "skills", "languages", "contact", "personal details",
    "references", "qualifications", "interests", "objective", "academic positions",
    "kontaktuppgifter", "kontaktinformation", "contact details", "contact information", "personlig information",
    "personal information", "erfarenheter", "arbetserfarenhet", "work history", "career summary",
    "professional summary", "professionell profil", "about", "projekt", "projects", "certifieringar",
    "certifications", "kurser", "courses", "ideellt engagemang", "föreningsliv", "hobbies", "fritid",
    "research interests", "publications", "publikationer", "it-kunskaper", "it skills", "övriga meriter",
    "mål", "mitt mål", "goal",
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
_LONG_NUMBER = re.compile(r"\d{3,}")
"""A title may say "F–3" or "6 år"; a number of three digits or more (not a year) is an address,
a date or a phone, not a job."""


_PARENTHESES = re.compile(r"\([^)]*\)")
_NAME_PREFIXES = frozenset({"dr", "dr.", "prof", "prof.", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "med."})


def _looks_like_name(line: str) -> bool:
    """A CV's first line is usually the person's name ("Anna Svensson", "TOMASZ NOWAK, MD",
    "Marieke van Dijk, PhD", "MARIA D. SANTOS, RN", "Dr. (candidate) Ali Karimi"): it says nothing
    about the job and would only add noise. Initials, a prefix such as "Dr." and a remark in
    parentheses do not make it any less a name."""
    words = [
        w for w in _PARENTHESES.sub(" ", line.split(",")[0]).split()
        if w.casefold() not in _NAME_PREFIXES and not (len(w) == 2 and w[1] == "." and w[0].isupper())
    ]
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


def _without_cv_heading(line: str) -> str:
    """"CURRICULUM VITAE – Anna Ek" → "Anna Ek"."""
    for sep in _HEADLINE_SEPARATORS:
        head, found, rest = line.partition(sep)
        if found and rest.strip() and head.casefold().strip(" :") in _CV_HEADINGS:
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


_TITLE_LABELS = frozenset({
    "yrke", "titel", "befattning", "roll", "nuvarande roll", "title", "job title", "position", "current position",
    "profession", "occupation",
})
_AGENT_NOUN = re.compile(
    r"^[^\W\d_][\w-]{3,}(?:are|ör|ist|log|ent|ant|ska|chef|biträde|vårdare|ledare|tekniker|ingenjör|"
    r"konsult|er|or|ian|an|ist)$",
    re.IGNORECASE,
)
"""A one-word title is an agent noun ("Systemutvecklare", "Sjuksköterska", "Controller",
"Electrician"); a lone place name ("Ödeby") or a word like "Körkort" is not."""


def cv_headline(lines: list[str]) -> str | None:
    """The CV's title line: the first of its opening lines (name already removed) that reads
    like a job title.

    Not a section heading, not a sentence, not a line that starts with a number or holds one of
    three digits or more other than a year ("Lärare sedan 2019" is a title, "2019 – 2023 …" is
    not), 2–14 words of which at least two are words ("Född 1985" and "Körkort B" are not
    titles), or one word that names a doer ("Systemutvecklare").
    """
    for line in lines[:HEADLINE_LINES]:
        if line.casefold().strip(" :") in _SECTION_HEADINGS or line.endswith((":", ".", "!", "?")):
            continue
        label, colon, value = line.partition(": ")
        if colon:  # a "Label: value" field gives a title only when the label asks for one
            if label.casefold().strip() not in _TITLE_LABELS:
                continue
            line = value.strip()
        if line[0].isdigit() or _LONG_NUMBER.search(_YEAR.sub("", line)) or not 1 <= len(line.split()) <= 14:
            continue
        if len(line.split()) == 1 and not _AGENT_NOUN.match(line):
            continue
        if len(line.split()) > 1 and len(_TITLE_WORD.findall(line)) < 2:
            continue
        return line
    return None


_GOAL_OBJECT = r"(?:en |ett |a |an )?([^.,;:!?()\n]{3,90})"
"""The wanted job: the one capturing group of each ``_GOAL`` alternative."""
_GOAL = re.compile(
    "|".join((
        # Swedish: "vill (nu) arbeta som …", "söker (ett nytt) jobb som …", "mitt mål är att bli …"
        r"\b(?:vill|skulle vilja|önskar|hoppas|siktar på att|drömmer om att|planerar att)\s+(?:jag\s+|nu\s+|gärna\s+|"
        r"framöver\s+|på sikt\s+|kunna\s+|få\s+)*(?:arbeta|jobba|bli|börja arbeta|börja jobba|fortsätta arbeta|"
        r"utbilda mig till|verka)\s+(?:som|inom)\s+" + _GOAL_OBJECT,
        r"\bsöker\s+(?:nu\s+)?(?:en\s+|ett\s+)?(?:ny\s+|nytt\s+|fast\s+)?(?:jobb|tjänst|anställning|arbete|roll|"
        r"position|praktik|praktikplats|sommarjobb|extrajobb|deltidsjobb|heltidsjobb|befattning|uppdrag)\s+"
        r"(?:som|inom)\s+" + _GOAL_OBJECT,
        r"\bmitt (?:mål|nästa steg) är (?:att )?(?:arbeta |jobba |bli |få arbeta |få jobba )?(?:som |inom )?"
        + _GOAL_OBJECT,
        r"^(?:önskad tjänst|sökt tjänst|önskad roll|mål|yrkesmål|söker tjänst som)\s*:\s*" + _GOAL_OBJECT,
        # English: "looking for a position as …", "I want to work as …", "my goal is to become …"
        r"\b(?:looking for|seeking|searching for|applying for|pursuing)\s+(?:a\s+|an\s+|my\s+)?(?:new\s+|first\s+|"
        r"full-time\s+|part-time\s+|permanent\s+|junior\s+|entry-level\s+)*(?:position|role|job|post|"
        r"opportunity|opportunities|career|employment|work|placement)\s+(?:as|in|within)\s+" + _GOAL_OBJECT,
        r"\b(?:want|wish|would like|hope|aim|plan|intend)\s+to\s+(?:work|become|start working|continue working|"
        r"transition|move|retrain|qualify)\s+(?:as|into|in|to)\s+" + _GOAL_OBJECT,
        r"\bmy (?:goal|aim|objective|ambition) is to (?:work as |become |start working as )?" + _GOAL_OBJECT,
        r"^(?:objective|career objective|target role|desired position|desired role)\s*:\s*" + _GOAL_OBJECT,
    )),
    re.IGNORECASE | re.MULTILINE,
)
_GOAL_WORDS = 8
"""A goal names a job in a few words; what follows ("… där jag får använda min erfarenhet av …")
is the reason, not the job."""
_GOAL_TAIL = re.compile(r"\s+(?:och|samt|där|eftersom|för att|med|and|where|because|to|with|so)\s.*$", re.I)


def cv_goal(text: str) -> str | None:
    """What the person says they want to do next ("vill arbeta som undersköterska", "looking
    for a position as a warehouse worker"): for a career changer or a school leaver, a better
    guide to the right ads than the history the rest of the CV describes. The first statement
    wins; ``None`` when the CV makes none."""
    found = _GOAL.search(text)
    if not found:
        return None
    goal = _GOAL_TAIL.sub("", " ".join(next(g for g in found.groups() if g).split()))
    words = goal.split()[:_GOAL_WORDS]
    return " ".join(words) if len(_TITLE_WORD.findall(" ".join(words))) >= 1 else None


def cv_texts(text: str) -> CVTexts:
    """Profile (the CV's opening, without name and contact details), chunks spread over it,
    and the title line."""
    lines = _cv_lines(text)
    while lines and lines[0].casefold().strip(" :") in _CV_HEADINGS:
        lines = lines[1:]
    if lines:
        lines[0] = _without_cv_heading(lines[0])
    if lines and _looks_like_name(lines[0]):
        lines = lines[1:]
    elif lines:
        lines[0] = _without_name_prefix(lines[0])
    lines = [_sentence_case(line) for line in lines]
    words = "\n".join(lines).split()
    profile = " ".join(words[:CV_PROFILE_WORDS])
    return CVTexts(
        profile=profile, chunks=tuple(_spread_chunks(words)) or (profile,), headline=cv_headline(lines),
        goal=cv_goal("\n".join(lines)),
    )


def _spread_chunks(words: list[str]) -> list[str]:
    """Up to CV_MAX_CHUNKS windows from the start to the end of the text, evenly spaced."""
    if len(words) <= CV_CHUNK_WORDS:
        return [" ".join(words)] if words else []
    span = len(words) - CV_CHUNK_WORDS
    n = min(CV_MAX_CHUNKS, span // CV_MIN_STRIDE + 1)
    starts = sorted({int(i * span / (n - 1)) if n > 1 else 0 for i in range(n)})
    return [" ".join(words[s : s + CV_CHUNK_WORDS]) for s in starts]
