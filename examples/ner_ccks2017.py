"""
Clinical NER on CCKS 2017 with a BiLSTM-CRF
===========================================

``BiLSTMCRFTagger`` takes raw texts and, per text, a list of ``(start, end, type)``
character spans (or per-character BIO tags); ``predict`` returns spans. The entity
scores are strict (exact span and type) unless ``matching="relaxed"`` (overlap and
type); ``span_f1_scorer`` makes it a ``GridSearchCV`` citizen.

The tagger trains and predicts on sentence pieces (``split_sentences=True``, the RNN
taggers' default), mapped back to each document's characters. Small settings (every
fourth training document: the file lists the sections one after another, so the first
300 would all be 一般项目; 32 units, 3 epochs; about 0.67 strict micro F1) so it runs in
about a minute on one CPU core (grid search included); ``benchmarks/bench_ner.py`` trains
the full model.
"""

from sklearn.model_selection import GridSearchCV, KFold

from skmedtext.datasets import load_ccks2017_ner
from skmedtext.metrics import entity_report, entity_scores, span_f1_scorer
from skmedtext.models import BiLSTMCRFTagger

X_train, y_train = load_ccks2017_ner("train", return_X_y=True)
X_test, y_test = load_ccks2017_ner("test", return_X_y=True)

tagger = BiLSTMCRFTagger(
    hidden_size=32, embedding_dim=32, max_epochs=3, lr=1e-2, batch_size=16, random_state=0
)
tagger.fit(X_train[::4], y_train[::4])
pred = tagger.predict(X_test)
print(X_test[0][:40], pred[0][:3])
print(entity_report(y_test, pred, model="BiLSTM-CRF").to_markdown(index=False))
print(
    "relaxed micro F1:",
    round(entity_scores(y_test, pred, matching="relaxed").loc["micro avg", "f1"], 4),
)

# the CRF against a softmax head, 2-fold on 120 documents, scored by strict span F1
search = GridSearchCV(
    BiLSTMCRFTagger(hidden_size=16, embedding_dim=16, max_epochs=3, lr=1e-2, batch_size=8,
                    random_state=0),
    {"head": ["crf", "softmax"]},
    scoring=span_f1_scorer,
    cv=KFold(2, shuffle=True, random_state=0),
)
search.fit(X_train[::10], y_train[::10])
print(search.cv_results_["param_head"], search.cv_results_["mean_test_score"].round(3))
