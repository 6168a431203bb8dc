"""Choose the index backend from the settings: a Qdrant server when one is configured, else the
embedded Qdrant Edge shard under ``data_dir/index``."""

from __future__ import annotations

from pathlib import Path

from jobsai.config import Settings
from jobsai.embed.fingerprint import ModelFingerprint
from jobsai.errors import ConfigError
from jobsai.index.base import VectorIndex
from jobsai.index.bm25 import Bm25Encoder

DEFAULT_INDEX_NAME = "ads"


def edge_index_path(settings: Settings, name: str | None = None) -> Path:
    """Directory of the embedded index called ``name`` (default ``ads``)."""
    return settings.index_dir / _checked(name)


def server_collection(settings: Settings, name: str | None = None) -> str:
    """Collection of the server index ``name``: the configured collection for the default name,
    ``<collection>-<name>`` for others (e.g. a blue/green rebuild ``ads-v2`` beside it)."""
    name = _checked(name)
    if name == DEFAULT_INDEX_NAME:
        return settings.qdrant_collection
    return f"{settings.qdrant_collection}-{name}"


def open_index(
    settings: Settings,
    fingerprint: ModelFingerprint,
    name: str | None = None,
    create: bool = True,
    encoder: Bm25Encoder | None = None,
) -> VectorIndex:
    """Open the index ``name`` for vectors of ``fingerprint`` on the configured backend.

    ``name`` exists so a re-index can build ``ads-<version>`` beside the serving ``ads``.
    """
    encoder = encoder or Bm25Encoder()
    if settings.qdrant_url:
        from jobsai.index.qdrant_server import ServerIndex

        return ServerIndex.connect(
            settings.qdrant_url,
            settings.qdrant_api_key,
            server_collection(settings, name),
            fingerprint,
            create=create,
            encoder=encoder,
            timeout_s=settings.http_timeout_s,
        )
    from jobsai.index.qdrant_edge import EdgeIndex

    return EdgeIndex.open(edge_index_path(settings, name), fingerprint, create=create, encoder=encoder)


def drop_index(settings: Settings, name: str) -> bool:
    """Delete the index ``name`` (edge folder or server collection); False when there was none.

    Raises IndexBusyError when an embedded index is still open somewhere, VectorIndexError
    when the server cannot delete it.
    """
    if settings.qdrant_url:
        from jobsai.index.qdrant_server import ServerIndex, connect_client

        client = connect_client(settings.qdrant_url, settings.qdrant_api_key, settings.http_timeout_s)
        try:
            return ServerIndex.drop(client, server_collection(settings, name), settings.qdrant_url)
        finally:
            client.close()
    from jobsai.index.qdrant_edge import EdgeIndex

    return EdgeIndex.drop(edge_index_path(settings, name))


def _checked(name: str | None) -> str:
    name = DEFAULT_INDEX_NAME if name is None else name
    if not name or name in {".", ".."} or not all(c.isalnum() or c in "-_." for c in name):
        raise ConfigError(f"Invalid index name {name!r}: use letters, digits, '-', '_' or '.'.")
    return name
