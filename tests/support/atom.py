"""RFC 4287 (Atom) checks for the feed tests: the RELAX NG schema of its Appendix B (``tests/data/atom.rng``,
written out in RELAX NG's XML syntax), then the rules the RFC states in prose, which RELAX NG cannot say."""

from __future__ import annotations

import re
from pathlib import Path

ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def atom_problems(document: bytes) -> list[str]:
    """RFC 4287 checks: the RELAX NG schema of its Appendix B, then the rules it states in prose (section 4)."""
    from lxml import etree

    schema = etree.RelaxNG(etree.parse(str(Path(__file__).resolve().parents[1] / "data" / "atom.rng")))
    root = etree.fromstring(document)
    problems = [str(e) for e in schema.error_log] if not schema.validate(root) else []
    entries = root.findall(f"{ATOM}entry")
    if root.find(f"{ATOM}author") is None and not (entries and all(e.find(f"{ATOM}author") is not None
                                                                    for e in entries)):
        problems.append("4.1.1: a feed without atom:author needs one in every entry")
    for el in [root, *entries]:
        alternates = [(link.get("type"), link.get("hreflang")) for link in el.findall(f"{ATOM}link")
                      if link.get("rel", "alternate") == "alternate"]
        if len(alternates) != len(set(alternates)):
            problems.append("4.1.1/4.1.2: two alternate links with the same type and hreflang")
        for date in [*el.findall(f"{ATOM}updated"), *el.findall(f"{ATOM}published")]:
            if not RFC3339.match(date.text or ""):
                problems.append(f"3.3: {date.text!r} is not an RFC 3339 date-time with a time zone")
        ident = el.findtext(f"{ATOM}id") or ""
        if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", ident):
            problems.append(f"4.2.6: id {ident!r} is not an absolute IRI")
    for entry in entries:
        if entry.find(f"{ATOM}content") is None and not any(
                link.get("rel", "alternate") == "alternate" for link in entry.findall(f"{ATOM}link")):
            problems.append("4.1.2: an entry without atom:content needs an alternate link")
        if entry.find(f"{ATOM}content") is None and entry.find(f"{ATOM}summary") is None:
            problems.append("4.1.2: an entry without content should have a summary")
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    if len(ids) != len(set(ids)):
        problems.append("4.2.6: two entries share an id")
    return problems
