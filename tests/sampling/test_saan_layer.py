"""SAAN's text mode in a cut-layer space: rows meet DMT-BERT above its frozen stack."""

import numpy as np
import pytest
from imblearn.pipeline import make_pipeline

from skmedtext import SyntheticSequence
from skmedtext.encoders import clear_frozen_stack_cache
from skmedtext.encoders._frozen_stack import FROZEN_STACK_CACHE
from skmedtext.models import DMTBertClassifier
from skmedtext.sampling import SAANSampler

TINY = dict(epochs=1, batch_size=256, hidden_dim=8, n_heads=2, latent_dim=4, device="cpu",
            max_length=16, random_state=0)  # fmt: skip
DMT = dict(max_length=16, max_epochs=1, batch_size=8, lambda_cooc=0.0, random_state=0)


@pytest.fixture(scope="module")
def texts_y(data_root):
    from skmedtext.datasets import load_medical_abstracts

    bunch = load_medical_abstracts(data_home=data_root)
    texts, y = np.asarray(bunch.data, dtype=object), np.asarray(bunch.target)
    rows = np.concatenate(
        [np.flatnonzero(y == label)[:n] for label, n in ((5, 6), (1, 3))]
    )
    return list(texts[rows]), y[rows]


def test_layer_rows_live_in_the_classifiers_frozen_space(texts_y):
    texts, y = texts_y
    clear_frozen_stack_cache()
    sampler = SAANSampler(layer=-2, **TINY)
    X_res, y_res = sampler.fit_resample(texts, y)
    synthetic = X_res[len(texts) :]
    assert len(synthetic) == 3 and all(
        isinstance(r, SyntheticSequence) for r in synthetic
    )
    assert sampler.embedding_space_.startswith("hf-layer-4:")
    misses = FROZEN_STACK_CACHE.misses
    assert misses == 3  # the minority texts' states were computed once and cached
    clf = DMTBertClassifier(trainable_layers=2, **DMT).fit(X_res, y_res)
    assert clf.frozen_space_ == sampler.embedding_space_
    # the three minority texts are cache hits; only the six others are new
    assert FROZEN_STACK_CACHE.misses == misses + 6
    assert clf.predict(texts[:2]).shape == (2,)


def test_rows_from_another_layer_are_refused(texts_y):
    texts, y = texts_y
    X_res, y_res = SAANSampler(layer=3, **TINY).fit_resample(texts, y)
    with pytest.raises(ValueError, match="hf-layer-3"):
        DMTBertClassifier(trainable_layers=2, **DMT).fit(X_res, y_res)


def test_layer_in_a_pipeline_and_bad_values(texts_y):
    texts, y = texts_y
    pipe = make_pipeline(
        SAANSampler(layer=-1, **TINY), DMTBertClassifier(trainable_layers=1, **DMT)
    )
    assert pipe.fit(texts, y).predict(texts[:3]).shape == (3,)
    with pytest.raises(ValueError, match="outside the encoder's 6 layers"):
        SAANSampler(layer=-7, **TINY).fit_resample(texts, y)
    with pytest.raises(ValueError, match="layer selects"):
        SAANSampler(layer=1, **TINY).fit_resample(
            np.random.RandomState(0).normal(size=(9, 8)), y
        )
