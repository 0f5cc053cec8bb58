"""Shared tiny estimators and data for the reliability tests (persistence, bad input,
determinism, scale-out). Not a test module.

The BERT-based estimators run on a 1-layer, 32-wide BERT built here with the
MiniLM tokenizer: the same code paths as the shipped encoders at a fraction of the
cost, so every estimator can be fitted several times within the time budget.
"""

from dataclasses import dataclass
from typing import Callable

import numpy as np

# CI-sized settings of the sequence classifiers (one epoch, 8-d inputs and states)
SEQUENCE_COMMON = dict(
    max_length=16, embedding_dim=8, batch_size=8, max_epochs=1, lr=5e-3, dropout=0.1,
    device="cpu", random_state=0,
)  # fmt: skip
SEQUENCE_TINY = {
    "StaResGRUCNNClassifier": dict(hidden_size=8, n_layers=2, filters=4),
    "TextCNNClassifier": dict(filters=4, kernel_sizes=(2, 3)),
    "BiLSTMClassifier": dict(hidden_size=4),
    "BiGRUClassifier": dict(hidden_size=4),
    "TextCNNBiGRUClassifier": dict(filters=4, hidden_size=4),
    "CNNLSTMClassifier": dict(filters=4, hidden_size=4),
    "CNNGRUClassifier": dict(filters=4, hidden_size=4),
    "DPCNNClassifier": dict(filters=4),
}
# the whole (1-layer) encoder trains: these checks are about the full model's gradients
DMT_TINY = dict(max_length=24, max_epochs=1, batch_size=8, device="cpu", random_state=0,
                trainable_layers=None)  # fmt: skip


def make_tiny_bert(folder):
    """Save a randomly initialised 1-layer BERT (hidden 32) with MiniLM's tokenizer."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertModel

    from skmedtext.encoders import resolve_encoder

    tokenizer = AutoTokenizer.from_pretrained(resolve_encoder("minilm-en").path)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = BertModel(config, add_pooling_layer=False)
    model.save_pretrained(str(folder))
    tokenizer.save_pretrained(str(folder))
    return str(folder)


def sequence_model(name, **params):
    from skmedtext import models

    return getattr(models, name)(**{**SEQUENCE_COMMON, **SEQUENCE_TINY[name], **params})


def english_subset(data_root, n=32, n_classes=2):
    """``n`` medical abstracts of the first ``n_classes`` classes, in a fixed shuffled order."""
    from skmedtext.datasets import load_medical_abstracts

    X, y = load_medical_abstracts(data_home=data_root, return_X_y=True)
    X, y = np.asarray(X, dtype=object), np.asarray(y)
    keep = np.flatnonzero(np.isin(y, np.unique(y)[:n_classes]))
    keep = np.random.RandomState(0).permutation(keep)[:n]
    return X[keep], y[keep]


def chinese_subset(data_root, n=32, departments=("肝病科", "心血管科")):
    """``n`` triage questions (titles only, short) of two departments, alternating."""
    from skmedtext.datasets import load_department_triage

    X, y = load_department_triage(data_home=data_root, return_X_y=True)
    X, y = np.asarray(X, dtype=object), np.asarray(y, dtype=object)
    rows = [np.flatnonzero(y == d)[: n // len(departments)] for d in departments]
    order = np.stack(rows, axis=1).ravel()
    titles = np.array([x.split("\n")[0] for x in X[order]], dtype=object)
    return titles, y[order]


@dataclass
class Case:
    """One fitted-estimator scenario: how to build, fit and read the output."""

    name: str
    make: Callable  # () -> unfitted estimator
    fit: Callable  # (estimator) -> fitted estimator (or resampling output for samplers)
    output: Callable  # (fitted) -> ndarray or list of ndarrays to compare


def as_arrays(value):
    """Flatten an output (arrays, lists of token lists, synthetic rows) into float/str arrays."""
    from skmedtext import SyntheticSequence

    if isinstance(value, tuple):
        return [a for v in value for a in as_arrays(v)]
    if isinstance(value, np.ndarray) and value.dtype != object:
        return [value]
    out = []
    for item in value:
        if isinstance(item, SyntheticSequence):
            out.append(item.vectors)
        elif isinstance(item, list):
            out.append(np.asarray(item, dtype=object))
        else:
            out.append(np.asarray([item], dtype=object))
    return out


def estimator_cases(tiny_bert, english, chinese):
    """Every public estimator (and two pipelines), each with tiny settings."""
    from imblearn.pipeline import make_pipeline
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from skmedtext.augment import VocabularyAugmenter
    from skmedtext.embeddings import TransformerEmbedder, Word2VecEmbedder
    from skmedtext.models import DMTBertClassifier
    from skmedtext.sampling import SAANSampler
    from skmedtext.text import JiebaTokenizer, TextCleaner

    Xe, ye = english
    Xc, yc = chinese
    Xc_imb, yc_imb = Xc[:20], yc[:20].copy()
    yc_imb[:16] = yc[0]  # 16 vs 4: something to over-sample
    saan = dict(epochs=2, hidden_dim=8, n_heads=2, latent_dim=4, batch_size=8, random_state=0,
                device="cpu")  # fmt: skip
    vectors = np.random.RandomState(0).normal(size=(30, 6))
    y_vectors = np.r_[np.zeros(24, int), np.ones(6, int)]

    def proba(X):
        return lambda est: est.predict_proba(X)

    cases = [
        Case("TransformerEmbedder", lambda: TransformerEmbedder(tiny_bert, max_length=16),
             lambda e: e.fit(Xe), lambda e: e.transform(Xe[:6])),
        Case("Word2VecEmbedder", lambda: Word2VecEmbedder(vector_size=8, min_count=1, epochs=2,
                                                          random_state=0),
             lambda e: e.fit(Xc), lambda e: e.transform(Xc[:6])),
        Case("TextCleaner", TextCleaner, lambda e: e.fit(Xc), lambda e: e.transform(Xc[:6])),
        Case("JiebaTokenizer", JiebaTokenizer, lambda e: e.fit(Xc), lambda e: e.transform(Xc[:6])),
        Case("DMTBertClassifier", lambda: DMTBertClassifier(tiny_bert, **DMT_TINY),
             lambda e: e.fit(Xe, ye), proba(Xe)),
        *[
            Case(name, lambda name=name: sequence_model(name), lambda e: e.fit(Xc, yc), proba(Xc))
            for name in SEQUENCE_TINY
        ],
        Case("SAANSampler(vectors)", lambda: SAANSampler(**saan),
             lambda e: e.fit_resample(vectors, y_vectors), lambda out: out[0]),
        Case("SAANSampler(texts)", lambda: SAANSampler(encoder=tiny_bert, max_length=16, **saan),
             lambda e: e.fit_resample(Xc_imb, yc_imb), lambda out: as_arrays(out[0])),
        Case("VocabularyAugmenter",
             lambda: VocabularyAugmenter(random_state=0, p_substitute=0.5, p_insert=0.3,
                                         word2vec_params={"min_count": 1, "epochs": 2}),
             lambda e: e.fit_resample(Xc_imb, yc_imb), lambda out: as_arrays(out[0])),
        Case("Pipeline(VocabularyAugmenter, TF-IDF, LR)",
             lambda: make_pipeline(
                 VocabularyAugmenter(random_state=0, word2vec_params={"min_count": 1}),
                 TfidfVectorizer(analyzer="char"), LogisticRegression()),
             lambda e: e.fit(Xc_imb, yc_imb), proba(Xc)),
        Case("Pipeline(SAANSampler, DMTBertClassifier)",
             lambda: make_pipeline(SAANSampler(encoder=tiny_bert, max_length=16, **saan),
                                   DMTBertClassifier(tiny_bert, **DMT_TINY)),
             lambda e: e.fit(Xc_imb, yc_imb), proba(Xc)),
    ]  # fmt: skip
    return {case.name: case for case in cases}
