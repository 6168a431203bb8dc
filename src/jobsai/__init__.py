"""JobsAI: match a CV against every live Swedish job ad, and learn from feedback."""

import os as _os

# Torch's OpenMP threads spin at every barrier by default. On a laptop where anything else
# wants a core (a browser, the in-process worker, a second request) a spinning thread that is
# descheduled stalls every layer of the model: encoding a CV went from 0.25 s to 2 s at p50.
# Passive waiting keeps it at 0.26-0.45 s under the same load. It must be set before torch is
# first imported, which is why it lives here; a value the user set wins.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__version__ = "0.1.0"
