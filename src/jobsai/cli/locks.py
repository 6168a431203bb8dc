"""The index lock for command-line writers of the vector index.

``jobsai bootstrap|update|load|reindex`` and ``jobsai index build|rollback`` write the index, as
the worker's update and training jobs do (in ``jobsai worker``, or in-process in ``jobsai serve``).
They all take the same non-blocking ``flock`` (:func:`jobsai.filelock.job_lock`), so two
writers never interleave; a command that finds it held exits at once with status 75 instead of
waiting, so nothing can deadlock (the server's worker is another process, with its own lock file
descriptor, and skips its tick when a command holds the lock).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from jobsai.config import Settings
from jobsai.filelock import INDEX_LOCK, job_lock, lock_holder

INDEX_BUSY_EXIT = 75
"""Exit status when another process holds the index lock (EX_TEMPFAIL: try again later)."""


@contextmanager
def index_lock(settings: Settings) -> Iterator[None]:
    """Hold the worker's ``index`` lock for the block; print why and exit 75 when another process holds it."""
    with job_lock(settings, INDEX_LOCK) as taken:
        if not taken:
            pid = lock_holder(settings, INDEX_LOCK)
            who = f" (process {pid})" if pid else ""
            typer.echo(
                f"Error: another JobsAI process{who} is updating or re-indexing the index right now "
                "(a `jobsai worker`, the worker inside `jobsai serve`, or another command). "
                "Try again when its job has finished.",
                err=True,
            )
            raise typer.Exit(INDEX_BUSY_EXIT)
        yield
