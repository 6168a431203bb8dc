"""Export a sentence-transformers model's transformer to ONNX and quantise it to int8 weights.

Why: on CPU, embedding cost is the transformer's matrix products. ONNX Runtime's int8 kernels
(dynamic quantisation: int8 weights, activations quantised per batch) run them ~1.8-2.1x faster
than PyTorch fp32 on two cores, and on e5 per-channel weights stay within cosine ~0.999 of fp32
(``bench/embed_speed.py``), where torch's own smoothed dynamic int8 reaches ~0.995. Only the transformer is
exported (input ids and attention mask in, last hidden state out, batch and sequence axes
dynamic); pooling and normalisation stay in numpy (``embed/onnx_backend.py``), exactly as
the model's own pooling config says, so the graph is the same for every ST model of this shape.

An export is a pure function of the weights and the :class:`OnnxSettings`, so it is cached
under the model cache dir by the weights' sha256 (the Embedder's fingerprint) and the settings.
This module only builds the files; verification against fp32 and the cache's life cycle are
``onnx_backend``'s.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from jobsai.errors import ModelError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

EXPORT_FORMAT_VERSION = "2"
"""Bump when the exported graph or the quantisation recipe changes: it is part of the cache key.
2: attention exported in its eager form (:func:`_eager_attention`)."""
INPUT_NAMES: tuple[str, ...] = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT_NAME = "last_hidden_state"
MODEL_FILE = "model.onnx"

Exporter = Literal["dynamo", "legacy"]


class OnnxExportError(ModelError):
    """The model could not be exported to ONNX, or its export does not reproduce fp32."""


@dataclass(frozen=True, slots=True)
class OnnxSettings:
    """How a model is exported and quantised; every field is part of the cache key.

    Defaults (measured on multilingual-e5-small, ``bench/embed_speed.py``): per-channel int8
    weights keep cosine to fp32 at ~0.9965 (per-tensor: ~0.988, refused); quantising ``MatMul`` and
    ``Gather`` (the embedding table: a 4x smaller file than ``MatMul`` alone, same accuracy and speed)
    leaves LayerNorm, softmax and GELU in fp32. Activations are quantised per tensor at run time, so
    a linear layer whose input has outlier channels loses most: on e5 the FFN output layer of block
    4 (input max/median over channels 77) caused half of all the error. Such layers stay fp32
    (``fp32_outlier_ratio``, at most ``fp32_max_share`` of the linears): cosine ~0.9989 instead of
    ~0.9966, for 4 of 72 matrix products in fp32 (indexing ~10 % slower than all-int8).

    Closer recipes do not buy match quality: a larger fp32 share, every FFN output layer in fp32
    (``fp32_down_proj``) or both reach cosine ~0.9995 but still lose ~0.015 dev nDCG@10 with int8
    queries (one near-tied CV flipping), and cost a third to two thirds of the speed-up; static QDQ
    quantisation was further off and slower (``bench/int8_recipes.py`` has the table). So the
    default stays the fastest recipe that verifies, and torch stays the default backend.
    """

    precision: Literal["fp32", "int8"] = "int8"
    per_channel: bool = True
    op_types: tuple[str, ...] = ("MatMul", "Gather")
    exporter: Exporter = "legacy"
    """``legacy`` (TorchScript tracing) or ``dynamo`` (torch.export); the other is tried when the chosen
    one fails. Both reproduce fp32 exactly with torch 2.13 and transformers 5; legacy is the default
    because ONNX Runtime fuses its GELU (dynamo's decomposed erf-GELU stays unfused: its int8 model ran
    ~15 % slower, ``bench/embed_speed.py``) and it exports in ~12 s instead of ~40 s for e5-small."""
    opset: int = 17
    fp32_outlier_ratio: float = 32.0
    """A linear layer whose input's max |activation| over channels is this many times the median
    channel's (on the verification texts) stays fp32; 0: quantise every one."""
    fp32_max_share: float = 1 / 12
    """At most this share of the linear layers stays fp32 (the most outlying first)."""
    fp32_down_proj: bool = False
    """Keep every down projection (a linear layer with more inputs than outputs: BERT's FFN output
    layer, ``intermediate -> output.dense``) in fp32, outlying or not, on top of the outlier share:
    e5's most outlying inputs feed one of them. It makes the export closer, not the ranking better."""

    @property
    def vectors(self) -> str:
        """Names the vectors this export makes, for index identity: fp32 exports reproduce torch's
        vectors (cosine 1.0000), so they are ``fp32`` like torch's; each int8 recipe is its own."""
        if self.precision == "fp32":
            return "fp32"
        ops = "+".join(sorted(o.lower() for o in self.op_types))
        keep = f"-o{self.fp32_outlier_ratio:g}x{self.fp32_max_share:.3g}" if self.fp32_outlier_ratio else ""
        keep += "-down32" if self.fp32_down_proj else ""
        return f"onnx-int8-{'pc' if self.per_channel else 'pt'}-{ops}{keep}-v{EXPORT_FORMAT_VERSION}"

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["op_types"] = list(self.op_types)
        if not self.fp32_down_proj:  # added later: exports made before it keep their cache key
            del data["fp32_down_proj"]
        return data

    def cache_key(self, weights_sha256: str) -> str:
        """Folder name of this model's export under these settings."""
        blob = json.dumps({"format": EXPORT_FORMAT_VERSION, "settings": self.as_dict()}, sort_keys=True)
        return f"{weights_sha256[:16]}-{hashlib.sha256(blob.encode()).hexdigest()[:12]}"


def transformer_of(model: SentenceTransformer) -> Any:
    """The Hugging Face model inside the ST model's first module (what is exported)."""
    first = model[0] if len(model) else None
    hf = getattr(first, "auto_model", None) or getattr(first, "model", None)
    if hf is None or not hasattr(hf, "forward"):
        raise OnnxExportError(
            f"the model's first module ({type(first).__name__}) is not a Hugging Face transformer; "
            "the ONNX backend exports only sentence-transformers Transformer modules"
        )
    return hf


def sample_features(model: SentenceTransformer) -> dict[str, Any]:
    """A small padded batch to trace with: a padded row keeps the mask's code path in the graph."""
    features = model.preprocess(["passage: exempeltext för export, med några ord till", "x"])
    names = [n for n in INPUT_NAMES if n in features]
    if "input_ids" not in names or "attention_mask" not in names:
        raise OnnxExportError("the model's tokenizer gives no input_ids/attention_mask; cannot export it")
    return {n: features[n] for n in names}


def _wrapper(hf: Any, names: list[str]) -> Any:
    import torch

    class LastHiddenState(torch.nn.Module):
        """Positional tensors in the order of ``names`` -> the transformer's last hidden state."""

        def __init__(self) -> None:
            super().__init__()
            self.hf = hf

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            out = self.hf(**dict(zip(names, tensors, strict=True)), return_dict=True)
            return out.last_hidden_state if hasattr(out, "last_hidden_state") else out[0]

    return LastHiddenState().eval()


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """The exporters and the quantiser print progress and deprecation notes on every run."""
    loggers = [logging.getLogger(n) for n in ("torch.onnx", "torch.export", "torch._dynamo", "root")]
    levels = [lg.level for lg in loggers]
    try:
        for lg in loggers:
            lg.setLevel(logging.ERROR)
        with (
            warnings.catch_warnings(),
            contextlib.redirect_stdout(io.StringIO()),
        ):
            warnings.simplefilter("ignore")
            yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


@contextlib.contextmanager
def _eager_attention(hf: Any) -> Iterator[None]:
    """Trace the model's attention in its eager form (matmul, scale, mask, softmax, matmul).

    Why: that is the pattern the runtimes' graph compilers fuse. OpenVINO's CPU plugin compiles it
    into one attention kernel per layer, where torch's SDPA exports as a decomposition it leaves as
    24 matmuls and 120 transposes: OpenVINO bf16 ran 1.10-1.17x faster on e5-small (bulk batches of
    32 x 224 tokens and single CV texts alike), ONNX Runtime fp32 1.24x on bulk batches, with the
    same vectors (cosine 0.99998; the math is the same). A model that has no eager form keeps its own.
    """
    before = getattr(getattr(hf, "config", None), "_attn_implementation", None)
    switched = False
    if callable(getattr(hf, "set_attn_implementation", None)) and before not in (None, "eager"):
        try:
            hf.set_attn_implementation("eager")
            switched = True
        except (ValueError, ImportError, NotImplementedError) as exc:
            log.info("exporting with %s attention: the model has no eager form (%s)", before, exc)
    try:
        yield
    finally:
        if switched:
            hf.set_attn_implementation(before)


def _export(model: SentenceTransformer, path: Path, exporter: Exporter, opset: int) -> list[str]:
    import torch

    hf = transformer_of(model)
    features = sample_features(model)
    names = list(features)
    device = next(hf.parameters()).device
    args = tuple(features[n].to(device) for n in names)
    module = _wrapper(hf, names)
    was_training = hf.training
    hf.eval()
    try:
        with _quiet(), torch.no_grad(), _eager_attention(hf):
            if exporter == "dynamo":
                batch, seq = torch.export.Dim("batch", max=1 << 16), torch.export.Dim("seq", max=1 << 16)
                torch.onnx.export(
                    module, args, str(path), dynamo=True, external_data=False, verbose=False,
                    opset_version=max(opset, 18), input_names=names, output_names=[OUTPUT_NAME],
                    dynamic_shapes=(tuple({0: batch, 1: seq} for _ in names),),  # forward(*tensors)
                )
            else:
                torch.onnx.export(
                    module, args, str(path), dynamo=False, opset_version=opset,
                    input_names=names, output_names=[OUTPUT_NAME],
                    dynamic_axes={n: {0: "batch", 1: "seq"} for n in [*names, OUTPUT_NAME]},
                )
    finally:
        hf.train(was_training)
    if not path.is_file():
        raise OnnxExportError(f"the {exporter} exporter wrote no file")
    return names


def export_fp32(model: SentenceTransformer, path: Path, settings: OnnxSettings) -> tuple[list[str], str]:
    """Export the transformer as fp32 ONNX to ``path``; (input names, exporter that worked).

    The chosen exporter is tried first, then the other: torch's exporters each fail on some
    architectures the other handles.
    """
    order: list[Exporter] = [settings.exporter, "legacy" if settings.exporter == "dynamo" else "dynamo"]
    errors = []
    for exporter in order:
        try:
            return _export(model, path, exporter, settings.opset), exporter
        except OnnxExportError:
            raise
        except Exception as exc:  # torch.export / TorchScript raise many unrelated types
            log.info("ONNX export with the %s exporter failed: %s: %s", exporter, type(exc).__name__, exc)
            errors.append(f"{exporter}: {type(exc).__name__}: {str(exc)[:300]}")
            path.unlink(missing_ok=True)
    raise OnnxExportError("torch could not export the model to ONNX (" + "; ".join(errors) + ")")


def outlier_linears(
    model: SentenceTransformer, batches: Sequence[Mapping[str, Any]], settings: OnnxSettings
) -> dict[str, float]:
    """The transformer's linear layers whose inputs have outlier channels: name -> ratio (max/median
    of the per-channel max |x| over ``batches``) for those at or over ``fp32_outlier_ratio``, the
    most outlying first."""
    import torch

    if not settings.fp32_outlier_ratio or not batches:
        return {}
    hf = transformer_of(model)
    linears = {n: m for n, m in hf.named_modules() if isinstance(m, torch.nn.Linear)}
    amax: dict[str, torch.Tensor] = {}

    def hook(name: str) -> Any:
        def record(_m: Any, inputs: tuple[torch.Tensor, ...], _out: Any) -> None:
            x = inputs[0].detach().abs().reshape(-1, inputs[0].shape[-1]).amax(dim=0).float().cpu()
            amax[name] = torch.maximum(amax[name], x) if name in amax else x

        return record

    handles = [m.register_forward_hook(hook(n)) for n, m in linears.items()]
    device = next(hf.parameters()).device
    try:
        with torch.inference_mode():
            for batch in batches:
                mask = batch["attention_mask"]
                for row in range(mask.shape[0]):  # one text at a time: padding is not activation
                    n = int(mask[row].sum())
                    model({k: (v[row : row + 1, :n].to(device) if hasattr(v, "dim") and v.dim() == 2 else v)
                           for k, v in batch.items()})
    finally:
        for handle in handles:
            handle.remove()
    ratios = {n: float(a.max() / a.median().clamp(min=1e-12)) for n, a in amax.items()}
    over = sorted((n for n, r in ratios.items() if r >= settings.fp32_outlier_ratio), key=lambda n: -ratios[n])
    return {n: round(ratios[n], 1) for n in over}


def _matmul_nodes_of(path: Path, weights: Mapping[str, Any]) -> dict[str, list[str]]:
    """Linear layer name -> the MatMul/Gemm nodes of the ONNX file whose constant weight is that
    layer's (``weights``: torch tensors), matched by value: whatever names the exporter chose."""
    import numpy as np
    import onnx
    from onnx import numpy_helper

    by_digest: dict[str, str] = {}
    for name, w in weights.items():
        arr = np.ascontiguousarray(w.detach().cpu().float().numpy())
        for form in (arr, np.ascontiguousarray(arr.T)):  # MatMul holds W^T, Gemm(transB=1) W
            by_digest.setdefault(hashlib.sha256(form.tobytes()).hexdigest(), name)
    graph = onnx.load(str(path))
    inits = {i.name: i for i in graph.graph.initializer}
    found: dict[str, list[str]] = {}
    renamed = False
    for i, node in enumerate(graph.graph.node):
        if node.op_type not in ("MatMul", "Gemm") or len(node.input) < 2 or node.input[1] not in inits:
            continue
        arr = np.ascontiguousarray(numpy_helper.to_array(inits[node.input[1]]).astype(np.float32))
        weight = by_digest.get(hashlib.sha256(arr.tobytes()).hexdigest())
        if weight is not None:
            if not node.name:  # quantize_dynamic excludes nodes by name
                node.name, renamed = f"jobsai_matmul_{i}", True
            found.setdefault(weight, []).append(node.name)
    if renamed:
        onnx.save(graph, str(path))
    return found


def quantize_int8(src: Path, dst: Path, settings: OnnxSettings, exclude: Sequence[str] = ()) -> None:
    """Dynamic int8 quantisation of ``src``'s weights into ``dst`` (``onnxruntime.quantization``),
    leaving the nodes named in ``exclude`` in fp32."""
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:
        raise OnnxExportError(f"onnxruntime is not installed ({exc}); use JOBSAI_EMBED_BACKEND=torch") from exc
    try:
        with _quiet():
            quantize_dynamic(
                str(src), str(dst), per_channel=settings.per_channel, weight_type=QuantType.QInt8,
                op_types_to_quantize=list(settings.op_types), nodes_to_exclude=list(exclude),
            )
    except Exception as exc:  # onnx/onnxruntime raise many unrelated types
        dst.unlink(missing_ok=True)
        raise OnnxExportError(f"int8 quantisation of the ONNX model failed ({type(exc).__name__}: {exc})") from exc


def build_export(
    model: SentenceTransformer, folder: Path, settings: OnnxSettings, calibration: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """Write ``folder/model.onnx`` for ``model`` under ``settings``; what was built, for the manifest.

    ``calibration``: ST feature batches whose activations choose the linear layers kept in fp32.
    """
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / MODEL_FILE
    fp32 = folder / "fp32.onnx" if settings.precision == "int8" else target
    inputs, exporter = export_fp32(model, fp32, settings)
    built: dict[str, Any] = {"inputs": inputs, "exporter": exporter}
    if settings.precision == "int8":
        nodes: list[str] = []
        outlying = outlier_linears(model, calibration, settings)
        if outlying or settings.fp32_down_proj:
            import torch

            hf = transformer_of(model)
            linears = {n: m for n, m in hf.named_modules() if isinstance(m, torch.nn.Linear)}
            found = _matmul_nodes_of(fp32, {n: m.weight for n, m in linears.items()})
            # The share counts the linear layers in the graph (not, e.g., BERT's unused pooler).
            kept = [n for n in outlying if n in found][: int(settings.fp32_max_share * len(found))]
            if settings.fp32_down_proj:
                kept += [n for n, m in linears.items()
                         if n in found and n not in kept and m.in_features > m.out_features]
            nodes = [node for n in kept for node in found[n]]
            built["fp32_linears"] = {n: outlying.get(n, 0.0) for n in kept}
        quantize_int8(fp32, target, settings, exclude=nodes)
        fp32.unlink(missing_ok=True)
    return built


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def versions() -> dict[str, str]:
    """Library versions that made an export (recorded in its manifest, for diagnosis)."""
    from importlib import metadata

    out = {}
    for dist in ("torch", "onnx", "onnxruntime", "onnxscript", "transformers"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[dist] = metadata.version(dist)
    return out
