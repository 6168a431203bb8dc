"""Simulated users for tests and ``bench/learn_sim.py``: known target occupations, noisy feedback.

Each user has a target occupation taken from the demo ads and a fictional CV written from the
occupation's label and the skills its ads ask for. They judge the ads the current model shows
them (its top ``shown``) plus a couple found with the occupation filter; "relevant" means same
occupation group, flipped with probability ``noise``. ``adversarial=True`` inverts every label
(a poisoned batch); ``random_labels=True`` gives coin-flip labels.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from jobsai.embed.text import ad_texts
from jobsai.learn.dataset import join_ad_text
from jobsai.learn.evaluate import STEncoder, encode_ads, rank_ads
from jobsai.sources.ads import Ad
from jobsai.store.feedback import FeedbackEntry, new_deletion_token, new_session_id

_OPENINGS = ("Erfaren {label} som söker nya utmaningar.", "Jag arbetar som {label} sedan flera år.",
             "{label} med bred erfarenhet och gott omdöme.")


@dataclass(frozen=True, slots=True)
class SimUser:
    session_id: str
    occupation_id: str
    group_id: str
    cv_text: str


def simulated_users(ads: Sequence[Ad], n_users: int, *, seed: int = 0, min_ads: int = 3) -> list[SimUser]:
    rng = random.Random(seed)
    by_occ: dict[str, list[Ad]] = defaultdict(list)
    for ad in ads:
        if ad.occupation and ad.occupation_group:
            by_occ[ad.occupation.concept_id].append(ad)
    occs = sorted(o for o, a in by_occ.items() if len(a) >= min_ads)
    users = []
    for i in range(n_users):
        occ = occs[i % len(occs)] if i < len(occs) else rng.choice(occs)
        sample = by_occ[occ]
        label = sample[0].occupation.label  # type: ignore[union-attr]
        skills = sorted({s.label for a in sample for s in a.skills if s.label})
        rng.shuffle(skills)
        text = "\n".join([
            "Curriculum vitae",
            rng.choice(_OPENINGS).format(label=label),
            f"Yrke: {label}. Kompetenser: {', '.join(skills[:8]) or label}.",
            f"Erfarenhet: {rng.randint(2, 15)} år som {label.lower()} hos olika arbetsgivare.",
            "Utbildning: relevant yrkesutbildning. Körkort B.",
        ])
        users.append(SimUser(new_session_id(), occ, sample[0].occupation_group.concept_id, text))  # type: ignore[union-attr]
    return users


def simulate_feedback(
    users: Sequence[SimUser], ads: Sequence[Ad], encoder: STEncoder, *, shown: int = 10, browsed: int = 2,
    noise: float = 0.1, adversarial: bool = False, random_labels: bool = False, seed: int = 0,
) -> list[FeedbackEntry]:
    rng = random.Random(seed)
    texts = [ad_texts(a) for a in ads]
    titles, bodies = encode_ads(encoder, texts)
    entries = []
    for user in users:
        order = [int(i) for i in rank_ads(encoder, user.cv_text, titles, bodies)[:shown]]
        same = [i for i, a in enumerate(ads) if a.occupation and a.occupation.concept_id == user.occupation_id]
        extra = rng.sample(same, min(browsed, len(same)))
        token = new_deletion_token()
        for rank, i in enumerate(dict.fromkeys([*order, *extra]), start=1):
            ad = ads[i]
            relevant = bool(ad.occupation_group and ad.occupation_group.concept_id == user.group_id)
            if random_labels:
                relevant = rng.random() < 0.5
            elif adversarial or rng.random() < noise:
                relevant = not relevant
            entries.append(FeedbackEntry(
                session_id=user.session_id, ad_id=ad.id, ad_text=join_ad_text(texts[i]),
                label="relevant" if relevant else "not_relevant", rank=rank, score=50, model_version="sim",
                deletion_token=token, consent=True, cv_text_redacted=user.cv_text,
            ))
    return entries


def demo_search(encoder: STEncoder, ads: Sequence[Ad]):  # -> SearchFn
    """A hard-negative search over the given ads with ``encoder`` (stands in for the live index)."""
    texts = [ad_texts(a) for a in ads]
    titles, bodies = encode_ads(encoder, texts)

    def search(cv_text: str, k: int) -> list[tuple[str, str]]:
        return [(ads[int(i)].id, join_ad_text(texts[int(i)])) for i in rank_ads(encoder, cv_text, titles, bodies)[:k]]

    return search
