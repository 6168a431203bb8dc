"""A stand-in parser for the parse pool's tests: it misbehaves on request, else reads the file as the app does.

The hostile files of issue 14 depend on what the extractor guards against at the moment (a guard
added to it makes one of them cheap, which is the point of guards), so the pool's own limits are
tested with inputs that are costly by construction. A worker runs this module when a test names
``ParsePool(parser=PARSER)``; ``tests/`` must be on the worker's ``PYTHONPATH``.
"""

from __future__ import annotations

import time
from typing import Any

from jobsai.cv.extract import CVText, extract_cv_text

PARSER = "support.slow_parser:parse"
BURN = b"burn: spin on the CPU until the CPU limit stops it"
EAT = b"eat: allocate until the memory limit stops it"
SLEEP = b"sleep: wait until the wall-clock limit (or a cancel) stops it"


def parse(data: bytes, **kwargs: Any) -> CVText:
    if data.startswith(BURN[:4]):
        while True:
            pass
    if data.startswith(EAT[:3]):
        hoard = []
        while True:
            hoard.append(bytearray(16 * 1024 * 1024))
    if data.startswith(SLEEP[:5]):
        time.sleep(3600)
    return extract_cv_text(data, **kwargs)
