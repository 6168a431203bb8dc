"""Remove personal identifiers from CV text before it is stored, embedded or shown.

Matching needs skills and experience, not who the person is, so the person's name,
personnummer, e-mail addresses, phone numbers and street addresses are replaced by tags.

* Personnummer are matched by layout: the canonical ``YYMMDD-XXXX`` / ``YYYYMMDD-XXXX``
  (dash or plus, any dash a word processor produces) is always redacted, because real CVs
  carry personnummer whose check digit is wrong (typos, made-up test data). Other layouts
  (ten or twelve bare digits, ``/``, ``_`` or a space before the last four, a dashed date
  ``1985-03-12-1234``) are redacted when a label ("personnummer", "pnr", ...) precedes them
  or when the Luhn check digit is right, which keeps order numbers and timestamps.
* The name is read from the CV's header (the first line that looks like a name, or a
  "Namn:" field) and every occurrence of it, and of its parts, is removed from the text.
* All patterns are written to leave years, date ranges, percentages, amounts, versions and
  credit counts in job text alone, and to run in linear time.

Matching runs on a copy of the text in which every dash becomes "-", every space-like
character a space and full-width digits and "＠" their ASCII forms; the copy has the same
length, so the spans it finds are cut out of the original text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator

PERSONNUMMER_TAG = "[PERSONNUMMER]"
EMAIL_TAG = "[E-POST]"
PHONE_TAG = "[TELEFON]"
ADDRESS_TAG = "[ADRESS]"
NAME_TAG = "[NAMN]"

# --- normalised copy ----------------------------------------------------------------------
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_FOLD_MAP: dict[str, str] = {
    **dict.fromkeys(_DASHES, "-"),
    **dict.fromkeys(_SPACES, " "),
    **{chr(0xFF10 + i): str(i) for i in range(10)},  # full-width digits
    "\uff20": "@",
    "\ufe6b": "@",
    "\uff0e": ".",
    "\uff0b": "+",
    "\uff08": "(",
    "\uff09": ")",
    "\uff0f": "/",
}
_NEEDS_FOLD = re.compile("[" + "".join(re.escape(ch) for ch in _FOLD_MAP) + "]")


def _fold(text: str) -> str:
    """Same length as ``text``: one character in, one character out."""
    return _NEEDS_FOLD.sub(lambda m: _FOLD_MAP[m.group()], text)


# A stage looks at the folded text and says which spans to replace by its tag: a decision
# function returns None (leave the match alone) or the span to replace, which may be shorter
# than the match (a phone number that swallowed a following year, a label before a number).
#
# Speed: Python's re tries a pattern that begins with a lookbehind at every position of the
# text, but skips ahead in C to the first character that can start a pattern beginning with a
# literal or a character class. So each stage has a cheap ``hint`` of that kind, something
# every match's line must contain, and the full pattern only searches the lines with a hint
# (no pattern crosses a line break); or ``starts``, a one-character pattern of that kind that
# marks where a match can begin, and the full pattern is tried there only.
_Decide = Callable[[re.Match[str]], tuple[int, int] | None]


def _whole(m: re.Match[str]) -> tuple[int, int] | None:
    return m.span()


def _only(group: str) -> _Decide:
    """Replace one group of the match: the number after a label, not the label."""

    def decide(m: re.Match[str]) -> tuple[int, int] | None:
        return m.span(group)

    return decide


def _windows(folded: str, hint: re.Pattern[str] | None) -> Iterator[tuple[int, int]]:
    if hint is None:
        yield 0, len(folded)
        return
    pos = 0
    while (h := hint.search(folded, pos)) is not None:
        start = folded.rfind("\n", 0, h.start()) + 1
        end = folded.find("\n", h.start())
        if end < 0:
            yield max(start, pos), len(folded)
            return
        yield max(start, pos), end
        pos = end + 1


def _stage(
    text: str,
    folded: str,
    pattern: re.Pattern[str],
    tag: str,
    decide: _Decide = _whole,
    hint: re.Pattern[str] | None = None,
    starts: re.Pattern[str] | None = None,
) -> tuple[str, str]:
    """Replace what ``pattern`` finds (and ``decide`` accepts) by ``tag``, in both texts.

    ``hint``: search only the lines where this cheap pattern matches. ``starts``: a cheap pattern
    that matches where every match of ``pattern`` begins; ``pattern`` is tried there only.
    """
    spans: list[tuple[int, int]] = []
    if starts is not None:
        pos = 0
        for c in starts.finditer(folded):
            if c.start() < pos or (m := pattern.match(folded, c.start())) is None:
                continue
            span = decide(m)
            if span is not None and span[1] > span[0]:
                spans.append(span)
                pos = span[1]
    for start, end in _windows(folded, hint) if starts is None else ():
        pos = start
        while (m := pattern.search(folded, pos, end)) is not None:
            span = decide(m)
            if span is None or span[1] <= span[0]:
                pos = max(m.end(), m.start() + 1)
                continue
            spans.append(span)
            pos = span[1]
    if not spans:
        return text, folded
    out_text: list[str] = []
    out_folded: list[str] = []
    last = 0
    for start, end in spans:
        out_text += (text[last:start], tag)
        out_folded += (folded[last:start], tag)
        last = end
    out_text.append(text[last:])
    out_folded.append(folded[last:])
    return "".join(out_text), "".join(out_folded)


# --- e-mail ---------------------------------------------------------------------------------
_LOCAL = r"(?<![\w.+'-])[\w.%+'-]+"
_AT = r"(?:[ \t]*(?:@|[\[({<][ \t]*(?:at|a|@|snabel-?a)[ \t]*[\])}>])[ \t]*)"
_DOT = r"(?:\.|[ \t]+\.[ \t]+|[ \t]*[\[({<][ \t]*(?:dot|punkt|\.)[ \t]*[\])}>][ \t]*|[ \t]+(?:dot|punkt)[ \t]+)"
_EMAIL = re.compile(
    rf"{_LOCAL}{_AT}[\w-]+(?:{_DOT}[\w-]+)*{_DOT}[^\W\d_]{{2,}}(?![\w-])",
    re.IGNORECASE,
)
# "anna at example dot se": a plain "at" only counts when a plain "dot" ends the address,
# so that "developer at Booking.com" stays; "anna.svensson at example.com" (a dot or an
# underscore in the local part) counts too.
_EMAIL_WORDS = re.compile(
    r"(?<![\w.+-])(?:"
    r"[\w.%+-]+[ \t]+at[ \t]+[\w-]+(?:(?:\.|[ \t]+(?:dot|punkt)[ \t]+)[\w-]+)*[ \t]+(?:dot|punkt)[ \t]+"
    r"|[\w%+-]*[._][\w.%+-]*[ \t]+at[ \t]+[\w-]+(?:\.[\w-]+)*\."
    r")[^\W\d_]{2,}(?![\w-])",
    re.IGNORECASE,
)

_EMAIL_LABELLED = re.compile(
    r"(?i)(?<![\w-])(?:e-?post|e-?mail|mail|mejl)(?![\w-])\.?[ \t]*:?[ \t]*"
    r"(?P<addr>[\w.%+'-]+[ \t]+at[ \t]+[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,})(?![\w-])"
)
"""'E-post: anna at example.com': after an e-mail label a plain "at" is enough."""
_EMAIL_HINT = re.compile(r"[@\[({<](?:(?<=@)|[ \t]*(?i:at|a|@|snabel-?a)[ \t]*[\])}>])")
_EMAIL_WORDS_HINT = re.compile(r"[ \t](?i:at)[ \t]")

# --- personnummer / samordningsnummer -------------------------------------------------------
# YYMMDD or YYYYMMDD (spaces between the pairs allowed, or a dashed date), then "-", "+",
# "/", "_", ".", a space or nothing, then four digits. Samordningsnummer add 60 to the day
# (61-91). The month/day check is what keeps amounts and org numbers out.
_DAY = r"(?:0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01])"
_MONTH = r"(?:0[1-9]|1[0-2])"
_PERSONNUMMER = re.compile(
    rf"""
    (?<![\w+\-])(?<!\d[.,/: ])   # not inside a longer number, nor one group of a spaced run
    (?:
        (?P<dashed>(?:19|20)?\d{{2}}-{_MONTH}-{_DAY})(?P<dsep>[-+ ])
      | (?P<century>(?:18|19|20)(?=\d{{2}}[ ]?{_MONTH}))?\d{{2}}(?P<s1>[ ]?){_MONTH}(?P=s1){_DAY}
        (?P<sep>[ ]?[-+][ ]?|[/_ .]|)
    )
    (?P<serial>\d{{4}}|\d{{2}}[ ]\d{{2}})
    (?![\w\-+]|[.,:/]\d)
    """,
    re.VERBOSE,
)
_PERSONNUMMER_HINT = re.compile(r"\d(?<![\w+\-]\d)(?<!\d \d)\d(?:\d{4}|(?:\d\d)?(?: \d\d \d\d|-\d\d-\d\d))")
_PNR_LABEL = re.compile(
    r"(?i)(?:person|samordnings|födelse|identitets)[ -]?(?:nummer|numret|nr)|pers\.?[ ]?nr|\bp-?nr|\bpnr"
    r"|\bid-?(?:nr|nummer)\b|personal (?:identity |id |identification )?(?:number|no\b)|personal id\b"
    r"|social security|national id"
)
_YEAR = re.compile(r"(?:19|20)\d\d")


def _luhn_ok(digits: str) -> bool:
    """The personnummer check digit: Luhn over YYMMDDNNN, the tenth digit the check."""
    total = 0
    for i, ch in enumerate(digits[:9]):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10 == int(digits[9])


def _decide_personnummer(m: re.Match[str]) -> tuple[int, int] | None:
    digits = "".join(filter(str.isdigit, m.group(0)))
    ten = digits[-10:]
    folded = m.string
    before = folded[max(0, folded.rfind("\n", 0, m.start()) + 1, m.start() - 40) : m.start()]
    labelled = _PNR_LABEL.search(before) is not None
    if labelled:
        return m.span()
    if m.group("dashed"):
        # 1985-03-12-1234; "2019-05-01-2020" is a date and a year, "2019-05-01 1430" a date and a time.
        if m.group("dsep") == " " or _YEAR.fullmatch(m.group("serial")):
            return m.span() if _luhn_ok(ten) else None
        return m.span()
    sep = m.group("sep")
    if "-" in sep or "+" in sep:  # the canonical layout: YYMMDD-XXXX, YYYYMMDD-XXXX, YYMMDD+XXXX
        return m.span()
    if not m.group("century") and digits.startswith("0"):
        return None  # 0701234567, 07 01 23 45 67: a phone number unless a label says otherwise
    return m.span() if _luhn_ok(ten) else None


# --- phone numbers --------------------------------------------------------------------------
# A run of digit groups that starts with a country code (+46, 0046, (+46)) or a national
# trunk "0", never crossing a line break. The digit count is validated afterwards and
# trailing groups are given back when the run swallowed a following number.
_SEP = r"(?:[ \t]?[-.][ \t]?|/|[ \t])"
_PHONE = re.compile(
    rf"""
    (?<![\w+])(?<!\d[-./])
    (?P<prefix>
        (?P<cc>\(?(?:\+|00)(?P<code>[1-9]\d{{0,2}})\)?){_SEP}?   # +46 / 0046 / (+46)
        (?:\(0\){_SEP}?)?                                      # (0)
        (?P<area>\(\d{{1,4}}\){_SEP}?)?                         # (555), (30)
      | \(0\)[ \t]?                                            # (0)8 ...
      | \(0[1-9]\d{{0,3}}\)[ \t]?                              # (08) ...
      | (?=0[1-9])                                             # 070..., 08...
    )
    (?P<body>\d{{1,10}}(?:{_SEP}\d{{1,8}}){{0,6}})
    (?![\w])
    """,
    re.VERBOSE,
)
_PHONE_START = re.compile(r"[+0(](?<![\w+][+0(])(?<!\d[-./][+0(])(?:(?<=[+0])(?=[\d(])|(?<=\()(?=[+0]|\d{1,4}\)))")
"""Where a phone number can begin: "+4", "07", "00", "(+", "(0", "(08)", "(555)". One character
long, so that the next candidate can be the very next character ("(070-..." is tried at "0" too)."""
_PHONE_46_COMPACT = re.compile(r"4(?<![\w+]4)(?<!\d[-./]4)67[02369]\d{7}(?!\w)")
"""46701234567: a Swedish mobile number with the country code and no plus."""
_PHONE_LABELLED = re.compile(
    r"(?i)(?<![\w])(?:tel(?:efon(?:nummer|nr)?|nr)?|tfn|mob(?:il(?:nummer|nr|telefon)?|ile)?|phone|"
    r"cell(?:phone)?|whats[ ]?app|sms|fax)(?![\w])\.?[ \t]*(?:\([^\n()\d]{1,20}\)[ \t]*)?[:.]?[ \t]*"
    r"(?P<num>\+?\(?\d[\d \t\-./()]{4,24}?\d)(?![\w])(?![ \t]?[-./]?\d)"
)
"""A number after "Tel:", "Mobil", "Phone" ...: numbers without a trunk 0 (12 34 56, 46 70 ...)."""
_PHONE_LABEL_HINT = re.compile(
    r"[tTmMpPcCwWsSfF](?<![\w][tTmMpPcCwWsSfF])(?i:(?<=t)(?:el|fn)|(?<=m)ob|(?<=p)hone|(?<=c)ell|(?<=w)hats|(?<=s)ms|(?<=f)ax)"
)
_US_PHONE = re.compile(
    r"(?<![\w+])(?:\+1[ \t.-]?)?\(\d{3}\)[ \t]?\d{3}[-. ]\d{4}(?!\d)|(?<![\w+\-.])\d{3}[-.]\d{3}[-.]\d{4}(?![\w\-])"
)
_US_PHONE_HINT = re.compile(r"[(\d](?:(?<=\()\d{3}\)|(?<=\d)\d\d[-.]\d{3}[-.]\d)")
_DATE_LIKE = (
    re.compile(r"^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$"),  # 01.02.2023
    re.compile(r"(?<!\d)(?:0?[1-9]|1[0-2])[./-](?:19|20)\d{2}(?!\d)"),  # 06.2018, 06-2018, 06/2018
    re.compile(r"(?<!\d)\d{1,2}[.:]\d{2}[ \t]?-[ \t]?\d{1,2}[.:]\d{2}(?!\d)"),  # 08.00-17.00
    re.compile(r"^(?:19|20)\d\d[ \t]?[-/][ \t]?(?:(?:19|20)?\d\d|\d\d[-/.]\d\d)$"),  # 2019-2021, 2019-05
    re.compile(r"^(?:[01]\d|2[0-3])[0-5]\d[ \t]?-[ \t]?(?:[01]\d|2[0-4])[0-5]\d$"),  # 0700-1600
)
_NATIONAL_DIGITS = range(8, 12)
"""Swedish numbers with the trunk 0: 08-12 34 56 (8) up to 0701-23 45 67 (10), +1 slack."""
_SUBSCRIBER_DIGITS = range(6, 14)
"""Digits after a country code: 8 12 34 56 (7) for Sweden, up to 13 for other plans."""
_SWEDISH_SUBSCRIBER_DIGITS = range(7, 11)
"""After +46: 8 12 34 56 (7) up to 70 123 45 67 (9); 10 when the trunk 0 is written too."""
_LABELLED_DIGITS = range(6, 16)
_DIGIT_GROUPS = re.compile(r"\d+")


def _decide_phone(m: re.Match[str]) -> tuple[int, int] | None:
    body = m.group("body")
    international = m.group("cc") is not None
    if international:
        allowed = _SWEDISH_SUBSCRIBER_DIGITS if m.group("code") == "46" else _SUBSCRIBER_DIGITS
        extra = sum(ch.isdigit() for ch in m.group("area") or "")
    else:
        allowed = _NATIONAL_DIGITS
        # A national prefix such as "(08) " or "(0)" holds digits of the number itself.
        extra = sum(ch.isdigit() for ch in m.group("prefix"))
    # Give back trailing groups that belong to the next number (a year after the phone, say).
    digits = extra
    best_end = -1
    for g in _DIGIT_GROUPS.finditer(body):
        digits += len(g.group(0))
        if digits in allowed:
            best_end = g.end()
        elif digits >= allowed.stop:
            break
    if best_end < 0:
        return None
    number = m.group("prefix") + body[:best_end]
    if not international and any(p.search(number) for p in _DATE_LIKE):
        return None
    return m.start(), m.start("body") + best_end


def _decide_labelled_phone(m: re.Match[str]) -> tuple[int, int] | None:
    """Only the number after the label is replaced."""
    number = m.group("num")
    if sum(ch.isdigit() for ch in number) not in _LABELLED_DIGITS:
        return None
    if any(p.search(number.strip()) for p in _DATE_LIKE):
        return None
    return m.span("num")


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# --- addresses ------------------------------------------------------------------------------
_STREET_SUFFIXES = (
    "gatan|gata|vägen|väg|gränden|gränd|stigen|stig|backen|backe|torget|torg|allén|allé|"
    "platsen|planen|plan|leden|gången|slingan|stråket|kajen|esplanaden|promenaden|parken|udden|"
    "berget|höjden|liden|ängen|gläntan|hagen|bryggan|kroken|bågen|svängen|tået|"
    "terrassen|branten|gärdet|lyckan|viken|holmen|stranden|strand|straße|strasse|straat|veien|vej|gade"
)
_LOWERCASE_STREET_SUFFIXES = _wordset(
    "gatan gata vägen väg gränden gränd stigen stig backen backe torget torg allén allé platsen"
)
"""Suffixes that make a street of a lower-case compound too ("storgatan 12"), never a bare word."""
_BARE_STREET_WORDS = _wordset(
    "gatan gata vägen väg gränden gränd torget torg allén allé backen stigen platsen straße strasse"
)
"""Suffixes that are a street on their own when capitalised ("Vägen 3 B"); "Plan 2" is a floor."""
_STREET_PREFIX = (
    r"(?:Stora|Lilla|Gamla|Nya|Norra|Södra|Östra|Västra|Övre|Nedre|Norr|Söder|Öster|Väster|Sankt|S:t|Drottning|Kung|Prins)"
)
_HOUSE_NUMBER = r"\d{1,3}(?![\d,.]\d|\d)(?:[ \t]?[A-Ha-h](?![\wåäö]))?(?:-\d{1,3}(?!\d))?"
_SV_STREET = re.compile(
    rf"""
    (?<![\w-])
    (?P<lead>{_STREET_PREFIX}[ \t]|(?:[A-ZÅÄÖÉ]\w+[ \t])?[A-ZÅÄÖÉ][\w:]*s[ \t])?  # Stora, Olof Palmes
    (?P<stem>[\w-]*?)(?P<suffix>(?i:{_STREET_SUFFIXES}))  # Storgatan, Vägen, Skogsgläntan
    [ \t]{_HOUSE_NUMBER}
    (?:,?[ \t](?:\d{{1,2}}[ \t]?tr\b|lgh[ \t]?\d{{3,4}}\b|nb\b|bv\b|uppg\.?[ \t]?[A-Z]\b))*  # 2 tr, lgh 1102
    """,
    re.VERBOSE,
)


def _street_hint() -> re.Pattern[str]:
    """A house number after a street suffix: one fixed-width lookbehind per suffix length."""
    by_length: dict[int, list[str]] = {}
    for suffix in _STREET_SUFFIXES.split("|"):
        by_length.setdefault(len(suffix), []).append(suffix)
    behind = "|".join(f"(?<=(?i:{'|'.join(group)})[ \\t]\\d)" for group in by_length.values())
    return re.compile(rf"\d(?<=[ \t]\d)(?:{behind})")


_SV_STREET_HINT = _street_hint()


def _decide_sv_street(m: re.Match[str]) -> tuple[int, int] | None:
    """Streets are capitalised ("Storgatan 12"), or a lower-case compound ("storgatan 12");
    "avdelning 4" and "i vägen 3 gånger" are not streets."""
    stem, suffix = m.group("stem"), m.group("suffix")
    if m.group(0)[0].isupper():
        if stem or m.group("lead") or suffix.lower() in _BARE_STREET_WORDS:
            return m.span()
        return None
    if len(stem) >= 3 and stem.isalpha() and suffix.lower() in _LOWERCASE_STREET_SUFFIXES:
        return m.span()
    return None


_CARE_OF = re.compile(
    r"(?<![\w/])(?i:c/o|c\.o\.|c:o)[ \t]+[A-ZÅÄÖÉ][\w'-]*(?:[ \t]+(?:[A-ZÅÄÖÉ][\w'-]*|van|von|de|af|av))*"
)
_BOX = re.compile(r"(?<![\w.])(?:(?:P\.?[ ]?O\.?[ ]?)?Box|Postbox|Postfack)[ \t]\d{1,5}(?!\d)")
_CARE_OF_HINT = re.compile(r"[cC](?<![\w/][cC])[/.:][oO]")
_BOX_HINT = re.compile(r"[BP](?<![\w.][BP])(?:(?<=B)ox|(?<=P)(?:ost(?:box|fack)|\.?[ ]?O))")
_TOWN = r"(?:[A-ZÅÄÖØÆÉÜ][a-zåäöøæéüß]+(?:-[A-ZÅÄÖØÆ]?[a-zåäöøæéüß]+)?|[A-ZÅÄÖØÆÉÜ]{2,}(?:-[A-ZÅÄÖØÆÉÜ]{2,})?)"
_POSTCODE = re.compile(
    # The first character, then the rest (see _stage on speed); not a standard: ISO 14001, SS-EN 1090.
    rf"[S1-9](?<![\w+\-][S1-9])(?<!ISO [S1-9])(?<!IEC [S1-9])(?<!EN [S1-9])(?<!SS [S1-9])"
    rf"(?:(?<=S)E?-?[ \t]?\d{{3}}[ \t]?\d{{2}}(?!\d)(?:[ \t]+{_TOWN})?"  # SE-123 45 (Ort), S-411 05
    rf"|(?<=\d)\d{{2}}[ \t]?\d{{2}}(?!\d)[ \t]+{_TOWN}(?:[ \t]{_TOWN})?)"  # 123 45 Ort
)
_POSTCODE_HINT = re.compile(r"[S1-9](?<![\w+\-][S1-9])(?:(?<=S)E?-?[ \t]?\d{3}|(?<=\d)\d\d[ \t]?\d\d(?!\d)[ \t]+\w)")
_POSTCODE_LABELLED_HINT = re.compile(r"[pPzZ](?<!\w[pPzZ])(?i:(?<=p)ost|(?<=z)ip)")
_POSTCODE_LABELLED = re.compile(
    r"(?i)(?<![\w])(?:post(?:nummer|nr|kod|code)|post[ ]code|zip(?:[ ]code)?)\.?[ \t]*:?[ \t]*"
    r"(?P<code>(?:SE-?[ \t]?)?\d{3}[ \t]?\d{2})(?!\d)"
)
_POSTCODE_AFTER_ADDRESS = re.compile(rf"{re.escape(ADDRESS_TAG)},?[ \t]+(?P<code>\d{{4}}[ \t]+{_TOWN})(?![\w])")
"""'[ADRESS], 0155 Oslo': a four-digit code and a town right after a street are a postcode too."""
_EN_STREET = re.compile(
    r"\d(?<![\w.,]\d)\d{0,3}[A-Za-z]?,?[ \t]+(?:[A-Z][a-z'’]+[ \t]+){1,3}"
    r"(?:Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Ln\.?|Drive|Dr\.?|Close|Court|Ct\.?|Place|Pl\.?|Square|Sq\.?|"
    r"Terrace|Way|Boulevard|Blvd\.?|Crescent|Gardens|Grove|Row|Mews|Parade|Hill|Walk|Rise|Quay|Wharf|Circle|"
    r"Highway|Hwy\.?|Parkway|Pkwy\.?)(?![\w])"
)


_EN_STREET_HINT = re.compile(
    r"[A-Z](?<=[ \t][A-Z])(?:(?<=S)(?:treet|t\b|quare|q\b)|(?<=R)(?:oad|d\b|ow|ise)|(?<=A)ve|(?<=L)(?:ane|n\b)|"
    r"(?<=D)r|(?<=C)(?:lose|ourt|t\b|rescent|ircle)|(?<=P)(?:lace|l\b|arade|arkway|kwy)|(?<=T)errace|(?<=W)(?:ay|alk|harf)|"
    r"(?<=B)(?:oulevard|lvd)|(?<=G)(?:ardens|rove)|(?<=M)ews|(?<=H)(?:ill|ighway|wy)|(?<=Q)uay)"
)


# --- names ----------------------------------------------------------------------------------
_PARTICLES = _wordset(
    "van von de der den del della di da du la le af av bin ibn al el ten ter zu dos das do des y e"
)
_HONORIFICS = _wordset("dr dr. mr mr. mrs mrs. ms ms. miss prof prof. professor")
_NOT_NAMES = _wordset(
    """
    cv curriculum vitae resume résumé meritförteckning personligt brev personuppgifter kontaktuppgifter kontakt
    contact details profil profile om mig about me sammanfattning summary erfarenhet arbetslivserfarenhet
    experience work utbildning education kompetenser kompetens skills färdigheter språk languages referenser
    references certifikat certifieringar certifications körkort övrigt intressen interests publikationer
    publications projekt projects uppdrag anställningar employment qualifications personal information uppgifter
    key professional career objective mål tekniska kunskaper technical datorvana it och and of the for för i på
    med in at to som till kort bakgrund background
    senior junior lead head chief legitimerad leg certifierad auktoriserad erfaren software data product project
    digital sales marketing business customer service full stack frontend backend web registered licensed
    certified account executive operations financial senior ux ui hr qa ai ml devops cloud it-tekniker
    sweden sverige norway norge denmark danmark finland suomi germany tyskland england uk usa
    stockholm göteborg gothenburg malmö uppsala linköping örebro västerås helsingborg norrköping jönköping umeå
    luleå
    lean six sigma belt scrum agile master certified certificate fundamentals foundation practitioner azure aws
    ab hb kb inc ltd llc gmbh oy asa
    msc bsc phd mba jr sr ii iii iv fil civing civ ing dipl
    """
)
_NOT_NAME_SUFFIXES = (
    "ledare", "arbetare", "sköterska", "skötare", "tekniker", "ingenjör", "chef", "konsult", "assistent",
    "handläggare", "säljare", "utvecklare", "lärare", "terapeut", "biträde", "förare", "montör", "ekonom",
    "manager", "developer", "engineer", "consultant", "designer", "analyst", "architect", "specialist",
    "coordinator", "administrator", "assistant", "technician", "officer", "director", "scientist",
    "erfarenhet", "kunskaper", "utbildning", "uppgifter", "läkare", "sjuksköterska", "analytiker",
)
_COMMON_WORDS = _wordset(
    """
    per bo hans hen hon liv saga lo max ask al ek bok vik kvist hjort örn svan fors hage mark berg borg hed vall
    udd lind holm dahl dal ström strand sjö björk lund falk nord sten sol gran ros dag tor ring rönn alm lönn
    will bill rose may june april august summer hope grace joy guy rich cash young long white black green brown
    gray grey king hall wood stone baker cook miller taylor mason carter porter fisher hunter hill lane field
    ford bush bell ward west north south east love price hart fox wolf lamb frost snow day case chase page post
    iris signe viking björn varg rut jan maj else gun mats stig grant frank dean major drew ray jack pat sue rob
    eve dawn robin sandy carol ruby amber jade pearl holly ivy lily penny star sky earl duke gene
    """
)
"""Name parts that are also ordinary words: removed only where they are written capitalised."""
_NAME_FIELD = re.compile(  # searched in "\n" + text: a literal first character is fast (see _stage)
    r"(?im)\n[ \t]*(?:(?:fullständigt |för- och efter|full |your )?(?:namn|name)"
    r"|(?P<single>förnamn|efternamn|tilltalsnamn|first name|given name|last name|surname|family name))"
    r"[ \t]*[:：][ \t]*(?P<value>[^\n]+?)[ \t]*$"
)
_NAME_IN_PROSE = re.compile(
    r"[jJmMiI](?<![\w][jJmMiI])(?i:(?<=j)ag heter|(?<=m)(?:itt namn är|y name is)|(?<=i)(?: am|'m) called)[ \t]+"
    r"(?P<name>[A-ZÅÄÖÉ][\w'’-]+(?:[ \t]+(?:(?:van|von|de|der|den|af|av|al|el|bin|ibn)[ \t]+)*[A-ZÅÄÖÉ][\w'’-]+){1,4})"
)
_NAME_SPLIT = re.compile(r'[ \t]*(?:[|·•,/(<\[\t:;"]|[ \t]-[ \t]|[ \t]{3,})')
_PROSE_CHARS = 3000
"""'Jag heter Anna Svensson' counts in the first lines of a CV or a cover letter."""
_HEADER_LINES = 6
_PROSE_WORDS = 12


def _is_name_word(token: str, *, all_caps_line: bool) -> bool:
    bare = token.replace("-", "").replace("'", "").replace("’", "")
    if len(bare) < 2 or not bare.isalpha() or not token[0].isupper():
        return False
    if not all_caps_line and len(bare) <= 3 and bare.isupper():
        return False  # SEK, IT, HR: an acronym in a mixed-case line
    return not _is_title_word(token)


def _is_title_word(token: str) -> bool:
    low = token.lower().rstrip(".")
    if low in _NOT_NAMES or any(part in _NOT_NAMES for part in low.split("-")):
        return True
    return low.endswith(_NOT_NAME_SUFFIXES)


def _parse_name(candidate: str, *, min_words: int = 2) -> list[str] | None:
    """The name's tokens (particles kept), or None when ``candidate`` does not look like a name."""
    tokens = candidate.split()
    while tokens and tokens[0].lower() in _HONORIFICS:
        tokens = tokens[1:]
    letters = [ch for ch in candidate if ch.isalpha()]
    all_caps_line = bool(letters) and all(ch.isupper() for ch in letters)
    name: list[str] = []
    words = 0
    for token in tokens:
        if name and (token.lower() in _PARTICLES or re.fullmatch(r"[A-ZÅÄÖ]\.", token)):
            name.append(token)  # "de Wolff", a middle initial: "Anna K. Svensson"
        elif _is_name_word(token, all_caps_line=all_caps_line):
            name.append(token)
            words += 1
        elif words >= max(2, min_words) and (_is_title_word(token) or (token.isupper() and len(token) <= 3)):
            break  # "Anna Svensson Projektledare", "Anna Svensson RN": the name ends where the title begins
        else:
            return None
    while name and (name[-1].lower() in _PARTICLES or name[-1].endswith(".")):
        name.pop()
    if not min_words <= words <= 5:
        return None
    return name


def find_names(text: str) -> list[list[str]]:
    """The person's name from the header, and the values of "Namn:" / "Name:" fields, as token lists."""
    names: list[list[str]] = []
    for m in _NAME_FIELD.finditer("\n" + text):
        value = _NAME_SPLIT.split(m.group("value"), maxsplit=1)[0]
        parsed = _parse_name(value, min_words=1 if m.group("single") else 2)
        if parsed:
            names.append(parsed)
        if len(names) >= 5:
            break
    for m in _NAME_IN_PROSE.finditer(text, 0, _PROSE_CHARS):
        parsed = _parse_name(m.group("name"))
        if parsed:
            names.append(parsed)
            break
    seen = 0
    for line in text.splitlines():
        stripped = line.strip(" \t-•*·>#")
        if not stripped:
            continue
        if NAME_TAG in stripped:
            break  # already redacted
        seen += 1
        if seen > _HEADER_LINES:
            break
        parsed = _name_in_header_line(stripped)
        if parsed:
            names.append(parsed)
            break
        if len(stripped.split()) >= _PROSE_WORDS:
            break  # the profile text has begun
    return names


def _name_in_header_line(line: str) -> list[str] | None:
    """"Anna Svensson | Projektledare", "CV – Anna Svensson": heading parts are skipped, then the
    first part is the name or the line has none."""
    for part in _NAME_SPLIT.split(line):
        if part.strip() and not all(_is_title_word(w) for w in part.split()):
            return _parse_name(part)
    return None


def _in_prose(word: str, text: str) -> bool:
    """``word`` written in lower case between spaces or punctuation, as in "40 timmar per vecka";
    not in a link or a handle ("linkedin.com/in/anna-svensson")."""
    for m in re.finditer(rf"{re.escape(word)}(?=[ \t\n,.;:!?)]|$)", text):  # a literal first: fast
        if m.start() == 0 or text[m.start() - 1] in " \t\n(":
            return True
    return False


def _ascii(word: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))


def _name_pattern(names: list[list[str]], text: str) -> re.Pattern[str] | None:
    """One pattern for every form of the names: the full name, the surname with its particles,
    each part (and each half of a double name), with and without diacritics, possessive -s.

    A part that is also an ordinary word ("Per", "Berg", or any part ``text`` uses in lower
    case in running prose, "per vecka") is removed only where it is written capitalised."""
    ignore_case: set[str] = set()
    capitalised: set[str] = set()
    for tokens in names:
        words = [t for t in tokens if t.lower() not in _PARTICLES and not t.endswith(".")]
        forms = {" ".join(tokens), " ".join(words)}
        for i, t in enumerate(tokens):  # "de Wolff": a surname with its particles
            if t.lower() in _PARTICLES and i + 1 < len(tokens):
                forms.add(" ".join(tokens[i:]))
                break
        for form in list(forms):
            if " " in form:
                ignore_case.update({form, _ascii(form)})
        for word in words:
            for part in {word, *word.split("-")}:
                for variant in {part, _ascii(part)}:
                    if len(variant) < 2:
                        continue
                    if len(variant) <= 2 or variant.lower() in _COMMON_WORDS or _in_prose(variant.lower(), text):
                        capitalised.update({variant[0].upper() + variant[1:].lower(), variant.upper()})
                    else:
                        ignore_case.add(variant)
    # The pattern begins with a class of every form's first letter (see _stage on speed); each
    # alternative checks its first letter with a lookbehind and matches the rest.
    first: set[str] = set()
    alternatives: list[str] = []
    for form in sorted(ignore_case, key=len, reverse=True):
        head = form[0]
        first.update({head, head.lower(), head.upper()})
        rest = r"\s+".join(re.escape(w) for w in form[1:].split(" "))
        alternatives.append(f"(?<=(?i:{re.escape(head)})){'(?i:' + rest + ')' if rest else ''}")
    for form in sorted(capitalised, key=len, reverse=True):
        first.add(form[0])
        alternatives.append(f"(?<={re.escape(form[0])}){re.escape(form[1:])}")
    if not alternatives:
        return None
    head_class = "[" + "".join(re.escape(ch) for ch in sorted(first)) + "]"
    return re.compile(
        rf"{head_class}(?<!\w{head_class})(?:{'|'.join(alternatives)})(?:(?i:s)|['’](?i:s)?|:(?i:s))?(?![\w])"
    )


# --- the pipeline ---------------------------------------------------------------------------
def redact(text: str) -> str:
    """Replace the person's name, personnummer, e-mail, phone numbers and street addresses with tags.

    Order matters: e-mail first (addresses contain digits, dots and names), then personnummer
    (twelve digits would otherwise read as a phone number), then phones, then addresses, and
    the name last, read from the header once the contact details are tags.
    """
    folded = _fold(text)
    text, folded = _stage(text, folded, _EMAIL, EMAIL_TAG, hint=_EMAIL_HINT)
    text, folded = _stage(text, folded, _EMAIL_WORDS, EMAIL_TAG, hint=_EMAIL_WORDS_HINT)
    text, folded = _stage(text, folded, _EMAIL_LABELLED, EMAIL_TAG, _only("addr"), hint=_EMAIL_WORDS_HINT)
    text, folded = _stage(
        text, folded, _PERSONNUMMER, PERSONNUMMER_TAG, _decide_personnummer, hint=_PERSONNUMMER_HINT
    )
    text, folded = _stage(text, folded, _PHONE, PHONE_TAG, _decide_phone, starts=_PHONE_START)
    text, folded = _stage(text, folded, _PHONE_46_COMPACT, PHONE_TAG)
    text, folded = _stage(text, folded, _US_PHONE, PHONE_TAG, hint=_US_PHONE_HINT)
    text, folded = _stage(text, folded, _PHONE_LABELLED, PHONE_TAG, _decide_labelled_phone, hint=_PHONE_LABEL_HINT)
    text, folded = _stage(text, folded, _SV_STREET, ADDRESS_TAG, _decide_sv_street, hint=_SV_STREET_HINT)
    text, folded = _stage(text, folded, _CARE_OF, ADDRESS_TAG, hint=_CARE_OF_HINT)
    text, folded = _stage(text, folded, _BOX, ADDRESS_TAG, hint=_BOX_HINT)
    text, folded = _stage(text, folded, _POSTCODE, ADDRESS_TAG, hint=_POSTCODE_HINT)
    text, folded = _stage(text, folded, _POSTCODE_LABELLED, ADDRESS_TAG, _only("code"), hint=_POSTCODE_LABELLED_HINT)
    text, folded = _stage(text, folded, _EN_STREET, ADDRESS_TAG, hint=_EN_STREET_HINT)
    text, folded = _stage(text, folded, _POSTCODE_AFTER_ADDRESS, ADDRESS_TAG, _only("code"))
    pattern = _name_pattern(find_names(folded), folded)
    if pattern is not None:
        text, folded = _stage(text, folded, pattern, NAME_TAG)
    return text
