"""Which precision the torch backend encodes in (``JOBSAI_EMBED_PRECISION``), and the bf16 check.

Why bf16 on a CPU: where the CPU computes bfloat16 natively (AVX512-BF16 on AMD Zen 4 and
Intel Cooper Lake, AMX on Sapphire Rapids and later), oneDNN runs the model's matrix products
about twice as fast as fp32. Under ``torch.autocast`` only the matrix products run in bf16;
layer norms, softmax and pooling stay fp32, so the vectors stay within cosine ~0.9999 of fp32
(int8 only reached ~0.99 and cost 0.01-0.04 nDCG@10). They are treated as fp32's vectors: an
index built by either serves queries from the other. ``bench/embed_speed.py`` and
``bench/quality.py`` measure both. Without native bf16 the CPU would emulate it, slower than
fp32, so ``auto`` keeps fp32 there. Before first use the bf16 path is checked against fp32 on
fixed texts and refused (fp32 is used, with a warning) if it drifts.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import platform
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from jobsai.atomic_json import write_json_atomic
from jobsai.embed.calibration_texts import CALIBRATION_TEXTS
from jobsai.embed.prefixes import NO_PREFIXES, Prefixes
from jobsai.errors import ModelError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

Precision = Literal["auto", "fp32", "bf16", "fp16"]
CHECK_VERSION = "1"
MIN_MEAN_COSINE = 0.999
"""bf16 is refused if its vectors' mean cosine to fp32 on the fixed texts falls below this ..."""
MIN_COSINE = 0.99
"""... or any one text's falls below this (the bar an ONNX export must pass too)."""
_NATIVE_BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})
_INT8_DOT_FLAGS = frozenset({"avx512_vnni", "avx_vnni", "amx_int8"})


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str]:
    """The CPU's feature flags as Linux lists them (empty where there is no ``/proc/cpuinfo``)."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            return frozenset(value.split())
    return frozenset()


def cpu_has_native_bf16(flags: frozenset[str] | None = None) -> bool:
    """Whether this x86 CPU multiplies bfloat16 in hardware (AVX512-BF16 or AMX-BF16)."""
    return bool((cpu_flags() if flags is None else flags) & _NATIVE_BF16_FLAGS)


def cpu_has_int8_dot(flags: frozenset[str] | None = None) -> bool:
    """Whether this x86 CPU has int8 dot-product instructions (VNNI or AMX-INT8), which OpenVINO's
    int8 products need to be faster than bf16 or fp32 ones."""
    return bool((cpu_flags() if flags is None else flags) & _INT8_DOT_FLAGS)


def int8_slower_here(flags: frozenset[str] | None = None) -> str | None:
    """Why ``openvino-int8`` is expected to be slower than ``openvino`` bf16 on this CPU, or None.

    Without int8 dot products its products are emulated. With AMX (Intel Sapphire Rapids and
    later) bf16 products run on AMX's tiles: on 2 such cores the int8 IR ran 0.77x as fast as bf16
    with the rest in bf16 (OpenVINO multiplies its weights in bf16 there: cosine to fp32 0.99993,
    as for int8 weights alone) and 0.50x with the rest in fp32, where it does quantise the
    activations (``bench/embed_speed.py``). It pays only on CPUs with VNNI and no AMX, such as
    AMD Zen 4 (1.22x bf16)."""
    found = cpu_flags() if flags is None else flags
    if not cpu_has_int8_dot(found):
        return "this CPU has no int8 dot products (VNNI, AMX), so its int8 products are emulated"
    if "amx_bf16" in found:
        return "on a CPU with AMX, OpenVINO's bf16 products are faster than its int8 ones (0.5-0.8x measured)"
    return None


def resolve_precision(setting: str | None, device: str, *, native_bf16: bool | None = None) -> str:
    """``JOBSAI_EMBED_PRECISION`` on ``device`` -> ``fp32``, ``bf16`` or ``fp16``.

    ``auto``: fp16 on a GPU; bf16 on a CPU with native bf16; else fp32. ``fp16`` on a CPU is
    refused: CPUs have no fast fp16 matrix products and the vectors would only get worse.
    """
    value = (setting or "auto").strip().lower()
    on_gpu = device.startswith("cuda")
    if value not in ("auto", "fp32", "bf16", "fp16"):
        raise ModelError(f"JOBSAI_EMBED_PRECISION={setting!r}: use auto, fp32, bf16 or fp16.")
    if value == "fp16" and not on_gpu:
        raise ModelError("JOBSAI_EMBED_PRECISION=fp16 needs a GPU (JOBSAI_DEVICE=cuda); on a CPU use bf16 or auto.")
    native = cpu_has_native_bf16() if native_bf16 is None else native_bf16
    if value == "auto":
        return "fp16" if on_gpu else ("bf16" if native else "fp32")
    if value == "bf16" and not on_gpu and not native:
        log.warning("JOBSAI_EMBED_PRECISION=bf16 on a CPU without native bf16: it is emulated, slower than fp32")
    return value


@contextlib.contextmanager
def autocast(precision: str, device: str) -> Iterator[None]:
    """Run the forward passes inside in ``precision`` (bf16: matrix products only); fp32 and the
    fp16 copy need nothing."""
    if precision != "bf16":
        yield
        return
    import torch

    with torch.autocast(device_type="cuda" if device.startswith("cuda") else "cpu", dtype=torch.bfloat16):
        yield


def _check_key(weights_sha256: str, texts: list[str]) -> str:
    import torch

    h = hashlib.sha256(f"{CHECK_VERSION}\0{weights_sha256}\0{torch.__version__}\0{platform.processor()}".encode())
    for name in sorted(cpu_flags() & _NATIVE_BF16_FLAGS):
        h.update(name.encode())
    for text in texts:
        h.update(b"\0" + text.encode())
    return h.hexdigest()[:32]


def _cosines(model: Any, texts: list[str], device: str) -> list[float]:
    """Per-text cosine between the fp32 and the bf16 embedding of each text."""
    import torch
    import torch.nn.functional as F
    from sentence_transformers.util import batch_to_device

    features = batch_to_device(model.preprocess(texts), torch.device(device))
    with torch.inference_mode():
        ref = model(dict(features))["sentence_embedding"].float()
        with autocast("bf16", device):
            got = model(dict(features))["sentence_embedding"].float()
    return [float(c) for c in F.cosine_similarity(ref, got, dim=1)]


def check_bf16(
    model: SentenceTransformer,
    prefixes: Prefixes = NO_PREFIXES,
    *,
    device: str = "cpu",
    weights_sha256: str | None = None,
    cache_dir: Path | None = None,
) -> tuple[float, float]:
    """(mean, min) cosine between ``model``'s fp32 and bf16 vectors of the fixed calibration texts.

    Raises ModelError when bf16 drifts below :data:`MIN_MEAN_COSINE` / :data:`MIN_COSINE` or fails
    to run. The result is cached in ``cache_dir`` per weights, torch version and CPU, so a
    restart does not pay the check again (a few seconds for e5-small on two cores).
    """
    texts = [prefixes.for_kind(kind) + text for kind, text in CALIBRATION_TEXTS]
    key = _check_key(weights_sha256 or "", texts)
    cache_file = cache_dir / f"bf16-check-{key}.json" if cache_dir and weights_sha256 else None
    cosines: list[float] | None = None
    if cache_file is not None and cache_file.is_file():
        try:
            cosines = [float(c) for c in json.loads(cache_file.read_text(encoding="utf-8"))["cosines"]]
        except (OSError, ValueError, KeyError, TypeError):
            cosines = None  # a damaged cache only costs the check
    if not cosines:
        model.eval()
        try:
            cosines = _cosines(model, texts, device)
        except Exception as exc:  # an op without a bf16 kernel on this CPU, etc.
            raise ModelError(f"bf16 inference failed ({type(exc).__name__}: {exc})") from exc
        if cache_file is not None:
            try:
                write_json_atomic(cache_file, {"key": key, "cosines": cosines})
            except OSError as exc:
                log.debug("Could not write %s: %s", cache_file, exc)
    mean, low = sum(cosines) / len(cosines), min(cosines)
    if mean < MIN_MEAN_COSINE or low < MIN_COSINE:
        raise ModelError(
            f"bf16 vectors drift from fp32 (cosine mean {mean:.5f}, min {low:.5f}; "
            f"needs {MIN_MEAN_COSINE} and {MIN_COSINE})"
        )
    return mean, low
