"""The model's tokenizer without transformers or torch, for encoding through a verified export.

Why: a process that only encodes (a bootstrap, a web worker) needs the tokenizer and the
export, not the trainable model. Importing torch, transformers and sentence-transformers costs
~500 MB of resident memory before a single text is read (``bench/bootstrap_speed.py``); the
``tokenizers`` library reads the same ``tokenizer.json`` the model's fast tokenizer wraps.

It is trusted only as far as it is checked: the export's manifest keeps the ids that
sentence-transformers produced for fixed probe texts (prefixes, odd whitespace, non-Latin
scripts, texts past the length limit), and :meth:`ExportTokenizer.check` refuses this tokenizer
unless it reproduces every one of them; the export's vectors are then verified on its features
as on every load (``embed/onnx_backend.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from jobsai.embed.onnx_export import OnnxExportError

TOKENIZER_FILE = "tokenizer.json"

TOKENIZER_PROBES: tuple[str, ...] = (
    "",
    " ",
    "  leading and trailing spaces  ",
    "tab\tand\nnew line\r\n",
    "Systemutvecklare med erfarenhet av Python, Java och C#. Körkort B.",
    "ÅÄÖ åäö é ü ß ø æ — “quotes” … 😀 中文 العربية",
    "UPPER lower MiXeD 123,45 kr/h 08-123 45 67 www.example.se",
    "lång " * 700,
)
"""Texts whose ids sentence-transformers records at export time (each also with the model's
prefixes): the places a second tokenizer implementation would differ first."""


class ExportTokenizer:
    """``tokenizers.Tokenizer`` from a model folder, truncating and padding like the model's
    sentence-transformers preprocessing; stateless per call, so safe from several threads."""

    def __init__(self, tokenizer: Any, *, max_length: int, pad_id: int) -> None:
        self._tokenizer = tokenizer
        self.max_length = int(max_length)
        self.pad_id = int(pad_id)
        tail = 0
        for special in reversed(tokenizer.encode("x").special_tokens_mask):
            if not special:
                break
            tail += 1
        self._tail = tail
        """Special tokens the post-processor appends (``</s>``): truncation keeps them."""

    @classmethod
    def from_folder(cls, folder: Path, *, max_length: int, pad_id: int) -> ExportTokenizer:
        """The folder's ``tokenizer.json``; OnnxExportError when there is none or it cannot be read."""
        path = Path(folder) / TOKENIZER_FILE
        if not path.is_file():
            raise OnnxExportError(f"the model has no {TOKENIZER_FILE}")
        try:
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(path))
        except Exception as exc:  # ImportError, or tokenizers' own parse errors
            raise OnnxExportError(f"cannot read {path} ({type(exc).__name__}: {exc})") from exc
        if tokenizer.truncation is not None or tokenizer.padding is not None:
            tokenizer.no_truncation()
            tokenizer.no_padding()
        return cls(tokenizer, max_length=max_length, pad_id=pad_id)

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Ids with special tokens, not truncated (what ``count_tokens`` measures)."""
        return [e.ids for e in self._tokenizer.encode_batch(list(texts))]

    def truncate(self, ids: list[int]) -> list[int]:
        """``ids`` cut to ``max_length`` the way the model's tokenizer truncates one text: the
        end of the text goes, the closing special tokens stay."""
        if len(ids) <= self.max_length:
            return ids
        keep = self.max_length - self._tail
        return ids[:keep] + ids[len(ids) - self._tail:]

    def features(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """``input_ids`` and ``attention_mask`` (n x longest, right-padded), truncated to ``max_length``."""
        return self.pad(self.token_ids(texts))

    def pad(self, ids: Sequence[list[int]]) -> dict[str, np.ndarray]:
        """:meth:`features` of texts already split into ``ids`` (by :meth:`token_ids`)."""
        rows = [self.truncate(row) for row in ids]
        width = max((len(r) for r in rows), default=0)
        input_ids = np.full((len(rows), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for i, row in enumerate(rows):
            input_ids[i, : len(row)] = row
            mask[i, : len(row)] = 1
        return {"input_ids": input_ids, "attention_mask": mask}

    def check(self, expected: Sequence[tuple[str, Sequence[int]]]) -> None:
        """OnnxExportError unless every probe text gets the ids the model's own tokenizer gave it."""
        for text, ids in expected:
            got = self.truncate(self.token_ids([text])[0])
            if got != list(ids):
                raise OnnxExportError(
                    f"the tokenizers library splits a probe text differently from the model's tokenizer "
                    f"({len(got)} vs {len(ids)} tokens)"
                )


def probe_texts(prefixes: Sequence[str]) -> list[str]:
    """The probes as the model reads them: bare and behind each of its prefixes."""
    out: list[str] = []
    for prefix in dict.fromkeys(["", *prefixes]):
        out.extend(prefix + t for t in TOKENIZER_PROBES)
    return out
