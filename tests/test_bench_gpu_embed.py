"""``bench/gpu_embed.py`` runs where there is no GPU: the CPU rows, the cosine check, exit 0.

It is the script a GPU machine runs for issue 13's figures; this keeps it working in CI with a
tiny real model and a few demo ads (the GPU rows need CUDA and are skipped by the script itself).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.tiny_model import make_tiny_model

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("backend", ["torch", "onnx"])
def test_gpu_embed_smoke_on_cpu(tmp_path: Path, backend: str) -> None:
    model = make_tiny_model(tmp_path / "tiny-model")
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
        JOBSAI_MODEL=str(model), JOBSAI_DATA_DIR=str(tmp_path / "data"), JOBSAI_DEVICE="cpu",
        JOBSAI_EMBED_QUANTIZE="false",
    )
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "gpu_embed.py"), "--ads", "6", "--cpu-ads", "4", "--demo",
         "--cpu-backend", backend],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "6 ads (12 texts) on cpu" in out
    assert "torch fp32 on cpu" in out and f"CPU backend ({backend}" in out
    assert "fp16" not in out  # no CUDA here: no fp16 row
    assert "OK: every encoder within cosine 0.99" in out
