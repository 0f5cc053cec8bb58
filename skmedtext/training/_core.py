"""The one training core: a scikit-learn classifier that trains a torch module with skorch.

Every skmedtext neural classifier (DMT-BERT, StaResGRU-CNN, the baselines) is a thin
subclass of :class:`BaseTextClassifier` that says how to encode texts, how to
collate a batch and which torch module to build; the loop itself (stratified
validation split, early stopping, warm-up + linear decay, gradient clipping, mixed
precision, seeding, length bucketing) lives here once and runs in
``skorch.NeuralNetClassifier``.
"""

import math
import numbers

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import StratifiedShuffleSplit
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNetClassifier
from skorch.callbacks import Callback, EarlyStopping, GradientNormClipping, LRScheduler, ProgressBar
from skorch.helper import predefined_split
from skorch.utils import to_tensor

from skmedtext.training._data import EncodedDataset, make_loader
from skmedtext.utils import (
    TextInputMixin,
    check_text_target,
    check_texts,
    claim_checkpoint_folder,
    params_digest,
    resolve_device,
)

__all__ = ["BaseTextClassifier", "CORE_PARAMS_DOC"]

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
    weight_decay : float, default=0.01
        AdamW weight decay.
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
        bf16 autocast; ``"auto"`` enables it on CUDA devices that support bf16.
    random_state : int, RandomState or None, default=None
        Seeds weight initialisation, dropout, shuffling and the validation split.
        The same value gives identical predictions on CPU.
    verbose : int, default=0
        0 is silent; 1 prints skorch's epoch log with a tqdm progress bar.
    checkpoint_dir : str, path or None, default=None
        Save the weights, optimizer, criterion, history and RNG state after every
        epoch into this folder. A later ``fit`` with the same folder, data and
        parameters resumes after the last completed epoch, giving the same result
        as an uninterrupted fit on CPU (a different fit refuses the folder).
    callbacks : list of skorch callbacks or (name, callback) pairs, default=None
        Extra skorch callbacks, run after the built-in ones."""


def softmax_first(output):
    """Probabilities from a module output (the first element when it is a tuple)."""
    if isinstance(output, tuple):
        output = output[0]
    return torch.softmax(output.float(), dim=-1)


class WarmupLinearSchedule:
    """``LambdaLR`` factor: linear warm-up to 1, then linear decay to 0 (picklable).

    ``offset`` is the number of steps already taken (a resumed fit).
    """

    def __init__(self, warmup_steps, total_steps, offset=0):
        self.warmup_steps = int(warmup_steps)
        self.total_steps = max(1, int(total_steps))
        self.offset = int(offset)

    def __call__(self, step):
        step = step + self.offset
        if step < self.warmup_steps:
            return (step + 1) / (self.warmup_steps + 1)
        remaining = self.total_steps - step
        return max(0.0, remaining / max(1, self.total_steps - self.warmup_steps))


class EpochAuxLoss(Callback):
    """Average the auxiliary-task loss of each epoch's training batches into history."""

    def on_epoch_end(self, net, **kwargs):
        values = [b["train_aux_loss"] for b in net.history[-1, "batches"] if "train_aux_loss" in b]
        if values:
            net.history.record("train_aux_loss", float(np.mean(values)))


class SaveRngState(Callback):
    """Store torch's CPU RNG state after each epoch, so a resumed fit shuffles identically."""

    def __init__(self, path):
        self.path = path

    def on_epoch_end(self, net, **kwargs):
        torch.save(torch.get_rng_state(), self.path)


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
        if self.amp and str(self.device).startswith("cuda"):
            with torch.autocast(device_type="cuda", dtype=torch.bfloat16):
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


class BaseTextClassifier(TextInputMixin, ClassifierMixin, BaseEstimator):
    """Base class of skmedtext's neural text classifiers (not used directly).

    Subclasses implement:

    - ``_fit_encoding(X, y)``: learn what encoding needs (tokenizer, vocabulary,
      lexicons) from the training texts;
    - ``_encode(X) -> (items, lengths)``: one dict of arrays per row;
    - ``_make_collator() -> callable``: turns ``[(item, target), ...]`` into
      ``(dict of tensors, target tensor)``; must be picklable;
    - ``_build_module(n_classes) -> torch.nn.Module`` returning logits or
      ``(logits, auxiliary_loss)``;
    - ``_accepts_synthetic``: whether :class:`~skmedtext.SyntheticSequence` rows
      are accepted (then ``embedding_space_`` names the space they must live in).
    """

    _accepts_synthetic = False
    _aux_weight_param = None  # name of the parameter weighting the auxiliary loss

    # -- hooks -----------------------------------------------------------------
    def _fit_encoding(self, X, y):  # pragma: no cover - abstract
        raise NotImplementedError

    def _encode(self, X):  # pragma: no cover - abstract
        raise NotImplementedError

    def _make_collator(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _build_module(self, n_classes):  # pragma: no cover - abstract
        raise NotImplementedError

    def _classification_weight(self):
        return 1.0

    # -- scikit-learn API ------------------------------------------------------
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.random_state is None
        return tags

    def _check_core_params(self):
        for name in ("max_epochs", "batch_size"):
            value = getattr(self, name)
            if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer; got {value!r}.")
        if not (isinstance(self.lr, numbers.Real) and self.lr > 0):
            raise ValueError(f"lr must be a positive number; got {self.lr!r}.")
        if not (0.0 <= self.validation_fraction < 1.0):
            raise ValueError(
                f"validation_fraction must be in [0, 1); got {self.validation_fraction!r}."
            )
        if not (0.0 <= self.warmup_ratio < 1.0):
            raise ValueError(f"warmup_ratio must be in [0, 1); got {self.warmup_ratio!r}.")
        if self.n_iter_no_change is not None and self.validation_fraction == 0:
            raise ValueError("n_iter_no_change (early stopping) needs validation_fraction > 0.")
        if self.amp not in ("auto", True, False):
            raise ValueError(f"amp must be 'auto', True or False; got {self.amp!r}.")

    def _validate_fit_input(self, X, y):
        name = type(self).__name__
        X = check_texts(X, allow_synthetic=self._accepts_synthetic, estimator_name=name)
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
            return np.arange(y_idx.size), None
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

    def _resolve_amp(self, device):
        if self.amp == "auto":
            return device.startswith("cuda") and torch.cuda.is_bf16_supported()
        return bool(self.amp)

    def _callbacks(self, n_train_batches, completed_epochs=0):
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
        callbacks.extend(_checkpoint_callbacks(getattr(self, "checkpoint_dir", None)))
        for k, callback in enumerate(getattr(self, "callbacks", None) or []):
            callbacks.append(callback if isinstance(callback, tuple) else (f"user_{k}", callback))
        return callbacks

    def _make_net(self, module, criterion, valid_ds, n_train_batches, device, completed_epochs=0):
        collate = self._make_collator()
        return TextNet(
            module=module,
            criterion=criterion,
            optimizer=torch.optim.AdamW,
            optimizer__weight_decay=self.weight_decay,
            # the fused kernel makes an AdamW step on a BERT several times cheaper on CPU
            optimizer__fused=device == "cpu" or device.startswith("cuda"),
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            train_split=None if valid_ds is None else predefined_split(valid_ds),
            iterator_train=make_loader,
            iterator_train__shuffle=True,
            iterator_train__collate_fn=collate,
            iterator_train__bucket=self.bucket,
            iterator_valid=make_loader,
            iterator_valid__collate_fn=collate,
            callbacks=self._callbacks(n_train_batches, completed_epochs),
            callbacks__valid_acc=None,
            predict_nonlinearity=softmax_first,
            lambda_cls=self._classification_weight(),
            lambda_aux=getattr(self, self._aux_weight_param) if self._aux_weight_param else 0.0,
            amp=self._resolve_amp(device),
            device=device,
            verbose=int(self.verbose),
        )

    def fit(self, X, y):
        """Fit the classifier on texts (and synthetic rows, where accepted).

        Parameters
        ----------
        X : sequence of str (or SyntheticSequence rows) of length n
        y : array-like of shape (n,)
            Class labels of any hashable type (strings or integers).

        Returns
        -------
        self : object
            The fitted classifier.
        """
        self._check_core_params()
        X, classes, y_idx = self._validate_fit_input(X, y)
        device = resolve_device(self.device)
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        self.classes_ = classes
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            train_idx, valid_idx = self._split(y_idx, rng)
            self._fit_encoding(X[train_idx], y_idx[train_idx])
            items, lengths = self._encode(X)
            dataset = EncodedDataset(items, y_idx, lengths)
            train_ds = dataset.subset(train_idx)
            valid_ds = None if valid_idx is None else dataset.subset(valid_idx)

            from skmedtext.losses import build_criterion

            class_counts = np.bincount(y_idx[train_idx], minlength=classes.size)
            criterion = build_criterion(self.criterion, class_counts)
            module = self._build_module(classes.size)
            n_batches = math.ceil(len(train_ds) / self.batch_size)
            checkpoint = _CheckpointFolder.open(getattr(self, "checkpoint_dir", None), self, X, y_idx)
            completed = checkpoint.completed_epochs() if checkpoint else 0
            self.net_ = self._make_net(module, criterion, valid_ds, n_batches, device, completed)
            if completed:
                checkpoint.restore(self.net_)
                remaining = self.max_epochs - completed
                if remaining > 0:
                    self.net_.partial_fit(train_ds, y=None, epochs=remaining)
            else:
                self.net_.fit(train_ds, y=None)
        self.history_ = self.net_.history
        return self

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
        """
        check_is_fitted(self, "net_")
        dataset, order = self._encoded_in_length_order(X)
        proba_sorted = self.net_.predict_proba(dataset)
        proba = np.empty_like(proba_sorted)
        proba[order] = proba_sorted
        return proba

    def predict(self, X):
        """Predicted class labels (elements of ``classes_``)."""
        proba = self.predict_proba(X)  # raises NotFittedError before classes_ is read
        return self.classes_[np.argmax(proba, axis=1)]

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

        Called by :func:`skmedtext.persistence.load_model` after ``_restore_module``.
        The net is built without ``checkpoint_dir`` and user callbacks: a loaded model
        must not create folders or run hooks of the machine it was trained on.
        """
        from skorch.history import History

        from skmedtext.losses import build_criterion

        device = resolve_device(self.device)
        # the real training-fold counts only shape the criterion's buffers, which are
        # overwritten by the saved ones below
        criterion = build_criterion(self.criterion, np.ones(len(self.classes_), dtype=np.int64))
        saved = {k: self.__dict__[k] for k in ("checkpoint_dir", "callbacks") if k in self.__dict__}
        self.__dict__.update(checkpoint_dir=None, callbacks=None)
        try:
            net = self._make_net(module, criterion, None, 1, device)
        finally:
            for key in ("checkpoint_dir", "callbacks"):
                self.__dict__.pop(key, None)
            self.__dict__.update(saved)
        net.initialize()
        net.module_.load_state_dict(weights)
        if criterion_state:
            net.criterion_.load_state_dict(criterion_state)
        if history is not None:
            net.history = History(history)
        self.net_ = net
        self.history_ = net.history
        return self


_CHECKPOINT_FILES = {
    "f_params": "params.pt",
    "f_optimizer": "optimizer.pt",
    "f_criterion": "criterion.pt",
    "f_history": "history.json",
}


def _checkpoint_callbacks(checkpoint_dir):
    if checkpoint_dir is None:
        return []
    from pathlib import Path

    from skorch.callbacks import Checkpoint

    folder = Path(checkpoint_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return [
        (
            "checkpoint",
            Checkpoint(monitor=None, dirname=str(folder), f_pickle=None, **_CHECKPOINT_FILES),
        ),
        ("rng_state", SaveRngState(str(folder / "rng_state.pt"))),
    ]


class _CheckpointFolder:
    """A checkpoint folder tied to one fit (parameters + data fingerprint)."""

    def __init__(self, folder):
        self.folder = folder

    @classmethod
    def open(cls, checkpoint_dir, estimator, X, y_idx):
        if checkpoint_dir is None:
            return None
        # max_epochs may differ: a resumed fit may train for more epochs
        digest = params_digest(estimator, ignore=("checkpoint_dir", "callbacks", "max_epochs"))
        digest.update(np.ascontiguousarray(y_idx).tobytes())
        for x in X:
            digest.update(x.encode("utf-8") if isinstance(x, str) else x.vectors.tobytes())
        folder = claim_checkpoint_folder(
            checkpoint_dir, type(estimator).__name__, digest.hexdigest()
        )
        return cls(folder)

    def completed_epochs(self):
        import json

        files = [self.folder / name for name in _CHECKPOINT_FILES.values()]
        if not all(f.is_file() for f in files) or not (self.folder / "rng_state.pt").is_file():
            return 0
        return len(json.loads((self.folder / "history.json").read_text()))

    def restore(self, net):
        net.initialize()
        net.load_params(**{k: str(self.folder / v) for k, v in _CHECKPOINT_FILES.items()})
        torch.set_rng_state(torch.load(self.folder / "rng_state.pt"))
