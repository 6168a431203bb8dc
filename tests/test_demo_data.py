"""The offline demo market shipped in the package.

Why these checks: the demo set is what a person sees when JobsAI runs without network, so it
must parse like real JobStream data, cover most of the Swedish market, stay "live" whenever it
is loaded, carry consistent JobTech taxonomy ids (filters and concept matching depend on them),
contain no real personal data, and be reproducible from ``scripts/make_demo_ads.py``.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from jobsai.sources.ads import Ad, parse_item
from jobsai.sources.demo import (
    DEMO_AD_COUNT,
    demo_ads_path,
    demo_reference_date,
    iter_demo_items,
)
from jobsai.timeutil import STOCKHOLM, from_epoch_ms, parse_local

from conftest import SHARED

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "make_demo_ads.py"
META = ROOT / "src" / "jobsai" / "sources" / "demo_data" / "demo_meta.json"
TAXONOMY = SHARED / "data" / "jobtech" / "taxonomy"

# Instants around which date shifting could go wrong: early on the reference day (ads
# "published" later that day must not end up in the future), late evening, both DST changes,
# a year boundary, and whatever the clock says now.
NOWS = (
    datetime(2025, 10, 1, 4, 0, tzinfo=UTC),
    datetime(2025, 10, 1, 21, 59, 30, tzinfo=UTC),
    datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
    datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
    datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    datetime(2026, 12, 31, 23, 30, tzinfo=UTC),
    datetime(2031, 6, 15, 12, 0, tzinfo=UTC),
    datetime.now(UTC),
)


def _read_raw() -> list[dict[str, Any]]:
    with gzip.open(demo_ads_path(), "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="module")
def raw_ads() -> list[dict[str, Any]]:
    return _read_raw()


@pytest.fixture(scope="module")
def generator() -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location("make_demo_ads", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_demo_ads"] = module  # dataclasses look their module up here
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop("make_demo_ads", None)


def _local(dt: datetime) -> datetime:
    return dt.astimezone(STOCKHOLM)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _is_english(ad: dict[str, Any]) -> bool:
    words = _words(ad["description"]["text"])
    english = sum(w in {"the", "and", "you", "we", "our", "with"} for w in words)
    swedish = sum(w in {"och", "du", "vi", "att", "som", "med"} for w in words)
    return english > swedish


# ---- file and counts ------------------------------------------------------------------


def test_file_is_small_and_complete(raw_ads: list[dict[str, Any]]) -> None:
    path = demo_ads_path()
    assert path.is_file() and path.name == "demo_ads.jsonl.gz"
    assert path.stat().st_size < 1_000_000
    meta = json.loads(META.read_text(encoding="utf-8"))
    assert len(raw_ads) == DEMO_AD_COUNT == meta["ad_count"] >= 240
    assert demo_reference_date().isoformat() == meta["reference_date"]


def test_every_demo_ad_parses(raw_ads: list[dict[str, Any]]) -> None:
    for item in raw_ads:
        assert isinstance(parse_item(item), Ad)
    shifted = [parse_item(item) for item in iter_demo_items()]
    assert len(shifted) == DEMO_AD_COUNT
    for ad in shifted:
        assert isinstance(ad, Ad)
        assert ad.headline and ad.description and ad.description_html
        assert ad.occupation and ad.occupation_group and ad.occupation_field
        assert ad.municipality and ad.region and ad.country and ad.coordinates
        assert ad.employer_name and ad.publication_date and ad.last_publication_date


def test_market_coverage(raw_ads: list[dict[str, Any]]) -> None:
    fields = {a["occupation_field"]["concept_id"] for a in raw_ads}
    occupations = {a["occupation"]["concept_id"] for a in raw_ads}
    munis = {a["workplace_address"]["municipality_concept_id"] for a in raw_ads}
    regions = {a["workplace_address"]["region_concept_id"] for a in raw_ads}
    names = {a["workplace_address"]["municipality"] for a in raw_ads}
    assert len(fields) >= 18
    assert len(occupations) >= 60
    assert len(munis) >= 40
    assert len(regions) >= 18
    for town in (
        "Stockholm",
        "Göteborg",
        "Malmö",
        "Uppsala",
        "Umeå",
        "Luleå",
        "Kiruna",
        "Östersund",
        "Gotland",
        "Växjö",
        "Karlstad",
        "Jönköping",
    ):
        assert town in names, town
    with_skills = sum(bool(a["must_have"]["skills"] or a["nice_to_have"]["skills"]) for a in raw_ads)
    assert with_skills > len(raw_ads) / 2


def test_ids_unique_and_in_demo_range(raw_ads: list[dict[str, Any]]) -> None:
    ids = [a["id"] for a in raw_ads]
    assert len(set(ids)) == len(ids)
    for ad_id, ad in zip(ids, raw_ads, strict=True):
        assert isinstance(ad_id, str) and ad_id.isdigit() and int(ad_id) >= 90_000_001
        assert ad["webpage_url"] == f"https://arbetsformedlingen.se/platsbanken/annonser/{ad_id}"
        assert ad["removed"] is False and ad["removed_date"] is None


# ---- dates ------------------------------------------------------------------------------


def test_generated_dates_are_relative_to_the_reference_date(raw_ads: list[dict[str, Any]]) -> None:
    ref = demo_reference_date()
    pub_days = []
    for ad in raw_ads:
        pub = datetime.fromisoformat(ad["publication_date"])
        last = datetime.fromisoformat(ad["last_publication_date"])
        pub_days.append(pub.date())
        assert ref - timedelta(days=21) <= pub.date() <= ref
        assert timedelta(days=14) <= last.date() - pub.date() <= timedelta(days=42)
        assert last.date() > ref
        assert ad["application_deadline"] == ad["last_publication_date"]
        assert ad["last_publication_date"].endswith("T23:59:59")
        # timestamp is the publication instant in UTC (Swedish local → UTC)
        published = parse_local(ad["publication_date"])
        assert published is not None
        assert abs((from_epoch_ms(ad["timestamp"]) - published).total_seconds()) < 1
    assert max(pub_days) == ref
    assert (max(pub_days) - min(pub_days)).days >= 14


@pytest.mark.parametrize("now", NOWS, ids=lambda d: d.isoformat(timespec="minutes"))
def test_no_demo_ad_is_expired_after_the_shift(raw_ads: list[dict[str, Any]], now: datetime) -> None:
    items = list(iter_demo_items(now))
    ads = [parse_item(item) for item in items]
    assert len(ads) == len(raw_ads)
    newest = max(ad.publication_date for ad in ads if isinstance(ad, Ad) and ad.publication_date)
    assert _local(newest).date() == _local(now).date(), "the newest ad is published today"
    shift = (_local(now).date() - demo_reference_date()).days
    for ad, item, raw in zip(ads, items, raw_ads, strict=True):
        assert isinstance(ad, Ad)
        assert ad.publication_date is not None and ad.publication_date <= now
        assert ad.last_publication_date is not None and ad.last_publication_date > now
        assert ad.application_deadline is not None and ad.application_deadline > now
        assert ad.updated_at is not None
        assert abs((ad.updated_at - ad.publication_date).total_seconds()) < 1
        assert item["last_publication_date"].endswith("T23:59:59")
        # whole-day shift of the local wall-clock dates; only a future time of day is clamped
        raw_pub = datetime.fromisoformat(raw["publication_date"]) + timedelta(days=shift)
        new_pub = datetime.fromisoformat(item["publication_date"])
        assert new_pub == raw_pub or (raw_pub > new_pub and raw_pub.date() == new_pub.date())
        raw_last = datetime.fromisoformat(raw["last_publication_date"]) + timedelta(days=shift)
        assert datetime.fromisoformat(item["last_publication_date"]) == raw_last


def test_iter_demo_items_gives_fresh_copies() -> None:
    now = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
    first = next(iter_demo_items(now))
    first["headline"] = "changed"
    first["description"]["text"] = "changed"
    again = next(iter_demo_items(now))
    assert again["headline"] != "changed" and again["description"]["text"] != "changed"
    naive = next(iter_demo_items(now.replace(tzinfo=None)))
    assert naive == again


# ---- texts ------------------------------------------------------------------------------


def test_texts_look_like_platsbanken_ads(raw_ads: list[dict[str, Any]]) -> None:
    sections = ("Om tjänsten", "Arbetsuppgifter", "Dina arbetsuppgifter", "Om rollen", "Om jobbet")
    english = 0
    for ad in raw_ads:
        text = ad["description"]["text"]
        assert 120 <= len(text.split()) <= 450, ad["id"]
        html_text = ad["description"]["text_formatted"]
        assert html_text.startswith("<p>") and "<strong>" in html_text
        if _is_english(ad):
            english += 1
            assert "About the role" in text or "What you will do" in text or "The role" in text
        else:
            assert any(s in text for s in sections), ad["id"]
            assert "Anställning" in text or "Villkor" in text or "Omfattning" in text
    assert 0.03 <= english / len(raw_ads) <= 0.08
    assert sum("<ul><li>" in ad["description"]["text_formatted"] for ad in raw_ads) > len(raw_ads) / 2


def test_texts_are_not_near_duplicates(raw_ads: list[dict[str, Any]]) -> None:
    shingles = []
    for ad in raw_ads:
        words = _words(ad["description"]["text"])
        shingles.append({tuple(words[i : i + 5]) for i in range(len(words) - 4)})
    worst = 0.0
    for i in range(len(shingles)):
        a = shingles[i]
        for j in range(i + 1, len(shingles)):
            b = shingles[j]
            worst = max(worst, len(a & b) / len(a | b))
    assert worst < 0.6


def test_contacts_and_addresses_are_fictional(raw_ads: list[dict[str, Any]]) -> None:
    def luhn_ok(number: str) -> bool:
        total = 0
        for i, ch in enumerate(number[:9]):
            d = int(ch) * (2 if i % 2 == 0 else 1)
            total += d - 9 if d > 9 else d
        return (10 - total % 10) % 10 == int(number[9])

    email = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
    phone = re.compile(r"\b0\d{1,3}-\d[\d ]{4,}\d")
    for ad in raw_ads:
        blob = json.dumps(ad, ensure_ascii=False)
        for address in email.findall(blob):
            assert address.endswith(("@example.com", "@example.org")), address
        for number in phone.findall(blob):
            digits = number.replace("-", "").replace(" ", "")
            assert digits.startswith("07017406") and 5 <= int(digits[-2:]) <= 99, number
        for url in re.findall(r"https?://[^\s\"]+", blob):
            assert url.startswith(
                (
                    "https://example.com/",
                    "https://example.org/",
                    "https://arbetsformedlingen.se/platsbanken/annonser/",
                )
            ), url
        org = ad["employer"]["organization_number"]
        assert len(org) == 10 and org.isdigit() and not luhn_ok(org)
        for contact in ad["application_contacts"]:
            assert contact["telephone"].startswith("070-174 06 ")


# ---- taxonomy ---------------------------------------------------------------------------


def _taxonomy() -> dict[str, Any]:
    if not TAXONOMY.is_dir():
        pytest.skip("../shared/data/jobtech/taxonomy is not present")
    dump = json.loads((TAXONOMY / "taxonomy_to_concept.json").read_text(encoding="utf-8"))
    hierarchy = json.loads(
        (TAXONOMY / "the-ssyk-hierarchy-with-occupations.json").read_text(encoding="utf-8")
    )
    fields = json.loads((TAXONOMY / "info_occupation_fields.json").read_text(encoding="utf-8"))
    occupation_group: dict[str, tuple[str, str]] = {}
    groups: dict[str, tuple[str, str]] = {}

    def walk(node: dict[str, Any]) -> None:
        if node.get("type") == "ssyk-level-4":
            groups[node["id"]] = (node["preferred_label"], node["ssyk_code_2012"])
            for occ in node.get("narrower", []):
                occupation_group[occ["id"]] = (occ["preferred_label"], node["id"])
        for child in node.get("narrower", []):
            walk(child)

    for concept in hierarchy["data"]["concepts"]:
        walk(concept)
    group_field = {g["id"]: f["id"] for f in fields["data"]["concepts"] for g in f["narrower"]}
    field_label = {f["id"]: f["preferred_label"] for f in fields["data"]["concepts"]}
    by_type = {
        kind: {v["conceptId"]: (code, v["preferredTerm"]) for code, v in values.items()}
        for kind, values in dump.items()
    }
    return {
        "occupation_group": occupation_group,
        "groups": groups,
        "group_field": group_field,
        "field_label": field_label,
        "by_type": by_type,
        "kommun_region": json.loads((TAXONOMY / "kommun_id_region_id.json").read_text(encoding="utf-8")),
        "kommun_name": json.loads((TAXONOMY / "kommun_id_namn.json").read_text(encoding="utf-8")),
    }


def test_concept_ids_match_the_jobtech_taxonomy(raw_ads: list[dict[str, Any]]) -> None:
    tax = _taxonomy()
    by_type = tax["by_type"]
    for ad in raw_ads:
        occ, group, field_ = ad["occupation"], ad["occupation_group"], ad["occupation_field"]
        label, group_id = tax["occupation_group"][occ["concept_id"]]
        assert occ["label"] == label
        assert group["concept_id"] == group_id
        assert tax["groups"][group_id] == (group["label"], group["legacy_ams_taxonomy_id"])
        assert field_["concept_id"] == tax["group_field"][group_id]
        assert field_["label"] == tax["field_label"][field_["concept_id"]]
        assert by_type["occupation-field"][field_["concept_id"]][0] == field_["legacy_ams_taxonomy_id"]
        if occ["legacy_ams_taxonomy_id"] is not None:
            assert by_type["occupation-name"][occ["concept_id"]][0] == occ["legacy_ams_taxonomy_id"]

        addr = ad["workplace_address"]
        kid = addr["municipality_concept_id"]
        assert by_type["municipality"][kid] == (addr["municipality_code"], addr["municipality"])
        assert tax["kommun_name"][kid] == addr["municipality"]
        assert tax["kommun_region"][kid] == addr["region_concept_id"]
        assert by_type["region"][addr["region_concept_id"]] == (addr["region_code"], addr["region"])
        assert by_type["country"][addr["country_concept_id"]] == (addr["country_code"], addr["country"])
        lon, lat = addr["coordinates"]
        assert 10.5 < lon < 24.5 and 55.2 < lat < 69.1

        for key, kind in (
            ("employment_type", "employment-type"),
            ("duration", "employment-duration"),
            ("working_hours_type", "worktime-extent"),
            ("salary_type", "wage-type"),
        ):
            concept = ad[key]
            if concept is not None:
                assert by_type[kind][concept["concept_id"]][0] == concept["legacy_ams_taxonomy_id"], key
        for licence in ad["driving_license"] or []:
            assert by_type["driving-license"][licence["concept_id"]] == (
                licence["legacy_ams_taxonomy_id"],
                licence["label"],
            )
        for part in ("must_have", "nice_to_have"):
            for skill in ad[part]["skills"]:
                assert by_type["skill"][skill["concept_id"]] == (
                    skill["legacy_ams_taxonomy_id"],
                    skill["label"],
                )
            for language in ad[part]["languages"]:
                assert by_type["language"][language["concept_id"]] == (
                    language["legacy_ams_taxonomy_id"],
                    language["label"],
                )


# ---- generator --------------------------------------------------------------------------


def test_generator_is_deterministic(generator: ModuleType, tmp_path: Path) -> None:
    """Regenerating gives the shipped files again.

    The JSON Lines payload and the metadata must be byte-identical to what is shipped, and two
    encodings on this machine must give identical gzip bytes (fixed header: no timestamp, no
    file name). The shipped *compressed* bytes are not compared: another zlib build (zlib-ng,
    for one) may compress the same payload differently, which is no change of content.
    """
    ads_path, meta_path = generator.write_demo_data(tmp_path)
    shipped = demo_ads_path().read_bytes()
    fresh = ads_path.read_bytes()
    assert gzip.decompress(fresh) == gzip.decompress(shipped)
    assert meta_path.read_bytes() == META.read_bytes()
    assert fresh[4:8] == b"\x00\x00\x00\x00" and fresh[3] & 0x08 == 0  # mtime 0, no FNAME
    again = generator.encode_ads(generator.build_ads())
    assert again == fresh


def test_generator_uses_no_shared_reference_files() -> None:
    """The generator carries its taxonomy table in scripts/demo_ads_data; it must not read
    ../shared (real ads)."""
    source = SCRIPT.read_text(encoding="utf-8")
    for needle in ("shared/", "data/jobtech", 'ads.jsonl"', "taxonomy_to_concept"):
        assert needle not in source, needle
