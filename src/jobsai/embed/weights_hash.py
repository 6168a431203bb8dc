"""The sha256 of a model's weights: what names a model in an index's identity, caches and exports."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jobsai.atomic_json import write_json_atomic
from jobsai.errors import ModelError

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)

FINGERPRINT_CACHE_FILE = "fingerprints.json"
_WEIGHT_SUFFIXES = (".safetensors", ".bin")
_HASH_CHUNK = 1 << 20


def _weight_files(folder: Path) -> list[Path]:
    """Weight files of an ST folder: the root plus each module folder listed in modules.json."""
    dirs = {folder}
    with contextlib.suppress(OSError, ValueError, TypeError):
        for module in json.loads((folder / "modules.json").read_text(encoding="utf-8")):
            sub = (folder / str(module.get("path", ""))).resolve()
            if sub.is_dir() and sub.is_relative_to(folder.resolve()):
                dirs.add(sub)
    files = [
        p
        for d in dirs
        for p in d.iterdir()
        if p.suffix in _WEIGHT_SUFFIXES and p.is_file() and not p.name.startswith(".")
    ]
    return sorted(files, key=lambda p: p.relative_to(folder).as_posix())


def weights_sha256(folder: Path, *, cache_file: Path | None = None) -> str:
    """sha256 over a model folder's weight files (names + bytes, streamed, sorted).

    Hashing ~470 MB takes about a second, so the result is cached in ``cache_file`` keyed
    by each file's size and mtime.
    """
    folder = Path(folder).resolve()
    files = _weight_files(folder)
    if not files:
        raise ModelError(f"No weight files (*.safetensors, *.bin) in {folder}.")
    stats = {p.relative_to(folder).as_posix(): [p.stat().st_size, p.stat().st_mtime_ns] for p in files}
    cache: dict[str, Any] = {}
    if cache_file is not None:
        with contextlib.suppress(OSError, ValueError):
            cache = json.loads(cache_file.read_text(encoding="utf-8"))
        entry = cache.get(str(folder)) if isinstance(cache, dict) else None
        if isinstance(entry, dict) and entry.get("files") == stats and entry.get("sha256"):
            return str(entry["sha256"])

    h = hashlib.sha256()
    for p in files:
        rel = p.relative_to(folder).as_posix()
        h.update(f"{rel}\0{p.stat().st_size}\0".encode())
        with p.open("rb") as fh:
            while chunk := fh.read(_HASH_CHUNK):
                h.update(chunk)
    digest = h.hexdigest()

    if cache_file is not None:
        if not isinstance(cache, dict):
            cache = {}
        cache[str(folder)] = {"files": stats, "sha256": digest}
        _write_json_atomic(cache_file, cache)
    return digest


def _write_json_atomic(path: Path, data: Any) -> None:
    """Best effort: a read-only or racing cache only costs a re-hash next time."""
    try:
        write_json_atomic(path, data, indent=1)
    except OSError as exc:
        log.debug("Could not write %s: %s", path, exc)


def state_dict_sha256(model: torch.nn.Module) -> str:
    """Fallback fingerprint when the weights are not in a folder we can find: hash the tensors."""
    import torch

    h = hashlib.sha256()
    for key, tensor in sorted(model.state_dict().items()):
        t = tensor.detach().cpu().contiguous()
        h.update(f"{key}\0{t.dtype}\0{tuple(t.shape)}\0".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes())
    return h.hexdigest()
