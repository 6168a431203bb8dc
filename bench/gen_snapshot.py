"""Generate a synthetic JobStream snapshot (default 40,000 ads of ~10 KB: ~400 MB).

Why: the real snapshot is a ~400 MB one-line JSON array; parsing and download code must be
measured against that size without fetching it. Ads are made by varying the real ads in
``shared/data/jobtech/ads.jsonl`` (ids, text, dates, coordinates) so the structure and the
schema variants are the real ones. Written as a stream, one ad at a time.

    python bench/gen_snapshot.py /tmp/snapshot.json -n 40000
    python bench/gen_snapshot.py /tmp/snapshot.jsonl.gz --jsonl
"""

from __future__ import annotations

import argparse
import copy
import gzip
import json
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")
DEFAULT_TEMPLATES = Path(__file__).resolve().parents[2] / "shared" / "data" / "jobtech" / "ads.jsonl"


def _concept(concept_id: str, label: str) -> dict[str, Any]:
    return {"concept_id": concept_id, "label": label, "legacy_ams_taxonomy_id": None}


# Used only when the real ads are absent; the SYNTH_* concept ids are deliberately not real ones.
_FALLBACK_TEMPLATE: dict[str, Any] = {
    "id": "0",
    "external_id": None,
    "original_id": None,
    "label": "[]",
    "webpage_url": "",
    "logo_url": None,
    "headline": "Undersköterska till hemtjänsten",
    "application_deadline": "2025-09-25T23:59:59",
    "number_of_vacancies": 1,
    "description": {
        "text": "Vi söker en engagerad medarbetare till vårt team.",
        "text_formatted": "<p>Vi söker en engagerad medarbetare till vårt team.</p>",
        "company_information": None,
        "needs": None,
        "requirements": None,
        "conditions": "Heltid, tillsvidare.",
    },
    "employment_type": _concept("SYNTH_emp_001", "Tillsvidareanställning"),
    "salary_type": None,
    "salary_description": "Enligt avtal.",
    "duration": None,
    "working_hours_type": None,
    "scope_of_work": {"min": 100, "max": 100},
    "access": None,
    "employer": {"name": "Exempelkommunen", "workplace": "Hemtjänsten", "organization_number": "2120000000"},
    "application_details": {"url": None, "email": None, "via_af": True},
    "experience_required": False,
    "access_to_own_car": False,
    "driving_license_required": False,
    "driving_license": None,
    "occupation": _concept("SYNTH_occ_001", "Undersköterska, hemtjänst"),
    "occupation_group": _concept("SYNTH_grp_001", "Undersköterskor"),
    "occupation_field": _concept("SYNTH_fld_001", "Hälso- och sjukvård"),
    "workplace_address": {
        "municipality": "Stockholm",
        "municipality_code": "0180",
        "municipality_concept_id": "SYNTH_mun_001",
        "region": "Stockholms län",
        "region_code": "01",
        "region_concept_id": "SYNTH_reg_001",
        "country": "Sverige",
        "country_code": "199",
        "country_concept_id": "i46j_HmG_v64",
        "coordinates": [18.06858, 59.329323],
    },
    "must_have": {"skills": [], "languages": [], "work_experiences": []},
    "nice_to_have": {"skills": [], "languages": [], "work_experiences": []},
    "publication_date": "2025-09-11T11:25:57",
    "last_publication_date": "2025-09-25T23:59:59",
    "removed": False,
    "removed_date": None,
    "source_type": "VIA_PLATSBANKEN_AD",
    "timestamp": 1757582757157,
}


def load_templates(path: Path | None) -> list[dict[str, Any]]:
    """The real ads (non-removed) as templates; a built-in one when the file is absent."""
    if path is not None and path.exists():
        with path.open(encoding="utf-8") as fh:
            ads = [json.loads(line) for line in fh if line.strip()]
        ads = [a for a in ads if isinstance(a, dict) and not a.get("removed")]
        if ads:
            return ads
    return [_FALLBACK_TEMPLATE]


def _sentences(templates: list[dict[str, Any]]) -> list[str]:
    """A pool of real sentences to pad descriptions with (keeps text realistic for tokenisers)."""
    pool: list[str] = []
    for ad in templates:
        text = (ad.get("description") or {}).get("text") or ""
        pool.extend(s.strip() + "." for s in text.replace("\n", " ").split(".") if len(s.strip()) > 20)
    return pool or ["Vi söker dig som vill arbeta hos oss och utvecklas tillsammans med ett engagerat team."]


def _local(dt: datetime) -> str:
    return dt.astimezone(STOCKHOLM).strftime("%Y-%m-%dT%H:%M:%S")


def synth_ads(
    n: int, templates: list[dict[str, Any]], *, avg_bytes: int = 10_000, seed: int = 42
) -> Iterator[dict[str, Any]]:
    """Yield ``n`` distinct synthetic ads around ``avg_bytes`` each (one at a time)."""
    rng = random.Random(seed)
    pool = _sentences(templates)
    now = datetime.now(UTC).replace(microsecond=0)
    base_id = 40_000_000
    for i in range(n):
        ad = copy.deepcopy(templates[i % len(templates)])
        ad_id = str(base_id + i)
        ad["id"] = ad_id
        ad["webpage_url"] = f"https://arbetsformedlingen.se/platsbanken/annonser/{ad_id}"
        ad["headline"] = f"{ad.get('headline') or 'Jobb'} #{i}"
        published = now - timedelta(seconds=rng.randint(0, 30 * 86400))
        last = published + timedelta(days=rng.randint(7, 60))
        ad["publication_date"] = _local(published)
        ad["last_publication_date"] = _local(last.replace(hour=21, minute=59, second=59))
        ad["application_deadline"] = ad["last_publication_date"]
        ad["timestamp"] = int(published.timestamp() * 1000) + rng.randint(0, 999)
        ad["removed"] = False
        ad["removed_date"] = None
        addr = ad.get("workplace_address")
        if isinstance(addr, dict) and rng.random() < 0.85:
            addr["coordinates"] = [round(rng.uniform(11.0, 24.0), 6), round(rng.uniform(55.3, 69.0), 6)]
        desc = ad.setdefault("description", {}) or {}
        ad["description"] = desc
        text = desc.get("text") or ""
        size = len(json.dumps(ad, ensure_ascii=False).encode("utf-8"))
        target = int(avg_bytes * rng.uniform(0.6, 1.4))
        extra: list[str] = []
        # Text and its HTML twin both grow, so each extra byte of text costs about two.
        while size < target:
            s = rng.choice(pool)
            extra.append(s)
            size += 2 * len(s.encode("utf-8")) + 16
        if extra:
            desc["text"] = text + "\n\n" + " ".join(extra)
            if "text_formatted" in desc:
                desc["text_formatted"] = (desc.get("text_formatted") or "") + "<p>" + " ".join(extra) + "</p>"
        yield ad


def write_snapshot(out: IO[str], ads: Iterator[dict[str, Any]], *, jsonl: bool = False) -> int:
    """Write ads as a one-line JSON array (like v2) or as JSON Lines; returns the ad count."""
    count = 0
    if not jsonl:
        out.write("[")
    for ad in ads:
        if jsonl:
            out.write(json.dumps(ad, ensure_ascii=False))
            out.write("\n")
        else:
            if count:
                out.write(",")
            out.write(json.dumps(ad, ensure_ascii=False))
        count += 1
    if not jsonl:
        out.write("]")
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="output file (.gz to compress)")
    parser.add_argument("-n", "--count", type=int, default=40_000)
    parser.add_argument("--avg-kb", type=float, default=10.0, help="average ad size in KB")
    parser.add_argument("--jsonl", action="store_true", help="JSON Lines instead of a one-line array")
    parser.add_argument("--templates", type=Path, default=DEFAULT_TEMPLATES)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)

    templates = load_templates(args.templates)
    t0 = time.perf_counter()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    ads = synth_ads(args.count, templates, avg_bytes=int(args.avg_kb * 1000), seed=args.seed)
    if args.out.suffix == ".gz":
        with gzip.open(args.out, "wt", encoding="utf-8", compresslevel=5) as fh:
            n = write_snapshot(fh, ads, jsonl=args.jsonl)
    else:
        with args.out.open("w", encoding="utf-8", buffering=1 << 20) as fh:
            n = write_snapshot(fh, ads, jsonl=args.jsonl)
    size = args.out.stat().st_size
    print(
        f"wrote {n} ads from {len(templates)} templates to {args.out}: "
        f"{size / 1e6:.1f} MB ({size / max(n, 1) / 1000:.1f} KB/ad) in {time.perf_counter() - t0:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
