"""Estimator tags shared by everything that takes raw texts."""

__all__ = ["TextInputMixin"]


class TextInputMixin:
    """Declare the input as a 1-D sequence of strings (scikit-learn input tags).

    Put it first among the bases so that its ``__sklearn_tags__`` sees the tags of
    ``BaseEstimator`` and the other mixins; estimators add their own tags on top.
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags
