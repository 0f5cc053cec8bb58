"""
DMT-BERT in GridSearchCV
========================

``DMTBertClassifier`` is a scikit-learn classifier, so the weight of its auxiliary
disease co-occurrence task (``lambda_cooc``; 0 is the single-task model, paper 000's
ablation m4) and its pooling (eq. 17 mean / eq. 18 [CLS]) are tuned with
``GridSearchCV`` and ``StratifiedKFold`` like any other hyper-parameter.

Tiny settings (240 abstracts, short texts, one epoch) so it runs in a few minutes
on 2 CPU cores; use a GPU and the defaults for real runs.
"""

import numpy as np
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split

from skmedtext.datasets import load_medical_abstracts
from skmedtext.models import DMTBertClassifier

bunch = load_medical_abstracts()
X, _, y, _ = train_test_split(
    np.asarray(bunch.data, dtype=object), bunch.target, train_size=240, stratify=bunch.target,
    random_state=0,
)

search = GridSearchCV(
    DMTBertClassifier(max_length=48, max_epochs=1, batch_size=16, lr=1e-4, random_state=0),
    param_grid={"lambda_cooc": [0.0, 0.1], "pooling": ["cls", "mean"]},
    cv=StratifiedKFold(n_splits=2, shuffle=True, random_state=0),
    scoring="f1_macro",
)
search.fit(X, y)
for params, score in zip(search.cv_results_["params"], search.cv_results_["mean_test_score"]):
    print(f"{params}: macro-F1 {score:.3f}")
print("best:", search.best_params_)
print("disease terms mined from the training texts:", search.best_estimator_.disease_terms_[:10])
