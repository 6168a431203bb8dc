"""The inference backends ``JOBSAI_EMBED_BACKEND`` names, and which of them make the same vectors."""

from __future__ import annotations

from typing import Any

from jobsai.embed.fingerprint import FP32_VECTORS
from jobsai.embed.precision import cpu_flags, cpu_has_native_bf16, int8_slower_here

ONNX_BACKENDS = ("onnx", "onnx-fp32", "openvino", "openvino-int8")
"""Backends that run an ONNX export of the model: ONNX Runtime (int8 or fp32), or OpenVINO (the fp32
file, in fp32/bf16 or with int8 weights: ``embed/openvino_int8.py``)."""
FP32_BACKENDS = ("torch", "onnx-fp32", "openvino")
"""Backends whose vectors are fp32's (bf16 matrix products included: cosine ~0.99999)."""
OPENVINO_BACKENDS = ("openvino", "openvino-int8")
OPENVINO_INT8_VECTORS = "openvino-w8a8g64"
"""The vectors of ``openvino-int8``: int8 weights, activations quantised per group of 64 (cosine
~0.9998 to fp32, close but not the same: an index records them, like the ``onnx`` int8 recipe's)."""


def resolve_backend(setting: str, precision: str | None, *, flags: frozenset[str] | None = None) -> str:
    """``JOBSAI_EMBED_BACKEND`` -> the backend to encode with; ``auto`` (the default) picks by CPU.

    ``openvino-int8`` where it was measured to be the faster one: a CPU with int8 dot products and
    native bf16 but no AMX (AMD Zen 4: 1.22x OpenVINO bf16 for ads, a 43k bootstrap 18 instead of 22
    minutes), with ``JOBSAI_EMBED_PRECISION`` resolving to bf16 (the rest of the model runs in it).
    Everywhere else ``openvino``: with AMX its bf16 is faster than int8 (``precision.int8_slower_here``),
    and where bf16 is not native int8 was not measured against OpenVINO fp32.

    Quality: int8 moves fused scores by ~0.001, so a near tie can swap, and plain nDCG@10 on 14 CVs
    turns on such swaps (torch's own vectors plus noise of int8's size failed a 0.01 bar on dev in 3
    of 12 draws, each by one CV's top two ads swapping: ``bench/int8_recipes.py``). Compared with
    torch fp32 by the smoothed nDCG@10 (``bench/quality.py``: expected under 0.001 score noise, so
    such a swap counts as the coin flip it is), int8 with its activations quantised at run time
    (measured on an Intel Xeon with the rest in fp32, where OpenVINO quantises them as it does on
    Zen 4) moved dev / dev2-A / dev2-B by -0.0065 / +0.0047 / -0.0046, within 0.01 on every set, and
    all 68 CVs by -0.0013 (plain: -0.0186 / +0.0111 / -0.0021, all 68 CVs -0.0002; on Zen 4, plain
    only: -0.0136 / +0.0135 / -0.0040; with half that noise dev lost 0.0114, and all 68 CVs lost
    0.0010-0.0014 at every noise tried). A GPU encodes with torch whatever this says
    (``Embedder.use_onnx``)."""
    if setting != "auto":
        return setting
    found = cpu_flags() if flags is None else flags
    wants_bf16 = (precision or "auto").strip().lower() in ("auto", "bf16")
    if wants_bf16 and cpu_has_native_bf16(found) and int8_slower_here(found) is None:
        return "openvino-int8"
    return "openvino"


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
