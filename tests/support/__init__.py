"""Helpers shared by tests (``tests/`` is on ``sys.path``: ``from support.tiny_model import ...``)."""
