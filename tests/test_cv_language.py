"""Swedish/English detection on CV-like text, including the shared eval-dev CVs."""

from __future__ import annotations

import json

import pytest

from jobsai.cv.language import detect_language

from conftest import EVAL_DEV


def _eval_dev_labels() -> list[tuple[str, str]]:
    labels = EVAL_DEV / "labels.json"
    if not labels.exists():
        return []
    return [(item["cv"], item["lang"]) for item in json.loads(labels.read_text(encoding="utf-8"))]


@pytest.mark.skipif(not (EVAL_DEV / "labels.json").exists(), reason="../shared/eval-dev is not present")
def test_all_eval_dev_cvs_get_their_labelled_language() -> None:
    labels = _eval_dev_labels()
    assert len(labels) == 14
    wrong = {
        cv: (lang, detect_language((EVAL_DEV / "cvs" / cv).read_text(encoding="utf-8")))
        for cv, lang in labels
        if detect_language((EVAL_DEV / "cvs" / cv).read_text(encoding="utf-8")) != lang
    }
    assert wrong == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jag har arbetat som undersköterska i fem år och söker nu en tjänst inom hemtjänsten.", "sv"),
        ("I have worked as a nurse for five years and I am looking for a position in home care.", "en"),
        # Swedish without å/ä/ö in the text still has Swedish function words.
        ("Jag vill jobba som lagerarbetare och har truckkort samt B-körkort", "sv"),
        ("Lagerarbetare med truckkort och egen bil", "sv"),
        # English CV full of Swedish place names and employers.
        (
            "Consultant at Hälleby County Hospital and Örnvik University. I have led the "
            "team at Ängelholm and Västerås for four years, with a focus on quality.",
            "en",
        ),
        # Telegraphic Swedish: no stopwords, but å/ä/ö.
        ("Sjuksköterska. Akutmottagning. Läkemedelshantering. Körkort.", "sv"),
    ],
)
def test_detects_swedish_and_english(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "2019 – 2023 · 070-174 06 12 · 112 %",
        "Python, SQL, Docker, Kubernetes",
        "Ich habe fünf Jahre als Krankenpfleger gearbeitet und suche eine neue Stelle.",
    ],
)
def test_unknown_when_there_is_nothing_to_go_on(text: str) -> None:
    assert detect_language(text) == "unknown"


def test_mixed_text_follows_the_majority() -> None:
    swedish = "Jag har arbetat med ekonomi och budget i många år och vill nu bli controller. " * 3
    english = "I speak English at work."
    assert detect_language(swedish + english) == "sv"
    assert detect_language(english * 6 + "Jag är glad.") == "en"
