"""Match quality on every development set: BM25 only, dense only, plain truncation, and the shipped hybrid.

Loads ``../shared/data/jobtech/ads.jsonl`` into a throw-away data directory (SQLite + Qdrant
Edge) with the real default model, ranks all 91 ads for every CV of

* ``dev``: ``../shared/eval-dev``, the 14 CVs every earlier heuristic was tuned on;
* ``dev2-A``: the tuning half of ``bench/eval-dev2`` (written blind to the first set);
* ``dev2-B``: its held-out half, which nothing is tuned on: the figure that predicts unseen CVs,

and scores each configuration with the first set's own ``score.py``. Prints nDCG@10 overall and
per language, MRR, R@10, the share of English-language ads in English CVs' top 10 (next to their
share of those CVs' relevant ads), per-category nDCG@10 for the second set, and the logistic fit
of P(grade >= 2) on the shipped fused score that ``match.scoring.Calibration`` should hold
(fitted on ``dev`` and ``dev2-A``; refit it whenever the weights change).

    python bench/quality.py [--shared ../shared] [--sets dev,dev2-A,dev2-B] [--shipped-only] [--json-out F]
    python bench/quality.py --shipped-only --backends torch-fp32,torch-bf16,onnx   # per inference backend
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType

import numpy as np

from jobsai.config import Settings
from jobsai.cv.language import detect_language
from jobsai.match.scoring import DEFAULT_WEIGHTS, Calibration
from jobsai.runtime import Runtime
from jobsai.sources.ads import Ad, parse_item

ROOT = Path(__file__).resolve().parents[1]
SET_NAMES = ("dev", "dev2-A", "dev2-B")


@dataclass(frozen=True)
class EvalSet:
    name: str
    labels: list[dict]
    cvs: dict[str, str]
    """CV file name -> text."""


def load_sets(shared: Path, names: Iterable[str] = SET_NAMES) -> list[EvalSet]:
    """The development sets that exist here, by name (a half of the second set filters its labels)."""
    sets = []
    for name in names:
        if name == "dev":
            folder, half = shared / "eval-dev", None
        else:
            folder, half = ROOT / "bench" / "eval-dev2", name.rsplit("-", 1)[1]
        if not (folder / "labels.json").exists():
            continue
        labels = [lab for lab in json.loads((folder / "labels.json").read_text()) if half in (None, lab.get("half"))]
        cvs = {lab["cv"]: (folder / "cvs" / lab["cv"]).read_text(encoding="utf-8") for lab in labels}
        sets.append(EvalSet(name, labels, cvs))
    return sets


def load_scorer(shared: Path) -> ModuleType:
    """The first set's own ``score.py`` as a module, so every set is scored by the same rules."""
    spec = importlib.util.spec_from_file_location("eval_score", shared / "eval-dev" / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_ads(shared: Path) -> list[dict]:
    with open(shared / "data/jobtech/ads.jsonl", encoding="utf-8") as fh:  # not splitlines(): U+2028
        return [json.loads(line) for line in fh if line.strip()]


SMOOTHING_SIGMA = 0.001
"""Noise (standard deviation) added to every fused score for :func:`smoothed_ndcg`: about int8's
median score error against torch fp32 (``bench/openvino_int8_layers.py``), i.e. score differences a
backend's own rounding makes and no ranking should rest on. Fixed before the backends were compared."""
SMOOTHING_SAMPLES = 2000


def smoothed_ndcg(
    scorer: ModuleType, es: EvalSet, scores: dict[str, dict[str, float]], codes: dict,
    sigma: float = SMOOTHING_SIGMA, samples: int = SMOOTHING_SAMPLES,
) -> dict[str, float]:
    """Per CV, the expected nDCG@10 when every ad's fused score moves by Gaussian noise of ``sigma``
    (SoftRank's idea, Taylor et al. 2008, by sampling): a near tie then counts as the coin flip it is.

    Why: plain nDCG@10 on 14-27 CVs turns on near ties: one CV whose top two ads are 0.0005 apart
    moves a 14-CV set's mean by 0.014 when they swap, so comparing two backends whose scores differ by
    ~0.001 measures which way such ties fall, not a loss. The noise draws are the same for every
    backend (seeded by the CV's name), so the difference between two backends is their own.
    """
    out = {}
    for lab in es.labels:
        cv = lab["cv"]
        ids = list(codes)
        grades = [scorer.grade_of(codes[i], lab) for i in ids]
        ideal = scorer.dcg(sorted(grades, reverse=True), 10)
        got = scores[cv]
        base = np.array([got.get(i, -np.inf) for i in ids], dtype=np.float64)
        gains = 2.0 ** np.array(grades) - 1
        rng = np.random.default_rng(zlib.crc32(cv.encode()))
        noisy = base[None, :] + sigma * rng.standard_normal((samples, len(ids)))
        top = np.argsort(-noisy, axis=1, kind="stable")[:, :10]
        dcg = (gains[top] / np.log2(np.arange(2, 12))[None, :]).sum(axis=1)
        out[cv] = float(dcg.mean() / ideal) if ideal > 0 else 0.0
    return out


def complete(order: list[str], all_ids: list[str]) -> list[str]:
    seen = set(order)
    return order + [i for i in all_ids if i not in seen]


@dataclass
class Report:
    """One configuration's scores on one set."""

    ndcg: dict[str, float]
    """ALL / sv / en."""
    mrr: float
    recall: float
    en_ad_share: float | None
    """Share of English-language ads in the English CVs' top 10."""
    en_relevant_share: float | None
    """Share of English-language ads among the English CVs' relevant (grade >= 2) ads."""
    by_category: dict[str, float]
    per_cv: dict[str, float]
    smoothed: dict[str, float] | None = None
    """Per CV, :func:`smoothed_ndcg` (filled in where the fused scores are at hand)."""


def score_set(
    scorer: ModuleType, es: EvalSet, rankings: dict[str, list[str]], codes: dict, english_ads: set[str]
) -> Report:
    results = scorer.score_all(es.labels, {cv: rankings[cv] for cv in es.cvs}, codes, 10)
    mean = scorer.means(results)
    per_cv = {r["cv"]: r["ndcg"] for r in results}
    cats: dict[str, list[float]] = defaultdict(list)
    for lab in es.labels:
        if "category" in lab:
            cats[lab["category"]].append(per_cv[lab["cv"]])
    en_top, en_rel = [], []
    for lab in es.labels:
        if lab["lang"] != "en":
            continue
        en_top.extend(i in english_ads for i in rankings[lab["cv"]][:10])
        relevant = [i for i in codes if scorer.grade_of(codes[i], lab) >= 2]
        en_rel.extend(i in english_ads for i in relevant)
    return Report(
        ndcg={k: mean[k]["ndcg"] for k in ("ALL", "sv", "en") if k in mean},
        mrr=mean["ALL"]["mrr"],
        recall=mean["ALL"]["recall"],
        en_ad_share=float(np.mean(en_top)) if en_top else None,
        en_relevant_share=float(np.mean(en_rel)) if en_rel else None,
        by_category={k: float(np.mean(v)) for k, v in sorted(cats.items())},
        per_cv=per_cv,
    )


class Bench:
    """Everything a quality run needs, built once: the sets, the scorer, a loaded runtime."""

    def __init__(self, shared: Path, rt: Runtime, sets: list[EvalSet]) -> None:
        self.shared = shared
        self.rt = rt
        self.sets = sets
        self.scorer = load_scorer(shared)
        self.raw = read_ads(shared)
        self.all_ids = [str(r["id"]) for r in self.raw]
        self.codes = self.scorer.load_ads(str(shared / "data/jobtech/ads.jsonl"))
        self.english_ads = {
            str(r["id"]) for r in self.raw
            if detect_language(f"{r.get('headline', '')}\n{(r.get('description') or {}).get('text') or ''}") == "en"
        }

    def cvs(self) -> dict[str, str]:
        return {cv: text for es in self.sets for cv, text in es.cvs.items()}

    def evaluate(self, rank: Callable[[str], list[str]]) -> dict[str, Report]:
        """Rank every CV of every set with ``rank`` and score each set."""
        rankings = {cv: complete(rank(text), self.all_ids) for cv, text in self.cvs().items()}
        return {es.name: score_set(self.scorer, es, rankings, self.codes, self.english_ads) for es in self.sets}


def print_table(rows: dict[str, dict[str, Report]], out=sys.stdout) -> None:
    print(f"{'configuration':26s} {'set':7s} {'nDCG@10':>8s} {'sv':>6s} {'en':>6s} {'MRR':>6s} {'R@10':>6s} "
          f"{'en-ads top10/relevant':>22s} {'smoothed':>8s}", file=out)
    for name, by_set in rows.items():
        for set_name, r in by_set.items():
            share = (f"{r.en_ad_share:.2f} / {r.en_relevant_share:.2f}" if r.en_ad_share is not None else "-")
            smooth = f"{_smooth(r):8.4f}" if r.smoothed is not None else f"{'-':>8s}"
            print(f"{name:26s} {set_name:7s} {r.ndcg['ALL']:8.4f} {r.ndcg.get('sv', float('nan')):6.3f} "
                  f"{r.ndcg.get('en', float('nan')):6.3f} {r.mrr:6.3f} {r.recall:6.3f} {share:>22s} {smooth}",
                  file=out)
    for name, by_set in rows.items():
        for set_name, r in by_set.items():
            if r.by_category:
                cats = "  ".join(f"{k} {v:.3f}" for k, v in r.by_category.items())
                print(f"{name} {set_name} by category: {cats}", file=out)


BACKENDS = {
    "torch-fp32": {"embed_backend": "torch", "embed_precision": "fp32"},
    "torch-bf16": {"embed_backend": "torch", "embed_precision": "bf16"},
    "onnx": {"embed_backend": "onnx", "embed_precision": "fp32"},
    "onnx-fp32": {"embed_backend": "onnx-fp32", "embed_precision": "fp32"},
    "openvino-fp32": {"embed_backend": "openvino", "embed_precision": "fp32"},
    "openvino-bf16": {"embed_backend": "openvino", "embed_precision": "bf16"},
    "openvino-int8": {"embed_backend": "openvino-int8"},
    "openvino-int8-fp32": {"embed_backend": "openvino-int8", "embed_precision": "fp32"},
    "openvino-int8+bf16-queries": {"embed_backend": "openvino-int8", "query_backend": "openvino"},
    "torch-bf16+openvino-queries": {"embed_backend": "torch", "embed_precision": "bf16", "query_backend": "openvino"},
    "shipped": {},
}
"""``--backends``: ``JOBSAI_EMBED_BACKEND`` + ``JOBSAI_EMBED_PRECISION``; ``shipped``: this machine's default."""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--sets", default=",".join(SET_NAMES))
    ap.add_argument("--shipped-only", action="store_true", help="only the shipped hybrid (faster)")
    ap.add_argument("--backends", default="shipped",
                    help=f"comma-separated, of {', '.join(BACKENDS)}: the shipped hybrid per inference backend, "
                         "each in a fresh index, with its nDCG@10 change against the first")
    ap.add_argument("--sigma", type=float, default=SMOOTHING_SIGMA,
                    help="score noise of the smoothed nDCG@10 (a sensitivity check; the default was fixed first)")
    ap.add_argument("--json-out", type=Path)
    ap.add_argument("--data-dir", type=Path, help="reuse a data dir (model cache is kept there)")
    args = ap.parse_args()
    shared: Path = args.shared
    sets = load_sets(shared, args.sets.split(","))
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = [b for b in backends if b not in BACKENDS]
    if unknown or not backends:
        ap.error(f"unknown backend(s) {unknown}; choose from {', '.join(BACKENDS)}")

    rows: dict[str, dict[str, Report]] = {}
    with tempfile.TemporaryDirectory() as t:
        root = args.data_dir or Path(t) / "data"
        for n, backend in enumerate(backends):
            settings = Settings(
                data_dir=root if n == 0 else root.with_name(f"{root.name}-{backend}"),
                model_cache_dir=root / "models",  # one model cache (and ONNX exports) for every backend
                database_url=None, qdrant_url=None, **BACKENDS[backend],
            )
            with Runtime(settings) as rt:
                bench = Bench(shared, rt, sets)
                if n == 0:
                    found, cal, shipped = _evaluate_all(bench, rt, sets, args.shipped_only)
                    hybrid = found.pop("hybrid (shipped)")
                    rows |= found
                else:
                    rt.ingestor.load_items(bench.raw, expire=False)
                    shipped = {cv: rt.matcher.rank(text) for cv, text in bench.cvs().items()}
                    hybrid = bench.evaluate(lambda text, shipped=shipped, bench=bench:
                                            _lookup(shipped, bench.cvs(), text)[0])
                scores = {cv: dict(zip(r[0], r[1].tolist(), strict=True)) for cv, r in shipped.items()}
                for es in sets:
                    hybrid[es.name].smoothed = smoothed_ndcg(bench.scorer, es, scores, bench.codes, sigma=args.sigma)
                emb = rt.embedder  # its precision as used: bf16 falls back to fp32 if its check fails
                with_precision = emb.backend in ("torch", "openvino", "openvino-int8")
                label = f"hybrid {emb.backend}" + (f" {emb.precision}" if with_precision else "")
                label += f", queries {emb.query_backend}" if emb.query_backend != emb.backend else ""
                print(f"{backend}: encoded with {label}", file=sys.stderr, flush=True)
                rows[label if len(backends) > 1 else "hybrid (shipped)"] = hybrid

    print_table(rows)
    if len(backends) > 1:
        hybrids = [k for k in rows if k.startswith("hybrid ")]
        first = rows[hybrids[0]]
        for name in hybrids[1:]:
            for measure, value in (("nDCG@10", _plain), (f"smoothed nDCG@10 (sigma {args.sigma})", _smooth)):
                change = {s: value(rows[name][s]) - value(first[s]) for s in first}
                pooled = _pooled(rows[name], value) - _pooled(first, value)
                verdict = ("within 0.01 on every set" if min(change.values()) >= -0.01
                           else "LOSES MORE THAN 0.01 on a set")
                print(f"{name} vs {hybrids[0]}: {measure} "
                      + "  ".join(f"{s} {d:+.4f}" for s, d in change.items())
                      + f"  all {sum(len(r.per_cv) for r in first.values())} CVs {pooled:+.4f}  ({verdict})")
    print(f"calibration fit (P(grade >= 2) on the shipped fused score): slope={cal.slope:.1f} "
          f"midpoint={cal.midpoint:.3f}")
    if args.json_out:
        args.json_out.write_text(json.dumps(
            {name: {s: r.__dict__ for s, r in by_set.items()} for name, by_set in rows.items()}, indent=1
        ))
    return 0


def _evaluate_all(
    bench: Bench, rt: Runtime, sets: list[EvalSet], shipped_only: bool
) -> tuple[dict[str, dict[str, Report]], Calibration, dict]:
    """BM25 only, dense only, the shipped hybrid and plain truncation on one loaded runtime, the
    calibration fitted on the shipped hybrid's scores, and that hybrid's rankings per CV."""
    rt.ingestor.load_items(bench.raw, expire=False)
    m = rt.matcher
    rows: dict[str, dict[str, Report]] = {}
    if not shipped_only:
        # BM25 only (the index's Swedish BM25 over title, skills and description).
        rows["bm25"] = bench.evaluate(
            lambda text: [h.ad_id for h in rt.index.search_sparse(rt.bm25.embed_query(text), limit=200)]
        )
        # Dense only: the shipped dense features without BM25.
        m.weights = replace(DEFAULT_WEIGHTS, bm25=0.0)
        rows["dense"] = bench.evaluate(lambda text: m.rank(text)[0])
        m.weights = DEFAULT_WEIGHTS
    shipped = {cv: m.rank(text) for cv, text in bench.cvs().items()}
    rows["hybrid (shipped)"] = bench.evaluate(lambda text: _lookup(shipped, bench.cvs(), text)[0])

    groups = {str(r["id"]): (r.get("occupation_group") or {}).get("concept_id") for r in bench.raw}
    fused, relevant = [], []
    for es in sets:
        if es.name == "dev2-B":
            continue  # the held-out half fits nothing
        for lab in es.labels:
            ids, scores = shipped[lab["cv"]][0], shipped[lab["cv"]][1]
            fused.extend(scores.tolist())
            relevant.extend(groups.get(i) in lab["target_group"] for i in ids)
    cal = Calibration.fit(np.array(fused), np.array(relevant))

    if not shipped_only:
        # Plain truncation baseline: headline + description vs the whole CV, cut by the model.
        st = rt.embedder.sentence_transformer
        ads = [parse_item(r) for r in bench.raw]
        ad_texts = [f"passage: {a.headline}\n{a.description}" for a in ads if isinstance(a, Ad)]
        A = st.encode(ad_texts, normalize_embeddings=True, batch_size=16)

        def plain(text: str) -> list[str]:
            q = st.encode([f"query: {text}"], normalize_embeddings=True)[0]
            return [bench.all_ids[i] for i in np.argsort(-(A @ q))]

        rows["plain truncation (dense)"] = bench.evaluate(plain)
    return rows, cal, shipped


def _plain(r: Report) -> float:
    return r.ndcg["ALL"]


def _smooth(r: Report) -> float:
    assert r.smoothed is not None
    return float(np.mean(list(r.smoothed.values())))


def _pooled(by_set: dict[str, Report], value: Callable[[Report], float]) -> float:
    """The mean over every CV of every set (each set weighted by its size)."""
    return sum(value(r) * len(r.per_cv) for r in by_set.values()) / sum(len(r.per_cv) for r in by_set.values())


def _lookup(shipped: dict, cvs: dict[str, str], text: str):
    """The shipped ranking computed once per CV, found again by its text."""
    for cv, t in cvs.items():
        if t == text:
            return shipped[cv]
    raise KeyError("unknown CV text")


if __name__ == "__main__":
    sys.exit(main())
