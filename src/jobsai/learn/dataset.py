"""A training set from feedback: consented, redacted rows only, split by CV.

Text construction is exactly serving's (:mod:`jobsai.embed.text`): a CV becomes its profile
and chunks (``cv_texts``), an ad its title and body texts (``ad_texts``; the feedback row keeps
the ad text as embedded, "title\\n\\nbody"). The model's query/passage prefixes are added at
training time (:mod:`jobsai.learn.train`), the same ones serving uses.

Split: by CV, not by row. Rows are grouped by the sha256 of the (whitespace-normalised) CV text,
so two sessions with the same CV land on the same side, and groups are shuffled with a fixed seed.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from jobsai.embed.text import AdTexts, cv_texts

SearchFn = Callable[[str, int], Sequence[tuple[str, str]]]
"""``search(cv_text, k)`` -> the current index's top ``k`` ads for a CV as (ad_id, ad_text)."""

AD_TEXT_SEPARATOR = "\n\n"


def split_ad_text(ad_text: str) -> AdTexts:
    """The stored ad text ("title\\n\\nbody", as embedded) back into its two passages."""
    title, sep, body = ad_text.partition(AD_TEXT_SEPARATOR)
    return AdTexts(title=title.strip(), body=(body if sep else title).strip())


def join_ad_text(texts: AdTexts) -> str:
    return f"{texts.title}{AD_TEXT_SEPARATOR}{texts.body}"


def cv_key(cv_text: str) -> str:
    return hashlib.sha256(" ".join(cv_text.split()).encode("utf-8")).hexdigest()


@dataclass(slots=True)
class CVFeedback:
    """Everything one CV said: the ads it found relevant / not relevant, and mined hard negatives."""

    cv_key: str
    cv_text: str
    sessions: list[str] = field(default_factory=list)
    positives: dict[str, str] = field(default_factory=dict)
    """ad_id -> ad text (as embedded)."""
    negatives: dict[str, str] = field(default_factory=dict)
    hard_negatives: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class TrainingSet:
    train: list[CVFeedback]
    test: list[CVFeedback]
    seed: int
    skipped_without_consent: int = 0

    def sizes(self) -> dict[str, int]:
        def count(groups: list[CVFeedback], attr: str) -> int:
            return sum(len(getattr(g, attr)) for g in groups)

        return {
            "train_cvs": len(self.train),
            "test_cvs": len(self.test),
            "train_positives": count(self.train, "positives"),
            "train_negatives": count(self.train, "negatives"),
            "train_hard_negatives": count(self.train, "hard_negatives"),
            "test_positives": count(self.test, "positives"),
            "test_negatives": count(self.test, "negatives"),
            "rows_without_consent_skipped": self.skipped_without_consent,
        }


def group_feedback(rows: Iterable[Any]) -> tuple[list[CVFeedback], int]:
    """Consented rows with a redacted CV, grouped by CV; returns (groups, rows skipped).

    ``rows`` are :class:`~jobsai.store.feedback.FeedbackRow` (or anything with the same fields).
    A later row for the same (CV, ad) overwrites an earlier one (latest wins).
    """
    groups: dict[str, CVFeedback] = {}
    skipped = 0
    for row in sorted(rows, key=lambda r: (r.updated_at, r.id)):
        if not row.consent or not row.cv_text_redacted:
            skipped += 1
            continue
        key = cv_key(row.cv_text_redacted)
        g = groups.setdefault(key, CVFeedback(cv_key=key, cv_text=row.cv_text_redacted))
        if row.session_id not in g.sessions:
            g.sessions.append(row.session_id)
        g.positives.pop(row.ad_id, None)
        g.negatives.pop(row.ad_id, None)
        (g.positives if row.label == "relevant" else g.negatives)[row.ad_id] = row.ad_text
    return sorted(groups.values(), key=lambda g: g.cv_key), skipped


def mine_hard_negatives(groups: Iterable[CVFeedback], search: SearchFn, *, k: int = 20, per_cv: int = 5,
                        skip_top: int = 0) -> None:
    """Fill ``hard_negatives`` with the index's top ads for each CV that the person did not mark relevant.

    ``skip_top`` leaves out the very first hits (the likeliest unlabelled true positives).
    """
    for g in groups:
        positive_texts = set(g.positives.values())
        found: dict[str, str] = {}
        for ad_id, ad_text in list(search(g.cv_text, k))[skip_top:]:
            if ad_id in g.positives or ad_id in g.negatives or ad_text in positive_texts:
                continue
            found[ad_id] = ad_text
            if len(found) >= per_cv:
                break
        g.hard_negatives = found


def build_training_set(
    rows: Iterable[Any],
    *,
    search: SearchFn | None = None,
    test_fraction: float = 0.2,
    seed: int = 13,
    hard_negatives_per_cv: int = 5,
) -> TrainingSet:
    """Group consented feedback by CV, split by CV (fixed seed), mine hard negatives for training CVs."""
    groups, skipped = group_feedback(rows)
    groups = [g for g in groups if g.positives or g.negatives]
    order = list(groups)
    random.Random(seed).shuffle(order)
    n_test = math.ceil(len(order) * test_fraction) if len(order) > 1 and test_fraction > 0 else 0
    test, train = order[:n_test], order[n_test:]
    if search is not None and hard_negatives_per_cv > 0:
        mine_hard_negatives(train, search, per_cv=hard_negatives_per_cv)
    train.sort(key=lambda g: g.cv_key)
    test.sort(key=lambda g: g.cv_key)
    return TrainingSet(train=train, test=test, seed=seed, skipped_without_consent=skipped)


def training_triplets(groups: Sequence[CVFeedback], *, max_chunks: int = 2) -> list[tuple[str, str, str]]:
    """(anchor CV text, positive ad text, negative ad text), without prefixes.

    Anchors are the CV's profile, headline and first ``max_chunks`` chunks (what serving embeds); each
    is paired with every positive ad's title and body text, and a negative of the same kind
    (explicit negatives first, then hard negatives, cycling). A CV without any negative is
    left out: a made-up negative could be a true positive. The loss also uses the batch's other
    positives as negatives.
    """
    out: list[tuple[str, str, str]] = []
    for g in groups:
        cv = cv_texts(g.cv_text)
        anchors = list(dict.fromkeys([cv.profile, *([cv.headline] if cv.headline else []), *cv.chunks[:max_chunks]]))
        negs = [split_ad_text(t) for t in [*g.negatives.values(), *g.hard_negatives.values()]]
        if not negs:
            continue
        i = 0
        for pos_text in g.positives.values():
            pos = split_ad_text(pos_text)
            for anchor in anchors:
                neg = negs[i % len(negs)]
                i += 1
                out.append((anchor, pos.title, neg.title))
                if pos.body and neg.body and pos.body != pos.title:
                    out.append((anchor, pos.body, neg.body))
    return out


def export_jsonl(training_set: TrainingSet, path: Path) -> int:
    """Write the training set as JSON Lines (one CV per line, with its split); returns lines written.

    Contains the redacted CV texts of consenting people: treat the file as personal data.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for split, groups in (("train", training_set.train), ("test", training_set.test)):
            for g in groups:
                fh.write(json.dumps({"split": split, **asdict(g)}, ensure_ascii=False) + "\n")
                n += 1
    return n
