"""VocabularyAugmenter on a multi-label ``y``: MLSMOTE's choice of seed records.

Which records to rewrite follows MLSMOTE (Charte et al., 2015): the minority
labels are those whose imbalance ratio ``IRLbl`` exceeds the mean ``MeanIR``,
and the records carrying them are the seeds
(:func:`skmedtext.utils.multilabel_sampling_targets` defines ``sampling_strategy``).
A rewritten text keeps its seed's meaning, so a synthetic row carries the
**seed record's label set**.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state

from skmedtext.augment._rewrite import Segments
from skmedtext.utils import (
    check_multilabel_target,
    check_texts,
    draw_seed_rows,
    int_seed,
    multilabel_sampling_targets,
)

__all__ = ["fit_resample_multilabel"]


def fit_resample_multilabel(augmenter, X, y):
    """``augmenter.fit_resample`` for a 2-D 0/1 ``y`` (see the module docstring).

    Returns the texts (a list for list input, else a 1-D object array) with the
    synthetic texts appended, and ``y`` with each synthetic row's label set (the
    same kind as the input ``y``: dense array or sparse matrix). Sets, besides
    the single-label attributes, ``synthetic_labels_``: the label column each
    synthetic row was made for.
    """
    augmenter._validate_params()  # fit_resample's _fit_context is bypassed here
    name = type(augmenter).__name__
    texts = check_texts(X, estimator_name=name)
    Y = check_multilabel_target(y, estimator_name=name, n_samples=texts.shape[0])
    targets = multilabel_sampling_targets(
        Y, augmenter.sampling_strategy, estimator_name=name
    )
    augmenter.sampling_strategy_ = targets
    # the single-label order of draws: word2vec's seed first, then the plan
    rng = check_random_state(augmenter.random_state)
    units_of = Segments(texts)
    lexicon = augmenter._make_lexicon(units_of, int_seed(rng))
    seeds, drawn = draw_seed_rows(Y, targets, rng)
    members = {j: np.flatnonzero(Y[:, j]) for j in targets}
    X_res = augmenter._synthesize(texts, units_of, lexicon, seeds, drawn, members, rng)
    augmenter.synthetic_labels_ = drawn
    rows = augmenter.sample_indices_
    y_res = y.tocsr()[rows] if sp.issparse(y) else np.asarray(y)[rows]
    return (X_res.tolist() if isinstance(X, list) else X_res), y_res
