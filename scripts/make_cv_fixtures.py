"""Make the CV fixture files of ``tests/fixtures/cvs/`` with the tools people really use.

Every CV is invented: invented names and employers, phone numbers from the series reserved
for fiction (070-174 06 xx), e-mail addresses at example.com. The generated files are
committed; run this again only to change or add a fixture, then update
``tests/test_cv_files.py``::

    .venv/bin/python scripts/make_cv_fixtures.py            # all of them
    .venv/bin/python scripts/make_cv_fixtures.py latex html  # some of them

=============================  ============================  =====================================
fixture                        made with                     Debian packages (apt-get install -y)
=============================  ============================  =====================================
``latex_awesome_sv.pdf``       XeLaTeX (Awesome-CV's way:    texlive-xetex texlive-lang-european
                               OpenType fonts), fontawesome5 texlive-fonts-extra
``latex_moderncv_en.pdf``      pdfLaTeX (moderncv's way:     texlive-latex-base texlive-latex-recommended
                               Type 1 fonts), fontawesome5   texlive-fonts-recommended texlive-fonts-extra
``word_sidebar_sv.docx``       python-docx + raw XML for the (none: python-docx from the virtualenv)
                               text box
``word_sidebar_sv.pdf``        LibreOffice (headless)        libreoffice-writer-nogui
``word_sidebar_sv_libreoffice  the DOCX saved again by        libreoffice-writer-nogui
.docx``                        LibreOffice
``html_sidebar_en.pdf``        Chromium's print to PDF       chromium fonts-font-awesome fonts-dejavu-core
``positioned_spans_sv.pdf``    fpdf2, one span per few       fonts-dejavu-core (fpdf2 from the virtualenv)
                               letters (as CV builders do)
=============================  ============================  =====================================

``texlive-fonts-extra`` (1.4 GB installed) is only there for the ``fontawesome5`` LaTeX package and
the Roboto and Source Sans Pro fonts Awesome-CV uses; no smaller Debian package ships them. Install
everything with ``--no-install-recommends``.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "cvs"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
DEJAVU_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
FONT_AWESOME_TTF = Path("/usr/share/fonts/truetype/font-awesome/fontawesome-webfont.ttf")
EPOCH = "1735689600"  # 2025-01-01: fixed dates inside the files, so a rebuild changes nothing else


def run(cmd: list[str], cwd: Path, timeout: int = 180) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "FORCE_SOURCE_DATE": "1", "HOME": str(cwd)}
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
        raise SystemExit(f"failed: {' '.join(cmd)}")


def need(tool: str, package: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise SystemExit(f"{tool} is missing: apt-get install -y --no-install-recommends {package}")
    return path


# ----------------------------------------------------------------------------- 1. LaTeX

AWESOME_SV = r"""
\documentclass[10pt,a4paper]{article}
\usepackage{fontspec}
\usepackage[swedish]{babel}
\setmainfont{SourceSansPro}[Extension=.otf, UprightFont=*-Regular, BoldFont=*-Bold, ItalicFont=*-RegularIt]
\newfontfamily\headerfont{Roboto}[Extension=.otf, UprightFont=*-Regular, BoldFont=*-Bold]
\usepackage[margin=1.5cm]{geometry}
\usepackage{fontawesome5}
\usepackage{xcolor}
\usepackage[hidelinks]{hyperref}
\definecolor{accent}{HTML}{DC3522}
\pagestyle{empty}
\setlength{\parindent}{0pt}
\newcommand{\cvsection}[1]{\par\vspace{8pt}{\headerfont\large\bfseries\color{accent}#1}\par\vspace{3pt}}
\newcommand{\cventry}[4]{\textbf{#1}, #2 \hfill {\small\color{gray} #3}\par\vspace{1pt}#4\par\vspace{5pt}}
\begin{document}
\begin{center}
{\headerfont\fontsize{28pt}{32pt}\selectfont Linnea \textbf{Sjöström}}\par\vspace{4pt}
{\headerfont\color{accent} DevOps Engineer · Software Architect}\par\vspace{6pt}
{\small \faPhone\ 070-174 06 12 \quad
\faEnvelope\ \href{mailto:linnea.sjostrom@example.com}{linnea.sjostrom@example.com} \quad
\faGithub\ \href{https://github.com/linnea-exempel}{github.com/linnea-exempel} \quad
\faMapMarker*\ Växjö}
\end{center}
\vspace{6pt}
\begin{minipage}[t]{0.27\textwidth}
\raggedright\small
\cvsection{Kompetenser}
Kubernetes och Helm\par
Terraform och Ansible\par
Python, Go och Bash\par
GitLab CI och Argo CD\par
Prometheus och Grafana\par
\cvsection{Språk}
Svenska (modersmål)\par
Engelska (flytande)\par
Tyska (grundläggande)\par
\cvsection{Övrigt}
Körkort B\par
Brandskyddsansvarig på kontoret\par
\end{minipage}\hfill
\begin{minipage}[t]{0.69\textwidth}
\cvsection{Profil}
Jag bygger plattformar som låter utvecklingsteam leverera ofta och säkert. Under tio år har jag
automatiserat infrastruktur, kortat ledtiderna från veckor till timmar och lärt ut arbetssätt för
kontinuerlig leverans. Jag trivs i gränslandet mellan drift och utveckling och tar gärna ansvar för
säkerhetsgranskningsprocesser och infrastrukturautomatisering i stora organisationer med många
verksamhetskritiska system.
\cvsection{Erfarenhet}
\cventry{DevOps Engineer}{Norrskensdata AB, Växjö}{2019 -- nu}{Ansvarar för en Kubernetesplattform med
fyrtio tjänster och leder arbetet med driftsättningsautomatisering för hela utvecklingsavdelningen.
Införde GitOps med Argo CD och halverade antalet incidenter vid driftsättning.}
\cventry{Systemutvecklare}{Kronobergs Exempelkommun}{2014 -- 2019}{Utvecklade integrationer mellan
verksamhetssystem och införde versionshantering, kodgranskning och automatiska tester i
förvaltningsgruppen.}
\cvsection{Utbildning}
\cventry{Civilingenjör i datateknik}{Exempeluniversitetet i Lund}{2009 -- 2014}{Examensarbete om
övervakning av distribuerade system.}
\end{minipage}
\end{document}
"""

MODERNCV_EN = r"""
\documentclass[10pt,a4paper]{article}
\usepackage[T1]{fontenc}
\usepackage[utf8]{inputenc}
\usepackage[english]{babel}
\usepackage[scaled]{helvet}
\renewcommand{\familydefault}{\sfdefault}
\usepackage[top=1.5cm, bottom=1.5cm, left=2cm, right=2cm]{geometry}
\usepackage{fontawesome5}
\usepackage{xcolor}
\usepackage[hidelinks]{hyperref}
\definecolor{accent}{HTML}{3873B3}
\pagestyle{empty}
\setlength{\parindent}{0pt}
\newcommand{\cvsection}[1]{\par\vspace{10pt}\parbox[b]{0.18\textwidth}{\color{accent}\rule{0.18\textwidth}{0.9ex}}%
  \hspace{0.02\textwidth}{\Large\color{accent}#1}\par\vspace{4pt}}
\newcommand{\cvitem}[2]{\parbox[t]{0.18\textwidth}{\raggedleft\small #1}\hspace{0.02\textwidth}%
  \parbox[t]{0.80\textwidth}{#2}\par\vspace{3pt}}
\begin{document}
\parbox[b]{0.55\textwidth}{{\fontsize{30pt}{34pt}\selectfont Aron Vesterlund}\par\vspace{6pt}
{\Large\color{gray} Site Reliability Engineer}}\hfill
\parbox[b]{0.40\textwidth}{\raggedleft\small
Kungsholmsgatan 7, Stockholm\par
\faMobile*\ 070-174 06 45\par
\faEnvelope[regular]\ \href{mailto:aron.vesterlund@example.com}{aron.vesterlund@example.com}\par
\faGithub\ \href{https://github.com/aron-exempel}{aron-exempel}\par}
\cvsection{Experience}
\cvitem{2020--present}{\textbf{Site Reliability Engineer}, \textit{Glimmerdal Payments AB}, Stockholm\par
Run the on-call rotation for the card platform and keep its availability above 99.95 percent.
Replaced hand-written runbooks with automated remediation and cut the time to recover from an
incident from forty minutes to six.}
\cvitem{2016--2020}{\textbf{Systems Administrator}, \textit{Ekbacka Hosting}, Uppsala\par
Looked after three hundred Linux servers, moved configuration into Ansible and built the first
monitoring with Prometheus.}
\cvsection{Education}
\cvitem{2013--2016}{\textbf{BSc in Computer Engineering}, Example University College}
\cvsection{Skills}
\cvitem{Cloud}{AWS, Kubernetes, Terraform}
\cvitem{Languages}{Go, Python, Bash}
\cvitem{Observability}{Prometheus, Grafana, OpenTelemetry}
\end{document}
"""


def make_latex(work: Path) -> list[Path]:
    """Awesome-CV's way (XeLaTeX, OpenType fonts) and moderncv's way (pdfLaTeX, Type 1 fonts)."""
    xelatex = need("xelatex", "texlive-xetex texlive-fonts-extra")
    pdflatex = need("pdflatex", "texlive-latex-base texlive-fonts-extra")
    made = []
    for engine, name, source in (
        (xelatex, "latex_awesome_sv", AWESOME_SV),
        (pdflatex, "latex_moderncv_en", MODERNCV_EN),
    ):
        (work / f"{name}.tex").write_text(source.lstrip(), encoding="utf-8")
        run([engine, "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"], work)
        made.append(work / f"{name}.pdf")
    return made


# ------------------------------------------------------------------ 2. Word + LibreOffice

_NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml"'
)
SIDEBAR_SV = [
    ("KOMPETENSER", True),
    ("Projektering och tidsplanering", False),
    ("Entreprenadjuridik (AB 04, ABT 06)", False),
    ("Arbetsmiljöansvar BAS-P och BAS-U", False),
    ("Kalkyl i Bidcon", False),
    ("SPRÅK", True),
    ("Svenska och engelska", False),
    ("KÖRKORT", True),
    ("B och BE", False),
]


def _text_box(paragraphs: list[tuple[str, bool]]) -> str:
    """A text box as Word writes it: DrawingML for Word 2010+, VML as the fallback (same text)."""
    body = "".join(
        f'<w:p><w:r>{"<w:rPr><w:b/></w:rPr>" if bold else ""}<w:t xml:space="preserve">{text}</w:t></w:r></w:p>'
        for text, bold in paragraphs
    )
    cm = 360000  # EMU per centimetre
    x, y, width, height = int(13.4 * cm), int(4.2 * cm), int(6.2 * cm), int(14 * cm)
    return (
        f"<w:r {_NS}><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing>"
        f'<wp:anchor distT="0" distB="0" distL="114300" distR="114300" simplePos="0" relativeHeight="251659264" '
        f'behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
        f'<wp:positionH relativeFrom="page"><wp:posOffset>{x}</wp:posOffset></wp:positionH>'
        f'<wp:positionV relativeFrom="page"><wp:posOffset>{y}</wp:posOffset></wp:positionV>'
        f'<wp:extent cx="{width}" cy="{height}"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>'
        f'<wp:docPr id="1" name="Sidopanel"/><wp:cNvGraphicFramePr/>'
        f'<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f'<wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{width}" cy="{height}"/>'
        f'</a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:solidFill><a:srgbClr val="EAF1F8"/>'
        f"</a:solidFill><a:ln><a:noFill/></a:ln></wps:spPr><wps:txbx><w:txbxContent>{body}</w:txbxContent>"
        f'</wps:txbx><wps:bodyPr rot="0" vert="horz" wrap="square" lIns="91440" tIns="91440" rIns="91440" '
        f'bIns="91440" anchor="t" anchorCtr="0"><a:noAutofit/></wps:bodyPr></wps:wsp></a:graphicData></a:graphic>'
        f"</wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict>"
        f'<v:shape id="Sidopanel" type="#_x0000_t202" style="position:absolute;margin-left:{x / 12700:.1f}pt;'
        f"margin-top:{y / 12700:.1f}pt;width:{width / 12700:.1f}pt;height:{height / 12700:.1f}pt;"
        f'z-index:251659264;mso-position-horizontal-relative:page;mso-position-vertical-relative:page" '
        f'fillcolor="#eaf1f8" stroked="f"><v:textbox><w:txbxContent>{body}</w:txbxContent></v:textbox>'
        f"</v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    )


def _page_number_field(paragraph: object) -> None:
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    for xml in (
        f'<w:r {w}><w:fldChar w:fldCharType="begin"/></w:r>',
        f'<w:r {w}><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>',
        f'<w:r {w}><w:fldChar w:fldCharType="separate"/></w:r>',
        f"<w:r {w}><w:t>1</w:t></w:r>",
        f'<w:r {w}><w:fldChar w:fldCharType="end"/></w:r>',
    ):
        paragraph._p.append(parse_xml(xml))  # type: ignore[attr-defined]


def make_docx(work: Path) -> list[Path]:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.shared import Cm, Pt

    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(2), Cm(8.2)
    section.top_margin, section.bottom_margin = Cm(2.2), Cm(2)
    document.core_properties.author = "Malin Ekvall"
    document.core_properties.created = datetime(2025, 1, 1, tzinfo=UTC)
    document.core_properties.modified = datetime(2025, 1, 1, tzinfo=UTC)

    header = section.header.paragraphs[0]
    header.text = "Malin Ekvall · 070-174 06 34 · malin.ekvall@example.com"
    header.runs[0].font.size = Pt(9)
    footer = section.footer.paragraphs[0]
    footer.text = "Sida "
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number_field(footer)
    document.sections[0].footer.add_paragraph("Referenser lämnas på begäran.")

    name = document.add_paragraph()
    name_run = name.add_run("Malin Ekvall")
    name_run.bold = True
    name_run.font.size = Pt(22)
    name._p.append(parse_xml(_text_box(SIDEBAR_SV)))  # the sidebar is anchored to the name
    title = document.add_paragraph()
    title.add_run("Projektledare inom bygg och anläggning").font.size = Pt(13)

    document.add_heading("Profil", level=2)
    document.add_paragraph(
        "Jag har lett byggprojekt från tidig projektering till slutbesiktning i tolv år. "
        "Jag håller ihop tidplan, ekonomi och arbetsmiljö och är van att samordna beställare, "
        "konsulter och underentreprenörer på stora arbetsplatser."
    )
    document.add_heading("Erfarenhet", level=2)
    table = document.add_table(rows=0, cols=3)
    table.style = "Table Grid"
    for row in (
        ("Period", "Roll", "Arbetsgivare"),
        ("2019 – nu", "Projektledare", "Brovik Bygg AB"),
        ("2013 – 2019", "Arbetsledare", "Tallsjö Entreprenad AB"),
    ):
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    document.add_paragraph()
    document.add_heading("Utbildning", level=2)
    for line in (
        "Byggingenjör, 180 hp, Exempelhögskolan i Borås, 2010 – 2013",
        "Kurs i entreprenadjuridik, Byggskolan Norr, 2018",
    ):
        document.add_paragraph(line, style="List Bullet")

    path = work / "word_sidebar_sv.docx"
    document.save(str(path))
    return [path]


def make_libreoffice_files(work: Path, docx_path: Path) -> list[Path]:
    """The DOCX exported to PDF by LibreOffice, and saved again as DOCX by LibreOffice (which writes
    text boxes, tables and fields its own way)."""
    soffice = need("soffice", "libreoffice-writer-nogui")
    profile = (work / "lo-profile").as_uri()
    resaved = work / "resaved"
    for target, outdir in (("pdf", work), ("docx:MS Word 2007 XML", resaved)):
        run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", target, "--outdir",
             str(outdir), str(docx_path)], work)
    (resaved / docx_path.name).rename(work / "word_sidebar_sv_libreoffice.docx")
    return [work / "word_sidebar_sv.pdf", work / "word_sidebar_sv_libreoffice.docx"]


# ------------------------------------------------------------------------ 3. Chromium

HTML_EN = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Mira Castellano-Berg</title>
<style>
@font-face { font-family: "FontAwesome"; src: url("__FONT_AWESOME__"); }
@page { size: A4; margin: 0; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "DejaVu Sans", sans-serif; color: #222;
       display: grid; grid-template-columns: 64mm 1fr; min-height: 297mm; }
aside { background: #203a5c; color: #fff; padding: 16mm 7mm; font-size: 8.5pt; line-height: 1.55; }
aside h2 { font-size: 10pt; letter-spacing: 0.5pt; margin: 8mm 0 2mm; text-transform: uppercase; }
aside p { margin: 0 0 1.5mm; }
main { padding: 16mm 12mm; font-size: 10pt; line-height: 1.4; }
h1 { font-size: 24pt; margin: 0; }
.title { font-size: 14pt; color: #3b6ea5; margin: 1mm 0 6mm; }
main h2 { font-size: 12pt; border-bottom: 1px solid #aaa; margin: 7mm 0 2mm; }
.job { display: flex; justify-content: space-between; font-weight: bold; margin-top: 3mm; }
.icon { font-family: "FontAwesome"; display: inline-block; width: 5mm; }
</style></head>
<body>
<aside>
  <h2>Contact</h2>
  <p><span class="icon">&#xf095;</span>070-174 06 56</p>
  <p><span class="icon">&#xf0e0;</span>mira.cb@example.com</p>
  <p><span class="icon">&#xf09b;</span>github.com/mira-exempel</p>
  <p><span class="icon">&#xf041;</span>Stockholm</p>
  <h2>Skills</h2>
  <p>Python and SQL</p><p>Apache Spark and Kafka</p><p>Airflow and dbt</p><p>Snowflake and BigQuery</p>
  <p>Data modelling</p>
  <h2>Languages</h2>
  <p>English (native)</p><p>Swedish (fluent)</p><p>Spanish (good)</p>
</aside>
<main>
  <h1>Mira Castellano-Berg</h1>
  <div class="title">Senior Data Engineer</div>
  <h2>Profile</h2>
  <p>I design data platforms that analysts trust and engineers enjoy working with. For eight years I have
  built streaming and batch pipelines, introduced data contracts between teams and cut the cost of the
  nightly warehouse load by half without losing a single report.</p>
  <h2>Experience</h2>
  <div class="job"><span>Senior Data Engineer, Fjordlight Analytics AB</span><span>2021 – present</span></div>
  <p>Lead a team of four that owns the company's event pipeline: two billion events a day from the
  mobile apps into the warehouse, with end-to-end tests and lineage for every table.</p>
  <div class="job"><span>Data Engineer, Vintergatan Retail</span><span>2017 – 2021</span></div>
  <p>Moved the reporting stack from nightly SQL scripts to Airflow and dbt, and taught the analysts to
  review each other's models.</p>
  <h2>Education</h2>
  <p>MSc in Computer Science, Example Institute of Technology, 2015 – 2017</p>
</main>
</body></html>
"""


def make_html_pdf(work: Path) -> list[Path]:
    chromium = need("chromium", "chromium fonts-font-awesome")
    if not FONT_AWESOME_TTF.is_file():
        raise SystemExit("apt-get install -y fonts-font-awesome")
    page = work / "html_sidebar_en.html"
    page.write_text(HTML_EN.replace("__FONT_AWESOME__", FONT_AWESOME_TTF.as_uri()), encoding="utf-8")
    out = work / "html_sidebar_en.pdf"
    run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
         "--allow-file-access-from-files", f"--print-to-pdf={out}", page.as_uri()],
        work,
    )
    return [out]


# ----------------------------------------------------------------- 4. positioned spans

SPANS_SIDEBAR = [
    ("KONTAKT", 9.5, True),
    ("070-174 06 78", 8.5, False),
    ("sara.nyberg@example.com", 8.5, False),
    ("Gävle", 8.5, False),
    ("", 8.5, False),
    ("KOMPETENSER", 9.5, True),
    ("Palliativ vård och demensvård", 8.5, False),
    ("Läkemedelsdelegering", 8.5, False),
    ("Dokumentation i Procapita", 8.5, False),
    ("Förflyttningsteknik", 8.5, False),
    ("", 8.5, False),
    ("SPRÅK", 9.5, True),
    ("Svenska och finska", 8.5, False),
]
SPANS_MAIN = [
    ("Sara Nyberg", 20, True),
    ("Undersköterska inom äldreomsorg", 12.5, False),
    ("", 10.5, False),
    ("OM MIG", 11, True),
    (
        "Jag har arbetat nio år i hemtjänst och på särskilt boende och vet hur mycket trygghet och "
        "kontinuitet betyder för de äldre. Jag är lugn i akuta situationer, noggrann med hygien och "
        "dokumentation och trivs med att handleda nya kollegor.",
        10.5,
        False,
    ),
    ("", 10.5, False),
    ("ERFARENHET", 11, True),
    ("Undersköterska, Björkhagens vård- och omsorgsboende, 2018 – nu", 10.5, True),
    (
        "Ansvarar för omvårdnaden av sex boende med demenssjukdom, tar fram genomförandeplaner och "
        "samverkar med sjuksköterska och arbetsterapeut.",
        10.5,
        False,
    ),
    ("Vårdbiträde, Hemtjänsten Gävle norra, 2015 – 2018", 10.5, True),
    ("Stöd i hemmet med personlig omvårdnad, måltider och sociala aktiviteter.", 10.5, False),
    ("", 10.5, False),
    ("UTBILDNING", 11, True),
    ("Vård- och omsorgsprogrammet, Exempelgymnasiet i Gävle, 2012 – 2015", 10.5, False),
]


def make_positioned_spans(work: Path) -> list[Path]:
    """Each word cut into pieces of one to four letters, each piece drawn at its own position, no
    space characters at all, and the pieces of both columns drawn in visual order (top to bottom
    across the page), the way many online CV builders write their PDFs."""
    from fpdf import FPDF

    if not (DEJAVU.is_file() and DEJAVU_BOLD.is_file()):
        raise SystemExit("apt-get install -y fonts-dejavu-core")
    pdf = FPDF(unit="pt", format="A4")
    pdf.set_creation_date(datetime(2025, 1, 1, tzinfo=UTC))
    pdf.add_font("Sans", fname=str(DEJAVU))
    pdf.add_font("Sans", style="B", fname=str(DEJAVU_BOLD))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    rng = random.Random(7)
    spans: list[tuple[float, float, str, float, bool]] = []

    def column(lines: list[tuple[str, float, bool]], x: float, width: float, top: float, pitch: float) -> None:
        y = top
        for text, size, bold in lines:
            pdf.set_font("Sans", "B" if bold else "", size)
            if not text:
                y += pitch * size / 10
                continue
            line: list[str] = []
            for word in text.split():
                if line and pdf.get_string_width(" ".join([*line, word])) > width:
                    emit(line, x, y, size, bold)
                    y += pitch * size / 10
                    line = []
                line.append(word)
            emit(line, x, y, size, bold)
            y += pitch * size / 10 * (1.6 if size >= 12 else 1)

    def emit(words: list[str], x: float, y: float, size: float, bold: bool) -> None:
        space = pdf.get_string_width(" ")
        for word in words:
            start = 0
            while start < len(word):
                end = min(len(word), start + rng.randint(1, 4))
                piece_x = x + pdf.get_string_width(word[:start])
                spans.append((y, piece_x, word[start:end], size, bold))
                start = end
            x += pdf.get_string_width(word) + space

    column(SPANS_SIDEBAR, 36, 140, 70, 13.0)
    column(SPANS_MAIN, 205, 350, 70, 15.5)
    for y, x, piece, size, bold in sorted(spans):  # visual order: rows across both columns
        pdf.set_font("Sans", "B" if bold else "", size)
        pdf.text(x, y, piece)
    out = work / "positioned_spans_sv.pdf"
    pdf.output(str(out))
    return [out]


# -------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    makers: dict[str, Callable[[Path], list[Path]]] = {
        "latex": make_latex,
        "docx": lambda work: make_docx(work) + make_libreoffice_files(work, work / "word_sidebar_sv.docx"),
        "html": make_html_pdf,
        "spans": make_positioned_spans,
    }
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", nargs="*", help=f"fixtures to make: {', '.join(makers)} (default: all)")
    args = parser.parse_args(argv)
    unknown = set(args.which) - set(makers)
    if unknown:
        parser.error(f"unknown fixture(s): {', '.join(sorted(unknown))}")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cv-fixtures-") as tmp:
        for name in args.which or list(makers):
            work = Path(tmp) / name
            work.mkdir()
            for made in makers[name](work):
                target = OUT / made.name
                shutil.copyfile(made, target)
                print(f"{target.relative_to(ROOT)}: {target.stat().st_size / 1024:.0f} kB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
