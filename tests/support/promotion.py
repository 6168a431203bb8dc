"""A worker ``train`` step that promotes a given model, for tests of what follows a promotion."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from jobsai.runtime import Runtime
from jobsai.store import registry


def promoting(version: str, path: Path) -> Callable[[Runtime], None]:
    """What ``learn.pipeline.run_training`` does to the registry when a challenger wins (records the
    model at ``path`` as ``version`` and promotes it), without training: the worker's re-index after
    a promotion is what the tests that use it check."""

    def training(rt: Runtime) -> None:
        with rt.db.begin() as conn:
            registry.add_model(conn, version=version, base=rt.settings.model, path=str(path),
                               metrics={"challenger": {"feedback": {"ndcg@10": 0.7}}}, data_sizes={"train_cvs": 3})
            registry.promote_in(conn, version, reason="promoted: test")

    return training
