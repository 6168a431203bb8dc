"""Exclusive OS file locks: the one place the program takes ``flock``.

Why one module: the worker's job locks, the command-line index lock and the embedded index's
directory lock must behave the same way. Each is taken without waiting (a second taker learns
at once that someone else holds it, so nothing deadlocks), and the OS drops it when its
process dies, so a crash never leaves a stale lock to expire. The one waiting lock
(:func:`wait_lock`) guards a short build that the second process should reuse rather than
redo (an ONNX export). On Windows ``msvcrt.locking`` on the file's first byte stands in for
``flock``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from jobsai.config import Settings

INDEX_LOCK = "index"
"""The lock every writer of the vector index takes (worker update and training, ``jobsai index``)."""


class LockHeld(OSError):
    """Another process (or another open file in this one) holds the lock."""


class FileLock:
    """A held lock on ``path``; :meth:`release` (or the end of the process) drops it."""

    def __init__(self, path: Path, handle: IO[bytes]) -> None:
        self.path = path
        self._handle: IO[bytes] | None = handle

    @classmethod
    def acquire(cls, path: Path, *, write_pid: bool = False) -> FileLock:
        """Take the lock on ``path`` (created if missing) without waiting; LockHeld when it is taken.

        ``write_pid`` records this process id in the file, for messages that name the holder.
        """
        handle = open(path, "a+b")  # noqa: SIM115 - held open for the lock's lifetime
        try:
            _lock_nb(handle)
        except OSError as exc:
            handle.close()
            raise LockHeld(f"{path} is locked by another process") from exc
        if write_pid:
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n".encode())
            handle.flush()
        return cls(path, handle)

    def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is None:
            return
        try:
            _unlock(handle)
        finally:
            handle.close()


@contextmanager
def try_lock(path: Path, *, write_pid: bool = True) -> Iterator[bool]:
    """Hold the lock on ``path`` for the block if it is free; yields whether it was taken."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        lock = FileLock.acquire(path, write_pid=write_pid)
    except LockHeld:
        yield False
        return
    try:
        yield True
    finally:
        lock.release()


@contextmanager
def wait_lock(path: Path) -> Iterator[None]:
    """Hold the lock on ``path`` for the block, waiting for another holder to finish first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        _lock(handle)
        try:
            yield
        finally:
            _unlock(handle)


def lock_path(settings: Settings, name: str) -> Path:
    """Where the named process-wide lock lives: ``data_dir/locks/<name>.lock``."""
    return settings.data_dir / "locks" / f"{name}.lock"


@contextmanager
def job_lock(settings: Settings, name: str) -> Iterator[bool]:
    """Try to take the lock ``name`` without waiting; yields whether it was taken."""
    with try_lock(lock_path(settings, name)) as taken:
        yield taken


def lock_holder(settings: Settings, name: str) -> int | None:
    """The process id written into lock ``name`` by its last holder (for messages; may be stale)."""
    try:
        text = lock_path(settings, name).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


if sys.platform == "win32":
    import msvcrt

    def _lock_nb(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _lock(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)

    def _unlock(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock_nb(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _lock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)

    def _unlock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
