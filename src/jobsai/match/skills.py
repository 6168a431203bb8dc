"""Which skills an ad (or a CV) names in its text, from the JobTech taxonomy's ~5,500 skill labels.

Where the labels come from: the JobTech taxonomy is reference data the project does not copy
into its repository or package. ``JOBSAI_TAXONOMY_DIR`` names a folder holding JobTech's
``taxonomy_to_concept.json`` (the taxonomy's flat dump); without it, a checkout beside
``../shared/data/jobtech/taxonomy`` uses that one. With neither, the vocabulary is the
project's own ``data/skills_extra.tsv`` (the names ads use today: Excel, HLR, truckkort, …), and
the skills an ad lists in its structured fields are still shown by their own labels.

Why: "skills in your CV" and "skills to add" only help a job seeker when they are the skills
the ad asks for, and most ads list none in their structured ``must_have``/``nice_to_have``
fields: they write them in the description. So every taxonomy skill label is looked for in
the ad's text, and the same lookup is run on the CV.

How a label becomes something to look for (an *alias*) is decided here, once, at load time:

* a type after a comma is dropped ("Python, programmeringsspråk" → Python; "Projektledning,
  erfarenhet" → Projektledning); a skill *in a context* ("Spanska, undervisning") is not looked
  for, because ads do not write it that way;
* an acronym and its expansion are both aliases ("PLC (programmerbart styrsystem)"); a single
  word disambiguated by a parenthesis ("Miljö (Trafikverkets kravkurs)") is not looked for,
  because the bare word means something else;
* "Legitimation som X" is also found as "legitimerad X", and a CAD label's product part is its
  name ("Tillv.industri-CATIA" → CATIA);
* ``data/skills_extra.tsv`` adds the names ads use today (Excel, HLR, truckkort, Docker, …),
  ``data/skills_deny.txt`` removes labels that are everyday words ("Present", "Rock", "Miljö");
  aliases shorter than three characters are dropped, and short acronyms (SQL, SAP, PLC) must be
  written in capitals ("sap" is juice).

Text and aliases are compared token by token after the same light normalisation (lower case,
common Swedish noun endings removed), so "truckkortet", "gaffeltruckar" and "legitimerade
sjuksköterskor" find "truckkort", "Gaffeltruck" and "Legitimation som sjuksköterska".
The lookup indexes aliases by their first token: one dictionary probe per word of the text,
not one pattern per label.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from jobsai.errors import JobsAIError

WORD = re.compile(r"[^\W_][\w+#-]*[\w+#]|[^\W_]")
"""A word as explanations read it: letters and digits, keeping "+", "#" and inner hyphens (C++, C#,
IT-tekniker). Skills compare its hyphen-separated parts; a dot or slash ends a word (Node.js is
"Node" "js" in an alias and in the text alike)."""
_SUFFIXES = ("orna", "arna", "or", "ar", "an", "en", "et", "na", "a", "s")
"""Swedish noun endings (definite, plural) and -s. Not -er and -e: they made "blender" find Blender's
"blend" and "scale" find Scala; a Swedish -er plural is matched as written instead."""
_MIN_STEM = 4
_TYPE_QUALIFIER = re.compile(
    r"(system|verktyg|språk|språk\.|protokoll|plattform|hanterare|editor|program|ramverk|metod|modell|växel|"
    r"erfarenhet|server|databas|plf\.)$"
)
"""What the part after a label's comma says when it names the *kind* of thing before it."""
_CATEGORY_PRODUCT = re.compile(
    r"^(?:3D-grafik|Tillv\.industri|Analys/Beräkn|Film/redigering|Film/effekter|Elschema|Samordning/Granskn\."
    r"|Allm\.konstr\.|Mark/infrastruktur|Design/Visualisering)-(.+)$"
)
_ACRONYM = re.compile(r"^(?=.*[A-ZÅÄÖ])[A-ZÅÄÖ0-9][A-ZÅÄÖ0-9+/&.-]{1,7}$")
_LICENCE = re.compile(r"^Legitimation som (.+)$")
_PAREN = re.compile(r"\s*\(([^)]*)\)")
MAX_ALIAS_TOKENS = 6
MIN_ALIAS_CHARS = 3
EXACT_CASE_MAX_CHARS = 5
"""Acronyms up to this length are matched only in capitals (SQL, SAP, PLC, ADHD)."""
MAX_CACHED_TOKENS = 200_000


class SkillDataError(JobsAIError):
    """The shipped skill data is missing or malformed (a packaging error)."""


@dataclass(frozen=True, slots=True)
class Skill:
    id: str
    """Taxonomy concept id, or ``x:<name>`` for a skill from ``skills_extra.tsv``."""
    label: str
    """The taxonomy's label (or the extra's name)."""
    name: str
    """What a person reads: the label without its type ("Python", not "Python, programmeringsspråk")."""


@dataclass(frozen=True, slots=True)
class Alias:
    skill: int
    """Index into :attr:`SkillVocabulary.skills`."""
    tokens: tuple[str, ...]
    """Normalised tokens, compared with the text's."""
    exact: tuple[str, ...] | None
    """The tokens as written, when the alias must match with its capitalisation."""


def split_words(text: str) -> list[str]:
    """The text's tokens as written (order kept): :data:`WORD` matches split at hyphens."""
    return parts(WORD.findall(text))


def parts(words: Sequence[str]) -> list[str]:
    """Words (:data:`WORD` matches) split at their hyphens: the tokens skills are compared by."""
    return " ".join(words).replace("-", " ").split()


def tokens(text: str) -> list[str]:
    """The text's tokens as :func:`normalise` compares them (order kept)."""
    return [normalise(t) for t in split_words(text)]


def normalise(token: str) -> str:
    """Lower case and, for words of letters, up to two common endings off ("truckkortet" → "truckkort")."""
    word = token.lower()
    if not word.isalpha():
        return word
    for _ in range(2):
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
                word = word[: -len(suffix)]
                break
        else:
            break
    return word


def label_aliases(label: str) -> tuple[str, list[str]]:
    """A taxonomy label's display name and the phrases that name it in running text (see module doc)."""
    label = " ".join(label.split())
    parens = [p.strip() for p in _PAREN.findall(label)]
    base = _PAREN.sub("", label).strip()
    head, comma, qualifier = base.partition(", ")
    name = label
    aliases: list[str] = []
    if comma:
        if _TYPE_QUALIFIER.search(qualifier):
            aliases.append(head)
            name = head + (f" ({parens[0]})" if len(parens) == 1 and _ACRONYM.match(parens[0]) else "")
        elif not parens:
            name = f"{head} ({qualifier})"  # "Fräsning (CNC)": a list of names is joined with commas
    elif not parens or len(base.split()) > 1:
        aliases.append(base)
    if len(parens) == 1:
        paren = parens[0]
        expands = _ACRONYM.match(head) and len(paren.split()) > 1  # "PLC (programmerbart styrsystem)"
        abbreviated = _ACRONYM.match(paren) and (len(head.split()) > 1 or comma)  # "Java Micro Edition (JME)"
        if expands or abbreviated:
            aliases += [head, paren]
    if product := _CATEGORY_PRODUCT.match(head):
        aliases = [product.group(1)]
        name = product.group(1)
    if licence := _LICENCE.match(base):
        aliases += [f"legitimerad {licence.group(1)}", f"legitimerade {licence.group(1)}"]
    return name, list(dict.fromkeys(aliases))


class SkillVocabulary:
    """Skill labels compiled for lookup in text; immutable after construction, safe across threads."""

    def __init__(
        self,
        taxonomy: Iterable[tuple[str, str]],
        extras: Iterable[tuple[str, str, Sequence[str]]] = (),
        deny: Iterable[str] = (),
    ) -> None:
        """``taxonomy``: (concept id, label); ``extras``: (id or ``x:name``, display name or "", aliases,
        ``=`` first for exact case); ``deny``: names never looked for on their own."""
        denied = {" ".join(tokens(d)) for d in deny}
        skills: list[Skill] = []
        phrases: list[list[tuple[str, bool, bool]]] = []  # per skill: (phrase, exact case, from skills_extra)
        self.by_id: dict[str, int] = {}
        for cid, label in taxonomy:
            if cid in self.by_id:
                continue
            name, found = label_aliases(label)
            self.by_id[cid] = len(skills)
            skills.append(Skill(cid, label, name))
            phrases.append([(a, False, False) for a in found])
        has_taxonomy = bool(self.by_id)
        for key, display, extra in extras:
            idx = self.by_id.get(key)
            if idx is None and not key.startswith("x:") and not has_taxonomy:
                if not display:  # an alias of a taxonomy skill that is not loaded
                    continue
            elif idx is None and (not key.startswith("x:") or not display):
                raise SkillDataError(f"skills_extra: {key!r} is not a known concept id, nor x:<name> with a name")
            if idx is None:
                idx = self.by_id[key] = len(skills)
                skills.append(Skill(key, display, display))
                phrases.append([])
            elif display:
                old = skills[idx]
                skills[idx] = Skill(old.id, old.label, display)
            phrases[idx] += [(a[1:], True, True) if a.startswith("=") else (a, False, True) for a in extra]
        self.skills: tuple[Skill, ...] = tuple(skills)
        aliases: list[Alias] = []
        seen: set[tuple[int, tuple[str, ...], tuple[str, ...] | None]] = set()
        for idx, items in enumerate(phrases):
            for phrase, exact_flag, curated in items:
                raw = split_words(phrase)
                norm = tuple(normalise(t) for t in raw)
                if not norm or len(norm) > MAX_ALIAS_TOKENS or " ".join(norm) in denied:
                    continue
                if len(norm) == 1 and (norm[0].isdigit() or (len(norm[0]) < MIN_ALIAS_CHARS and not curated)):
                    continue
                exact = exact_flag or (len(raw) == 1 and raw[0].isupper() and len(raw[0]) <= EXACT_CASE_MAX_CHARS)
                case_form = tuple(raw) if exact else None
                alias_key = (idx, norm, case_form)
                if alias_key not in seen:
                    seen.add(alias_key)
                    aliases.append(Alias(idx, norm, case_form))
        self.aliases: tuple[Alias, ...] = tuple(aliases)
        words: list[set[str]] = [set() for _ in skills]
        for alias in aliases:
            words[alias.skill].update(alias.tokens)
        self.skill_words: tuple[frozenset[str], ...] = tuple(frozenset(w) for w in words)
        """Every normalised word of each skill's aliases (to tell a shared word from a shown skill)."""
        first: dict[str, list[tuple[int, int, str, tuple[str, ...], tuple[str, ...] | None]]] = {}
        for i, alias in enumerate(aliases):
            toks = alias.tokens
            first.setdefault(toks[0], []).append((i, len(toks), toks[1] if len(toks) > 1 else "", toks, alias.exact))
        self._first = {k: tuple(v) for k, v in first.items()}
        """Aliases by their first word: (index, length, second word, words, exact form)."""
        self._norm: dict[str, str] = {}

    def normalise(self, token: str) -> str:
        """:func:`normalise`, cached (the same words recur across ads)."""
        out = self._norm.get(token)
        if out is None:
            out = normalise(token)
            if len(self._norm) >= MAX_CACHED_TOKENS:
                self._norm = {}
            self._norm[token] = out
        return out

    def normalise_all(self, raw: Sequence[str]) -> list[str]:
        """:meth:`normalise` of every token (the cache read inline: this runs per token of every ad)."""
        get = self._norm.get
        norm = [get(t) for t in raw]
        if None in norm:
            norm = [n if n is not None else self.normalise(t) for t, n in zip(raw, norm, strict=True)]
        return norm  # type: ignore[return-value]

    def find(self, text: str) -> tuple[int, ...]:
        """Indices of the aliases that occur in ``text``, in order of first occurrence."""
        return self.find_words(WORD.findall(text))

    def find_words(self, words: Sequence[str]) -> tuple[int, ...]:
        """:meth:`find` on a text's :data:`WORD` matches (a caller that has them reads the text once).

        The longest match wins: an alias found only inside a longer one ("Funktionsnedsättning" in
        "fysisk funktionsnedsättning") is not reported."""
        raw = parts(words)
        norm = self.normalise_all(raw)
        first, n = self._first, len(norm)
        hits = first.keys() & set(norm)
        if not hits:
            return ()
        spans: list[tuple[int, int, int]] = []  # (start, end, alias)
        for i in [i for i, tok in enumerate(norm) if tok in hits]:
            for a, k, second, toks, exact in first[norm[i]]:
                if k > 1 and (i + k > n or norm[i + 1] != second or (k > 2 and tuple(norm[i : i + k]) != toks)):
                    continue
                if exact is not None and tuple(raw[i : i + k]) != exact:
                    continue
                spans.append((i, i + k, a))
        longer = [(s, e) for s, e, _ in spans if e - s > 1]
        if longer:
            spans = [(s, e, a) for s, e, a in spans if not any(s2 <= s and e <= e2 and e2 - s2 > e - s
                                                               for s2, e2 in longer)]
        return tuple(dict.fromkeys(a for _, _, a in spans))

    def mentions(self, norm: Sequence[str], label: str) -> bool:
        """Whether normalised text names ``label`` (an ad-listed skill this vocabulary does not know)."""
        for alias in label_aliases(label)[1]:
            want = tuple(self.normalise(t) for t in split_words(alias))
            if want and any(tok == want[0] and tuple(norm[i : i + len(want)]) == want for i, tok in enumerate(norm)):
                return True
        return False

    def name_of(self, concept_id: str, label: str) -> tuple[int | None, str]:
        """An ad-listed skill: its index here (None when the taxonomy is newer than ours) and its name."""
        idx = self.by_id.get(concept_id)
        if idx is not None:
            return idx, self.skills[idx].name
        return None, label_aliases(label)[0] if label else concept_id

    @classmethod
    def from_files(cls, taxonomy: Iterable[tuple[str, str]], extras: str, deny: str) -> SkillVocabulary:
        """The taxonomy's (concept id, label) pairs plus the texts of the two data files (see ``match/data``)."""
        tax = list(taxonomy)
        ext: list[tuple[str, str, list[str]]] = []
        for n, line in enumerate(_lines(extras), 1):
            parts = line.split("\t")
            if len(parts) != 3 or not parts[0]:
                raise SkillDataError(f"skills_extra.tsv line {n}: expected key<TAB>name<TAB>aliases")
            ext.append((parts[0].strip(), parts[1].strip(), [a.strip() for a in parts[2].split("|") if a.strip()]))
        return cls(tax, ext, [d.strip() for d in _lines(deny)])


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


TAXONOMY_FILE = "taxonomy_to_concept.json"


def find_taxonomy_dir() -> Path | None:
    """``JOBSAI_TAXONOMY_DIR``, else ``../shared/data/jobtech/taxonomy`` beside this checkout."""
    env = os.environ.get("JOBSAI_TAXONOMY_DIR")
    candidates = [Path(env)] if env else [
        p / "shared" / "data" / "jobtech" / "taxonomy" for p in Path(__file__).resolve().parents
    ]
    return next((c for c in candidates if (c / TAXONOMY_FILE).is_file()), None)


def taxonomy_skills(folder: Path) -> list[tuple[str, str]]:
    """(concept id, label) of every skill in JobTech's flat taxonomy dump, sorted by label."""
    try:
        data = json.loads((folder / TAXONOMY_FILE).read_text(encoding="utf-8"))
        concepts = data["skill"].values()
    except (OSError, ValueError, KeyError, AttributeError) as exc:
        raise SkillDataError(f"cannot read the taxonomy's skills from {folder / TAXONOMY_FILE}: {exc}") from exc
    rows = {(" ".join(str(v["preferredTerm"]).split()), str(v["conceptId"])) for v in concepts
            if isinstance(v, dict) and v.get("conceptId") and v.get("preferredTerm")}
    return [(cid, label) for label, cid in sorted(rows, key=lambda r: (r[0].casefold(), r[0], r[1]))]


@cache
def default_vocabulary() -> SkillVocabulary:
    """The taxonomy's skills (when found, see the module docstring) plus the project's own data
    (built once per process: ~5,600 skills, tens of milliseconds)."""
    data = resources.files("jobsai.match").joinpath("data")
    try:
        extras, deny = (data.joinpath(f).read_text(encoding="utf-8") for f in ("skills_extra.tsv", "skills_deny.txt"))
    except OSError as exc:
        raise SkillDataError(f"the package's skill data is missing: {exc}") from exc
    folder = find_taxonomy_dir()
    return SkillVocabulary.from_files(taxonomy_skills(folder) if folder else [], extras, deny)
