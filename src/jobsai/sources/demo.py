"""The offline demo market: a few hundred generated Platsbanken-style ads shipped in the package.

Why: someone trying JobsAI without network access (JobStream unreachable, nothing stored yet)
should still see a realistic market. The ads are written by ``scripts/make_demo_ads.py``
(invented employers and texts, real JobTech taxonomy concept ids), so they parse, filter and
match exactly like real ads.

Why dates move: the file is generated once, relative to a fixed reference date. Served as is,
every ad would be expired a few weeks later. :func:`iter_demo_items` therefore shifts all dates
by whole days so the newest ad is published *today* (Swedish local date) while the spacing
between ads, their times of day and their ``…T23:59:59`` deadlines stay as written. A shifted
publication time that would still lie in the future (an ad "published" at 16:00 when it is only
09:00) is set to now, so no ad is ever published after ``now``.
"""

from __future__ import annotations

import gzip
import json
import shutil
import tempfile
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from jobsai.timeutil import STOCKHOLM, ensure_utc, utcnow

DEMO_AD_COUNT = 273
"""Number of ads in the shipped demo set (a test keeps this in step with the file)."""

_PACKAGE = "jobsai.sources"
_ADS_RESOURCE = "demo_data/demo_ads.jsonl.gz"
_META_RESOURCE = "demo_data/demo_meta.json"
_LOCAL_FORMAT = "%Y-%m-%dT%H:%M:%S"
_DATE_FIELDS = ("publication_date", "last_publication_date", "application_deadline", "removed_date")


def _resource(name: str) -> Traversable:
    return resources.files(_PACKAGE).joinpath(name)


def demo_ads_path() -> Path:
    """Filesystem path of the gzip JSON Lines file with the (unshifted) demo ads.

    Installed normally, the package data already is a file. From a zip import it is copied
    once to the temp directory, because callers want a real :class:`~pathlib.Path`.
    """
    res = _resource(_ADS_RESOURCE)
    if isinstance(res, Path):
        return res
    target = Path(tempfile.gettempdir()) / "jobsai-demo" / Path(_ADS_RESOURCE).name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        with res.open("rb") as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst)
    return target


@cache
def demo_reference_date() -> date:
    """The Swedish local date the newest demo ad was published on when the file was generated."""
    meta = json.loads(_resource(_META_RESOURCE).read_text(encoding="utf-8"))
    return date.fromisoformat(meta["reference_date"])


def _shift_local(value: str, days: int) -> str:
    """Move a JobTech local timestamp by whole calendar days (wall-clock time kept)."""
    return (datetime.strptime(value, _LOCAL_FORMAT) + timedelta(days=days)).strftime(_LOCAL_FORMAT)


def shift_item(item: dict[str, Any], days: int, now: datetime) -> dict[str, Any]:
    """A copy of one raw demo ad with its dates moved ``days`` forward and none after ``now``.

    ``timestamp`` (epoch ms, UTC) is recomputed from the shifted publication time, keeping the
    original millisecond part, so it stays consistent with ``publication_date`` across DST.
    """
    out = dict(item)
    for key in _DATE_FIELDS:
        value = out.get(key)
        if isinstance(value, str) and value:
            out[key] = _shift_local(value, days)
    published = out.get("publication_date")
    if isinstance(published, str) and published:
        local_now = ensure_utc(now).astimezone(STOCKHOLM).replace(tzinfo=None, microsecond=0)
        local_pub = datetime.strptime(published, _LOCAL_FORMAT)
        if local_pub > local_now:
            local_pub = local_now
            out["publication_date"] = local_pub.strftime(_LOCAL_FORMAT)
        # fold=0 reads an ambiguous autumn hour as its first occurrence, as parse_local does
        utc_pub = local_pub.replace(tzinfo=STOCKHOLM, fold=0)
        millis = int(out.get("timestamp") or 0) % 1000
        out["timestamp"] = int(utc_pub.timestamp()) * 1000 + millis
    return out


def iter_demo_items(now: datetime | None = None) -> Iterator[dict[str, Any]]:
    """Yield the demo ads as raw JobTech dicts (ready for ``parse_item``), dated relative to ``now``.

    ``now`` defaults to the current time; a naive value is taken as UTC. Every call reads the
    file afresh and yields new dicts, so callers may keep or modify them.
    """
    now = ensure_utc(now) if now is not None else utcnow()
    days = (now.astimezone(STOCKHOLM).date() - demo_reference_date()).days
    with _resource(_ADS_RESOURCE).open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield shift_item(json.loads(line), days, now)
