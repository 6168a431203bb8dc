"""Query and passage prefixes: e5-family models were trained to read ``query: `` before a search
text and ``passage: `` before a document, and embed worse without them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

TextKind = Literal["query", "passage"]


@dataclass(frozen=True, slots=True)
class Prefixes:
    """Strings prepended to texts before embedding (e5-family models need them)."""

    query: str = ""
    passage: str = ""

    def for_kind(self, kind: TextKind) -> str:
        return self.query if kind == "query" else self.passage


E5_PREFIXES = Prefixes(query="query: ", passage="passage: ")
NO_PREFIXES = Prefixes()
