"""Embed: what text represents an ad or a CV, and the model that turns it into vectors."""
