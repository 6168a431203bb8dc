"""How texts are grouped into forward passes: sorted by token length, cut where padding would
waste work, and capped in padded tokens so that memory stays bounded on any device."""

from __future__ import annotations

import numpy as np

CPU_BATCH_TOKENS = 2048
"""E.g. 8 ad bodies of 256 tokens. On two cores, 512 real ad texts took 12 % less CPU time and
60-170 MiB less peak memory at 2048 than at 8192 (about the old 32 texts a batch); 1024 was no
clearly better (``bench/batch_tokens.py``)."""
GPU_BATCH_SIZE = 256
GPU_BATCH_TOKENS = 65536
"""A GPU is only busy with large batches: up to 256 texts or 64k padded tokens per pass."""


LATENCY_TEXTS = 16
"""An encode of at most this many texts (a CV is ~7) on an encoder with several streams runs one
text per request: nothing is padded and the texts run side by side (``embed/openvino_backend.py``).
Larger encodes are about throughput and keep the padded batches below."""
MAX_QUERY_STREAMS = 4
"""Streams of a server's query encoder at most: a CV's ~7 texts keep four busy; more would split
the cores thinner than one CV can use."""


MIN_BATCH_FILL = 0.5
"""A batch is padded to its longest text; a text less than half as long starts a new batch."""


def length_batches(
    order: np.ndarray, lengths: np.ndarray, batch_size: int, *, max_tokens: int | None = None
) -> list[np.ndarray]:
    """Split indices sorted longest first into batches of at most ``batch_size`` texts and at
    most ``max_tokens`` padded tokens (texts x the first, longest one) that waste little on padding.

    Why: a CV is encoded as a few long chunks plus a short title line; padding the title to a
    chunk's length would cost a whole extra chunk of compute, far more than one more pass.
    """
    batches: list[np.ndarray] = []
    start = 0
    for end in range(1, len(order) + 1):
        longest = int(lengths[order[start]])
        full = end - start == batch_size or (max_tokens is not None and (end - start + 1) * longest > max_tokens)
        last = end == len(order)
        if full or last or lengths[order[end]] < MIN_BATCH_FILL * lengths[order[start]]:
            batches.append(order[start:end])
            start = end
    return batches
