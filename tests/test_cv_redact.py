"""Redaction of personnummer, e-mail, phone numbers and addresses, without eating job text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jobsai.cv.redact import ADDRESS_TAG, EMAIL_TAG, NAME_TAG, PERSONNUMMER_TAG, PHONE_TAG, redact

from conftest import EVAL_DEV_CVS, eval_dev_cvs

# Independent, deliberately broad detectors used to check that nothing slipped through.
LEFTOVER_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
LEFTOVER_PHONE = re.compile(
    r"(?:\+|00)\d{2}[\s-]?\d|\b0\d{1,3}[\s-]?\d{2,3}[\s-]?\d{2}[\s-]?\d{2}\b|\b07\d{8}\b"
)
LEFTOVER_PNR = re.compile(r"\b(?:\d{2})?\d{6}[-+]?\d{4}\b")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # personnummer and samordningsnummer: every separator, 10 and 12 digits, bad checksum
        ("Personnummer: 950823-3317", f"Personnummer: {PERSONNUMMER_TAG}"),
        ("pnr 19950823-3317.", f"pnr {PERSONNUMMER_TAG}."),
        ("pnr 199508233317", f"pnr {PERSONNUMMER_TAG}"),
        ("pnr 9508233317", f"pnr {PERSONNUMMER_TAG}"),
        ("född 1912: 120823+3317", f"född 1912: {PERSONNUMMER_TAG}"),
        ("samordningsnummer 930577-4418", f"samordningsnummer {PERSONNUMMER_TAG}"),
        ("Personnummer 0503121234", f"Personnummer {PERSONNUMMER_TAG}"),
        ("(890302-2685)", f"({PERSONNUMMER_TAG})"),
        ("Personnummer: 850412 1234", f"Personnummer: {PERSONNUMMER_TAG}"),
        ("pnr 19850412 1234", f"pnr {PERSONNUMMER_TAG}"),
        ("pnr 850412–1234", f"pnr {PERSONNUMMER_TAG}"),
        # e-mail
        ("E-post: amira.haile@example.com", f"E-post: {EMAIL_TAG}"),
        ("mejla a_b+cv@mail.example.co.uk.", f"mejla {EMAIL_TAG}."),
        ("anna.svensson(at)example.se", EMAIL_TAG),
        ("Björn.Öberg@exempel.se", EMAIL_TAG),
        # Swedish phone numbers
        ("Mobil: 070-123 45 67", f"Mobil: {PHONE_TAG}"),
        ("Tel 08-123 456 78", f"Tel {PHONE_TAG}"),
        ("08-12 34 56", PHONE_TAG),
        ("031-12 34 56", PHONE_TAG),
        ("0470-123 45", PHONE_TAG),
        ("0701234567", PHONE_TAG),
        ("070 123 45 67", PHONE_TAG),
        ("070.123.45.67", PHONE_TAG),
        ("+46 70 123 45 67", PHONE_TAG),
        ("+46701234567", PHONE_TAG),
        ("+46 (0)70-123 45 67", PHONE_TAG),
        ("+46 (0)8 123 456 78", PHONE_TAG),
        ("0046 70 123 45 67", PHONE_TAG),
        ("0046-8-123 456 78", PHONE_TAG),
        ("(0)8-123 456 78", PHONE_TAG),
        ("(08) 123 45 67", PHONE_TAG),
        # foreign phone numbers
        ("+44 20 7946 0958", PHONE_TAG),
        ("+1 (555) 123-4567", PHONE_TAG),
        ("(555) 123-4567", PHONE_TAG),
        # a following number is given back, not swallowed
        ("Mobil: 070-174 06 55 2019", f"Mobil: {PHONE_TAG} 2019"),
        # addresses
        ("Storgatan 12", ADDRESS_TAG),
        ("Storgatan 12, 123 45 Stockholm", f"{ADDRESS_TAG}, {ADDRESS_TAG}"),
        ("Vägen 3 B", ADDRESS_TAG),
        ("Gamla Vägen 12A", ADDRESS_TAG),
        ("Lingonstigen 3, 2 tr, Ödeby", f"{ADDRESS_TAG}, Ödeby"),
        ("Olof Palmes gata 13 lgh 1102", ADDRESS_TAG),
        ("Drottning Kristinas väg 5", ADDRESS_TAG),
        ("Sankt Eriksgatan 117", ADDRESS_TAG),
        ("Box 123, 101 23 Stockholm", f"{ADDRESS_TAG}, {ADDRESS_TAG}"),
        ("SE-123 45 Ort", ADDRESS_TAG),
        ("S-411 05 Göteborg", ADDRESS_TAG),
        ("12 High Street, London", f"{ADDRESS_TAG}, London"),
        ("221B Baker Street", ADDRESS_TAG),
        ("Flat 2, 45 Station Road", f"Flat 2, {ADDRESS_TAG}"),
    ],
)
def test_redacts(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2019–2023",
        "2019 – 2023",
        "2019-2023",
        "2021 – nu",
        "feb 2024 – nu",
        "2019-01-15",
        "15.01.2019",
        "01.02.2023",
        "06.2018-09.2020",
        "Arbetstid 08.00-17.00",
        "07:30–16:00",
        "112 % av budget",
        "ökade med 6 %",
        "30 000 kr",
        "7,5 hp",
        "Läkarprogrammet 330 hp",
        "4 200 lägenheter",
        "140 000 loan accounts",
        "250–300 samtal per dag",
        "Around 1 100 teaching hours",
        "3.1 to 1.9 days",
        "average 4.3/5",
        "22 MSEK",
        "cirka 7,5 mkr",
        "Office 365",
        "Legitimation 2021",
        "avdelning 4",
        "division 1",
        "Plats 1 i SM",
        "typ 2-diabetes",
        "Kan jobba 2-skift",
        "Org.nr 556677-8899",
        "Org.nr 556677 8899",
        "Budget 201904 1234",
        "omsättning 120000 1500 kr",
        "ORCID 0000-0002-1825-0097",
        "ISO 9001:2015",
        "Truckkort A+B",
        "Jag står i vägen 3 gånger om dagen",
        "Unit4 ERP",
        "Professional Scrum Product Owner I (2019)",
        "version 0.5.2",
        "0,5 tjänst",
        "3 years of experience",
        "Top 10 Street Food",
        "drygt 900 anställda",
        "22 vårdplatser",
        "10 av 12 månader under 2024",
        "C1",
    ],
)
def test_leaves_ordinary_text_alone(text: str) -> None:
    assert redact(text) == text


def test_redacts_a_contact_block_and_keeps_the_rest() -> None:
    cv = (
        "Anna Svensson\n"
        "Personnummer: 19850412-1234\n"
        "Storgatan 12, 123 45 Stockholm · 070-123 45 67 · anna@example.com\n\n"
        "ERFARENHET\n"
        "2019–2023 Undersköterska, Rävnäs vårdcentral (22 vårdplatser)\n"
        "- ökade andelen fallriskbedömningar med 30 %\n"
    )
    out = redact(cv)
    assert out.splitlines()[1:3] == [
        f"Personnummer: {PERSONNUMMER_TAG}",
        f"{ADDRESS_TAG}, {ADDRESS_TAG} · {PHONE_TAG} · {EMAIL_TAG}",
    ]
    assert out.splitlines()[3:] == cv.splitlines()[3:]


def test_redaction_is_idempotent() -> None:
    text = "Ring 070-123 45 67 eller mejla anna@example.com, pnr 850412-1234, Storgatan 12."
    once = redact(text)
    assert redact(once) == once


@pytest.mark.skipif(not eval_dev_cvs(), reason="../shared/eval-dev is not present")
def test_eval_dev_personnummer_are_removed() -> None:
    # The values are read from the files, so no CV's personal data is copied into this repository.
    raw09 = (EVAL_DEV_CVS / "dev09.txt").read_text(encoding="utf-8")
    raw10 = (EVAL_DEV_CVS / "dev10.txt").read_text(encoding="utf-8")
    pnr09, pnr10 = (re.search(r"\b\d{6}-\d{4}\b", raw).group() for raw in (raw09, raw10))
    street10 = next(line.split(",")[0].strip() for line in raw10.splitlines() if " tr, " in line)
    dev09, dev10 = redact(raw09), redact(raw10)
    assert pnr09 not in dev09 and f"Personnummer: {PERSONNUMMER_TAG}" in dev09
    assert pnr10 not in dev10 and f"Personnummer {PERSONNUMMER_TAG}" in dev10
    assert street10 not in dev10


@pytest.mark.skipif(not eval_dev_cvs(), reason="../shared/eval-dev is not present")
@pytest.mark.parametrize("path", eval_dev_cvs(), ids=lambda p: p.stem)
def test_no_contact_details_survive_in_eval_dev_cvs(path: Path) -> None:
    original = path.read_text(encoding="utf-8")
    out = redact(original)
    assert not LEFTOVER_EMAIL.search(out)
    assert not LEFTOVER_PHONE.search(out)
    assert not LEFTOVER_PNR.search(out)
    assert PHONE_TAG in out and EMAIL_TAG in out
    # Years, and every line without contact details, are untouched.
    assert re.findall(r"\b(?:19|20)\d{2}\b", out) == re.findall(r"\b(?:19|20)\d{2}\b", original)
    changed = [line for line in out.splitlines() if line not in original.splitlines()]
    assert all("[" in line for line in changed)
    # at most four lines held contact details; the name is removed wherever it recurs
    # (publication lists repeat it), checked by test_eval_dev_names_are_removed
    assert len([line for line in changed if set(re.findall(r"\[[A-ZÅÄÖ-]+\]", line)) != {NAME_TAG}]) <= 4


@pytest.mark.parametrize(
    ("cv", "expected"),
    [
        ("Anna Lindqvist\nAnna har 5 års erfarenhet.", f"{NAME_TAG}\n{NAME_TAG} har 5 års erfarenhet."),
        ("ANNA LINDQVIST\nLINDQVISTS mål", f"{NAME_TAG}\n{NAME_TAG} mål"),
        ("Anna Lindqvist | Projektledare", f"{NAME_TAG} | Projektledare"),
        ("Anna Lindqvist – Projektledare\nAnnas team", f"{NAME_TAG} – Projektledare\n{NAME_TAG} team"),
        ("CURRICULUM VITAE\n\nAnna Lindqvist", f"CURRICULUM VITAE\n\n{NAME_TAG}"),
        ("CV – Anna Lindqvist", f"CV – {NAME_TAG}"),
        ("Namn: Anna Lindqvist\nTel: 070-174 06 12", f"Namn: {NAME_TAG}\nTel: {PHONE_TAG}"),
        ("Name: Daniel Okafor\nDaniel's focus", f"Name: {NAME_TAG}\n{NAME_TAG} focus"),
        ("Liesbeth de Wolff, PhD\nde Wolff, L. (2024).", f"{NAME_TAG}, PhD\n{NAME_TAG}, L. (2024)."),
        ("Dr. Amir Rahimi\nRahimi har handlett", f"Dr. {NAME_TAG}\n{NAME_TAG} har handlett"),
        ("Anna-Karin Lundmark\nAnna-Karin ledde", f"{NAME_TAG}\n{NAME_TAG} ledde"),
        ("Sara Nyström\nlinkedin.com/in/sara-nystrom", f"{NAME_TAG}\nlinkedin.com/in/{NAME_TAG}-{NAME_TAG}"),
        ("Personligt brev\nJag heter Lina Berg och söker", f"Personligt brev\nJag heter {NAME_TAG} och söker"),
        # a name part that is also a word is removed where it is capitalised only
        ("Per Holmberg\n40 timmar per vecka. Per leder.", f"{NAME_TAG}\n40 timmar per vecka. {NAME_TAG} leder."),
    ],
)
def test_removes_the_persons_name(cv: str, expected: str) -> None:
    assert redact(cv) == expected


@pytest.mark.parametrize(
    "cv",
    [
        "CURRICULUM VITAE\n\nPROFIL\nErfaren undersköterska.",
        "Legitimerad Sjuksköterska\nStockholm, Sweden",
        "Senior Software Engineer\nBackend, Java 17",
        "Lean Six Sigma Green Belt (2020)",
        "Salary SEK 45 000 per month",
        "Microsoft Certified: Azure Fundamentals",
        "Om mig\nJag är en glad och positiv person som gillar att arbeta med människor.",
    ],
)
def test_headings_titles_and_job_text_are_not_taken_for_a_name(cv: str) -> None:
    assert redact(cv) == cv


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # outside the canonical layout and without a label, the Luhn check digit decides
        # (Luhn-valid examples are dated 31 April: no one has that personnummer)
        ("810431/9879", PERSONNUMMER_TAG),
        ("810431_9879", PERSONNUMMER_TAG),
        ("810431 9879", PERSONNUMMER_TAG),
        ("198104319879", PERSONNUMMER_TAG),
        ("1981-04-31-9879", PERSONNUMMER_TAG),
        ("Beställning 9001151234 skickad", "Beställning 9001151234 skickad"),
        ("Ordernummer 199005151233", "Ordernummer 199005151233"),
        ("Batch 20190501 1235", "Batch 20190501 1235"),
        # the canonical layout and a label redact without Luhn (the dev CVs' check digits are wrong on purpose)
        ("850312-1233", PERSONNUMMER_TAG),
        ("19850312-1233", PERSONNUMMER_TAG),
        ("Personnummer: 850312/1233", f"Personnummer: {PERSONNUMMER_TAG}"),
        ("Personnummer: 1985-03-12-1233", f"Personnummer: {PERSONNUMMER_TAG}"),
        ("samordningsnummer 850372 1233", f"samordningsnummer {PERSONNUMMER_TAG}"),
    ],
)
def test_personnummer_luhn_or_layout_or_label(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.skipif(not eval_dev_cvs(), reason="../shared/eval-dev is not present")
@pytest.mark.parametrize("path", eval_dev_cvs(), ids=lambda p: p.stem)
def test_eval_dev_names_are_removed(path: Path) -> None:
    original = path.read_text(encoding="utf-8")
    first_line = next(line for line in original.splitlines() if line.strip() and line.strip() != "CURRICULUM VITAE")
    header = re.split(r"\s[–|·-]\s|,", first_line)[0]  # "Name – Title", "Name, PhD"
    parts = [w for w in header.split() if not w.islower()]  # not the particle in "de Vries"
    out = redact(original)
    assert len(parts) >= 2
    for part in parts:
        assert not re.search(rf"(?<!\w){re.escape(part)}(?!\w)", out, re.IGNORECASE), part
    assert out.count(NAME_TAG) >= 1
