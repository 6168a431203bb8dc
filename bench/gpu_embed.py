"""Ads per second on a GPU (torch fp32 and fp16) against the CPU backend, on the same ad texts.

Why: a national bootstrap embeds ~40,000 ads (~80,000 texts). On two CPU cores that is the
bulk of half an hour; on one GPU it should be minutes (issue 13's target: <= 3 min for 43k
ads). The script embeds the same ad texts (title + body, as indexing does) with:

* torch fp32 on the device (``cuda`` when torch sees one, else ``cpu``): the reference;
* torch fp16 on the device (only on CUDA): what ``JOBSAI_DEVICE=auto`` uses on a GPU;
* the CPU backend (``JOBSAI_EMBED_BACKEND``, torch or onnx) on the CPU;

prints ads/s for each and the ratio to the CPU backend, and checks each one's vectors against
fp32's: cosine >= 0.99 for every text, else it exits 1. On a machine without a GPU it runs the
CPU rows only, which is what CI does as a smoke test (``tests/test_bench_gpu_embed.py``).

    python bench/gpu_embed.py                        # 2,000 real ads from shared/, built-in model
    python bench/gpu_embed.py --ads 200 --demo       # the demo ads shipped with the package
    JOBSAI_MODEL=/path/to/model python bench/gpu_embed.py --ads 8 --demo --cpu-ads 8
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

SHARED_ADS = Path(__file__).resolve().parents[2] / "shared" / "data" / "jobtech" / "ads.jsonl"
MIN_COSINE = 0.99
BOOTSTRAP_ADS = 43_000


def ad_texts_of(n: int, demo: bool) -> list[str]:
    """Title and body texts of ``n`` ads (``n`` titles, then ``n`` bodies), as indexing makes them."""
    from jobsai.embed.text import ad_texts
    from jobsai.errors import AdParseError
    from jobsai.sources.ads import Ad, parse_item
    from jobsai.sources.demo import iter_demo_items

    if demo or not SHARED_ADS.is_file():
        items = list(iter_demo_items())
    else:
        with SHARED_ADS.open(encoding="utf-8") as fh:
            items = [json.loads(line) for line in fh if line.strip()]
    ads: list[Ad] = []
    for obj in items:
        try:
            ad = parse_item(obj)
        except AdParseError:
            continue
        if isinstance(ad, Ad):
            ads.append(ad)
    if not ads:
        raise SystemExit("no ads to embed")
    ads = [ads[i % len(ads)] for i in range(n)]  # repeat when asked for more than there are
    texts = [ad_texts(ad) for ad in ads]
    return [t.title for t in texts] + [t.body for t in texts]


def timed_encode(embedder: object, texts: list[str]) -> tuple[np.ndarray, float]:
    embedder.encode_passages(texts[: min(8, len(texts))])  # type: ignore[attr-defined]  # warm-up
    if getattr(embedder, "device", "cpu").startswith("cuda"):
        import torch

        torch.cuda.synchronize()
    t0 = time.perf_counter()
    vecs = embedder.encode_passages(texts)  # type: ignore[attr-defined]
    if getattr(embedder, "device", "cpu").startswith("cuda"):
        import torch

        torch.cuda.synchronize()
    return vecs, time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ads", type=int, default=2000, help="ads embedded on the device (2 texts each)")
    parser.add_argument("--cpu-ads", type=int, default=200, help="of those, ads the CPU backend embeds too")
    parser.add_argument("--demo", action="store_true", help="the package's demo ads instead of shared/")
    parser.add_argument("--device", default=None, help="default: JOBSAI_DEVICE, else cuda when torch sees one")
    parser.add_argument("--cpu-backend", choices=["torch", "onnx"], default=None,
                        help="default: JOBSAI_EMBED_BACKEND")
    args = parser.parse_args(argv)

    import torch

    from jobsai.config import Settings
    from jobsai.embed.model import Embedder, resolve_device

    settings = Settings()
    device = resolve_device(args.device or settings.device)
    texts = ad_texts_of(args.ads, args.demo)
    n_cpu = min(args.cpu_ads, args.ads)
    cpu_texts = texts[:n_cpu] + texts[args.ads:args.ads + n_cpu]
    print(f"{args.ads} ads ({len(texts)} texts) on {device}"
          + (f" ({torch.cuda.get_device_name(device)})" if device.startswith("cuda") else "")
          + f"; {n_cpu} of them on the CPU backend; torch {torch.__version__}, {torch.get_num_threads()} CPU threads")

    rows: list[tuple[str, float, float, float]] = []  # name, ads/s, min cosine, mean cosine
    fp32 = Embedder.load(settings.model_copy(update={"device": device, "embed_precision": "fp32"}))
    ref, seconds = timed_encode(fp32, texts)
    rows.append((f"torch fp32 on {device}", args.ads / seconds, 1.0, 1.0))

    def compare(name: str, vecs: np.ndarray, reference: np.ndarray, n_ads: int, secs: float) -> None:
        cos = np.sum(vecs * reference, axis=1)
        rows.append((name, n_ads / secs, float(cos.min()), float(cos.mean())))

    if device.startswith("cuda"):
        for precision in ("fp16", "bf16"):
            half = Embedder.load(settings.model_copy(update={"device": device, "embed_precision": precision}))
            vecs, seconds = timed_encode(half, texts)
            shipped = " (JOBSAI_DEVICE=auto)" if precision == "fp16" else ""
            compare(f"torch {precision} on {device}{shipped}", vecs, ref, args.ads, seconds)

    backend = args.cpu_backend or settings.embed_backend
    cpu = Embedder.load(settings.model_copy(update={"device": "cpu", "embed_backend": backend}))
    cpu_ref = np.concatenate([ref[:n_cpu], ref[args.ads:args.ads + n_cpu]])
    vecs, seconds = timed_encode(cpu, cpu_texts)
    kind = f"torch {cpu.precision}" if cpu.backend == "torch" else f"{cpu.backend} {cpu.fingerprint.vectors}"
    compare(f"CPU backend ({kind})",
            vecs, cpu_ref, n_cpu, seconds)
    cpu_rate = rows[-1][1]

    print(f"\n{'encoder':<48} {'ads/s':>9} {'x CPU':>7} {'min cos':>8} {'mean cos':>9}  43k ads")
    for name, rate, cmin, cmean in rows:
        minutes = BOOTSTRAP_ADS / rate / 60
        print(f"{name:<48} {rate:9.1f} {rate / cpu_rate:7.2f} {cmin:8.4f} {cmean:9.4f}  {minutes:6.1f} min")
    bad = [name for name, _, cmin, _ in rows if cmin < MIN_COSINE]
    if bad:
        print(f"\nFAIL: cosine to fp32 below {MIN_COSINE} for: {', '.join(bad)}")
        return 1
    print(f"\nOK: every encoder within cosine {MIN_COSINE} of fp32 on every text "
          "(the 43k column extrapolates the embedding alone at the measured rate)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
