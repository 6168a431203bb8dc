"""Check that a saved model folder holds no training CV text, fast enough for a 470 MB model.

Every file must be one of:

* unchanged from the base model (same bytes): it was written before any feedback existed, so
  it cannot hold a training CV; a JSON file changed from the base's (a saved tokenizer gains its
  padding settings) is checked on the strings it adds, so a 17 MB vocabulary is not re-scanned;
* a ``.safetensors`` weights file whose header lists only tensors that fill the data section
  exactly (no gap or tail where text could hide) and whose header holds no CV piece;
* anything else: no 30-character piece of any CV (whitespace-normalised; JSON strings are read
  unescaped, so ``\\u00f6`` cannot hide an ``ö``) anywhere in its text.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterable
from pathlib import Path

PIECE = 30
MAX_SCANNED_BYTES = 8 * 1024 * 1024
"""A changed non-weights file larger than this is reported rather than scanned (too slow to scan)."""


def _norm(text: str) -> str:
    return " ".join(text.split())


def cv_pieces(cvs: Iterable[str], n: int = PIECE) -> set[str]:
    """Every ``n``-character window of every CV (whitespace-normalised)."""
    out: set[str] = set()
    for cv in cvs:
        t = _norm(cv)
        out.update(t[i : i + n] for i in range(max(1, len(t) - n + 1)))
    return out


def leaked(text: str, pieces: set[str], n: int = PIECE) -> list[str]:
    t = _norm(text)
    return sorted(pieces & {t[i : i + n] for i in range(max(1, len(t) - n + 1))})


def _readable(path: Path) -> str:
    data = path.read_bytes()
    text = data.decode("utf-8", errors="ignore")
    if path.suffix == ".json":
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    return text


def _strings(value: object) -> set[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set(value) | {s for v in value.values() for s in _strings(v)}
    if isinstance(value, list):
        return {s for v in value for s in _strings(v)}
    return set()


def _added_json_strings(path: Path, base: Path) -> str | None:
    """The strings ``path`` holds that ``base`` does not (None: not both JSON)."""
    if path.suffix != ".json":
        return None
    try:
        new, old = (json.loads(p.read_text(encoding="utf-8")) for p in (path, base))
    except ValueError:
        return None
    return "\n".join(sorted(_strings(new) - _strings(old)))


def safetensors_header(path: Path) -> str:
    """The header as text, after checking that its tensors fill the data section exactly."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        (n,) = struct.unpack("<Q", fh.read(8))
        assert 0 < n <= size - 8, f"{path.name}: bad safetensors header length {n}"
        header = json.loads(fh.read(n))
    spans = sorted(tuple(v["data_offsets"]) for k, v in header.items() if k != "__metadata__")
    end = 0
    for start, stop in spans:
        assert start == end and stop >= start, f"{path.name}: a gap or overlap in the tensor data at byte {start}"
        end = stop
    assert end == size - 8 - n, f"{path.name}: {size - 8 - n - end} bytes after the last tensor"
    return json.dumps(header, ensure_ascii=False)


def training_text_leaks(folder: Path, cvs: Iterable[str], *, base: Path | None = None) -> dict[str, list[str]]:
    """{file: CV pieces found (or why it could not be checked)} for every file under ``folder``; empty: clean."""
    pieces = cv_pieces(cvs)
    assert pieces, "no CV text to look for"
    found: dict[str, list[str]] = {}
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    assert files, f"{folder} holds no files"
    for path in files:
        rel = path.relative_to(folder)
        original = base / rel if base is not None and (base / rel).is_file() else None
        if path.suffix == ".safetensors":
            text = safetensors_header(path)
        elif original is not None and path.read_bytes() == original.read_bytes():
            continue
        elif original is not None and (added := _added_json_strings(path, original)) is not None:
            text = added
        elif path.stat().st_size > MAX_SCANNED_BYTES:
            found[str(rel)] = [f"changed from the base and too large to scan ({path.stat().st_size} bytes)"]
            continue
        else:
            text = _readable(path)
        if hits := leaked(text, pieces):
            found[str(rel)] = hits[:3]
    return found
