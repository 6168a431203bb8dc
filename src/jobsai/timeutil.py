"""Time handling: JobTech writes Swedish local time without offset; we store UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def parse_local(value: str | None) -> datetime | None:
    """Parse a JobTech timestamp (Swedish local time unless it carries an offset) to UTC.

    DST-safe: the zone database decides the offset for each instant; for the repeated hour
    in autumn the first occurrence (fold=0) is taken.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=STOCKHOLM)
    return dt.astimezone(UTC)


def from_epoch_ms(ms: int | float | None) -> datetime | None:
    """JobTech ``timestamp`` fields are epoch milliseconds, UTC."""
    if ms is None:
        return None
    return datetime.fromtimestamp(float(ms) / 1000.0, tz=UTC)


def to_local_param(dt: datetime) -> str:
    """Format an instant as JobStream expects in query parameters (Swedish local, no offset)."""
    return ensure_utc(dt).astimezone(STOCKHOLM).strftime("%Y-%m-%dT%H:%M:%S")


def ensure_utc(dt: datetime) -> datetime:
    """Attach UTC to a naive datetime (SQLite returns naive values) or convert an aware one."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)
