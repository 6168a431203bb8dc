"""parse_item against every real ad in the shared sample and against each known quirk."""

from __future__ import annotations

import copy
import gzip
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from jobsai.errors import AdParseError
from jobsai.sources.ads import Ad, Concept, RemovedAd, ad_id_of, parse_item
from jobsai.sources.jsonstream import iter_json_objects
from jobsai.timeutil import from_epoch_ms

MINIMAL: dict[str, Any] = {
    "id": "30016621",
    "headline": "Psykiatrisjuksköterska",
    "description": {"text": "Vi söker dig.", "text_formatted": "<p>Vi söker dig.</p>"},
    "occupation": {"concept_id": "occ_1", "label": "Sjuksköterska", "legacy_ams_taxonomy_id": "1"},
    "workplace_address": {
        "municipality": "Katrineholm",
        "municipality_concept_id": "mun_1",
        "region": "Södermanlands län",
        "region_concept_id": "reg_1",
        "country": "Sverige",
        "country_concept_id": "i46j_HmG_v64",
        "coordinates": [16.205475, 58.995552],
    },
    "publication_date": "2025-09-11T11:25:57",
    "timestamp": 1757582757157,
    "label": "[]",
}


def ad_with(**changes: Any) -> dict[str, Any]:
    ad = copy.deepcopy(MINIMAL)
    ad.update(changes)
    return ad


def load_shared(path: Path) -> list[dict[str, Any]]:
    # Not str.splitlines(): the ads' text holds U+2028 and friends, which it would split on.
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


# -- the real sample ----------------------------------------------------------------------------


def test_every_shared_ad_parses(shared_ads_path: Path) -> None:
    raw = load_shared(shared_ads_path)
    parsed = [parse_item(obj) for obj in raw]
    assert len(parsed) == len(raw) >= 90
    assert all(isinstance(p, Ad) for p in parsed)
    ads = [p for p in parsed if isinstance(p, Ad)]
    assert len({a.id for a in ads}) == len(ads), "ids are unique"
    for obj, ad in zip(raw, ads, strict=True):
        assert ad.id == str(obj["id"]) and ad.headline
        assert ad.raw is obj
        assert ad.publication_date is not None and ad.publication_date.tzinfo is not None
        assert ad.webpage_url.startswith("https://")
        assert ad.occupation is not None and ad.occupation.concept_id
        assert ad.description, f"ad {ad.id} has text"
        coords = (obj.get("workplace_address") or {}).get("coordinates")
        if ad.coordinates is None:
            assert coords in (None, [None, None])
        else:
            lat, lon = ad.coordinates
            assert 55.0 <= lat <= 69.5 and 10.5 <= lon <= 24.5, "(lat, lon) inside Sweden"
            assert (lon, lat) == tuple(coords)


def test_shared_sample_quirks_are_present_and_handled(shared_ads_path: Path) -> None:
    """The sample really has the quirks the parser claims to handle."""
    raw = {str(o["id"]): o for o in load_shared(shared_ads_path)}
    parsed = {k: parse_item(v) for k, v in raw.items()}
    null_coords = [
        k for k, o in raw.items() if (o.get("workplace_address") or {}).get("coordinates") == [None, None]
    ]
    assert null_coords and all(parsed[k].coordinates is None for k in null_coords)  # type: ignore[union-attr]
    string_labels = [k for k, o in raw.items() if o.get("label") == "[]"]
    assert string_labels and all(parsed[k].labels == () for k in string_labels)  # type: ignore[union-attr]
    nystart = [k for k, o in raw.items() if o.get("label") == "['nystartsjobb']"]
    assert nystart and all(parsed[k].labels == ("nystartsjobb",) for k in nystart)  # type: ignore[union-attr]
    no_html = [k for k, o in raw.items() if "text_formatted" not in (o.get("description") or {})]
    assert no_html and all(parsed[k].description_html is None for k in no_html)  # type: ignore[union-attr]


def test_shared_ad_times_are_swedish_local(shared_ads_path: Path) -> None:
    raw = {str(o["id"]): o for o in load_shared(shared_ads_path)}
    ad = parse_item(raw["30016621"])
    assert isinstance(ad, Ad)
    assert raw["30016621"]["publication_date"] == "2025-09-11T11:25:57"
    assert raw["30016621"]["timestamp"] == 1757582757157
    assert ad.publication_date == datetime(2025, 9, 11, 9, 25, 57, tzinfo=UTC)
    assert ad.updated_at == datetime(2025, 9, 11, 9, 25, 57, 157000, tzinfo=UTC)
    assert ad.application_deadline == datetime(2025, 9, 25, 21, 59, 59, tzinfo=UTC)


def test_shared_ads_read_identically_as_jsonl_array_and_gzip(shared_ads_path: Path, tmp_path: Path) -> None:
    raw = load_shared(shared_ads_path)
    array = tmp_path / "snapshot.json"
    array.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    gz = tmp_path / "snapshot.json.gz"
    gz.write_bytes(gzip.compress(array.read_bytes()))
    for source in (shared_ads_path, array, gz):
        assert list(iter_json_objects(source)) == raw
    assert [parse_item(o) for o in iter_json_objects(array)] == [parse_item(o) for o in raw]


# -- quirks -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("[]", ()),
        ("['nystartsjobb']", ("nystartsjobb",)),
        ('["a", "b"]', ("a", "b")),
        (["nystartsjobb"], ("nystartsjobb",)),
        ([], ()),
        (None, ()),
        ("", ()),
        ("plain text", ("plain text",)),
    ],
)
def test_label_forms(label: Any, expected: tuple[str, ...]) -> None:
    ad = parse_item(ad_with(label=label))
    assert isinstance(ad, Ad) and ad.labels == expected


@pytest.mark.parametrize(
    ("coords", "expected"),
    [
        ([16.205475, 58.995552], (58.995552, 16.205475)),
        ([None, None], None),
        ([18.0, None], None),
        (None, None),
        ([], None),
        ([1.0, 2.0, 3.0], None),
        (["x", "y"], None),
        ([float("nan"), 59.0], None),
        ([18.0, 123.0], None),  # latitude out of range: not a place
        ([True, False], None),
    ],
)
def test_coordinates_are_lon_lat_in_and_lat_lon_out(
    coords: Any, expected: tuple[float, float] | None
) -> None:
    addr = dict(MINIMAL["workplace_address"], coordinates=coords)
    ad = parse_item(ad_with(workplace_address=addr))
    assert isinstance(ad, Ad) and ad.coordinates == expected


def test_missing_text_formatted_and_null_sections() -> None:
    ad = parse_item(
        ad_with(
            description={"text": "Bara text."},
            working_hours_type=None,
            duration=None,
            employer=None,
            must_have=None,
            application_details=None,
        )
    )
    assert isinstance(ad, Ad)
    assert ad.description == "Bara text." and ad.description_html is None
    assert ad.working_hours_type is None and ad.duration is None and ad.employer_name is None
    assert ad.skills == ()


def test_region_may_be_missing_and_workplace_addresses_is_a_fallback() -> None:
    addr = {"municipality": None, "region": None, "country": "Sverige", "country_concept_id": "i46j_HmG_v64"}
    ad = parse_item(ad_with(workplace_address=addr))
    assert isinstance(ad, Ad) and ad.region is None and ad.country == Concept("i46j_HmG_v64", "Sverige")
    ad = parse_item(ad_with(workplace_address=None, workplace_addresses=[MINIMAL["workplace_address"]]))
    assert isinstance(ad, Ad) and ad.municipality == Concept("mun_1", "Katrineholm")


def test_skills_from_must_and_nice_to_have_deduplicated() -> None:
    skill = {"concept_id": "sk_1", "label": "Svenska", "weight": 10}
    ad = parse_item(
        ad_with(
            must_have={"skills": [skill], "languages": [{"concept_id": "lang_sv", "label": "Svenska"}]},
            nice_to_have={"skills": [skill, {"concept_id": "sk_2", "label": "Excel"}, None]},
        )
    )
    assert isinstance(ad, Ad)
    assert [s.concept_id for s in ad.skills] == ["sk_1", "sk_2"]
    assert [lang.concept_id for lang in ad.languages] == ["lang_sv"]


def test_integer_id_becomes_a_string() -> None:
    ad = parse_item(ad_with(id=8448916))
    assert isinstance(ad, Ad) and ad.id == "8448916"
    assert ad.webpage_url == "https://arbetsformedlingen.se/platsbanken/annonser/8448916"


def test_removed_record_with_plain_concept_id_strings() -> None:
    record = {
        "id": "30016621",
        "removed": True,
        "removed_date": "2025-09-12T08:00:00",
        "occupation": "bXNH_MNX_dUR",
        "occupation_group": "Z8ci_bBE_tmx",
        "occupation_field": "NYW6_mP6_vwf",
        "municipality": "AvNB_uwa_6n6",
        "region": "CifL_Rzy_Mku",
        "country": "i46j_HmG_v64",
    }
    item = parse_item(record)
    assert item == RemovedAd("30016621", datetime(2025, 9, 12, 6, 0, tzinfo=UTC))


def test_removed_record_with_integer_id_and_no_date() -> None:
    assert parse_item({"id": 123, "removed": True}) == RemovedAd("123", None)


def test_not_removed_flag_means_a_full_ad() -> None:
    ad = parse_item(ad_with(removed=False, removed_date=None))
    assert isinstance(ad, Ad)


# -- time zones ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        ("2025-09-11T11:25:57", datetime(2025, 9, 11, 9, 25, 57, tzinfo=UTC)),  # CEST, +02:00
        ("2025-01-15T12:00:00", datetime(2025, 1, 15, 11, 0, tzinfo=UTC)),  # CET, +01:00
        # autumn back: 02:00-03:00 happens twice on 2025-10-26; the first (CEST) is taken
        ("2025-10-26T02:30:00", datetime(2025, 10, 26, 0, 30, tzinfo=UTC)),
        ("2025-10-26T03:30:00", datetime(2025, 10, 26, 2, 30, tzinfo=UTC)),
        # spring forward: 02:00-03:00 does not exist on 2025-03-30; read with the old offset
        ("2025-03-30T01:59:59", datetime(2025, 3, 30, 0, 59, 59, tzinfo=UTC)),
        ("2025-03-30T02:30:00", datetime(2025, 3, 30, 1, 30, tzinfo=UTC)),
        ("2025-03-30T03:00:00", datetime(2025, 3, 30, 1, 0, tzinfo=UTC)),
        ("2025-09-11T09:25:57Z", datetime(2025, 9, 11, 9, 25, 57, tzinfo=UTC)),
        ("2025-09-11T11:25:57+02:00", datetime(2025, 9, 11, 9, 25, 57, tzinfo=UTC)),
    ],
)
def test_publication_date_is_swedish_local_time(local: str, utc: datetime) -> None:
    ad = parse_item(ad_with(publication_date=local))
    assert isinstance(ad, Ad) and ad.publication_date == utc


def test_publication_date_and_timestamp_agree() -> None:
    """``2025-09-11T11:25:57`` local is epoch 1757582757157 ms, i.e. 09:25:57Z."""
    ad = parse_item(ad_with(publication_date="2025-09-11T11:25:57", timestamp=1757582757157))
    assert isinstance(ad, Ad)
    assert ad.updated_at == from_epoch_ms(1757582757157)
    assert ad.publication_date is not None and ad.updated_at is not None
    assert ad.updated_at.strftime("%H:%M:%SZ") == "09:25:57Z"
    assert 0 <= (ad.updated_at - ad.publication_date).total_seconds() < 1


# -- malformed records --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "obj",
    [
        None,
        [],
        "30016621",
        {},
        {"headline": "no id"},
        {"id": None, "headline": "x"},
        {"id": "", "headline": "x"},
        {"id": "   ", "headline": "x"},
        {"id": True, "headline": "x"},
        {"id": 1.5, "headline": "x"},
        {"id": ["1"], "headline": "x"},
    ],
)
def test_records_without_a_usable_id(obj: Any) -> None:
    with pytest.raises(AdParseError):
        parse_item(obj)
    with pytest.raises(AdParseError):
        ad_id_of(obj)


@pytest.mark.parametrize(
    "changes",
    [
        {"headline": None},
        {"headline": "   "},
        {"headline": ["a list"]},
        {"description": "a string, not an object"},
        {"description": {"text": {"nested": 1}}},
        {"employer": ["x"]},
        {"employer": {"name": {"first": "x"}}},
        {"workplace_address": "Stockholm"},
        {"occupation": ["x"]},
        {"occupation": 12},
        {"must_have": {"skills": "Svenska"}},
        {"must_have": {"skills": [1, 2]}},
        {"must_have": []},
        {"application_details": "mail me"},
        {"timestamp": "1757582757157"},
        {"timestamp": True},
        {"timestamp": 1e20},  # beyond what datetime can hold
        {"publication_date": 20250911},
        {"publication_date": "11/09/2025"},
        {"publication_date": "2025-13-45T99:00:00"},
        {"publication_date": "0001-01-01T00:00:00"},  # moving to UTC underflows
        {"application_deadline": ["2025-09-25"]},
    ],
)
def test_malformed_ads_raise_ad_parse_error_with_the_id(changes: dict[str, Any]) -> None:
    with pytest.raises(AdParseError, match="30016621"):
        parse_item(ad_with(**changes))


@pytest.mark.parametrize("removed_date", [5, "yesterday", "0001-01-01T00:00:00"])
def test_malformed_removal_record(removed_date: Any) -> None:
    with pytest.raises(AdParseError, match="^ad 77"):
        parse_item({"id": "77", "removed": True, "removed_date": removed_date})
