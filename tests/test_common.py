"""Common checks run on every public estimator, as scikit-learn's ``test_common.py``.

The estimators come from :func:`skmedtext.utils.all_estimators`, so a new one is
checked as soon as its subpackage exports it. scikit-learn's
``parametrize_with_checks`` skips every check (with only a warning) for an
estimator whose tags refuse 2-D arrays, i.e. every raw-text estimator; those get
the checks that need no numeric data, called directly. Estimators that take
numeric 2-D input also run imbalanced-learn's ``parametrize_with_checks``
(scikit-learn's checks plus the sampler checks).
"""

import sys

import pytest
from imblearn.utils.estimator_checks import parametrize_with_checks
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import (
    check_do_not_raise_errors_in_init_or_set_params,
    check_estimator_cloneable,
    check_estimator_repr,
    check_estimator_tags_renamed,
    check_get_params_invariance,
    check_mixin_order,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
    check_valid_tag_types,
)

import skmedtext
from skmedtext.utils import all_estimators

# Checks that need no fitted data: they hold for raw-text and numeric estimators alike.
API_CHECKS = [
    check_no_attributes_set_in_init,
    check_get_params_invariance,
    check_set_params,
    check_parameters_default_constructible,
    check_estimator_cloneable,
    check_mixin_order,
    check_estimator_repr,
    check_estimator_tags_renamed,
    check_valid_tag_types,
    check_do_not_raise_errors_in_init_or_set_params,
]

# Small, fast settings for the checks that fit (sklearn's _tested_estimators idea);
# the API checks above use the default constructor, which is what they test.
PER_ESTIMATOR_PARAMS = {
    "SAANSampler": dict(
        epochs=1, batch_size=256, hidden_dim=8, n_heads=2, n_layers=1, latent_dim=4,
        device="cpu", random_state=0,
    ),  # fmt: skip
}

# Known failures of the numeric checks, with the reason, so none is a silent skip.
EXPECTED_FAILED_CHECKS = {
    "SAANSampler": {
        "check_target_type": (
            "a multi-label y is accepted on purpose (issue 18, docs/multilabel.md); the "
            "continuous-y half of the check is in tests/sampling/test_multilabel_sampling.py"
        ),
    },
}

ESTIMATORS = all_estimators()


def _takes_numeric_2d(cls):
    return get_tags(cls()).input_tags.two_d_array


def _tested_numeric_estimators():
    for name, cls in ESTIMATORS:
        if _takes_numeric_2d(cls):
            yield cls(**PER_ESTIMATOR_PARAMS.get(name, {}))


# -- the estimator list --------------------------------------------------------------------
# The public estimators when this test was written: all_estimators() must find them
# (more may join; none may silently drop out).
KNOWN = {
    "classifier": {
        "BiGRUClassifier", "BiLSTMClassifier", "CNNGRUClassifier", "CNNLSTMClassifier",
        "DMTBertClassifier", "DPCNNClassifier", "StaResGRUCNNClassifier",
        "TextCNNBiGRUClassifier", "TextCNNClassifier",
    },
    "transformer": {"JiebaTokenizer", "TextCleaner", "TransformerEmbedder", "Word2VecEmbedder"},
    "sampler": {"SAANSampler", "VocabularyAugmenter"},
}  # fmt: skip


def test_all_estimators_finds_every_public_estimator():
    names = [name for name, _ in ESTIMATORS]
    assert names == sorted(names) and len(set(names)) == len(names)
    assert set().union(*KNOWN.values()) <= set(names)
    for name, cls in ESTIMATORS:
        assert issubclass(cls, BaseEstimator)
        assert not name.startswith(("_", "Base"))
        # exported by a public subpackage: the import users write
        package = cls.__module__.split("._")[0]
        assert getattr(sys.modules[package], name) is cls, (name, package)


@pytest.mark.parametrize("kind", sorted(KNOWN))
def test_all_estimators_type_filter(kind):
    found = dict(all_estimators(type_filter=kind))
    assert KNOWN[kind] <= set(found)
    mixin = {"classifier": ClassifierMixin, "transformer": TransformerMixin}.get(kind)
    for cls in found.values():
        assert issubclass(cls, mixin) if mixin else hasattr(cls, "fit_resample")
    union = dict(all_estimators(type_filter=["classifier", "sampler"]))
    assert set(union) == set(dict(all_estimators("classifier"))) | set(
        dict(all_estimators("sampler"))
    )


def test_all_estimators_leaves_out_bases_and_the_training_engine():
    names = {name for name, _ in ESTIMATORS}
    assert not {"BaseTextClassifier", "TextNet", "AcceleratedTextNet"} & names


@pytest.mark.parametrize("bad", ["regressor", [], ["classifier", "nope"]])
def test_all_estimators_refuses_an_unknown_filter(bad):
    with pytest.raises(ValueError, match="type_filter"):
        all_estimators(type_filter=bad)


def test_a_new_estimator_joins_automatically(monkeypatch):
    class NewTextTransformer(TransformerMixin, BaseEstimator):
        def __init__(self, level="char"):
            self.level = level

    NewTextTransformer.__module__ = "skmedtext.text._new"
    monkeypatch.setattr(skmedtext.text, "NewTextTransformer", NewTextTransformer, raising=False)
    assert dict(all_estimators("transformer"))["NewTextTransformer"] is NewTextTransformer
    # a private name is not an estimator to list
    monkeypatch.delattr(skmedtext.text, "NewTextTransformer")
    monkeypatch.setattr(skmedtext.text, "_Hidden", NewTextTransformer, raising=False)
    assert "_Hidden" not in dict(all_estimators())


# -- the checks ----------------------------------------------------------------------------
@pytest.mark.parametrize("check", API_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("name, cls", ESTIMATORS, ids=[name for name, _ in ESTIMATORS])
def test_api_checks(name, cls, check):
    check(name, cls())


@parametrize_with_checks(
    list(_tested_numeric_estimators()),
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS.get(type(est).__name__, {}),
)
def test_numeric_input_estimator_checks(estimator, check):
    check(estimator)


def test_numeric_checks_cover_the_numeric_estimators():
    # parametrize_with_checks skips raw-text estimators with a mere warning: make
    # sure the numeric list holds exactly those that take 2-D arrays
    numeric = {type(e).__name__ for e in _tested_numeric_estimators()}
    assert "SAANSampler" in numeric
    assert not numeric & (KNOWN["classifier"] | KNOWN["transformer"])
