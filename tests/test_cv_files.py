"""CV files made by the tools people really use (tests/fixtures/cvs, see scripts/make_cv_fixtures.py).

Each fixture is read as an upload and checked for what issue 9 found broken on real files:
spaces between words (LaTeX and CV builders write none), icon fonts left as garbage, a sidebar
interleaved line by line with the main column, hyphenated words, ligatures, and the title line
the matcher reads (``cv_texts(text).headline``). Plus the reading-order rules on synthetic pages
and the PDF protections that PDFium's arrival must not weaken.
"""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject, NumberObject

from jobsai.cv.clean import clean_text, dehyphenate
from jobsai.cv.extract import CVText, extract_cv_text
from jobsai.cv.pdf_layout import Fragment, page_lines
from jobsai.embed.text import cv_texts
from jobsai.errors import FileTooLargeError

FIXTURES = Path(__file__).parent / "fixtures" / "cvs"
_TYPOGRAPHY = set("åäöÅÄÖéÉüÜ–—·’")
"""Characters beyond printable ASCII that these CVs really contain; anything else is garbage."""


def read(name: str) -> CVText:
    path = FIXTURES / name
    return extract_cv_text(path.read_bytes(), filename=path.name)


def flowing(text: str) -> str:
    """The text with line breaks as spaces: a wrapped sentence reads as one."""
    return " ".join(text.split())


def assert_clean(text: str) -> None:
    garbage = {ch for ch in text if not (ch == "\n" or " " <= ch <= "~" or ch in _TYPOGRAPHY)}
    assert not garbage, f"unexpected characters: {sorted(garbage)!r}"
    assert "\ufffe" not in text and "\x02" not in text


def assert_lines_in_order(text: str, lines: list[str]) -> None:
    """``lines`` appear as consecutive lines: nothing (no other column) comes between them."""
    all_lines = text.splitlines()
    start = all_lines.index(lines[0])
    assert all_lines[start : start + len(lines)] == lines


# ---------------------------------------------------------------------------------- LaTeX


def test_xelatex_awesome_cv_two_columns_with_icons() -> None:
    """Awesome-CV's way: XeLaTeX, OpenType fonts, Font Awesome icons, sidebar beside the main column.

    pypdf reads this file as "DevOpsEngineer,NorrskensdataAB" and sentences as one long word,
    with the icons as "×", "ć" and "Ȱ".
    """
    cv = read("latex_awesome_sv.pdf")
    assert (cv.kind, cv.pages, cv.language) == ("pdf", 1, "sv")
    assert_clean(cv.text)
    lines = cv.text.splitlines()
    assert lines[:2] == ["Linnea Sjöström", "DevOps Engineer · Software Architect"]
    assert "070-174 06 12 linnea.sjostrom@example.com github.com/linnea-exempel Växjö" in lines
    assert "DevOps Engineer, Norrskensdata AB, Växjö 2019 – nu" in lines
    text = flowing(cv.text)
    assert (
        "Jag bygger plattformar som låter utvecklingsteam leverera ofta och säkert. Under tio år har jag "
        "automatiserat infrastruktur, kortat ledtiderna från veckor till timmar och lärt ut arbetssätt för "
        "kontinuerlig leverans." in text
    )
    # TeX hyphenated these at line ends; the words are whole again.
    for word in ("utveckling", "infrastrukturautomatisering", "driftsättningsautomatisering"):
        assert f" {word} " in text
    assert_lines_in_order(
        cv.text,
        ["Kompetenser", "Kubernetes och Helm", "Terraform och Ansible", "Python, Go och Bash", "GitLab CI och Argo CD"],
    )
    assert cv_texts(cv.text).headline == "DevOps Engineer · Software Architect"


def test_pdflatex_moderncv_date_column_is_read_across() -> None:
    """moderncv's way: pdfLaTeX, Type 1 fonts; dates and labels in a narrow column left of each entry."""
    cv = read("latex_moderncv_en.pdf")
    assert (cv.kind, cv.language) == ("pdf", "en")
    assert_clean(cv.text)
    lines = cv.text.splitlines()
    assert lines[:2] == ["Aron Vesterlund", "Site Reliability Engineer"]
    assert "070-174 06 45" in lines and "aron.vesterlund@example.com" in lines
    # A date or label and its entry stay on one line, in that order.
    assert "2020–present Site Reliability Engineer, Glimmerdal Payments AB, Stockholm" in lines
    assert "Cloud AWS, Kubernetes, Terraform" in lines
    assert "Observability Prometheus, Grafana, OpenTelemetry" in lines
    assert (
        "Run the on-call rotation for the card platform and keep its availability above 99.95 percent. "
        "Replaced hand-written runbooks with automated remediation" in flowing(cv.text)
    )
    assert cv_texts(cv.text).headline == "Site Reliability Engineer"


# ------------------------------------------------------------------- Word and LibreOffice

SIDEBAR_LINES = [
    "KOMPETENSER",
    "Projektering och tidsplanering",
    "Entreprenadjuridik (AB 04, ABT 06)",
    "Arbetsmiljöansvar BAS-P och BAS-U",
    "Kalkyl i Bidcon",
    "SPRÅK",
    "Svenska och engelska",
    "KÖRKORT",
    "B och BE",
]


@pytest.mark.parametrize("name", ["word_sidebar_sv.docx", "word_sidebar_sv_libreoffice.docx"])
def test_docx_with_table_text_box_header_and_footer(name: str) -> None:
    """python-docx's paragraph list would miss the sidebar (a text box), the table and the header."""
    cv = read(name)
    assert (cv.kind, cv.language) == ("docx", "sv")
    assert_clean(cv.text)
    lines = cv.text.splitlines()
    assert lines[:3] == [
        "Malin Ekvall · 070-174 06 34 · malin.ekvall@example.com",  # the page header
        "Malin Ekvall",
        "Projektledare inom bygg och anläggning",
    ]
    assert "2019 – nu | Projektledare | Brovik Bygg AB" in lines  # table cells, one row per line
    assert "2013 – 2019 | Arbetsledare | Tallsjö Entreprenad AB" in lines
    assert lines[-1] == "Referenser lämnas på begäran."  # the footer, without its "Sida 1"
    assert "Sida" not in cv.text
    # The sidebar text box: read once, whole, after the text it stands beside.
    assert_lines_in_order(cv.text, SIDEBAR_LINES)
    assert cv.text.count("Kalkyl i Bidcon") == 1
    assert lines.index("KOMPETENSER") > lines.index("- Kurs i entreprenadjuridik, Byggskolan Norr, 2018")
    assert cv_texts(cv.text).headline == "Projektledare inom bygg och anläggning"


def test_libreoffice_pdf_of_the_docx() -> None:
    cv = read("word_sidebar_sv.pdf")
    assert (cv.kind, cv.pages, cv.language) == ("pdf", 1, "sv")
    assert_clean(cv.text)
    lines = cv.text.splitlines()
    assert lines[:3] == [
        "Malin Ekvall · 070-174 06 34 · malin.ekvall@example.com",
        "Malin Ekvall",
        "Projektledare inom bygg och anläggning",
    ]
    assert "2019 – nu Projektledare Brovik Bygg AB" in lines  # the table is read row by row
    text = flowing(cv.text)
    assert (
        "Jag har lett byggprojekt från tidig projektering till slutbesiktning i tolv år. Jag håller ihop "
        "tidplan, ekonomi och arbetsmiljö" in text
    )
    assert " ".join(SIDEBAR_LINES) in text  # the sidebar is one block, not woven into the main column
    assert "Sida 1" not in cv.text  # the page number in the footer
    assert cv_texts(cv.text).headline == "Projektledare inom bygg och anläggning"


# -------------------------------------------------------------------------------- Chromium


def test_chromium_print_to_pdf_with_sidebar_and_icon_font() -> None:
    """An HTML CV (CSS grid, Font Awesome as a web font) printed to PDF by headless Chromium."""
    cv = read("html_sidebar_en.pdf")
    assert (cv.kind, cv.language) == ("pdf", "en")
    assert_clean(cv.text)  # Font Awesome's private-use glyphs are gone, ligatures (ﬂ, ﬁ) spelled out
    lines = cv.text.splitlines()
    assert lines[:2] == ["Mira Castellano-Berg", "Senior Data Engineer"]  # the name's column first
    assert "Senior Data Engineer, Fjordlight Analytics AB 2021 – present" in lines
    assert_lines_in_order(
        cv.text, ["CONTACT", "070-174 06 56", "mira.cb@example.com", "github.com/mira-exempel", "Stockholm"]
    )
    text = flowing(cv.text)
    assert (
        "I design data platforms that analysts trust and engineers enjoy working with. For eight years I have "
        "built streaming and batch pipelines" in text
    )
    assert "SKILLS Python and SQL Apache Spark and Kafka Airflow and dbt Snowflake and BigQuery Data modelling" in text
    assert "Profile" in lines
    assert cv_texts(cv.text).headline == "Senior Data Engineer"


# ------------------------------------------------------------------ CV builders' PDFs


def test_pdf_of_separately_positioned_pieces_of_words() -> None:
    """No space characters at all, each one to four letters drawn at its own position, and the two
    columns drawn row by row across the page, as many online CV builders write PDFs."""
    cv = read("positioned_spans_sv.pdf")
    assert (cv.kind, cv.language) == ("pdf", "sv")
    assert_clean(cv.text)
    lines = cv.text.splitlines()
    assert lines[:2] == ["Sara Nyberg", "Undersköterska inom äldreomsorg"]
    text = flowing(cv.text)
    assert (
        "Jag har arbetat nio år i hemtjänst och på särskilt boende och vet hur mycket trygghet och "
        "kontinuitet betyder för de äldre." in text
    )
    assert_lines_in_order(
        cv.text,
        ["KOMPETENSER", "Palliativ vård och demensvård", "Läkemedelsdelegering", "Dokumentation i Procapita"],
    )
    assert "Vårdbiträde, Hemtjänsten Gävle norra, 2015 – 2018" in lines
    assert cv_texts(cv.text).headline == "Undersköterska inom äldreomsorg"


def test_fixtures_are_small_and_invented() -> None:
    files = sorted(FIXTURES.iterdir())
    assert len(files) >= 6
    assert sum(p.stat().st_size for p in files) < 1024 * 1024
    for path in files:
        assert path.stat().st_size < 100 * 1024, path.name
        text = read(path.name).text
        assert "@example.com" in text and "070-174 06 " in text  # fiction numbers and addresses only


# ------------------------------------------------------------------ reading order, unit


def _column(x: float, top: float, pitch: float, texts: list[str], size: float, first: int, step: int = 1) -> list:
    return [
        Fragment(text, x, x + 6 * len(text), top - i * pitch - size, top - i * pitch, size, first + i * step)
        for i, text in enumerate(texts)
    ]


SIDE = ["Kontakt", "070-174 06 01", "Kompetenser", "Svets", "Truck", "Körkort B"]
MAIN = ["Svetsare med tio års", "erfarenhet av MIG och", "TIG i verkstad och", "på montage ute hos", "kunder i Norden."]


def test_sidebar_drawn_after_main_column_is_read_as_a_column() -> None:
    fragments = _column(40, 700, 12, SIDE, 9, 100) + _column(200, 700, 12, MAIN, 9, 0)
    assert [line.text for line in page_lines(fragments)] == SIDE + MAIN


def test_columns_drawn_row_by_row_with_their_own_line_pitch_are_still_columns() -> None:
    side = _column(40, 700, 11, SIDE, 8, 0, step=2)
    main = _column(200, 700, 15, MAIN, 11, 1, step=2)
    # the main column, in the larger type, is read first
    assert [line.text for line in page_lines(side + main)] == MAIN + SIDE


def test_labels_drawn_row_by_row_beside_their_values_are_read_across() -> None:
    labels = _column(40, 700, 12, ["Språk", "Körkort", "Truck"], 9, 0, step=2)
    values = _column(160, 700, 12, ["Svenska och polska", "B och C", "A1–A4 och B1–B6"], 9, 1, step=2)
    assert [line.text for line in page_lines(labels + values)] == [
        "Språk Svenska och polska",
        "Körkort B och C",
        "Truck A1–A4 och B1–B6",
    ]


def test_the_column_with_the_name_is_read_first() -> None:
    name = [Fragment("Ida Svensson", 200, 330, 720, 744, 24, 50)]
    main = _column(200, 700, 12, MAIN, 9, 51)
    side = _column(40, 730, 12, SIDE, 9, 0)
    assert [line.text for line in page_lines(side + name + main)] == ["Ida Svensson", *MAIN, *SIDE]


def test_a_full_width_header_above_two_columns_is_read_first() -> None:
    header = [
        Fragment("Ida Svensson", 150, 330, 760, 784, 24, 0),
        Fragment("Svetsare", 200, 280, 740, 752, 12, 1),
        Fragment("070-174 06 01", 60, 150, 722, 731, 9, 2),
        Fragment("ida@example.com", 220, 330, 722, 731, 9, 3),
    ]
    side = _column(40, 700, 11, SIDE, 8, 10)
    main = _column(200, 700, 15, MAIN, 11, 30)
    lines = [line.text for line in page_lines(header + side + main)]
    assert lines[:3] == ["Ida Svensson", "Svetsare", "070-174 06 01 ida@example.com"]
    assert lines[3:] in (SIDE + MAIN, MAIN + SIDE)


# ------------------------------------------------------------------------- text cleaning


def test_clean_text_removes_pdfium_hyphen_marks_and_private_use_icons() -> None:
    assert clean_text("utveck\ufffeling \uf095 070\u2011174 06 01") == "utveckling 070-174 06 01"
    assert clean_text("\ufb01ka och \ufb02ex, ﬀ ﬃ ﬄ ﬆ") == "fika och flex, ff ffi ffl st"


# ------------------------------------------------------------------- PDF protections


def _pdf_with_forms(fanout: int, depth: int, form_bytes: int) -> bytes:
    """A page that draws a form ``fanout`` times, which draws the next one ``fanout`` times, …"""
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    line = b"BT /F1 11 Tf 40 800 Td (Svetsare med erfarenhet av MIG och TIG) Tj ET\n"
    inner = None
    for level in range(depth):
        form = DecodedStreamObject()
        innermost = level == 0
        form.set_data(line * (form_bytes // len(line)) if innermost else b"q /X Do Q\n" * fanout)
        resources = DictionaryObject({NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
        if inner is not None:
            resources[NameObject("/XObject")] = DictionaryObject({NameObject("/X"): inner})
        form.update(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Form"),
                NameObject("/BBox"): ArrayObject([NumberObject(n) for n in (0, 0, 595, 842)]),
                NameObject("/Resources"): resources,
            }
        )
        inner = writer._add_object(form.flate_encode())
    content = DecodedStreamObject()
    content.set_data(b"q /X Do Q\n" * fanout)
    page[NameObject("/Contents")] = writer._add_object(content)
    xobjects = DictionaryObject({NameObject("/X"): inner})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): xobjects})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def test_forms_drawn_by_forms_count_every_time_they_are_drawn() -> None:
    """Each form is small, but drawn 60 x 60 times it is 100 MB of text operators to parse."""
    data = _pdf_with_forms(fanout=60, depth=2, form_bytes=30_000)
    assert len(data) < 20_000
    started = time.perf_counter()
    with pytest.raises(FileTooLargeError, match="drawing instructions"):
        extract_cv_text(data)
    assert time.perf_counter() - started < 3
    escaped = data.replace(b"/X Do", b"/#58 Do")  # the same name, spelt with a #xx escape
    assert escaped != data
    with pytest.raises(FileTooLargeError, match="drawing instructions"):
        extract_cv_text(escaped)


def test_a_form_drawn_a_few_times_is_fine() -> None:
    cv = extract_cv_text(_pdf_with_forms(fanout=3, depth=2, form_bytes=2_000), min_words=5)
    assert "Svetsare med erfarenhet av MIG och TIG" in cv.text


def test_a_huge_declared_page_count_is_refused_before_the_page_tree_is_read() -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer._root_object["/Pages"].get_object()[NameObject("/Count")] = NumberObject(99_000)
    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(FileTooLargeError, match="99000 pages"):
        extract_cv_text(buf.getvalue())


def test_pdfium_is_shared_safely_between_threads() -> None:
    data = (FIXTURES / "latex_awesome_sv.pdf").read_bytes()
    expected = extract_cv_text(data).text
    results: list[str] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(3):
                results.append(extract_cv_text(data).text)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert results == [expected] * 12


def test_the_fixture_pdfs_are_valid_for_pypdf_too() -> None:
    for path in sorted(FIXTURES.glob("*.pdf")):
        assert len(PdfReader(path).pages) == 1


def test_typeset_line_end_hyphens_are_syllable_breaks() -> None:
    english = (
        "I was responsible for configuration man-\nagement and ef-\nficient releases, and for the cross-\n"
        "functional team."
    )
    assert "configuration man-agement" in dehyphenate(english)  # Word wraps after real hyphens
    typeset = dehyphenate(english, typeset=True)  # TeX breaks words at syllables
    assert "configuration management and efficient releases" in typeset
