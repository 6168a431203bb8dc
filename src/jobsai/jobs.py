"""The jobs a production worker runs: one set for ``jobsai worker`` and ``jobsai serve``.

Why a module of its own: the scheduler (:mod:`jobsai.worker`) takes its jobs as parameters so
that tests run it with theirs and it imports no job code; the two shells that run it for real
must hand it the same set, so the set is written once, here.
"""

from __future__ import annotations

from typing import Any

from jobsai.alerts import jobs as alert_jobs
from jobsai.learn.pipeline import run_domain_adaptation, run_training


def worker_jobs() -> dict[str, Any]:
    """:class:`jobsai.worker.Worker` keyword arguments: training, domain adaptation and the job
    alerts' follow-ups (the update and retention jobs are the worker's defaults)."""
    return {
        "train": run_training,
        "adapt": run_domain_adaptation,
        "after_update": (alert_jobs.after_update,),
        "after_retention": (alert_jobs.daily,),
    }
