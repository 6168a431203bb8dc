"""Which linear layers should ``openvino-int8`` quantise, with which activation groups? One run, per variant:

* the verification texts' cosine to fp32 (what every load checks);
* the error of the fused match score against torch fp32, over every dev CV's top 20 ads (median
  and p95): a continuous measure of fidelity, where nDCG@10 on 14-20 CVs per set flips with one
  near tie (neighbouring ads in a top 10 are a median 0.0035 apart in fused score);
* nDCG@10 change against torch fp32 on every dev set (the gate: no loss over 0.01 on any), plain and
  smoothed (``quality.smoothed_ndcg``: expected under score noise of 0.001, so a near tie counts half);
* bulk speed against OpenVINO bf16: CPU time to encode the same ~240 pipeline-length ad texts,
  the two interleaved, best of three rounds.

A variant is the set of layers left unquantised (``compress_linear_weights(keep=...)``) and the
activation group size (``DYNAMIC_QUANTIZATION_GROUP_SIZE``; 0: weights only, no int8 products).
Each builds its own int8 IR and index; the rest of the model runs at ``--precision``.

    python bench/openvino_int8_layers.py [--variants shipped,all] [--precision bf16] [--work /tmp/ov8]

Measured (2 Zen 4 cores, bf16 rest, IRs made from the fp16 IR as shipped; torch fp32 0.9039 / 0.8212 /
0.8268; OpenVINO bf16 itself: score error 0.0002 / 0.0006, nDCG +0.0000 / +0.0001 / -0.0023):

    variant                      cosine   score error p50/p95   dev / dev2-A / dev2-B       speed
    shipped (every layer)        0.99981  0.00115 / 0.00343     -0.0136 +0.0135 -0.0040     1.24x
    down proj. bf16              0.99985  0.00102 / 0.00293     -0.0140 +0.0101 -0.0040     1.12x
    down proj. bf16, groups 128  0.99975  0.00153 / 0.00404     -0.0160 +0.0206 -0.0002     1.18x
    attention bf16               0.99992  0.00096 / 0.00261     -0.0172 +0.0115 +0.0011     1.10x
    up proj. only int8           0.99995  0.00060 / 0.00178     -0.0189 +0.0123 +0.0008     1.05x
    every layer, groups 32       0.99988  0.00108 / 0.00300     -0.0041 +0.0205 -0.0021     1.18x
    weights only                 0.99994  0.00066 / 0.00195     -0.0040 -0.0041 -0.0003     0.92x

The same variants made from the fp32 ONNX file (fp32 embedding table and unquantised layers, what
``save_model`` keeps for a model with int8 weights), one day earlier: down proj. bf16 +0.0015
+0.0205 +0.0017 (passes), every layer -0.0178 +0.0050 -0.0013, groups 32 -0.0192 +0.0187 +0.0051,
attention bf16 -0.0193 +0.0104 +0.0011, up only -0.0126 +0.0144 +0.0014, weights only -0.0039
+0.0054 -0.0006; speeds within 0.05x of the above. (Weights with a scale per 128 inputs instead of
per channel, once: cosine 0.99982, 1.06x.) Two variants pass on every set in each run, not the
same two: every variant moves these small sets by up to ~0.02 either way, and whether one passes
is mostly which way dev07's top two ads (0.0005 apart) fall. So the shipped backend takes the
fastest choice (``JOBSAI_EMBED_BACKEND=auto`` picks it on such CPUs). (The smoothed columns came
later and were not run on Zen 4.)

On 2 cores of an Intel Xeon with AMX the shipped variant ran 0.79x bf16 (cosine 0.99994, score
error 0.00063 / 0.00191, plain -0.0040 / -0.0041 / -0.0014, smoothed -0.0017 / -0.0028 / -0.0016 with
smoothed torch fp32 at 0.8963 / 0.8288 / 0.8267), and the next three were as slow: with its rest in
bf16 OpenVINO multiplies the int8 weights in bf16 on AMX (``embed.precision.int8_slower_here``).
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from jobsai.embed.openvino_int8 import GROUP_SIZE  # noqa: E402


def _down_projection(name: str, inputs: int, outputs: int) -> bool:
    """The feed-forward block's second product (1536 -> 384 in e5-small), whose input is the GELU's
    output: the only linear layer with more inputs than outputs."""
    return inputs > outputs


def _attention(name: str, inputs: int, outputs: int) -> bool:
    return "/attention/" in name


def _not_up(name: str, inputs: int, outputs: int) -> bool:
    return not inputs < outputs


VARIANTS: dict[str, tuple[Callable[[str, int, int], bool] | None, int]] = {
    "shipped": (None, GROUP_SIZE),
    "down-bf16": (_down_projection, 64),
    "down-bf16-g128": (_down_projection, 128),
    "attention-bf16": (_attention, 64),
    "up-only": (_not_up, 64),
    "all-g32": (None, 32),
    "weights-only": (None, 0),
}
"""Layers left unquantised and the activation group size (0: weights only)."""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--precision", default="bf16", choices=["bf16", "fp32"], help="what runs beside int8")
    ap.add_argument("--texts", type=int, default=240, help="ad texts per speed round")
    ap.add_argument("--work", type=Path, default=None, help="keeps the model cache (exports) between runs")
    args = ap.parse_args()
    names = [n for n in args.variants.split(",") if n]
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        ap.error(f"unknown variant(s) {unknown}; choose from {', '.join(VARIANTS)}")
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

    import jobsai.embed.openvino_backend as ob
    from jobsai.config import Settings
    from jobsai.embed.openvino_int8 import compress_linear_weights
    from jobsai.runtime import Runtime
    from quality import Bench, load_sets, smoothed_ndcg

    sets = load_sets(args.shared)
    work = args.work or Path(tempfile.mkdtemp(prefix="ov-int8-layers-"))

    def open_runtime(tag: str, backend: str, precision: str) -> Runtime:
        shutil.rmtree(work / f"data-{tag}", ignore_errors=True)
        return Runtime(Settings(data_dir=work / f"data-{tag}", model_cache_dir=work / "cache", database_url=None,
                                qdrant_url=None, embed_backend=backend, embed_precision=precision))  # type: ignore[arg-type]

    def ranked(bench: Bench, rt: Runtime) -> dict[str, dict[str, float]]:
        rt.ingestor.load_items(bench.raw, expire=False)
        return {cv: dict(zip(ids, scores.tolist(), strict=True))
                for cv, text in bench.cvs().items() for ids, scores, *_ in [rt.matcher.rank(text)]}

    def ndcg(bench: Bench, scores: dict[str, dict[str, float]]) -> dict[str, float]:
        by_text = {text: cv for cv, text in bench.cvs().items()}
        reports = bench.evaluate(lambda text: sorted(scores[by_text[text]], key=lambda i: -scores[by_text[text]][i]))
        return {s: r.ndcg["ALL"] for s, r in reports.items()}

    def smoothed(bench: Bench, scores: dict[str, dict[str, float]]) -> dict[str, float]:
        return {es.name: float(np.mean(list(smoothed_ndcg(bench.scorer, es, scores, bench.codes).values())))
                for es in bench.sets}

    def score_error(scores: dict[str, dict[str, float]], ref: dict[str, dict[str, float]]) -> tuple[float, float]:
        diffs = [abs(scores[cv][i] - ref[cv][i]) for cv in ref
                 for i in sorted(ref[cv], key=lambda i: -ref[cv][i])[:20] if i in scores[cv]]
        return float(np.percentile(diffs, 50)), float(np.percentile(diffs, 95))

    with open_runtime("fp32", "torch", "fp32") as rt:
        bench = Bench(args.shared, rt, sets)
        ref = ranked(bench, rt)
    base, base_smooth = ndcg(bench, ref), smoothed(bench, ref)
    print("torch fp32: " + "  ".join(f"{s} {v:.4f}" for s, v in base.items())
          + "; smoothed " + "  ".join(f"{s} {v:.4f}" for s, v in base_smooth.items()), flush=True)
    texts = []
    for raw in bench.raw:
        words = ((raw.get("description") or {}).get("text") or "").split()[:120]
        texts.append(f"{raw.get('headline', '')}\n{' '.join(words)}")
    texts = (texts * (args.texts // len(texts) + 1))[: args.texts]

    rows = []
    with open_runtime("bf16", "openvino", args.precision) as ref_rt:
        bf16 = ref_rt.embedder
        assert bf16._onnx is not None, "OpenVINO is not available"
        int8_ir = bf16._onnx.path.parent / ob.INT8_IR_DIR  # made from the same fp32 export
        for name in names:
            keep, group = VARIANTS[name]
            ob.compress_linear_weights = functools.partial(compress_linear_weights, keep=keep)  # type: ignore[assignment]
            ob.GROUP_SIZE = group
            shutil.rmtree(int8_ir, ignore_errors=True)  # this variant's IR is made afresh
            try:
                with open_runtime(name, "openvino-int8", args.precision) as rt:
                    scores = ranked(bench, rt)
                    enc = rt.embedder._onnx
                    assert enc is not None
                    ours, theirs = [], []
                    for _ in range(3):
                        for emb, spent in ((rt.embedder, ours), (bf16, theirs)):
                            started = time.process_time()
                            emb.encode_passages(texts)
                            spent.append(time.process_time() - started)
            finally:
                shutil.rmtree(int8_ir, ignore_errors=True)  # never left for the shipped recipe to read
                ob.compress_linear_weights = compress_linear_weights
                ob.GROUP_SIZE = GROUP_SIZE
            got, smooth = ndcg(bench, scores), smoothed(bench, scores)
            p50, p95 = score_error(scores, ref)
            rows.append((name, enc.mean_cosine, p50, p95, got, smooth, min(theirs) / min(ours)))
            print(f"{name}: cosine {enc.mean_cosine:.5f}, score error {p50:.5f}/{p95:.5f}, "
                  + " ".join(f"{s} {got[s] - base[s]:+.4f}" for s in base) + "; smoothed "
                  + " ".join(f"{s} {smooth[s] - base_smooth[s]:+.4f}" for s in base)
                  + f", {rows[-1][-1]:.2f}x bf16", flush=True)

    print(f"\n{'variant':16s} {'cosine':>8s} {'score error p50/p95':>20s} "
          + " ".join(f"{s:>8s}" for s in base) + "  |" + " ".join(f"{s:>8s}" for s in base)
          + f" {'speed vs bf16':>14s}  passes (plain, smoothed)")
    for name, cos, p50, p95, got, smooth, speed in rows:
        ok = all(got[s] >= base[s] - 0.01 for s in base)
        ok_smooth = all(smooth[s] >= base_smooth[s] - 0.01 for s in base)
        print(f"{name:16s} {cos:8.5f} {p50:9.5f} / {p95:7.5f} " + " ".join(f"{got[s] - base[s]:+8.4f}" for s in base)
              + "  |" + " ".join(f"{smooth[s] - base_smooth[s]:+8.4f}" for s in base)
              + f" {speed:13.2f}x  {'yes' if ok else 'no'}, {'yes' if ok_smooth else 'no'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
