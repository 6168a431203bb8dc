"""Explanations: shared words filtered by stop words and rarity among all ads, skills found in ad text,
the matched/missing split, the corpus statistics and how they are kept fresh."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from jobsai.embed.text import cv_texts
from jobsai.index.bm25 import Bm25Encoder
from jobsai.match import corpus as corpus_module
from jobsai.match.corpus import CorpusStatsTracker, StaticCorpus, StoreCorpus, build_stats
from jobsai.match.explain import MAX_MISSING_SKILLS, Explainer, Explanation, stop_words
from jobsai.match.matcher import MatchResult
from jobsai.match.skills import SkillVocabulary, default_vocabulary, label_aliases, normalise
from jobsai.sources.ads import Ad, Concept, parse_item
from jobsai.store import ads as ads_repo
from jobsai.store.db import Database
from jobsai.web.render import why_text

pytest_plugins = ["pg"]


def make_ad(ad_id: str, headline: str, text: str, skills: Iterable[tuple[str, str]] = ()) -> Ad:
    raw: dict[str, Any] = {
        "id": ad_id,
        "headline": headline,
        "description": {"text": text},
        "employer": {"name": "Exempel AB"},
        "must_have": {"skills": [{"concept_id": cid, "label": label} for cid, label in skills]},
        "publication_date": "2025-09-01T08:00:00",
        "last_publication_date": "2099-12-31T23:59:59",
    }
    ad = parse_item(raw)
    assert isinstance(ad, Ad)
    return ad


def shown(ad: Ad, explanation: Explanation, occupation: str) -> MatchResult:
    """A result as the matcher makes it from an explanation, for an ad of ``occupation`` (the ``why`` names it)."""
    return MatchResult(
        ad=replace(ad, occupation=Concept("occ", occupation)), score=80, raw_score=0.8, explanation=explanation,
        cv=cv_texts(explanation.passage or "CV"),
    )


# 40 ads that all say "kunder" and "lager": common words. The ad being explained is one of them.
FILLER = [f"Vi söker medarbetare till vårt lager. Våra kunder är viktiga. Annons nummer {i}." for i in range(39)]


@pytest.fixture(scope="module")
def bm25() -> Bm25Encoder:
    return Bm25Encoder()


def explainer_over(bm25: Bm25Encoder, texts: Iterable[str]) -> Explainer:
    return Explainer(bm25, StaticCorpus(texts), background_refresh=False)


def names(vocab: SkillVocabulary, text: str) -> list[str]:
    return [vocab.skills[vocab.aliases[a].skill].name for a in vocab.find(text)]


# -- shared words ---------------------------------------------------------------------------------


def test_a_generic_word_is_not_shown_and_a_rare_specific_one_is(bm25: Bm25Encoder) -> None:
    ad = make_ad("1", "Sjuksköterska till cytostatikamottagningen",
                 "Vi söker dig som hanterar cytostatika varje dag. Våra kunder och vårt lager.\n"
                 "Kontakt: anna@example.se")
    ex = explainer_over(bm25, [*FILLER, f"{ad.headline}\n{ad.description}"])
    cv = ("Sjuksköterska med erfarenhet av cytostatika. Jag hanterar läkemedel varje dag, möter kunder och "
          "har arbetat på lager. Passionate and motivated, looking for new challenges. anna@example.se")
    (explanation,) = ex.explain(cv, [ad], [""])
    terms = [t.lower() for t in explanation.terms]
    assert "cytostatika" in terms
    for generic in ("kunder", "lager"):  # in every ad: rare among the candidates says nothing, among all ads it is not
        assert generic not in terms
    for filler in ("hanterar", "dag", "varje"):  # stop words, however rare
        assert filler not in terms
    assert not any("@" in t or "example" in t for t in terms)


def test_english_cv_filler_is_never_a_shared_term(bm25: Bm25Encoder) -> None:
    text = ("We are looking for a passionate, motivated engineer to contribute daily, utilizing modern tools. "
            "Full-time, 6 months. You will be responsible for our Kubernetes clusters.")
    ad = make_ad("2", "Platform engineer", text)
    ex = explainer_over(bm25, [*FILLER, text])
    cv = ("Passionate and motivated engineer looking to contribute, utilizing my experience daily for 36 months. "
          "Full-time. Responsible for Kubernetes clusters and monitoring.")
    (explanation,) = ex.explain(cv, [ad], [""])
    shown = {t.lower() for t in explanation.terms}
    assert shown.isdisjoint({"passionate", "motivated", "contribute", "utilizing", "looking", "daily", "months",
                             "full-time", "responsible", "modern"})
    assert "clusters" in shown  # a specific word still is shown
    assert "Kubernetes" in explanation.skills  # ...and a skill is shown as a skill, not again as a term
    assert "kubernetes" not in shown


def test_without_enough_ads_only_stop_words_filter(bm25: Bm25Encoder) -> None:
    ad = make_ad("3", "Lagerarbetare", "Plock och pack på vårt lager, dag och natt.")
    ex = explainer_over(bm25, [f"{ad.headline}\n{ad.description}"])  # one ad: frequencies say nothing
    (explanation,) = ex.explain("Lagerarbetare med plock och pack på lager varje dag " * 3, [ad], [""])
    terms = {t.lower() for t in explanation.terms}
    assert {"plock", "lager"} <= terms and "dag" not in terms


def test_the_stop_word_lists_hold_the_known_cv_filler() -> None:
    words = stop_words()
    for word in ("passionate", "motivated", "responsible", "contribute", "utilizing", "looking", "daily", "months",
                 "full-time", "dag", "hanterar", "tekniskt", "ansvarsfull", "driven", "och", "the"):
        assert word in words, word


def test_a_name_line_shared_with_a_recruiter_is_not_a_term(bm25: Bm25Encoder) -> None:
    ad = make_ad("4", "Truckförare", "Frågor besvaras av Alex Berg. Du kör motviktstruck i skift.")
    ex = explainer_over(bm25, [*FILLER, ad.description])
    (explanation,) = ex.explain("Alex Exempel\nTruckförare\nJag kör motviktstruck och skjutstativtruck.", [ad], [""])
    assert "Alex" not in explanation.terms and "motviktstruck" in explanation.terms


# -- skills in text -------------------------------------------------------------------------------


def test_skill_labels_are_found_in_text_tolerant_of_case_and_inflection() -> None:
    vocab = default_vocabulary()
    found = names(vocab, "Vi söker legitimerade sjuksköterskor! Truckkortet är ett krav, gärna vana av "
                         "gaffeltruckar. Erfarenhet av python, PostgreSQL och SQL, samt C++ och C#.")
    for skill in ("Legitimation som sjuksköterska", "Truckkort (TLP 10)", "Gaffeltruck", "Python", "PostgreSQL",
                  "SQL", "C++", "C#"):
        assert skill in found, (skill, found)
    assert "Python" in names(vocab, "PYTHON-utvecklare") and "Omvårdnad" in names(vocab, "omvårdnaden")


def test_short_acronyms_need_capitals_and_everyday_words_are_not_skills() -> None:
    vocab = default_vocabulary()
    assert "SAP" in names(vocab, "Du arbetar i SAP.") and "SAP" not in names(vocab, "Vi bjuder på sap och kaffe.")
    everyday = names(vocab, "Present, Rock, Pop och Miljö: we present our mission, a smart and nice cover letter.")
    assert everyday == []
    assert "React" in names(vocab, "Frontend i React") and "React" not in names(vocab, "able to react quickly")


def test_label_aliases_drop_the_type_and_keep_acronyms() -> None:
    assert label_aliases("Python, programmeringsspråk") == ("Python", ["Python"])
    assert label_aliases("PLC (programmerbart styrsystem)")[1] == ["PLC", "programmerbart styrsystem"]
    assert label_aliases("Miljö (Trafikverkets kravkurs)")[1] == []  # the bare word means something else
    assert label_aliases("Spanska, undervisning") == ("Spanska (undervisning)", [])
    assert "legitimerad läkare" in label_aliases("Legitimation som läkare")[1]
    assert label_aliases("Tillv.industri-CATIA") == ("CATIA", ["CATIA"])
    assert normalise("truckkortet") == normalise("truckkort") == "truckkort"


def test_a_malformed_extras_file_is_a_typed_error() -> None:
    from jobsai.match.skills import SkillDataError

    with pytest.raises(SkillDataError, match="line 1"):
        SkillVocabulary.from_files([("id", "Python, programmeringsspråk")], "just one column\n", "")
    with pytest.raises(SkillDataError, match="not a known concept id"):
        SkillVocabulary([("id", "Python")], [("nope", "", ["x"])])


def test_the_taxonomy_is_read_from_its_own_folder_never_from_the_package(tmp_path, monkeypatch) -> None:
    import json

    from jobsai.match.skills import SkillDataError, find_taxonomy_dir, taxonomy_skills

    (tmp_path / "taxonomy_to_concept.json").write_text(json.dumps({"skill": {
        "a": {"conceptId": "c1", "preferredTerm": "Python,  programmeringsspråk"},
        "b": {"conceptId": "c2", "preferredTerm": "Truckkort"}}}), encoding="utf-8")
    monkeypatch.setenv("JOBSAI_TAXONOMY_DIR", str(tmp_path))
    assert find_taxonomy_dir() == tmp_path
    assert taxonomy_skills(tmp_path) == [("c1", "Python, programmeringsspråk"), ("c2", "Truckkort")]
    monkeypatch.setenv("JOBSAI_TAXONOMY_DIR", str(tmp_path / "missing"))
    assert find_taxonomy_dir() is None
    with pytest.raises(SkillDataError, match="cannot read"):
        taxonomy_skills(tmp_path / "missing")
    # without a taxonomy the project's own names still work; aliases of absent concepts are skipped
    vocab = SkillVocabulary.from_files([], "x:excel\tExcel\t=Excel\nAbc_123\t\ttruck\n", "")
    assert [vocab.skills[i].name for i in vocab.find("Van vid Excel och truck")] == ["Excel"]


# -- matched and missing --------------------------------------------------------------------------


def test_the_ads_skills_are_split_into_in_the_cv_and_to_add(bm25: Bm25Encoder) -> None:
    text = "Du har erfarenhet av Python, Docker och Kubernetes. Meriterande: Terraform och PostgreSQL."
    ad = make_ad("5", "Backendutvecklare", text, skills=[("xYz1_aaa_bbb", "Java, programmeringsspråk")])
    ex = explainer_over(bm25, [*FILLER, text])
    cv = "Utvecklare som skriver Python och kör allt i Docker. Databaser: PostgreSQL. " * 2
    (explanation,) = ex.explain(cv, [ad], [""])
    assert explanation.skills == ("Python", "Docker", "PostgreSQL")
    assert explanation.missing_skills[0] == "Java"  # listed by the employer: first among the missing
    assert set(explanation.missing_skills) == {"Java", "Kubernetes", "Terraform"}
    assert explanation.skills_total == 6
    why = why_text(shown(ad, explanation, "Mjukvaruutvecklare"))
    assert "3 of 6 skills in your CV: Python, Docker, PostgreSQL" in why and "skills to add: Java" in why


def test_missing_skills_are_capped_but_counted(bm25: Bm25Encoder) -> None:
    many = ["Python", "Java", "Kotlin", "Docker", "Kubernetes", "Terraform", "Ansible", "Jira", "Scrum", "Linux",
            "PostgreSQL", "MongoDB"]
    text = "Vi använder " + ", ".join(many) + "."
    ad = make_ad("6", "Utvecklare", text)
    (explanation,) = explainer_over(bm25, [*FILLER, text]).explain("Jag kan Python och Linux. " * 5, [ad], [""])
    assert explanation.skills == ("Python", "Linux")
    assert len(explanation.missing_skills) == MAX_MISSING_SKILLS and explanation.skills_total == len(many)


def test_a_one_word_skill_in_many_ads_counts_only_when_the_ad_lists_it(bm25: Bm25Encoder) -> None:
    everywhere = [f"Logistik och annat, annons {i}." for i in range(39)]
    text = "Vi arbetar med logistik och Python."
    (explanation,) = explainer_over(bm25, [*everywhere, text]).explain(
        "Logistik och Python är mitt jobb. " * 5, [make_ad("7", "Utvecklare", text)], [""])
    assert explanation.skills == ("Python",) and explanation.skills_total == 1
    listed = make_ad("8", "Logistiker", text, skills=[("yXmf_iKi_7ci", "Logistik")])
    (explanation,) = explainer_over(bm25, [*everywhere, text]).explain("Logistik och Python. " * 5, [listed], [""])
    assert "Logistik" in explanation.skills


def test_an_ad_listed_skill_unknown_to_the_vocabulary_is_still_checked_against_the_cv(bm25: Bm25Encoder) -> None:
    ad = make_ad("9", "Tekniker", "Underhåll av anläggningen.", skills=[("new_1", "Kvantdatorunderhåll, erfarenhet")])
    ex = explainer_over(bm25, [])
    (explanation,) = ex.explain("Jag har arbetat med kvantdatorunderhåll i fem år på labbet.", [ad], [""])
    assert explanation.skills == ("Kvantdatorunderhåll",) and explanation.skills_total == 1


def test_an_ads_analysis_is_cached_per_text(bm25: Bm25Encoder) -> None:
    ex = explainer_over(bm25, [])
    ad = make_ad("10", "Utvecklare", "Python och Docker.")
    first = ex.explain("Python " * 25, [ad], [""])
    changed = make_ad("10", "Utvecklare", "Java och Docker.")
    assert ex.explain("Python " * 25, [ad], [""]) == first
    (after,) = ex.explain("Python " * 25, [changed], [""])
    assert after.skills == () and "Java" in after.missing_skills


def test_explanation_text_without_skills_reads_as_before() -> None:
    plain = Explanation(skills=(), terms=("truckkort",), passage="Lagerarbetare")
    assert why_text(shown(make_ad("11", "Lagerarbetare", "Truckkort krävs."), plain, "Lagerarbetare")) == (
        'Occupation: Lagerarbetare; shared terms: truckkort; closest part of your CV: "Lagerarbetare"')


# -- corpus statistics ----------------------------------------------------------------------------


class CountingSource:
    def __init__(self, texts: list[str]) -> None:
        self.docs = texts
        self.reads = 0
        self.fail = False

    def count(self) -> int:
        if self.fail:
            raise OSError("database down")
        return len(self.docs)

    def texts(self, every: int = 1) -> Iterable[str]:
        if self.fail:
            raise OSError("database down")
        self.reads += 1
        return self.docs[::every]


def test_build_stats_counts_each_text_once_and_drops_singletons() -> None:
    stats = build_stats(["a b a", "a c", "a b"], lambda t: set(t.split()), lambda w: (w,))
    assert stats.n_docs == 3 and stats.df == {"a": 3, "b": 2}
    assert stats.fraction("a") == 1.0 and stats.fraction("c") == 0.0 and stats.idf("c") > stats.idf("a")


def test_tracker_builds_once_then_rebuilds_only_when_the_ads_moved_notably() -> None:
    now = [0.0]
    source = CountingSource([f"text {i}" for i in range(100)])
    tracker = CorpusStatsTracker(source, lambda t: set(t.split()), lambda w: (w,), check_every_s=60,
                                 background=False, clock=lambda: now[0])
    assert tracker.current().n_docs == 100 and source.reads == 1
    source.docs += ["one more"] * 5
    now[0] += 61
    assert tracker.current().n_docs == 100 and source.reads == 1  # 5 of 100: not notable
    source.docs += ["more"] * 30
    now[0] += 30
    tracker.current()
    assert source.reads == 1  # not checked again within a minute
    now[0] += 31
    tracker.current()
    assert source.reads == 2 and tracker.current().n_docs == 135
    source.fail = True
    now[0] += 61
    assert tracker.current().n_docs == 135  # a failing source keeps the snapshot
    now[0] += 7 * 3600
    source.fail = False
    tracker.current()
    assert source.reads == 3  # an old snapshot is rebuilt even when the count stood still


def test_tracker_counts_a_spread_sample_of_a_large_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(corpus_module, "MAX_STATS_ADS", 10)
    source = CountingSource([f"ord{i % 4} gemensamt" for i in range(45)])
    stats = CorpusStatsTracker(source, lambda t: set(t.split()), lambda w: (w,), background=False).warm()
    assert stats.n_live == 45 and stats.n_docs == 9  # every 5th ad
    assert stats.fraction("gemensamt") == 1.0 and 0.1 < stats.fraction("ord0") < 0.4


def test_tracker_without_a_source_serves_empty_statistics() -> None:
    tracker = CorpusStatsTracker(None, lambda t: set(), lambda w: ())
    assert tracker.current().n_docs == 0 and tracker.warm().n_docs == 0


def test_store_corpus_reads_live_ads_text_only(db: Database) -> None:
    ads = [make_ad(str(i), f"Rubrik {i}", f"Beskrivning {i} med truckkort.") for i in range(3)]
    with db.begin() as conn:
        ads_repo.upsert_ads(conn, ads)
        ads_repo.mark_removed(conn, ["2"], datetime(2025, 9, 20, tzinfo=UTC))
    corpus = StoreCorpus(db)
    assert corpus.count() == 2
    assert sorted(corpus.texts()) == [f"Rubrik {i}\nBeskrivning {i} med truckkort." for i in (0, 1)]
    with db.begin() as conn:
        ads_repo.upsert_ads(conn, [make_ad(str(i), f"Rubrik {i}", "Text.") for i in range(10, 17)])
    assert [t.split("\n")[0] for t in corpus.texts(every=3)] == ["Rubrik 0", "Rubrik 11", "Rubrik 14"]
