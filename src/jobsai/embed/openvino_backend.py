"""OpenVINO inference for the Embedder (``JOBSAI_EMBED_BACKEND=openvino``): the fp32 ONNX export,
compiled by OpenVINO's CPU plugin, in bf16 where the CPU computes it natively.

Why: on two cores OpenVINO ran e5-small ~1.2x faster than torch at the same precision (its graph
compiler fuses attention, layer norm and GELU that torch runs op by op), and in bf16 about twice as
fast as torch fp32 at cosine ~0.99999 to fp32 (``bench/embed_speed.py``): the same vectors as
torch's, so it shares torch-built indexes, unlike int8. It reads the very file the ``onnx-fp32``
backend exports, which is verified against the fp32 model on every load (``embed/onnx_backend.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from jobsai.embed.onnx_backend import ExportEncoder, ExportRuntimeError, PoolingSpec, default_threads


def openvino_available() -> str | None:
    """None when OpenVINO can be imported, else why not."""
    try:
        import openvino  # noqa: F401
    except Exception as exc:  # ImportError, or a broken native library
        return f"openvino is not installed ({type(exc).__name__}: {exc})"
    return None


class OpenVinoEncoder(ExportEncoder):
    """An OpenVINO ``CompiledModel`` on the CPU; each thread gets its own infer request, so
    ``embed`` is thread-safe."""

    backend = "openvino"

    def __init__(
        self,
        path: Path,
        inputs: Sequence[str],
        pooling: PoolingSpec,
        *,
        vectors: str,
        threads: int | None = None,
        precision: str = "fp32",
    ) -> None:
        why = openvino_available()
        if why:
            raise ExportRuntimeError(why)
        import openvino as ov

        n_threads = int(threads or default_threads())
        self.precision = "bf16" if precision == "bf16" else "fp32"
        config = {
            "INFERENCE_NUM_THREADS": n_threads,
            "PERFORMANCE_HINT": "LATENCY",  # one request at a time uses every thread
            "INFERENCE_PRECISION_HINT": "bf16" if self.precision == "bf16" else "f32",
        }
        try:
            core = ov.Core()
            model = core.read_model(str(path))
            wanted = {port.get_any_name() for port in model.inputs}
            self.compiled = core.compile_model(model, "CPU", config)
        except Exception as exc:  # OpenVINO raises RuntimeError subclasses of its own
            raise ExportRuntimeError(f"OpenVINO cannot compile {path} ({type(exc).__name__}: {exc})") from exc
        del model  # the compiled model keeps what it needs
        self._bind(path, inputs, wanted, pooling, vectors=vectors, threads=n_threads, error=ExportRuntimeError)
        self._local = threading.local()

    def _run(self, feed: dict[str, np.ndarray]) -> np.ndarray:
        request: Any = getattr(self._local, "request", None)
        if request is None:
            request = self._local.request = self.compiled.create_infer_request()
        result = request.infer(feed)
        return np.array(result[self.compiled.output(0)], dtype=np.float32)  # a copy: the request reuses its buffer
