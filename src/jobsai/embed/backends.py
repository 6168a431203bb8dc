"""The inference backends ``JOBSAI_EMBED_BACKEND`` names, and which of them make the same vectors."""

from __future__ import annotations

from typing import Any

from jobsai.embed.fingerprint import FP32_VECTORS

ONNX_BACKENDS = ("onnx", "onnx-fp32", "openvino", "openvino-int8")
"""Backends that run an ONNX export of the model: ONNX Runtime (int8 or fp32), or OpenVINO (the fp32
file, in fp32/bf16 or with int8 weights: ``embed/openvino_int8.py``)."""
FP32_BACKENDS = ("torch", "onnx-fp32", "openvino")
"""Backends whose vectors are fp32's (bf16 matrix products included: cosine ~0.99999)."""
OPENVINO_BACKENDS = ("openvino", "openvino-int8")
OPENVINO_INT8_VECTORS = "openvino-w8a8g64"
"""The vectors of ``openvino-int8``: int8 weights, activations quantised per group of 64 (cosine
~0.9998 to fp32, close but not the same: an index records them, like the ``onnx`` int8 recipe's)."""


def same_vectors(backend_a: str, backend_b: str) -> bool:
    """Whether two ``JOBSAI_EMBED_BACKEND`` values make the same vectors (torch, onnx-fp32 and
    openvino do), so that an index built by one may be queried and updated by the other."""
    return backend_a == backend_b or (backend_a in FP32_BACKENDS and backend_b in FP32_BACKENDS)


def backend_of_vectors(vectors: str) -> str:
    """The backend that makes an index's recorded ``vectors`` (to query and update it with).

    For fp32 vectors, the fastest fp32 backend (torch serves where OpenVINO cannot); when the
    configured backend makes fp32 vectors too, that one encodes instead (``catalog.serving_model``)."""
    if vectors == FP32_VECTORS:
        return "openvino"
    return "openvino-int8" if vectors == OPENVINO_INT8_VECTORS else "onnx"


def onnx_settings_for(backend: str) -> Any:
    """The export recipe a ``JOBSAI_EMBED_BACKEND`` names: ``onnx`` int8; ``onnx-fp32`` and the
    OpenVINO backends the unquantised export (OpenVINO quantises its own copy for ``openvino-int8``)."""
    from jobsai.embed.onnx_export import OnnxSettings

    return OnnxSettings(precision="fp32") if backend in ("onnx-fp32", *OPENVINO_BACKENDS) else OnnxSettings()


def runtime_for(backend: str) -> str:
    """What runs a backend's export: ``openvino`` or ``onnxruntime``."""
    return "openvino" if backend in OPENVINO_BACKENDS else "onnxruntime"


def export_precision(backend: str, precision: str) -> str:
    """What an export runs in for ``backend`` when ``JOBSAI_EMBED_PRECISION`` resolved to ``precision``:
    ``bf16`` or ``fp32``; for ``openvino-int8``, ``int8`` (int8 weights, the rest in bf16) or
    ``int8-fp32`` (the rest in fp32), so that setting rules the int8 backend as it rules the others."""
    if backend == "openvino-int8":
        return "int8" if precision == "bf16" else "int8-fp32"
    return "bf16" if precision == "bf16" else "fp32"
