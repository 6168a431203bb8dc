"""CPU time and peak memory of ad encoding per token budget (``JOBSAI_EMBED_BATCH_TOKENS``).

Each budget runs in a fresh child process (peak RSS is per process) on the same ad texts (title
and body of real ads from ``shared/``, as indexing makes them), one after the other; CPU time is
the fairer figure on a shared machine. Prints each budget's ratio to ``--baseline`` (8192: about
the old 32 texts of ~250 tokens a batch) measured in the same run.

    python bench/batch_tokens.py                       # 1024 2048 4096 8192, 256 ads
    python bench/batch_tokens.py --budgets 2048 8192 --ads 512
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_ADS = ROOT.parent / "shared" / "data" / "jobtech" / "ads.jsonl"


def child(budget: int, n_ads: int, cache: Path) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from jobsai.config import Settings
    from jobsai.embed.model import Embedder
    from jobsai.embed.text import ad_texts
    from jobsai.sources.ads import Ad, parse_item
    from jobsai.sources.demo import iter_demo_items

    from support.memory import rss_mb  # VmHWM: ru_maxrss would carry the parent's peak across exec

    if SHARED_ADS.is_file():
        with SHARED_ADS.open(encoding="utf-8") as fh:
            items = [json.loads(line) for line in fh if line.strip()]
    else:
        items = list(iter_demo_items())
    ads = [a for a in (parse_item(o) for o in items) if isinstance(a, Ad)]
    ads = [ads[i % len(ads)] for i in range(n_ads)]
    texts = [t for ad in ads for t in (ad_texts(ad).title, ad_texts(ad).body)]
    settings = Settings(data_dir=cache / "data", model_cache_dir=cache / "models", embed_batch_tokens=max(budget, 1))
    emb = Embedder.load(settings)
    if budget <= 0:  # prepare: convert the built-in model outside the measured children
        print("{}")
        return
    emb.encode_passages(["warm-up"])
    ready = rss_mb("VmHWM")
    c0, w0 = time.process_time(), time.perf_counter()
    for i in range(0, len(texts), 256):  # as the indexing thread hands them over
        emb.encode_passages(texts[i:i + 256])
    print(json.dumps({"budget": budget, "texts": len(texts), "ready_mib": ready,
                      "peak_mib": rss_mb("VmHWM"),
                      "cpu_s": time.process_time() - c0, "wall_s": time.perf_counter() - w0}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budgets", type=int, nargs="+", default=[1024, 2048, 4096, 8192])
    parser.add_argument("--baseline", type=int, default=8192)
    parser.add_argument("--ads", type=int, default=256)
    parser.add_argument("--cache-dir", type=Path, default=None, help="model cache to reuse between runs")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="jobsai-batch-tokens-") as tmp:
        cache = args.cache_dir or Path(tmp)
        if args.child is not None:
            child(args.child, args.ads, cache)
            return 0
        budgets = list(dict.fromkeys([*args.budgets, args.baseline]))
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
        results = {}
        for budget in [0, *budgets]:
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(budget), "--ads", str(args.ads), "--cache-dir", str(cache)],
                env=env, capture_output=True, text=True, check=True,
            ).stdout
            if budget:
                results[budget] = json.loads(out.strip().splitlines()[-1])
    base = results[args.baseline]
    print(f"{base['texts']} ad texts; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for budget, r in results.items():
        print(f"budget {budget:6d}: CPU {r['cpu_s']:6.1f} s ({base['cpu_s'] / r['cpu_s']:.2f}x the {args.baseline} "
              f"budget's speed), wall {r['wall_s']:6.1f} s, peak RSS {r['peak_mib']:.0f} MiB "
              f"({r['peak_mib'] - base['peak_mib']:+.0f}; {r['ready_mib']:.0f} with the model loaded)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
