"""Named models and samplers for the command line and the demo.

Names map to import paths so that listing them imports nothing heavy.
"""

from importlib import import_module

__all__ = ["MODELS", "SAMPLERS", "build_pipeline", "char_tfidf", "logistic_regression"]

#: text classifiers that take raw strings (and synthetic rows) directly
TEXT_MODELS = {
    "dmt-bert": "skmedtext.models:DMTBertClassifier",
    "staresgru-cnn": "skmedtext.models:StaResGRUCNNClassifier",
    "textcnn": "skmedtext.models:TextCNNClassifier",
    "bilstm": "skmedtext.models:BiLSTMClassifier",
    "bigru": "skmedtext.models:BiGRUClassifier",
    "textcnn-bigru": "skmedtext.models:TextCNNBiGRUClassifier",
    "cnn-lstm": "skmedtext.models:CNNLSTMClassifier",
    "cnn-gru": "skmedtext.models:CNNGRUClassifier",
    "dpcnn": "skmedtext.models:DPCNNClassifier",
}
#: vector pipelines: a featuriser followed by a logistic regression
VECTOR_MODELS = ("tfidf-lr", "embed-lr")
MODELS = (*VECTOR_MODELS, *TEXT_MODELS)

SAMPLERS = {
    "none": None,
    "ros": "imblearn.over_sampling:RandomOverSampler",
    "smote": "imblearn.over_sampling:SMOTE",
    "saan": "skmedtext.sampling:SAANSampler",
    "vocab": "skmedtext.augment:VocabularyAugmenter",
}


def _load(path):
    module, name = path.split(":")
    return getattr(import_module(module), name)


def logistic_regression(random_state):
    """The classifier head of the vector pipelines: class-balanced logistic regression."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=2000, class_weight="balanced", random_state=random_state)


def char_tfidf():
    """The TF-IDF baseline's vectorizer: character 1-3-grams inside word boundaries."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    # character n-grams inside word boundaries read English and unsegmented Chinese alike
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, min_df=2)


def _sampler(name, random_state, stage, encoder=None):
    if name not in SAMPLERS:
        raise ValueError(f"unknown sampler {name!r}; choose from {sorted(SAMPLERS)}.")
    if SAMPLERS[name] is None:
        return None
    if name == "smote" and stage == "text":
        raise ValueError("SMOTE interpolates numeric vectors; use it with 'embed-lr' or 'tfidf-lr'.")
    if name == "saan" and stage == "sparse":
        raise ValueError("SAAN needs dense vectors or texts; use it with 'embed-lr' or a text model.")
    kwargs = {"random_state": random_state}
    if name == "saan" and stage == "text" and encoder is not None:
        kwargs["encoder"] = encoder
    return _load(SAMPLERS[name])(**kwargs)


def build_pipeline(model, *, sampler="none", encoder=None, device="auto", random_state=0, verbose=0):
    """An imbalanced-learn pipeline ``[sampler] -> model`` for a named setting.

    Parameters
    ----------
    model : str
        One of :data:`MODELS`.
    sampler : str, default="none"
        One of :data:`SAMPLERS`. The vocabulary augmenter always runs on the texts
        first; SMOTE/SAAN run on the vectors of vector pipelines.
    encoder : str or None
        Encoder preset or folder for ``embed-lr``, DMT-BERT and SAAN.
    """
    from imblearn.pipeline import Pipeline

    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; choose from {sorted(MODELS)}.")
    steps = []
    if sampler == "vocab":
        steps.append(("sampler", _sampler("vocab", random_state, "text")))
        sampler = "none"
    if model == "tfidf-lr":
        steps.append(("tfidf", char_tfidf()))
        vector_sampler = _sampler(sampler, random_state, "sparse")
    elif model == "embed-lr":
        from skmedtext.embeddings import TransformerEmbedder

        steps.append(("embed", TransformerEmbedder(encoder, device=device, verbose=verbose)))
        vector_sampler = _sampler(sampler, random_state, "dense")
    else:
        text_sampler = _sampler(sampler, random_state, "text", encoder)
        if text_sampler is not None:
            steps.append(("sampler", text_sampler))
        params = {"random_state": random_state, "device": device, "verbose": verbose}
        if model == "dmt-bert" and encoder is not None:
            params["model_name_or_path"] = encoder
        steps.append(("model", _load(TEXT_MODELS[model])(**params)))
        return Pipeline(steps)
    if vector_sampler is not None:
        steps.append(("resample", vector_sampler))
    steps.append(("classifier", logistic_regression(random_state)))
    return Pipeline(steps)
