"""``bench/quality.py``'s smoothed nDCG@10, the measure that compares inference backends: a near tie
that swaps must move it far less than plain nDCG@10, a real demotion as much."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from conftest import EVAL_DEV

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(not (EVAL_DEV / "score.py").exists(), reason="../shared/eval-dev is absent")


def _module(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def quality() -> ModuleType:
    return _module("bench_quality", ROOT / "bench" / "quality.py")


@pytest.fixture(scope="module")
def scorer(quality: ModuleType) -> ModuleType:
    return quality.load_scorer(EVAL_DEV.parent)


CODES = {f"ad{i}": (f"occ{i}", f"grp{i}", "field") for i in range(30)}
"""30 ads, each its own occupation and group, all in one field (grade 1 unless targeted)."""
LABEL = {"cv": "cv.txt", "lang": "sv", "target_occupation": ["occ0"], "target_group": ["grp1", "grp2"],
         "target_field": [], "note": ""}
"""ad0 is grade 3, ad1 and ad2 grade 2, the rest grade 0."""


def _scores(**moved: float) -> dict[str, dict[str, float]]:
    base = {f"ad{i}": 0.9 - 0.01 * i for i in range(30)}  # ad0 first, 0.01 apart
    return {"cv.txt": base | moved}


def test_a_near_tie_moves_smoothed_ndcg_far_less_than_plain(quality: ModuleType, scorer: ModuleType) -> None:
    es = quality.EvalSet("t", [LABEL], {"cv.txt": ""})

    def plain(scores: dict[str, dict[str, float]]) -> float:
        ranked = sorted(scores["cv.txt"], key=lambda i: -scores["cv.txt"][i])
        return scorer.score_cv(LABEL, ranked, CODES, 10)["ndcg"]

    def smooth(scores: dict[str, dict[str, float]]) -> float:
        return quality.smoothed_ndcg(scorer, es, scores, CODES)["cv.txt"]

    top, tied_below, tied_above = _scores(ad3=0.8), _scores(ad3=0.9 - 0.0003), _scores(ad3=0.9 + 0.0003)
    # a grade-0 ad 0.0003 below or above the grade-3 ad: plain nDCG@10 jumps, the smoothed one hardly moves
    plain_jump = plain(tied_below) - plain(tied_above)
    smooth_jump = smooth(tied_below) - smooth(tied_above)
    assert plain_jump > 0.15
    assert 0 < smooth_jump < plain_jump / 3
    # a real demotion (the grade-3 ad below five others) costs both about the same
    demoted = _scores(ad0=0.9 - 0.055)
    assert plain(top) - plain(demoted) > 0.2
    assert smooth(top) - smooth(demoted) == pytest.approx(plain(top) - plain(demoted), abs=0.02)
    # the noise draws are the CV's own: the same scores give the same figure
    assert smooth(tied_below) == smooth(tied_below)
    # an ad the ranking did not return counts as last, as in the scorer
    missing = {"cv.txt": {k: v for k, v in top["cv.txt"].items() if k != "ad0"}}
    assert smooth(missing) < smooth(top) - 0.3
