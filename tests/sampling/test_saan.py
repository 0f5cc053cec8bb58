"""SAANSampler: the sampler contract, the three input kinds on real data, and the modules."""

import math
from collections import Counter

import numpy as np
import pytest
import torch
from imblearn.over_sampling import RandomOverSampler
from imblearn.pipeline import make_pipeline
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_validate
from sklearn.utils._param_validation import InvalidParameterError

from skmedtext import SyntheticSequence
from skmedtext.metrics import (
    classifier_two_sample_test,
    knn_precision_recall,
    maximum_mean_discrepancy,
)
from skmedtext.sampling import SAANDivergenceError, SAANSampler
from skmedtext.sampling._saan._modules import SparseSelfAttention, attention_allowed
from skmedtext.utils import sequence_mask

# tiny GANs: the contract does not depend on the GAN being good
TINY = dict(
    epochs=1, batch_size=256, hidden_dim=8, n_heads=2, n_layers=1, latent_dim=4, device="cpu"
)


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    # the ops of tiny GANs are far too small for intra-op threads to pay off
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


# ---------------------------------------------------------------- real data
@pytest.fixture(scope="session")
def minilm():
    from skmedtext.encoders import input_embedding_space, load_encoder

    spec, tokenizer, model = load_encoder("minilm-en")
    return spec, tokenizer, model, input_embedding_space(model)


@pytest.fixture(scope="session")
def abstracts(data_root):
    """60 Medical Abstracts of 3 classes, 30/20/10 (imbalanced), in a fixed order."""
    from skmedtext.datasets import load_medical_abstracts

    bunch = load_medical_abstracts(data_home=data_root)
    texts, y = np.asarray(bunch.data, dtype=object), np.asarray(bunch.target)
    rows = np.concatenate(
        [np.flatnonzero(y == label)[:n] for label, n in ((5, 30), (1, 20), (2, 10))]
    )
    return texts[rows], y[rows]


def _input_sequences(minilm, texts, max_length):
    """MiniLM input word-embedding sequences (n, t, 384), exact-zero padding."""
    _, tokenizer, model, _ = minilm
    ids = tokenizer(list(texts), truncation=True, max_length=max_length)["input_ids"]
    table = model.get_input_embeddings().weight.detach().numpy()
    out = np.zeros((len(ids), max(map(len, ids)), table.shape[1]), dtype=np.float32)
    for i, row in enumerate(ids):
        out[i, : len(row)] = table[row]
    return out


@pytest.fixture(scope="session")
def pooled(minilm, abstracts):
    """Frozen MiniLM mean-pooled sentence embeddings (60, 384) of the subset."""
    _, tokenizer, model, _ = minilm
    texts, y = abstracts
    enc = tokenizer(list(texts), truncation=True, max_length=24, padding=True, return_tensors="pt")
    with torch.inference_mode():
        states = model(**enc).last_hidden_state
    weights = enc["attention_mask"].unsqueeze(-1).float()
    return ((states * weights).sum(1) / weights.sum(1)).numpy(), y


# The scikit-learn API checks and imbalanced-learn's sampler checks (on 2-D input,
# with tiny settings) run in tests/test_common.py with every public estimator.


# ---------------------------------------------------------------- 2-D input (real)
def test_vectors_originals_first_and_synthetic_attributes(pooled):
    X, y = pooled
    sampler = SAANSampler(random_state=0, **TINY)
    X_res, y_res = sampler.fit_resample(X, y)
    np.testing.assert_array_equal(X_res[: len(X)], X)
    np.testing.assert_array_equal(y_res[: len(y)], y)
    assert X_res.dtype == X.dtype and X_res.shape[1] == X.shape[1]
    assert Counter(y_res) == {5: 30, 1: 30, 2: 30}
    assert sampler.synthetic_mask_.sum() == 30 and not sampler.synthetic_mask_[: len(X)].any()
    np.testing.assert_array_equal(sampler.synthetic_classes_, y_res[sampler.synthetic_mask_])
    # window="auto": round(8 * 86 / 512) = 1 (was 8 = full attention before "auto")
    assert sampler.input_kind_ == "vector" and (sampler.n_tokens_, sampler.window_) == (8, 1)
    assert not hasattr(sampler, "sample_indices_")
    assert set(sampler.generator_loss_) == set(sampler.discriminator_loss_) == {1, 2}
    for losses in (sampler.generator_loss_, sampler.discriminator_loss_):
        assert all(v.shape == (TINY["epochs"],) and np.isfinite(v).all() for v in losses.values())
    # synthetic rows are new vectors, not copies of real rows
    new = X_res[len(X) :]
    assert not (new[:, None, :] == X[None]).all(axis=2).any()


@pytest.mark.parametrize(
    "strategy, expected",
    [
        ("auto", {5: 30, 1: 30, 2: 30}),
        ("minority", {5: 30, 1: 20, 2: 30}),
        ("not majority", {5: 30, 1: 30, 2: 30}),
        ("all", {5: 30, 1: 30, 2: 30}),
        ("not minority", {5: 30, 1: 30, 2: 10}),
        ({1: 25, 2: 40}, {5: 30, 1: 25, 2: 40}),
        (lambda y: {2: 12}, {5: 30, 1: 20, 2: 12}),
    ],
)
def test_sampling_strategy_counts(pooled, strategy, expected):
    X, y = pooled
    _, y_res = SAANSampler(sampling_strategy=strategy, random_state=0, **TINY).fit_resample(X, y)
    assert Counter(y_res) == expected


def test_float_strategy_binary(pooled):
    X, y = pooled
    keep = y != 2
    _, y_res = SAANSampler(sampling_strategy=0.8, random_state=0, **TINY).fit_resample(
        X[keep], y[keep]
    )
    assert Counter(y_res) == {5: 30, 1: 24}


def test_same_seed_same_output_other_seed_differs(pooled):
    X, y = pooled
    a, _ = SAANSampler(random_state=3, n_jobs=2, **TINY).fit_resample(X, y)
    assert torch.get_num_threads() == 1  # n_jobs only applies while training
    b, _ = SAANSampler(random_state=3, **TINY).fit_resample(X, y)
    c, _ = SAANSampler(random_state=4, **TINY).fit_resample(X, y)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a[len(X) :], c[len(X) :])


@pytest.mark.parametrize(
    "n_tokens, n_components, expected",
    [(1, 32, 1), ("auto", 32, 8), (32, 32, 32), (10, None, 10), ("auto", None, 8)],
)
def test_n_tokens_layout(pooled, n_tokens, n_components, expected):
    X, y = pooled
    sampler = SAANSampler(
        n_tokens=n_tokens, n_components=n_components, sampling_strategy={2: 12}, random_state=0,
        **TINY,
    )
    X_res, _ = sampler.fit_resample(X, y)
    assert sampler.n_tokens_ == expected
    assert sampler.window_ == max(1, round(expected * 86 / 512))
    assert X_res.shape == (62, 384) and np.isfinite(X_res).all()
    assert (sampler.subspaces_ is None) == (n_components is None)


def test_vectors_stay_in_the_class_subspace_and_range(pooled):
    # 10 samples of class 2 span a 9-d affine subspace: synthetic rows lie in it,
    # within the range the real whitened coordinates reach (tanh-bounded output)
    X, y = pooled
    sampler = SAANSampler(sampling_strategy={2: 40}, random_state=0, **TINY)
    X_res, _ = sampler.fit_resample(X, y)
    real, new = X[y == 2].astype(np.float64), X_res[len(X) :].astype(np.float64)
    sub = sampler.subspaces_[0]
    assert sub.components.shape == (9, 384)
    residual = (new - sub.mean) - (new - sub.mean) @ sub.components.T @ sub.components
    assert np.abs(residual).max() < 1e-4
    bound = np.abs(sub.transform(real)).max(axis=0)[:9]
    assert (np.abs(sub.transform(new))[:, :9] <= bound + 1e-4).all()


def test_pipeline_cross_validate_and_grid_search(pooled):
    X, y = pooled
    pipe = make_pipeline(SAANSampler(random_state=0, **TINY), LogisticRegression(max_iter=300))
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    scores = cross_validate(pipe, X, y, cv=cv, scoring="f1_macro")
    assert np.all(np.isfinite(scores["test_score"]))
    search = GridSearchCV(pipe, {"saansampler__n_tokens": [1, "auto"]}, cv=cv, scoring="f1_macro")
    search.fit(X, y)
    assert search.best_params_["saansampler__n_tokens"] in (1, "auto")
    # resampling happens in fit only: predict sees the rows it is given
    assert search.predict(X[:7]).shape == (7,)
    fitted_sampler = search.best_estimator_.named_steps["saansampler"]
    assert fitted_sampler.synthetic_mask_.sum() > 0


def test_too_few_samples_clear_error(pooled):
    X, y = pooled
    X1, y1 = np.vstack([X, X[:1] + 1.0]), np.append(y, 7)
    with pytest.raises(ValueError, match=r"class 7 has 1"):
        SAANSampler(random_state=0, **TINY).fit_resample(X1, y1)
    # leaving the class out with a dict strategy works
    _, y_res = SAANSampler(sampling_strategy={2: 30}, random_state=0, **TINY).fit_resample(X1, y1)
    assert Counter(y_res)[7] == 1


def test_divergence_names_class_and_epoch(pooled):
    X, y = pooled
    sampler = SAANSampler(sampling_strategy={2: 20}, lr=1e30, random_state=0, **TINY)
    with pytest.raises(SAANDivergenceError, match=r"class 2 at epoch 1"):
        sampler.fit_resample(X, y)
    assert issubclass(SAANDivergenceError, FloatingPointError)


class _Killed(Exception):
    """Stands for the process dying (pytest treats a real KeyboardInterrupt as a stop)."""


def test_checkpoint_resume_is_bit_identical(pooled, tmp_path, monkeypatch):
    import skmedtext.sampling._saan._train as saan_train

    X, y = pooled
    params = dict(TINY, epochs=4)
    reference, _ = SAANSampler(random_state=0, **params).fit_resample(X, y)

    save = saan_train._save
    epochs_saved = []

    def save_then_kill_after_epoch_two(*args):
        save(*args)
        epochs_saved.append(args[-1])
        if epochs_saved == [1, 2]:
            raise _Killed  # the process dies after epoch 2 was saved

    monkeypatch.setattr(saan_train, "_save", save_then_kill_after_epoch_two)
    with pytest.raises(_Killed):
        SAANSampler(random_state=0, checkpoint_dir=tmp_path, **params).fit_resample(X, y)
    epochs_saved.clear()
    resumed = SAANSampler(random_state=0, checkpoint_dir=tmp_path, **params)
    X_res, _ = resumed.fit_resample(X, y)
    assert epochs_saved == [3, 4]  # only the missing epochs were trained
    np.testing.assert_array_equal(X_res, reference)
    assert all(len(loss) == 4 for loss in resumed.generator_loss_.values())


def test_checkpoint_of_another_fit_is_refused(pooled, tmp_path):
    X, y = pooled
    SAANSampler(random_state=0, checkpoint_dir=tmp_path, **TINY).fit_resample(X, y)
    with pytest.raises(ValueError, match="checkpoint of a different fit"):
        SAANSampler(random_state=1, checkpoint_dir=tmp_path, **TINY).fit_resample(X, y)
    with pytest.raises(ValueError, match="checkpoint of a different fit"):
        SAANSampler(random_state=0, checkpoint_dir=tmp_path, **TINY).fit_resample(X[::-1], y)


def test_bad_parameters():
    X, y = np.random.RandomState(0).normal(size=(20, 6)), np.array([0] * 14 + [1] * 6)
    with pytest.raises(ValueError, match="divisible by n_heads"):
        SAANSampler(hidden_dim=10, n_heads=4, epochs=1).fit_resample(X, y)
    with pytest.raises(ValueError, match="encoder is only used for raw-text"):
        SAANSampler(encoder="minilm-en", epochs=1).fit_resample(X, y)
    with pytest.raises(ValueError, match="window"):
        SAANSampler(window=-1).fit_resample(X, y)



@pytest.mark.parametrize(
    "params", [{"epochs": 0}, {"lr": 0.0}, {"n_tokens": "many"}, {"label_smoothing": 1.0}]
)
def test_bad_parameter_is_refused_before_training(params, monkeypatch):
    import skmedtext.sampling._saan._train as saan_train

    def no_training(*args, **kwargs):
        raise AssertionError("a bad parameter reached training")

    monkeypatch.setattr(saan_train, "train_gans", no_training)
    X, y = np.random.RandomState(0).normal(size=(20, 6)), np.array([0] * 14 + [1] * 6)
    with pytest.raises(InvalidParameterError, match=next(iter(params))):
        SAANSampler(**params).fit_resample(X, y)


@pytest.mark.parametrize(
    "module", ["_train", "_sampler", "_inputs", "_bank", "_modules"]
)
def test_saan_package_has_no_import_cycle(module):
    # each module imported first, in a fresh interpreter, must import cleanly
    import subprocess
    import sys

    code = (
        f"import skmedtext.sampling._saan.{module}\n"
        "from skmedtext.sampling import SAANDivergenceError, SAANSampler\n"
        "assert issubclass(SAANDivergenceError, FloatingPointError)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# ---------------------------------------------------------------- 3-D input (real)
def test_sequences_with_padding(minilm, abstracts):
    texts, y = abstracts
    X = _input_sequences(minilm, texts, max_length=20)
    lengths = sequence_mask(X).sum(1)
    sampler = SAANSampler(random_state=0, **TINY)
    X_res, y_res = sampler.fit_resample(X, y)
    np.testing.assert_array_equal(X_res[: len(X)], X)
    assert X_res.shape == (90, X.shape[1], 384) and X_res.dtype == np.float32
    new_mask = sampler.resampled_mask_[len(X) :]
    np.testing.assert_array_equal(sequence_mask(X_res), sampler.resampled_mask_)
    # padding of synthetic rows is exact zeros; their lengths are real lengths of the class
    assert (X_res[len(X) :][~new_mask] == 0).all()
    for label in (1, 2):
        rows = sampler.synthetic_classes_ == label
        assert set(new_mask[rows].sum(1)) <= set(lengths[y == label])
    # the constant [CLS] / [SEP] vectors are copied into every synthetic row
    cls_vec = X[0, 0]
    assert (X_res[len(X) :, 0] == cls_vec).all()


def test_sequences_with_explicit_mask(minilm, abstracts):
    texts, y = abstracts
    X = _input_sequences(minilm, texts, max_length=12)
    mask = sequence_mask(X)
    mask[:, 8:] = False  # treat the tail as padding although it holds vectors
    sampler = SAANSampler(sampling_strategy={2: 14}, random_state=0, **TINY)
    X_res, _ = sampler.fit_resample(X, y, mask=mask)
    assert sampler.n_tokens_ <= 8
    np.testing.assert_array_equal(X_res[: len(X)], X)
    assert (X_res[len(X) :, 8:] == 0).all()
    with pytest.raises(ValueError, match="mask must have shape"):
        SAANSampler(**TINY).fit_resample(X, y, mask=mask[:, :5])
    empty = mask.copy()
    empty[np.flatnonzero(y == 2)[0]] = False
    with pytest.raises(ValueError, match="pure padding"):
        SAANSampler(**TINY).fit_resample(X, y, mask=empty)


# ---------------------------------------------------------------- raw texts (real)
def test_texts_default_minilm_input_space(minilm, abstracts):
    texts, y = abstracts
    _, tokenizer, model, space = minilm
    sampler = SAANSampler(max_length=16, random_state=0, **TINY)
    X_res, y_res = sampler.fit_resample(list(texts), y)
    assert isinstance(X_res, list) and X_res[: len(texts)] == list(texts)
    synthetic = X_res[len(texts) :]
    assert len(synthetic) == 30 and all(isinstance(r, SyntheticSequence) for r in synthetic)
    assert sampler.embedding_space_ == space and all(r.space == space for r in synthetic)
    assert [r.label for r in synthetic] == list(y_res[len(texts) :])
    table = model.get_input_embeddings().weight.detach().numpy()
    real_lengths = {len(ids) for ids in tokenizer(list(texts), truncation=True, max_length=16)["input_ids"]}
    for row in synthetic[:5]:
        assert row.vectors.shape[1] == 384 and len(row) in real_lengths
        np.testing.assert_array_equal(row.vectors[0], table[tokenizer.cls_token_id])
        np.testing.assert_array_equal(row.vectors[-1], table[tokenizer.sep_token_id])


def test_text_pipeline_with_dmt_bert(abstracts):
    from skmedtext.models import DMTBertClassifier

    texts, y = abstracts
    rows = np.r_[0:6, 30:34, 50:52]  # 6 / 4 / 2 texts
    pipe = make_pipeline(
        SAANSampler(max_length=16, random_state=0, **TINY),
        DMTBertClassifier(
            max_length=16, max_epochs=1, batch_size=8, lambda_cooc=0.0, random_state=0
        ),
    )
    pipe.fit(list(texts[rows]), y[rows])
    sampler = pipe.named_steps["saansampler"]
    assert sampler.synthetic_mask_.sum() == 6
    assert pipe.named_steps["dmtbertclassifier"].embedding_space_ == sampler.embedding_space_
    assert pipe.predict(list(texts[rows[:3]])).shape == (3,)


class _HashSequenceEmbedder(TransformerMixin, BaseEstimator):
    """A minimal skmedtext-style sequence embedder: one fixed random vector per word."""

    def __init__(self, dim=6, output="sequence"):
        self.dim = dim
        self.output = output

    def fit(self, X, y=None):
        self.embedding_space_ = f"hash-words-{self.dim}"
        return self

    def transform(self, X):
        words = [str(text).split()[:10] for text in X]
        out = np.zeros((len(X), 10, self.dim), dtype=np.float32)
        for i, row in enumerate(words):
            for j, word in enumerate(row):
                seed = sum(map(ord, word)) % 2**31
                out[i, j] = np.random.RandomState(seed).normal(size=self.dim) + 0.1
        return out


def test_text_with_embedder_object_and_space_mismatch(abstracts):
    from skmedtext.models import DMTBertClassifier

    texts, y = abstracts
    sampler = SAANSampler(encoder=_HashSequenceEmbedder(), random_state=0, **TINY)
    X_res, y_res = sampler.fit_resample(texts, y)
    assert isinstance(X_res, np.ndarray) and X_res.dtype == object
    assert sampler.embedding_space_ == "hash-words-6"
    assert all(r.space == "hash-words-6" and r.vectors.shape[1] == 6 for r in X_res[len(texts) :])
    clf = DMTBertClassifier(max_length=16, max_epochs=1, lambda_cooc=0.0)
    with pytest.raises(ValueError, match="embedding space 'hash-words-6'"):
        clf.fit(X_res, y_res)
    with pytest.raises(ValueError, match="output='sequence'"):
        SAANSampler(encoder=_HashSequenceEmbedder(output="pooled"), **TINY).fit_resample(texts, y)


def test_text_with_transformer_embedder_matches_default_space(minilm, abstracts):
    embeddings = pytest.importorskip(
        "skmedtext.embeddings", reason="skmedtext.embeddings is not available"
    )
    texts, y = abstracts
    embedder = embeddings.TransformerEmbedder(layer="input", output="sequence", max_length=12)
    sampler = SAANSampler(encoder=embedder, sampling_strategy={2: 12}, random_state=0, **TINY)
    X_res, _ = sampler.fit_resample(texts, y)
    assert sampler.embedding_space_ == minilm[3]
    assert X_res[-1].space == minilm[3] and len(X_res[-1]) <= 12


def test_word2vec_rows_feed_a_sequence_model(data_root):
    # a fitted Word2VecEmbedder shared by SAAN and the classifier: one space
    from skmedtext.datasets import load_department_triage
    from skmedtext.embeddings import Word2VecEmbedder
    from skmedtext.models import TextCNNClassifier

    bunch = load_department_triage(data_home=data_root)
    texts, y = np.asarray(bunch.data, dtype=object), np.asarray(bunch.target)
    rows = np.r_[np.flatnonzero(y == "消化科")[:16], np.flatnonzero(y == "风湿免疫科")[:4]]
    texts, y = texts[rows], y[rows]
    w2v = Word2VecEmbedder(
        output="sequence", vector_size=8, min_count=1, epochs=2, max_length=16, random_state=0
    ).fit(texts)
    X_res, y_res = SAANSampler(encoder=w2v, random_state=0, **TINY).fit_resample(texts, y)
    synthetic = X_res[len(texts) :]
    assert len(synthetic) == 12 and all(r.space == w2v.embedding_space_ for r in synthetic)
    assert all(r.label == "风湿免疫科" and r.vectors.shape[1] == 8 for r in synthetic)
    clf = TextCNNClassifier(
        embedding=w2v, max_length=16, filters=4, kernel_sizes=(2, 3), batch_size=8, max_epochs=1,
        device="cpu", random_state=0,
    )
    assert clf.fit(X_res, y_res).predict(texts[:3]).shape == (3,)


# ---------------------------------------------------------------- quality metrics
@pytest.mark.parametrize("mmd_weight", [0.0, 100.0])
def test_synthetic_rows_cover_the_class(pooled, mmd_weight):
    # The adversarial loss alone gave samples inside the class but on a small part
    # of it (k-NN recall ~0.1 at precision 1); the MMD term of the generator's loss
    # (the default) spreads them over the class.
    X, y = pooled
    sampler = SAANSampler(
        sampling_strategy={1: 40}, epochs=30, mmd_weight=mmd_weight, random_state=0, device="cpu"
    )
    X_res, y_res = sampler.fit_resample(X, y)
    precision, recall = knn_precision_recall(X[y == 1], X_res[len(X) :])
    if mmd_weight:
        assert precision >= 0.9 and recall >= 0.5
    else:
        assert recall < 0.5


def test_subspace_residual_lends_the_nearest_real_rows_detail(pooled):
    # With more rows than components the GAN only models the leading directions;
    # None leaves every synthetic row on that flat, "nearest" adds a real row's
    # off-subspace part, which is what brought k-NN recall from ~0.1-0.25 to >= 0.5
    # on Medical Abstracts classes (docs/saan.md).
    X, y = pooled
    real = X[y == 1]
    common = dict(sampling_strategy={1: 40}, n_components=4, epochs=5, random_state=0)
    flat = SAANSampler(subspace_residual=None, **common)
    lifted = SAANSampler(**common)
    X_flat, _ = flat.fit_resample(X, y)
    X_lift, _ = lifted.fit_resample(X, y)
    sub = lifted.subspaces_[0]

    def off_subspace(rows):
        centred = rows - sub.mean
        return centred - (centred @ sub.components.T) @ sub.components

    assert np.abs(off_subspace(X_flat[len(X) :])).max() < 1e-4
    residuals = off_subspace(real)
    for row in off_subspace(X_lift[len(X) :]):
        assert np.abs(residuals - row).max(axis=1).min() < 1e-4
    # the in-subspace part (the GAN's sample) is the same with and without the lift
    np.testing.assert_allclose(
        X_lift[len(X) :] - off_subspace(X_lift[len(X) :]), X_flat[len(X) :], atol=1e-4
    )
    assert knn_precision_recall(real, X_lift[len(X) :])[1] > knn_precision_recall(
        real, X_flat[len(X) :]
    )[1]


def test_quality_metrics_flag_a_collapsed_generator(pooled):
    X, y = pooled
    rng = np.random.RandomState(0)
    real = X[y == 5]
    order = rng.permutation(len(real))
    train, held_out = real[order[:15]], real[order[15:]]
    collapsed = np.repeat(train.mean(axis=0, keepdims=True), 15, axis=0)
    assert maximum_mean_discrepancy(held_out, collapsed) > maximum_mean_discrepancy(
        held_out, train
    )
    assert knn_precision_recall(held_out, collapsed)[1] < knn_precision_recall(held_out, train)[1]
    auc_collapsed = classifier_two_sample_test(held_out, collapsed, random_state=0)
    auc_real = classifier_two_sample_test(held_out, train, random_state=0)
    assert auc_collapsed > auc_real


def test_quality_metrics_accept_synthetic_sequences(minilm, abstracts):
    texts, y = abstracts
    sampler = SAANSampler(max_length=16, sampling_strategy={2: 12}, random_state=0, **TINY)
    X_res, _ = sampler.fit_resample(texts, y)
    real = _input_sequences(minilm, texts[y == 2], max_length=16)
    score = maximum_mean_discrepancy(real, X_res[len(texts) :], random_state=0)
    assert math.isfinite(score)
    with pytest.raises(ValueError, match="features"):
        maximum_mean_discrepancy(np.zeros((3, 4)), np.ones((3, 5)))


# ---------------------------------------------------------------- modules (eqs. 5-10)
def test_sparse_attention_is_eq_5_to_10():
    torch.manual_seed(0)
    dim, m, t, w = 8, 2, 7, 2
    att = SparseSelfAttention(1, dim, m)
    z = torch.randn(1, 3, t, dim)
    mask = torch.ones(1, 3, t, dtype=torch.bool)
    mask[0, 1, 5:] = False
    out, weights = att(z, attention_allowed(mask, w), return_weights=True)
    W = att.w_qkv.weight[0]
    d_k = dim // m
    idx = torch.arange(t)
    band = (idx[:, None] - idx[None, :]).abs() <= w
    heads = []
    for j in range(m):
        cols = slice(j * d_k, (j + 1) * d_k)
        q, k, v = z[0] @ W[:, cols], z[0] @ W[:, dim:][:, cols], z[0] @ W[:, 2 * dim :][:, cols]
        allowed = band & (mask[0][:, None, :] | torch.eye(t, dtype=torch.bool))
        M = torch.zeros(3, t, t).masked_fill(~allowed, float("-inf"))
        heads.append(torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d_k) + M, dim=-1) @ v)
    expected = torch.cat(heads, dim=-1) @ att.w_a.weight[0]
    torch.testing.assert_close(out[0], expected)
    # the fused kernel of the training path computes the same equations
    fused = att(z, attention_allowed(mask, w))
    torch.testing.assert_close(fused[0], expected)
    # nothing outside the window, nothing on padding keys (real queries)
    assert weights[0][..., ~band].abs().max() == 0
    assert weights[0, 1, :, :5, 5:].abs().max() == 0


@pytest.mark.parametrize("kind", ["vector", "sequence"])
def test_attention_is_local_at_the_defaults(pooled, minilm, abstracts, monkeypatch, kind):
    # Before window="auto", w = 86 let every position see every other one: 2-D input
    # (8 positions) and text under 88 tokens got full attention.
    from skmedtext.sampling._saan import _modules

    seen = []

    def spy(mask, window):
        allowed = attention_allowed(mask, window)
        real = mask[..., :, None] & mask[..., None, :]  # real query and real key
        share = 1.0 if allowed is None else (allowed & real).sum() / real.sum()
        seen.append(float(share))
        return allowed

    monkeypatch.setattr(_modules, "attention_allowed", spy)
    if kind == "vector":
        X, y = pooled
    else:
        X, y = _input_sequences(minilm, abstracts[0], max_length=128), abstracts[1]
    sampler = SAANSampler(random_state=0, **TINY)
    sampler.fit_resample(X, y)
    t = sampler.n_tokens_
    assert sampler.window_ == max(1, round(t * 86 / 512)) < t - 1
    # each real position sees at most about a third of the real positions (paper: 173 of 512)
    assert seen and max(seen) < 0.5


def test_grouped_spectral_norm():
    from skmedtext.sampling._saan._modules import GroupedLinear

    torch.manual_seed(0)
    layer = GroupedLinear(3, 6, 5, spectral_norm=True)
    with torch.no_grad():
        layer.weight.mul_(torch.tensor([1.0, 10.0, 0.1])[:, None, None])
    for _ in range(30):  # power iteration converges during training forwards
        layer(torch.randn(3, 4, 6))
    sigma = torch.linalg.matrix_norm(layer._normalised_weight().detach(), ord=2)
    torch.testing.assert_close(sigma, torch.ones(3), atol=1e-3, rtol=0)


def test_groups_are_independent_gans():
    torch.manual_seed(0)
    att = SparseSelfAttention(3, 8, 2)
    z = torch.randn(3, 2, 5, 8)
    allowed = attention_allowed(torch.ones(3, 2, 5, dtype=torch.bool), 1)
    before = att(z, allowed)
    with torch.no_grad():
        att.w_qkv.weight[0].mul_(3.0)
    after = att(z, allowed)
    assert not torch.allclose(before[0], after[0])
    torch.testing.assert_close(before[1:], after[1:])
    single = att(z[2:], allowed[2:], groups=torch.tensor([2]))
    torch.testing.assert_close(single, after[2:])


def test_compared_with_random_oversampler_on_text_rows(abstracts):
    # same row bookkeeping as imblearn's RandomOverSampler on object arrays
    texts, y = abstracts
    _, y_ros = RandomOverSampler(random_state=0).fit_resample(texts.reshape(-1, 1), y)
    embedder = _HashSequenceEmbedder()
    sampler = SAANSampler(encoder=embedder, random_state=0, **TINY)
    X_res, y_res = sampler.fit_resample(texts, y)
    assert Counter(y_res) == Counter(y_ros)
    # an unfitted encoder is cloned, never fitted in place
    assert not hasattr(embedder, "embedding_space_") and sampler.encoder_ is not embedder
