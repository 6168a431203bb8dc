"""CV upload reading: real PDF/DOCX/text files made in the test, and every refusal path."""

from __future__ import annotations

import io
import logging
import re
import struct
import time
import tracemalloc
import unicodedata
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from pypdf import PdfReader, PdfWriter

from jobsai.cv import extract as extract_module
from jobsai.cv.extract import CVText, clean_text, count_words, cv_text_from_paste, extract_cv_text
from jobsai.errors import (
    CorruptFileError,
    CVError,
    EncryptedPDFError,
    FileTooLargeError,
    ScannedPDFError,
    TextTooShortError,
    UnsupportedFileTypeError,
)

from conftest import EVAL_DEV_CVS, eval_dev_cvs
from support.cv_files import (
    PAGE_BREAK,
    find_unicode_font,
    make_cv_docx,
    make_cv_pdf,
    make_encrypted_pdf,
    make_scanned_pdf,
    png_bytes,
)

SV_CV = """Åsa Öberg
Legitimerad sjuksköterska – söker tjänst på akutmottagning
Ängelholm · 070-174 06 99 · asa.oberg@example.com

OM MIG
Jag har arbetat fem år på en medicinsk vårdavdelning och är van vid högt tempo, läkemedelshantering
och att leda omvårdnaden i ett vårdlag. Jag trivs när det händer mycket och vill nu utvecklas inom
akutsjukvård.

ERFARENHET
2020 – nu    Sjuksköterska, medicinavdelning 12, Ängelholms sjukhus
• Triage, provtagning och dokumentation i journalsystemet
• Handleder sjuksköterskestudenter under verksamhetsförlagd utbildning

UTBILDNING
Sjuksköterskeprogrammet 180 hp, Högskolan i Bäverholm, 2017 – 2020
"""

EN_CV = """Tomas Berg
Warehouse team leader

I have led a team of twelve people in a large distribution centre for four years. I plan the shifts,
train new staff in safety routines and make sure that the orders leave on time.
- Forklift licence (A+B), first aid, and experience with the WMS system Astro
"""

TEXT_ENCODING_CV = "Björn Ärlig\nLagerarbetare på Åhléns centrallager, " + "plock och pack med truck. " * 6

skip_without_font = pytest.mark.skipif(
    find_unicode_font() is None, reason="no Unicode TrueType font on this machine for å/ä/ö PDFs"
)


def read(path: Path, **kwargs: object) -> CVText:
    return extract_cv_text(path.read_bytes(), filename=path.name, **kwargs)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------------- PDF


@skip_without_font
def test_pdf_with_swedish_text(tmp_path: Path) -> None:
    cv = read(make_cv_pdf(SV_CV, tmp_path / "cv.pdf"))
    assert (cv.kind, cv.pages, cv.language) == ("pdf", 1, "sv")
    assert "Åsa Öberg" in cv.text
    assert "Ängelholms sjukhus" in cv.text
    assert "Legitimerad sjuksköterska – söker tjänst på akutmottagning" in cv.text
    assert "- Triage, provtagning och dokumentation i journalsystemet" in cv.text  # bullet normalised
    assert "•" not in cv.text
    assert cv.words == count_words(clean_text(SV_CV))
    assert cv.text == unicodedata.normalize("NFC", cv.text)


def test_pdf_with_builtin_font_still_reads(tmp_path: Path) -> None:
    """A PDF using a standard font (WinAnsi encoding) keeps å/ä/ö too."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in EN_CV.splitlines() + ["Språk: svenska och engelska, körkort B, gärna även helger."]:
        pdf.cell(0, 6, line.replace("–", "-"), new_x="LMARGIN", new_y="NEXT")
    cv = extract_cv_text(bytes(pdf.output()))
    assert cv.kind == "pdf" and cv.language == "en"
    assert "Språk: svenska och engelska, körkort B" in cv.text


@skip_without_font
def test_two_page_pdf_drops_running_header_and_page_numbers(tmp_path: Path) -> None:
    second_page = "KURSER\nHLR vuxen, 2024\nBasala hygienrutiner och smittskydd, 2023\nReferenser på begäran."
    path = make_cv_pdf(
        SV_CV + PAGE_BREAK + second_page,
        tmp_path / "cv.pdf",
        header="Åsa Öberg – CV",
        footer="Sida {page} av 2",
    )
    cv = read(path)
    assert cv.pages == 2
    assert cv.text.count("Åsa Öberg – CV") == 1  # kept once, dropped from page 2
    assert "Sida" not in cv.text
    assert cv.text.index("Sjuksköterskeprogrammet") < cv.text.index("HLR vuxen, 2024")
    assert "Referenser på begäran." in cv.text


@skip_without_font
def test_pdf_line_end_hyphenation_is_joined(tmp_path: Path) -> None:
    text = (
        "Jag har arbetat som system-\nutvecklare i många år och har haft ansvar för HR-\n"
        "och lönesystemet, e-\npost och intranätet.\n" + "Jag är noggrann och gillar ordning. " * 4
    )
    cv = read(make_cv_pdf(text, tmp_path / "cv.pdf"))
    assert "systemutvecklare" in cv.text
    assert "HR- och lönesystemet" in cv.text
    assert "e-post" in cv.text


def test_scanned_pdf(tmp_path: Path) -> None:
    with pytest.raises(ScannedPDFError, match="no text layer — it looks scanned"):
        read(make_scanned_pdf(tmp_path / "skannad.pdf", pages=2))


def test_scanned_pdf_with_a_scanner_watermark_is_still_scanned(tmp_path: Path) -> None:
    with pytest.raises(ScannedPDFError):
        read(make_scanned_pdf(tmp_path / "scan.pdf", caption="Scanned with CamScanner"))


def test_blank_pdf_is_reported_as_having_no_text_layer() -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(ScannedPDFError):
        extract_cv_text(buf.getvalue())


@skip_without_font
def test_short_pdf_with_a_photo_is_too_short_not_scanned(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("Sans", fname=str(find_unicode_font()))
    pdf.add_page()
    pdf.image(io.BytesIO(png_bytes(60, 80)), x=10, y=10, w=30)
    pdf.set_font("Sans", size=11)
    pdf.set_y(60)
    pdf.multi_cell(0, 6, "Åsa Öberg, sjuksköterska med fem års erfarenhet av akutsjukvård.")
    with pytest.raises(TextTooShortError, match="only 9 words"):
        extract_cv_text(bytes(pdf.output()))


def test_encrypted_pdf_with_user_password(tmp_path: Path) -> None:
    path = make_encrypted_pdf(EN_CV, tmp_path / "locked.pdf", user_password="hemligt")
    with pytest.raises(EncryptedPDFError, match="password-protected"):
        read(path)


def test_pdf_with_only_an_owner_password_is_read(tmp_path: Path) -> None:
    path = make_encrypted_pdf(EN_CV, tmp_path / "restricted.pdf", user_password="")
    cv = read(path)
    assert cv.kind == "pdf" and "Warehouse team leader" in cv.text


def test_aes_encrypted_pdf_with_empty_user_password(tmp_path: Path) -> None:
    pytest.importorskip("cryptography", reason="AES needs the cryptography package")
    path = make_encrypted_pdf(EN_CV, tmp_path / "aes.pdf", user_password="", algorithm="AES-256")
    assert "Warehouse team leader" in read(path).text


def test_truncated_pdf_is_corrupt(tmp_path: Path) -> None:
    data = make_cv_pdf(EN_CV * 3, tmp_path / "cv.pdf").read_bytes()
    for cut in (len(data) // 3, len(data) // 2, len(data) - 200):
        with pytest.raises(CorruptFileError):
            extract_cv_text(data[:cut], filename="cv.pdf")


def test_garbage_after_pdf_header_is_corrupt() -> None:
    with pytest.raises(CorruptFileError, match="damaged"):
        extract_cv_text(b"%PDF-1.7\n" + bytes(range(256)) * 20 + b"\n%%EOF\n")


def test_pdf_with_too_many_pages_is_refused(tmp_path: Path) -> None:
    writer = PdfWriter()
    for _ in range(51):
        writer.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(FileTooLargeError, match="51 pages"):
        extract_cv_text(buf.getvalue())
    with pytest.raises(FileTooLargeError, match="51 pages; we read CVs of up to 10"):
        extract_cv_text(buf.getvalue(), max_pages=10)


def test_pdf_content_stream_bomb_is_refused_quickly() -> None:
    """A small file whose page inflates to megabytes of text operators (slow to parse)."""
    import time

    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    content = DecodedStreamObject()
    content.set_data(b"BT /F1 12 Tf 10 10 Td (hello world) Tj ET\n" * 150_000)  # 6.3 MB
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    page[NameObject("/Contents")] = writer._add_object(content.flate_encode())
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    fonts = DictionaryObject({NameObject("/F1"): font})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
    buf = io.BytesIO()
    writer.write(buf)
    assert len(buf.getvalue()) < 100_000
    started = time.perf_counter()
    with pytest.raises(FileTooLargeError, match="drawing instructions"):
        extract_cv_text(buf.getvalue())
    assert time.perf_counter() - started < 3


def test_pdf_content_budget_counts_all_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_cv_pdf(EN_CV + PAGE_BREAK + EN_CV, tmp_path / "cv.pdf")
    reader = PdfReader(path)
    first_page = extract_module._content_bytes(reader.pages[0], 10**9)
    assert read(path).pages == 2
    monkeypatch.setattr(extract_module, "MAX_PDF_CONTENT_BYTES", first_page * 3 // 2)
    with pytest.raises(FileTooLargeError):
        read(path)


# ---------------------------------------------------------------------------------- DOCX


def test_docx_with_table_header_and_bullets_in_document_order(tmp_path: Path) -> None:
    path = make_cv_docx(
        tmp_path / "cv.docx",
        ["Ekonom med sex år i kommunala bolag och ett stort intresse för analys."],
        heading="Elin Testberg",
        bullets=["Leder budgetarbetet och två prognoser per år", "Bygger rapporter i Power BI"],
        table=[
            ["Period", "Roll", "Arbetsgivare"],
            ["2021 – nu", "Budgetanalytiker", "Granviks Bostäder AB"],
            ["2018 – 2021", "Redovisningsekonom", "Granviks kommun"],
        ],
        after_table=["SPRÅK", "Svenska (modersmål), engelska (mycket god)"],
        header="Granvik · 070-174 06 90 · elin.testberg@example.org",
        footer="Sida 1",
    )
    cv = read(path)
    assert (cv.kind, cv.pages, cv.language) == ("docx", None, "sv")
    lines = cv.text.splitlines()
    assert lines[0] == "Granvik · 070-174 06 90 · elin.testberg@example.org"
    assert "- Leder budgetarbetet och två prognoser per år" in lines
    assert "2021 – nu | Budgetanalytiker | Granviks Bostäder AB" in lines
    order = [
        "Elin Testberg",
        "Ekonom med sex år",
        "- Bygger rapporter",
        "Period | Roll",
        "2018 – 2021",
        "SPRÅK",
    ]
    positions = [cv.text.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert "Sida 1" not in cv.text  # page-number footer dropped


def test_docx_layout_table_cells_keep_their_lines(tmp_path: Path) -> None:
    document = docx.Document()
    grid = document.add_table(rows=1, cols=2)
    left, right = grid.cell(0, 0), grid.cell(0, 1)
    left.text = "KONTAKT"
    left.add_paragraph("Harvsjö")
    right.text = "ERFARENHET"
    right.add_paragraph("Verksamhetsutvecklare, Harvsjö kommun, sedan 2019, med ansvar för processer.")
    right.add_paragraph("HR-analytiker, Tjädersta Logistik AB, 2015 – 2019, bemanning och frånvaro.")
    path = tmp_path / "layout.docx"
    document.save(str(path))
    lines = read(path, min_words=5).text.splitlines()
    assert lines[:2] == ["KONTAKT", "Harvsjö"]
    assert "ERFARENHET" in lines and "|" not in "".join(lines)


def test_docx_text_box_is_read_once(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph(EN_CV.replace("\n", " "))
    anchor = document.add_paragraph("Anchor paragraph.")
    box_text = "Languages: English, Swedish and Tigrinya"
    anchor._p.append(
        parse_xml(
            '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
            ' xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
            ' xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
            ' xmlns:v="urn:schemas-microsoft-com:vml">'
            '<mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent>'
            f"<w:p><w:r><w:t>{box_text}</w:t></w:r></w:p>"
            "</w:txbxContent></wps:txbx></w:drawing></mc:Choice>"
            "<mc:Fallback><w:pict><v:textbox><w:txbxContent>"
            f"<w:p><w:r><w:t>{box_text}</w:t></w:r></w:p>"
            "</w:txbxContent></v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
        )
    )
    path = tmp_path / "box.docx"
    document.save(str(path))
    text = read(path).text
    assert text.count(box_text) == 1
    assert text.index("Anchor paragraph.") < text.index(box_text)


def test_truncated_docx_is_corrupt(tmp_path: Path) -> None:
    data = make_cv_docx(tmp_path / "cv.docx", [SV_CV]).read_bytes()
    with pytest.raises(CorruptFileError, match="Word document"):
        extract_cv_text(data[: len(data) // 2], filename="cv.docx")


def test_docx_with_broken_xml_is_corrupt(tmp_path: Path) -> None:
    source = make_cv_docx(tmp_path / "cv.docx", [SV_CV]).read_bytes()
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as zin, zipfile.ZipFile(broken, "w") as zout:
        for item in zin.infolist():
            payload = zin.read(item.filename)
            if item.filename == "word/document.xml":
                payload = payload[: len(payload) // 2]
            zout.writestr(item, payload)
    with pytest.raises(CorruptFileError):
        extract_cv_text(broken.getvalue())


def test_docx_decompression_bomb_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract_module, "MAX_UNPACKED_BYTES", 200_000)
    source = make_cv_docx(tmp_path / "cv.docx", [SV_CV]).read_bytes()
    bomb = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as zin, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename))
        zout.writestr("word/media/padding.bin", b"\0" * 1_000_000)
    assert len(bomb.getvalue()) < 200_000
    with pytest.raises(FileTooLargeError, match="unpacks to more than"):
        extract_cv_text(bomb.getvalue())


_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MINIMAL_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="word/document.xml"/></Relationships>'
    ),
}
_CV_PARAGRAPH = (
    "<w:p><w:r><w:t>Undersköterska med erfarenhet av hemtjänst, demensvård och dokumentation.</w:t></w:r></w:p>"
).encode()


def _docx_streamed(chunks: object) -> bytes:
    """A minimal DOCX whose document.xml is written from ``chunks`` (never held in memory whole)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, xml in _MINIMAL_PARTS.items():
            zf.writestr(name, xml)
        with zf.open("word/document.xml", "w") as member:
            member.write(f'<w:document xmlns:w="{_W_NS}"><w:body>'.encode())
            for chunk in chunks:  # type: ignore[attr-defined]
                member.write(chunk)
            member.write(b"</w:body></w:document>")
    return buf.getvalue()


def _lie_about_size(data: bytes, member: str, claimed: int) -> bytes:
    """Write ``claimed`` as the member's uncompressed size in its local header and central directory."""
    patched = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        offset = zf.getinfo(member).header_offset
    assert patched[offset : offset + 4] == b"PK\x03\x04"
    struct.pack_into("<I", patched, offset + 22, claimed)
    entry = patched.find(b"PK\x01\x02")
    while entry != -1:
        name_length = struct.unpack_from("<H", patched, entry + 28)[0]
        if patched[entry + 46 : entry + 46 + name_length] == member.encode():
            struct.pack_into("<I", patched, entry + 24, claimed)
            break
        entry = patched.find(b"PK\x01\x02", entry + 4)
    else:
        raise AssertionError(f"{member} is not in the central directory")
    with zipfile.ZipFile(io.BytesIO(bytes(patched))) as zf:
        assert zf.getinfo(member).file_size == claimed
    return bytes(patched)


def test_docx_member_lying_about_its_size_is_stopped_at_the_cap() -> None:
    """The directory says document.xml is 0.9 MB; it inflates to 300 MB. Refused after the cap, fast,
    without holding more than the cap in memory."""
    block = _CV_PARAGRAPH * 12_000  # ~1.1 MB
    honest = _docx_streamed(block for _ in range(300 * 1024 * 1024 // len(block)))
    data = _lie_about_size(honest, "word/document.xml", 900_000)
    assert len(data) < 4 * 1024 * 1024
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(FileTooLargeError, match="more text or structure than a CV"):
            extract_cv_text(data, filename="cv.docx")
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < 5
    assert peak < extract_module.MAX_XML_BYTES + 16 * 1024 * 1024


def test_docx_part_over_the_xml_cap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract_module, "MAX_XML_BYTES", 256 * 1024)
    data = _docx_streamed(_CV_PARAGRAPH * 1000 for _ in range(6))  # ~600 kB, sizes declared honestly
    with pytest.raises(FileTooLargeError, match="more text or structure than a CV"):
        extract_cv_text(data)
    monkeypatch.setattr(extract_module, "MAX_XML_BYTES", 1024 * 1024)
    assert extract_cv_text(data).kind == "docx"


def test_docx_nested_too_deep_is_refused_quickly() -> None:
    depth = 400  # tables in cells of tables: three elements per level
    xml = b"<w:tbl><w:tr><w:tc>" * depth + _CV_PARAGRAPH * 3 + b"<w:p/></w:tc></w:tr></w:tbl>" * depth
    started = time.perf_counter()
    with pytest.raises(FileTooLargeError, match="nested over"):
        extract_cv_text(_docx_streamed([xml]))
    assert time.perf_counter() - started < 2
    shallow = b"<w:tbl><w:tr><w:tc>" * 5 + _CV_PARAGRAPH * 3 + b"<w:p/></w:tc></w:tr></w:tbl>" * 5
    assert "Undersköterska med erfarenhet" in extract_cv_text(_docx_streamed([shallow])).text


def test_docx_with_entity_expansion_is_refused() -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "ha ha ha ha ha ha ha ha ha ha">'
        + "".join(f'<!ENTITY {c} "{f"&{p};" * 10}">' for p, c in zip("abcdefgh", "bcdefghi", strict=True)).encode()
        + b"]>"
        + f'<w:document xmlns:w="{_W_NS}"><w:body><w:p><w:r><w:t>&i;</w:t></w:r></w:p></w:body></w:document>'.encode()
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, xml in _MINIMAL_PARTS.items():
            zf.writestr(name, xml)
        zf.writestr("word/document.xml", laughs)
    started = time.perf_counter()
    with pytest.raises(CorruptFileError):
        extract_cv_text(buf.getvalue())
    assert time.perf_counter() - started < 2


# ------------------------------------------------------------------------------ plain text


@pytest.mark.parametrize(
    "encode",
    [
        lambda s: s.encode("utf-8"),
        lambda s: s.encode("utf-8-sig"),
        lambda s: s.encode("cp1252"),
        lambda s: s.encode("utf-16"),  # with BOM
        lambda s: s.encode("utf-16-le"),  # Notepad's "Unicode" without BOM
        lambda s: s.replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=["utf-8", "utf-8-bom", "cp1252", "utf-16-bom", "utf-16-le-no-bom", "crlf"],
)
def test_text_encodings(encode: object) -> None:
    cv = extract_cv_text(encode(TEXT_ENCODING_CV), filename="cv.txt")  # type: ignore[operator]
    assert cv.kind == "txt" and cv.pages is None
    assert cv.text.startswith("Björn Ärlig\nLagerarbetare på Åhléns centrallager")
    assert "\ufeff" not in cv.text and "\r" not in cv.text


def test_pdf_name_on_a_text_file_is_ignored() -> None:
    cv = extract_cv_text(EN_CV.encode(), filename="cv.pdf")
    assert (cv.kind, cv.language) == ("txt", "en")


def test_decomposed_unicode_is_normalised() -> None:
    decomposed = unicodedata.normalize("NFD", TEXT_ENCODING_CV)
    assert decomposed != TEXT_ENCODING_CV
    cv = extract_cv_text(decomposed.encode())
    assert cv.text.startswith("Björn Ärlig")


# --------------------------------------------------------------------- refused file types


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, payload in entries.items():
            zf.writestr(name, payload)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (
            _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}),
            "OpenDocument text",
        ),
        (_zip({"notes.txt": b"hello"}), "ZIP archive"),
        (_zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>"}), "Excel"),
        (png_bytes(), "PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200), "JPEG image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), r"old Word \(.doc\)"),
        (b"{\\rtf1\\ansi Hej hej}", "Rich Text"),
        (bytes(range(256)) * 8, "not a PDF, a Word"),
        (b"<!DOCTYPE html><html><body>" + EN_CV.encode() + b"</body></html>", "web page"),
    ],
    ids=["odt", "zip", "xlsx", "png", "jpeg", "doc", "rtf", "binary", "html"],
)
def test_unsupported_types_are_named(data: bytes, what: str) -> None:
    with pytest.raises(UnsupportedFileTypeError, match=what) as info:
        extract_cv_text(data, filename="mitt cv.pdf")
    message = str(info.value)
    assert "PDF, Word (.docx) and plain-text" in message or "PDF, a Word (.docx)" in message


def test_filename_in_messages_is_sanitised() -> None:
    with pytest.raises(UnsupportedFileTypeError) as info:
        extract_cv_text(png_bytes(), filename='C:\\Users\\anna\\<script>"cv".png')
    assert str(info.value).startswith('The file "scriptcv.png" looks like a PNG image')


# ------------------------------------------------------------------------ size and length


def test_size_limit_is_checked_before_parsing() -> None:
    damaged_pdf = b"%PDF-1.7\n" + b"x" * 2000
    with pytest.raises(FileTooLargeError, match="limit is"):
        extract_cv_text(damaged_pdf, max_bytes=1000)
    with pytest.raises(FileTooLargeError, match="11 MB, and the limit is 10 MB"):
        extract_cv_text(b"a" * (11 * 1024 * 1024))


def test_file_exactly_at_the_limit_is_fine() -> None:
    data = EN_CV.encode()
    assert extract_cv_text(data, max_bytes=len(data)).kind == "txt"


def test_too_short_text() -> None:
    with pytest.raises(TextTooShortError, match="only 4 words; we need at least 20"):
        extract_cv_text("Anna Svensson, sjuksköterska, Malmö".encode())
    with pytest.raises(TextTooShortError, match="is empty"):
        extract_cv_text(b"")
    with pytest.raises(TextTooShortError, match="no words"):
        extract_cv_text(b"070-174 06 99\n2019 - 2023\n")
    assert extract_cv_text(EN_CV.encode(), min_words=10).words == count_words(EN_CV)


def test_all_errors_are_cv_errors() -> None:
    for error in (UnsupportedFileTypeError, FileTooLargeError, ScannedPDFError, EncryptedPDFError):
        assert issubclass(error, CVError)
    assert issubclass(CorruptFileError, CVError) and issubclass(TextTooShortError, CVError)


# ------------------------------------------------------------------------- paste, cleaning


def test_paste() -> None:
    cv = cv_text_from_paste("  " + EN_CV.replace("\n", "\r\n") + "\n\n\n\n")
    assert (cv.kind, cv.language, cv.pages) == ("paste", "en", None)
    assert cv.text == clean_text(EN_CV)
    with pytest.raises(TextTooShortError, match="The pasted text has only 2 words"):
        cv_text_from_paste("Hej hej")


def test_clean_text() -> None:
    messy = (
        "Anna\u00a0Svensson\u200b\x07  \t CV\r\n"
        "\uf0b7\tPlanering\n"
        "  ●  Ledarskap\n"
        "– sorterar tvätt\n"
        "* Kundservice\n"
        "2019 – 2023   Butikssäljare\n\n\n\n"
        "ef\ufb01cient o\ufb03ce\u00adwork\u2028ny rad\n"
    )
    assert clean_text(messy) == (
        "Anna Svensson CV\n"
        "- Planering\n"
        "- Ledarskap\n"
        "- sorterar tvätt\n"
        "- Kundservice\n"
        "2019 – 2023 Butikssäljare\n\n"
        "efficient officework\nny rad"
    )


def test_repr_never_shows_the_cv_text() -> None:
    cv = cv_text_from_paste(EN_CV)
    assert "Warehouse" not in repr(cv)


def test_cv_text_is_never_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="pypdf")
    extract_cv_text(EN_CV.encode())
    pdf = make_cv_pdf(EN_CV, tmp_path / "cv.pdf").read_bytes()
    extract_cv_text(pdf)
    # pypdf warns about damaged files, quoting bytes of the file; none of that may be logged.
    damaged = re.sub(rb"startxref\s+(\d+)", lambda m: b"startxref\n%d" % (int(m.group(1)) + 3), pdf)
    PdfReader(io.BytesIO(damaged)).pages[0].extract_text()
    assert [r for r in caplog.records if r.name.startswith("pypdf")], "pypdf no longer warns here"
    caplog.clear()
    extract_cv_text(damaged)
    with pytest.raises(CVError):
        extract_cv_text(damaged[: len(damaged) * 2 // 3])
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Warehouse" not in logged and "Forklift" not in logged
    assert logging.getLogger("pypdf").level == logging.DEBUG  # restored afterwards


# ----------------------------------------------------------------- eval-dev round trips


def _word_bag(text: str) -> list[str]:
    return sorted(re.findall(r"[^\W_]+", text.lower()))


@pytest.mark.skipif(not eval_dev_cvs(), reason="../shared/eval-dev is not present")
@pytest.mark.parametrize("path", eval_dev_cvs(), ids=lambda p: p.stem)
def test_eval_dev_cv_as_text_file(path: Path) -> None:
    raw = path.read_bytes()
    cv = extract_cv_text(raw, filename=path.name)
    assert cv.kind == "txt"
    assert _word_bag(cv.text) == _word_bag(raw.decode("utf-8"))


@skip_without_font
@pytest.mark.skipif(not eval_dev_cvs(), reason="../shared/eval-dev is not present")
@pytest.mark.parametrize("name", ["dev04.txt", "dev09.txt", "dev11.txt"])
def test_eval_dev_cv_through_pdf_and_docx_keeps_its_words(tmp_path: Path, name: str) -> None:
    original = (EVAL_DEV_CVS / name).read_text(encoding="utf-8")
    expected = _word_bag(original)
    from_pdf = read(make_cv_pdf(original, tmp_path / "cv.pdf"))
    from_docx = read(make_cv_docx(tmp_path / "cv.docx", original.split("\n")))
    for cv in (from_pdf, from_docx):
        assert _word_bag(cv.text) == expected
        assert cv.language == cv_text_from_paste(original).language
