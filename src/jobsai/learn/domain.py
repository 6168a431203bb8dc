"""Domain adaptation before any user feedback: teach the base model which ads are the same job.

The base model (multilingual-e5-small) was trained on web text: it knows that "sjuksköterska"
and "nurse" are close, but not that a CV headed "Undersköterska" belongs with the ads of that
occupation rather than with ads that merely share words ("legitimerad", "kund", "dag"). Every ad
in the store already says which job it is — its occupation, occupation group and field concept
ids — so the store itself is weak supervision, with no CV and no personal data involved:

* **anchors** are CV-like texts written from an ad's own job: its headline (the title line a CV
  would carry), its occupation label, a short profile sentence built from the occupation and the
  skills its ads ask for, and an 80-word window of its description (what a CV's experience lines
  say about the work);
* **positives** are ads of the same occupation (the same ad when it is its occupation's only
  one; its title text then, not the body the window came from);
* **hard negatives** are ads of a neighbouring group (same occupation field, other group), else
  of any other group: what the model must learn to push apart.

Everything is drawn with one seed, so the same store gives the same triplets. The texts pass
through the serving functions (``embed.text``), so the model learns on what it will be asked.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import Connection

from jobsai.embed.text import ad_texts, clean_ad_description, cv_texts
from jobsai.learn.dataset import join_ad_text
from jobsai.sources.ads import Ad
from jobsai.store.ads import iter_live_ads

_PROFILES_SV = (
    "{label} med flera års erfarenhet. Kompetenser: {skills}.",
    "Jag arbetar som {label_lower} och söker nu en ny tjänst. {skills}.",
    "Erfaren {label_lower}. Van vid {skills}.",
)
_PROFILES_EN = (
    "Experienced {label_lower} ({label}). Skills: {skills}.",
    "Looking for a position as {label_lower}. {skills}.",
)
WINDOW_WORDS = 80


def _anchor_texts(ad: Ad, skills: Sequence[str], rng: random.Random) -> list[tuple[str, bool]]:
    """CV-like texts for one ad, each with whether it came from the ad's own body."""
    label = ad.occupation.label if ad.occupation and ad.occupation.label else ad.headline
    shown = ", ".join(rng.sample(list(skills), min(5, len(skills)))) if skills else label
    template = rng.choice(_PROFILES_EN if rng.random() < 0.25 else _PROFILES_SV)
    anchors = [
        (ad.headline.strip(), False),
        (label, False),
        (template.format(label=label, label_lower=label.lower(), skills=shown), False),
    ]
    words = clean_ad_description(ad.description).split()
    if len(words) >= 30:
        start = rng.randrange(0, max(1, len(words) - WINDOW_WORDS))
        window = " ".join(words[start : start + WINDOW_WORDS])
        anchors.append((cv_texts(window).chunks[0], True))
    return anchors


def live_ads_sample(conn: Connection, limit: int, *, seed: int = 13) -> list[Ad]:
    """The store's live ads, or a seeded sample of ``limit`` of them: enough to learn from, bounded in time."""
    ads = list(iter_live_ads(conn))
    return ads if len(ads) <= limit else random.Random(seed).sample(ads, limit)


def domain_triplets(ads: Sequence[Ad], *, seed: int = 13, max_triplets: int = 20_000) -> list[tuple[str, str, str]]:
    """(CV-like anchor, same-occupation ad text, neighbouring-group ad text) from the store's ads."""
    rng = random.Random(seed)
    usable = sorted(
        (a for a in ads if a.occupation and a.occupation_group and a.occupation.concept_id),
        key=lambda a: a.id,
    )
    if len(usable) < 2:
        return []
    texts = {a.id: ad_texts(a) for a in usable}
    by_occ: dict[str, list[Ad]] = defaultdict(list)
    by_field: dict[str, list[Ad]] = defaultdict(list)
    for a in usable:
        by_occ[a.occupation.concept_id].append(a)  # type: ignore[union-attr]
        by_field[a.occupation_field.concept_id if a.occupation_field else ""].append(a)
    skills = {
        occ: sorted({s.label for a in members for s in a.skills if s.label}) for occ, members in by_occ.items()
    }
    triplets: list[tuple[str, str, str]] = []
    for ad in usable:
        occ = ad.occupation.concept_id  # type: ignore[union-attr]
        group = ad.occupation_group.concept_id  # type: ignore[union-attr]
        peers = [a for a in by_occ[occ] if a.id != ad.id]
        field = ad.occupation_field.concept_id if ad.occupation_field else ""
        near = [a for a in by_field[field] if a.occupation_group and a.occupation_group.concept_id != group]
        far = near or [a for a in usable if a.occupation_group and a.occupation_group.concept_id != group]
        if not far:
            continue
        for anchor, from_body in _anchor_texts(ad, skills[occ], rng):
            if not anchor.strip():
                continue
            if peers:
                positive = join_ad_text(texts[rng.choice(peers).id])
            else:
                own = texts[ad.id]
                positive = own.title if from_body else join_ad_text(own)
            triplets.append((anchor, positive, join_ad_text(texts[rng.choice(far).id])))
    rng.shuffle(triplets)
    return triplets[:max_triplets]
