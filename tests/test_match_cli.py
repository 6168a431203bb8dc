"""Matching and the command line, on the shipped demo set with a tiny model.

The tiny model says nothing about quality (``bench/quality.py`` and the real-model test do);
these tests check the contract: ordering, filters inside the query, scores, reasons, JSON
shape, several CVs at once, errors, and the offline fallback to the demo set.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jobsai.config import Settings
from jobsai.errors import TextTooShortError, UnknownFilterValueError
from jobsai.index.base import SearchFilter
from jobsai.match.filters import FilterInput, resolve_filter
from jobsai.runtime import Runtime
from jobsai.web.render import ad_summary, why_text

from support.cv_files import make_cv_pdf
from support.tiny_model import make_tiny_model

CV_SV = """Anna Testsson
Lagerarbetare och truckförare

Erfaren lagerarbetare med truckkort A och B. Jag har arbetat med plock och pack,
inleveranser, inventering och orderhantering i WMS-system på ett stort tredjepartslager.
Van vid skiftarbete, ordning och reda och att arbeta säkert. B-körkort.

Erfarenhet
2019 – nu  Lagerarbetare, Exempel Logistik AB: truck, plock, pack och lastning.
2016 – 2019 Terminalarbetare, Godsterminalen: sortering, lastning och lossning.
"""


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny model with a fixed vocabulary: the same folder in every run, so what it ranks (and the
    shared terms of its top results) does not change with the process's hash seed."""
    return make_tiny_model(tmp_path_factory.mktemp("tiny-model"), fixed_vocab=True)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, tiny_model: Path) -> dict[str, str]:
    data = tmp_path_factory.mktemp("data")
    e = dict(os.environ)
    e.update({
        "JOBSAI_DATA_DIR": str(data), "JOBSAI_MODEL": str(tiny_model), "JOBSAI_EMBED_QUANTIZE": "false",
        "JOBSAI_JOBSTREAM_URL": "http://127.0.0.1:9",  # nothing listens: offline
        "JOBSAI_HTTP_MAX_RETRIES": "0", "JOBSAI_HTTP_TIMEOUT_S": "2",
    })
    e.pop("JOBSAI_DATABASE_URL", None)
    e.pop("JOBSAI_QDRANT_URL", None)
    return e


@pytest.fixture(scope="module")
def rt(env: dict[str, str]):
    settings = Settings(
        data_dir=Path(env["JOBSAI_DATA_DIR"]) / "lib", model=env["JOBSAI_MODEL"], embed_quantize=False,
        jobstream_url=env["JOBSAI_JOBSTREAM_URL"], http_max_retries=0, database_url=None, qdrant_url=None,
    )
    with Runtime(settings) as runtime:
        messages: list[str] = []
        runtime.ensure_data(on_fallback=messages.append)
        assert messages and "demo" in messages[0]
        yield runtime


def test_match_returns_ranked_scored_explained_results(rt: Runtime) -> None:
    results = rt.matcher.match(CV_SV, top_k=15)
    assert len(results) == 15
    raw = [r.raw_score for r in results]
    assert raw == sorted(raw, reverse=True)
    assert all(0 <= r.score <= 100 for r in results)
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)
    assert all(why_text(r) and ad_summary(r.ad).url.startswith("https://") for r in results)
    assert len({r.id for r in results}) == 15
    # shared terms are found by stem: the CV says "truckförare"/"lagerarbetare"
    assert any(r.explanation.terms for r in results)


def test_no_card_shows_contact_details_as_evidence(rt: Runtime) -> None:
    header = ("Anna Testsson\nLagerarbetare\nGitHub | LinkedIn\nStorgatan 3, 123 45 Ödeby\n"
              "070-174 06 90 | anna@example.com\nProfessionell profil\n")
    results = rt.matcher.match(header + CV_SV.split("\n", 2)[2], top_k=20)
    assert results
    for r in results:
        for text in (r.explanation.passage, why_text(r)):
            assert not any(s in text for s in ("GitHub", "LinkedIn", "Storgatan", "123 45", "070-174", "@example"))


def test_filters_are_applied_inside_the_query(rt: Runtime) -> None:
    with rt.db.begin(readonly=True) as conn:
        flt = resolve_filter(conn, FilterInput(municipalities=("stockholm",)))
    results = rt.matcher.match(CV_SV, flt, top_k=50)
    assert results and all(r.ad.municipality and r.ad.municipality.label == "Stockholm" for r in results)
    with rt.db.begin(readonly=True) as conn:
        flt2 = resolve_filter(conn, FilterInput(regions=("Västra Götalands län",)))
    in_region = rt.matcher.match(CV_SV, flt2, top_k=50)
    assert all(r.ad.region and r.ad.region.label == "Västra Götalands län" for r in in_region)


def test_unknown_filter_name_is_a_clear_error(rt: Runtime) -> None:
    with rt.db.begin(readonly=True) as conn, pytest.raises(UnknownFilterValueError, match="Did you mean"):
        resolve_filter(conn, FilterInput(municipalities=("Stokholm",)))


def test_filter_matching_nothing_gives_no_results(rt: Runtime) -> None:
    assert rt.matcher.match(CV_SV, SearchFilter(municipalities=("no-such-id",)), top_k=5) == []


def test_too_short_cv_is_refused(rt: Runtime) -> None:
    with pytest.raises(TextTooShortError):
        rt.matcher.match("Lagerarbetare med truckkort.", top_k=5)


def test_top_k_100_is_supported(rt: Runtime) -> None:
    assert len(rt.matcher.match(CV_SV, top_k=100)) == 100


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jobsai.cli.main", *args], env=env, capture_output=True, text=True, timeout=300
    )


def test_cli_match_several_cvs_as_json_with_offline_demo_fallback(env: dict[str, str], tmp_path: Path) -> None:
    txt = tmp_path / "cv.txt"
    txt.write_text(CV_SV, encoding="utf-8")
    pdf = make_cv_pdf(CV_SV, tmp_path / "cv.pdf")
    proc = _cli(env, "match", str(txt), str(pdf), "--top-k", "7", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert "demo" in proc.stderr  # says it fell back to the demo set
    data = json.loads(proc.stdout)
    assert set(data) == {"cv.txt", "cv.pdf"}
    for results in data.values():
        assert len(results) == 7
        assert set(results[0]) == {"id", "score", "headline", "employer", "municipality", "occupation",
                                   "published", "url", "why"}
    # same text, same ranking, whichever container it came in
    assert [r["id"] for r in data["cv.txt"]] == [r["id"] for r in data["cv.pdf"]]

    single = _cli(env, "match", str(txt), "--top-k", "3", "--format", "json", "--municipality", "Göteborg")
    assert single.returncode == 0, single.stderr
    rows = json.loads(single.stdout)
    assert isinstance(rows, list) and all(r["municipality"] == "Göteborg" for r in rows)

    status = _cli(env, "status")
    assert status.returncode == 0, status.stderr
    info = json.loads(status.stdout)
    assert info["ads"]["live"] > 200 and info["ads"]["pending_index"] == 0


def test_cli_errors_are_readable(env: dict[str, str], tmp_path: Path) -> None:
    scanned = tmp_path / "cv.png"
    scanned.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    proc = _cli(env, "match", str(scanned))
    assert proc.returncode == 1
    assert "Error:" in proc.stderr and "Traceback" not in proc.stderr
    missing = _cli(env, "load", str(tmp_path / "nope.jsonl"))
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
