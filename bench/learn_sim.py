"""Simulated users -> noisy feedback -> train -> gate, then an inverted (adversarial) batch -> gate.

Reports the project benchmark's nDCG@10 (and MRR, Recall@10) before and after training, and
whether the gate rejected the model trained on the inverted batch (reported as "random").
Uses a fresh data dir (never your own).

    python bench/learn_sim.py --tiny                  # seconds: tiny random BERT (tests/support)
    python bench/learn_sim.py --steps 20 --users 60   # the configured default model

Cost with the default model on two shared CPU cores (one torch thread, OMP_NUM_THREADS=1):
about 9 minutes of encoding and evaluation at 30 users, plus ~10 s per step at batch 8 and
~35 s at batch 16, for each of the two runs: ``--users 30 --steps 8 --batch-size 8`` took
11 minutes (6.9 GB peak memory); the defaults (60 users, 40 steps, batch 16) take about an hour.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy

from jobsai.config import Settings
from jobsai.learn.evaluate import demo_ads, load_encoder
from jobsai.learn.gate import GateConfig
from jobsai.learn.simulate import demo_search, simulate_feedback, simulated_users
from jobsai.learn.train import TrainConfig, run_training
from jobsai.store.db import Database
from jobsai.store.feedback import record_feedback


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tiny", action="store_true", help="use the tiny test model")
    ap.add_argument("--model", default=None, help="model spec/folder (default: JOBSAI_MODEL or the built-in)")
    ap.add_argument("--users", type=int, default=60)
    ap.add_argument("--noise", type=float, default=0.1)
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--lr", type=float, default=None)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--eval-dev", action="store_true", help="also gate on ../shared/eval-dev")
    ap.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="jobsai-learn-sim-"))
    overrides: dict[str, object] = {"data_dir": work / "data", "embed_quantize": False}
    if args.tiny:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
        from support.tiny_model import make_tiny_model

        overrides["model"] = str(make_tiny_model(work / "tiny", fixed_vocab=True))
    elif args.model:
        overrides["model"] = args.model
    settings = Settings().model_copy(update=overrides)
    settings.ensure_dirs()
    db = Database(settings.resolved_database_url)
    db.migrate()
    t0 = time.perf_counter()
    encoder = load_encoder(settings, settings.model)
    ads = demo_ads()
    lr = args.lr if args.lr is not None else (1e-3 if args.tiny else 2e-5)
    config = TrainConfig(max_steps=args.steps, learning_rate=lr, batch_size=args.batch_size, test_fraction=0.3)

    def fill(adversarial: bool, seed: int) -> int:
        entries = simulate_feedback(simulated_users(ads, args.users, seed=seed), ads, encoder,
                                    noise=args.noise, adversarial=adversarial, seed=seed)
        with db.begin() as conn:
            conn.execute(sqlalchemy.text("DELETE FROM feedback"))
            for e in entries:
                record_feedback(conn, e)
        return len(entries)

    figures: dict[str, object] = {"model": settings.model, "users": args.users, "noise": args.noise,
                                  "steps": args.steps, "lr": lr}
    n = fill(False, 1)
    clean = run_training(settings, db, search=demo_search(encoder, ads), config=config,
                         include_eval_dev=args.eval_dev, say=lambda m: print(m, file=sys.stderr))
    m = clean.gate.metrics()
    figures["clean"] = {"feedback_rows": n, "status": clean.status, "reason": clean.reason,
                        "before": {k: v for k, v in m["champion"].items()},
                        "after": {k: v for k, v in m["challenger"].items()}}
    n = fill(True, 2)
    bad = run_training(settings, db, search=demo_search(encoder, ads), config=config, gate=GateConfig(),
                       include_eval_dev=args.eval_dev, say=lambda m: print(m, file=sys.stderr))
    figures["random"] = {"feedback_rows": n, "status": bad.status, "reason": bad.reason}
    figures["seconds"] = round(time.perf_counter() - t0, 1)
    for part in ("before", "after"):
        for v in figures["clean"][part].values():  # type: ignore[index]
            v.pop("per_cv", None)
    text = json.dumps(figures, indent=1)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
