"""The inference backends ``JOBSAI_EMBED_BACKEND`` names, and which of them make the same vectors."""

from __future__ import annotations

from typing import Any

ONNX_BACKENDS = ("onnx", "onnx-fp32")


def same_vectors(backend_a: str, backend_b: str) -> bool:
    """Whether two ``JOBSAI_EMBED_BACKEND`` values make the same vectors (torch and onnx-fp32 do),
    so that an index built by one may be queried and updated by the other."""
    fp32 = ("torch", "onnx-fp32")
    return backend_a == backend_b or (backend_a in fp32 and backend_b in fp32)


def onnx_settings_for(backend: str) -> Any:
    """The export recipe a ``JOBSAI_EMBED_BACKEND`` names: ``onnx`` int8, ``onnx-fp32`` unquantised
    (its vectors are torch's, so it mixes with torch-built indexes)."""
    from jobsai.embed.onnx_export import OnnxSettings

    return OnnxSettings(precision="fp32") if backend == "onnx-fp32" else OnnxSettings()
