"""The one training core: a scikit-learn classifier that trains a torch module with skorch.

Every skmedtext neural classifier (DMT-BERT, StaResGRU-CNN, the baselines) is a thin
subclass of :class:`BaseTextClassifier` that says how to encode texts, how to
collate a batch and which torch module to build; the loop itself (stratified
validation split, early stopping, warm-up + linear decay, gradient clipping, mixed
precision, seeding, length bucketing) lives here once and runs in
:class:`~skmedtext.training.TextNet` (``_net.py``) with the callbacks of
``_callbacks.py``.
"""

import math
import numbers
import os

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.model_selection import StratifiedShuffleSplit
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import EarlyStopping, GradientNormClipping, LRScheduler, ProgressBar
from skorch.helper import predefined_split

from skmedtext.losses import CRITERIA, MULTILABEL_CRITERIA, build_criterion
from skmedtext.training._callbacks import EpochAuxLoss, WarmupLinearSchedule
from skmedtext.training._checkpoint import CheckpointFolder
from skmedtext.training._data import EncodedDataset, make_loader
from skmedtext.training._health import DivergenceGuard
from skmedtext.training._multilabel import (
    check_score_target,
    encode_multilabel_target,
    is_multilabel_y,
    multilabel_criterion,
    multilabel_holdout,
    sigmoid_first,
    tune_label_thresholds,
)
from skmedtext.training._net import TextNet, softmax_first
from skmedtext.utils import (
    TextInputMixin,
    check_text_target,
    check_texts,
    int_seed,
    resolve_bf16,
    resolve_device,
)

__all__ = ["BaseTextClassifier", "CORE_PARAMS_DOC"]

#: numpydoc entries of the core parameters, for the docstrings of subclasses
CORE_PARAMS_DOC = """criterion : str, torch.nn.Module or class, default="ce"
        Loss for the classification task, resolved by
        :func:`skmedtext.losses.build_criterion` with the training fold's class
        counts: ``"ce"``, ``"weighted_ce"``, ``"focal"``, ``"ghm"``, the paper-001
        loss, or a loss module instance.
    max_epochs : int
        Number of passes over the training data.
    batch_size : int
        Rows per training batch.
    lr : float
        Peak learning rate of AdamW.
    weight_decay : float
        AdamW weight decay (default 0.01 for DMT-BERT, 0 for the sequence models).
    warmup_ratio : float, default=0.1
        Fraction of all optimisation steps spent warming the learning rate up
        linearly from 0; it then decays linearly to 0.
    validation_fraction : float, default=0.0
        Fraction of the training data held out (stratified) to monitor
        ``valid_loss``. 0 trains on everything.
    n_iter_no_change : int or None, default=None
        Early-stopping patience in epochs on ``valid_loss`` (needs
        ``validation_fraction > 0``); the best epoch's weights are restored.
    grad_clip : float or None, default=1.0
        Maximum gradient norm.
    bucket : bool, default=True
        Draw training batches from length-sorted chunks (less padding).
    pad_to_multiple_of : int, default=8
        Batch lengths are rounded up to this multiple so tensor shapes repeat.
    device : str, default="auto"
        ``"auto"`` (CUDA when available), ``"cpu"`` or ``"cuda[:N]"``.
    amp : {"auto", True, False}, default="auto"
        bf16 autocast of the forward pass, in training and prediction; weights,
        gradients and optimizer state stay fp32. ``"auto"`` enables it on CUDA
        devices that support bf16 and on CPUs with bf16 matrix units (AMX or
        AVX-512 BF16, :func:`skmedtext.utils.cpu_has_bf16`), where a BERT step is
        1.6-2x faster and inference 3-4x; ``True`` forces it (CPU included),
        ``False`` keeps fp32. Deterministic for a fixed ``random_state`` on the
        same machine either way.
    random_state : int, RandomState or None, default=None
        Seeds weight initialisation, dropout, shuffling and the validation split.
        The same value gives identical predictions on CPU.
    verbose : int, default=0
        0 is silent; 1 prints skorch's epoch log with a tqdm progress bar.
    checkpoint_dir : str, path or None, default=None
        Save the weights, optimizer, criterion, history and RNG state after every
        epoch into this folder, as one transaction (a temporary folder renamed to
        ``epoch-<n>``: a kill leaves the previous epoch or the new one, and a write
        error is raised). A later ``fit`` with the same folder, data and
        parameters resumes after the last completed epoch, giving the same result
        as an uninterrupted fit on CPU. A different fit, another ``max_epochs``, a
        corrupt checkpoint (named, with how to start over) and a ``RandomState``
        object as ``random_state`` (it cannot be matched on resume) are refused.
    callbacks : list of skorch callbacks or (name, callback) pairs, default=None
        Extra skorch callbacks, run after the built-in ones.
    on_divergence : {"raise", "keep_last"}, default="raise"
        What a non-finite training loss or weight after an epoch does:
        ``"raise"`` a :class:`~skmedtext.training.TrainingDivergenceError` naming
        the epoch; ``"keep_last"`` puts back the weights of the last finite epoch,
        warns and stops training (raising if no epoch was finite)."""


class BaseTextClassifier(TextInputMixin, ClassifierMixin, BaseEstimator):
    """Base class of skmedtext's neural text classifiers (not used directly).

    It owns the core parameters (documented in ``CORE_PARAMS_DOC``) and their
    ``_parameter_constraints``; a subclass merges its own as
    ``{**BaseTextClassifier._parameter_constraints, ...}``, lists every
    parameter in its ``__init__`` signature (scikit-learn's convention) and
    passes the core ones to ``super().__init__``. It implements:

    - ``_fit_encoding(X, y) -> state``: learn what encoding needs (tokenizer,
      vocabulary, lexicons) from the training texts and return what the module
      starts from (e.g. initial embedding weights, a loaded encoder);
    - ``_encode(X) -> (items, lengths)``: one dict of arrays per row;
    - ``_make_collator() -> callable``: turns ``[(item, target), ...]`` into
      ``(dict of tensors, target tensor)``; must be picklable;
    - ``_build_module(n_classes, state) -> torch.nn.Module`` returning logits or
      ``(logits, auxiliary_loss)``, ``state`` being ``_fit_encoding``'s;
    - optionally ``_check_param_relations()`` for what no single-parameter
      constraint expresses, and ``_loss_weights()``;
    - ``_accepts_synthetic``: whether :class:`~skmedtext.SyntheticSequence` rows
      are accepted (then ``embedding_space_`` names the space they must live in).

    ``_net_class`` is the skorch net trained (:class:`~skmedtext.training.TextNet`).
    """

    _accepts_synthetic = False
    #: whether a multi-label ``y`` is accepted (``_multilabel.py``: sigmoid head)
    _accepts_multilabel = True
    _net_class = TextNet

    _parameter_constraints: dict = {
        "criterion": [StrOptions(set(CRITERIA) | set(MULTILABEL_CRITERIA)), tuple, callable],
        "max_epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "lr": [Interval(numbers.Real, 0, None, closed="neither")],
        "weight_decay": [Interval(numbers.Real, 0, None, closed="left")],
        "warmup_ratio": [Interval(numbers.Real, 0, 1, closed="left")],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="left")],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "grad_clip": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "bucket": ["boolean"],
        "pad_to_multiple_of": [Interval(numbers.Integral, 1, None, closed="left")],
        "device": [str, torch.device, None],
        "amp": [StrOptions({"auto"}), "boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "checkpoint_dir": [str, os.PathLike, None],
        "callbacks": [list, tuple, None],
        "on_divergence": [StrOptions({"raise", "keep_last"})],
    }

    def __init__(
        self,
        *,
        criterion,
        max_epochs,
        batch_size,
        lr,
        weight_decay,
        warmup_ratio,
        validation_fraction,
        n_iter_no_change,
        grad_clip,
        bucket,
        pad_to_multiple_of,
        device,
        amp,
        random_state,
        verbose,
        checkpoint_dir,
        callbacks,
        on_divergence="raise",
    ):
        self.criterion = criterion
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.warmup_ratio = warmup_ratio
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.grad_clip = grad_clip
        self.bucket = bucket
        self.pad_to_multiple_of = pad_to_multiple_of
        self.device = device
        self.amp = amp
        self.random_state = random_state
        self.verbose = verbose
        self.checkpoint_dir = checkpoint_dir
        self.callbacks = callbacks
        self.on_divergence = on_divergence

    # -- hooks -----------------------------------------------------------------
    def _fit_encoding(self, X, y):  # pragma: no cover - abstract
        raise NotImplementedError

    def _encode(self, X):  # pragma: no cover - abstract
        raise NotImplementedError

    def _make_collator(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _build_module(self, n_classes, state):  # pragma: no cover - abstract
        raise NotImplementedError

    def _loss_weights(self):
        """``(lambda_cls, lambda_aux)``: weights of the classification and auxiliary losses."""
        return 1.0, 0.0

    def _check_param_relations(self):
        """Parameter checks that span several parameters (constraints check one at a time)."""
        if self.n_iter_no_change is not None and self.validation_fraction == 0:
            raise ValueError("n_iter_no_change (early stopping) needs validation_fraction > 0.")

    # -- scikit-learn API ------------------------------------------------------
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.random_state is None
        return tags

    def _validate_fit_input(self, X, y):
        name = type(self).__name__
        X = check_texts(X, allow_synthetic=self._accepts_synthetic, estimator_name=name)
        self.multilabel_ = is_multilabel_y(y)
        if self.multilabel_:
            if not self._accepts_multilabel:
                raise ValueError(f"{name} takes one label per text; got a multi-label y.")
            return (X, *encode_multilabel_target(y, X.shape[0], name))
        y = check_text_target(y, X.shape[0], estimator_name=name)
        classes, y_idx = np.unique(y, return_inverse=True)
        if classes.size < 2:
            raise ValueError(
                f"{name} needs at least 2 classes in y to fit a classifier; got only "
                f"{classes.tolist()!r}."
            )
        return X, classes, y_idx.astype(np.int64)

    def _split(self, y_idx, rng):
        if self.validation_fraction == 0:
            return np.arange(y_idx.shape[0]), None
        if getattr(self, "multilabel_", False):
            return multilabel_holdout(y_idx, self.validation_fraction, rng)
        counts = np.bincount(y_idx)
        n_valid = math.ceil(self.validation_fraction * y_idx.size)
        if counts.min() < 2 or n_valid < counts.size:
            raise ValueError(
                "validation_fraction needs at least 2 samples of every class and a validation "
                f"set of at least one row per class; class counts are {counts.tolist()}. "
                "Use validation_fraction=0."
            )
        splitter = StratifiedShuffleSplit(n_splits=1, test_size=n_valid, random_state=rng)
        train, valid = next(splitter.split(np.zeros(y_idx.size), y_idx))
        return train, valid

    def _callbacks(self, n_train_batches, completed_epochs, checkpoint):
        total = n_train_batches * self.max_epochs
        schedule = WarmupLinearSchedule(
            round(self.warmup_ratio * total), total, offset=completed_epochs * n_train_batches
        )
        callbacks = [
            ("aux_loss", EpochAuxLoss()),
            (
                "lr_schedule",
                LRScheduler(
                    policy=torch.optim.lr_scheduler.LambdaLR,
                    lr_lambda=schedule,
                    step_every="batch",
                    # the offset above already counts finished steps; skorch would
                    # otherwise restart from the number of epochs in the history
                    last_epoch=-1,
                ),
            ),
        ]
        if self.grad_clip is not None:
            callbacks.append(("grad_clip", GradientNormClipping(gradient_clip_value=self.grad_clip)))
        if self.n_iter_no_change is not None:
            callbacks.append(
                (
                    "early_stopping",
                    EarlyStopping(monitor="valid_loss", patience=self.n_iter_no_change, load_best=True),
                )
            )
        if self.verbose:
            callbacks.append(("progress", ProgressBar()))
        # before the checkpoint: a diverged epoch stops here and is never saved
        callbacks.append(("divergence", DivergenceGuard(type(self).__name__, self.on_divergence)))
        if checkpoint is not None:
            callbacks.extend(checkpoint.callbacks())
        for k, callback in enumerate(self.callbacks or []):
            callbacks.append(callback if isinstance(callback, tuple) else (f"user_{k}", callback))
        return callbacks

    def _net_params(self, module, criterion, device, amp):
        """What every net of this classifier is built with, for training or inference."""
        collate = self._make_collator()
        lambda_cls, lambda_aux = self._loss_weights()
        return dict(
            module=module,
            criterion=criterion,
            optimizer=torch.optim.AdamW,
            optimizer__weight_decay=self.weight_decay,
            # the fused kernel makes an AdamW step on a BERT several times cheaper on CPU
            optimizer__fused=device == "cpu" or device.startswith("cuda"),
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            iterator_train=make_loader,
            iterator_train__shuffle=True,
            iterator_train__collate_fn=collate,
            iterator_train__bucket=self.bucket,
            iterator_valid=make_loader,
            iterator_valid__collate_fn=collate,
            callbacks__valid_acc=None,
            predict_nonlinearity=(
                sigmoid_first if getattr(self, "multilabel_", False) else softmax_first
            ),
            lambda_cls=lambda_cls,
            lambda_aux=lambda_aux,
            amp=amp,
            device=device,
            verbose=int(self.verbose),
        )

    def _make_net(self, module, criterion, device, valid_ds, n_train_batches, completed_epochs=0,
                  checkpoint=None):  # fmt: skip
        """The net that trains ``module`` (an instance of ``_net_class``).

        ``n_train_batches`` is the number of optimisation steps per epoch (the
        learning-rate schedule's unit) and ``completed_epochs`` those a resumed
        fit has already taken.
        """
        return self._net_class(
            **self._net_params(module, criterion, device, resolve_bf16(self.amp, device)),
            train_split=None if valid_ds is None else predefined_split(valid_ds),
            callbacks=self._callbacks(n_train_batches, completed_epochs, checkpoint),
        )

    def _make_inference_net(self, module, criterion, device):
        """A net for prediction only: no training callbacks, no checkpoint folder, no user hooks.

        A loaded model must not create folders or run hooks of the machine it was
        trained on.
        """
        return self._net_class(
            **self._net_params(module, criterion, device, resolve_bf16(self.amp, device)),
            train_split=None, callbacks=[],
        )  # fmt: skip

    @_fit_context(
        # embedding_params and embedders given as parameters configure nested
        # estimators, whose own validation must therefore still run
        prefer_skip_nested_validation=False
    )
    def fit(self, X, y):
        """Fit the classifier on texts (and synthetic rows, where accepted).

        Parameters
        ----------
        X : sequence of str (or SyntheticSequence rows) of length n
            Synthetic rows must live in ``embedding_space_``.
        y : array-like of shape (n,), (n, n_labels) or sequence of label collections
            Class labels of any hashable type (strings or integers), or a
            multi-label target: a 0/1 indicator matrix or one list/tuple/set of
            labels per text (see ``skmedtext/training/_multilabel.py`` and
            ``docs/multilabel.md``: sigmoid head, ``thresholds_``).

        Returns
        -------
        self : object
            The fitted classifier.
        """
        return self._fit(X, y, self._make_net)

    def _fit(self, X, y, make_net):
        """``fit`` after parameter validation, training the net ``make_net`` builds.

        ``make_net`` takes ``_make_net``'s arguments; :func:`fit_accelerated`
        passes one building an accelerated net.
        """
        self._check_param_relations()
        X, classes, y_idx = self._validate_fit_input(X, y)
        device = resolve_device(self.device)
        # before any work too: a foreign, corrupt or mismatched folder is refused here
        checkpoint = CheckpointFolder.open(self.checkpoint_dir, self, X, y_idx)
        completed = checkpoint.completed_epochs() if checkpoint else 0
        rng = check_random_state(self.random_state)
        # drawn from rng (not int_seed(self.random_state)): the split below draws from it next
        seed = int_seed(rng)
        self.classes_ = classes
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            train_idx, valid_idx = self._split(y_idx, rng)
            state = self._fit_encoding(X[train_idx], y_idx[train_idx])
            items, lengths = self._encode(X)
            dataset = EncodedDataset(items, y_idx, lengths)
            train_ds = dataset.subset(train_idx)
            valid_ds = None if valid_idx is None else dataset.subset(valid_idx)
            criterion = self._fold_criterion(y_idx[train_idx])
            module = self._build_module(classes.size, state)
            n_batches = math.ceil(len(train_ds) / self.batch_size)
            self.net_ = make_net(
                module, criterion, device, valid_ds, n_batches, completed, checkpoint
            )
            if completed:
                checkpoint.restore(self.net_)
                remaining = self.max_epochs - completed
                if remaining > 0:
                    self.net_.partial_fit(train_ds, y=None, epochs=remaining)
            else:
                self.net_.fit(train_ds, y=None)
        self.history_ = self.net_.history
        if self.multilabel_:
            self.thresholds_ = np.full(classes.size, 0.5)
            if valid_idx is not None:
                proba = self.predict_proba(X[valid_idx])
                self.thresholds_ = tune_label_thresholds(y_idx[valid_idx], proba)
        return self

    def _fold_criterion(self, y_train):
        """The loss, shaped by the training fold's class (or label) counts."""
        if getattr(self, "multilabel_", False):
            return multilabel_criterion(self.criterion, y_train)
        return build_criterion(self.criterion, np.bincount(y_train, minlength=len(self.classes_)))

    def _encoded_in_length_order(self, X):
        X = check_texts(X, allow_synthetic=self._accepts_synthetic, estimator_name=type(self).__name__)
        items, lengths = self._encode(X)
        order = np.argsort(lengths, kind="stable")
        dataset = EncodedDataset([items[i] for i in order], None, np.asarray(lengths)[order])
        return dataset, order

    def predict_proba(self, X):
        """Class probabilities, columns in the order of ``classes_``.

        Parameters
        ----------
        X : sequence of str of length n

        Returns
        -------
        proba : ndarray of shape (n, n_classes)
            For a multi-label fit: one sigmoid probability per label (rows need
            not sum to one).
        """
        check_is_fitted(self, "net_")
        dataset, order = self._encoded_in_length_order(X)
        proba_sorted = self.net_.predict_proba(dataset)
        proba = np.empty_like(proba_sorted)
        proba[order] = proba_sorted
        return proba

    def predict(self, X):
        """Predicted class labels (elements of ``classes_``).

        Parameters
        ----------
        X : sequence of str of length n

        Returns
        -------
        y : ndarray of shape (n,)
            For a multi-label fit: the (n, n_labels) 0/1 indicator
            ``proba >= thresholds_``.
        """
        proba = self.predict_proba(X)  # raises NotFittedError before classes_ is read
        if getattr(self, "multilabel_", False):
            return (proba >= self.thresholds_).astype(np.int64)
        return self.classes_[np.argmax(proba, axis=1)]

    def score(self, X, y, sample_weight=None):
        """Mean accuracy on ``(X, y)``; for a multi-label fit the subset accuracy.

        Parameters
        ----------
        X : sequence of str of length n
        y : array-like of shape (n,), or for a multi-label fit (n, n_labels) 0/1
            or one label collection per text
        sample_weight : array-like of shape (n,), default=None

        Returns
        -------
        score : float
            The share of texts whose prediction (the whole label set, for a
            multi-label fit) equals ``y``.
        """
        from sklearn.metrics import accuracy_score
        from sklearn.utils.validation import _num_samples

        check_is_fitted(self, "net_")
        # checked before predicting: a y of the wrong width or kind fails fast and by name
        y = check_score_target(self, y)
        y_pred = self.predict(X)
        if _num_samples(y) != y_pred.shape[0]:
            raise ValueError(
                f"{type(self).__name__}.score: X has {y_pred.shape[0]} rows but y has "
                f"{_num_samples(y)}."
            )
        return float(accuracy_score(y, y_pred, sample_weight=sample_weight))

    # -- persistence (skmedtext.persistence) --------------------------------------
    def _persist_state(self, folder):
        """Write what the fitted encoding needs into ``folder``; return JSON-able state.

        Hook of :func:`skmedtext.persistence.save_model`, which itself saves the
        parameters, ``classes_``, the module weights and the history.
        """
        raise NotImplementedError(
            f"{type(self).__name__} does not implement skmedtext.persistence.save_model; "
            "use pickle/joblib for it (trusted files only)."
        )

    def _restore_module(self, state, folder):
        """Set the fitted attributes from ``state`` and ``folder``; return an untrained
        module of the saved architecture (hook of :func:`skmedtext.persistence.load_model`)."""
        raise NotImplementedError(
            f"{type(self).__name__} does not implement skmedtext.persistence.load_model."
        )

    def _restore_net(self, module, weights, criterion_state=None, history=None):
        """Rebuild the fitted ``net_`` around ``module`` and load its saved weights.

        Called by :func:`skmedtext.persistence.load_model` after ``_restore_module``;
        the net is an inference net (:meth:`_make_inference_net`).
        """
        from skorch.history import History

        device = resolve_device(self.device)
        # the real training-fold counts only shape the criterion's buffers, which are
        # overwritten by the saved ones below: one row per class, or per label one
        # positive and one negative row
        n = len(self.classes_)
        multilabel = getattr(self, "multilabel_", False)
        placeholder = np.repeat([[1], [0]], n, axis=1) if multilabel else np.arange(n)
        criterion = self._fold_criterion(placeholder)
        net = self._make_inference_net(module, criterion, device)
        net.initialize()
        net.module_.load_state_dict(weights)
        if criterion_state:
            net.criterion_.load_state_dict(criterion_state)
        if history is not None:
            net.history = History(history)
        self.net_ = net
        self.history_ = net.history
        return self
