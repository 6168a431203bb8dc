"""The identity of a model's weights, recorded by every index it builds."""

from __future__ import annotations

from dataclasses import dataclass

FP32_VECTORS = "fp32"
"""Vectors of the fp32 model (torch, or an fp32 ONNX export: they agree to cosine 1.0000)."""


@dataclass(frozen=True, slots=True)
class ModelFingerprint:
    """Identifies the exact model that built an index: a name, a hash of its weights, and which
    kind of inference made the vectors.

    ``vectors`` is part of the identity because an int8 encoder's vectors are not the fp32 ones
    (cosine ~0.997): an index holding both would rank ads by which encoder embedded them, not
    only by content (``embed/onnx_backend.py``)."""

    name: str
    weights_sha256: str
    dim: int
    vectors: str = FP32_VECTORS

    def describe(self) -> str:
        kind = "" if self.vectors == FP32_VECTORS else f", {self.vectors} vectors"
        return f"{self.name} (weights {self.weights_sha256[:12]}, dim {self.dim}{kind})"
