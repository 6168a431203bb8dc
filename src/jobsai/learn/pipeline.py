"""The training job as the scheduler and the CLI run it: mine, train, gate, and report.

``run_training(runtime)`` is what ``jobsai worker`` (and ``jobsai serve``) call on their
schedule; when the gate promotes the challenger, the worker re-indexes blue/green with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from jobsai.embed.text import ad_texts
from jobsai.errors import JobsAIError
from jobsai.learn.dataset import SearchFn, join_ad_text
from jobsai.learn.train import TrainReport
from jobsai.learn.train import run_training as train_and_gate

if TYPE_CHECKING:
    from jobsai.runtime import Runtime


@dataclass(frozen=True, slots=True)
class TrainingOutcome:
    promoted: bool
    model_path: Path | None
    """The promoted model's folder (what the new index must be built with)."""
    report: TrainReport


def index_search(runtime: Runtime) -> SearchFn:
    """Hard negatives: the serving index's top ads for a CV, as (ad id, ad text as embedded)."""

    def search(cv_text: str, k: int) -> list[tuple[str, str]]:
        try:
            ids = runtime.matcher.rank(cv_text, limit=k)[0][:k]
        except JobsAIError:
            return []
        ads = runtime.lookup_ads(ids)
        return [(i, join_ad_text(ad_texts(ads[i]))) for i in ids if i in ads]

    return search


def run_domain_adaptation(runtime: Runtime) -> TrainingOutcome:
    """Adapt the configured base model to the store's live ads, then gate (no feedback needed)."""
    from jobsai.learn.domain import live_ads_sample
    from jobsai.learn.train import TrainConfig, run_domain_training

    settings = runtime.settings
    with runtime.db.begin(readonly=True) as conn:
        ads = live_ads_sample(conn, settings.domain_adapt_max_ads)
    report = run_domain_training(
        settings, runtime.db, ads, config=TrainConfig(max_steps=settings.domain_adapt_steps, progress=False)
    )
    promoted = report.status == "champion"
    return TrainingOutcome(promoted=promoted, model_path=report.path if promoted else None, report=report)


def run_training(runtime: Runtime) -> TrainingOutcome:
    """Train on consented feedback with hard negatives from the serving index, then gate."""
    report = train_and_gate(runtime.settings, runtime.db, search=index_search(runtime))
    promoted = report.status == "champion"
    return TrainingOutcome(promoted=promoted, model_path=report.path if promoted else None, report=report)
