"""int8 weights for OpenVINO (``JOBSAI_EMBED_BACKEND=openvino-int8``, what ``auto`` picks on a CPU
with VNNI and native bf16): the linear layers' weight matrices, but the feed-forward down
projections', stored as uint8 with a scale and zero point per output channel, which OpenVINO's CPU
plugin multiplies with the activations quantised at run time per group of ``GROUP_SIZE`` values
(``DYNAMIC_QUANTIZATION_GROUP_SIZE``) on the CPU's int8 dot-product instructions (VNNI).

Why groups: earlier int8 attempts (ONNX Runtime dynamic and static, ten recipes in
``bench/int8_recipes.py``) quantised each activation tensor with one scale, so a few outlier
channels cost the rest their precision: cosine to fp32 ~0.999. One scale per 64 values keeps the
outliers' damage local: cosine ~0.9998 on ad and CV texts. Groups of 32 were barely faster than
bf16, groups of 128 faster but further off.

Why not the down projections (the only layers whose input is wider than their output: 1536 -> 384
in e5-small): their input is the GELU's output, where transformers keep their activation outliers
(LLM.int8(), SmoothQuant), and quantising it costs the most. Keeping those 12 of 72 products in
bf16 cut the fused match score's error against fp32 (median over every dev CV's top 20 ads) from
0.0012 to 0.00095, for 1.15x instead of 1.25x bf16's bulk speed; ``bench/openvino_int8_layers.py``
measures seven layer choices and group sizes (weights alone, with no int8 products, were slower
than bf16). In ``bench/embed_speed.py`` the indexing pipeline ran 1.12x and a CV's texts 1.19x
as fast as with OpenVINO bf16.

nDCG@10 against torch fp32, dev / dev2-A / dev2-B: +0.0015 / +0.0205 / +0.0017 with this recipe and
the rest of the model in bf16; -0.017 / +0.013 / +0.001 with the rest in fp32, and -0.018 / +0.005
/ -0.001 with the down projections int8 too, each dev loss one CV whose top two ads are 0.0005
apart in fused score. Every int8 variant moves these small sets by up to ~0.02 either way (the
fused scores of neighbouring ads in a top 10 are a median 0.0035 apart, int8's error ~0.001):
seven variants average -0.013 on dev, where the weights were tuned, +0.014 on dev2-A and +0.0002
on the held-out dev2-B. So ``auto`` picks this backend only where it was measured to pass
(``embed.backends.resolve_backend``).

The compression is done here with OpenVINO's own graph API, not NNCF: it is one pattern (uint8
constant -> convert -> subtract zero point -> multiply by scale), and NNCF imports torch, which the
processes that only serve from a cached export never load (``embed/model.py``). With every layer
quantised it made the same graph as ``nncf.compress_weights(mode=INT8_ASYM)`` up to rounding (mean
cosine to fp32 0.99983 vs 0.99982, the same speed: checked while building it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

GROUP_SIZE = 64
"""Activations share one int8 scale per this many values (``DYNAMIC_QUANTIZATION_GROUP_SIZE``)."""


def is_down_projection(name: str, inputs: int, outputs: int) -> bool:
    """A linear layer with more inputs than outputs: in a BERT-like encoder, the feed-forward block's
    second product (1536 -> 384 in e5-small), whose input is the GELU's output."""
    return inputs > outputs


def compress_linear_weights(model: Any, keep: Callable[[str, int, int], bool] = is_down_projection) -> int:
    """Replace the constant weight of every 2-D ``MatMul`` in the OpenVINO ``model`` (in place) by its
    uint8 form and a per-output-channel dequantisation, but for those ``keep(name, inputs, outputs)``
    is true of (the down projections), which stay as they are; returns how many were replaced.

    Asymmetric (a zero point per channel) because e5's weight rows are not centred on zero; the
    scales are rounded to fp16 before quantising, so the stored scale is the one the weights were
    quantised with. Attention's activation-by-activation products have no constant input and stay.
    """
    from openvino import opset13 as ops

    replaced = 0
    for op in model.get_ordered_ops():
        if op.get_type_name() != "MatMul":
            continue
        source = op.input(1).get_source_output().get_node()
        if source.get_type_name() == "Convert":  # an fp16 IR: Constant(f16) -> Convert(f32)
            source = source.input(0).get_source_output().get_node()
        if source.get_type_name() != "Constant":
            continue
        weights = np.asarray(source.get_data(), dtype=np.float32)
        if weights.ndim != 2:
            continue
        axis = 1 if op.get_attributes().get("transpose_b") else 0  # the input dimension: one scale per output
        if keep(op.get_friendly_name(), weights.shape[axis], weights.shape[1 - axis]):
            continue
        low = np.minimum(weights.min(axis=axis, keepdims=True), 0.0)
        high = np.maximum(weights.max(axis=axis, keepdims=True), 0.0)
        scale = np.maximum((high - low) / 255.0, np.finfo(np.float16).tiny).astype(np.float16)
        step = scale.astype(np.float32)
        zero = np.clip(np.round(-low / step), 0, 255)
        quantised = np.clip(np.round(weights / step) + zero, 0, 255).astype(np.uint8)
        dequantised = ops.multiply(
            ops.subtract(ops.convert(ops.constant(quantised), "f16"),
                         ops.convert(ops.constant(zero.astype(np.uint8)), "f16")),
            ops.constant(scale),
        )
        op.input(1).replace_source_output(ops.convert(dequantised, "f32").output(0))
        replaced += 1
    model.validate_nodes_and_infer_types()
    return replaced
