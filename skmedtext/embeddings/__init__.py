"""Text -> vectors/sequences transformers (frozen HF encoders, word2vec)."""

from skmedtext.embeddings._transformer import TransformerEmbedder
from skmedtext.embeddings._word2vec import Word2VecEmbedder

__all__ = ["TransformerEmbedder", "Word2VecEmbedder"]
