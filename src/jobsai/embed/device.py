"""Which device encodes (``JOBSAI_DEVICE``) and the half-precision copy a GPU encodes with."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from jobsai.errors import ModelError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

def resolve_device(setting: str | None) -> str:
    """``JOBSAI_DEVICE``: unset or ``auto`` -> ``cuda`` when torch sees a GPU, else ``cpu``."""
    import torch

    value = (setting or "auto").strip().lower()
    if value == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if value.startswith("cuda") and not torch.cuda.is_available():
        raise ModelError(f"JOBSAI_DEVICE={setting} but torch sees no CUDA GPU; use cpu or auto.")
    return value


def half_copy(model: SentenceTransformer) -> Any:
    """An fp16 copy of ``model`` for GPU inference (its own tensors: the fp32 model stays trainable).

    Pooling and normalisation read the fp16 output; ``_encode`` converts to float32 before
    normalising, so vectors keep their usual dtype (cosine to fp32 >= 0.999, ``bench/gpu_embed.py``).
    """
    return copy.deepcopy(model).half().eval()
