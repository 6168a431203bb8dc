"""Swedish BM25 sparse vectors: one analyzer for documents and queries, for every backend.

The text analysis (word tokenizer, lowercase, Swedish Snowball stemming, Swedish plus a
curated set of English stopwords, hashed term ids) is Qdrant Edge's own ``Bm25`` model, so
the embedded shard and a Qdrant server index exactly the same terms. Document vectors carry
BM25's saturated term frequency; the index applies IDF (sparse ``modifier=idf``), and query
vectors mark term presence with weight 1.0, so a query's score is textbook BM25.

Ads are mostly Swedish with some English: Swedish stemming is applied to all text (English
words still match their exact form and many plurals), and common English function words are
dropped so they do not dominate English ads. ``it`` is deliberately kept: "IT" is a term
that matters in Swedish job ads ("IT-tekniker").
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable

import qdrant_edge

from jobsai.index.base import SparseVector

DEFAULT_K1 = 1.2
DEFAULT_B = 0.75
DEFAULT_AVG_LEN = 250.0
"""Average analysed length (tokens after stopwords) of headline + description over the 91
reference ads in ``shared/data/jobtech`` (median 226, mean 250). Fixed, not learned from the
corpus, so a document's vector never changes when other ads come and go."""

# fmt: off
ENGLISH_STOPWORDS: frozenset[str] = frozenset((
    "a", "about", "above", "after", "again", "against", "am", "an", "and", "any", "are", "as", "at",
    "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can",
    "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from",
    "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him",
    "himself", "his", "how", "if", "in", "into", "is", "its", "itself", "just", "me", "more",
    "most", "my", "myself", "no", "nor", "not", "of", "off", "on", "once", "only", "or", "other",
    "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so", "some", "such",
    "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these",
    "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we",
    "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with",
    "would", "you", "your", "yours", "yourself", "yourselves", "also", "may", "might", "must",
    "shall",
))
"""Common English function words; ``it`` and ``us`` are left out on purpose (IT, US)."""
# fmt: on

_PROBE_TEXT = (
    "Vi söker legitimerade sjuksköterskor och en IT-tekniker till Göteborgs kontor. "
    "We are looking for nurses and developers with experience of Java, C# and SQL."
)


class Bm25Encoder:
    """Turns text into BM25 sparse vectors; the same instance serves documents and queries.

    Term ids are a deterministic hash of the analysed term (no vocabulary file, stable across
    processes and machines); ``signature`` identifies the analysis so an index can refuse
    vectors from a different one.
    """

    def __init__(
        self, k1: float = DEFAULT_K1, b: float = DEFAULT_B, avg_len: float = DEFAULT_AVG_LEN
    ) -> None:
        self.k1 = k1
        self.b = b
        self.avg_len = avg_len
        config = qdrant_edge.Bm25Config(
            k=k1,
            b=b,
            avg_len=avg_len,
            tokenizer=qdrant_edge.TokenizerType.Word,
            language="swedish",
            lowercase=True,
            ascii_folding=False,
            stopwords=qdrant_edge.StopwordsSet(
                languages={qdrant_edge.Language.Swedish}, custom=set(ENGLISH_STOPWORDS)
            ),
            stemmer=qdrant_edge.SnowballParams(qdrant_edge.SnowballLanguage.Swedish),
        )
        self._model = qdrant_edge.Bm25(config)
        self._signature = self._compute_signature()

    @property
    def signature(self) -> str:
        """Identifies tokenizer, stemmer, stopwords, hashing and BM25 parameters together.

        Computed from the vectors of a fixed probe text, so any change in the underlying
        library's analysis (not only in our settings) changes it too.
        """
        return self._signature

    def embed_document(self, text: str) -> SparseVector:
        """BM25 term-frequency vector of an ad (IDF is applied by the index)."""
        return _convert(self._model.embed_document(text))

    def embed_documents(self, texts: Iterable[str]) -> list[SparseVector]:
        return [self.embed_document(t) for t in texts]

    def embed_query(self, text: str) -> SparseVector:
        """Term-presence vector (each distinct term weighs 1.0); empty if no term survives."""
        return _convert(self._model.embed_query(text))

    def _compute_signature(self) -> str:
        doc = self._model.embed_document(_PROBE_TEXT)
        query = self._model.embed_query(_PROBE_TEXT)
        h = hashlib.sha256()
        h.update(f"k1={self.k1};b={self.b};avg_len={self.avg_len};".encode())
        for vec in (doc, query):
            h.update(struct.pack(f"<{len(vec.indices)}I", *vec.indices))
            h.update(struct.pack(f"<{len(vec.values)}f", *vec.values))
        return f"bm25-sv-snowball:{h.hexdigest()[:16]}"


def _convert(vec: qdrant_edge.SparseVector) -> SparseVector:
    return SparseVector(indices=tuple(vec.indices), values=tuple(float(v) for v in vec.values))
