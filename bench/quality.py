"""Match quality on the development set: BM25 only, dense only, plain truncation, and the shipped hybrid.

Loads ``../shared/data/jobtech/ads.jsonl`` into a throw-away data directory (SQLite + Qdrant
Edge) with the real default model, ranks all 91 ads for every CV in ``../shared/eval-dev``,
and scores each configuration with the set's own ``score.py``. Prints one table, then the
logistic fit of P(grade >= 2) on the shipped fused score that ``match.scoring.Calibration``
should hold (refit it whenever the weights change).

    python bench/quality.py [--shared ../shared] [--json-out results.json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

from jobsai.config import Settings
from jobsai.match.scoring import DEFAULT_WEIGHTS
from jobsai.runtime import Runtime
from jobsai.sources.ads import Ad, parse_item

ROOT = Path(__file__).resolve().parents[1]


def _score(shared: Path, rankings: dict[str, list[str]], tmp: Path, name: str) -> dict:
    rpath = tmp / f"rank-{name}.json"
    rpath.write_text(json.dumps(rankings))
    out = tmp / f"score-{name}.json"
    subprocess.run(
        [sys.executable, str(shared / "eval-dev" / "score.py"), "--ads", str(shared / "data/jobtech/ads.jsonl"),
         "--labels", str(shared / "eval-dev" / "labels.json"), "--rankings", str(rpath), "--json-out", str(out)],
        check=True, capture_output=True, text=True,
    )
    return json.loads(out.read_text())


def _complete(order: list[str], all_ids: list[str]) -> list[str]:
    seen = set(order)
    return order + [i for i in all_ids if i not in seen]


def fit_calibration(scores: np.ndarray, relevant: np.ndarray, iters: int = 50) -> tuple[float, float]:
    """Logistic regression P(relevant) = 1 / (1 + exp(-slope * (score - midpoint))) by Newton's
    method; returns (slope, midpoint)."""
    x = np.stack([np.ones_like(scores), scores], axis=1).astype(np.float64)
    y = relevant.astype(np.float64)
    beta = np.zeros(2)
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-(x @ beta)))
        hessian = x.T @ (x * (p * (1 - p))[:, None]) + 1e-9 * np.eye(2)
        beta += np.linalg.solve(hessian, x.T @ (y - p))
    return float(beta[1]), float(-beta[0] / beta[1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--json-out", type=Path)
    ap.add_argument("--data-dir", type=Path, help="reuse a data dir (model cache is kept there)")
    args = ap.parse_args()
    shared: Path = args.shared
    labels = json.loads((shared / "eval-dev" / "labels.json").read_text())
    cvs = {lab["cv"]: (shared / "eval-dev" / "cvs" / lab["cv"]).read_text() for lab in labels}
    with open(shared / "data/jobtech/ads.jsonl", encoding="utf-8") as fh:  # not splitlines(): U+2028
        raw = [json.loads(line) for line in fh if line.strip()]
    all_ids = [str(r["id"]) for r in raw]

    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        data_dir = args.data_dir or tmp / "data"
        settings = Settings(data_dir=data_dir, database_url=None, qdrant_url=None)
        with Runtime(settings) as rt:
            rt.ingestor.load_items(raw, expire=False)
            m = rt.matcher
            configs: dict[str, dict[str, list[str]]] = {}

            # BM25 only (the index's Swedish BM25 over title, skills and description).
            configs["bm25"] = {
                cv: _complete([h.ad_id for h in rt.index.search_sparse(rt.bm25.embed_query(text), limit=200)], all_ids)
                for cv, text in cvs.items()
            }
            # Dense only: the shipped dense features without BM25.
            m.weights = replace(DEFAULT_WEIGHTS, bm25=0.0)
            configs["dense"] = {cv: _complete(m.rank(text)[0], all_ids) for cv, text in cvs.items()}
            m.weights = DEFAULT_WEIGHTS
            shipped = {cv: m.rank(text) for cv, text in cvs.items()}
            configs["hybrid (shipped)"] = {cv: _complete(r[0], all_ids) for cv, r in shipped.items()}
            codes = {str(r["id"]): ((r.get("occupation_group") or {}).get("concept_id")) for r in raw}
            fused, relevant = [], []
            for lab in labels:
                ids, scores = shipped[lab["cv"]][0], shipped[lab["cv"]][1]
                fused.extend(scores.tolist())
                relevant.extend(codes.get(i) in lab["target_group"] for i in ids)
            slope, midpoint = fit_calibration(np.array(fused), np.array(relevant))

            # Plain truncation baseline: headline + description vs the whole CV, cut by the model.
            st = rt.embedder.sentence_transformer
            ads = [parse_item(r) for r in raw]
            ad_texts = [f"passage: {a.headline}\n{a.description}" for a in ads if isinstance(a, Ad)]
            A = st.encode(ad_texts, normalize_embeddings=True, batch_size=16)
            plain = {}
            for cv, text in cvs.items():
                q = st.encode([f"query: {text}"], normalize_embeddings=True)[0]
                plain[cv] = [all_ids[i] for i in np.argsort(-(A @ q))]
            configs["plain truncation (dense)"] = plain

        rows = {name: _score(shared, r, tmp, name.split()[0]) for name, r in configs.items()}
    print(f"{'configuration':28s} {'nDCG@10':>8s} {'sv':>7s} {'en':>7s} {'MRR':>7s} {'R@10':>7s}")
    for name, res in rows.items():
        mean = res["mean"]
        print(f"{name:28s} {mean['ALL']['ndcg']:8.4f} {mean['sv']['ndcg']:7.4f} {mean['en']['ndcg']:7.4f} "
              f"{mean['ALL']['mrr']:7.4f} {mean['ALL']['recall']:7.4f}")
    print(f"calibration fit (P(grade >= 2) on the shipped fused score): slope={slope:.1f} midpoint={midpoint:.3f}")
    if args.json_out:
        args.json_out.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
