"""int8 weights for OpenVINO (``JOBSAI_EMBED_BACKEND=openvino-int8``): every linear layer's weight
matrix stored as uint8 with a scale and zero point per output channel, which OpenVINO's CPU plugin
multiplies with the activations quantised at run time per group of ``GROUP_SIZE`` values
(``DYNAMIC_QUANTIZATION_GROUP_SIZE``) on the CPU's int8 dot-product instructions (VNNI).

Why this recipe: earlier int8 attempts (ONNX Runtime dynamic and static, ten recipes in
``bench/int8_recipes.py``) quantised each activation tensor with one scale, so a few outlier
channels cost the rest their precision: cosine to fp32 ~0.999. One scale per 64 values keeps the
outliers' damage local: cosine ~0.9998 on ad and CV texts. Groups of 32 were barely faster than
bf16 (1.04x), groups of 128 faster (1.28x) but further off (0.99975). Measured on two Zen 4 cores,
interleaved with the bf16 backend on the same texts: bulk batches 1.14-1.22x and a CV's texts
1.09-1.36x faster (``bench/embed_speed.py`` and a raw OpenVINO run).

It is not the default: nDCG@10 moved by -0.018 / +0.005 / -0.001 on dev / dev2-A / dev2-B
(``bench/quality.py --backends torch-fp32,openvino-int8``), the dev loss being one CV whose top two
ads are 0.0005 apart in fused score; torch's query vectors plus random noise of the same size swap
them in 3 of 12 draws (``bench/int8_recipes.py --noise 0.99982``), and an NNCF-made copy of this
recipe, 0.99999 cosine to this one, happened not to (dev +0.0007).

The compression is done here with OpenVINO's own graph API, not NNCF: it is one pattern (uint8
constant -> convert -> subtract zero point -> multiply by scale), and NNCF imports torch, which the
processes that only serve from a cached export never load (``embed/model.py``). It makes the same
graph as ``nncf.compress_weights(mode=INT8_ASYM)`` up to rounding (mean cosine to fp32 0.99983 vs 0.99982,
the same speed: checked while building it).
"""

from __future__ import annotations

from typing import Any

import numpy as np

GROUP_SIZE = 64
"""Activations share one int8 scale per this many values (``DYNAMIC_QUANTIZATION_GROUP_SIZE``)."""


def compress_linear_weights(model: Any) -> int:
    """Replace the constant weight of every 2-D ``MatMul`` in the OpenVINO ``model`` (in place) by its
    uint8 form and a per-output-channel dequantisation; returns how many were replaced.

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
