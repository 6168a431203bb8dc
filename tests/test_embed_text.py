"""What text stands for a CV and an ad: the profile, chunks and headline of a CV; an ad's
title and body. Invented CVs only (no dev-set text)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from jobsai.embed.text import (
    AD_BODY_WORDS,
    CV_CHUNK_WORDS,
    CV_MAX_CHUNKS,
    CV_PROFILE_WORDS,
    ad_texts,
    clean_ad_description,
    cv_goal,
    cv_headline,
    cv_texts,
    is_contact_line,
)
from jobsai.match.scoring import CvVectors, Weights, compute_features, fuse
from jobsai.sources.ads import Ad, parse_item

FILLER = " ".join(f"ord{i}" for i in range(400))


def _cv(*head: str) -> str:
    return "\n".join([*head, "", "ERFARENHET", FILLER])


@pytest.mark.parametrize(
    ("lines", "title"),
    [
        (["Karin Ek", "Legitimerad sjuksköterska sedan 2021", "Ödeby · 070-174 06 90 · karin@example.com"],
         "Legitimerad sjuksköterska sedan 2021"),
        (["Jan-Erik de la Cruz, MSc", "Senior data engineer", "jan@example.org"], "Senior data engineer"),
        (["Pieter van der Berg", "Associate professor (docent) in economic history"],
         "Associate professor (docent) in economic history"),
        (["LINA BERG – LEGITIMERAD ARBETSTERAPEUT", "Ödeby | 070-174 06 91"], "Legitimerad arbetsterapeut"),
        (["Lina Berg", "IT-PROJEKTLEDARE OCH HR-ANALYTIKER"], "IT-projektledare och HR-analytiker"),
        (["Omar Haddad", "Kundtjänst via telefon och chatt", "Telefon: 070-174 06 92"],
         "Kundtjänst via telefon och chatt"),
        (["CURRICULUM VITAE", "Eva Holm", "Ekonom – budget och analys"], "Ekonom – budget och analys"),
        (["John Smith | Senior Software Engineer", "Uppsala | +46 70 174 06 94"], "Senior Software Engineer"),
    ],
)
def test_headline_is_the_title_line_under_the_name(lines: list[str], title: str) -> None:
    assert cv_texts(_cv(*lines)).headline == title


@pytest.mark.parametrize(
    "lines",
    [
        # a lone place name, an address, a section heading and a sentence are not titles
        ["Moa Ek", "Ödeby", "moa@example.com"],
        ["Moa Ek", "Storgatan 3, 2 tr, Ödeby"],
        ["Moa Ek", "OM MIG", "Jag har arbetat i fem år i butik och trivs med kunder."],
        ["Moa Ek", "Sex år i fabrik."],
        ["Moa Ek", "Född 1994", "Körkort B", "2019 – 2023"],
    ],
)
def test_no_headline_when_no_line_reads_like_a_title(lines: list[str]) -> None:
    assert cv_texts(_cv(*lines)).headline is None


@pytest.mark.parametrize(
    ("lines", "title"),
    [
        # a one-word title under the name, above a line of links and the address
        (["Sara Lind", "Systemutvecklare", "GitHub | LinkedIn", "Storgatan 3", "070-174 06 90 | sara@example.com"],
         "Systemutvecklare"),
        (["Sara Lind", "GitHub · LinkedIn · github.com/sara-example", "Controller"], "Controller"),
        # a header row mixing the name, the title and contact cells keeps the title only
        (["Per Holm | Underhållsplanerare | 070-174 06 12 | per@example.org | Ödeby"], "Underhållsplanerare"),
        # initials, a prefix and a remark in parentheses still make a name
        (["MARIA D. SANTOS, RN", "Registered Nurse (Swedish licence 2025)"], "Registered Nurse (Swedish licence 2025)"),
        (["Dr. (candidate) Ali Karimi", "M.Sc. Physics – Condensed Matter Theory"],
         "M.Sc. Physics – Condensed Matter Theory"),
        (["CURRICULUM VITAE – Eva Holm", "Distriktssköterska / skolsköterska"], "Distriktssköterska / skolsköterska"),
        # personal-detail fields are not titles; short numbers in a title are fine
        (["Oskar Ek", "Namn: Oskar Ek", "Bor i Ödeby", "Född: 2006", "Kontaktuppgifter", "Lagerarbetare – 2 år"],
         "Lagerarbetare – 2 år"),
        (["Oskar Ek", "Grundlärare F–3, legitimerad"], "Grundlärare F–3, legitimerad"),
        # a "Label: value" field is a title only when its label asks for one
        (["Oskar Ek", "Praktik 15 veckor: service, bromsar, hjulinställning", "Yrke: Bilmekaniker"], "Bilmekaniker"),
        (["Oskar Ek", "2024 – pågår Civilingenjörsprogrammet, Ödeby tekniska högskola"], None),
    ],
)
def test_headline_skips_contact_links_addresses_and_names(lines: list[str], title: str | None) -> None:
    assert cv_texts(_cv(*lines)).headline == title


@pytest.mark.parametrize(
    "line",
    [
        "GitHub | LinkedIn", "linkedin.com/in/sara-example · github.com/sara", "Storgatan 3, 123 45 Ödeby",
        "752 31 UPPSALA", "Smedjegatan 7, lgh 1102", "12 Baker Street, London", "Adress: Kyrkbacken 12B",
        "Bor i Ödeby, pendlar med tåg", "Namn: Sara Lind", "Nationality: Swedish", "Skogsbrynet 3, 2 tr",
    ],
)
def test_contact_and_address_lines_are_recognised(line: str) -> None:
    assert is_contact_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "Systemutvecklare", "Lagerarbetare på Industrigatan 4 i tre år, där jag ansvarade för inleveranser "
        "och truckkörning, inventering och plock av order till butiker i hela regionen varje dag",
        "maj 2016 – nu Anläggningsarbetare", "Kundtjänst via telefon och chatt", "Java, Python, SQL",
    ],
)
def test_work_lines_are_not_contact_lines(line: str) -> None:
    assert not is_contact_line(line)


def test_contact_lines_never_reach_the_profile_or_chunks() -> None:
    texts = cv_texts(_cv("Sara Lind", "Systemutvecklare", "GitHub | LinkedIn", "Storgatan 3, 123 45 Ödeby",
                         "070-174 06 90 | sara@example.com", "Professionell profil"))
    for text in (texts.profile, *texts.chunks):
        assert "GitHub" not in text and "Storgatan" not in text and "123 45" not in text and "Lind" not in text


@pytest.mark.parametrize(
    ("text", "goal"),
    [
        ("Efter tio år i butik vill jag nu arbeta som undersköterska inom äldreomsorgen.",
         "undersköterska inom äldreomsorgen"),
        ("Jag söker ett extrajobb som lagerarbetare, gärna helger.", "lagerarbetare"),
        ("Mitt mål är att bli elektriker och jag har börjat på komvux.", "elektriker"),
        ("Önskad tjänst: Lastbilschaufför C/CE", "Lastbilschaufför C/CE"),
        ("I am looking for a position as a staff nurse in Sweden.", "staff nurse in Sweden"),
        ("After ten years in hotels I want to work as a chef and I am studying Swedish.", "chef"),
        ("My goal is to become a software developer.", "software developer"),
        ("Objective: Warehouse worker", "Warehouse worker"),
    ],
)
def test_goal_is_the_job_the_person_says_they_want(text: str, goal: str) -> None:
    assert cv_goal(text) == goal


def test_no_goal_without_a_statement_of_one() -> None:
    assert cv_goal("Jag har arbetat som undersköterska i fem år och trivs med mitt arbete.") is None
    assert cv_texts(_cv("Karin Ek", "Undersköterska")).goal is None


def test_headline_is_only_looked_for_near_the_top() -> None:
    assert cv_headline(["Om mig:", "Profil", "Erfarenhet", "Kontakt", "Butikssäljare i Ödeby"]) is None


def test_name_and_contact_lines_are_left_out_of_the_profile() -> None:
    texts = cv_texts(_cv("Marieke van Dijk, PhD", "Lecturer in accounting",
                         "Ödeby · +46 70 174 06 95 · marieke@example.org", "E-post: marieke@example.org"))
    assert texts.profile.startswith("Lecturer in accounting Erfarenhet")
    assert "Dijk" not in texts.profile and "example.org" not in texts.profile


def test_a_name_before_the_title_is_left_out_of_the_profile() -> None:
    texts = cv_texts(_cv("John Smith | Senior Software Engineer", "Uppsala | +46 70 174 06 94"))
    assert texts.profile.startswith("Senior Software Engineer Erfarenhet")


def test_a_line_that_only_mentions_the_phone_as_a_trade_is_kept() -> None:
    text = cv_texts(_cv("Omar Haddad", "Kundtjänst", "Sålde abonnemang via telefon och mobil")).profile
    assert "Sålde abonnemang via telefon och mobil" in text


def test_chunks_are_bounded_and_spread_over_the_whole_cv() -> None:
    texts = cv_texts(_cv("Karin Ek", "Undersköterska"))
    assert 1 <= len(texts.chunks) <= CV_MAX_CHUNKS
    assert all(len(c.split()) <= CV_CHUNK_WORDS for c in texts.chunks)
    assert len(texts.profile.split()) <= CV_PROFILE_WORDS
    assert texts.chunks[0].startswith("Undersköterska")
    assert texts.chunks[-1].endswith("ord399")  # read to the end, not cut after the first page


def test_query_texts_and_vectors_line_up() -> None:
    texts = cv_texts(_cv("Karin Ek", "Undersköterska på akutvårdsavdelning"))
    q = texts.query_texts()
    assert q == [texts.profile, *texts.chunks, texts.headline]
    vecs = np.eye(len(q), dtype=np.float32)
    cv = CvVectors.split(texts, vecs)
    assert np.array_equal(cv.headline, vecs[-1]) and len(cv.chunks) == len(texts.chunks)
    # without a headline, the profile stands in for it
    bare = CvVectors.split(replace(texts, headline=None), vecs[:-1])
    assert np.array_equal(bare.headline, bare.profile)
    # a goal comes last and takes the title line's place in scoring
    goal = replace(texts, goal="elektriker")
    assert goal.query_texts() == [*q, "elektriker"]
    vecs = np.eye(len(q) + 1, dtype=np.float32)
    with_goal = CvVectors.split(goal, vecs)
    assert np.array_equal(with_goal.goal, vecs[-1]) and np.array_equal(with_goal.headline, vecs[-1])
    assert CvVectors.split(texts, vecs[:-1]).goal is None


def test_headline_weight_moves_the_ad_whose_title_matches_it() -> None:
    titles = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    cv = CvVectors(profile=np.array([0.8, 0.6]), chunks=np.array([[0.8, 0.6]]), headline=np.array([0.0, 1.0]))
    feats = compute_features(cv, titles, titles, np.zeros(2, dtype=np.float32))
    assert fuse(feats, Weights(title_headline=0.0)).argmax() == 0
    assert fuse(feats, Weights(title_headline=1.0)).argmax() == 1


def _ad(description: str) -> Ad:
    ad = parse_item({
        "id": "1", "headline": "Lagerarbetare", "description": {"text": description},
        "occupation": {"concept_id": "abc", "label": "Lagerarbetare"},
        "occupation_group": {"concept_id": "def", "label": "Lager- och terminalpersonal"},
        "occupation_field": {"concept_id": "ghi", "label": "Transport, distribution, lager"},
    })
    assert isinstance(ad, Ad)
    return ad


def test_ad_texts_say_what_the_job_is_and_drop_boilerplate() -> None:
    ad = _ad("Vi söker en lagerarbetare till vårt centrallager.\nKontakt: lisa@example.com\n"
             "Välkommen med din ansökan senast 1 mars!\nMer på https://example.com/jobb\n" + FILLER)
    texts = ad_texts(ad)
    assert texts.title == ("Lagerarbetare. Yrke: Lagerarbetare. Yrkesgrupp: Lager- och terminalpersonal. "
                           "Område: Transport, distribution, lager.")
    assert texts.body.startswith("Lagerarbetare. Vi söker en lagerarbetare till vårt centrallager.")
    assert "example.com" not in texts.body and "Välkommen" not in texts.body
    assert len(texts.body.split()) == AD_BODY_WORDS
    assert clean_ad_description("Ring 070-174 06 93\nTruckkort A+B krävs") == "Truckkort A+B krävs"
