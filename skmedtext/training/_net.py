"""The skorch engine of the training core: :class:`TextNet`.

As in skorch, the net (the training and inference loop) lives apart from the
callbacks (:mod:`skmedtext.training._callbacks`) and from the scikit-learn
estimator that configures it (:mod:`skmedtext.training._core`).
"""

import torch
from skorch import NeuralNetClassifier
from skorch.utils import to_tensor

__all__ = ["TextNet", "softmax_first"]


def softmax_first(output):
    """Probabilities from a module output (the first element when it is a tuple)."""
    if isinstance(output, tuple):
        output = output[0]
    return torch.softmax(output.float(), dim=-1)


class TextNet(NeuralNetClassifier):
    """skorch classifier whose module may return ``(logits, auxiliary_loss)``.

    The training loss is ``lambda_cls * criterion(logits, y) + lambda_aux * aux``
    (paper 000, eq. 21); the auxiliary term is logged as ``train_aux_loss``.
    """

    def __init__(self, *args, lambda_cls=1.0, lambda_aux=0.0, amp=False, **kwargs):
        self.lambda_cls = lambda_cls
        self.lambda_aux = lambda_aux
        self.amp = amp
        super().__init__(*args, **kwargs)

    def infer(self, x, **fit_params):
        # bf16 autocast on CUDA and on CPU alike (resolve_bf16 decided ``amp``): the
        # parameters, their gradients and AdamW's state stay fp32 (master weights);
        # only the matrix products run in bf16
        if self.amp:
            device_type = torch.device(self.device).type
            with torch.autocast(device_type=device_type, dtype=torch.bfloat16):
                return super().infer(x, **fit_params)
        return super().infer(x, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        aux = None
        if isinstance(y_pred, tuple):
            y_pred, aux = y_pred[0], (y_pred[1] if len(y_pred) > 1 else None)
        y_true = to_tensor(y_true, device=self.device)
        loss = self.lambda_cls * self.criterion_(y_pred.float(), y_true)
        if aux is not None and self.lambda_aux:
            loss = loss + self.lambda_aux * aux.float()
            if training:
                self.history.record_batch("train_aux_loss", float(aux.detach()))
        return loss
