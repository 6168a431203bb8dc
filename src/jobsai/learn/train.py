"""Fine-tune the embedding model on feedback, gate it, and record the run in the model registry.

* Training text is serving text: :mod:`jobsai.learn.dataset` builds it with
  :mod:`jobsai.embed.text`, and the serving model's own query/passage prefixes are added here.
* Loss: MultipleNegativesRankingLoss over (CV text, relevant ad text, negative ad text) triplets:
  the explicit "not relevant" answers and hard negatives mined from the current index, plus every
  other positive in the batch (a no-duplicates sampler keeps a CV's own positives apart).
* The saved folder holds weights, tokenizer, config and a model card written here from counts,
  hyperparameters and metrics only; sentence-transformers' generated card (which embeds training
  samples) is never written, and no CV text enters any file.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from jobsai.embed import model_card
from jobsai.errors import JobsAIError
from jobsai.learn.dataset import SearchFn, TrainingSet, build_training_set, training_triplets
from jobsai.learn.evaluate import Benchmark, STEncoder, benchmarks, load_encoder
from jobsai.learn.gate import GateConfig, GateResult, decide, decide_domain, evaluate_model
from jobsai.match.scoring import Calibration
from jobsai.timeutil import utcnow

log = logging.getLogger(__name__)


class LearnError(JobsAIError):
    """Training cannot run (too little consented feedback, no such base model, ...)."""


@dataclass(frozen=True, slots=True)
class TrainConfig:
    epochs: float = 1.0
    max_steps: int = -1
    """Stop after this many optimiser steps (-1: run ``epochs``)."""
    batch_size: int = 16
    learning_rate: float = 2e-5
    warmup_ratio: float = 0.1
    seed: int = 13
    test_fraction: float = 0.2
    max_chunks: int = 2
    hard_negatives_per_cv: int = 5
    progress: bool = True


@dataclass(slots=True)
class TrainReport:
    version: str
    path: Path
    base: str
    status: str
    reason: str
    sizes: dict[str, int]
    gate: GateResult
    train_stats: dict[str, Any] = field(default_factory=dict)


def new_version(now: datetime | None = None) -> str:
    now = now or utcnow()
    return f"v{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def fine_tune(
    encoder: STEncoder, triplets: list[tuple[str, str, str]], out_dir: Path, config: TrainConfig
) -> dict[str, Any]:
    """Train ``encoder.model`` in place on triplets (prefixes added here) and save it to ``out_dir``."""
    import torch
    from datasets import Dataset
    from sentence_transformers import SentenceTransformerTrainer, SentenceTransformerTrainingArguments
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
    from sentence_transformers.sentence_transformer.training_args import BatchSamplers

    if not triplets:
        raise LearnError("No training examples: the consented feedback has no CV with both a positive and a negative.")
    q, p = encoder.prefixes.query, encoder.prefixes.passage
    data = Dataset.from_dict(
        {
            "anchor": [q + a for a, _, _ in triplets],
            "positive": [p + pos for _, pos, _ in triplets],
            "negative": [p + neg for _, _, neg in triplets],
        }
    )
    model = encoder.model
    loss = MultipleNegativesRankingLoss(model)
    with tempfile.TemporaryDirectory(prefix="jobsai-train-") as scratch:
        args = SentenceTransformerTrainingArguments(
            output_dir=scratch,
            num_train_epochs=config.epochs,
            max_steps=config.max_steps,
            per_device_train_batch_size=config.batch_size,
            learning_rate=config.learning_rate,
            warmup_steps=config.warmup_ratio,  # a float < 1 is a ratio (transformers v5)
            seed=config.seed,
            data_seed=config.seed,
            batch_sampler=BatchSamplers.NO_DUPLICATES,
            save_strategy="no",
            eval_strategy="no",
            report_to="none",
            logging_steps=5,
            disable_tqdm=not config.progress,
            use_cpu=not torch.cuda.is_available(),
            dataloader_num_workers=0,
        )
        trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=data, loss=loss)
        result = trainer.train()
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save(str(out_dir), create_model_card=False)
    for stray in ("README.md",):  # never keep a generated card
        (out_dir / stray).unlink(missing_ok=True)
    return {"steps": int(result.global_step), "train_loss": float(result.training_loss), "examples": len(triplets)}


def write_model_card(
    out_dir: Path, *, version: str, base: str, prefixes: Any, config: TrainConfig, sizes: dict[str, int],
    stats: dict[str, Any], metrics: dict[str, Any] | None = None, status: str = "candidate", reason: str = "",
    score_calibration: Calibration | None = None,
) -> None:
    """README.md and the marker file: numbers and settings only, never a training text.

    ``score_calibration``: the match-score curve fitted on this model's benchmark scores, which
    serving reads back (``embed.model.read_score_calibration``)."""
    marker: dict[str, Any] = {
        "version": version,
        "base_model": base,
        "prefixes": {"query": prefixes.query, "passage": prefixes.passage},
        "trained_at": utcnow().isoformat(),
        "training": {**asdict(config), **stats},
        "data_sizes": sizes,
    }
    if score_calibration is not None:
        marker["score_calibration"] = score_calibration.to_json()
    model_card.write_model_card(out_dir, marker)
    lines = [
        f"# JobsAI embedding model {version}",
        "",
        (f"Adapted from `{base}` to the job ads in the store (weak supervision from their occupation codes)."
         if DOMAIN_SIZE_KEY in sizes else
         f"Fine-tuned from `{base}` on relevance feedback that people gave with consent (CVs redacted)."),
        "No training text (CV or ad) is included in this folder.",
        "",
        f"- status: {status}",
        f"- reason: {reason or 'not yet evaluated'}",
        f"- loss: MultipleNegativesRankingLoss with explicit and hard negatives; steps {stats.get('steps')}, "
        f"final training loss {stats.get('train_loss', float('nan')):.4f}",
        f"- prefixes: query `{prefixes.query}`, passage `{prefixes.passage}`",
        f"- hyperparameters: epochs {config.epochs}, max_steps {config.max_steps}, batch {config.batch_size}, "
        f"lr {config.learning_rate}, seed {config.seed}",
        "",
        "## Data sizes",
        "",
        *[f"- {k}: {v}" for k, v in sizes.items()],
    ]
    if metrics:
        lines += ["", "## Gate metrics", "", "| model | set | ndcg@10 | mrr | recall@10 |", "|---|---|---|---|---|"]
        for who in ("champion", "challenger"):
            for name, m in metrics.get(who, {}).items():
                cells = [f"{m.get(k, 0):.4f}" for k in ("ndcg@10", "mrr", "recall@10")]
                lines.append(f"| {who} | {name} | {' | '.join(cells)} |")
    (out_dir / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _pool(ts: TrainingSet) -> dict[str, str]:
    pool: dict[str, str] = {}
    for g in [*ts.train, *ts.test]:
        pool.update(g.positives)
        pool.update(g.negatives)
        pool.update(g.hard_negatives)
    return pool


def run_training(
    settings: Any,
    db: Any,
    *,
    search: SearchFn | None = None,
    base: str = "champion",
    config: TrainConfig = TrainConfig(),
    gate: GateConfig = GateConfig(),
    include_eval_dev: bool = True,
    benches: Sequence[Benchmark] | None = None,
    version: str | None = None,
    say: Callable[[str], None] = log.info,
) -> TrainReport:
    """Build the dataset, fine-tune, gate against the champion, record the run; returns the report.

    ``base``: "champion" (the registry's champion, else the configured model) or "base" (the
    configured model). The champion compared against is always the registry's champion, or the
    configured model when there is none yet. A passing challenger is promoted in the registry only.
    ``benches``: the fixed benchmarks to gate on (default: the project's, plus eval-dev when
    ``include_eval_dev`` and present); a caller with a time budget, such as a test, passes a smaller one.
    """
    from jobsai.store import registry
    from jobsai.store.feedback import get_feedback

    if base not in ("champion", "base"):
        raise LearnError("base must be 'champion' or 'base'")
    with db.begin(readonly=True) as conn:
        rows = get_feedback(conn)
        current = registry.champion(conn)
    champion_spec = _champion_spec(settings, current)
    base_spec = champion_spec if base == "champion" else settings.model

    say(f"Feedback rows: {len(rows)}; champion: {current.version if current else settings.model}")
    ts = build_training_set(
        rows, search=search, test_fraction=config.test_fraction, seed=config.seed,
        hard_negatives_per_cv=config.hard_negatives_per_cv,
    )
    sizes = ts.sizes()
    triplets = training_triplets(ts.train, max_chunks=config.max_chunks)
    sizes["train_triplets"] = len(triplets)
    say(f"Training set: {sizes}")
    if not triplets:
        raise LearnError("Not enough consented feedback to train (no CV with both a positive and a negative).")

    return _train_gate_record(
        settings, db, triplets=triplets, sizes=sizes, test_groups=ts.test, pool=_pool(ts),
        champion_spec=champion_spec, base_spec=base_spec, config=config, gate=gate, benches=benches,
        include_eval_dev=include_eval_dev, version=version, say=say, decide_fn=decide,
    )


DOMAIN_SIZE_KEY = "domain_ads"
"""The ``data_sizes`` key that marks a domain-adaptation run: how the worker knows one was tried."""


def run_domain_training(
    settings: Any,
    db: Any,
    ads: Sequence[Any],
    *,
    config: TrainConfig = TrainConfig(max_steps=24, batch_size=16),
    gate: GateConfig = GateConfig(),
    include_eval_dev: bool = True,
    benches: Sequence[Benchmark] | None = None,
    version: str | None = None,
    say: Callable[[str], None] = log.info,
) -> TrainReport:
    """Adapt the configured base model to the store's ads (:mod:`jobsai.learn.domain`), gate it
    with ``decide_domain`` against the champion, record the run; no feedback is needed."""
    from jobsai.learn.domain import domain_triplets
    from jobsai.store import registry

    with db.begin(readonly=True) as conn:
        champion_spec = _champion_spec(settings, registry.champion(conn))
    triplets = domain_triplets(ads, seed=config.seed)
    sizes = {DOMAIN_SIZE_KEY: len(ads), "train_triplets": len(triplets)}
    say(f"Domain adaptation of {settings.model} on {len(ads)} ads: {len(triplets)} triplets")
    if not triplets:
        raise LearnError("Too few ads with occupation codes to adapt the model to (need at least two).")
    return _train_gate_record(
        settings, db, triplets=triplets, sizes=sizes, test_groups=[], pool={}, champion_spec=champion_spec,
        base_spec=settings.model, config=config, gate=gate, benches=benches, include_eval_dev=include_eval_dev,
        version=version, say=say, decide_fn=decide_domain,
    )


def _champion_spec(settings: Any, current: Any) -> str:
    """What the champion is loaded from: the registry's champion (``current``), else the configured model."""
    spec: str = current.path if current is not None else settings.model
    return spec


def _train_gate_record(
    settings: Any, db: Any, *, triplets: list[tuple[str, str, str]], sizes: dict[str, int],
    test_groups: Sequence[Any], pool: dict[str, str], champion_spec: str, base_spec: str, config: TrainConfig,
    gate: GateConfig, benches: Sequence[Benchmark] | None, include_eval_dev: bool, version: str | None,
    say: Callable[[str], None], decide_fn: Callable[..., GateResult],
) -> TrainReport:
    """Fine-tune ``base_spec``, measure it and the champion, gate, and record the run in the registry.

    ``benches`` default (``None``) to the project's benchmarks, plus eval-dev when ``include_eval_dev``."""
    from jobsai.store import registry

    benches = list(benches) if benches is not None else benchmarks(include_eval_dev)
    if not benches:
        raise LearnError("No fixed benchmark to gate on: a challenger must be checked against at least one.")
    champ = load_encoder(settings, champion_spec)
    say("Evaluating the champion ...")
    champion_metrics = evaluate_model(champ, test_groups, pool, benches)
    trainee = champ if base_spec == champion_spec else load_encoder(settings, base_spec)

    version = version or new_version()
    out_dir = settings.data_dir / "models" / version
    if out_dir.exists():
        raise LearnError(f"{out_dir} exists already")
    say(f"Fine-tuning {base_spec} -> {out_dir} ...")
    try:
        stats = fine_tune(trainee, triplets, out_dir, config)
        write_model_card(out_dir, version=version, base=str(base_spec), prefixes=trainee.prefixes,
                         config=config, sizes=sizes, stats=stats)
        challenger = load_encoder(settings, out_dir)
        say("Evaluating the challenger ...")
        scored: list[tuple[float, bool]] = []
        challenger_metrics = evaluate_model(challenger, test_groups, pool, benches, scored=scored)
    except Exception:
        shutil.rmtree(out_dir, ignore_errors=True)
        raise
    result = decide_fn(champion_metrics, challenger_metrics, gate)
    status = "champion" if result.promote else "rejected"
    calibration = Calibration.fit(np.array([s for s, _ in scored]), np.array([r for _, r in scored]))
    write_model_card(out_dir, version=version, base=str(base_spec), prefixes=trainee.prefixes, config=config,
                     sizes=sizes, stats=stats, metrics=result.metrics(), status=status, reason=result.reason,
                     score_calibration=calibration)
    with db.begin() as conn:
        registry.add_model(
            conn, version=version, base=str(base_spec), path=str(out_dir), status="candidate",
            metrics={**result.metrics(), "train": stats}, data_sizes=sizes, reason=result.reason,
        )
        if result.promote:
            registry.promote_in(conn, version, reason=result.reason)
        else:
            registry.set_status(conn, version, "rejected")
    say(result.reason)
    return TrainReport(version, out_dir, str(base_spec), status, result.reason, sizes, result, stats)
