"""OpenVINO inference for the Embedder (``JOBSAI_EMBED_BACKEND=openvino``): the fp32 ONNX export,
compiled by OpenVINO's CPU plugin, in bf16 where the CPU computes it natively.

Why: on two cores OpenVINO ran e5-small ~1.2x faster than torch at the same precision (its graph
compiler fuses the layer norms and GELUs that torch runs op by op), and in bf16 about twice as
fast as torch fp32 at cosine ~0.99999 to fp32 (``bench/embed_speed.py``): the same vectors as
torch's, so it shares torch-built indexes, unlike int8. It reads the very file the ``onnx-fp32``
backend exports, which is verified against the fp32 model on every load (``embed/onnx_backend.py``).
The export traces attention in its eager form (``onnx_export._eager_attention``), which the CPU
plugin compiles into one fused attention kernel per layer: 1.10-1.17x faster than the SDPA export's
decomposition, bulk batches and single CV texts alike (interleaved, same texts). A 43k-ad bootstrap
with it peaked at 1,262 MiB, against 1,420-1,446 MiB in the two runs before it (other days).

Two things keep its memory small and flat (``bench/bootstrap_speed.py``):

* It compiles an OpenVINO IR of that file with fp16 weights (``openvino-f16/`` in the export's
  folder, made once). OpenVINO maps the IR's weights file and reads only the rows of the 250k-token
  embedding table that texts use: ~180 MB resident after a few batches, ~220 MB once a 43k-ad
  bootstrap has seen most of the vocabulary, against 607 MB for compiling the ONNX file (read whole,
  fp32) before any inference. fp16 weights are finer than the bf16 products they feed (cosine to fp32 still
  0.9999+), and the verification on every load checks the IR, not only the ONNX file.
* It pads each batch to a multiple of ``SEQ_MULTIPLE`` tokens. OpenVINO keeps memory per input
  shape it has run: a bootstrap's length-sorted batches have hundreds of shapes, and over 48
  chunks of 128 ads memory grew by ~200 MB (166 shapes) and kept growing; with lengths rounded to 16
  36 shapes cover every batch, memory stays flat, and the padding costs nothing measurable. Padded positions
  are masked, so the vectors do not change.

With ``precision="int8"`` or ``"int8-fp32"`` (``JOBSAI_EMBED_BACKEND=openvino-int8``; the rest of the
model in bf16 or fp32) it compiles a second IR, ``openvino-w8a8g64/``, made from the fp16 one, whose
linear layers hold int8 weights, and quantises activations per group of 64 values at run time
(``embed/openvino_int8.py`` says why and what it costs): other vectors than fp32's (cosine ~0.9998),
recorded by every index they build.

A server's CV queries run on a second compilation with several streams (:meth:`OpenVinoEncoder.with_streams`):
a CV is ~7 texts of 10-170 tokens, and on two cores one request with two threads runs such small
products only 1.6x faster than one thread. Two streams of one thread each, one text per request, run
the texts side by side without padding or thread synchronisation: a 2-page CV's 7 texts in 112 ms
instead of 138 ms (p50), and p95 122 instead of 187 ms (``bench/match_speed.py``). It maps the same
weights file: +31 MB of real memory (PSS) per server, though RSS counts the mapped file twice (+190 MB).
Bulk encoding gains nothing from streams (its batches are large: 2-3 %, within noise) and each stream
keeps its own per-shape memory (+83 MB over a bootstrap's shapes), so it keeps one stream.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import shutil
import tempfile
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from jobsai.embed.backends import OPENVINO_INT8_VECTORS
from jobsai.embed.onnx_backend import ExportEncoder, ExportRuntimeError, PoolingSpec, default_threads
from jobsai.embed.openvino_int8 import GROUP_SIZE, compress_linear_weights
from jobsai.embed.precision import int8_slower_here

log = logging.getLogger(__name__)

IR_DIR = "openvino-f16"
"""The IR beside the ONNX file it was converted from (``model.xml`` + ``model.bin``)."""
INT8_IR_DIR = "openvino-w8a8g64"
"""The same with int8 linear weights (``precision="int8"``), named for its recipe so that an IR of
another is never read as this one (``openvino-int8/``, made from the ONNX file, kept fp32 tables)."""
IR_FILE = "model.xml"
STALE_IR_DIRS = ("openvino-int8",)
"""IRs of earlier int8 recipes, deleted when the current one is made: nothing reads them any more
and the first kept an fp32 embedding table (390 MB per model)."""
INT8_MIN_MEAN_COSINE = 0.999
"""The int8 IR is refused below this mean cosine to fp32 on the verification texts (it measures ~0.9998)."""
SEQ_MULTIPLE = 16
"""Batches are padded to a multiple of this many tokens (see the module's docstring)."""


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
        streams: int = 1,
    ) -> None:
        why = openvino_available()
        if why:
            raise ExportRuntimeError(why)
        import openvino as ov

        n_threads = int(threads or default_threads())
        self.precision = precision if precision in ("bf16", "int8", "int8-fp32") else "fp32"
        self.streams = max(1, min(int(streams), n_threads))
        int8 = self.precision.startswith("int8")
        # int8: what is not int8 (attention, norms) runs in bf16 ("int8") or fp32 ("int8-fp32"), as
        # JOBSAI_EMBED_PRECISION resolved (``backends.export_precision``)
        bf16 = self.precision in ("bf16", "int8")
        config: dict[str, Any] = {
            "INFERENCE_NUM_THREADS": n_threads,
            "INFERENCE_PRECISION_HINT": "bf16" if bf16 else "f32",
        }
        if int8:
            slower = int8_slower_here()
            if slower and self.streams == 1:  # a streamed copy (for queries) is made from this one: said once
                log.warning("JOBSAI_EMBED_BACKEND=openvino-int8: %s; JOBSAI_EMBED_BACKEND=openvino is likely "
                            "faster here", slower)
            config["DYNAMIC_QUANTIZATION_GROUP_SIZE"] = GROUP_SIZE
            self.backend = "openvino-int8"
            self.min_mean_cosine = INT8_MIN_MEAN_COSINE  # it measures ~0.9998: lower means it broke
            vectors = OPENVINO_INT8_VECTORS
        if self.streams == 1:
            config["PERFORMANCE_HINT"] = "LATENCY"  # one request at a time uses every thread
        else:  # the threads split between the streams; requests run side by side
            config.update(PERFORMANCE_HINT="THROUGHPUT", NUM_STREAMS=self.streams)
        try:
            core = ov.Core()
            model = core.read_model(str(ensure_ir(path, int8=int8)))
            wanted = {port.get_any_name() for port in model.inputs}
            self.compiled = core.compile_model(model, "CPU", config)
        except Exception as exc:  # OpenVINO raises RuntimeError subclasses of its own
            raise ExportRuntimeError(f"OpenVINO cannot compile {path} ({type(exc).__name__}: {exc})") from exc
        del model  # the compiled model keeps what it needs
        self._bind(path, inputs, wanted, pooling, vectors=vectors, threads=n_threads, error=ExportRuntimeError)
        self._local = threading.local()
        self._queues: queue.SimpleQueue[Any] = queue.SimpleQueue()
        """Idle request queues of :meth:`_run_many`, shared by all threads: as many exist as calls ever ran at once."""

    def with_streams(self, streams: int) -> OpenVinoEncoder:
        """The same verified file compiled again with ``streams`` streams (see the module's docstring)."""
        return OpenVinoEncoder(self.path, self.inputs, self.pooling, vectors=self.vectors, threads=self.threads,
                               precision=self.precision, streams=streams)

    def _run(self, feed: dict[str, np.ndarray]) -> np.ndarray:
        request: Any = getattr(self._local, "request", None)
        if request is None:
            request = self._local.request = self.compiled.create_infer_request()
        length = next(iter(feed.values())).shape[1]
        result = request.infer(pad_to_multiple(feed, SEQ_MULTIPLE, self.pooling.pad_id))
        hidden = result[self.compiled.output(0)][:, :length]
        return np.array(hidden, dtype=np.float32)  # a copy: the request reuses its buffer

    def _run_many(self, feeds: Sequence[dict[str, np.ndarray]]) -> Iterable[np.ndarray]:
        """Every feed through a queue of :attr:`streams` requests: each starts as soon as a stream is free."""
        if self.streams == 1:
            return super()._run_many(feeds)
        for feed in feeds:  # checked before any runs: a request that fails midway can spoil its stream
            if len({value.shape for value in feed.values()}) != 1:
                raise ExportRuntimeError(f"inputs of different shapes: { {k: v.shape for k, v in feed.items()} }")
        import openvino as ov

        try:
            jobs = self._queues.get_nowait()
        except queue.Empty:
            jobs = ov.AsyncInferQueue(self.compiled, self.streams)
        results: list[np.ndarray | None] = [None] * len(feeds)
        failures: list[BaseException] = []

        def done(request: Any, k: int) -> None:
            try:  # a copy: the request reuses its buffer
                length = feeds[k]["input_ids"].shape[1]
                results[k] = np.array(request.get_output_tensor(0).data[:, :length], dtype=np.float32)
            except BaseException as exc:  # raised below, in the caller's thread
                failures.append(exc)

        served = False
        try:
            jobs.set_callback(done)
            for k, feed in enumerate(feeds):
                jobs.start_async(pad_to_multiple(feed, SEQ_MULTIPLE, self.pooling.pad_id), k)
            jobs.wait_all()
            served = not failures
        finally:  # nothing of this call may still run when the next one sets its callback
            with contextlib.suppress(Exception):
                jobs.wait_all()
            if served:  # a request that failed keeps its error: that queue is dropped
                self._queues.put(jobs)
        if failures:
            raise failures[0]
        missing = [k for k, r in enumerate(results) if r is None]
        if missing:
            raise ExportRuntimeError(f"OpenVINO returned no output for {len(missing)} of {len(feeds)} batches")
        return [r for r in results if r is not None]


def pad_to_multiple(feed: dict[str, np.ndarray], multiple: int, pad_id: int) -> dict[str, np.ndarray]:
    """``feed``'s (batch, seq) arrays padded on the right to a multiple of ``multiple`` tokens:
    ``pad_id`` in ``input_ids``, 0 elsewhere (the attention mask hides the new positions)."""
    length = next(iter(feed.values())).shape[1]
    extra = -length % multiple
    if not extra:
        return feed
    return {
        name: np.pad(value, ((0, 0), (0, extra)), constant_values=pad_id if name == "input_ids" else 0)
        for name, value in feed.items()
    }


def ensure_ir(onnx_path: Path, *, int8: bool = False) -> Path:
    """The fp16-weight OpenVINO IR of ``onnx_path`` (``int8``: with int8 linear weights), converted
    on first use (seconds) into ``<its folder>/openvino-f16/`` (``openvino-w8a8g64/``); published by a
    rename, so a crash leaves no half-written IR. The caller holds the export folder's lock
    (``load_onnx_encoder``).

    The int8 IR is made from the fp16 one, so what it leaves unquantised (the embedding table, norms,
    biases) is the fp16 IR's to the bit: ``save_model`` skips its fp16 compression for a model that
    holds int8 weights, and made from the fp32 ONNX file the int8 IR kept an fp32 embedding table
    (390 instead of 205 MB on disk for e5-small, ~250 MB more resident)."""
    import openvino as ov

    name = INT8_IR_DIR if int8 else IR_DIR
    target = onnx_path.parent / name
    if (target / IR_FILE).is_file():
        return target / IR_FILE
    source = ensure_ir(onnx_path) if int8 else onnx_path
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.tmp-", dir=onnx_path.parent))
    try:
        model = ov.Core().read_model(str(source))
        if int8 and not compress_linear_weights(model):
            raise ExportRuntimeError(f"{onnx_path} has no linear layers with constant weights to make int8")
        ov.save_model(model, str(staging / IR_FILE), compress_to_fp16=not int8)
        shutil.rmtree(target, ignore_errors=True)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if int8:
        for stale in STALE_IR_DIRS:
            shutil.rmtree(onnx_path.parent / stale, ignore_errors=True)
    return target / IR_FILE


def drop_ir(onnx_path: Path) -> None:
    """Delete the IRs made from ``onnx_path`` (one failed verification: the next load converts again)."""
    for name in (IR_DIR, INT8_IR_DIR):
        with contextlib.suppress(OSError):
            shutil.rmtree(onnx_path.parent / name)
