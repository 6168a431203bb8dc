"""The bottom-level file primitives: the one flock (``filelock``) and the one atomic JSON write."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from jobsai.atomic_json import write_json_atomic
from jobsai.filelock import FileLock, LockHeld, try_lock


def test_a_lock_held_by_another_process_is_refused_at_once_and_freed_when_it_dies(tmp_path: Path) -> None:
    path = tmp_path / "locks" / "index.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from pathlib import Path
            from jobsai.filelock import try_lock
            with try_lock(Path({str(path)!r})) as taken:
                print(taken, flush=True)
                sys.stdin.readline()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "True"
        assert path.read_text().strip() == str(holder.pid)  # the holder is named for messages
        with try_lock(path) as taken:
            assert taken is False
        with pytest.raises(LockHeld):
            FileLock.acquire(path)
    finally:
        holder.kill()  # no release: the OS drops the lock with the process
        holder.wait()
    with try_lock(path) as taken:
        assert taken is True
        assert path.read_text().strip() == str(os.getpid())
    lock = FileLock.acquire(path)
    lock.release()
    lock.release()  # idempotent


def test_atomic_json_replaces_the_file_whole_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "meta.json"
    write_json_atomic(path, {"a": 1})
    write_json_atomic(path, {"b": [1, 2]}, indent=None)
    assert json.loads(path.read_text(encoding="utf-8")) == {"b": [1, 2]}
    assert [p.name for p in path.parent.iterdir()] == ["meta.json"]
    with pytest.raises(TypeError):  # not JSON: the old content stays, and no temporary file is left
        write_json_atomic(path, {"c": object()})
    assert json.loads(path.read_text(encoding="utf-8")) == {"b": [1, 2]}
    assert [p.name for p in path.parent.iterdir()] == ["meta.json"]
