"""The result card's explanation in both UI languages: skills in the CV (x of y), skills to add, shared
words, the closest CV passage; every value escaped."""

from __future__ import annotations

from dataclasses import replace

import pytest

from jobsai.embed.text import cv_texts
from jobsai.match.explain import Explanation
from jobsai.match.matcher import MatchResult
from jobsai.sources.ads import Ad, parse_item
from jobsai.web.i18n import LANGS
from jobsai.web.render import CardView, card_html, why_html

AD = parse_item({
    "id": "123", "headline": "Backendutvecklare",
    "description": {"text": "Vi söker en utvecklare.", "text_formatted": "<p>Vi söker en utvecklare.</p>"},
    "employer": {"name": "Exempel AB"},
    "occupation": {"concept_id": "occ", "label": "Mjukvaruutvecklare"},
    "occupation_field": {"concept_id": "fld", "label": "Data/IT"},
    "employment_type": {"concept_id": "emp", "label": "Vanlig anställning"},
    "working_hours_type": {"concept_id": "hrs", "label": "Heltid"},
    "workplace_address": {"municipality": "Göteborg", "municipality_concept_id": "mun",
                          "region": "Västra Götalands län", "region_concept_id": "reg"},
    "publication_date": "2025-09-01T10:00:00", "webpage_url": "https://arbetsformedlingen.se/platsbanken/annonser/123",
})
assert isinstance(AD, Ad)
EXPLANATION = Explanation(
    skills=("Python", "Docker"), terms=("kubernetes-kluster",), passage="Utvecklare som skriver Python",
    missing_skills=("Kotlin", '<img src=x onerror="alert(1)">'), skills_total=5,
)
RESULT = MatchResult(
    ad=AD, score=81, raw_score=0.81, explanation=EXPLANATION, cv=cv_texts("Utvecklare som skriver Python")
)


def test_card_says_how_many_of_the_ads_skills_the_cv_has_in_swedish() -> None:
    html = card_html(CardView.of(1, RESULT), "sv")
    assert "2 av 5 kompetenser i annonsen finns i ditt CV: <mark>Python</mark>, <mark>Docker</mark>" in html
    assert "lägg till dem i ditt CV om du har dem: Kotlin, &lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "<img" not in html and "Ord som ditt CV och annonsen delar: <mark>kubernetes-kluster</mark>" in html


def test_card_says_how_many_of_the_ads_skills_the_cv_has_in_english() -> None:
    html = why_html(RESULT, "en")
    assert "2 of 5 skills in the ad are in your CV: <mark>Python</mark>, <mark>Docker</mark>" in html
    assert "add them to your CV if you have them: Kotlin, &lt;img" in html
    assert "The part of your CV closest to the ad: <q>Utvecklare som skriver Python</q>" in html


@pytest.mark.parametrize("lang", LANGS)
def test_an_ad_without_skills_shows_no_skill_line(lang: str) -> None:
    bare = replace(RESULT, explanation=replace(EXPLANATION, skills=(), missing_skills=(), skills_total=0))
    html = why_html(bare, lang)  # type: ignore[arg-type]
    assert "jobsai-skills" not in html and "jobsai-skill-gap" not in html and "<mark>kubernetes-kluster</mark>" in html


def test_none_of_the_ads_skills_in_the_cv_still_says_so() -> None:
    none = replace(RESULT, explanation=replace(EXPLANATION, skills=(), missing_skills=("Kotlin",), skills_total=1))
    assert "0 av 1 kompetenser i annonsen finns i ditt CV</li>" in why_html(none, "sv")


def test_a_card_can_be_kept_in_gradios_state() -> None:
    """Gradio hashes a page's state after every event to see what changed; an unhashable card broke the UI."""
    from gradio.utils import deep_hash

    card = CardView.of(1, RESULT)
    assert deep_hash(card) == deep_hash(CardView.of(1, RESULT))
