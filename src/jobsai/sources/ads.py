"""Typed job ads parsed from the JobTech JSON schema, tolerant of every variant seen (2018–2026).

Matching and filtering use taxonomy ``concept_id``s only; labels are kept for display.
"""

from __future__ import annotations

import ast
import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jobsai.errors import AdParseError
from jobsai.timeutil import from_epoch_ms, parse_local

PLATSBANKEN_URL = "https://arbetsformedlingen.se/platsbanken/annonser/{id}"


@dataclass(frozen=True, slots=True)
class Concept:
    """A taxonomy concept: the id is what we match on, the label is for people."""

    concept_id: str
    label: str = ""


@dataclass(frozen=True, slots=True)
class Ad:
    """One live job ad. ``raw`` is the JSON exactly as received (kept in the store)."""

    id: str
    headline: str
    description: str
    description_html: str | None
    employer_name: str | None
    employer_workplace: str | None
    occupation: Concept | None
    occupation_group: Concept | None
    occupation_field: Concept | None
    employment_type: Concept | None
    working_hours_type: Concept | None
    duration: Concept | None
    municipality: Concept | None
    region: Concept | None
    country: Concept | None
    coordinates: tuple[float, float] | None
    """(lat, lon); JobTech sends ``[lon, lat]``."""
    skills: tuple[Concept, ...]
    languages: tuple[Concept, ...]
    labels: tuple[str, ...]
    publication_date: datetime | None
    last_publication_date: datetime | None
    application_deadline: datetime | None
    updated_at: datetime | None
    webpage_url: str
    application_url: str | None
    application_email: str | None
    conditions: str | None
    salary_description: str | None
    raw: dict[str, Any] = field(repr=False, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class RemovedAd:
    """A removal event from JobStream: the ad is gone from Platsbanken."""

    id: str
    removed_at: datetime | None


def _opt_str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise AdParseError(f"expected a string, got {type(value).__name__}")
    value = value.strip()
    return value or None


def _concept(value: Any) -> Concept | None:
    """A concept object, or (in removal records) a bare concept-id string."""
    if value is None:
        return None
    if isinstance(value, str):
        return Concept(value) if value.strip() else None
    if not isinstance(value, dict):
        raise AdParseError(f"expected a taxonomy concept, got {type(value).__name__}")
    cid = value.get("concept_id")
    if not cid:
        return None
    return Concept(str(cid), _opt_str(value.get("label")) or "")


def _concepts(items: Any) -> list[Concept]:
    if not items:
        return []
    if not isinstance(items, list):
        raise AdParseError("expected a list of taxonomy concepts")
    return [c for c in (_concept(i) for i in items) if c is not None]


def _flat_concept(addr: dict[str, Any], key: str) -> Concept | None:
    cid = addr.get(f"{key}_concept_id")
    if not cid:
        return None
    return Concept(str(cid), _opt_str(addr.get(key)) or "")


def _labels(value: Any) -> tuple[str, ...]:
    """``label`` is a list, or that list serialised as a string ("[]", "['nystartsjobb']")."""
    if value is None:
        return ()
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return ()
        try:
            value = json.loads(text)
        except ValueError:
            try:
                value = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                return (text,)
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value if v not in (None, ""))
    return (str(value),)


def _coordinates(value: Any) -> tuple[float, float] | None:
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        return None
    lon, lat = value
    if lon is None or lat is None or isinstance(lon, bool) or isinstance(lat, bool):
        return None
    try:
        flat, flon = float(lat), float(lon)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(flat) and math.isfinite(flon) and -90 <= flat <= 90 and -180 <= flon <= 180):
        return None
    return (flat, flon)


def _date(value: Any, name: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise AdParseError(f"{name} is not a date string")
    try:
        return parse_local(value)
    except (ValueError, OverflowError) as exc:
        raise AdParseError(f"{name} is not a valid date: {value!r}") from exc


def _dict(value: Any, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise AdParseError(f"{name} is not an object")
    return value


def ad_id_of(obj: Any) -> str:
    """The ad's id as a string (ids are strings; some old records carry integers)."""
    if not isinstance(obj, dict):
        raise AdParseError(f"an ad must be a JSON object, got {type(obj).__name__}")
    raw_id = obj.get("id")
    if raw_id is None or isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)):
        raise AdParseError("missing or invalid 'id'")
    text = str(raw_id).strip()
    if not text:
        raise AdParseError("empty 'id'")
    return text


def parse_item(obj: Any) -> Ad | RemovedAd:
    """Parse one JobStream/JobSearch record into an :class:`Ad` or a :class:`RemovedAd`.

    Raises :class:`AdParseError` with a short reason when the record is malformed, so the
    caller can skip it, log the reason and count it while the rest of the batch goes in.
    """
    ad_id = ad_id_of(obj)
    try:
        if obj.get("removed") is True:
            return RemovedAd(ad_id, _date(obj.get("removed_date"), "removed_date"))
        return _parse_ad(ad_id, obj)
    except AdParseError as exc:
        raise AdParseError(f"ad {ad_id}: {exc}") from exc
    except (TypeError, ValueError, AttributeError, OverflowError, OSError) as exc:
        # OverflowError/OSError: dates or epoch timestamps outside what datetime can hold.
        raise AdParseError(f"ad {ad_id}: malformed ({exc})") from exc


def _parse_ad(ad_id: str, obj: dict[str, Any]) -> Ad:
    headline = _opt_str(obj.get("headline"))
    if not headline:
        raise AdParseError("missing headline")
    desc = _dict(obj.get("description"), "description")
    employer = _dict(obj.get("employer"), "employer")
    addr = _dict(obj.get("workplace_address"), "workplace_address")
    if not addr:
        addrs = obj.get("workplace_addresses")
        if isinstance(addrs, list) and addrs and isinstance(addrs[0], dict):
            addr = addrs[0]
    must = _dict(obj.get("must_have"), "must_have")
    nice = _dict(obj.get("nice_to_have"), "nice_to_have")
    app = _dict(obj.get("application_details"), "application_details")
    timestamp = obj.get("timestamp")
    if timestamp is not None and (isinstance(timestamp, bool) or not isinstance(timestamp, (int, float))):
        raise AdParseError("timestamp is not a number")
    skills = _concepts(must.get("skills")) + _concepts(nice.get("skills"))
    languages = _concepts(must.get("languages")) + _concepts(nice.get("languages"))
    return Ad(
        id=ad_id,
        headline=headline,
        description=_opt_str(desc.get("text")) or "",
        description_html=_opt_str(desc.get("text_formatted")),
        employer_name=_opt_str(employer.get("name")),
        employer_workplace=_opt_str(employer.get("workplace")),
        occupation=_concept(obj.get("occupation")),
        occupation_group=_concept(obj.get("occupation_group")),
        occupation_field=_concept(obj.get("occupation_field")),
        employment_type=_concept(obj.get("employment_type")),
        working_hours_type=_concept(obj.get("working_hours_type")),
        duration=_concept(obj.get("duration")),
        municipality=_flat_concept(addr, "municipality"),
        region=_flat_concept(addr, "region"),
        country=_flat_concept(addr, "country"),
        coordinates=_coordinates(addr.get("coordinates")),
        skills=tuple(dict.fromkeys(skills)),
        languages=tuple(dict.fromkeys(languages)),
        labels=_labels(obj.get("label")),
        publication_date=_date(obj.get("publication_date"), "publication_date"),
        last_publication_date=_date(obj.get("last_publication_date"), "last_publication_date"),
        application_deadline=_date(obj.get("application_deadline"), "application_deadline"),
        updated_at=from_epoch_ms(timestamp),
        webpage_url=_opt_str(obj.get("webpage_url")) or PLATSBANKEN_URL.format(id=ad_id),
        application_url=_opt_str(app.get("url")),
        application_email=_opt_str(app.get("email")),
        conditions=_opt_str(desc.get("conditions")),
        salary_description=_opt_str(obj.get("salary_description")),
        raw=obj,
    )
