"""Rank ads for CVs with a given model, exactly as serving scores them, and compute metrics.

Serving's dense features (profile/chunk cosines against title/body vectors, fused with the
fitted weights of :mod:`jobsai.match.scoring`) are reproduced here without an index, so a
challenger can be evaluated before any index is built with it. BM25 is left out: it does not
depend on the model and would blur the comparison.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from jobsai.embed.model import Embedder, Prefixes
from jobsai.embed.model_ref import ModelRef
from jobsai.embed.text import AdTexts, ad_texts, cv_texts
from jobsai.learn.metrics import mean_metrics, ranking_metrics
from jobsai.match.scoring import CvVectors, compute_features, fuse
from jobsai.sources.ads import Ad, parse_item

K = 10


class STEncoder:
    """A SentenceTransformer plus the serving prefixes: fp32, no int8 copy (evaluation and training)."""

    def __init__(self, model: Any, prefixes: Prefixes, *, name: str = "", batch_size: int = 32) -> None:
        self.model = model
        self.prefixes = prefixes
        self.name = name
        self.batch_size = batch_size

    def encode(self, texts: Sequence[str], kind: str) -> np.ndarray:
        prefix = self.prefixes.query if kind == "query" else self.prefixes.passage
        vecs = self.model.encode(
            [prefix + t for t in texts],
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.asarray(vecs, dtype=np.float32)


def load_encoder(settings: Any, model: str | Path) -> STEncoder:
    """Load a model (folder or the configured spec) the way serving does, for evaluation."""
    # fp32 torch: evaluation needs only the trainable model, not an (ONNX) inference export of it
    emb = Embedder.load(settings.model_copy(update={"embed_quantize": False}), model=ModelRef(str(model), "torch"))
    return STEncoder(emb.sentence_transformer, emb.prefixes, name=str(model))


@dataclass(frozen=True, slots=True)
class LabelledCV:
    id: str
    text: str
    target_occupation: tuple[str, ...]
    target_group: tuple[str, ...]
    target_field: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Benchmark:
    name: str
    cvs: tuple[LabelledCV, ...]
    ads: tuple[Ad, ...]
    veto: bool = True
    """Whether a challenger that is confidently worse here is rejected. A set that the ranking's
    heuristics were tuned on (``eval-dev``) is reported but judges with a biased ruler: it does
    not veto once a set nobody tuned on (the held-out half of ``bench/eval-dev2``) is present."""


def grade_of(ad: Ad, cv: LabelledCV) -> int:
    """3 same occupation, 2 same occupation group, 1 same field, else 0 (as eval-dev's score.py)."""
    if ad.occupation and ad.occupation.concept_id in cv.target_occupation:
        return 3
    if ad.occupation_group and ad.occupation_group.concept_id in cv.target_group:
        return 2
    if ad.occupation_field and ad.occupation_field.concept_id in cv.target_field:
        return 1
    return 0


def fused_scores(encoder: STEncoder, cv_text: str, titles: np.ndarray, bodies: np.ndarray) -> np.ndarray:
    """Serving's fused dense score of every ad for one CV."""
    t = cv_texts(cv_text)
    cv = CvVectors.split(t, encoder.encode(t.query_texts(), "query"))
    return fuse(compute_features(cv, titles, bodies, np.zeros(len(titles), dtype=np.float32)))


def rank_ads(encoder: STEncoder, cv_text: str, titles: np.ndarray, bodies: np.ndarray) -> np.ndarray:
    """Indices of the ads, best first, by serving's fused dense score."""
    return np.argsort(-fused_scores(encoder, cv_text, titles, bodies), kind="stable")


def encode_ads(encoder: STEncoder, texts: Sequence[AdTexts]) -> tuple[np.ndarray, np.ndarray]:
    return encoder.encode([a.title for a in texts], "passage"), encoder.encode([a.body for a in texts], "passage")


def evaluate_benchmark(
    encoder: STEncoder, bench: Benchmark, k: int = K, scored: list[tuple[float, bool]] | None = None
) -> dict[str, Any]:
    """Mean ranking metrics over the benchmark's CVs (and ``per_cv`` nDCG for the gate); every
    (fused score, grade >= 2) pair is appended to ``scored`` when given, to fit a score curve."""
    titles, bodies = encode_ads(encoder, [ad_texts(a) for a in bench.ads])
    per_cv = []
    for cv in bench.cvs:
        pool = [grade_of(a, cv) for a in bench.ads]
        fused = fused_scores(encoder, cv.text, titles, bodies)
        if scored is not None:
            scored.extend((float(s), g >= 2) for s, g in zip(fused, pool, strict=True))
        order = np.argsort(-fused, kind="stable")
        per_cv.append(ranking_metrics([pool[i] for i in order], pool, k=k, rr_wanted=3, recall_wanted=2))
    out: dict[str, Any] = mean_metrics(per_cv)
    if per_cv:  # per CV, in order, for the gate's paired comparison
        out["per_cv"] = [m[f"ndcg@{k}"] for m in per_cv]
    return out


def evaluate_feedback(
    encoder: STEncoder, groups: Sequence[Any], pool: dict[str, str], k: int = K
) -> dict[str, Any]:
    """Held-out feedback: each test CV ranks the ads its person judged; "relevant" ones have grade 1.

    Only judged ads are ranked (a "condensed list", Sakai 2007). Every other ad in the pool is
    unjudged for this CV: grading those 0 punished a challenger for lifting ads of the right
    occupation that another person liked, while favouring the champion, whose ranking chose
    what people saw. (With the real model a clean challenger lost 0.04 on that count while
    gaining 0.04 on the fixed benchmark.) A CV with no "not relevant" ad says nothing about
    order and is left out.
    """
    from jobsai.learn.dataset import split_ad_text

    ids = sorted({i for g in groups for i in (*g.positives, *g.negatives)} & pool.keys())
    titles, bodies = encode_ads(encoder, [split_ad_text(pool[i]) for i in ids])
    per_cv = []
    for g in groups:
        judged = [n for n, i in enumerate(ids) if i in g.positives or i in g.negatives]
        grades = [1 if ids[n] in g.positives else 0 for n in judged]
        if not any(grades) or all(grades):
            continue
        order = rank_ads(encoder, g.cv_text, titles[judged], bodies[judged])
        per_cv.append(ranking_metrics([grades[i] for i in order], grades, k=k, rr_wanted=1, recall_wanted=1))
    out: dict[str, Any] = mean_metrics(per_cv)
    if per_cv:  # per test CV, in order, for the gate's paired comparison
        out["per_cv"] = [m[f"ndcg@{k}"] for m in per_cv]
    return out


# ---------------------------------------------------------------- benchmarks


def _ads_from_items(items: Any) -> tuple[Ad, ...]:
    out = []
    for item in items:
        ad = parse_item(item)
        if isinstance(ad, Ad):
            out.append(ad)
    return tuple(sorted(out, key=lambda a: a.id))


@cache
def demo_ads() -> tuple[Ad, ...]:
    from datetime import UTC, datetime

    from jobsai.sources.demo import iter_demo_items

    return _ads_from_items(iter_demo_items(datetime(2026, 1, 1, tzinfo=UTC)))


def project_benchmark() -> Benchmark:
    """The project's own fixed benchmark: fictional CVs with target occupations, against the demo ads."""
    data = json.loads(resources.files("jobsai.learn").joinpath("data/benchmark.json").read_text(encoding="utf-8"))
    cvs = tuple(
        LabelledCV(
            id=c["id"],
            text=c["text"],
            target_occupation=tuple(c["target_occupation"]),
            target_group=tuple(c["target_group"]),
            target_field=tuple(c.get("target_field", ())),
        )
        for c in data["cvs"]
    )
    return Benchmark(name="project", cvs=cvs, ads=demo_ads())


def find_eval_dev(start: Path | None = None) -> Path | None:
    """``shared/eval-dev`` beside this checkout or the working directory (``JOBSAI_EVAL_DEV_DIR`` wins)."""
    import os

    env = os.environ.get("JOBSAI_EVAL_DEV_DIR")
    if env:
        return Path(env) if (Path(env) / "labels.json").is_file() else None
    here = Path(__file__).resolve()
    for base in [start or Path.cwd(), *here.parents]:
        for cand in (base / "shared" / "eval-dev", base.parent / "shared" / "eval-dev"):
            if (cand / "labels.json").is_file():
                return cand
    return None


def find_eval_dev2() -> Path | None:
    """``bench/eval-dev2`` of this checkout (``JOBSAI_EVAL_DEV2_DIR`` wins): the second development
    set, whose half B nothing was tuned on."""
    import os

    env = os.environ.get("JOBSAI_EVAL_DEV2_DIR")
    candidates = [Path(env)] if env else [p / "bench" / "eval-dev2" for p in Path(__file__).resolve().parents]
    return next((c for c in candidates if (c / "labels.json").is_file()), None)


def _jobtech_ads(shared_eval_dev: Path) -> tuple[Ad, ...] | None:
    ads_file = shared_eval_dev.parent / "data" / "jobtech" / "ads.jsonl"
    if not ads_file.is_file():
        return None
    opener = gzip.open if ads_file.suffix == ".gz" else open
    with opener(ads_file, "rt", encoding="utf-8") as fh:
        return _ads_from_items(json.loads(line) for line in fh if line.strip())


def eval_dev_benchmark(
    folder: Path, *, ads_from: Path | None = None, half: str | None = None, name: str = "eval-dev", veto: bool = True
) -> Benchmark | None:
    """A set in eval-dev's format (``../shared/eval-dev``, or ``bench/eval-dev2`` with ``half``)
    against ``../shared/data/jobtech/ads.jsonl`` (found beside ``ads_from``, default ``folder``)."""
    ads = _jobtech_ads(ads_from or folder)
    if ads is None:
        return None
    cvs = []
    for label in json.loads((folder / "labels.json").read_text(encoding="utf-8")):
        if half is not None and label.get("half") != half:
            continue
        cvs.append(
            LabelledCV(
                id=label["cv"],
                text=(folder / "cvs" / label["cv"]).read_text(encoding="utf-8"),
                target_occupation=tuple(label["target_occupation"]),
                target_group=tuple(label["target_group"]),
                target_field=tuple(label["target_field"]),
            )
        )
    return Benchmark(name=name, cvs=tuple(cvs), ads=ads, veto=veto)


HELD_OUT_HALF = "B"
"""The half of ``bench/eval-dev2`` that no ranking heuristic is tuned on."""


def benchmarks(include_eval_dev: bool = True) -> list[Benchmark]:
    """The fixed benchmarks a challenger is measured on: the project's own (shipped), and in a
    checkout beside ``../shared`` the first development set and the second set's held-out half.

    Which ones veto: the held-out half when it is there (nothing was tuned on it); the first set
    and the project's own are then reported only, because every heuristic was tuned on them."""
    out = [project_benchmark()]
    if not include_eval_dev or (folder := find_eval_dev()) is None:
        return out
    held_out = None
    if (folder2 := find_eval_dev2()) is not None:
        held_out = eval_dev_benchmark(folder2, ads_from=folder, half=HELD_OUT_HALF, name="eval-dev2-B")
    if (b := eval_dev_benchmark(folder, veto=held_out is None)) is not None:
        out.append(b)
    if held_out is not None and held_out.cvs:
        out[0] = replace(out[0], veto=False)
        out.append(held_out)
    return out
