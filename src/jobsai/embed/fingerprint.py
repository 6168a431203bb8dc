"""The identity of a model's weights, recorded by every index it builds."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ModelFingerprint:
    """Identifies the exact model that built an index: a name plus a hash of its weights."""

    name: str
    weights_sha256: str
    dim: int

    def describe(self) -> str:
        return f"{self.name} (weights {self.weights_sha256[:12]}, dim {self.dim})"
