"""Shared test fixtures: paths to the shared reference data and an isolated data directory."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SHARED_ADS = SHARED / "data" / "jobtech" / "ads.jsonl"
EVAL_DEV = SHARED / "eval-dev"


@pytest.fixture
def shared_ads_path() -> Path:
    if not SHARED_ADS.exists():
        pytest.skip("../shared/data/jobtech/ads.jsonl is not present")
    return SHARED_ADS


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "jobsai-data"
    d.mkdir()
    return d
