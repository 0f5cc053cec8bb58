"""SAANSampler: the self-attentive adversarial augmentation network as an imbalanced-learn sampler."""

import json
import numbers
import os

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_target_type
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from skmedtext.sampling._saan._multilabel import fit_resample_multilabel
from skmedtext.utils import (
    check_sampler_target,
    claim_checkpoint_folder,
    int_seed,
    is_multilabel_target,
    params_digest,
    resolve_device,
)

__all__ = ["SAANSampler"]


class SAANSampler(BaseOverSampler):
    """Over-sample with SAAN, the self-attentive adversarial augmentation network.

    For every class to over-sample, a GAN is trained on that class's samples: the
    sparse attention generator (SAG) maps a Gaussian noise sequence to a synthetic
    sequence, the sparse attention discriminator (SAD) tells real from synthetic.
    Both are stacks of multi-head *local-window* self-attention (paper 000, eqs.
    4-10: per-head ``W_q, W_k, W_v`` of shape ``d x d/m``, mask ``M_ik = 0`` iff
    ``|i - k| <= w`` else ``-inf``, concatenation and ``W_A``), trained by
    alternating the binary cross-entropy losses of eqs. (11) and (13). The GANs
    of all classes train together in one batched loop (independent parameters).

    Three kinds of ``X`` are accepted:

    - **2-D floats** ``(n, d)`` (sentence embeddings, dense or sparse TF-IDF):
      each vector is cut into ``n_tokens`` consecutive feature chunks, the
      positions of the sequence the attention runs over; synthetic rows are 2-D
      vectors like SMOTE's.
    - **3-D sequences** ``(n, t, d)``: padding positions are exact zero vectors
      (:func:`skmedtext.utils.sequence_mask`), or pass ``mask`` to
      :meth:`fit_resample`. Synthetic rows have exact-zero padding.
    - **raw texts** (1-D array of ``str``): the real samples are the ``encoder``'s
      token-embedding sequences; synthetic rows are appended as
      :class:`~skmedtext.SyntheticSequence` objects (tagged with the embedding
      space) that skmedtext text classifiers accept next to strings, so
      ``make_pipeline(SAANSampler(), DMTBertClassifier())`` fits on texts.

    Original rows come back unchanged and first; synthetic rows are appended,
    grouped by class.

    **Multi-label** ``y``: one GAN per minority label (MLSMOTE's ``IRLbl >
    MeanIR``), trained on the records carrying it; a synthetic row carries its
    label and the labels most of its 5 nearest real records of that label hold
    (``sampling_strategy`` as in
    :func:`skmedtext.utils.multilabel_sampling_targets`; details in
    ``docs/multilabel.md``).

    Where the paper is silent (per-class GANs, 2-D vectors as
    sequences, optimiser, normalisation, ...) the choices are documented in
    ``docs/saan.md``.

    Parameters
    ----------
    {sampling_strategy}
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, noise and batch order. The same value gives
        identical output on CPU.
    window : "auto" or int, default="auto"
        Half-width ``w`` of the local attention window; a position attends to
        positions ``k`` with ``|i - k| <= w``. The paper uses ``w = 86`` on
        sequences of up to 512 tokens, so a position sees about a third of the
        sequence; ``"auto"`` keeps that fraction at the sequence length ``t``
        the GANs run over: ``max(1, round(t * 86 / 512))`` (22 of 128 text
        tokens, 1 of the 8 positions of a 2-D vector). An int keeps its absolute
        meaning (``86`` is the paper's value, which at ``t <= 87`` is full
        attention). Capped at ``t`` (``window_``).
    n_heads : int, default=4
        Attention heads ``m``; ``hidden_dim`` must be divisible by it.
    n_layers : int, default=1
        Sparse self-attention blocks in SAG and in SAD (eqs. 4 and 12 each apply
        one ``sparse_selfattention``).
    hidden_dim : int, default=32
        Width of the attention stacks. The paper attends in the data dimension
        ``d``; a projection to ``hidden_dim`` keeps 384-768-d inputs cheap.
    latent_dim : int, default=32
        Dimension of each noise vector ``z_i`` of the noise sequence.
    n_tokens : "auto" or int, default="auto"
        2-D input only: positions per vector. The (reduced, see
        ``n_components``) vector is cut into consecutive chunks, one per
        position; ``"auto"`` uses at most 8 positions (32 -> 8 x 4); ``1`` makes
        the whole vector one position.
    n_components : int or None, default=64
        2-D input only: each class's GAN works on that class's whitened leading
        principal coordinates (at most ``n_samples - 1`` carry variance) and its
        samples are mapped back to the ``d`` input features. ``None`` uses all
        ``d`` standardised features instead. (32 components left 16% of a
        62-sample class's variance out of reach, and its real rows outside the
        synthetic rows' k-NN manifold; ``docs/saan.md``.)
    subspace_residual : "nearest" or None, default="nearest"
        2-D input with ``n_components``: what a synthetic row gets in the
        directions outside its class's principal subspace, which the GAN does
        not model. ``"nearest"``: the off-subspace part of the real row nearest
        to the generated coordinates (the GAN decides where in the class the row
        lies; the real row lends the fine detail); ``None``: nothing, so every
        synthetic row lies on the subspace's affine flat. On a 192-row Medical
        Abstracts class, k-NN recall 0.25 with ``None`` and 0.58 with
        ``"nearest"``, precision 0.99 and 0.97 (``docs/saan.md``).
    epochs : int, default=30
        Passes over the largest over-sampled class (smaller classes cycle through
        their rows within each pass; all classes take the same steps). The paper
        trains for 200 epochs.
    batch_size : int, default=64
        Real (and fake) samples per class and step (paper: 32).
    lr : float, default=1e-3
        Adam learning rate of SAG and SAD (betas 0.5, 0.999).
    label_smoothing : float, default=0.0
        One-sided label smoothing: SAD's target for real samples is
        ``1 - label_smoothing`` in eq. (13). 0 is the paper's loss.
    instance_noise : float, default=0.0
        Standard deviation (in standardised units) of Gaussian noise added to
        SAD's real and fake inputs, annealed linearly to 0. 0 disables it.
    spectral_norm : bool, default=True
        Spectrally normalise SAD's linear maps, which keeps SAD from memorising
        the few samples of a rare class.
    mmd_weight : float, default=100.0
        Weight of a maximum-mean-discrepancy term added to SAG's loss: the
        squared MMD (RBF kernels at 0.5, 1 and 2 times the median distance)
        between each fake batch and a real batch of its class (generative moment
        matching, Li et al. 2015), on the vectors (2-D input) or on the mean of
        each sequence. The adversarial loss alone pulls the generator to the
        region SAD finds hardest and covers a small part of the class (k-NN
        recall 0.06 at precision 1.0 on MiniLM vectors of a 62-abstract class);
        the MMD term pulls it toward every real row (recall 0.8 at precision
        1.0, ``docs/saan.md``). 0 is the paper's loss.
    encoder : None, str, path or embedder, default=None
        Raw-text input only. ``None`` or ``"minilm-en"``: the MiniLM input
        word-embedding space (``model.get_input_embeddings()`` of the tokenised
        texts); another preset name or a local Hugging Face folder: that
        encoder's input embeddings; or an embedder object with
        ``output="sequence"`` and ``embedding_space_`` (e.g.
        ``TransformerEmbedder(output="sequence")`` or ``Word2VecEmbedder``), used
        as is if fitted, else a clone is fitted on ``X``.
    max_length : int, default=128
        Raw-text input with a Hugging Face encoder: tokens per text after
        truncation (``[CLS]`` and ``[SEP]`` included).
    layer : int or None, default=None
        Raw-text input with a Hugging Face encoder: the space the GANs work in.
        ``None``: the input word embeddings (the paper's). An int ``k >= 0``:
        the token states after the encoder's bottom ``k`` transformer layers;
        ``-k``: below its top ``k`` layers, the space in which
        ``DMTBertClassifier(trainable_layers=k)`` takes rows above its frozen
        stack (its ``frozen_space_``), so the classifier's cached states and
        SAAN's rows meet at the same layer. The states come from (and fill)
        the same cache (:class:`skmedtext.encoders.FrozenStack`).
    device : str, default="auto"
        ``"auto"`` (CUDA when available), ``"cpu"`` or ``"cuda[:N]"``.
    n_jobs : int or None, default=1
        torch intra-op CPU threads while SAAN trains (restored afterwards).
        The GANs' matrices are small: on a shared 2-core machine one thread
        was ~9x faster than two (``docs/saan.md``). None keeps torch's setting.
    checkpoint_dir : str, path or None, default=None
        Save the GANs' training state (weights, Adam moments, random-number
        generators, loss history) to this folder after every epoch, and resume
        from it when the same fit (same parameters and data) is run again, e.g.
        after the process was killed. The resumed fit returns exactly the rows
        of an uninterrupted one on CPU. A folder holding another fit's
        checkpoint is refused with a ``ValueError``.
    verbose : int, default=0
        > 0 prints the mean losses ten times during training.

    Attributes
    ----------
    sampling_strategy_ : dict
        Class label (multi-label ``y``: label column) -> number of synthetic
        samples to generate.
    input_kind_ : {{"vector", "sequence", "text"}}
        The kind of ``X`` seen in the last ``fit_resample``.
    n_tokens_ : int
        Sequence length the GANs ran over (2-D input: positions per vector).
    subspaces_ : list or None
        2-D input with ``n_components``: per over-sampled class (or label), the
        whitened principal subspace its GAN worked in.
    window_ : int
        The window actually used at ``n_tokens_`` positions (see ``window``).
    embedding_space_ : str
        Raw-text input: the space of the synthetic rows.
    synthetic_mask_ : ndarray of shape (n_samples_resampled,), dtype=bool
        True for appended synthetic rows (all after the originals).
    synthetic_classes_ : ndarray of shape (n_synthetic,)
        Class of each synthetic row, in output order.
    synthetic_labels_ : ndarray of shape (n_synthetic,)
        Multi-label ``y`` only (instead of ``synthetic_classes_``): the label
        column each synthetic row was made for.
    resampled_mask_ : ndarray of shape (n_samples_resampled, t), dtype=bool
        3-D input: real positions of every output row.
    generator_loss_ : dict
        Class label (multi-label: label column) -> ndarray (epochs,): mean
        ``L_SAG`` (eq. 11) per epoch.
    discriminator_loss_ : dict
        Class label (multi-label: label column) -> ndarray (epochs,): mean
        ``L_SAD`` (eq. 13) per epoch.
    n_features_in_ : int
        2-D input: number of features.

    Notes
    -----
    There is no ``sample_indices_``: synthetic rows are generated, not copied
    from an input row (like SMOTE). Use ``synthetic_mask_`` instead.

    Raises ``ValueError`` when a class (multi-label: a label) to over-sample has
    fewer than 2 samples and :class:`~skmedtext.sampling.SAANDivergenceError` (a
    ``FloatingPointError``) naming the class (label column) and epoch when a loss
    becomes NaN.

    Examples
    --------
    >>> import numpy as np
    >>> from skmedtext.sampling import SAANSampler
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(60, 8))
    >>> y = np.array([0] * 50 + [1] * 10)
    >>> sampler = SAANSampler(epochs=2, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> X_res.shape, int((y_res == 1).sum()), int(sampler.synthetic_mask_.sum())
    ((100, 8), 50, 40)
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "window": [StrOptions({"auto"}), Interval(numbers.Integral, 0, None, closed="left")],
        "n_heads": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_layers": [Interval(numbers.Integral, 1, None, closed="left")],
        "hidden_dim": [Interval(numbers.Integral, 1, None, closed="left")],
        "latent_dim": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_tokens": [StrOptions({"auto"}), Interval(numbers.Integral, 1, None, closed="left")],
        "n_components": [None, Interval(numbers.Integral, 1, None, closed="left")],
        "subspace_residual": [StrOptions({"nearest"}), None],
        "epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "lr": [Interval(numbers.Real, 0, None, closed="neither")],
        "label_smoothing": [Interval(numbers.Real, 0, 1, closed="left")],
        "instance_noise": [Interval(numbers.Real, 0, None, closed="left")],
        "spectral_norm": ["boolean"],
        "mmd_weight": [Interval(numbers.Real, 0, None, closed="left")],
        "encoder": [None, str, os.PathLike, HasMethods(["fit", "transform"])],
        "max_length": [Interval(numbers.Integral, 2, None, closed="left")],
        "layer": [None, Interval(numbers.Integral, None, None, closed="neither")],
        "device": [str],
        "n_jobs": [None, Interval(numbers.Integral, 1, None, closed="left")],
        "checkpoint_dir": [None, str, os.PathLike],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        window="auto",
        n_heads=4,
        n_layers=1,
        hidden_dim=32,
        latent_dim=32,
        n_tokens="auto",
        n_components=64,
        subspace_residual="nearest",
        epochs=30,
        batch_size=64,
        lr=1e-3,
        label_smoothing=0.0,
        instance_noise=0.0,
        spectral_norm=True,
        mmd_weight=100.0,
        encoder=None,
        max_length=128,
        layer=None,
        device="auto",
        n_jobs=1,
        checkpoint_dir=None,
        verbose=0,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.window = window
        self.n_heads = n_heads
        self.n_layers = n_layers
        self.hidden_dim = hidden_dim
        self.latent_dim = latent_dim
        self.n_tokens = n_tokens
        self.n_components = n_components
        self.subspace_residual = subspace_residual
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.label_smoothing = label_smoothing
        self.instance_noise = instance_noise
        self.spectral_norm = spectral_norm
        self.mmd_weight = mmd_weight
        self.encoder = encoder
        self.max_length = max_length
        self.layer = layer
        self.device = device
        self.n_jobs = n_jobs
        self.checkpoint_dir = checkpoint_dir
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.string = False  # categorical string features are not supported
        tags.sampler_tags.sample_indices = False
        return tags

    def fit_resample(self, X, y, mask=None):
        """Resample the dataset: the originals first, then the synthetic rows.

        Parameters
        ----------
        X : array-like of shape (n, d), (n, t, d), sparse matrix, or sequence of str
            2-D vectors, 3-D sequences (exact-zero padding) or raw texts.
        y : array-like of shape (n,) or (n, n_labels)
            Class labels, or a multi-label 0/1 indicator matrix (any 2-D 0/1
            ``y`` that is not one-vs-all encoded): see "Multi-label ``y``" above.
        mask : array-like of shape (n, t), dtype=bool, default=None
            3-D input only: real positions (default: the non-zero vectors).

        Returns
        -------
        X_resampled : same kind as ``X``
            For raw texts: a 1-D object array (list for list input) of the
            original strings followed by :class:`~skmedtext.SyntheticSequence` rows.
        y_resampled : ndarray of shape (n_samples_resampled,) or (n_samples_resampled, n_labels)
        """
        if is_multilabel_target(y):
            return fit_resample_multilabel(self, X, y, mask)
        check_sampler_target(y, estimator_name=type(self).__name__)
        params = {} if mask is None else {"mask": mask}
        return super().fit_resample(X, y, **params)

    # The input kinds and the training loop import torch; they are imported
    # when a fit needs them so that ``import skmedtext.sampling`` stays light.
    def _check_X_y(self, X, y, accept_sparse=None):
        from skmedtext.sampling._saan._inputs import INPUT_KINDS, input_kind

        self.input_kind_ = input_kind(X)
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        X, y = INPUT_KINDS[self.input_kind_].check(self, X, y)
        return X, y, binarize_y

    def _check_params(self):
        """The checks that span several parameters (or a parameter and the input)."""
        if self.hidden_dim % self.n_heads:
            raise ValueError(
                f"hidden_dim={self.hidden_dim} must be divisible by n_heads={self.n_heads}."
            )
        if self.encoder is not None and self.input_kind_ != "text":
            raise ValueError(
                "encoder is only used for raw-text input; X here is "
                f"{self.input_kind_} data. Leave encoder=None."
            )
        if self.layer is not None and not (
            self.input_kind_ == "text" and (self.encoder is None or isinstance(self.encoder, (str, os.PathLike)))
        ):  # fmt: skip
            raise ValueError(
                "layer selects a Hugging Face encoder's layer for raw-text input; here X is "
                f"{self.input_kind_} data and encoder is {type(self.encoder).__name__}. "
                "Leave layer=None."
            )

    def _targets(self, y):
        """(label, n_new) of the classes to over-sample, with the 2-sample check."""
        targets = [(c, int(n)) for c, n in self.sampling_strategy_.items() if n > 0]
        for label, _ in targets:
            count = int(np.sum(y == label))
            if count < 2:
                raise ValueError(
                    f"SAANSampler needs at least 2 samples of every class it over-samples; "
                    f"class {_plain(label)!r} has {count}. Leave it out with a dict "
                    "sampling_strategy, or merge it with a related class."
                )
        return targets

    def _fit_resample(self, X, y, mask=None):
        inputs = self._start(mask)
        targets = self._targets(y)
        rows = [np.flatnonzero(y == label) for label, _ in targets]
        X_res, blocks, _ = self._generate(inputs, X, targets, rows)
        y_new = [np.full(len(vectors), label, dtype=y.dtype) for label, vectors, _ in blocks]
        self.synthetic_classes_ = np.concatenate(y_new) if y_new else np.zeros(0, dtype=y.dtype)
        n_new = len(self.synthetic_classes_)
        self.synthetic_mask_ = np.r_[np.zeros(len(y), bool), np.ones(n_new, bool)]
        return X_res, np.concatenate([y, self.synthetic_classes_])

    def _start(self, mask):
        """Check the parameters, forget the last fit's input attributes, pick the input kind."""
        from skmedtext.sampling._saan._inputs import INPUT_KINDS

        self._check_params()
        for attr in ("resampled_mask_", "embedding_space_", "encoder_", "subspaces_"):
            self.__dict__.pop(attr, None)
        return INPUT_KINDS[self.input_kind_](self, mask)

    def _generate(self, inputs, X, targets, rows):
        """Train on the ``rows`` of each ``(group, n_new)`` target and append its rows to ``X``.

        Returns ``X_res``, the ``(group, vectors, masks)`` blocks and the real-row bank.
        """
        from skmedtext.sampling._saan._modules import resolve_window

        bank = inputs.real_sequences(X, rows)
        _check_not_padding(bank, rows)
        self.n_tokens_ = bank.t
        self.window_ = resolve_window(self.window, bank.t)
        self.generator_loss_, self.discriminator_loss_ = {}, {}
        blocks = self._train_and_generate(bank, targets, inputs) if targets else []
        X_res = inputs.assemble(X, blocks)
        for name, value in inputs.attributes.items():
            setattr(self, name, value)
        return X_res, blocks, bank

    def _gan_config(self):
        from skmedtext.sampling._saan._train import GanConfig

        return GanConfig(
            latent_dim=self.latent_dim,
            hidden_dim=self.hidden_dim,
            n_heads=self.n_heads,
            n_layers=self.n_layers,
            window=self.window_,
            epochs=self.epochs,
            batch_size=self.batch_size,
            lr=self.lr,
            label_smoothing=self.label_smoothing,
            instance_noise=self.instance_noise,
            spectral_norm=self.spectral_norm,
            mmd_weight=self.mmd_weight,
            device=resolve_device(self.device),
            verbose=self.verbose,
        )

    def _train_and_generate(self, bank, targets, inputs):
        """Train the GANs of all ``targets`` together, then draw each class's rows."""
        import torch

        from skmedtext.sampling._saan._train import generate, train_gans

        cfg = self._gan_config()
        seed = int_seed(self.random_state)
        labels = [_plain(label) for label, _ in targets]
        previous_threads = torch.get_num_threads()
        if self.n_jobs is not None:
            torch.set_num_threads(self.n_jobs)
        try:
            state = train_gans(
                bank, cfg, seed, labels,
                use_anchors=inputs.use_anchors, per_position=inputs.per_position,
                checkpoint=self._checkpoint_folder(bank, seed, labels),
            )  # fmt: skip
            blocks = []
            for g, (label, n_new) in enumerate(targets):
                self.generator_loss_[label] = state["g_loss"][g]
                self.discriminator_loss_[label] = state["d_loss"][g]
                vectors, masks = generate(state, bank, g, n_new, seed, cfg)
                blocks.append((label, vectors, masks))
        finally:
            torch.set_num_threads(previous_threads)
        return blocks

    def _checkpoint_folder(self, bank, seed, labels):
        """The checkpoint folder of this fit: parameters + seed + the rows the GANs learn."""
        if self.checkpoint_dir is None:
            return None
        digest = params_digest(self, ignore=("checkpoint_dir", "verbose", "n_jobs"))
        digest.update(json.dumps([seed, [repr(label) for label in labels]]).encode())
        digest.update(bank.counts.tobytes())
        for part in (bank.mask, bank.values, bank.ids, bank.table):
            if part is not None:
                digest.update(part.contiguous().numpy().tobytes())
        return claim_checkpoint_folder(self.checkpoint_dir, type(self).__name__, digest.hexdigest())


def _check_not_padding(bank, rows):
    """Refuse real rows without a single real position (nothing to learn from)."""
    empty = bank.lengths == 0
    if empty.any():
        order = np.concatenate(rows)
        shown = ", ".join(str(i) for i in np.sort(order[empty])[:10])
        raise ValueError(
            f"{int(empty.sum())} sequence(s) SAAN would learn from are pure padding "
            f"(all-zero vectors, or an all-False mask) at rows {shown}"
            f"{', ...' if empty.sum() > 10 else ''}; drop them first."
        )


def _plain(label):
    """numpy scalar -> Python scalar, so messages read ``class 7``, not ``np.int64(7)``."""
    return label.item() if isinstance(label, np.generic) else label


SAANSampler.__doc__ = SAANSampler.__doc__.format(
    sampling_strategy=BaseOverSampler._sampling_strategy_docstring
)
