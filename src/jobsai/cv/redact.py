"""Remove personal identifiers from CV text before it is stored, embedded or shown.

Matching needs skills and experience, not who the person is, so personnummer, e-mail
addresses, phone numbers and street addresses are replaced by tags. The patterns are
format-based on purpose: real CVs carry personnummer whose check digit is wrong (typos,
made-up test data), so the Luhn checksum is never consulted. They are written to leave
years, date ranges, percentages, amounts and credit counts in job text alone.
"""

from __future__ import annotations

import re

PERSONNUMMER_TAG = "[PERSONNUMMER]"
EMAIL_TAG = "[E-POST]"
PHONE_TAG = "[TELEFON]"
ADDRESS_TAG = "[ADRESS]"

# --- personnummer / samordningsnummer -------------------------------------------------
# YYMMDD or YYYYMMDD, then an optional "-" or "+" (or a dash that a word processor
# turned into "–", or a space), then four digits. Samordningsnummer add 60 to the day
# (61-91). The month/day check is what keeps amounts and org numbers out.
_DAY = r"(?:0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01])"
_MONTH = r"(?:0[1-9]|1[0-2])"
_PERSONNUMMER = re.compile(
    rf"(?<![\w+\-–])(?:(?:19|20)\d{{2}}|\d{{2}}){_MONTH}{_DAY}(?:[-+–]|[ ](?=\d{{4}}(?![\d]))|)\d{{4}}"
    r"(?![\w\-–])"
)
_PNR_LABEL = re.compile(r"(?i)(?:person|samordnings)\s*(?:nummer|nr)|p-?nr|pnr|id-?nr")

# --- e-mail ---------------------------------------------------------------------------
_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.%+-]+\s?(?:@|\[at\]|\(at\))\s?[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}\b",
    re.IGNORECASE,
)

# --- phone numbers --------------------------------------------------------------------
# A run of digit groups that starts with a country code (+46, 0046) or a national
# trunk "0", never crossing a line break. The digit count is validated afterwards
# and trailing groups are given back when the run swallowed a following number.
_SEP = r"(?:[ \t\u00a0]?[-.][ \t\u00a0]?|[ \t\u00a0])"
_PHONE = re.compile(
    rf"""
    (?<![\w+])(?<!\d[-./])
    (?P<prefix>
        (?:\+|00)[1-9]\d{{0,2}}{_SEP}?(?:\(0\){_SEP}?)?   # +46 / 0046, optional (0)
      | \(0\)[ \t]?                                      # (0)8 ...
      | \(0[1-9]\d{{0,3}}\)[ \t]?                        # (08) ...
      | (?=0[1-9])                                       # 070..., 08...
    )
    (?P<body>\d{{1,10}}(?:{_SEP}\d{{1,5}}){{0,6}})
    (?![\w])
    """,
    re.VERBOSE,
)
_US_PHONE = re.compile(r"(?<![\w+])(?:\+1[ \t.-]?)?\(\d{3}\)[ \t]?\d{3}[-. ]\d{4}(?!\d)")
_DATE_LIKE = (
    re.compile(r"^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$"),  # 01.02.2023
    re.compile(r"(?<!\d)(?:0?[1-9]|1[0-2])[./-](?:19|20)\d{2}(?!\d)"),  # 06.2018, 06-2018
    re.compile(r"(?<!\d)\d{1,2}[.:]\d{2}[ \t]?-[ \t]?\d{1,2}[.:]\d{2}(?!\d)"),  # 08.00-17.00
)
_NATIONAL_DIGITS = range(8, 12)
"""Swedish numbers with the trunk 0: 08-12 34 56 (8) up to 0701-23 45 67 (10), +1 slack."""
_SUBSCRIBER_DIGITS = range(6, 14)
"""Digits after a country code: 8 12 34 56 (7) for Sweden, up to 13 for other plans."""

# --- addresses ------------------------------------------------------------------------
_STREET_SUFFIXES = (
    "gatan|gata|vägen|väg|gränden|gränd|stigen|backen|backe|torget|torg|allén|allé|"
    "platsen|leden|gången|slingan|stråket|kajen|esplanaden|promenaden|parken|udden|"
    "berget|höjden|liden|ängen|gläntan|hagen|bryggan|kroken|bågen|svängen|tået|"
    "terrassen|branten|gärdet|lyckan|viken|holmen"
)
_STREET_PREFIX = r"(?:Stora|Lilla|Gamla|Nya|Norra|Södra|Östra|Västra|Sankt|S:t|Drottning|Kung|Prins)"
_HOUSE_NUMBER = r"\d{1,3}(?!\d)(?:[ \t]?[A-Ha-h](?![\wåäö]))?(?:-\d{1,3}(?!\d))?"
_SV_STREET = re.compile(
    rf"""
    (?<![\w-])
    (?:{_STREET_PREFIX}[ \t]|(?:[A-ZÅÄÖÉ]\w+[ \t])?[A-ZÅÄÖÉ]\w*s[ \t])?  # Stora, Olof Palmes
    [\w-]*?(?i:{_STREET_SUFFIXES})                # Storgatan, Vägen, Skogsgläntan
    [ \t]{_HOUSE_NUMBER}
    (?:,?[ \t](?:\d{{1,2}}[ \t]?tr\b|lgh[ \t]?\d{{3,4}}\b|nb\b))*  # 2 tr, lgh 1102
    """,
    re.VERBOSE,
)
_SV_STREET_FIRST_CAPITAL = re.compile(r"[A-ZÅÄÖÉ]")
_BOX = re.compile(r"\b(?:Box|Postbox)[ \t]\d{1,5}(?!\d)")
_POSTCODE = re.compile(
    r"(?<![\w+\-])(?:(?:SE|S)-?[ \t]?\d{3}[ \t]?\d{2}(?!\d)(?:[ \t]+[A-ZÅÄÖ][\wåäö]+)?"
    r"|[1-9]\d{2}[ \t]?\d{2}(?!\d)[ \t]+[A-ZÅÄÖ][a-zåäöé]+(?:[ \t][A-ZÅÄÖ][a-zåäöé]+)?)"
)
_EN_STREET = re.compile(
    r"(?<![\w.,])\d{1,4}[A-Za-z]?,?[ \t]+(?:[A-Z][a-z'’]+[ \t]+){1,3}"
    r"(?:Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Drive|Close|Court|Place|Square|"
    r"Terrace|Way|Boulevard|Blvd\.?|Crescent|Gardens|Grove|Row|Mews|Parade)(?![\w])"
)


def _replace_personnummer(match: re.Match[str]) -> str:
    """Bare ten digits starting with 0 are a phone number unless a label says otherwise."""
    value = match.group(0)
    if value.isdigit() and len(value) == 10 and value.startswith("0"):
        before = match.string[max(0, match.start() - 25) : match.start()]
        if not _PNR_LABEL.search(before):
            return value
    return PERSONNUMMER_TAG


def _replace_phone(match: re.Match[str]) -> str:
    prefix, body = match.group("prefix"), match.group("body")
    international = prefix.startswith(("+", "00"))
    allowed = _SUBSCRIBER_DIGITS if international else _NATIONAL_DIGITS
    # A national prefix such as "(08) " or "(0)" holds digits of the number itself.
    extra = 0 if international else sum(ch.isdigit() for ch in prefix)
    # Digit groups with their end offsets, to give back trailing groups that belong to
    # the next number (a year after the phone, say).
    groups = [(m.end(), len(m.group(0))) for m in re.finditer(r"\d+", body)]
    digits = extra
    best_end = -1
    for end, n in groups:
        digits += n
        if digits in allowed:
            best_end = end
        elif digits >= allowed.stop:
            break
    if best_end < 0:
        return match.group(0)
    number = prefix + body[:best_end]
    if not international and any(p.search(number) for p in _DATE_LIKE):
        return match.group(0)
    return PHONE_TAG + body[best_end:]


def _replace_sv_street(match: re.Match[str]) -> str:
    """Street names are capitalised ("Storgatan 12"); "avdelning 4" is not a street."""
    value = match.group(0)
    if not _SV_STREET_FIRST_CAPITAL.match(value):
        return value
    return ADDRESS_TAG


def redact(text: str) -> str:
    """Replace personnummer, e-mail, phone numbers and street addresses with tags.

    Order matters: e-mail first (addresses contain digits and dots), then personnummer
    (twelve digits would otherwise read as a phone number), then phones, then addresses.
    """
    text = _EMAIL.sub(EMAIL_TAG, text)
    text = _PERSONNUMMER.sub(_replace_personnummer, text)
    text = _PHONE.sub(_replace_phone, text)
    text = _US_PHONE.sub(PHONE_TAG, text)
    text = _SV_STREET.sub(_replace_sv_street, text)
    text = _BOX.sub(ADDRESS_TAG, text)
    text = _POSTCODE.sub(ADDRESS_TAG, text)
    text = _EN_STREET.sub(ADDRESS_TAG, text)
    return text
