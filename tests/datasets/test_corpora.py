"""The CBLUE, Ohsumed-23 and HoC loaders return the counts of the data READMEs."""

from collections import Counter

import numpy as np
import pandas as pd
import pytest

from skmedtext.datasets import (
    drop_medical_abstracts_overlap,
    load_chip_ctc,
    load_chip_sts,
    load_hoc,
    load_kuake_qic,
    load_ohsumed23,
)

SPLIT_LOADERS = [
    (load_chip_ctc, {"train": 22962, "dev": 7682}),
    (load_kuake_qic, {"train": 6931, "dev": 1955}),
    (load_chip_sts, {"train": 16000, "dev": 4000}),
    (load_ohsumed23, {"train": 3292, "test": 3967}),
    (load_hoc, {"train": 1296, "dev": 185, "test": 371}),
]


@pytest.mark.parametrize("loader, counts", SPLIT_LOADERS)
def test_split_sizes_and_bunch_layout(loader, counts, data_root):
    for subset, n in counts.items():
        bunch = loader(subset=subset, data_home=data_root)
        assert bunch.data.shape[0] == len(bunch.target) == len(bunch.frame) == n
        assert set(bunch.frame["split"]) == {subset}
        assert "How skmedtext loads it" in bunch.DESCR and "Source" in bunch.DESCR
        assert bunch.data_source == "data_home argument"
    everything = loader(subset="all", data_home=data_root)
    assert len(everything.frame) == sum(counts.values())
    X, y = loader(data_home=data_root, as_frame=True, return_X_y=True)
    assert isinstance(X, (pd.Series, pd.DataFrame)) and len(X) == len(y)


@pytest.mark.parametrize("loader, counts", SPLIT_LOADERS)
def test_bad_subset_and_missing_file(loader, counts, data_root, tmp_path):
    with pytest.raises(ValueError, match="subset must be one of .*'all'; got 'validation'"):
        loader(subset="validation", data_home=data_root)
    with pytest.raises(FileNotFoundError, match="data_home argument") as info:
        loader(data_home=tmp_path)
    assert str(tmp_path) in str(info.value)


def test_chip_ctc_classes(data_root):
    train = load_chip_ctc(data_home=data_root)
    counts = Counter(train.target.tolist())
    assert len(train.target_names) == 44 == len(counts)
    assert counts["Disease"] == 5127 and counts["Multiple"] == 4556 and counts["Ethical Audit"] == 12
    assert max(counts.values()) / min(counts.values()) == pytest.approx(427.25)
    assert all(isinstance(t, str) and t for t in train.data)


def test_kuake_qic_classes(data_root):
    train, dev = (load_kuake_qic(subset=s, data_home=data_root) for s in ("train", "dev"))
    assert Counter(train.target.tolist())["治疗方案"] == 1750
    assert Counter(train.target.tolist())["指标解读"] == 137
    assert Counter(dev.target.tolist())["功效作用"] == 28
    assert list(train.target_names) == list(dev.target_names) and len(train.target_names) == 11


def test_chip_sts_pairs_and_category(data_root):
    pairs = load_chip_sts(data_home=data_root)
    assert pairs.data.shape == (16000, 2) and pairs.data.dtype == object
    assert Counter(pairs.target.tolist()) == {1: 8011, 0: 7989}
    assert list(pairs.target_names) == ["0", "1"]
    assert list(pairs.data[0]) == [pairs.frame["text1"][0], pairs.frame["text2"][0]]
    assert Counter(pairs.category.tolist())["diabetes"] == 8039
    frame_X = load_chip_sts(data_home=data_root, as_frame=True).data
    assert list(frame_X.columns) == ["text1", "text2"]
    category = load_chip_sts(subset="dev", target="category", data_home=data_root)
    assert category.data.shape == (4000,)
    assert Counter(category.target.tolist()) == {
        "diabetes": 1961, "hepatitis": 547, "hypertension": 501, "aids": 498, "breast_cancer": 493,
    }  # fmt: skip
    assert category.data[0] == f"{category.frame['text1'][0]}\n{category.frame['text2'][0]}"
    with pytest.raises(ValueError, match="target must be"):
        load_chip_sts(target="disease", data_home=data_root)


def test_ohsumed_classes_and_overlap(data_root):
    train = load_ohsumed23(data_home=data_root)
    counts = Counter(train.target.tolist())
    assert counts["C14"] == 563 and counts["C22"] == 9 and len(counts) == 23
    assert list(train.target_names) == sorted(counts)
    assert train.category_names[3] == "Neoplasms"
    row = train.frame.iloc[0]
    assert train.data[0] == f"{row['title'].strip()}\n{row['abstract'].strip()}"
    test = load_ohsumed23(subset="test", data_home=data_root)
    assert train.frame["in_medical_abstracts_dev"].sum() == 300
    assert test.frame["in_medical_abstracts_dev"].sum() == 364
    kept = drop_medical_abstracts_overlap(test)
    assert kept.data.shape == (3967 - 364,) and len(kept.target) == len(kept.frame) == 3603
    assert not kept.frame["in_medical_abstracts_dev"].any()
    framed = drop_medical_abstracts_overlap(load_ohsumed23(data_home=data_root, as_frame=True))
    assert len(framed.data) == 2992 and framed.data.index.equals(framed.frame.index)
    with pytest.raises(ValueError, match="in_medical_abstracts_dev"):
        drop_medical_abstracts_overlap(load_hoc(data_home=data_root))


def test_hoc_multilabel_indicator(data_root):
    bunch = load_hoc(subset="all", data_home=data_root)
    Y = bunch.target
    assert Y.shape == (1852, 10) and Y.dtype.kind == "i" and set(np.unique(Y)) == {0, 1}
    assert len(bunch.target_names) == 10 and list(bunch.target_names) == sorted(bunch.target_names)
    assert (Y.sum(axis=1) == 0).sum() == 272
    assert Y.sum() / len(Y) == pytest.approx(1.33, abs=0.005)
    per_label = dict(zip(bunch.target_names, Y.sum(axis=0)))
    assert per_label["Sustaining proliferative signaling"] == 462
    assert per_label["Cellular energetics"] == 105
    assert bunch.target_column == list(bunch.target_names)
    test = load_hoc(subset="test", data_home=data_root, as_frame=True)
    assert list(test.target.columns) == list(bunch.target_names) and test.target.shape == (371, 10)
    assert (test.target.sum(axis=1) == 0).sum() == 45
