"""
StaResGRU-CNN on Chinese cardiac records
========================================

Paper 003's StaResGRU-CNN (stacked bidirectional GRUs with residual connections,
max-pool over time) over word2vec vectors trained on the training fold, at
character level and at jieba word level, on the cardiac admission records of
paper 000 (371 records, 5 echo-result classes).

Runs in a few minutes on 2 CPU cores (3 folds, small hidden sizes).
"""

from skmedtext.datasets import load_cardiac_shunt
from skmedtext.evaluate import evaluate
from skmedtext.models import StaResGRUCNNClassifier

X, y = load_cardiac_shunt(return_X_y=True)


def staresgru(level):
    return StaResGRUCNNClassifier(
        embedding="word2vec", level=level, hidden_size=64, n_layers=2, max_length=256,
        max_epochs=10, criterion="weighted_ce", random_state=0,
    )


result = evaluate({"char level": staresgru("char"), "word level (jieba)": staresgru("word")},
                  X, y, cv=3, random_state=0)
print(result.to_markdown(footer=False))
model = staresgru("char").fit(X, y)
print("trainable parameters:", model.n_params_)
