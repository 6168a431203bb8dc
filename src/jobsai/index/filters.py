"""The filter vocabulary, declared once: every filter's name, payload key, concept kind and labels.

Why one table: the index's conditions, the resolver of names (``match.filters``), the HTTP API's
models, the CLI's options and the UI's dropdowns are all derived from :data:`FILTERS`, so adding
a filter on a concept the ads already carry is one entry here (and its test). It sits in
``index/`` because the index is the lowest layer that applies filters; it depends on nothing
above ``store``.

A filter's values are taxonomy concept ids once resolved (OR within a filter, AND across
filters); "published within N days" is the one filter that is not a concept, and
:func:`published_after` is the one place that turns it into a date.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from jobsai.store.ads import ConceptKind
from jobsai.timeutil import utcnow


@dataclass(frozen=True, slots=True)
class ConceptFilter:
    """One filter on a taxonomy concept an ad carries (its municipality, its employment type …)."""

    name: str
    """What the API, the CLI's JSON, feedback rows and :class:`~jobsai.index.base.SearchFilter` call it."""
    kind: ConceptKind
    """The concept: the ``Ad`` attribute, the store's columns and the index's payload key all use this name."""
    option: str
    """The CLI option (``--<option>``, repeatable) and the UI dropdown's ``filter-<option>`` element id."""
    what: str
    """The concept in an English sentence ("No live ad has the <what> 'X'")."""
    label_sv: str
    label_en: str
    help: str = ""
    """The CLI option's help text (default: the English label)."""
    public: bool = True
    """Offered to people (API, CLI, UI). False: the index applies it, nothing asks for it yet."""

    @property
    def payload_key(self) -> str:
        """The index payload field holding the ad's concept id."""
        return self.kind

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_sv


FILTERS: tuple[ConceptFilter, ...] = (
    ConceptFilter("municipalities", "municipality", "municipality", "municipality", "Kommun", "Municipality",
                  help="Municipality name or concept id."),
    ConceptFilter("regions", "region", "region", "region", "Län", "Region (county)",
                  help="Region (län) name or concept id."),
    ConceptFilter("occupation_fields", "occupation_field", "occupation-field", "occupation field", "Yrkesområde",
                  "Occupation field"),
    ConceptFilter("employment_types", "employment_type", "employment-type", "employment type", "Anställningsform",
                  "Employment type"),
    ConceptFilter("working_hours", "working_hours_type", "working-hours", "working-hours type", "Arbetstid",
                  "Working hours", help="Working hours (Heltid, Deltid)."),
    ConceptFilter("occupations", "occupation", "occupation", "occupation", "Yrke", "Occupation", public=False),
    ConceptFilter("occupation_groups", "occupation_group", "occupation-group", "occupation group", "Yrkesgrupp",
                  "Occupation group", public=False),
)
"""Every filter, in the order the API, the CLI and the UI list them."""

PUBLIC_FILTERS: tuple[ConceptFilter, ...] = tuple(f for f in FILTERS if f.public)
FILTERS_BY_NAME: Mapping[str, ConceptFilter] = {f.name: f for f in FILTERS}

PUBLISHED_WITHIN = "published_within_days"
"""The name of the one filter that is not a concept: only ads published in the last N days."""
MAX_PUBLISHED_WITHIN_DAYS = 365
PUBLISHED_WITHIN_LABELS = {"sv": "Publicerad", "en": "Published"}


def published_after(days: int | None, now: datetime | None = None) -> datetime | None:
    """The instant "published within ``days`` days" starts at (None, or 0: any time)."""
    if not days:
        return None
    return (now or utcnow()) - timedelta(days=days)


class ConceptValues:
    """Values by filter name, checked against :data:`FILTERS`: the base of a filter as a person gives it
    (``match.filters.FilterInput``: names) and as the index applies it (``index.base.SearchFilter``: ids)."""

    __slots__ = ("concepts",)

    def __init__(self, values: Mapping[str, Iterable[str] | None]) -> None:
        self.concepts: Mapping[str, tuple[str, ...]] = concept_values(values, type(self).__name__)

    def _key(self) -> tuple[object, ...]:
        """What equality and the hash compare (a subclass adds its other fields)."""
        return (tuple(self.concepts.items()),)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, ConceptValues)
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())


def concept_values(values: Mapping[str, Iterable[str] | None], owner: str) -> dict[str, tuple[str, ...]]:
    """``values`` checked against :data:`FILTERS` (a misspelt filter is a TypeError, as an unknown keyword
    argument would be), without empty ones, in the table's order."""
    unknown = sorted(set(values) - FILTERS_BY_NAME.keys())
    if unknown:
        raise TypeError(f"{owner} got unknown filters {', '.join(unknown)}; known: {', '.join(FILTERS_BY_NAME)}")
    out: dict[str, tuple[str, ...]] = {}
    for f in FILTERS:
        given = values.get(f.name)
        if isinstance(given, str):
            raise TypeError(f"{owner}: {f.name} takes a sequence of values, not one string")
        if given:
            out[f.name] = tuple(given)
    return out
