"""Turn what a person types as a filter ("Göteborg", "Data/IT") into taxonomy concept ids.

Names are resolved against the concepts that live ads actually carry (so the choices are
always real and current); a concept id is accepted as is. Matching is case- and
accent-insensitive, and an unknown name gets suggestions instead of an empty result.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from jobsai.errors import UnknownFilterValueError
from jobsai.index.base import SearchFilter
from jobsai.index.filters import FILTERS_BY_NAME, PUBLISHED_WITHIN, ConceptValues, published_after
from jobsai.store.ads import ConceptKind, distinct_concepts


class FilterInput(ConceptValues):
    """Filters as a person gives them (API, CLI, UI): names or concept ids by filter name, OR within a
    filter, and "published within N days". ``FilterInput(municipalities=("Göteborg",), published_within_days=7)``.
    """

    __slots__ = ("published_within_days",)

    def __init__(self, *, published_within_days: int | None = None, **values: Iterable[str]) -> None:
        super().__init__(values)
        self.published_within_days = published_within_days or None

    def _key(self) -> tuple[object, ...]:
        return (*super()._key(), self.published_within_days)

    def __repr__(self) -> str:
        return f"FilterInput({self.as_json()!r})"

    def as_json(self) -> dict[str, Any]:
        """What is stored with feedback: only the filters that were set."""
        out: dict[str, Any] = {name: list(values) for name, values in self.concepts.items()}
        if self.published_within_days:
            out[PUBLISHED_WITHIN] = self.published_within_days
        return out


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


def resolve_filter(conn: Connection, request: FilterInput, now: datetime | None = None) -> SearchFilter:
    """A SearchFilter of concept ids; raises UnknownFilterValueError for names no ad has."""
    resolved = {
        name: resolve_values(conn, FILTERS_BY_NAME[name].kind, values, FILTERS_BY_NAME[name].what)
        for name, values in request.concepts.items()
    }
    return SearchFilter(published_after=published_after(request.published_within_days, now), **resolved)
