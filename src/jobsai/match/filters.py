"""Turn what a person types as a filter ("Göteborg", "Data/IT") into taxonomy concept ids.

Names are resolved against the concepts that live ads actually carry (so the choices are
always real and current); a concept id is accepted as is. Matching is case- and
accent-insensitive, and an unknown name gets suggestions instead of an empty result.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from jobsai.errors import UnknownFilterValueError
from jobsai.index.base import SearchFilter
from jobsai.store.ads import ConceptKind, distinct_concepts


@dataclass(frozen=True, slots=True)
class FilterRequest:
    municipalities: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    occupation_fields: tuple[str, ...] = ()
    employment_types: tuple[str, ...] = ()
    working_hours_types: tuple[str, ...] = ()
    published_after: datetime | None = None


_KINDS: tuple[tuple[str, ConceptKind, str], ...] = (
    ("municipalities", "municipality", "municipality"),
    ("regions", "region", "region"),
    ("occupation_fields", "occupation_field", "occupation field"),
    ("employment_types", "employment_type", "employment type"),
    ("working_hours_types", "working_hours_type", "working-hours type"),
)


def _norm(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in folded if c.isalnum())


def _variants(label: str) -> set[str]:
    """'Stockholms län' is also 'Stockholm'; 'Göteborg' also 'goteborg'."""
    base = _norm(label)
    out = {base}
    for suffix in ("slan", "lan", "skommun", "kommun"):
        if base.endswith(suffix) and len(base) > len(suffix) + 2:
            out.add(base[: -len(suffix)])
    return out


def resolve_values(conn: Connection, kind: ConceptKind, values: tuple[str, ...], what: str) -> tuple[str, ...]:
    if not values:
        return ()
    concepts = distinct_concepts(conn, kind)
    by_id = {c.concept_id for c in concepts}
    by_name: dict[str, str] = {}
    for c in concepts:
        for v in _variants(c.label):
            by_name.setdefault(v, c.concept_id)
    out: list[str] = []
    for value in values:
        if value in by_id:
            out.append(value)
            continue
        cid = by_name.get(_norm(value))
        if cid is None:
            labels = [c.label for c in concepts if c.label]
            close = difflib.get_close_matches(value, labels, n=3, cutoff=0.6)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise UnknownFilterValueError(f"No live ad has the {what} {value!r}.{hint}")
        out.append(cid)
    return tuple(dict.fromkeys(out))


def resolve_filter(conn: Connection, request: FilterRequest) -> SearchFilter:
    """A SearchFilter of concept ids; raises UnknownFilterValueError for names no ad has."""
    resolved = {
        attr: resolve_values(conn, kind, getattr(request, attr), what) for attr, kind, what in _KINDS
    }
    return SearchFilter(published_after=request.published_after, **resolved)
