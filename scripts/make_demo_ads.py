#!/usr/bin/env python3
"""Generate the offline demo job-ad set that ships inside the package.

Why: a person trying JobsAI without network access (JobStream unreachable, empty data
directory) should still see a realistic Platsbanken-like market: a few hundred ads across
most occupation fields and regions, in the exact JobTech JSON schema, so that parsing,
filters, taxonomy matching and ranking behave as they do on real data.

Why generated: real ads contain recruiters' personal data and are not ours to redistribute,
so every ad text here is composed by this script from its own phrase pools (in
``scripts/demo_ads_data/``). Only public JobTech *taxonomy* facts (concept ids and labels of
occupations, occupation groups and fields, municipalities, regions, skills and the small
enumerations) are copied, into ``demo_ads_data/taxonomy.json``, so that filters and concept
matching work like on real ads; the script reads nothing else.
Employers are invented (public employers may carry a real region/municipality name),
contact people are invented, phone numbers are in the range reserved for fiction
(070-1740605 to 070-1740699), e-mail and web addresses use example.com/example.org, and
organisation numbers carry a deliberately wrong Luhn check digit so none can be real.

Why deterministic: the output is committed; a fixed seed, no set iteration, sorted output
and a gzip header without timestamp make every run byte-identical, so a test can
regenerate the file and compare.

Dates are written relative to the fixed ``REFERENCE_DATE`` (stored in ``demo_meta.json``);
``jobsai.sources.demo`` shifts them at load time so the newest ad is published today and
no ad is ever expired.

Usage::

    python scripts/make_demo_ads.py [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import html
import io
import json
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")

REFERENCE_DATE = date(2025, 10, 1)
"""The newest ad is published on this (Swedish local) date; the rest up to 20 days earlier."""
SEED = 20251001
FIRST_ID = 90_000_001
"""Demo ids are numeric strings from here on: far above real Platsbanken ids (≈30 million)."""
FORMAT_VERSION = 1
MAX_PAST_DAYS = 20
MIN_REMAINING_DAYS = 3
"""Every ad stays published at least this many days after the reference date."""

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT_DIR = ROOT / "src" / "jobsai" / "sources" / "demo_data"
ADS_FILE = "demo_ads.jsonl.gz"
META_FILE = "demo_meta.json"

# ---------------------------------------------------------------------------------------
# Data. The taxonomy table, the employers' sectors, the occupation profiles and the phrase
# pools live in demo_ads_data/ (its README.md says what each file holds); this script only
# assembles ads from them.
# ---------------------------------------------------------------------------------------

DATA_DIR = Path(__file__).resolve().parent / "demo_ads_data"


def _frozen(value: Any) -> Any:
    """JSON arrays as tuples, recursively: the pools are fixed, and a profile's ``places``
    names its towns exactly when it is a tuple."""
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return {key: _frozen(item) for key, item in value.items()}
    return value


def _load(name: str) -> Any:
    return _frozen(json.loads((DATA_DIR / name).read_text(encoding="utf-8")))


@dataclass(frozen=True, slots=True)
class Municipality:
    """A municipality with its taxonomy ids, an approximate town centre and a size weight."""

    name: str
    code: str
    concept_id: str
    region_id: str
    lon: float
    lat: float
    weight: float
    employer: str
    """How the municipality names itself as an employer ("Umeå kommun", "Göteborgs Stad")."""
    town: str = ""
    """The main town, when it differs from the municipality's name (Gotland → Visby)."""

    @property
    def city(self) -> str:
        return self.town or self.name


# ---------------------------------------------------------------------------------------
# Employers. A sector says who employs people in a trade and how such an employer talks
# about itself; public sectors use the real region/municipality name, private ones use
# invented company names.
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sector:
    """How one kind of employer presents itself; every field is a pool to draw from."""

    kind: str
    """"region", "kommun", "private" or "military": decides the employer's name and intro."""
    names: tuple[str, ...] = ()
    business: tuple[str, ...] = ()
    """Verb phrases completing "<Employer> …" (private employers)."""
    values: tuple[str, ...] = ()
    offers: tuple[str, ...] = ()
    roles: tuple[str, ...] = ("Rekryterande chef",)
    """Titles of the contact person."""
    depts: tuple[str, ...] = ()
    """Administrations/units of a public employer (workplace names)."""
    union: str | None = None
    check: str | None = None
    """A sentence about register checks, for trades where the law requires them."""
    business_en: tuple[str, ...] = ()
    values_en: tuple[str, ...] = ()
    offers_en: tuple[str, ...] = ()
    roles_en: tuple[str, ...] = ("Hiring manager",)
    size: tuple[int, int] = (12, 400)


# ---------------------------------------------------------------------------------------
# Occupation profiles: what one trade's ads say. Phrase conventions (so the assembler can
# put them in lists, bullets or sentences): duties are infinitive phrases without "att",
# requirements are present-tense phrases completing "du …", merits complete "du har …".
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EnglishText:
    """The English pools of a profile; same phrase conventions as the Swedish ones."""

    titles: tuple[str, ...]
    noun: str
    units: tuple[str, ...]
    about: tuple[str, ...]
    duties: tuple[str, ...]
    reqs: tuple[str, ...]
    merits: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Profile:
    """One occupation's ads: taxonomy concept, how many ads, who employs, and what they say."""

    occupation: str
    count: int
    sectors: tuple[tuple[str, int], ...]
    noun: str
    titles: tuple[str, ...]
    units: tuple[str, ...]
    about: tuple[str, ...]
    duties: tuple[str, ...]
    reqs: tuple[str, ...]
    merits: tuple[str, ...]
    must: tuple[str, ...] = ()
    nice: tuple[str, ...] = ()
    units_by_sector: dict[str, tuple[str, ...]] = field(default_factory=dict)
    license: str | None = None
    license_share: float = 1.0
    hours: str = "full"
    """"full", "part" or "mixed"."""
    temp: float = 0.15
    on_call: float = 0.0
    experience: float = 0.5
    pay: str = "fixed"
    places: str | tuple[str, ...] = "any"
    """"any" (by size), "city" (larger towns), "rural" (smaller towns) or explicit names."""
    traits: tuple[str, ...] = ()
    schedule: tuple[str, ...] = ()
    depts: tuple[str, ...] = ()
    """Administrations a municipality would advertise this trade from (overrides the sector's)."""
    public_workplace: str | None = None
    check: str | None = None
    notes: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    """Contact titles when the sector's usual ones do not fit this trade."""
    offers: tuple[str, ...] = ()
    """Benefits of this trade, offered on top of the sector's own."""
    english: int = 0
    en: EnglishText | None = None


# ---------------------------------------------------------------------------------------
# The loaded tables.
# ---------------------------------------------------------------------------------------

# JobTech taxonomy facts (public concept ids): occupation → group from the SSYK hierarchy
# with occupations, group → field from the occupation-field listing, legacy ids from the
# taxonomy dump, labels as the current preferred labels.
_TAXONOMY = _load("taxonomy.json")
OCCUPATIONS: dict[str, dict[str, Any]] = _TAXONOMY["occupations"]
GROUPS: dict[str, dict[str, Any]] = _TAXONOMY["groups"]
FIELDS: dict[str, dict[str, Any]] = _TAXONOMY["fields"]
REGIONS: dict[str, dict[str, Any]] = _TAXONOMY["regions"]
COUNTRY: dict[str, str] = _TAXONOMY["country"]
SKILLS: dict[str, dict[str, Any]] = _TAXONOMY["skills"]
DRIVING_LICENSES: dict[str, dict[str, Any]] = _TAXONOMY["driving_licenses"]
MUNICIPALITIES: tuple[Municipality, ...] = tuple(Municipality(**m) for m in _TAXONOMY["municipalities"])
MUNICIPALITY_BY_NAME: dict[str, Municipality] = {m.name: m for m in MUNICIPALITIES}

# The small enumerations, labelled as JobSearch labels them today. ``Terms`` holds these very
# objects, so the text can tell full time from part time by identity.
_CONCEPTS: dict[str, dict[str, Any]] = _TAXONOMY["concepts"]
EMPLOYMENT_REGULAR = _CONCEPTS["employment_regular"]
EMPLOYMENT_ON_CALL = _CONCEPTS["employment_on_call"]
SALARY_FIXED = _CONCEPTS["salary_fixed"]
SALARY_MIXED = _CONCEPTS["salary_mixed"]
SALARY_COMMISSION = _CONCEPTS["salary_commission"]
DURATION_PERMANENT = _CONCEPTS["duration_permanent"]
DURATION_6M_PLUS = _CONCEPTS["duration_6m_plus"]
DURATION_3_6M = _CONCEPTS["duration_3_6m"]
FULL_TIME = _CONCEPTS["full_time"]
PART_TIME = _CONCEPTS["part_time"]
SWEDISH = _CONCEPTS["swedish"]
ENGLISH = _CONCEPTS["english"]

SECTORS: dict[str, Sector] = {key: Sector(**fields) for key, fields in _load("sectors.json").items()}


def _field_label(occupation_id: str) -> str:
    return FIELDS[GROUPS[OCCUPATIONS[occupation_id]["group"]]["field"]]["label"]


def _profiles(by_field: dict[str, tuple[dict[str, Any], ...]]) -> tuple[Profile, ...]:
    """The profiles in file order (the order the random draws follow). The file groups them
    under their occupation field's label for the reader; checked here, so that the grouping
    cannot drift from the taxonomy."""
    profiles = []
    for label, group in by_field.items():
        for fields in group:
            en = fields.get("en")
            profile = Profile(**{**fields, "en": EnglishText(**en) if en else None})
            if _field_label(profile.occupation) != label:
                raise ValueError(f"profile {profile.occupation} is filed under {label!r}")
            profiles.append(profile)
    return tuple(profiles)


PROFILES: tuple[Profile, ...] = _profiles(_load("profiles.json"))

# Generic phrase pools, Swedish and English. Ads are assembled from these plus the
# occupation's own pools, with independent choices per section so that two ads for the same
# occupation differ in wording, order and structure like real Platsbanken ads do.
_PHRASES = _load("phrases.json")
SV: dict[str, Any] = _PHRASES["sv"]
EN: dict[str, Any] = _PHRASES["en"]
_PEOPLE = _load("people.json")
FIRST_NAMES: tuple[str, ...] = _PEOPLE["first_names"]
LAST_NAMES: tuple[str, ...] = _PEOPLE["last_names"]
STREETS: tuple[str, ...] = _PEOPLE["streets"]


# ---------------------------------------------------------------------------------------
# Assembly.
# ---------------------------------------------------------------------------------------

SOURCE_TYPES = (("VIA_PLATSBANKEN_DXA", 70), ("VIA_ANNONSERA", 25), ("VIA_AF_FORMULAR", 5))
_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u", "ć": "c", "æ": "ae", "ø": "o"})

Block = tuple[str, Any]
"""("h", heading) | ("p", paragraph) | ("ul", [items]) — rendered both as text and as HTML."""


def _weighted(rng: random.Random, options: Sequence[tuple[Any, float]]) -> Any:
    values = [value for value, _ in options]
    weights = [weight for _, weight in options]
    return rng.choices(values, weights=weights, k=1)[0]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    """Lower-case a title for use mid-sentence, but keep acronyms ("CTO", "HR-partner")."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _join(items: Sequence[str], word: str = "och") -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def _fold(text: str) -> str:
    """ASCII form of a name for e-mail addresses and URL paths."""
    folded = text.lower().translate(_FOLD)
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in ".-") else "-" for ch in folded).strip("-")


def _slug(text: str) -> str:
    parts = [p for p in _fold(text.replace(" ", "-")).split("-") if p]
    return "-".join(parts)


def _digest(text: str) -> int:
    """A stable number from a text (Python's ``hash`` is salted per process)."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def _luhn_digit(nine: str) -> int:
    total = 0
    for i, ch in enumerate(nine):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10


def fake_org_number(prefix: str, name: str) -> str:
    """A realistic-looking organisation number whose check digit is deliberately wrong.

    Real Swedish organisation numbers end in a Luhn check digit; with a wrong one this can
    never be a real organisation's number, whatever the prefix.
    """
    number = _digest(name)
    body = (prefix + f"{number:020d}")[:9]
    correct = _luhn_digit(body)
    wrong = (correct + 1 + number % 9) % 10
    return body + str(wrong)


def _nice_number(rng: random.Random, low: int, high: int) -> int:
    n = rng.randint(low, high)
    if n >= 1000:
        return round(n, -2)
    if n >= 100:
        return round(n, -1)
    return n


@dataclass(frozen=True, slots=True)
class Employer:
    """An employer as it appears in one ad."""

    name: str
    short: str
    workplace: str
    org_number: str
    domain: str
    kind: str
    dept: str = ""


def _make_employer(rng: random.Random, sector: Sector, profile: Profile, muni: Municipality) -> Employer:
    town = muni.city
    if sector.kind == "region":
        name = REGIONS[muni.region_id]["employer"]
        workplace = profile.public_workplace.format(town=town) if profile.public_workplace else name
        return Employer(name, name, workplace, fake_org_number("232100", name), "example.org", "region")
    if sector.kind == "kommun":
        name = muni.employer
        dept = rng.choice(profile.depts or sector.depts)
        return Employer(
            name, name, f"{name}, {dept}", fake_org_number("212000", name), "example.org", "kommun", dept
        )
    name = rng.choice(sector.names)
    if sector.kind == "military":
        return Employer(name, name, name, fake_org_number("202100", name), "example.org", "military")
    short = name.removesuffix(" AB").removesuffix(" KB")
    return Employer(name, short, short, fake_org_number("559", name), "example.com", "private")


def _pick_municipality(rng: random.Random, profile: Profile, unused: list[str]) -> Municipality:
    """Where the job is. ``unused`` lists municipalities without an ad yet: trades that can be
    anywhere sometimes take one of those, so every municipality in the table gets ads."""
    if isinstance(profile.places, tuple):
        return MUNICIPALITY_BY_NAME[rng.choice(profile.places)]
    if profile.places == "any" and unused and rng.random() < 0.4:
        return MUNICIPALITY_BY_NAME[unused[rng.randrange(len(unused))]]
    if profile.places == "city":
        pool = [(m, m.weight**1.5) for m in MUNICIPALITIES if m.weight >= 1.5]
    elif profile.places == "rural":
        pool = [(m, 1.0) for m in MUNICIPALITIES if m.weight <= 1.0]
    else:
        pool = [(m, m.weight) for m in MUNICIPALITIES]
    return _weighted(rng, pool)


def _pick_days_ago(rng: random.Random) -> int:
    """How many days before the reference date an ad was published: recent days and weekdays
    are likelier, as on Platsbanken."""
    options = []
    for k in range(MAX_PAST_DAYS + 1):
        day = REFERENCE_DATE - timedelta(days=k)
        options.append((k, (1.0 if day.weekday() < 5 else 0.25) * (1.0 - k / 40)))
    return _weighted(rng, options)


def _local(d: date, t: time) -> str:
    return datetime.combine(d, t).strftime("%Y-%m-%dT%H:%M:%S")


def _epoch_ms(d: date, t: time) -> int:
    aware = datetime.combine(d, t, tzinfo=STOCKHOLM).astimezone(UTC)
    return int(aware.timestamp()) * 1000


def _concept(cid: str, label: str, legacy: str | None) -> dict[str, Any]:
    return {"concept_id": cid, "label": label, "legacy_ams_taxonomy_id": legacy}


def _skill(label: str, weight: int) -> dict[str, Any]:
    skill = SKILLS[label]
    return {"weight": weight, **_concept(skill["concept_id"], label, skill["legacy_id"])}


def _weighted_concept(concept: dict[str, Any], weight: int) -> dict[str, Any]:
    return {"weight": weight, **concept}


def _occupation_concepts(occupation_id: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    occupation = OCCUPATIONS[occupation_id]
    group = GROUPS[occupation["group"]]
    field_ = FIELDS[group["field"]]
    return (
        _concept(occupation_id, occupation["label"], occupation["legacy_id"]),
        _concept(occupation["group"], group["label"], group["ssyk"]),
        _concept(group["field"], field_["label"], field_["legacy_id"]),
    )


@dataclass(slots=True)
class Terms:
    """Employment form of one ad, in schema concepts and in words."""

    employment_type: dict[str, Any]
    duration: dict[str, Any] | None
    hours: dict[str, Any]
    scope: dict[str, int | None]
    salary_type: dict[str, Any]
    salary_kind: str
    months: int = 0
    permanent: bool = False
    on_call: bool = False


def _make_terms(rng: random.Random, profile: Profile) -> Terms:
    r = rng.random()
    on_call = r < profile.on_call
    temp = not on_call and r < profile.on_call + profile.temp
    part = profile.hours == "part" or (profile.hours == "mixed" and rng.random() < 0.35)
    salary_type = {"fixed": SALARY_FIXED, "mixed": SALARY_MIXED, "commission": SALARY_COMMISSION}[profile.pay]
    if on_call:
        return Terms(
            EMPLOYMENT_ON_CALL,
            None,
            PART_TIME,
            {"min": 0, "max": 100},
            salary_type,
            "hourly" if profile.pay == "fixed" else profile.pay,
            on_call=True,
        )
    hours = PART_TIME if part else FULL_TIME
    pct = rng.choice((50, 60, 75, 80, 90)) if part else 100
    scope: dict[str, int | None] = {"min": pct, "max": pct}
    if temp:
        months = rng.choice((3, 4, 5, 6, 9, 12, 12))
        duration = DURATION_6M_PLUS if months >= 6 else DURATION_3_6M
        return Terms(EMPLOYMENT_REGULAR, duration, hours, scope, salary_type, profile.pay, months=months)
    return Terms(
        EMPLOYMENT_REGULAR, DURATION_PERMANENT, hours, scope, salary_type, profile.pay, permanent=True
    )


# ---- text --------------------------------------------------------------------------------


@dataclass(slots=True)
class Facts:
    """Everything the text of one ad may mention."""

    english: bool
    profile: Profile
    sector: Sector
    employer: Employer
    muni: Municipality
    unit: str
    noun: str
    terms: Terms
    license: str | None
    contact_name: str
    contact_role: str
    contact_phone: str
    contact_email: str
    apply_url: str | None
    apply_email: str | None
    via_af: bool
    reference: str
    salary_text: str
    start: int
    """Index into the start-date phrases, so text and ``conditions`` agree."""


def _fmt(template: str, facts: Facts, **extra: str) -> str:
    values = {
        "town": facts.muni.city,
        "employer": facts.employer.name,
        "short": facts.employer.short,
        "lan": REGIONS[facts.muni.region_id]["label"],
        "dept": facts.employer.dept,
        "noun": facts.noun,
        "unit": facts.unit,
    }
    values.update(extra)
    return template.format(**values)


def _pick(rng: random.Random, pool: Sequence[str], low: int, high: int) -> list[str]:
    """A random selection of ``low``..``high`` items (clamped to the pool), in random order."""
    low = min(low, len(pool))
    high = max(low, min(high, len(pool)))
    return rng.sample(list(pool), rng.randint(low, high))


def _intro(rng: random.Random, facts: Facts) -> str:
    sector, employer = facts.sector, facts.employer
    n = _nice_number(rng, *sector.size)
    if employer.kind == "kommun":
        n = _nice_number(rng, 800, int(900 + facts.muni.weight * 2500))
    n_text = f"{n:,}".replace(",", " ")
    if facts.english:
        template = rng.choice(EN["private_intros"])
        text = _fmt(
            template,
            facts,
            business=rng.choice(sector.business_en),
            year=str(rng.randint(1965, 2019)),
            n=n_text,
            loc=_fmt(rng.choice(EN["loc"]), facts),
            adj=rng.choice(EN["adj"]),
            belief=rng.choice(EN["belief"]),
            value=rng.choice(sector.values_en),
        )
        extra = [v for v in sector.values_en if v not in text]
    else:
        if employer.kind == "region":
            template = rng.choice(SV["region_intros"])
        elif employer.kind == "kommun":
            template = rng.choice(SV["kommun_intros"])
        elif employer.kind == "military":
            template = rng.choice(SV["military_intros"])
        else:
            template = rng.choice(SV["private_intros"])
        business = rng.choice(sector.business) if sector.business else ""
        text = _fmt(
            template,
            facts,
            business=business,
            year=str(rng.randint(1965, 2019)),
            n=n_text,
            loc=_fmt(rng.choice(SV["loc"]), facts),
            adj=rng.choice(SV["adj"]),
            belief=rng.choice(SV["belief"]),
            value=rng.choice(sector.values) if sector.values else "",
        )
        extra = [v for v in sector.values if v not in text]
    if extra and rng.random() < 0.6:
        text += " " + rng.choice(extra)
    return text.strip()


def _render(blocks: list[Block], bullet: str) -> tuple[str, str]:
    """Plain text (as ``description.text``) and simple HTML (as ``text_formatted``).

    In the text a heading sits directly above its content and sections are separated by a
    blank line, which is how Platsbanken ads read when their HTML is stripped.
    """
    lines: list[str] = []
    html_parts: list[str] = []
    prev = ""
    for kind, content in blocks:
        tight = prev == "h" or (prev == "p" and kind == "ul" and lines[-1].endswith(":"))
        if lines and not tight:
            lines.append("")
        if kind == "h":
            lines.append(content)
            html_parts.append(f"<p><strong>{html.escape(content, quote=False)}</strong></p>")
        elif kind == "p":
            lines.append(content)
            html_parts.append(f"<p>{html.escape(content, quote=False)}</p>")
        else:
            lines.extend(f"{bullet} {item}" for item in content)
            items = "".join(f"<li>{html.escape(item, quote=False)}</li>" for item in content)
            html_parts.append(f"<ul>{items}</ul>")
        prev = kind
    return "\n".join(lines), "".join(html_parts)


def _blocks_sv(rng: random.Random, facts: Facts, size: int) -> list[Block]:
    """Swedish ad body; ``size`` is -1 (compact), 0 (normal) or 1 (rich)."""
    p, sector = facts.profile, facts.sector
    blocks: list[Block] = []
    if rng.random() < 0.5:
        blocks.append(("h", _fmt(rng.choice(SV["h_about"]), facts)))
    blocks.append(("p", _intro(rng, facts)))

    # Om tjänsten
    blocks.append(("h", rng.choice(SV["h_role"])))
    openers = [o for o in SV["openers"] if "{unit} i {town}" not in o or "{town}" not in facts.unit]
    about = _pick(rng, p.about, 1 if size <= 0 else 2, {-1: 1, 0: 3, 1: 3}[size])
    blocks.append(("p", " ".join([_fmt(rng.choice(openers), facts)] + [_fmt(a, facts) for a in about])))
    duties = _pick(rng, p.duties, 4 + min(size, 0), 6 + size)
    if rng.random() < 0.65:
        blocks.append(("p", rng.choice(SV["duty_leads"])))
        blocks.append(("ul", [_upper_first(d) for d in duties]))
    else:
        blocks.append(("p", _fmt(rng.choice(SV["duty_sentences"]), facts, list=_join(duties))))

    # Vi söker dig som
    reqs = _pick(rng, p.reqs, 2, len(p.reqs) + min(size, 0))
    if facts.license:
        reqs.append(f"har {facts.license}-körkort")
    if not any("svensk" in r or "tal och skrift" in r for r in reqs) and rng.random() < 0.5:
        reqs.append(rng.choice(SV["language_reqs"]))
    heading = rng.choice(SV["h_profile"])
    blocks.append(("h", heading))
    if heading == "Vi söker dig som":
        blocks.append(("ul", [_upper_first(r) for r in reqs]))
    elif rng.random() < 0.5:
        blocks.append(("ul", [f"Du {r}" for r in reqs]))
    else:
        blocks.append(("p", rng.choice(SV["req_sentences"]).format(list=_join(reqs))))
    traits = rng.sample(list(p.traits or SV["traits"]), 3)
    blocks.append(
        (
            "p",
            rng.choice(SV["trait_sentences"]).format(
                a=traits[0], b=traits[1], c=traits[2], c_verb=rng.choice(SV["trait_verbs"])
            ),
        )
    )

    # Meriterande
    merits = [m for m in p.merits if not (facts.license and f"{facts.license}-körkort" in m)]
    if merits and size >= 0 and rng.random() < 0.8:
        chosen = _pick(rng, merits, 1, 3)
        heading = rng.choice(SV["h_merit"])
        if heading == "Det är meriterande om du har" or rng.random() < 0.5:
            blocks.append(("h", heading))
            blocks.append(("ul", [_upper_first(m) for m in chosen]))
        else:
            blocks.append(("p", rng.choice(SV["merit_sentences"]).format(list=_join(chosen))))

    # Vi erbjuder
    offers = _pick(rng, sector.offers + p.offers, 2, 3 + size)
    if rng.random() < 0.6:
        offers.append(rng.choice(SV["generic_offers"]))
    blocks.append(("h", rng.choice(SV["h_offer"])))
    if rng.random() < 0.5:
        blocks.append(("ul", [_upper_first(o) for o in offers]))
    else:
        blocks.append(("p", rng.choice(SV["offer_sentences"]).format(list=_join(offers))))

    # Anställningsvillkor
    blocks.append(("h", rng.choice(SV["h_terms"])))
    blocks.append(("p", _terms_sv(rng, facts)))

    # Ansökan
    blocks.append(("h", rng.choice(SV["h_apply"])))
    if facts.via_af:
        apply = "Ansök via Platsbanken."
    elif facts.apply_url:
        apply = rng.choice(SV["apply_url"])
    else:
        apply = rng.choice(SV["apply_email"]).format(email=facts.apply_email, ref=facts.reference)
    blocks.append(("p", f"{apply} {rng.choice(SV['selection'])}"))
    contact = rng.choice(SV["contact"]).format(
        role=_lower_first(facts.contact_role),
        name=facts.contact_name,
        phone=facts.contact_phone,
        email=facts.contact_email,
    )
    if sector.union and rng.random() < 0.6:
        contact += " " + sector.union
    blocks.append(("p", contact))
    tail = [t for t in (p.check or sector.check,) if t]
    if size >= 0 and rng.random() < 0.5:
        tail.append(rng.choice(SV["closing"]))
    if tail:
        blocks.append(("p", " ".join(tail)))
    return blocks


def _terms_sv(rng: random.Random, facts: Facts) -> str:
    t, p = facts.terms, facts.profile
    pct = t.scope["max"]
    if t.on_call:
        parts = ["Timanställning vid behov, främst kvällar, helger och semesterperioder."]
    elif t.permanent:
        if t.hours is FULL_TIME:
            parts = [
                rng.choice(
                    (
                        "Tillsvidareanställning på heltid.",
                        "Tillsvidareanställning, heltid 100 %.",
                        "Tjänsten är en tillsvidareanställning på heltid.",
                    )
                )
            ]
        else:
            parts = [f"Tillsvidareanställning på deltid, {pct} %."]
        if rng.random() < 0.4:
            parts.append(rng.choice(SV["probation"]))
    else:
        extent = "heltid" if t.hours is FULL_TIME else f"deltid ({pct} %)"
        if t.months >= 6:
            parts = [
                rng.choice(
                    (
                        f"Vikariat på {extent} i {t.months} månader med möjlighet till förlängning.",
                        f"Visstidsanställning på {extent} under {t.months} månader.",
                    )
                )
            ]
        else:
            parts = [f"Visstidsanställning på {extent} i {t.months} månader."]
    if p.schedule and rng.random() < 0.7:
        parts.append(rng.choice(p.schedule))
    parts.append(SV["start"][facts.start])
    if rng.random() < 0.5:
        parts.append(f"Lön: {_lower_first(facts.salary_text).rstrip('.')}.")
    parts.extend(p.notes)
    return " ".join(parts)


def _blocks_en(rng: random.Random, facts: Facts, size: int) -> list[Block]:
    """English ad body (a few Platsbanken ads are written in English)."""
    p, sector = facts.profile, facts.sector
    en = p.en
    assert en is not None
    blocks: list[Block] = []
    if rng.random() < 0.5:
        blocks.append(("h", _fmt(rng.choice(EN["h_about"]), facts)))
    blocks.append(("p", _intro(rng, facts)))
    blocks.append(("h", rng.choice(EN["h_role"])))
    a_noun = ("an " if facts.noun[:1].lower() in "aeio" else "a ") + facts.noun
    openers = [o for o in EN["openers"] if "in {town}" not in o or "{town}" not in facts.unit]
    about = _pick(rng, en.about, 1, 3 if size > 0 else 2)
    blocks.append(
        ("p", " ".join([_fmt(rng.choice(openers), facts, a_noun=a_noun)] + [_fmt(a, facts) for a in about]))
    )
    duties = _pick(rng, en.duties, 3, 5 + size)
    if rng.random() < 0.6:
        blocks.append(("p", rng.choice(EN["duty_leads"])))
        blocks.append(("ul", [_upper_first(d) for d in duties]))
    else:
        blocks.append(("p", rng.choice(EN["duty_sentences"]).format(list=_join(duties, "and"))))
    reqs = _pick(rng, en.reqs, 2, len(en.reqs))
    blocks.append(("h", rng.choice(EN["h_profile"])))
    if rng.random() < 0.5:
        blocks.append(("p", rng.choice(EN["req_bullet_lead"])))
        blocks.append(("ul", [_upper_first(r) for r in reqs]))
    else:
        blocks.append(("p", rng.choice(EN["req_sentences"]).format(list=_join(reqs, "and"))))
    traits = rng.sample(list(EN["traits"]), 3)
    blocks.append(("p", rng.choice(EN["trait_sentences"]).format(a=traits[0], b=traits[1], c=traits[2])))
    if en.merits and size >= 0 and rng.random() < 0.8:
        chosen = _pick(rng, en.merits, 1, 2)
        blocks.append(("h", rng.choice(EN["h_merit"])))
        blocks.append(("ul", [_upper_first(m) for m in chosen]))
    offers = _pick(rng, sector.offers_en, 2, 3 + size)
    if rng.random() < 0.5:
        offers.append(rng.choice(EN["generic_offers"]))
    blocks.append(("h", rng.choice(EN["h_offer"])))
    blocks.append(("p", rng.choice(EN["offer_sentences"]).format(list=_join(offers, "and"))))
    blocks.append(("h", rng.choice(EN["h_terms"])))
    t = facts.terms
    extent = "full-time" if t.hours is FULL_TIME else f"part-time ({t.scope['max']}%)"
    if t.permanent:
        terms = f"Permanent {extent} position."
    else:
        terms = f"Fixed-term {extent} position for {t.months} months, with the possibility of extension."
    terms += f" {EN['start'][facts.start % len(EN['start'])]} Salary: {facts.salary_text}."
    if p.notes:
        terms += " The position is subject to security vetting."
    blocks.append(("p", terms))
    blocks.append(("h", rng.choice(EN["h_apply"])))
    if facts.apply_url:
        apply = rng.choice(EN["apply_url"])
    else:
        apply = rng.choice(EN["apply_email"]).format(email=facts.apply_email, ref=facts.reference)
    blocks.append(("p", f"{apply} {rng.choice(EN['selection'])}"))
    blocks.append(
        (
            "p",
            rng.choice(EN["contact"]).format(
                role=_lower_first(facts.contact_role),
                name=facts.contact_name,
                phone=facts.contact_phone,
                email=facts.contact_email,
            ),
        )
    )
    if size >= 0 and rng.random() < 0.4:
        blocks.append(("p", rng.choice(EN["closing"])))
    return blocks


MIN_WORDS = 120
MAX_WORDS = 450


def _description(rng: random.Random, facts: Facts) -> tuple[str, str]:
    """Build the ad text; if it falls outside 120–450 words, rebuild it shorter or richer."""
    seed = rng.getrandbits(64)
    bullet = rng.choice(("-", "•"))
    build = _blocks_en if facts.english else _blocks_sv
    text, html_text = _render(build(random.Random(seed), facts, 0), bullet)
    words = len(text.split())
    if words > MAX_WORDS or words < MIN_WORDS:
        size = -1 if words > MAX_WORDS else 1
        text, html_text = _render(build(random.Random(seed), facts, size), bullet)
    return text, html_text


# ---- one ad ------------------------------------------------------------------------------


def _make_ad(rng: random.Random, profile: Profile, english: bool, unused: list[str]) -> dict[str, Any]:
    """One ad without its id (ids are handed out in publication order afterwards)."""
    sector_options = [(key, w) for key, w in profile.sectors if not english or SECTORS[key].business_en]
    sector_key = _weighted(rng, sector_options)
    sector = SECTORS[sector_key]
    muni = _pick_municipality(rng, profile, unused)
    if muni.name in unused:
        unused.remove(muni.name)
    employer = _make_employer(rng, sector, profile, muni)
    if english:
        assert profile.en is not None
        units, titles, noun = profile.en.units, profile.en.titles, profile.en.noun
    else:
        units = profile.units_by_sector.get(sector_key, profile.units)
        titles, noun = profile.titles, profile.noun
    town = muni.city
    unit = rng.choice(units).format(town=town)
    title = rng.choice(titles)
    terms = _make_terms(rng, profile)
    license = profile.license if profile.license and rng.random() < profile.license_share else None

    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    roles = sector.roles_en if english else (profile.roles or sector.roles)
    initials = _fold("".join(w[0] for w in employer.short.split()[:2])).upper()
    reference = f"{initials or 'REF'}-{rng.randint(1000, 9999)}"
    source_type = _weighted(rng, SOURCE_TYPES) if not english else "VIA_PLATSBANKEN_DXA"
    via_af = source_type == "VIA_AF_FORMULAR"
    apply_url = apply_email = None
    if not via_af:
        if rng.random() < 0.75:
            apply_url = f"https://{employer.domain}/jobb/{_slug(employer.short)}/{reference.lower()}"
        if apply_url is None or rng.random() < 0.2:
            apply_email = f"{rng.choice(('jobb', 'rekrytering', 'ansokan'))}@{employer.domain}"
    salary_pool = (EN if english else SV)["salary"][terms.salary_kind]
    facts = Facts(
        english=english,
        profile=profile,
        sector=sector,
        employer=employer,
        muni=muni,
        unit=unit,
        noun=noun,
        terms=terms,
        license=license,
        contact_name=f"{first} {last}",
        contact_role=rng.choice(roles),
        contact_phone=f"070-174 06 {rng.randint(5, 99):02d}",
        contact_email=f"{_fold(first)}.{_fold(last)}@{employer.domain}",
        apply_url=apply_url,
        apply_email=apply_email,
        via_af=via_af,
        reference=reference,
        salary_text=rng.choice(salary_pool),
        start=rng.randrange(len(SV["start"])),
    )
    headline = _fmt(_weighted(rng, (EN if english else SV)["headlines"]), facts, title=title)
    text, text_html = _description(rng, facts)

    occupation, group, field_ = _occupation_concepts(profile.occupation)
    experience = rng.random() < profile.experience
    if rng.random() < 0.85:
        must_skills = [_skill(s, 10) for s in _pick(rng, profile.must, 1, len(profile.must))]
        nice_skills = [_skill(s, 5) for s in _pick(rng, profile.nice, 0, 3)]
    else:
        must_skills, nice_skills = [], []
    must_lang: list[dict[str, Any]] = []
    nice_lang: list[dict[str, Any]] = []
    if english:
        must_lang.append(_weighted_concept(ENGLISH, 10))
        if rng.random() < 0.5:
            nice_lang.append(_weighted_concept(SWEDISH, 5))
    else:
        if rng.random() < 0.6:
            must_lang.append(_weighted_concept(SWEDISH, 10))
        if rng.random() < 0.2:
            nice_lang.append(_weighted_concept(ENGLISH, 5))
    work_experiences = [_weighted_concept(occupation, 10)] if experience and rng.random() < 0.7 else []

    days_ago = _pick_days_ago(rng)
    pub_day = REFERENCE_DATE - timedelta(days=days_ago)
    hour = _weighted(rng, [(h, 3.0 if 8 <= h <= 16 else 1.0) for h in range(6, 22)])
    pub_time = time(hour, rng.randint(0, 59), rng.randint(0, 59))
    open_days = rng.randint(max(14, days_ago + MIN_REMAINING_DAYS), 42)
    last_day = pub_day + timedelta(days=open_days)
    last = _local(last_day, time(23, 59, 59))

    street = None
    if rng.random() < 0.35:
        street = f"{rng.choice(STREETS)} {rng.randint(1, 60)}"
    coordinates = [
        round(muni.lon + rng.uniform(-0.012, 0.012), 6),
        round(muni.lat + rng.uniform(-0.006, 0.006), 6),
    ]
    region = REGIONS[muni.region_id]
    contacts = []
    if rng.random() < 0.75:
        contacts.append(
            {
                "name": facts.contact_name,
                "description": facts.contact_role,
                "email": facts.contact_email,
                "telephone": facts.contact_phone,
                "contact_type": None,
            }
        )
    vacancies = rng.randint(2, 4) if title in SV["plural_titles"] else (1 if rng.random() < 0.88 else 2)
    start = SV["start"][facts.start].rstrip(".")
    if terms.on_call:
        duration_word = "Timanställning"
    elif terms.permanent:
        duration_word = "Tillsvidare"
    else:
        duration_word = f"Visstid {terms.months} månader"
    conditions = f"{duration_word}, {terms.scope['max']}%, {start}"

    return {
        "id": "",
        "external_id": None,
        "original_id": None,
        "label": [],
        "webpage_url": "",
        "logo_url": None,
        "headline": headline,
        "application_deadline": last,
        "number_of_vacancies": vacancies,
        "description": {
            "text": text,
            "text_formatted": text_html,
            "company_information": None,
            "needs": None,
            "requirements": None,
            "conditions": conditions,
        },
        "employment_type": dict(terms.employment_type),
        "salary_type": dict(terms.salary_type),
        "salary_description": _upper_first(facts.salary_text),
        "duration": dict(terms.duration) if terms.duration else None,
        "working_hours_type": dict(terms.hours),
        "scope_of_work": terms.scope,
        "access": None,
        "employer": {
            "phone_number": None,
            "email": None,
            "url": f"https://{employer.domain}/{_slug(employer.short)}" if rng.random() < 0.5 else None,
            "organization_number": employer.org_number,
            "name": employer.name,
            "workplace": employer.workplace,
        },
        "application_details": {
            "information": None,
            "reference": reference,
            "email": apply_email,
            "via_af": via_af,
            "url": apply_url,
            "other": None,
        },
        "experience_required": experience,
        "access_to_own_car": False,
        "driving_license_required": license is not None,
        "driving_license": [dict(DRIVING_LICENSES[license])] if license else None,
        "occupation": occupation,
        "occupation_group": group,
        "occupation_field": field_,
        "workplace_address": {
            "municipality": muni.name,
            "municipality_code": muni.code,
            "municipality_concept_id": muni.concept_id,
            "region": region["label"],
            "region_code": region["code"],
            "region_concept_id": muni.region_id,
            "country": COUNTRY["label"],
            "country_code": COUNTRY["code"],
            "country_concept_id": COUNTRY["concept_id"],
            "street_address": street,
            "postcode": None,
            "city": town if street else None,
            "coordinates": coordinates,
        },
        "must_have": {
            "skills": must_skills,
            "languages": must_lang,
            "work_experiences": work_experiences,
            "education": [],
            "education_level": [],
        },
        "nice_to_have": {
            "skills": nice_skills,
            "languages": nice_lang,
            "work_experiences": [],
            "education": [],
            "education_level": [],
        },
        "application_contacts": contacts,
        "publication_date": _local(pub_day, pub_time),
        "last_publication_date": last,
        "removed": False,
        "removed_date": None,
        "source_type": source_type,
        "timestamp": _epoch_ms(pub_day, pub_time) + rng.randint(0, 999),
    }


def build_ads() -> list[dict[str, Any]]:
    """All demo ads, in id order; the same list on every run."""
    rng = random.Random(SEED)
    drafts: list[dict[str, Any]] = []
    unused = [m.name for m in MUNICIPALITIES]
    for profile in PROFILES:
        for i in range(profile.count):
            drafts.append(_make_ad(rng, profile, english=i < profile.english, unused=unused))
    # The newest ad must be published on the reference date (the loader maps that date to today).
    if not any(d["publication_date"].startswith(REFERENCE_DATE.isoformat()) for d in drafts):
        raise AssertionError("no ad on the reference date; change SEED")
    order = sorted(range(len(drafts)), key=lambda i: (drafts[i]["publication_date"], i))
    ads: list[dict[str, Any]] = []
    for n, i in enumerate(order):
        ad = drafts[i]
        ad_id = str(FIRST_ID + n)
        ad["id"] = ad_id
        ad["webpage_url"] = f"https://arbetsformedlingen.se/platsbanken/annonser/{ad_id}"
        ads.append(ad)
    return ads


def encode_ads(ads: Sequence[dict[str, Any]]) -> bytes:
    """JSON Lines, gzip-compressed with a fixed header (no name, no timestamp) for stable bytes."""
    payload = "".join(json.dumps(ad, ensure_ascii=False, separators=(",", ":")) + "\n" for ad in ads)
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(payload.encode("utf-8"))
    return buf.getvalue()


def meta_for(ads: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {
        "format": FORMAT_VERSION,
        "reference_date": REFERENCE_DATE.isoformat(),
        "timezone": "Europe/Stockholm",
        "ad_count": len(ads),
        "first_id": ads[0]["id"],
        "last_id": ads[-1]["id"],
        "seed": SEED,
        "generator": "scripts/make_demo_ads.py",
    }


def write_demo_data(out_dir: Path) -> tuple[Path, Path]:
    """Write ``demo_ads.jsonl.gz`` and ``demo_meta.json`` into ``out_dir``."""
    ads = build_ads()
    out_dir.mkdir(parents=True, exist_ok=True)
    ads_path = out_dir / ADS_FILE
    meta_path = out_dir / META_FILE
    ads_path.write_bytes(encode_ads(ads))
    meta_path.write_text(json.dumps(meta_for(ads), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return ads_path, meta_path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=DEFAULT_OUT_DIR,
        help="where to write the files (default: the package's demo_data folder)",
    )
    args = parser.parse_args(argv)
    ads_path, _ = write_demo_data(args.out_dir)
    ads = build_ads()
    fields = {ad["occupation_field"]["concept_id"] for ad in ads}
    occupations = {ad["occupation"]["concept_id"] for ad in ads}
    munis = {ad["workplace_address"]["municipality_concept_id"] for ad in ads}
    regions = {ad["workplace_address"]["region_concept_id"] for ad in ads}
    print(
        f"{len(ads)} ads, {len(occupations)} occupations, {len(fields)} occupation fields, "
        f"{len(munis)} municipalities, {len(regions)} regions -> {ads_path} "
        f"({ads_path.stat().st_size / 1024:.0f} KiB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
