"""Domain adaptation end to end: the worker's ``adapt`` job on a store, then its quality.

Loads the ads (``--ads real``: the 91 JobTech ads in ``../shared``; ``demo``: the shipped demo
set) into a throw-away data directory, runs ``learn.train.run_domain_training`` exactly as the
worker does (seeded triplets from the store, fine-tune, gate against the base model on the
benchmarks, registry), prints the gate's decision and the time each stage took, then ranks every
development set with the adapted model through the shipped matcher (``bench/quality.py``'s
harness) next to the base model.

    python bench/domain_adapt.py [--ads real|demo] [--steps 24] [--batch-size 16] [--data-dir D]

Cost on two CPU cores: ~35 s per step at batch 16 when the machine is otherwise idle, plus two
benchmark evaluations (about a minute each) and re-embedding the 91 ads.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from jobsai.config import Settings
from jobsai.learn.evaluate import demo_ads
from jobsai.learn.train import TrainConfig, run_domain_training
from jobsai.runtime import Runtime
from jobsai.sources.ads import Ad, parse_item
from jobsai.store.db import Database
from quality import ROOT, Bench, Report, load_sets, print_table, read_ads


def _quality(shared: Path, data_dir: Path, model: str | None) -> dict[str, Report]:
    extra = {"model": model} if model else {}
    settings = Settings(data_dir=data_dir, database_url=None, qdrant_url=None, **extra)
    with Runtime(settings) as rt:
        bench = Bench(shared, rt, load_sets(shared))
        rt.ingestor.load_items(bench.raw, expire=False)
        return bench.evaluate(lambda text: rt.matcher.rank(text)[0])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--ads", choices=("real", "demo"), default="real")
    ap.add_argument("--steps", type=int, default=24)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--data-dir", type=Path, help="keep the work here (the model cache is reused)")
    args = ap.parse_args()
    work = args.data_dir or Path(tempfile.mkdtemp(prefix="jobsai-domain-"))
    settings = Settings(data_dir=work / "train", database_url=None, qdrant_url=None, embed_quantize=False)
    settings.ensure_dirs()
    db = Database(settings.resolved_database_url)
    db.migrate()
    if args.ads == "real":
        ads = [a for a in (parse_item(r) for r in read_ads(args.shared)) if isinstance(a, Ad)]
    else:
        ads = list(demo_ads())
    t0 = time.perf_counter()
    report = run_domain_training(
        settings, db, ads, config=TrainConfig(max_steps=args.steps, batch_size=args.batch_size, progress=False),
        say=lambda m: print(f"[{time.perf_counter() - t0:6.0f} s] {m}", flush=True),
    )
    print(f"domain adaptation on {len(ads)} {args.ads} ads, {args.steps} steps at batch {args.batch_size}: "
          f"{report.status} in {time.perf_counter() - t0:.0f} s ({report.train_stats})")
    print(f"gate: {report.reason}")
    rows = {
        "base model": _quality(args.shared, work / "q-base", None),
        f"adapted ({args.ads}, {args.steps} steps)": _quality(args.shared, work / "q-adapted", str(report.path)),
    }
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
