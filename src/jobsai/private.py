"""Folders and files that hold personal data are created readable by their owner only.

Why: the data directory holds the feedback database (redacted CVs given with consent,
deletion-token hashes), the index and the model cache. Under the usual umask (022) every
other account on the machine could read them. New folders are made 0700 and the SQLite
file 0600 (SQLite gives its ``-wal`` and ``-shm`` files the database file's mode). Folders
that already exist are left as they are: an operator may have set them up on purpose.

The mode is set with ``chmod`` after creation rather than by changing the umask, which is
process-wide and would race with the web server's other threads.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` and its missing parents with mode 0700; an existing folder is not changed."""
    missing: list[Path] = []
    current = Path(path)
    while not current.exists() and current.parent != current:
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR_MODE)
        except FileExistsError:  # made by another process a moment ago
            continue
        os.chmod(folder, PRIVATE_DIR_MODE)  # mkdir's mode passes through the umask
    if not Path(path).is_dir():
        raise NotADirectoryError(f"{path} is not a directory")
    return Path(path)


def private_file(path: Path) -> Path:
    """Create an empty file with mode 0600 unless it exists (an existing file is not changed)."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE)
    except FileExistsError:
        return Path(path)
    os.close(fd)
    os.chmod(path, PRIVATE_FILE_MODE)
    return Path(path)
