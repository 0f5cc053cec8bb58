"""Scale-out on existing engines, run locally on CPU: data-parallel training of the torch
classifiers with HF accelerate (2 processes, gloo) and GridSearchCV on a local Dask cluster.
"""

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/_reliability.py (importlib mode)
from _reliability import DMT_TINY, english_subset, make_tiny_bert  # noqa: E402

from skmedtext.models import DMTBertClassifier  # noqa: E402
from skmedtext.training import default_accelerator, fit_accelerated  # noqa: E402


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory):
    return make_tiny_bert(tmp_path_factory.mktemp("tiny-bert"))


@pytest.fixture(scope="module")
def english(data_root):
    return english_subset(data_root, n=40)


# -- accelerate -------------------------------------------------------------------------
def test_fit_accelerated_in_one_process_equals_fit(tiny_bert, english):
    pytest.importorskip("accelerate", reason="accelerate is in the 'scale' extra")
    X, y = english
    # accelerate decides on mixed precision itself (fp32 here); the plain fit must match it
    params = {**DMT_TINY, "max_epochs": 2, "lr": 1e-3, "amp": False}
    accelerated = fit_accelerated(
        DMTBertClassifier(tiny_bert, **params), X, y, accelerator=default_accelerator(cpu=True)
    )
    plain = DMTBertClassifier(tiny_bert, **params).fit(X, y)
    np.testing.assert_array_equal(accelerated.predict_proba(X), plain.predict_proba(X))
    assert type(accelerated.net_).__name__ == "TextNet"  # a plain, picklable net afterwards
    assert accelerated.history_[:, "train_loss"] == plain.history_[:, "train_loss"]


def test_fit_accelerated_refuses_per_process_features(tiny_bert, tmp_path):
    with pytest.raises(ValueError, match="n_iter_no_change"):
        fit_accelerated(
            DMTBertClassifier(tiny_bert, n_iter_no_change=2, validation_fraction=0.2), ["a"], [0]
        )
    with pytest.raises(ValueError, match="checkpoint_dir"):
        fit_accelerated(DMTBertClassifier(tiny_bert, checkpoint_dir=tmp_path), ["a"], [0])


WORKER = textwrap.dedent(
    """
    import hashlib, json, sys
    import numpy as np, torch
    from skorch.callbacks import Callback
    from skmedtext.models import DMTBertClassifier
    from skmedtext.training import default_accelerator, fit_accelerated

    torch.set_num_threads(1)
    encoder, data, out = sys.argv[1], sys.argv[2], sys.argv[3]
    texts, labels = json.loads(open(data).read())
    X, y = np.asarray(texts, dtype=object), np.asarray(labels)
    seen = []

    class RecordRows(Callback):
        # the token ids of every training row this process sees, per epoch
        def on_batch_begin(self, net, batch=None, training=False, **kwargs):
            if training:
                ids, mask = batch[0]["input_ids"], batch[0]["attention_mask"]
                seen[-1].extend(
                    hashlib.sha1(row[m.bool()].numpy().tobytes()).hexdigest()[:16]
                    for row, m in zip(ids, mask)
                )

        def on_epoch_begin(self, net, **kwargs):
            seen.append([])

    accelerator = default_accelerator(cpu=True)
    clf = DMTBertClassifier(
        encoder, max_length=24, max_epochs=2, batch_size=4, lr=1e-3, random_state=0,
        trainable_layers=None, callbacks=[RecordRows()],
    )
    fit_accelerated(clf, X, y, accelerator=accelerator)
    state = clf.net_.module_.state_dict()
    digest = hashlib.sha256(b"".join(v.numpy().tobytes() for v in state.values()))
    result = {
        "rank": accelerator.process_index,
        "world": accelerator.num_processes,
        "backend": str(accelerator.state.backend),
        "weights": digest.hexdigest(),
        "rows": seen,
        "proba": clf.predict_proba(X).tolist(),
    }
    open(f"{out}/rank{accelerator.process_index}.json", "w").write(json.dumps(result))
    """
)


def test_two_processes_with_gloo_train_one_model(tiny_bert, english, tmp_path):
    pytest.importorskip("accelerate", reason="accelerate is in the 'scale' extra")
    X, y = english
    (tmp_path / "data.json").write_text(json.dumps([list(X), [int(v) for v in y]]))
    (tmp_path / "worker.py").write_text(WORKER)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1",
           "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}  # fmt: skip
    command = [
        sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
        str(tmp_path / "worker.py"), tiny_bert, str(tmp_path / "data.json"), str(tmp_path),
    ]  # fmt: skip
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    ranks = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1)]
    assert [r["rank"] for r in ranks] == [0, 1] and all(r["world"] == 2 for r in ranks)
    assert all(r["backend"] == "gloo" for r in ranks)
    # DDP averaged the gradients: one model on both processes, different from the start
    assert ranks[0]["weights"] == ranks[1]["weights"]
    assert ranks[0]["proba"] == ranks[1]["proba"]
    untrained = DMTBertClassifier(tiny_bert, **{**DMT_TINY, "lr": 1e-12}).fit(X, y)
    assert not np.allclose(untrained.predict_proba(X), np.asarray(ranks[0]["proba"]), atol=1e-4)
    # every epoch the processes split one shared batch order: 40 rows in batches of 4 are
    # 10 batches, 5 for each process, together every row exactly once
    ids = untrained.tokenizer_(list(X), truncation=True, max_length=24)["input_ids"]
    every_row = Counter(
        hashlib.sha1(np.asarray(row, dtype=np.int64).tobytes()).hexdigest()[:16] for row in ids
    )
    for epoch in range(2):
        first, second = (r["rows"][epoch] for r in ranks)
        assert len(first) == len(second) == len(X) // 2
        assert Counter(first) + Counter(second) == every_row
    assert ranks[0]["rows"][0] != ranks[0]["rows"][1]  # reshuffled between epochs


# -- Dask ---------------------------------------------------------------------------------
def test_grid_search_on_a_local_dask_cluster_matches_the_sequential_search(data_root):
    pytest.importorskip("distributed", reason="dask[distributed] is in the 'scale' extra")
    import joblib
    from distributed import Client, LocalCluster, get_task_stream
    from imblearn.pipeline import make_pipeline
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    from skmedtext.augment import VocabularyAugmenter
    from skmedtext.datasets import load_department_triage
    from skmedtext.text import TextCleaner

    X, y = load_department_triage(data_home=data_root, return_X_y=True)
    keep = np.flatnonzero(np.isin(y, ["肝病科", "心血管科", "呼吸科"]))
    keep = np.random.RandomState(0).permutation(keep)[:90]
    X, y = np.asarray(X, dtype=object)[keep], np.asarray(y, dtype=object)[keep]
    pipeline = make_pipeline(
        TextCleaner(),
        VocabularyAugmenter(random_state=0, word2vec_params={"min_count": 1, "epochs": 1}),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 2)),
        LogisticRegression(max_iter=500),
    )
    grid = {"vocabularyaugmenter__p_substitute": [0.0, 0.3], "logisticregression__C": [0.1, 10.0]}
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    sequential = GridSearchCV(pipeline, grid, cv=cv, scoring="f1_macro").fit(X, y)

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:  # fmt: skip
        with get_task_stream(client) as tasks, joblib.parallel_backend("dask"):
            distributed = GridSearchCV(pipeline, grid, cv=cv, scoring="f1_macro", n_jobs=-1)
            distributed.fit(X, y)
        workers = {t["worker"] for t in tasks.data}
    assert len(tasks.data) >= 12 and len(workers) == 2  # the 12 fits ran on both workers
    np.testing.assert_array_equal(
        distributed.cv_results_["mean_test_score"], sequential.cv_results_["mean_test_score"]
    )
    assert distributed.best_params_ == sequential.best_params_
    np.testing.assert_array_equal(distributed.predict(X), sequential.predict(X))
