"""HTML for result cards and ad texts. Ad text is untrusted: it becomes inert here.

Two rules, so that no ad can run code in a job seeker's browser:

* everything we put into markup is escaped (``html.escape``), except the ad's own formatted
  description, which goes through :func:`sanitize_ad_html` (nh3, an allow-list HTML
  sanitiser: no ``<script>``/``<style>``/``<iframe>``, no ``on*=`` event handlers, no
  ``style``, links only to http(s)/mailto and opened with ``rel="noopener noreferrer"``);
* links we build ourselves (Platsbanken, apply) pass :func:`safe_url`, so a
  ``javascript:`` or ``data:`` URL in an ad becomes no link at all (the Platsbanken link
  falls back to the one we make from the ad's id).

Nothing here knows about HTTP or Gradio; the API and the UI both use these functions.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import nh3
from pydantic import BaseModel, ConfigDict, Field

from jobsai.match.matcher import MatchResult
from jobsai.sources.ads import PLATSBANKEN_URL, Ad, Concept
from jobsai.timeutil import STOCKHOLM
from jobsai.web.i18n import Lang, t

ALLOWED_TAGS = frozenset(
    {"p", "br", "ul", "ol", "li", "strong", "b", "em", "i", "u", "h2", "h3", "h4", "h5", "h6", "a",
     "blockquote", "table", "thead", "tbody", "tr", "th", "td"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
EXCERPT_CHARS = 320

_CONTACT = re.compile(r"@|https?://|www\.|\+?\d[\d \-–()]{6,}\d", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def safe_url(url: str | None) -> str | None:
    """The URL if it is an absolute http(s) URL, else None (``javascript:``, ``data:``, relative…)."""
    if not url:
        return None
    candidate = url.strip()
    # Browsers ignore control characters and whitespace inside a scheme ("java\tscript:").
    if any(ord(ch) < 0x20 or ch.isspace() for ch in candidate):
        return None
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return candidate


def sanitize_ad_html(fragment: str) -> str:
    """An ad's formatted description reduced to harmless markup (allow-list, not deny-list)."""
    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def plain_text(fragment: str) -> str:
    """Text with every tag removed and ``<script>``/``<style>`` contents dropped (not escaped)."""
    return html.unescape(nh3.clean(fragment, tags=set(), strip_comments=True))


def ad_body_html(description_html: str | None, description_text: str) -> str:
    """The whole ad as safe HTML: its formatted version sanitised, or its text escaped as paragraphs."""
    if description_html and description_html.strip():
        return sanitize_ad_html(description_html)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", plain_text(description_text)) if p.strip()]
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)


def excerpt(description_text: str, max_chars: int = EXCERPT_CHARS) -> str:
    """A readable opening of the ad as plain text: no headings, contact lines or links."""
    kept: list[str] = []
    for raw in plain_text(description_text).splitlines():
        line = _SPACES.sub(" ", raw).strip()
        if not line or (_CONTACT.search(line) and len(line) < 160):
            continue
        if len(line.split()) <= 4 and not line.endswith((".", "!", "?", ":")):
            continue  # a heading such as "Om oss"
        kept.append(line)
        if sum(len(k) for k in kept) > max_chars:
            break
    text = " ".join(kept)
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars].rsplit(" ", 1)[0].rstrip(",;:-–")
    return cut + " …"


def highlight(text: str, terms: Iterable[str]) -> str:
    """Escaped ``text`` with whole-word, case-insensitive occurrences of ``terms`` in ``<mark>``."""
    words = sorted({w.strip() for w in terms if w and w.strip()}, key=len, reverse=True)
    if not words:
        return html.escape(text)
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE)
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        out.append(html.escape(text[last : match.start()]))
        out.append(f"<mark>{html.escape(match.group(0))}</mark>")
        last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def local_date(value: datetime | None) -> str | None:
    """The Swedish calendar date of an instant (deadlines are 23:59 Swedish time)."""
    if value is None:
        return None
    return value.astimezone(STOCKHOLM).date().isoformat()


class AdSummary(BaseModel):
    """What every ad-shaped answer carries (labels for display; filters use concept ids)."""

    # The API's results and ads extend this model (in its OpenAPI schema); the UI's cards and the CLI read it.
    # Frozen, so hashable: Gradio hashes the page's state (the cards) to see what changed.
    model_config = ConfigDict(frozen=True)

    id: str
    headline: str
    employer: str | None
    municipality: str | None
    region: str | None
    occupation: str | None
    occupation_field: str | None
    employment_type: str | None
    working_hours: str | None
    published: datetime | None
    deadline: datetime | None
    url: str = Field(description="The ad on Platsbanken.")  # its own URL if safe, else one made from its id
    apply_url: str | None


def ad_summary(ad: Ad) -> AdSummary:
    """The one place an ad is flattened for display: the API's results and ads, the UI's cards, the CLI."""

    def label(concept: Concept | None) -> str | None:
        return concept.label if concept else None

    return AdSummary(
        id=ad.id,
        headline=ad.headline,
        employer=ad.employer_name or ad.employer_workplace,
        municipality=label(ad.municipality),
        region=label(ad.region),
        occupation=label(ad.occupation),
        occupation_field=label(ad.occupation_field),
        employment_type=label(ad.employment_type),
        working_hours=label(ad.working_hours_type),
        published=ad.publication_date,
        deadline=ad.application_deadline,
        url=safe_url(ad.webpage_url) or PLATSBANKEN_URL.format(id=ad.id),
        apply_url=safe_url(ad.application_url),
    )


@dataclass(frozen=True, slots=True)
class CardView:
    """A result as the API and the UI show it: the match, its ad summarised, and safe ad texts."""

    rank: int
    result: MatchResult
    ad: AdSummary
    excerpt: str
    body_html: str
    """Sanitised full description (safe to insert as HTML)."""

    @classmethod
    def of(cls, rank: int, result: MatchResult) -> CardView:
        ad = result.ad
        body = ad_body_html(ad.description_html, ad.description)
        return cls(rank, result, ad_summary(ad), excerpt(ad.description), body)


def why_text(result: MatchResult) -> str:
    """Why it matches, as one line of English (the API's ``why``, the CLI); the UI shows :func:`why_html`."""
    ex = result.explanation
    parts: list[str] = []
    occupation = result.ad.occupation.label if result.ad.occupation else None
    if occupation:
        parts.append(f"Occupation: {occupation}")
    if ex.skills_total:
        have = f"{len(ex.skills)} of {ex.skills_total} skills in your CV"
        parts.append(have + (": " + ", ".join(ex.skills) if ex.skills else ""))
    if ex.missing_skills:
        parts.append("skills to add: " + ", ".join(ex.missing_skills))
    if ex.terms:
        parts.append("shared terms: " + ", ".join(ex.terms))
    if ex.passage:
        parts.append(f'closest part of your CV: "{ex.passage}"')
    return "; ".join(parts)


def why_html(result: MatchResult, lang: Lang) -> str:
    """Why it matches, in the UI's language, built from the explanation's parts (all escaped)."""
    ex = result.explanation
    parts: list[str] = []
    total = max(ex.skills_total, len(ex.skills))
    if total:
        count = html.escape(t(lang, "why_skills_count", matched=len(ex.skills), total=total))
        skills = ", ".join(f"<mark>{html.escape(s)}</mark>" for s in ex.skills)
        parts.append(f'<li class="jobsai-skills">{count}' + (f": {skills}" if skills else "") + "</li>")
    if ex.missing_skills:
        missing = ", ".join(html.escape(s) for s in ex.missing_skills)
        parts.append(f'<li class="jobsai-skill-gap">{html.escape(t(lang, "why_missing"))}: {missing}</li>')
    if ex.terms:
        terms = ", ".join(f"<mark>{html.escape(s)}</mark>" for s in ex.terms)
        parts.append(f"<li>{t(lang, 'why_terms')}: {terms}</li>")
    if ex.passage:
        parts.append(f"<li>{t(lang, 'why_passage')}: <q>{html.escape(ex.passage)}</q></li>")
    occupation = result.ad.occupation.label if result.ad.occupation else None
    if occupation and not parts:
        parts.append(f"<li>{t(lang, 'why_occupation')}: {html.escape(occupation)}</li>")
    return "<ul>" + "".join(parts) + "</ul>" if parts else ""


def score_label(score: int, lang: Lang) -> str:
    if score >= 75:
        return t(lang, "score_high")
    if score >= 50:
        return t(lang, "score_mid")
    return t(lang, "score_low")


def card_html(card: CardView, lang: Lang) -> str:
    """One result card; every value from the ad is escaped or sanitised."""
    r, ad = card.result, card.ad
    esc = html.escape
    ad_id = esc(ad.id)
    title = f'<a href="{esc(ad.url)}" target="_blank" rel="noopener noreferrer">{esc(ad.headline)}</a>'
    meta = " · ".join(esc(x) for x in (ad.employer, ad.municipality, ad.occupation) if x)
    dates: list[str] = []
    if (published := local_date(ad.published)) is not None:
        dates.append(f"{t(lang, 'published')} <time datetime=\"{published}\">{published}</time>")
    if (deadline := local_date(ad.deadline)) is not None:
        dates.append(f"{t(lang, 'deadline')} <time datetime=\"{deadline}\">{deadline}</time>")
    extra = " · ".join(esc(x) for x in (ad.employment_type, ad.working_hours) if x)
    links = [
        f'<a class="jobsai-link" href="{esc(ad.url)}" target="_blank" rel="noopener noreferrer">'
        f"{t(lang, 'open_platsbanken')}</a>"
    ]
    if ad.apply_url:
        links.append(
            f'<a class="jobsai-link jobsai-apply" href="{esc(ad.apply_url)}" target="_blank" '
            f'rel="noopener noreferrer nofollow">{t(lang, "apply")}</a>'
        )
    score = max(0, min(100, int(r.score)))
    why = why_html(r, lang)
    return (
        f'<article class="jobsai-card-body" data-ad-id="{ad_id}" aria-labelledby="h-{ad_id}">'
        f'<div class="jobsai-card-head"><h3 id="h-{ad_id}"><span class="jobsai-rank">{card.rank}.</span> {title}</h3>'
        f'<div class="jobsai-score" role="img" aria-label="{esc(t(lang, "score_aria", score=score))}">'
        f'<span class="jobsai-score-num">{score}</span><span class="jobsai-score-max">/100</span>'
        f'<span class="jobsai-score-word">{esc(score_label(score, lang))}</span>'
        f'<span class="jobsai-bar"><i style="width:{score}%"></i></span></div></div>'
        + (f'<p class="jobsai-meta">{meta}</p>' if meta else "")
        + (f'<p class="jobsai-dates">{" · ".join(dates)}{" · " + extra if extra else ""}</p>' if dates or extra else "")
        + (f'<div class="jobsai-why"><strong>{t(lang, "why")}</strong>{why}</div>' if why else "")
        + (f'<p class="jobsai-excerpt">{highlight(card.excerpt, r.explanation.terms)}</p>' if card.excerpt else "")
        + f'<details class="jobsai-full"><summary>{t(lang, "show_full_ad")}</summary>'
        f'<div class="jobsai-ad-body">{card.body_html}</div></details>'
        + f'<p class="jobsai-links">{" ".join(links)}</p>'
        + "</article>"
    )


def understood_html(
    lang: Lang, *, language: str, words: int, pages: int | None, kind: str, title: str | None,
    occupations: Sequence[tuple[str, int]], skills: Sequence[str],
) -> str:
    """What the app read from the CV, so the person can trust it or correct it."""
    esc = html.escape
    lang_name = t(lang, f"lang_{language}") if language in ("sv", "en") else t(lang, "lang_unknown")
    source = t(lang, f"kind_{kind}")
    facts = [
        f"<li>{t(lang, 'understood_language')}: <strong>{esc(lang_name)}</strong></li>",
        f"<li>{t(lang, 'understood_words', words=words)}"
        + (f" · {t(lang, 'understood_pages', pages=pages)}" if pages else "")
        + f" · {esc(source)}</li>",
        f"<li>{t(lang, 'understood_cv_title')}: <strong>{esc(title)}</strong></li>"
        if title
        else f"<li>{t(lang, 'understood_no_title')}</li>",
    ]
    if occupations:
        occ = ", ".join(f"{esc(name)} ({n})" for name, n in occupations)
        facts.append(f"<li>{t(lang, 'understood_occupations')}: {occ}</li>")
    if skills:
        facts.append(f"<li>{t(lang, 'understood_skills')}: " + ", ".join(esc(s) for s in skills) + "</li>")
    return (
        f'<section class="jobsai-understood" aria-label="{esc(t(lang, "understood_title"))}">'
        f"<h2>{t(lang, 'understood_title')}</h2><ul>{''.join(facts)}</ul>"
        f"<p class=\"jobsai-hint\">{t(lang, 'understood_hint')}</p></section>"
    )


def message_html(text: str, kind: str = "info") -> str:
    """A status line for the UI (escaped); ``kind`` is info, ok or error."""
    role = "alert" if kind == "error" else "status"
    return f'<div class="jobsai-msg jobsai-msg-{html.escape(kind)}" role="{role}">{html.escape(text)}</div>'
