"""skmedtext.pretrain."""

from skmedtext.pretrain._word2vec import load_word_vectors, train_word2vec

__all__ = ["load_word_vectors", "train_word2vec"]
