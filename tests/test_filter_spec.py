"""The filter vocabulary is declared once (``index.filters.FILTERS``); everything else is derived.

Each test iterates the specification, so a filter added there is checked here with no other change:
the ads carry it (store, payload), people can name it (the resolver on the demo store, the API's
models, the CLI's options, the UI's dropdowns). The index applying it is checked for both backends
in ``test_index_contract.py``.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import gradio as gr
import pytest
from typer.testing import CliRunner

from jobsai.cli.main import app as cli
from jobsai.index.base import KEYWORD_FIELDS, AdPayload, SearchFilter
from jobsai.index.filters import FILTERS, PUBLIC_FILTERS, PUBLISHED_WITHIN, ConceptFilter, published_after
from jobsai.index.points import ad_payload
from jobsai.match.filters import FilterInput, resolve_filter
from jobsai.runtime import Runtime
from jobsai.sources.ads import Ad
from jobsai.store.ads import CONCEPT_KINDS, distinct_concepts
from jobsai.timeutil import utcnow
from jobsai.web.api import Filters, FiltersResponse
from jobsai.web.ui import _filter_panel, _language_updates

pytest_plugins = ["web_fixtures"]

NAMES = [f.name for f in FILTERS]


def test_names_options_and_keys_are_unique() -> None:
    for values in (NAMES, [f.option for f in FILTERS], [f.payload_key for f in FILTERS]):
        assert len(set(values)) == len(values)
    assert PUBLISHED_WITHIN not in NAMES


@pytest.mark.parametrize("spec", FILTERS, ids=NAMES)
def test_every_filter_is_a_concept_the_ads_carry(spec: ConceptFilter) -> None:
    assert spec.kind in CONCEPT_KINDS  # stored as columns, listed by distinct_concepts
    assert spec.payload_key in KEYWORD_FIELDS and spec.payload_key in {f.name for f in dataclasses.fields(AdPayload)}
    assert spec.kind in {f.name for f in dataclasses.fields(Ad)}
    assert spec.label_sv and spec.label_en and spec.what


@pytest.mark.parametrize("spec", PUBLIC_FILTERS, ids=[f.name for f in PUBLIC_FILTERS])
def test_every_public_filter_resolves_names_from_the_store(web_runtime: Runtime, spec: ConceptFilter) -> None:
    with web_runtime.db.begin(readonly=True) as conn:
        concept = distinct_concepts(conn, spec.kind)[0]
        typed: dict[str, Any] = {spec.name: (concept.label.upper(),)}
        flt = resolve_filter(conn, FilterInput(**typed))
    resolved: dict[str, Any] = {spec.name: (concept.concept_id,)}
    assert flt == SearchFilter(**resolved)
    assert flt.field_conditions() == [(spec.payload_key, (concept.concept_id,))]
    ads = web_runtime.lookup_ads(sorted(web_runtime.index.ad_ids()))
    carrying = [a for a in ads.values() if getattr(getattr(a, spec.kind), "concept_id", None) == concept.concept_id]
    assert carrying and all(getattr(ad_payload(a), spec.payload_key) == concept.concept_id for a in carrying)


def test_the_api_cli_and_ui_offer_every_public_filter() -> None:
    public = [f.name for f in PUBLIC_FILTERS]
    assert list(Filters.model_fields) == [*public, PUBLISHED_WITHIN]
    assert list(FiltersResponse.model_fields) == public
    given = Filters.model_validate({f.name: ["x"] for f in PUBLIC_FILTERS} | {PUBLISHED_WITHIN: 7}).to_input()
    assert given == FilterInput(published_within_days=7, **{name: ("x",) for name in public})

    help_text = CliRunner().invoke(cli, ["match", "--help"], env={"COLUMNS": "200"}).output
    for f in PUBLIC_FILTERS:
        assert f"--{f.option}" in help_text

    with gr.Blocks():
        _, dropdowns, _, _ = _filter_panel()
    assert [d.elem_id for d in dropdowns] == [f"filter-{f.option}" for f in PUBLIC_FILTERS]
    assert [d.label for d in dropdowns] == [f.label_sv for f in PUBLIC_FILTERS]


def test_the_ui_relabels_every_filter_in_english() -> None:
    labels = [u.get("label") for u in _language_updates("en")]
    for f in PUBLIC_FILTERS:
        assert f.label_en in labels


def test_published_within_is_turned_into_a_date_in_one_place() -> None:
    now = utcnow()
    assert published_after(None, now) is None and published_after(0, now) is None
    assert published_after(7, now) == now - timedelta(days=7)
    assert FilterInput(published_within_days=7).as_json() == {PUBLISHED_WITHIN: 7}


def test_an_unknown_filter_name_is_refused_everywhere() -> None:
    with pytest.raises(TypeError, match="kommun"):
        SearchFilter(kommun=("x",))
    with pytest.raises(TypeError, match="kommun"):
        FilterInput(kommun=("x",))
    with pytest.raises(TypeError, match="sequence"):
        SearchFilter(regions="Skåne")  # type: ignore[arg-type]
