"""The private Atom feed of a feed alert (RFC 4287), served at ``/api/v1/alerts/{read token}.atom``.

Ids are ``urn:uuid`` values derived from the alert's nonce, so they are stable across fetches and do not
reveal the feed's token. A feed whose profile no longer fits the model says so in an entry of its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from xml.etree import ElementTree as ET

from jobsai.alerts import messages
from jobsai.sources.ads import Ad
from jobsai.store.alerts import AlertRow, DeliveryRow

ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_NAMESPACE = uuid.UUID("0b8f5a6e-3c1d-4e2a-9d7f-5a1c2e3b4d60")
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
TITLES = {"sv": "JobsAI: nya jobb som passar ditt CV", "en": "JobsAI: new jobs that fit your CV"}


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    if text is not None:
        el.text = text
    return el


def _ts(when: datetime) -> str:
    return when.isoformat(timespec="seconds").replace("+00:00", "Z")


def render_feed(alert: AlertRow, entries: Sequence[DeliveryRow], ads: Mapping[str, Ad], links: messages.Links,
                read_token: str) -> bytes:
    """The feed document: newest entries first; ``ads`` gives each entry's headline (a removed ad keeps its id).
    It carries no management link: whoever reads the feed must not be able to delete the alert."""
    ET.register_namespace("", ATOM_NS)
    lang = alert.language
    feed = ET.Element(f"{{{ATOM_NS}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": lang})
    _el(feed, "id", uuid.uuid5(FEED_NAMESPACE, f"feed:{alert.token_nonce}").urn)
    _el(feed, "title", TITLES.get(lang, TITLES["en"]))
    newest = max([e.created_at for e in entries] + [alert.created_at])
    _el(feed, "updated", _ts(newest))
    author = _el(feed, "author")
    _el(author, "name", "JobsAI")
    _el(feed, "link", rel="self", href=links.feed(read_token), type="application/atom+xml")
    _el(feed, "generator", "JobsAI")
    if alert.status == "needs_refresh":
        entry = _el(feed, "entry")
        _el(entry, "id", uuid.uuid5(FEED_NAMESPACE, f"refresh:{alert.token_nonce}").urn)
        _el(entry, "title", messages.t(lang, "refresh_subject"))
        _el(entry, "updated", _ts(newest))
        _el(entry, "content", messages.t(lang, "refresh_feed"), type="text")  # no link: it names no page
    for row in entries:
        ad = ads.get(row.ad_id)
        entry = _el(feed, "entry")
        _el(entry, "id", uuid.uuid5(FEED_NAMESPACE, f"{alert.token_nonce}:{row.ad_id}").urn)
        _el(entry, "title", ad.headline if ad is not None else row.ad_id, type="text")
        _el(entry, "updated", _ts(row.created_at))
        _el(entry, "link", rel="alternate", type="text/html", href=links.ad(read_token, row.ad_id))
        where = ", ".join(x for x in ((ad.employer_name or ad.employer_workplace) if ad else None,
                                       ad.municipality.label if ad and ad.municipality else None) if x)
        summary = f"{messages.t(lang, 'score')}: {row.score}/100. {row.why}" + (f" ({where})" if where else "")
        _el(entry, "summary", summary, type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
