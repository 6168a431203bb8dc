"""JobsAI: match a CV against every live Swedish job ad, and learn from feedback."""

__version__ = "0.1.0"
