"""The figures render headless to valid PNGs and show the numbers scikit-learn computes."""

import os
import struct
import subprocess
import sys
import warnings

import numpy as np
import pytest
from imblearn.over_sampling import RandomOverSampler
from matplotlib.figure import Figure
from matplotlib.image import imread
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from skmedtext.datasets import load_department_triage
from skmedtext.plotting import plot_class_distribution, plot_confusion_matrices, plot_roc_curves
from skmedtext.plotting import _fonts

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def check_png(path, min_side=300, max_side=6000):
    """Assert ``path`` is a decodable, non-blank PNG of sensible size; return (w, h)."""
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert min_side <= width <= max_side and min_side <= height <= max_side, (width, height)
    pixels = imread(path)
    assert pixels.shape[:2] == (height, width)
    assert pixels[..., :3].std() > 0.05, "image is (nearly) blank"
    return width, height


@pytest.fixture
def no_missing_glyphs():
    """Turn matplotlib's "Glyph ... missing from font(s)" warning into an error."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*missing from font", category=UserWarning)
        yield


@pytest.fixture(scope="module")
def triage(data_root):
    """Chinese triage questions, at most 70 per department (11 departments, string labels)."""
    bunch = load_department_triage(data_home=data_root)
    rng = np.random.default_rng(0)
    keep = np.concatenate(
        [
            rng.permutation(np.flatnonzero(bunch.target == name))[:70]
            for name in bunch.target_names
        ]
    )
    return bunch.data[keep], bunch.target[keep]


@pytest.fixture(scope="module")
def triage_model(triage):
    X, y = triage
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.4, stratify=y, random_state=0)
    clf = make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=(1, 2), min_df=2),
        LogisticRegression(max_iter=300),
    ).fit(X_tr, y_tr)
    return clf, X_te, y_te


@pytest.fixture(scope="module")
def cjk_available():
    if _fonts.find_font_for(["心血管科"]) is None:
        pytest.skip("no CJK font installed (e.g. apt-get install fonts-noto-cjk)")


def test_roc_curves_show_sklearn_auc_per_class(triage_model, tmp_path, cjk_available,
                                               no_missing_glyphs):
    clf, X, y = triage_model
    proba = clf.predict_proba(X)
    fig = plot_roc_curves(y, proba, score_labels=clf.classes_, save=tmp_path / "roc.png")
    assert isinstance(fig, Figure)
    check_png(tmp_path / "roc.png")
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert len(legend) == len(clf.classes_) + 1 and legend[-1].startswith("chance")
    for k, label in enumerate(clf.classes_):
        auc = roc_auc_score(y == label, proba[:, k])
        assert legend[k] == f"{label} (AUC = {auc:.3f})"
    # Eleven classes: the legend moves outside the axes instead of over the curves.
    assert fig.axes[0].get_legend().get_bbox_to_anchor().x0 > fig.axes[0].bbox.x1


def test_chinese_labels_use_an_installed_cjk_font(triage_model, cjk_available):
    clf, X, y = triage_model
    fig = plot_roc_curves(y, clf.predict_proba(X), score_labels=clf.classes_)
    families = fig.axes[0].get_legend().get_texts()[0].get_fontfamily()
    cjk = _fonts.find_font_for(["心血管科"])
    assert cjk in families


def test_missing_cjk_font_falls_back_to_class_positions(triage_model, monkeypatch):
    clf, X, y = triage_model
    monkeypatch.setattr(_fonts, "find_font_for", lambda texts: None)
    with pytest.warns(UserWarning, match="No installed font") as record:
        fig = plot_roc_curves(y, clf.predict_proba(X), score_labels=clf.classes_)
    assert "class 0 = " + str(clf.classes_[0]) in str(record[0].message)
    assert "apt-get install fonts-noto-cjk" in str(record[0].message)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend[0].startswith("class 0 (AUC = ")


def test_roc_class_without_positives_keeps_legend_entry(triage_model):
    clf, X, y = triage_model
    absent = clf.classes_[0]
    keep = y != absent
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # font fallback is not under test here
        fig = plot_roc_curves(
            y[keep], clf.predict_proba(X[keep]), score_labels=clf.classes_, target_names=None
        )
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend[0].endswith("(no positives)")
    assert len(fig.axes[0].lines) == len(clf.classes_) + 1


def test_confusion_matrices_one_panel_per_fold(triage_model, tmp_path, cjk_available,
                                               no_missing_glyphs):
    clf, X, y = triage_model
    y_pred = clf.predict(X)
    labels = clf.classes_
    folds = np.array_split(np.random.default_rng(0).permutation(len(y)), 5)
    matrices = [confusion_matrix(y[i], y_pred[i], labels=labels) for i in folds]
    fig = plot_confusion_matrices(matrices, target_names=labels, save=tmp_path / "cm.png")
    check_png(tmp_path / "cm.png")
    fig.savefig(tmp_path / "again.png", dpi=60)  # later, outside the font context
    panels = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in panels] == [f"Fold {i}" for i in range(1, 6)]
    for ax, cm in zip(panels, matrices):
        np.testing.assert_array_equal(ax.images[0].get_array(), cm)
        assert ax.images[0].get_clim() == (0.0, max(m.max() for m in matrices))
    # 11 classes: indices on the axes and an "index: name" key in the spare sixth cell.
    key = [t.get_text() for ax in fig.axes for t in (ax.get_legend().get_texts()
                                                     if ax.get_legend() else [])]
    assert key == [f"{i}: {name}" for i, name in enumerate(labels)]
    assert panels[0].get_xticklabels()[3].get_text() == "3"


def test_confusion_matrices_normalized_and_named(tmp_path):
    rng = np.random.default_rng(0)
    matrices = [rng.integers(0, 30, (3, 3)) for _ in range(4)]
    fig = plot_confusion_matrices(
        matrices, target_names=["a", "b", "c"], normalize="true", save=tmp_path / "cm"
    )
    check_png(tmp_path / "cm.png")  # suffix added
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 4
    for ax, cm in zip(panels, matrices):
        np.testing.assert_allclose(ax.images[0].get_array(), cm / cm.sum(axis=1, keepdims=True))
    assert [t.get_text() for t in panels[0].get_yticklabels()] == ["a", "b", "c"]


def test_confusion_matrices_reject_bad_input():
    with pytest.raises(ValueError, match="same shape"):
        plot_confusion_matrices([np.eye(2), np.eye(3)])
    with pytest.raises(ValueError, match="normalize"):
        plot_confusion_matrices([np.eye(2)], normalize="rows")
    with pytest.raises(ValueError, match="target_names"):
        plot_confusion_matrices([np.eye(2)], target_names=["a"])
    with pytest.raises(ValueError, match="titles"):
        plot_confusion_matrices([np.eye(2)] * 2, titles=["only one"])


def test_class_distribution_before_and_after_resampling(triage, tmp_path, cjk_available,
                                                        no_missing_glyphs):
    X, y = triage
    rng = np.random.default_rng(0)
    y = y[rng.random(len(y)) < np.where(y == "肝病科", 1.0, 0.3)]  # make it imbalanced
    _, y_res = RandomOverSampler(random_state=0).fit_resample(np.zeros((len(y), 1)), y)
    fig = plot_class_distribution(y, y_res, save=tmp_path / "dist.png")
    check_png(tmp_path / "dist.png")
    ax = fig.axes[0]
    labels = np.unique(y)
    widths = [p.get_width() for p in ax.patches]
    expected = [np.sum(y == c) for c in labels] + [np.sum(y_res == c) for c in labels]
    assert widths == expected
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        f"before (n={len(y)})",
        f"after (n={len(y_res)})",
    ]
    assert [t.get_text() for t in ax.get_yticklabels()] == list(labels)


def test_class_distribution_stages_and_proportions():
    stages = {"original": [0, 0, 0, 1], "SMOTE": [0, 0, 0, 1, 1, 1], "SAAN": [0, 0, 0, 1, 1]}
    fig = plot_class_distribution(stages, normalize=True, target_names=["common", "rare"])
    widths = np.array([p.get_width() for p in fig.axes[0].patches]).reshape(3, 2)
    np.testing.assert_allclose(widths.sum(axis=1), 1.0)
    np.testing.assert_allclose(widths[:, 1], [0.25, 0.5, 0.4])
    with pytest.raises(ValueError, match="not both"):
        plot_class_distribution(stages, [0, 1])
    with pytest.raises(ValueError, match="not in labels"):
        plot_class_distribution([0, 1, 2], labels=[0, 1])


def test_draws_on_given_axes():
    fig = Figure()
    ax = fig.add_subplot(1, 2, 2)
    out = plot_class_distribution([0, 1, 1], ax=ax, title=None)
    assert out is fig and len(ax.patches) == 2


def test_renders_headless_in_a_fresh_interpreter(tmp_path):
    code = (
        "import numpy as np\n"
        "from skmedtext.plotting import *\n"
        "y = np.array(['a', 'b', 'c'] * 10)\n"
        "p = np.random.default_rng(0).dirichlet([1, 1, 1], 30)\n"
        f"plot_roc_curves(y, p, save=r'{tmp_path}/roc.png')\n"
        f"plot_confusion_matrices([np.eye(3, dtype=int)] * 2, save=r'{tmp_path}/cm.png')\n"
        f"plot_class_distribution(y, save=r'{tmp_path}/dist.png')\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "MPLBACKEND")}
    env["OMP_NUM_THREADS"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    for name in ("roc", "cm", "dist"):
        check_png(tmp_path / f"{name}.png", min_side=200)
