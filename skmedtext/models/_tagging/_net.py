"""The core's net for per-token targets: mask the padding, then the core's loss."""

from skorch.utils import to_tensor

from skmedtext.training import TextNet

__all__ = ["TaggerNet"]


class TaggerNet(TextNet):
    """:class:`~skmedtext.training.TextNet` whose targets are ``(batch, time)`` tag indices.

    The emissions ``(batch, time, n_tags)`` and the targets are reduced to the
    real positions (targets >= 0) before the core's loss runs, so the
    classification criterion (``ce``, ``weighted_ce``, ``focal``, ...) scores
    each token as one sample; the CRF negative log-likelihood, when the module
    returns one, is the core's auxiliary term.
    """

    def get_loss(self, y_pred, y_true, X=None, training=False):
        emissions, rest = (y_pred[0], y_pred[1:]) if isinstance(y_pred, tuple) else (y_pred, ())
        y_true = to_tensor(y_true, device=self.device)
        mask = y_true >= 0
        flat = emissions[mask]
        return super().get_loss((flat, *rest) if rest else flat, y_true[mask], X, training)
