"""Which device encodes (``JOBSAI_DEVICE``) and the half-precision copy a GPU encodes with."""

from __future__ import annotations

import copy
import os
from typing import TYPE_CHECKING, Any

from jobsai.errors import ModelError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

GPU_DEVICE_FILES = ("/dev/nvidiactl", "/dev/nvidia0", "/proc/driver/nvidia/version", "/dev/dxg")
"""What a machine where CUDA could work has (the NVIDIA driver's nodes; WSL's GPU device)."""


def no_gpu_driver(paths: tuple[str, ...] = GPU_DEVICE_FILES) -> bool:
    """True when no GPU driver is present, so CUDA cannot be available: ``auto`` then means the CPU
    without importing torch (~220 MB) just to ask it."""
    return not any(os.path.exists(p) for p in paths)


def resolve_device(setting: str | None) -> str:
    """``JOBSAI_DEVICE``: unset or ``auto`` -> ``cuda`` when torch sees a GPU, else ``cpu``."""
    value = (setting or "auto").strip().lower()
    if value == "cpu" or (value == "auto" and no_gpu_driver()):
        return "cpu"
    import torch

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
