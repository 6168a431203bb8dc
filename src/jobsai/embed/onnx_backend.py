"""ONNX Runtime inference for the Embedder: an int8 export of the model, verified against fp32.

Why: CPU embedding is what makes indexing slow and matching's CV encoding most of a match's
latency. The int8 export (``embed/onnx_export.py``) runs ~1.8-2.1x faster than torch fp32 on two
cores at cosine ~0.999 to fp32 (``bench/embed_speed.py``).

What keeps it safe to serve:

* The export is cached under ``<model cache>/onnx/<weights sha256[:16]>-<settings hash>/``
  (``model.onnx`` + ``export.json``), built in a temporary folder and renamed into place, under
  a file lock so two processes do not export at once. A fine-tuned model (other weights) gets
  its own export the first time it is loaded with this backend.
* Every load checks the file's sha256 against the manifest (remembered by the file's size,
  times and inode: :func:`stamped_sha256`) and re-runs the verification on
  this machine (int8 kernels differ between CPUs): the export's vectors for fixed texts must
  be within mean cosine ``MIN_MEAN_COSINE`` of the fp32 model's (computed by torch when the
  export was made and kept in the manifest), and no text below ``MIN_TEXT_COSINE``. A cached
  export that fails is deleted and made again; a fresh one that fails raises
  :class:`OnnxExportError`, is remembered (``refused.json``, retried when library versions
  change) and the caller falls back to torch.
* Pooling and L2 normalisation run in numpy as the model's ``Pooling`` config says (mean, CLS,
  max, mean/sqrt(len); prompt tokens excluded when ``include_prompt`` is false). A model with any
  other module after pooling (a Dense projection, …) is refused: its vectors could not be matched.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from jobsai.atomic_json import write_json_atomic
from jobsai.embed.export_tokenizer import ExportTokenizer, probe_texts
from jobsai.embed.onnx_export import (
    INPUT_NAMES,
    MODEL_FILE,
    OnnxExportError,
    OnnxSettings,
    build_export,
    file_sha256,
    transformer_of,
    versions,
)
from jobsai.filelock import wait_lock

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

MIN_MEAN_COSINE = 0.99
"""An export is refused when its vectors' mean cosine to fp32 on the verification texts is lower."""
MIN_TEXT_COSINE = 0.97
"""…or when any single text is further off: a padding or truncation bug hides in a mean."""
MANIFEST_FILE = "export.json"
CONTRACT_KEY = "without_model"
"""The manifest's section for opening the export without the model (:func:`tokenizer_contract`)."""
REFUSED_FILE = "refused.json"
HASH_STAMP_FILE = "hashed.json"
"""The export file's sha256 with the size, times and inode it had when hashed (:func:`stamped_sha256`)."""
ONNX_DIR = "onnx"
SUPPORTED_POOLING = ("mean", "cls", "max", "mean_sqrt_len_tokens")
_PASSTHROUGH_MODULES = ("Normalize",)


class NoCachedExport(OnnxExportError):
    """There is no export of this model to open without it yet (or it predates the tokenizer contract)."""


class ExportRuntimeError(OnnxExportError):
    """A runtime other than ONNX Runtime cannot run (or reproduce) an export that ONNX Runtime
    verified: the export is kept and not marked refused, and torch serves instead."""


@dataclass(frozen=True, slots=True)
class PoolingSpec:
    """The model's pooling, read from its ``Pooling`` module."""

    modes: tuple[str, ...]
    include_prompt: bool = True
    pad_id: int = 0
    """The tokenizer's padding id: the OpenVINO encoder pads batches to fixed lengths with it."""


def pooling_of(model: SentenceTransformer) -> PoolingSpec:
    """The pooling to reproduce in numpy; OnnxExportError for module stacks it cannot reproduce."""
    modules = list(model)
    transformer_of(model)
    names = [type(m).__name__ for m in modules]
    if len(modules) < 2 or names[1] != "Pooling" or any(n not in _PASSTHROUGH_MODULES for n in names[2:]):
        raise OnnxExportError(
            f"the model's modules are {names}; the ONNX backend supports Transformer + Pooling (+ Normalize)"
        )
    pooling = modules[1]
    mode: Any = pooling.pooling_mode
    modes = (mode,) if isinstance(mode, str) else tuple(mode)
    unsupported = [m for m in modes if m not in SUPPORTED_POOLING]
    if unsupported:
        raise OnnxExportError(f"pooling mode {unsupported} is not supported by the ONNX backend")
    if getattr(model.tokenizer, "padding_side", "right") != "right":
        raise OnnxExportError("the ONNX backend's pooling assumes right padding; this tokenizer pads left")
    pad_id = getattr(model.tokenizer, "pad_token_id", None)
    return PoolingSpec(modes=modes, include_prompt=bool(getattr(pooling, "include_prompt", True)),
                       pad_id=int(pad_id) if pad_id is not None else 0)


def pool(hidden: np.ndarray, mask: np.ndarray, spec: PoolingSpec, prompt_length: int | None = None) -> np.ndarray:
    """Token vectors (n, seq, dim) + attention mask (n, seq) -> L2-normalised sentence vectors."""
    mask = np.asarray(mask).astype(np.float32)
    if not spec.include_prompt and prompt_length:
        mask = mask.copy()
        mask[:, :prompt_length] = 0.0
    parts = []
    for mode in spec.modes:
        if mode == "cls":
            parts.append(hidden[np.arange(len(hidden)), mask.argmax(axis=1)])
        elif mode == "max":
            parts.append(np.where(mask[..., None] > 0, hidden, -np.inf).max(axis=1))
        else:
            total = np.einsum("nsd,ns->nd", hidden, mask, dtype=np.float32)
            count = np.clip(mask.sum(axis=1, keepdims=True), 1e-9, None)
            parts.append(total / (count if mode == "mean" else np.sqrt(count)))
    vectors = np.concatenate(parts, axis=1).astype(np.float32)
    norms = np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
    return vectors / norms


def default_threads() -> int:
    """CPUs this process may run on (respects affinity / container limits where the OS tells)."""
    with contextlib.suppress(AttributeError, OSError):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


class ExportEncoder:
    """The transformer of an ONNX export, run by some runtime, + pooling in numpy. Subclasses set
    :attr:`inputs` and run the graph in :meth:`_run`; ``embed`` is thread-safe."""

    backend = "onnx"
    inputs: list[str]
    pooling: PoolingSpec
    vectors: str
    path: Path
    threads: int
    min_cosine: float
    mean_cosine: float

    def _bind(
        self, path: Path, inputs: Sequence[str], wanted: set[str], pooling: PoolingSpec, *, vectors: str,
        threads: int, error: type[OnnxExportError] = OnnxExportError,
    ) -> None:
        """Check the graph's inputs (``wanted``) and keep what ``embed`` needs; ``error`` when the graph
        takes other inputs than a BERT-style encoder's."""
        if not wanted <= set(INPUT_NAMES) or "input_ids" not in wanted:
            raise error(f"{path} has unexpected inputs {sorted(wanted)}")
        self.inputs = [n for n in inputs if n in wanted]
        self.pooling = pooling
        self.vectors = vectors
        self.path = path
        self.threads = threads
        self.min_cosine = self.mean_cosine = float("nan")
        """Verification on this machine (set by :func:`load_onnx_encoder`)."""

    min_mean_cosine: float = MIN_MEAN_COSINE
    """The verification's bar for this encoder's mean cosine to fp32 (a recipe known to come closer
    sets a higher one)."""
    streams: int = 1
    """Batches this encoder runs at once (:meth:`embed_many`); one, unless a runtime splits its threads."""

    def _run(self, feed: dict[str, np.ndarray]) -> np.ndarray:
        """The graph's first output (token vectors, n x seq x dim) for ``feed``."""
        raise NotImplementedError

    def _run_many(self, feeds: Sequence[dict[str, np.ndarray]]) -> Iterable[np.ndarray]:
        """:meth:`_run` of every feed, in order; a runtime with several streams runs them side by side.
        One at a time, lazily: each batch's token vectors are pooled while they are still in cache."""
        return (self._run(feed) for feed in feeds)

    def embed(self, features: Mapping[str, Any]) -> np.ndarray:
        """ST ``preprocess`` output (torch tensors or arrays) -> float32 (n, dim), L2-normalised."""
        return self.embed_many([features])[0]

    def embed_many(self, batches: Sequence[Mapping[str, Any]]) -> list[np.ndarray]:
        """:meth:`embed` of each batch, in order (run side by side when :attr:`streams` > 1)."""
        feeds = [self._feed(features) for features in batches]
        hidden = self._run_many(feeds)
        return [
            pool(np.asarray(h, dtype=np.float32), feed["attention_mask"], self.pooling, _prompt_length(features))
            for h, feed, features in zip(hidden, feeds, batches, strict=True)
        ]

    def _feed(self, features: Mapping[str, Any]) -> dict[str, np.ndarray]:
        feed = {}
        for name in self.inputs:
            value = features.get(name)
            if value is None and name == "token_type_ids":
                value = np.zeros_like(_numpy(features["input_ids"]))
            feed[name] = _numpy(value).astype(np.int64, copy=False)
        return feed


def _prompt_length(features: Mapping[str, Any]) -> int | None:
    prompt = features.get("prompt_length")
    return int(_numpy(prompt).reshape(-1)[0]) if prompt is not None else None


class OnnxEncoder(ExportEncoder):
    """An ONNX Runtime session (``InferenceSession.run`` is thread-safe)."""

    def __init__(
        self, path: Path, inputs: Sequence[str], pooling: PoolingSpec, *, vectors: str, threads: int | None = None
    ) -> None:
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise OnnxExportError(f"onnxruntime is not installed ({exc})") from exc
        options = ort.SessionOptions()
        options.intra_op_num_threads = int(threads or default_threads())
        options.inter_op_num_threads = 1
        # Like OMP_WAIT_POLICY=PASSIVE for torch: spinning threads made encoding many times slower
        # whenever another process wanted a core.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own Fail/InvalidProtobuf/… types
            raise OnnxExportError(f"ONNX Runtime cannot load {path} ({type(exc).__name__}: {exc})") from exc
        self._bind(path, inputs, {i.name for i in self.session.get_inputs()}, pooling, vectors=vectors,
                   threads=options.intra_op_num_threads)
        self.backend = "onnx-fp32" if vectors == "fp32" else "onnx"

    def _run(self, feed: dict[str, np.ndarray]) -> np.ndarray:
        return self.session.run(None, feed)[0]


Runtime = Literal["onnxruntime", "openvino"]


def open_encoder(
    runtime: Runtime, path: Path, inputs: Sequence[str], pooling: PoolingSpec, *, vectors: str,
    threads: int | None, precision: str = "fp32",
) -> ExportEncoder:
    """The export at ``path`` run by ONNX Runtime or by OpenVINO (in ``precision``: fp32 or bf16)."""
    if runtime == "openvino":
        from jobsai.embed.openvino_backend import OpenVinoEncoder

        return OpenVinoEncoder(path, inputs, pooling, vectors=vectors, threads=threads, precision=precision)
    return OnnxEncoder(path, inputs, pooling, vectors=vectors, threads=threads)


def _numpy(value: Any) -> np.ndarray:
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    return np.asarray(value)


# ---------------------------------------------------------------------- verification


def verification_inputs(
    texts: Sequence[tuple[str, str]], prefixes: Mapping[str, str]
) -> list[tuple[str | None, list[str]]]:
    """(prompt, texts) of the verification batches: each kind's texts as one padded batch (the
    padding path), and each kind's texts joined into one long sequence (the activation ranges of
    long ads)."""
    out: list[tuple[str | None, list[str]]] = []
    for kind in ("passage", "query"):
        group = [t for k, t in texts if k == kind]
        if not group:
            continue
        prompt = prefixes.get(kind) or None
        out.append((prompt, group))
        if len(group) > 1:
            out.append((prompt, ["\n".join(group)]))
    return out


def verification_batches(
    model: SentenceTransformer, texts: Sequence[tuple[str, str]], prefixes: Mapping[str, str]
) -> list[dict[str, Any]]:
    """ST features for the verification batches (:func:`verification_inputs`)."""
    return [dict(model.preprocess(group, prompt=prompt)) for prompt, group in verification_inputs(texts, prefixes)]


def tokenizer_contract(model: SentenceTransformer, pooling: PoolingSpec, prefixes: Mapping[str, str]) -> dict[str, Any]:
    """What opening the export without the model needs (:func:`open_cached_export`): the pooling,
    the vector size, the length limit, and the ids the model's tokenizer gives the probe texts."""
    probes = []
    for text in probe_texts([p for p in prefixes.values() if p]):
        features = model.preprocess([text])
        n = int(_numpy(features["attention_mask"])[0].sum())
        probes.append([text, [int(i) for i in _numpy(features["input_ids"])[0][:n]]])
    get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    max_length: Any = model.max_seq_length or getattr(model.tokenizer, "model_max_length", None) or 512
    return {
        "pooling": list(pooling.modes), "include_prompt": pooling.include_prompt, "pad_id": pooling.pad_id,
        "dim": int(get_dim() or 0), "max_length": int(max_length), "probes": probes,
    }


def reference_vectors(model: SentenceTransformer, batches: Sequence[Mapping[str, Any]]) -> np.ndarray:
    """The fp32 torch model's vectors for the verification batches (one text at a time: no padding)."""
    import torch
    import torch.nn.functional as F

    out = []
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            for batch in batches:
                mask = batch["attention_mask"]
                for row in range(mask.shape[0]):
                    n = int(mask[row].sum())
                    one = {
                        k: (v[row : row + 1, :n].to(device) if hasattr(v, "dim") and v.dim() == 2 else v)
                        for k, v in batch.items()
                    }
                    emb = model(one)["sentence_embedding"].float()
                    out.append(F.normalize(emb, p=2, dim=1).cpu().numpy()[0])
    finally:
        model.train(was_training)
    return np.asarray(out, dtype=np.float32)


def verify(encoder: ExportEncoder, batches: Sequence[Mapping[str, Any]], reference: np.ndarray) -> tuple[float, float]:
    """(min, mean) cosine of the export's vectors to ``reference``; OnnxExportError when too far."""
    try:
        got = np.vstack(encoder.embed_many(batches))
    except OnnxExportError:
        raise
    except Exception as exc:  # a damaged graph fails at run time with onnxruntime's own types
        raise OnnxExportError(f"the ONNX model failed to run ({type(exc).__name__}: {exc})") from exc
    if got.shape != reference.shape:
        raise OnnxExportError(f"the ONNX model gives vectors of shape {got.shape}, fp32 gives {reference.shape}")
    cos = np.sum(got * reference, axis=1)
    cos = np.where(np.isfinite(cos), cos, -1.0)
    low, mean = float(cos.min()), float(cos.mean())
    needed = max(MIN_MEAN_COSINE, encoder.min_mean_cosine)
    if mean < needed or low < MIN_TEXT_COSINE:
        raise OnnxExportError(
            f"the ONNX export drifts from the fp32 model: mean cosine {mean:.4f} (needs >= {needed}), "
            f"min {low:.4f} (needs >= {MIN_TEXT_COSINE})"
        )
    encoder.min_cosine, encoder.mean_cosine = low, mean
    return low, mean


# ---------------------------------------------------------------------- cache


def export_folder(cache_dir: Path, weights_sha256: str, settings: OnnxSettings) -> Path:
    return Path(cache_dir) / ONNX_DIR / settings.cache_key(weights_sha256)


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def stamped_sha256(path: Path, stamp: Path) -> str:
    """``path``'s sha256, remembered in ``stamp`` with the file's size, mtime, ctime and inode.

    Why: an fp32 export is ~450 MB, and hashing it took 0.67 s of every process's start, a third
    of opening the export, while OpenVINO does not even read it (it runs the IR made from it).
    As for the model's weights (``weights_hash``), a file whose size, times and inode are unchanged
    is the one that was hashed: a rewrite, a copy or a ``touch`` changes the ctime or the inode,
    and the file is hashed again. What runs is still checked on every load: the export's vectors
    are verified against fp32's.
    """
    st = path.stat()
    key = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "ctime_ns": st.st_ctime_ns, "inode": st.st_ino}
    known = _read_json(stamp)
    if known is not None and isinstance(known.get("sha256"), str) and {k: known.get(k) for k in key} == key:
        return str(known["sha256"])
    digest = file_sha256(path)
    with contextlib.suppress(OSError):  # a read-only cache only costs a hash next time
        write_json_atomic(stamp, {"sha256": digest, **key})
    return digest


def _open_cached(
    folder: Path, weights_sha256: str, settings: OnnxSettings, pooling: PoolingSpec,
    batches: Sequence[Mapping[str, Any]], threads: int | None, runtime: Runtime = "onnxruntime",
    precision: str = "fp32",
) -> ExportEncoder:
    """The cached export in ``folder``, checked (manifest, file hash) and verified on this machine."""
    manifest = _read_json(folder / MANIFEST_FILE)
    if manifest is None:
        raise OnnxExportError("its manifest is missing or unreadable")
    if manifest.get("weights_sha256") != weights_sha256 or manifest.get("settings") != settings.as_dict():
        raise OnnxExportError("its manifest describes other weights or settings")
    path = folder / MODEL_FILE
    if not path.is_file() or stamped_sha256(path, folder / HASH_STAMP_FILE) != manifest.get("onnx_sha256"):
        raise OnnxExportError(f"{MODEL_FILE} is missing or differs from the file that was verified")
    reference = np.asarray(manifest.get("reference"), dtype=np.float32)
    attempts = 1 if runtime == "onnxruntime" else 2  # OpenVINO: a failing IR is converted afresh once
    for attempt in range(1, attempts + 1):
        try:
            encoder = open_encoder(runtime, path, manifest.get("inputs") or [], pooling, vectors=settings.vectors,
                                   threads=threads, precision=precision)
            verify(encoder, batches, reference)
            return encoder
        except OnnxExportError as exc:
            if runtime == "onnxruntime":
                raise
            refused = _runtime_refused(runtime, path, exc)  # the file is the verified one; the IR is dropped
            if attempt == attempts:
                raise refused from exc
            log.warning("%s; converting the export for %s again", refused, runtime)
    raise AssertionError("unreachable")


def _export_and_verify(
    model: SentenceTransformer, folder: Path, weights_sha256: str, settings: OnnxSettings, pooling: PoolingSpec,
    batches: Sequence[Mapping[str, Any]], threads: int | None, runtime: Runtime = "onnxruntime",
    precision: str = "fp32", contract: Mapping[str, Any] | None = None,
) -> ExportEncoder:
    """Export into a temporary folder, verify, then rename it to ``folder`` (atomic publish)."""
    started = time.perf_counter()
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=folder.parent))
    try:
        built = build_export(model, staging, settings, batches)
        reference = reference_vectors(model, batches)
        encoder: ExportEncoder = OnnxEncoder(staging / MODEL_FILE, built["inputs"], pooling,
                                             vectors=settings.vectors, threads=threads)
        low, mean = verify(encoder, batches, reference)  # the export itself, by ONNX Runtime
        manifest = {
            "weights_sha256": weights_sha256,
            "settings": settings.as_dict(),
            "vectors": settings.vectors,
            **built,
            "onnx_sha256": stamped_sha256(staging / MODEL_FILE, staging / HASH_STAMP_FILE),
            "onnx_bytes": (staging / MODEL_FILE).stat().st_size,
            "verification": {"texts": len(reference), "min_cosine": round(low, 6), "mean_cosine": round(mean, 6)},
            "versions": versions(),
            "export_seconds": round(time.perf_counter() - started, 1),
            "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "reference": [[round(float(x), 7) for x in row] for row in reference],
        }
        if contract is not None:
            manifest[CONTRACT_KEY] = dict(contract)
        (staging / MANIFEST_FILE).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        del encoder  # release the session on the staging path before the rename (Windows)
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
        os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    encoder = open_encoder(runtime, folder / MODEL_FILE, built["inputs"], pooling, vectors=settings.vectors,
                           threads=threads, precision=precision)
    if runtime == "onnxruntime":
        encoder.min_cosine, encoder.mean_cosine = low, mean
    else:  # another runtime, maybe in bf16: verified on its own
        try:
            low, mean = verify(encoder, batches, reference)
        except OnnxExportError as exc:
            raise _runtime_refused(runtime, folder / MODEL_FILE, exc) from exc
    log.info("ONNX %s export of %s written to %s in %.0f s (cosine to fp32: mean %.4f, min %.4f)",
             settings.precision, weights_sha256[:12], folder, time.perf_counter() - started, mean, low)
    return encoder


def _runtime_refused(runtime: Runtime, path: Path, exc: OnnxExportError) -> ExportRuntimeError:
    """The error for a runtime that does not reproduce the verified export; OpenVINO's IR made from
    it is deleted, so a damaged conversion is made again on the next load."""
    if runtime == "openvino":
        from jobsai.embed.openvino_backend import drop_ir

        drop_ir(path)
    return ExportRuntimeError(f"{runtime}: {exc}")


def _folder_lock(folder: Path) -> contextlib.AbstractContextManager[None]:
    """The lock a process holds while it opens, repairs or makes the export in ``folder``."""
    return wait_lock(folder.parent / f".{folder.name}.lock")


def _require(runtime: Runtime) -> None:
    """ExportRuntimeError when ``runtime`` cannot be imported here (OpenVINO is optional)."""
    if runtime == "openvino":
        from jobsai.embed.openvino_backend import openvino_available

        why = openvino_available()
        if why:
            raise ExportRuntimeError(why)


def _refused_before(folder: Path) -> str | None:
    """The reason a fresh export of this model was refused, unless the libraries changed since."""
    marker = _read_json(folder.parent / f"{folder.name}.{REFUSED_FILE}")
    if marker is None or marker.get("versions") != versions():
        return None
    return str(marker.get("reason") or "refused")


def _remember_refusal(folder: Path, reason: str) -> None:
    with contextlib.suppress(OSError):
        path = folder.parent / f"{folder.name}.{REFUSED_FILE}"
        path.write_text(json.dumps({"reason": reason, "versions": versions(),
                                    "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}), encoding="utf-8")


def load_onnx_encoder(
    model: SentenceTransformer,
    *,
    weights_sha256: str,
    cache_dir: Path,
    texts: Sequence[tuple[str, str]],
    prefixes: Mapping[str, str],
    threads: int | None = None,
    settings: OnnxSettings | None = None,
    runtime: Runtime = "onnxruntime",
    precision: str = "fp32",
) -> ExportEncoder:
    """An ONNX encoder for ``model`` (whose weight files hash to ``weights_sha256``): the cached
    export when it still verifies, else a new export (minutes on first use of a model).

    ``texts`` are (kind, text) pairs the export is verified on, ``prefixes`` the kind's prefixes.
    ``runtime`` runs the export: ONNX Runtime, or OpenVINO (``precision`` bf16 on a CPU with native
    bf16: the same file, verified the same way on every load).
    Raises OnnxExportError (a ModelError) when the model cannot be exported or its export does not
    reproduce fp32; the caller then uses torch.
    """
    settings = settings or OnnxSettings()
    _require(runtime)
    pooling = pooling_of(model)
    batches = verification_batches(model, texts, prefixes)
    folder = export_folder(cache_dir, weights_sha256, settings)
    with _folder_lock(folder):  # a second process reuses the export
        if folder.is_dir():
            try:
                encoder = _open_cached(folder, weights_sha256, settings, pooling, batches, threads, runtime, precision)
            except ExportRuntimeError:
                raise  # the export is fine; this runtime is not
            except OnnxExportError as exc:
                log.warning("The cached ONNX export in %s was refused (%s); exporting the model again.", folder, exc)
                shutil.rmtree(folder, ignore_errors=True)
            else:
                log.info("ONNX %s export %s verified as %s (cosine to fp32: mean %.4f, min %.4f)",
                         settings.precision, folder.name, encoder.backend, encoder.mean_cosine, encoder.min_cosine)
                _add_contract(folder, model, pooling, prefixes)
                return encoder
        reason = _refused_before(folder)
        if reason is not None:
            marker = folder.parent / f"{folder.name}.{REFUSED_FILE}"
            raise OnnxExportError(f"{reason} (refused before; delete {marker} to try again)")
        log.info("Exporting the embedding model to ONNX (%s) in %s; this takes a minute once per model.",
                 settings.precision, folder)
        try:
            return _export_and_verify(model, folder, weights_sha256, settings, pooling, batches, threads, runtime,
                                      precision, tokenizer_contract(model, pooling, prefixes))
        except ExportRuntimeError:
            raise
        except OnnxExportError as exc:
            _remember_refusal(folder, str(exc))
            raise


def _add_contract(folder: Path, model: SentenceTransformer, pooling: PoolingSpec, prefixes: Mapping[str, str]) -> None:
    """Give an export made before :data:`CONTRACT_KEY` existed its section (the next process may
    then open it without the model); the caller holds the folder's lock."""
    manifest = _read_json(folder / MANIFEST_FILE)
    if manifest is None or isinstance(manifest.get(CONTRACT_KEY), dict):
        return
    try:
        manifest[CONTRACT_KEY] = tokenizer_contract(model, pooling, prefixes)
        write_json_atomic(folder / MANIFEST_FILE, manifest, indent=1)
    except (OSError, ValueError) as exc:  # a read-only cache still serves, with the model loaded
        log.info("could not add the tokenizer contract to %s (%s)", folder, exc)


@dataclass(frozen=True, slots=True)
class CachedExport:
    """An export opened without its model: the encoder, the tokenizer that feeds it, the vector size."""

    encoder: ExportEncoder
    tokenizer: ExportTokenizer
    dim: int


def open_cached_export(
    model_folder: Path,
    *,
    weights_sha256: str,
    cache_dir: Path,
    texts: Sequence[tuple[str, str]],
    prefixes: Mapping[str, str],
    threads: int | None = None,
    settings: OnnxSettings | None = None,
    runtime: Runtime = "onnxruntime",
    precision: str = "fp32",
) -> CachedExport:
    """The cached export of the model in ``model_folder``, opened without loading the model (no
    torch, transformers or sentence-transformers: ~500 MB less resident memory).

    The manifest's :data:`CONTRACT_KEY` section supplies what the model would: pooling, vector size,
    length limit, and probe ids the ``tokenizers`` library must reproduce exactly. The export is
    then checked and verified against fp32 as on every load. Raises OnnxExportError when there is
    no such export yet, it predates the section, or anything does not check out: the caller then
    loads the model and :func:`load_onnx_encoder` (which exports, repairs, or falls back to torch).
    """
    settings = settings or OnnxSettings()
    _require(runtime)
    folder = export_folder(cache_dir, weights_sha256, settings)
    manifest = _read_json(folder / MANIFEST_FILE)
    contract = manifest.get(CONTRACT_KEY) if manifest else None
    if not isinstance(contract, dict):
        reason = None if manifest else _refused_before(folder)
        if reason is not None:
            raise OnnxExportError(f"{reason} (refused before)")
        raise NoCachedExport("there is no cached export with a tokenizer contract yet")
    try:
        pooling = PoolingSpec(modes=tuple(contract["pooling"]), include_prompt=bool(contract["include_prompt"]),
                              pad_id=int(contract["pad_id"]))
        dim, max_length, probes = int(contract["dim"]), int(contract["max_length"]), list(contract["probes"])
    except (KeyError, TypeError, ValueError) as exc:
        raise OnnxExportError(f"the export's tokenizer contract is damaged ({exc})") from exc
    if not pooling.include_prompt or dim <= 0:
        raise OnnxExportError("pooling that leaves out the prompt, or an unknown vector size, needs the model")
    tokenizer = ExportTokenizer.from_folder(model_folder, max_length=max_length, pad_id=pooling.pad_id)
    tokenizer.check(probes)
    batches = [tokenizer.features([(prompt or "") + t for t in group])
               for prompt, group in verification_inputs(texts, prefixes)]
    with _folder_lock(folder):
        encoder = _open_cached(folder, weights_sha256, settings, pooling, batches, threads, runtime, precision)
    log.info("ONNX %s export %s verified as %s without loading the model (cosine to fp32: mean %.4f, min %.4f)",
             settings.precision, folder.name, encoder.backend, encoder.mean_cosine, encoder.min_cosine)
    return CachedExport(encoder, tokenizer, dim)
