"""skmedtext.pretrain."""

from skmedtext.pretrain._corpus import read_corpus
from skmedtext.pretrain._mlm import MLM_SIZES, pretrain_mlm
from skmedtext.pretrain._tokenizer import train_wordpiece_tokenizer
from skmedtext.pretrain._word2vec import (
    WORD2VEC_PARAMETER_CONSTRAINTS,
    load_word_vectors,
    save_word_vectors,
    train_word2vec,
)

__all__ = [
    "WORD2VEC_PARAMETER_CONSTRAINTS",
    "MLM_SIZES",
    "load_word_vectors",
    "pretrain_mlm",
    "read_corpus",
    "save_word_vectors",
    "train_word2vec",
    "train_wordpiece_tokenizer",
]
