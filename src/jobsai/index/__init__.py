"""Index: one interface over Qdrant Edge (embedded) and a Qdrant server (dense + Swedish BM25)."""
