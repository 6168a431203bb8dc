"""Which model to load, as one value: its folder or id, and the inference backend to encode with.

Why a value: the serving model used to travel as a spec string, a copy of the settings with
``model`` replaced, and a fingerprint, depending on the caller. :meth:`Embedder.load` takes
a ``ModelRef`` beside the settings (which keep the device, batch size and caches).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from jobsai.config import Settings
from jobsai.embed.backends import resolve_backend

Backend = Literal["torch", "onnx", "onnx-fp32", "openvino", "openvino-int8"]
"""A resolved backend: ``JOBSAI_EMBED_BACKEND=auto`` is resolved before a ``ModelRef`` is made."""


@dataclass(frozen=True, slots=True)
class ModelRef:
    spec: str
    """A local folder, a sentence-transformers id, or the built-in model's name."""
    backend: Backend | str = "torch"
    """``onnx``: a verified int8 ONNX Runtime export (other vectors than torch's);
    ``onnx-fp32``: its unquantised export (torch's vectors); ``openvino``: that export run by OpenVINO;
    ``openvino-int8``: OpenVINO's int8 copy of it (other vectors than torch's)."""

    @classmethod
    def configured(cls, settings: Settings, spec: str | None = None) -> ModelRef:
        """``JOBSAI_MODEL`` (or ``spec``, a promoted model's folder) with ``JOBSAI_EMBED_BACKEND``, ``auto``
        resolved for this CPU."""
        return cls(spec or settings.model, resolve_backend(settings.embed_backend, settings.embed_precision))
