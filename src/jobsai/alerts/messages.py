"""What alerts say, in the language the person used (``sv`` or ``en``): the e-mails and the "why" line.

Plain text and a simple HTML part; every value from an ad is escaped in the HTML. Links are built from
``JOBSAI_PUBLIC_BASE_URL`` (:class:`Links`), never from a request's Host header.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import quote

from jobsai.timeutil import utcnow

TEXTS: dict[str, dict[str, str]] = {
    "sv": {
        "why_occupation": "Yrke: {occupation}.",
        "why_title": "Nära det ditt CV säger att du är eller söker: ”{title}”.",
        "why_profile": "Nära helheten i ditt CV.",
        "confirm_subject": "Bekräfta din jobbevakning hos JobsAI",
        "confirm_body": "Någon (förhoppningsvis du) bad JobsAI att mejla nya jobb som passar ett CV till den här "
                        "adressen. Inget skickas förrän du bekräftar:\n\n{confirm}\n\nVar det inte du? Gör ingenting: "
                        "bevakningen raderas om {days} dagar. Du kan också radera den nu: {manage}",
        "ads_subject_one": "JobsAI: 1 nytt jobb som passar dig",
        "ads_subject": "JobsAI: {n} nya jobb som passar dig",
        "ads_intro": "Nya annonser som passar ditt CV (poäng 0–100):",
        "score": "Matchning",
        "open": "Visa annonsen",
        "more": "och {n} till med lägre poäng (öppna JobsAI för att se fler).",
        "footer": "Pausa, ändra eller radera bevakningen (och allt som sparats): {manage}",
        "refresh_subject": "JobsAI: din jobbevakning behöver ett nytt CV",
        "refresh_body": "JobsAI matchar nu med en ny modell. Din bevakning sparade bara ditt CV:s vektorer från den "
                        "gamla modellen, inte texten, så den kan inte längre poängsätta nya jobb. Ladda upp ditt CV "
                        "igen och skapa en ny bevakning; den här är pausad.\n\nRadera den: {manage}",
        "refresh_feed": "JobsAI matchar nu med en ny modell. Din bevakning sparade bara ditt CV:s vektorer från den "
                        "gamla modellen, inte texten, så den kan inte längre poängsätta nya jobb. Ladda upp ditt CV "
                        "igen och skapa en ny bevakning.",
        "expiry_subject": "JobsAI: din jobbevakning upphör snart",
        "expiry_body": "Ingen har öppnat en länk från den här bevakningen på länge. Den raderas om {days} dagar "
                       "om du inte öppnar länken nedan:\n\n{manage}",
    },
    "en": {
        "why_occupation": "Occupation: {occupation}.",
        "why_title": "Close to what your CV says you are or want: “{title}”.",
        "why_profile": "Close to your CV as a whole.",
        "confirm_subject": "Confirm your JobsAI job alert",
        "confirm_body": "Someone (hopefully you) asked JobsAI to e-mail new jobs that fit a CV to this address. "
                        "Nothing is sent until you confirm:\n\n{confirm}\n\nNot you? Do nothing: the alert is "
                        "deleted in {days} days. You can also delete it now: {manage}",
        "ads_subject_one": "JobsAI: 1 new job that fits you",
        "ads_subject": "JobsAI: {n} new jobs that fit you",
        "ads_intro": "New ads that fit your CV (score 0–100):",
        "score": "Match",
        "open": "View the ad",
        "more": "and {n} more with lower scores (open JobsAI to see more).",
        "footer": "Pause, change or delete this alert (and everything stored): {manage}",
        "refresh_subject": "JobsAI: your job alert needs a fresh CV",
        "refresh_body": "JobsAI now matches with a new model. Your alert kept only your CV's vectors from the old "
                        "model, not its text, so it can no longer score new jobs. Upload your CV again and create a "
                        "new alert; this one is paused.\n\nDelete it: {manage}",
        "refresh_feed": "JobsAI now matches with a new model. Your alert kept only your CV's vectors from the old "
                        "model, not its text, so it can no longer score new jobs. Upload your CV again and create a "
                        "new alert.",
        "expiry_subject": "JobsAI: your job alert expires soon",
        "expiry_body": "Nobody has opened a link from this alert for a long time. It will be deleted in {days} days "
                       "unless you open the link below:\n\n{manage}",
    },
}


def t(language: str, key: str, **values: object) -> str:
    table = TEXTS.get(language, TEXTS["en"])
    return table[key].format(**values)


def why_text(language: str, occupation: str | None, title_line: str | None) -> str:
    """Why a new ad was sent: its occupation, and the CV's own title or goal line it is close to."""
    parts = [t(language, "why_occupation", occupation=occupation)] if occupation else []
    parts.append(t(language, "why_title", title=title_line) if title_line else t(language, "why_profile"))
    return " ".join(parts)


@dataclass(frozen=True, slots=True)
class Links:
    """Absolute links under the public base URL."""

    base: str

    def confirm(self, token: str) -> str:
        return f"{self.base.rstrip('/')}/api/v1/alerts/confirm/{token}"

    def manage(self, token: str) -> str:
        return f"{self.base.rstrip('/')}/api/v1/alerts/manage/{token}"

    def ad(self, read_token: str, ad_id: str) -> str:
        return f"{self.base.rstrip('/')}/api/v1/alerts/open/{read_token}/{quote(ad_id, safe='')}"

    def feed(self, read_token: str) -> str:
        return f"{self.base.rstrip('/')}/api/v1/alerts/{read_token}.atom"


@dataclass(frozen=True, slots=True)
class AdItem:
    """One ad in a message, as it is shown."""

    ad_id: str
    headline: str
    employer: str | None
    place: str | None
    score: int
    why: str
    link: str


def _message(sender: str, to: str, subject: str, text: str, html_body: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = make_msgid(domain="jobsai.local")
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text)
    if html_body is not None:
        msg.add_alternative(html_body, subtype="html")
    return msg


def confirmation(sender: str, to: str, language: str, confirm: str, manage: str, days: int) -> EmailMessage:
    return _message(sender, to, t(language, "confirm_subject"),
                    t(language, "confirm_body", confirm=confirm, manage=manage, days=days))


def notice(sender: str, to: str, language: str, kind: str, manage: str, days: int = 0) -> EmailMessage:
    """``kind``: ``refresh`` (a new model: upload again) or ``expiry`` (no link opened for a long time)."""
    return _message(sender, to, t(language, f"{kind}_subject"), t(language, f"{kind}_body", manage=manage, days=days))


def ads_message(sender: str, to: str, language: str, items: Sequence[AdItem], more: int, manage: str) -> EmailMessage:
    """The new ads, best first, each with its score, the why and a link; ``more`` left out by the cap."""
    n = len(items) + more
    subject = t(language, "ads_subject_one") if n == 1 else t(language, "ads_subject", n=n)
    lines = [t(language, "ads_intro"), ""]
    cards = []
    for item in items:
        where = ", ".join(x for x in (item.employer, item.place) if x)
        lines += [f"* {item.headline}" + (f" — {where}" if where else ""),
                  f"  {t(language, 'score')}: {item.score}/100. {item.why}", f"  {item.link}", ""]
        e = html.escape
        cards.append(f'<li><a href="{e(item.link)}">{e(item.headline)}</a>' + (f" — {e(where)}" if where else "")
                     + f"<br>{e(t(language, 'score'))}: <b>{item.score}</b>/100. {e(item.why)}</li>")
    if more:
        lines += [t(language, "more", n=more), ""]
    footer = t(language, "footer", manage=manage)
    lines.append(footer)
    body = (f'<html><body><p>{html.escape(t(language, "ads_intro"))}</p><ul>{"".join(cards)}</ul>'
            + (f"<p>{html.escape(t(language, 'more', n=more))}</p>" if more else "")
            + f'<p><a href="{html.escape(manage)}">{html.escape(footer.split(":")[0])}</a></p></body></html>')
    return _message(sender, to, subject, "\n".join(lines), body)
