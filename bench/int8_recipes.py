"""Which int8 ONNX recipe keeps match quality? Cosine and nDCG@10 per recipe, every dev set, one run.

Why: an int8 export that is 0.999 cosine to fp32 still swaps near-tied ads, and nDCG@10 on the
small dev sets is what decides a default (loss <= 0.01 on every set). ``bench/quality.py`` measures
one configuration per run (minutes each); this loads the ads and the fp32 model once and then, per
recipe (``OnnxSettings`` variants):

* ``queries``: the recipe encodes CV queries only (``JOBSAI_QUERY_BACKEND``) against the torch-built
  index: cosine of every dev CV's query vectors to torch's, the verification texts' cosine, and
  the shipped hybrid's nDCG@10 per set;
* ``ads+queries`` (``--both``): a fresh index built with the recipe (``JOBSAI_EMBED_BACKEND``),
  queried with it.

Speed is ``bench/embed_speed.py``'s (``--recipe NAME`` times a recipe named here).

    python bench/int8_recipes.py [--recipes shipped,down32] [--both] [--noise 0.9986] [--work /tmp/int8x]

Measured (2 shared cores; torch 0.904 / 0.821 / 0.827 on dev / dev2-A / dev2-B; nDCG@10 change,
then the CPU-time speed-up over torch of ``bench/embed_speed.py --n 96 --repeat 2`` for indexing / CV):

    recipe (CV-query cosine to fp32)   queries only              ads + queries             speed-up
    shipped (0.9989)                   -0.015 +0.010 -0.005      -0.028 +0.015 -0.015      1.76x / 2.10x
    no-fp32 (0.9967)                   -0.013 +0.015 +0.001
    o16x1/6 (0.9993)                   -0.014 +0.016 +0.002
    o8x1/4 (0.9995)                    -0.016 +0.010 -0.002
    down32 (0.9991)                    -0.019 +0.014 -0.007
    down32+o16x1/6 (0.9995)            -0.015 +0.012 +0.003                                1.21x / 1.36x
    matmul-only+down32 (0.9991)        -0.023 +0.015 +0.002
    per-tensor+down32 (0.9986)         -0.003 +0.013 -0.004  passes; -0.027 +0.026 -0.011  1.41x / 1.73x
    per-tensor+down32+o16x1/6 (0.9993) -0.018 +0.013 -0.000      -0.015 +0.013 +0.001
    per-tensor (0.9907)                -0.040 +0.012 -0.005      -0.025 +0.004 -0.003
    torch + random noise (0.9986) x12  dev -0.002 to -0.027 (four draws below -0.01), dev2-A -0.001 to
                                       +0.022, dev2-B -0.010 to +0.003: 5 of 12 draws fail the gate
    torch + random noise (0.99982) x12 dev -0.016 to +0.004 (three draws below -0.01, each dev07's
                                       top two ads swapping), dev2-A +0.000 to +0.016, dev2-B -0.001 to +0.003

OpenVINO's int8 (``JOBSAI_EMBED_BACKEND=openvino-int8``: int8 weights per output channel, activations
quantised per group of 64 at run time; not an ONNX recipe) comes closer, cosine 0.9998, and is
1.2x OpenVINO bf16 for ads; ``bench/openvino_int8_layers.py`` measures its choices of layers. Its
dev losses are dev07's again (its top two ads 0.0005 apart), and two of seven layer choices pass
in each run, not the same two, so it is not the default either.

(static QDQ, MatMul per-channel, down projections fp32, 48 ads + CV texts calibrating: CV-query cosine
0.9965 and slower than dynamic int8 (3.7 vs 3.2 CPU s for 32 ads), so not pursued.) The one pass
is chance, not fidelity: its closer sibling (+o16x1/6) fails, and random noise at its cosine fails the
gate in 5 of 12 draws (int8's errors, failing 9 of 10 recipes, are worse than random ones). Each
dev loss is one or two of its 14 CVs flipping a near tie (dev07 -0.21, dev04
-0.18, dev11 -0.27 where printed), so no ONNX Runtime int8 recipe is a default.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from jobsai.embed.onnx_export import OnnxSettings  # noqa: E402

RECIPES: dict[str, OnnxSettings] = {
    "shipped": OnnxSettings(),
    "no-fp32": OnnxSettings(fp32_outlier_ratio=0),
    "o16x1/6": OnnxSettings(fp32_outlier_ratio=16, fp32_max_share=1 / 6),
    "o8x1/4": OnnxSettings(fp32_outlier_ratio=8, fp32_max_share=1 / 4),
    "down32": OnnxSettings(fp32_down_proj=True),
    "down32+o16x1/6": OnnxSettings(fp32_down_proj=True, fp32_outlier_ratio=16, fp32_max_share=1 / 6),
    "matmul-only+down32": OnnxSettings(op_types=("MatMul",), fp32_down_proj=True),
    "per-tensor+down32": OnnxSettings(per_channel=False, fp32_down_proj=True),
    "per-tensor+down32+o16x1/6": OnnxSettings(per_channel=False, fp32_down_proj=True, fp32_outlier_ratio=16,
                                              fp32_max_share=1 / 6),
    "per-tensor": OnnxSettings(per_channel=False),
}
"""Named recipes (``--recipes`` picks some); ``bench/embed_speed.py --recipe NAME`` times the same ones."""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--recipes", default=",".join(RECIPES))
    ap.add_argument("--both", action="store_true", help="also index the ads with each recipe")
    ap.add_argument("--noise", type=float, default=0.0, metavar="COSINE",
                    help="also rank with torch's query vectors plus random noise at this cosine (the noise floor)")
    ap.add_argument("--noise-draws", type=int, default=5)
    ap.add_argument("--work", type=Path, default=None, help="keeps the model cache (exports) between runs")
    args = ap.parse_args()
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

    import jobsai.embed.model as model_module
    from jobsai.config import Settings
    from jobsai.embed.text import cv_texts
    from jobsai.runtime import Runtime
    from quality import Bench, load_sets

    names = [n for n in args.recipes.split(",") if n]
    sets = load_sets(args.shared)
    work = args.work or Path(tempfile.mkdtemp(prefix="int8-recipes-"))
    cache = work / "cache"

    def settings(tag: str, backend: str = "torch") -> Settings:
        return Settings(data_dir=work / f"data-{tag}", database_url=None, qdrant_url=None,
                        model_cache_dir=cache, embed_backend=backend)  # type: ignore[arg-type]

    per_cv: dict[str, float] = {}

    def ndcgs(bench: Bench, rt: Runtime) -> dict[str, float]:
        reports = bench.evaluate(lambda text: rt.matcher.rank(text)[0])
        got = {cv: v for r in reports.values() for cv, v in r.per_cv.items()}
        if per_cv:  # the CVs that moved most against torch: is a loss one CV or many?
            moved = sorted(got, key=lambda cv: got[cv] - per_cv[cv])
            print("  most moved CVs: " + ", ".join(f"{cv} {got[cv] - per_cv[cv]:+.3f}" for cv in moved[:3])
                  + " | " + ", ".join(f"{cv} {got[cv] - per_cv[cv]:+.3f}" for cv in moved[-2:]))
        else:
            per_cv.update(got)
        return {s: r.ndcg["ALL"] for s, r in reports.items()}

    rows: list[tuple[str, str, str, dict[str, float]]] = []
    shutil.rmtree(work / "data-torch", ignore_errors=True)
    with Runtime(settings("torch")) as rt:
        bench = Bench(args.shared, rt, sets)
        rt.ingestor.load_items(bench.raw, expire=False)
        emb = rt.embedder
        queries = [t for text in bench.cvs().values() for t in cv_texts(text).query_texts()]
        ref = emb.encode_queries(queries)
        base = ndcgs(bench, rt)
        rows.append(("torch fp32", "-", "-", base))
        print(f"torch fp32: {base}", flush=True)
        for name in names:
            emb._query_onnx = None
            if not emb.use_onnx(threads=None, onnx_settings=RECIPES[name], queries_only=True):
                rows.append((f"{name} (queries)", "refused", "-", {}))
                continue
            enc = emb._query_onnx
            assert enc is not None
            cos = np.sum(emb.encode_queries(queries) * ref, axis=1)
            verification = f"{enc.mean_cosine:.4f}/{enc.min_cosine:.4f}"
            got = ndcgs(bench, rt)
            rows.append((f"{name} (queries)", verification, f"{cos.mean():.4f}/{cos.min():.4f}", got))
            print(f"{name} queries: verification {verification}, CV queries {cos.mean():.4f}/{cos.min():.4f}, "
                  f"{got}", flush=True)
        emb._query_onnx = None
        if args.noise:
            encode = emb.encode_queries
            scale = float(np.sqrt(1 / args.noise**2 - 1))
            for draw in range(args.noise_draws):
                rng = np.random.default_rng(draw)

                def noisy(texts: Sequence[str], rng: np.random.Generator = rng) -> np.ndarray:
                    v = encode(texts)
                    g = rng.standard_normal(v.shape).astype(np.float32)
                    g -= np.sum(g * v, axis=1, keepdims=True) * v  # orthogonal to v: cosine is exact
                    v = v + scale * g / np.linalg.norm(g, axis=1, keepdims=True)
                    return v / np.linalg.norm(v, axis=1, keepdims=True)

                emb.encode_queries = noisy  # type: ignore[method-assign]
                got = ndcgs(bench, rt)
                rows.append((f"torch + noise {draw} (queries)", "-", f"{args.noise:.4f}", got))
                print(f"noise draw {draw}: {got}", flush=True)
            emb.encode_queries = encode  # type: ignore[method-assign]

    if args.both:
        original = model_module.onnx_settings_for
        for name in names:

            def recipe_for(backend: str, name: str = name) -> OnnxSettings:
                return RECIPES[name]

            model_module.onnx_settings_for = recipe_for
            tag = f"both-{len(rows)}"
            shutil.rmtree(work / f"data-{tag}", ignore_errors=True)
            try:
                with Runtime(settings(tag, "onnx")) as rt:
                    bench.rt = rt
                    rt.ingestor.load_items(bench.raw, expire=False)
                    got = ndcgs(bench, rt)
                    onnx = rt.embedder._onnx
                    verification = f"{onnx.mean_cosine:.4f}/{onnx.min_cosine:.4f}" if onnx else "refused"
            finally:
                model_module.onnx_settings_for = original
                shutil.rmtree(work / f"data-{tag}", ignore_errors=True)
            rows.append((f"{name} (ads+queries)", verification, "-", got))
            print(f"{name} ads+queries: {got}", flush=True)

    print(f"\n{'recipe':34s} {'verif. cos mean/min':>20s} {'CV query cos':>14s} "
          + " ".join(f"{s.name:>14s}" for s in sets) + "  passes (loss <= 0.01 everywhere)")
    for name, verification, cos, got in rows:
        cells = " ".join(f"{got[s.name]:7.4f} {got[s.name] - base[s.name]:+.3f}" if s.name in got else f"{'-':>14s}"
                         for s in sets)
        ok = bool(got) and all(got[s.name] >= base[s.name] - 0.01 for s in sets)
        print(f"{name:34s} {verification:>20s} {cos:>14s} {cells}  {'yes' if ok else 'no'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
