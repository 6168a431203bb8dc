"""Ad and query texts every inference backend's test encodes, and the ranking check they share:
a faster backend must give the same top 3 as its reference, except where the reference itself has
a near-tie."""

from __future__ import annotations

import numpy as np

ADS = [
    "Sjuksköterska till psykiatrisk mottagning i Katrineholm, heltid, tillsvidare.",
    "Undersköterska till hemtjänsten, dagtid och varannan helg, körkort krävs.",
    "Lagerarbetare med truckkort sökes till lager i Jönköping, treskift.",
    "Backend developer with Python and PostgreSQL, hybrid work in Stockholm.",
    "Senior data engineer for our analytics platform in Gothenburg.",
    "Kock sökes till restaurang i Umeå, kvällar och helger.",
    "Elektriker med behörighet, service och installation i Malmö.",
    "Lärare i matematik och fysik till gymnasieskola i Uppsala.",
    "Lager",
    "",
]
QUERIES = ["sjuksköterska psykiatri", "python utvecklare", "truckkort lager", "kock restaurang Umeå"]


def assert_same_ranking(reference: np.ndarray, got: np.ndarray, tolerance: float) -> None:
    """``got`` (queries x ads scores) within ``tolerance`` of ``reference``, with the same top 3 per
    query except where the reference's 3rd and 4th are closer than ``tolerance``."""
    assert np.abs(got - reference).max() < tolerance
    for q in range(len(reference)):
        order = np.argsort(-reference[q])
        top = list(np.argsort(-got[q])[:3])
        for rank, i in enumerate(order[:3]):
            assert i in top or abs(reference[q, i] - reference[q, order[3]]) < tolerance, (q, rank)
