"""Text cleaning shared by every reader: one normal form, whatever program wrote the file."""

from __future__ import annotations

import re
import unicodedata

from jobsai.cv.language import detect_language

_CHAR_MAP = {
    # Unusual spaces and breaks.
    "\t": " ",
    "\u00a0": " ",
    "\u1680": " ",
    **{chr(c): " " for c in range(0x2000, 0x200B)},
    "\u202f": " ",
    "\u205f": " ",
    "\u3000": " ",
    "\u2028": "\n",
    "\u2029": "\n\n",
    "\x0b": "\n",
    "\x0c": "\n",
    "\x85": "\n",
    # Bullet glyphs from Symbol/Wingdings fonts land in the private use area.
    "\uf0b7": "•",
    "\uf0a7": "•",
    "\uf0d8": "•",
    "\uf076": "•",
    "\uf0fc": "•",
    "\uf0e8": "•",
    "\uf02d": "•",
    "\u2212": "-",  # minus sign
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen (XeTeX and LuaTeX write "070-174" with it)
}
PUA_BULLETS = frozenset(ch for ch, to in _CHAR_MAP.items() if to == "•")
"""Private-use characters that are bullets (Symbol/Wingdings), kept until :func:`clean_text` maps them."""
_CHAR_TABLE = str.maketrans(_CHAR_MAP)
# Compatibility characters a PDF text layer keeps from its fonts, written the ordinary way by NFKC:
# Latin ligatures (ﬁ ﬂ ﬀ ﬃ ﬄ ﬅ ﬆ, Ĳ, Ǆ/ǅ/ǆ, Ǉ/ǈ/ǉ, Ǌ/ǋ/ǌ, Ǳ/ǲ/ǳ), full-width ASCII and the
# mathematical alphanumerics that "fancy" CV builders use for bold or script names.
_COMPATIBILITY = re.compile("[\ufb00-\ufb06\u0132\u0133\u01c4-\u01cc\u01f1-\u01f3\uff01-\uff5e\U0001d400-\U0001d7ff]+")
# Control and format characters, private use, surrogates, soft hyphen, BOM/zero-width, and the
# noncharacters U+FFFE/U+FFFF (PDFium marks a hyphenated line break with U+FFFE: dropping it
# joins the word).
_JUNK = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\ufeff\ufff9-\ufffc\ufffe\uffff\ue000-\uf8ff\ud800-\udfff\U000f0000-\U0010ffff]"
)
_BULLET_LINE = re.compile(r"(?m)^[ ]*(?:[•◦▪▫●○■□►▶▸▹➢➣➤➔→✓✔✗❖◆◇⦿⁃‣∙]+[ ]*|(?:[-*·–—]|o)[ ]+)(?=\S)")
_SPACES = re.compile(r"[ ]{2,}")
_LINE_EDGE_SPACES = re.compile(r"(?m)^[ ]+|[ ]+$")
_MANY_NEWLINES = re.compile(r"\n{3,}")
_WORD = re.compile(r"\S*[^\W\d_]\S*")

PAGE_NUMBER_LINE = re.compile(
    r"(?i)^(?:[-–—(\[]\s*)?(?:(?:sida|page|sid|s\.|p\.)\s*)?\d{1,3}"
    r"(?:\s*(?:av|of|/|\|)\s*\d{1,3})?(?:\s*[-–—)\]])?$"
)
"""A line that is only a page number ("3", "Sida 2 av 4", "- 5 -", "Page 1 of 2")."""


def clean_text(text: str) -> str:
    """Normalise text so the same CV gives the same text from any file type.

    NFC, ligatures (NFKC) and odd spaces mapped, control/format/private-use characters
    dropped, bullet glyphs turned into ``"- "``, runs of spaces collapsed and at most one
    blank line kept between paragraphs (paragraph breaks carry structure for the matcher).
    """
    text = unicodedata.normalize("NFC", text)
    text = _COMPATIBILITY.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_CHAR_TABLE)
    text = _JUNK.sub("", text)
    text = _SPACES.sub(" ", text)
    text = _LINE_EDGE_SPACES.sub("", text)
    text = _BULLET_LINE.sub("- ", text)
    text = _MANY_NEWLINES.sub("\n\n", text)
    return text.strip()


def count_words(text: str) -> int:
    """Whitespace-separated tokens that contain a letter: what a person calls words."""
    return len(_WORD.findall(text))


# ----------------------------------------------------------------------- hyphenation

_SUSPENDED_HYPHEN_WORDS = frozenset(
    {"och", "eller", "samt", "respektive", "resp", "till", "som", "men", "and", "or", "nor", "to"}
)
_LINE_END_HYPHEN = re.compile(r"(?<=[^\W\d_])-[ ]*\n[ ]*(?=([^\W\d_]+))")
_HYPHENATED_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_SOFT_HYPHEN_BREAK = re.compile(r"\u00ad[ \t]*\n[ \t]*")


def dehyphenate(text: str, *, typeset: bool = False) -> str:
    r"""Join words split at a line end: "utveck-\nlare" -> "utvecklare".

    A hyphen at a line end is either a syllable break (LaTeX, InDesign) or a real hyphen
    that Word wrapped after ("cross-\nfunctional", "HR-\nchef", "e-\npost"). Words the
    document also spells elsewhere decide; otherwise Swedish, whose compounds are written
    closed, drops the hyphen and English keeps it — unless ``typeset`` says the file
    comes from a typesetter that hyphenates by itself (TeX), where a line-end hyphen is
    far more often a syllable break than a compound's own hyphen. "hem- och villa" style
    suspended hyphens (followed by och/eller/and/or ...) keep their space.
    """
    text = _SOFT_HYPHEN_BREAK.sub("", text)
    if "-" not in text:
        return text
    vocabulary = set(_HYPHENATED_WORD.findall(text.lower()))
    closed_by_default = typeset or detect_language(text) != "en"
    # "e-post", "HR-chef": short prefixes are kept. TeX breaks no earlier than after two letters
    # ("ex-perience", "ef-ficient"), so in typeset text a two-letter prefix is a syllable too.
    shortest_prefix = 2 if typeset else 3

    def join(match: re.Match[str]) -> str:
        start = match.start()
        fragment_start = start
        while fragment_start > 0 and match.string[fragment_start - 1].isalpha():
            fragment_start -= 1
        fragment = match.string[fragment_start:start]
        following = match.group(1)
        if following.lower() in _SUSPENDED_HYPHEN_WORDS:
            return "- "
        if not (fragment[-1].islower() and following[0].islower()) or len(fragment) < shortest_prefix:
            return "-"
        if (fragment + following).lower() in vocabulary:
            return ""
        if f"{fragment}-{following}".lower() in vocabulary:
            return "-"
        return "" if closed_by_default else "-"

    return _LINE_END_HYPHEN.sub(join, text)
