"""What every embedder shares: text input, the output array, and feature names.

An embedder gives either one vector per text (``output`` equal to its
``_vector_output``) or a ``(max_length, d)`` sequence per text with exact zero
vectors as padding; only the vector output has feature names.
"""

import numpy as np
from sklearn.base import TransformerMixin
from sklearn.utils.validation import check_is_fitted

from skmedtext.utils import TextInputMixin, check_texts

__all__ = ["EmbedderMixin"]


class EmbedderMixin(TextInputMixin, TransformerMixin):
    """Input checks, output allocation and ``get_feature_names_out`` of an embedder.

    Subclasses implement ``_embed``, set ``_vector_output`` (the ``output`` value
    of one vector per text) and ``_feature_prefix``, and ``n_features_out_`` when
    fitted.
    """

    _vector_output = None
    _feature_prefix = None

    def _check_fit_input(self, X):
        return check_texts(X, estimator_name=type(self).__name__)

    def _check_transform_input(self, X):
        check_is_fitted(self, "n_features_out_")
        # output and max_length may be changed with set_params after fit
        self._validate_params()
        return check_texts(X, estimator_name=type(self).__name__, allow_empty=True)

    def transform(self, X):
        """Embed texts.

        Parameters
        ----------
        X : sequence of str of length n

        Returns
        -------
        embeddings : ndarray of shape (n, d) or (n, max_length, d), float32
            One vector per text, or (sequence output) the vectors of the first
            ``max_length`` units with exact zero vectors as padding.
        """
        X = self._check_transform_input(X)
        out = self._empty_output(len(X))
        if len(X):
            self._embed(X, out)
        return out

    def _embed(self, X, out):
        """Write the embeddings of the checked, non-empty texts ``X`` into ``out``."""
        raise NotImplementedError

    def _empty_output(self, n_texts):
        """Zeros of shape ``(n, d)``, or ``(n, max_length, d)`` for sequence output."""
        d = self.n_features_out_
        if self.output == self._vector_output:
            return np.zeros((n_texts, d), dtype=np.float32)
        return np.zeros((n_texts, self.max_length, d), dtype=np.float32)

    def get_feature_names_out(self, input_features=None):
        """Names ``<prefix>0 ... <prefix>{d-1}`` of the vector output's columns.

        Parameters
        ----------
        input_features : ignored

        Returns
        -------
        names : ndarray of str, shape (d,)

        Raises
        ------
        AttributeError
            For sequence output, whose rows are not flat feature vectors.
        """
        check_is_fitted(self, "n_features_out_")
        if self.output != self._vector_output:
            raise AttributeError(
                f"feature names exist only for output={self._vector_output!r}."
            )
        names = [f"{self._feature_prefix}{i}" for i in range(self.n_features_out_)]
        return np.asarray(names, dtype=object)
