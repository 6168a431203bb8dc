"""int8 weights for OpenVINO (``JOBSAI_EMBED_BACKEND=openvino-int8``; ``auto`` picks it on CPUs like
AMD Zen 4: ``embed.backends.resolve_backend``): every linear layer's weight matrix stored as uint8
with a scale and zero point per output channel, which OpenVINO's CPU plugin multiplies with the
activations quantised at run time per group of ``GROUP_SIZE`` values
(``DYNAMIC_QUANTIZATION_GROUP_SIZE``) on the CPU's int8 dot-product instructions (VNNI). What is not
int8 (embedding table, norms, biases) is the fp16 IR's (``openvino_backend.ensure_ir``). On a CPU with
AMX, OpenVINO multiplies these weights in bf16 instead when the rest runs in bf16 (cosine to fp32
0.99993, as for int8 weights alone) and is then slower than the bf16 IR, as it is with the rest in
fp32 (``embed.precision.int8_slower_here``): the measurements below are an AMD Zen 4's.

Why groups: earlier int8 attempts (ONNX Runtime dynamic and static, ten recipes in
``bench/int8_recipes.py``) quantised each activation tensor with one scale, so a few outlier
channels cost the rest their precision: cosine to fp32 ~0.999. One scale per 64 values keeps the
outliers' damage local: cosine ~0.9998 on ad and CV texts.

Why every layer: ``bench/openvino_int8_layers.py`` measured seven choices of layers and group
sizes by the fused match score's error against torch fp32 (median over every dev CV's top 20 ads;
OpenVINO bf16's own is 0.0002) and bulk speed against OpenVINO bf16. Every layer int8: 0.00115 at
1.24x. Leaving the feed-forward down projections unquantised (their input, the GELU's output,
carries the activation outliers): 0.00102 at 1.12x; the attention layers: 0.00096 at 1.10x;
groups of 32: 0.00108 at 1.18x, of 128 (down projections kept): 0.00153 at 1.18x; weights alone,
with no int8 products: 0.00066 but slower than bf16 (0.92x). No choice is close enough to change
a near tie's fate (below), so this backend, whose point is speed, takes the fastest. In
``bench/embed_speed.py`` its indexing pipeline ran 1.22x and a CV's texts 1.27x as fast as OpenVINO
bf16's (6.40x plain sentence-transformers fp32).

Quality: plain nDCG@10 against torch fp32 on dev / dev2-A / dev2-B moved by -0.014 / +0.014 /
-0.004 (``bench/quality.py --backends torch-fp32,openvino-int8``); the seven choices by -0.004 to
-0.019 on dev, -0.004 to +0.021 on dev2-A and -0.004 to +0.001 on the held-out dev2-B. The dev
losses come from near ties such as one CV's top two ads, 0.0005 apart in fused score: neighbouring
ads in a top 10 are a median 0.0035 apart and int8 moves them ~0.001. Two of the seven passed the
0.01 bar on every set, and two of the same seven made from the fp32 ONNX file instead of the fp16
IR, but not the same two: which way that tie falls decides the plain check, not a copy's fidelity.
So a lucky copy is not chosen by it; backends are also compared by a smoothed nDCG@10 (expected
under 0.001 score noise, where a near tie counts as a coin flip), by which int8 stays within 0.01
on every set, and ``JOBSAI_EMBED_BACKEND=auto`` picks this backend where it is the faster one
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


def compress_linear_weights(model: Any, keep: Callable[[str, int, int], bool] | None = None) -> int:
    """Replace the constant weight of every 2-D ``MatMul`` in the OpenVINO ``model`` (in place) by its
    uint8 form and a per-output-channel dequantisation, but for those ``keep(name, inputs, outputs)``
    is true of, which stay as they are (``bench/openvino_int8_layers.py`` compares such choices);
    returns how many were replaced.

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
        if keep is not None and keep(op.get_friendly_name(), weights.shape[axis], weights.shape[1 - axis]):
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
