"""Parse a (synthetic) JobStream snapshot with jsonstream + parse_item; print speed and peak RSS.

Why: the snapshot is ~400 MB on one line; this proves that parsing it stays in bounded
memory and shows how long it takes (and how long the download's validation pass takes).

    python bench/gen_snapshot.py /tmp/snapshot.json
    python bench/parse_memory.py /tmp/snapshot.json
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

from jobsai.errors import AdParseError
from jobsai.sources.ads import Ad, parse_item
from jobsai.sources.jsonstream import IJSON_BACKEND, check_json_file, iter_json_objects


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (ru_maxrss: KiB on Linux, bytes on macOS)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--check", action="store_true", help="also time the validation pass")
    args = parser.parse_args(argv)

    size_mb = args.path.stat().st_size / 1e6
    print(f"file: {args.path} ({size_mb:.1f} MB), ijson backend: {IJSON_BACKEND}")
    print(f"peak RSS before parsing: {peak_rss_mb():.1f} MiB")

    if args.check:
        t0 = time.perf_counter()
        check = check_json_file(args.path)
        dt = time.perf_counter() - t0
        print(
            f"validation pass: {check.format}, {check.items} items in {dt:.2f} s "
            f"({size_mb / dt:.0f} MB/s); peak RSS {peak_rss_mb():.1f} MiB"
        )

    ads = removed = bad = 0
    t0 = time.perf_counter()
    for obj in iter_json_objects(args.path):
        try:
            item = parse_item(obj)
        except AdParseError:
            bad += 1
            continue
        if isinstance(item, Ad):
            ads += 1
        else:
            removed += 1
    dt = time.perf_counter() - t0
    total = ads + removed + bad
    print(
        f"parsed {total} items ({ads} ads, {removed} removed, {bad} malformed) in {dt:.2f} s: "
        f"{total / dt:,.0f} items/s, {size_mb / dt:.0f} MB/s"
    )
    print(f"peak RSS after parsing: {peak_rss_mb():.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
