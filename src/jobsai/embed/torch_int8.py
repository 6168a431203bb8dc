"""torch's int8 copy of a model for CPU inference (``JOBSAI_EMBED_QUANTIZE``): SmoothQuant-smoothed
dynamic quantisation of the linear layers, checked against fp32 before it is used."""

from __future__ import annotations

import copy
import hashlib
import logging
import os
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jobsai.embed.calibration_texts import CALIBRATION_TEXTS
from jobsai.embed.prefixes import NO_PREFIXES, Prefixes
from jobsai.errors import ModelError

if TYPE_CHECKING:
    import torch
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

SMOOTHING_ALPHA = 0.6
"""SmoothQuant migration strength: best of 0.5-0.8 on e5-small (min cosine to fp32 0.993 on ads)."""
MIN_QUANTIZED_COSINE = 0.98
"""The int8 copy is discarded (fp32 is used) if it drifts further than this on calibration texts."""


def _pre_scale_module() -> type:
    import torch

    class PreScale(torch.nn.Module):
        """x -> linear(x * inv): the inverse of the smoothing factor folded into the weights."""

        inv: torch.Tensor

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
