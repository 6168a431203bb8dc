"""The inference backends ``JOBSAI_EMBED_BACKEND`` names, and which of them make the same vectors."""

from __future__ import annotations

from typing import Any

ONNX_BACKENDS = ("onnx", "onnx-fp32", "openvino")
"""Backends that run an ONNX export of the model: ONNX Runtime (int8 or fp32), or OpenVINO (the fp32 file)."""
FP32_BACKENDS = ("torch", "onnx-fp32", "openvino")
"""Backends whose vectors are fp32's (bf16 matrix products included: cosine ~0.99999)."""


def same_vectors(backend_a: str, backend_b: str) -> bool:
    """Whether two ``JOBSAI_EMBED_BACKEND`` values make the same vectors (torch, onnx-fp32 and
    openvino do), so that an index built by one may be queried and updated by the other."""
    return backend_a == backend_b or (backend_a in FP32_BACKENDS and backend_b in FP32_BACKENDS)


def onnx_settings_for(backend: str) -> Any:
    """The export recipe a ``JOBSAI_EMBED_BACKEND`` names: ``onnx`` int8; ``onnx-fp32`` and
    ``openvino`` the unquantised export (torch's vectors, so they mix with torch-built indexes)."""
    from jobsai.embed.onnx_export import OnnxSettings

    return OnnxSettings(precision="fp32") if backend in ("onnx-fp32", "openvino") else OnnxSettings()


def runtime_for(backend: str) -> str:
    """What runs a backend's export: ``openvino`` or ``onnxruntime``."""
    return "openvino" if backend == "openvino" else "onnxruntime"
