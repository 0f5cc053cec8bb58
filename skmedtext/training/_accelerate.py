"""Multi-process (multi-GPU, multi-node) training of the skmedtext classifiers with accelerate.

skorch ships :class:`skorch.hf.AccelerateMixin`, which hands the module, the
optimizer and the data loaders to a Hugging Face ``accelerate.Accelerator``
(DistributedDataParallel, mixed precision, gradient accumulation). The
classifiers build their :class:`~skmedtext.training.TextNet` inside ``fit``;
:func:`fit_accelerated` runs that same fit with a net builder of its own, which
builds an :class:`AcceleratedTextNet` for that one fit, and hands back an ordinary
fitted classifier (plain ``TextNet``, picklable, predicting locally on every
process).

Launch one process per device with ``accelerate launch`` or ``torchrun``; every
process runs the same script with the same data and ``random_state``. See
``docs/scaling.md``.
"""

import math

from skorch.hf import AccelerateMixin

from skmedtext.training._net import TextNet

__all__ = ["AcceleratedTextNet", "fit_accelerated"]


class AcceleratedTextNet(AccelerateMixin, TextNet):
    """:class:`~skmedtext.training.TextNet` whose training loop runs through ``accelerate``.

    Parameters are those of ``TextNet`` plus ``accelerator`` (an
    ``accelerate.Accelerator``) and ``unwrap_after_train``; ``device`` must stay
    ``None`` (the accelerator places the module). Use it through
    :func:`fit_accelerated`.
    """

    def _initialize_accelerator(self):
        if self._wrapped_with_accelerator:
            return self
        # skorch prepares every criterion, but DistributedDataParallel refuses a module
        # without trainable parameters (every skmedtext loss): those are only moved
        # to the accelerator's device
        criteria = self._criteria
        trainable = []
        for name in criteria:
            criterion = getattr(self, name + "_")
            if any(p.requires_grad for p in criterion.parameters()):
                trainable.append(name)
            else:
                setattr(self, name + "_", criterion.to(self.accelerator.device))
        self._criteria = trainable
        try:
            return super()._initialize_accelerator()
        finally:
            self._criteria = criteria


def _silent(*args, **kwargs):
    """A print sink that prints nothing (``verbose=0``)."""


def default_accelerator(**kwargs):
    """An ``Accelerator`` suited to the skmedtext classifiers.

    - ``rng_types=["torch"]``: the length-bucketed batch sampler draws its
      permutation from torch's global generator, which accelerate then broadcasts
      from process 0 at the start of every epoch, so that the processes split one
      shared batch order between them instead of drawing overlapping batches;
    - ``find_unused_parameters=True``: DMT-BERT's co-occurrence head is unused in
      batches without disease-term pairs, which plain DDP refuses.

    ``kwargs`` go to ``Accelerator`` (e.g. ``mixed_precision="bf16"``, ``cpu=True``).
    """
    from accelerate import Accelerator
    from accelerate.utils import DistributedDataParallelKwargs

    handlers = kwargs.pop("kwargs_handlers", None) or [
        DistributedDataParallelKwargs(find_unused_parameters=True)
    ]
    kwargs.setdefault("rng_types", ["torch"])
    return Accelerator(kwargs_handlers=handlers, **kwargs)


def fit_accelerated(estimator, X, y, *, accelerator=None):
    """Fit a skmedtext torch classifier with its training loop run by ``accelerate``.

    Every process of a distributed launch calls this with the same estimator
    parameters and data. The training batches of each epoch are split between
    the processes (each takes every ``num_processes``-th batch of one shared,
    seeded order), gradients are averaged by DistributedDataParallel, so the
    weights stay identical on every process. The learning-rate schedule counts the
    steps each process takes. After training the estimator holds a plain
    ``TextNet``: it pickles, saves with :func:`skmedtext.persistence.save_model`
    and predicts on each process independently (save from process 0 only).

    Parameters
    ----------
    estimator : DMTBertClassifier or a sequence classifier
        An unfitted (or to be refitted) skmedtext classifier. Its ``device`` and
        ``amp`` parameters are ignored during training: the accelerator places
        the model and decides on mixed precision.
    X, y : texts and labels, as for ``estimator.fit``
    accelerator : accelerate.Accelerator or None, default=None
        ``None`` uses :func:`default_accelerator`. A custom one should keep
        ``rng_types=["torch"]`` (or the classifier ``bucket=False``).

    Returns
    -------
    estimator : the fitted estimator

    Raises
    ------
    ValueError
        For ``n_iter_no_change`` (processes would stop at different epochs) and
        ``checkpoint_dir`` (every process would write the folder); both are for
        single-process fits.

    Examples
    --------
    >>> from skmedtext.models import TextCNNClassifier
    >>> from skmedtext.training import fit_accelerated
    >>> texts = ["胸痛胸闷三天", "心慌胸闷气短", "胃痛腹泻两天", "腹胀胃痛反酸"] * 4
    >>> labels = ["心内科", "心内科", "消化科", "消化科"] * 4
    >>> clf = TextCNNClassifier(filters=8, max_epochs=1, random_state=0)
    >>> fit_accelerated(clf, texts, labels).predict(texts[:2]).shape  # doctest: +SKIP
    (2,)
    """
    estimator._validate_params()
    name = type(estimator).__name__
    if getattr(estimator, "n_iter_no_change", None) is not None:
        raise ValueError(
            f"{name}: n_iter_no_change (early stopping) is not supported by fit_accelerated; each "
            "process would decide on its own validation shard and stop at a different epoch."
        )
    if getattr(estimator, "checkpoint_dir", None) is not None:
        raise ValueError(
            f"{name}: checkpoint_dir is not supported by fit_accelerated; use it in "
            "single-process fits."
        )
    if accelerator is None:
        accelerator = default_accelerator()
    built = {}

    def accelerated_net(module, criterion, device, valid_ds, n_train_batches, completed_epochs=0,
                        checkpoint=None):  # fmt: skip
        # each process takes ceil(n / num_processes) batches per epoch (accelerate's
        # even_batches), and the schedule is stepped once per batch on each of them
        per_process = math.ceil(n_train_batches / accelerator.num_processes)
        net = estimator._make_net(
            module, criterion, device, valid_ds, per_process, completed_epochs, checkpoint
        )
        params = net.get_params(deep=False)
        params.pop("device", None)
        params.pop("amp", None)  # accelerate's own autocast replaces TextNet's
        # skorch prints the epoch log through a custom sink whatever verbose says
        params["callbacks__print_log__sink"] = accelerator.print if net.verbose else _silent
        built["plain"] = net
        return AcceleratedTextNet(accelerator=accelerator, device=None, amp=False, **params)

    # the same steps as estimator.fit (validated just above), with this one net builder
    estimator._fit(X, y, accelerated_net)
    trained = estimator.net_
    plain = built["plain"]
    plain.initialize()  # the module instance is shared: it holds the trained weights
    plain.history = trained.history
    estimator.net_ = plain
    estimator.history_ = plain.history
    return estimator
