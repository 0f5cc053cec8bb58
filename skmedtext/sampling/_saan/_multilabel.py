"""SAANSampler on a multi-label ``y``: one GAN per minority label, label sets by vote.

- **Which labels**: MLSMOTE's minority labels (``IRLbl > MeanIR``, Charte et al.,
  2015), or what ``sampling_strategy`` names
  (:func:`skmedtext.utils.multilabel_sampling_targets`).
- **What each GAN learns**: the GAN of label ``j`` trains on every record that
  carries ``j`` (a record with several minority labels feeds several GANs).
- **Messages** name labels, not classes: a label to grow with fewer than 2
  records (``label column 2 has 1``), a GAN that diverged (``diverged for label
  column 2``).
- **Label set of a synthetic row**: MLSMOTE's neighbour vote. The row carries
  ``j`` and every other label held by more than half of its ``N_NEIGHBORS``
  nearest real records of label ``j``, nearest in the space the GAN generates
  in (the vector itself for 2-D input, the mean of the real positions for 3-D
  sequences and raw texts).
"""

import numpy as np
import scipy.sparse as sp

from skmedtext.utils import check_multilabel_target, multilabel_sampling_targets

__all__ = ["N_NEIGHBORS", "fit_resample_multilabel"]

#: neighbours voting on a synthetic row's labels (MLSMOTE's k)
N_NEIGHBORS = 5


def _summaries(vectors, masks, per_position):
    """One float vector per row: flattened (2-D input cut into chunks) or position mean."""
    vectors = np.asarray(vectors, dtype=np.float64)
    if per_position:
        return vectors.reshape(len(vectors), -1)
    weights = np.asarray(masks, dtype=np.float64)[:, :, None]
    return (vectors * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)


def _real_summaries(bank, group, per_position, chunk=256):
    start, count = int(bank.offsets[group]), int(bank.counts[group])
    parts = []
    for lo in range(start, start + count, chunk):
        rows = np.arange(lo, min(lo + chunk, start + count))
        vectors, masks = bank.gather(rows)
        parts.append(_summaries(vectors.numpy(), masks.numpy(), per_position))
    return np.concatenate(parts)


def vote_label_sets(Y, rows, blocks, bank, per_position):
    """The label set of every synthetic row (module docstring), stacked in block order."""
    sets = []
    for g, (label, vectors, masks) in enumerate(blocks):
        real = _real_summaries(bank, g, per_position)
        fake = _summaries(vectors, masks, per_position)
        k = min(N_NEIGHBORS, len(real))
        dist = (fake**2).sum(1)[:, None] - 2 * fake @ real.T + (real**2).sum(1)[None, :]
        nearest = np.argsort(dist, axis=1, kind="stable")[:, :k]
        votes = Y[rows[g][nearest]].sum(axis=1)  # (n_new, n_labels)
        label_set = (2 * votes > k).astype(Y.dtype)
        label_set[:, label] = 1
        sets.append(label_set)
    return np.concatenate(sets) if sets else np.zeros((0, Y.shape[1]), dtype=Y.dtype)


def _generate(sampler, inputs, X, targets, rows):
    """``sampler._generate`` with the label columns as the groups."""
    from skmedtext.sampling._saan._train import SAANDivergenceError

    try:
        return sampler._generate(inputs, X, list(targets.items()), rows)
    except SAANDivergenceError as exc:
        # the shared training loop calls its groups classes; here each is a label column
        raise SAANDivergenceError(
            exc.label, exc.epoch, exc.g_loss, exc.d_loss, noun="label column"
        ) from None


def fit_resample_multilabel(sampler, X, y, mask=None):
    """``sampler.fit_resample`` for a 2-D 0/1 ``y`` (see the module docstring).

    Returns ``X`` with the synthetic rows appended (grouped by label, rarest
    first) and ``y`` with their label sets (dense, or sparse for sparse ``y``).
    Sets ``synthetic_labels_`` (the label column each synthetic row was made for)
    and ``synthetic_mask_``.
    """
    from skmedtext.sampling._saan._inputs import INPUT_KINDS, input_kind

    sampler._validate_params()  # fit_resample's _fit_context is bypassed here
    name = type(sampler).__name__
    Y = check_multilabel_target(y, estimator_name=name)
    sampler.input_kind_ = input_kind(X)
    X, _ = INPUT_KINDS[sampler.input_kind_].check(sampler, X, np.zeros(Y.shape[0]))
    targets = multilabel_sampling_targets(
        Y, sampler.sampling_strategy, estimator_name=name
    )
    sampler.sampling_strategy_ = targets
    inputs = sampler._start(mask)
    rows = [np.flatnonzero(Y[:, j]) for j in targets]
    for j, members in zip(targets, rows):
        if members.size < 2:
            raise ValueError(
                f"{name} needs at least 2 records of every label it over-samples; label "
                f"column {j} has {members.size}. Leave it out with a dict sampling_strategy."
            )
    X_res, blocks, bank = _generate(sampler, inputs, X, targets, rows)
    new_sets = vote_label_sets(Y, rows, blocks, bank, inputs.per_position)
    sampler.synthetic_labels_ = np.concatenate(
        [np.full(len(vectors), label) for label, vectors, _ in blocks]
        or [np.zeros(0, int)]
    )
    sampler.__dict__.pop("synthetic_classes_", None)
    sampler.synthetic_mask_ = np.r_[
        np.zeros(len(Y), bool), np.ones(len(new_sets), bool)
    ]
    if sp.issparse(y):
        return X_res, sp.vstack([y.tocsr(), sp.csr_matrix(new_sets)], format="csr")
    y = np.asarray(y)
    return X_res, np.concatenate([y, new_sets.astype(y.dtype)])
