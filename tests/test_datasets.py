"""The paper's datasets: sizes, contents, preprocessing, refusal of bad sizes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qsample import datasets, exact

OPTDIGITS = Path(__file__).resolve().parents[2] / "shared" / "data" / "optdigits.tra"


def test_bars_and_stripes_7x6_has_192_pictures_with_duplicates():
    bas = datasets.bars_and_stripes(7, 6)
    assert bas.data.shape == (192, 42) and bas.data.dtype == np.int8
    pictures = bas.data.reshape(-1, 7, 6)
    for p, label in zip(pictures, bas.labels, strict=True):
        if label == 0:  # stripes: every row constant
            assert np.all(p == p[:, :1])
        else:  # bars: every column constant
            assert np.all(p == p[:1, :])
    unique = np.unique(bas.data, axis=0)
    assert len(unique) == 190  # all-on and all-off appear as a stripe and as a bar


def test_split_is_seeded_and_disjoint_in_rows():
    bas = datasets.bars_and_stripes()
    a, b = datasets.shuffled_split(bas, 96, seed=0)
    a2, _ = datasets.shuffled_split(bas, 96, seed=0)
    a3, _ = datasets.shuffled_split(bas, 96, seed=1)
    assert len(a) == len(b) == 96
    np.testing.assert_array_equal(a.data, a2.data)
    assert not np.array_equal(a.data, a3.data)
    together = np.sort(np.concatenate([a.data, b.data]).view("S42").ravel())
    np.testing.assert_array_equal(together, np.sort(bas.data.view("S42").ravel()))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: datasets.bars_and_stripes(0, 6), "'rows'"),
        (lambda: datasets.bars_and_stripes(9, 9), "64 pixels"),
        (lambda: datasets.shuffled_split(datasets.bars_and_stripes(), 192), "'num_train'"),
        (lambda: datasets.sk_instance(1), "'n'"),
        (lambda: datasets.sk_instance(31), "at most 30"),
        (lambda: datasets.sk_instance(5, zeta=-1.0), "'zeta'"),
        (lambda: datasets.sk_dataset(5, 0), "'num_samples'"),
    ],
)
def test_bad_sizes_are_refused(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_digit_preprocessing_crops_thresholds_and_one_hots():
    gray = np.arange(64).reshape(1, 64) % 17
    d = datasets.preprocess_digits(np.r_[gray, gray], np.array([3, 7]), one_hot=True)
    assert d.data.shape == (1, 46) and d.labels.tolist() == [2]
    expected = np.where(gray.reshape(8, 8)[:7, 1:7] >= 8, 1, -1).ravel()
    np.testing.assert_array_equal(d.data[0, :42], expected)
    np.testing.assert_array_equal(d.data[0, 42:], [-1, -1, 1, -1])
    assert d.shape == (7, 6) and d.num_classes == 4 and d.num_pixels == 42
    listed = datasets.preprocess_digits(np.r_[gray, gray], [3, 7])
    np.testing.assert_array_equal(listed.data, d.data[:, :42])
    with pytest.raises(ValueError, match="'labels' must have one entry per picture"):
        datasets.preprocess_digits(np.r_[gray, gray], [3])


def test_uncropped_ten_class_preprocessing_keeps_every_pixel():
    gray = (np.arange(64).reshape(1, 64) * 5) % 17
    d = datasets.preprocess_digits(
        np.r_[gray, gray, gray], np.array([0, 9, 5]), one_hot=True, classes=range(10), crop="none"
    )
    assert d.shape == (8, 8) and d.num_pixels == 64 and d.num_classes == 10
    np.testing.assert_array_equal(d.data[:, :64], np.where(np.r_[gray, gray, gray] >= 8, 1, -1))
    assert d.labels.tolist() == [0, 9, 5]
    np.testing.assert_array_equal(d.data[:, 64:].argmax(axis=1), [0, 9, 5])
    assert (d.data[:, 64:] == 1).sum() == 3


@pytest.mark.parametrize(
    "classes, crop, match",
    [
        ((1,), "paper", "'classes' must be two or more distinct"),
        ((1, 1, 2), "paper", "'classes' must be two or more distinct"),
        ((1, 10), "paper", "classes"),
        (5, "paper", "'classes' must be a sequence"),
        ((1, 2), "7x6", "'crop' must be one of"),
    ],
)
def test_digit_classes_and_crop_are_checked(classes, crop, match):
    with pytest.raises((TypeError, ValueError), match=match):
        datasets.preprocess_digits(np.zeros((1, 64)), [1], classes=classes, crop=crop)


def test_optdigits_test_split_of_all_classes_is_the_1797_pictures():
    test = datasets.optdigits_test(one_hot=True, classes=range(10), crop="none")
    assert test.data.shape == (1797, 74) and sorted(set(test.labels)) == list(range(10))


def test_optdigits_reader_refuses_other_formats(tmp_path):
    bad = tmp_path / "bad.tra"
    bad.write_text("1,2,3\n")
    with pytest.raises(ValueError, match="65"):
        datasets.read_optdigits(bad)
    with pytest.raises(FileNotFoundError):
        datasets.optdigits_train(tmp_path / "missing.tra")
    with pytest.raises(FileNotFoundError, match="download=False"):
        datasets.optdigits_train(cache_dir=tmp_path, download=False)


def test_optdigits_test_split_is_the_723_pictures_of_1_to_4():
    test = datasets.optdigits_test(one_hot=True)
    assert test.data.shape == (723, 46)
    assert np.all(test.data[np.arange(723), 42 + test.labels] == 1)
    assert np.all((test.data[:, 42:] == 1).sum(axis=1) == 1)


@pytest.mark.skipif(not OPTDIGITS.exists(), reason=f"the UCI training file is not at {OPTDIGITS}")
def test_optdigits_training_split_has_1545_pictures_of_1_to_4():
    train = datasets.optdigits_train(OPTDIGITS, one_hot=True)
    assert train.data.shape == (1545, 46)
    assert np.bincount(train.labels).tolist() == [389, 380, 389, 387]
    assert 0.3 < np.mean(train.data[:, :42] == 1) < 0.6


def test_sk_instance_and_exact_samples():
    model, data = datasets.sk_dataset(15, 150, zeta=2.0, seed=4)
    assert data.data.shape == (150, 15) and data.data.dtype == np.int8
    assert np.all(model.h == 0) and len(model.J) == 105
    # J ~ Normal(0, 2/sqrt(15)): the sample standard deviation is near 0.516.
    assert abs(np.std(model.J) - 2 / np.sqrt(15)) < 0.1
    again = datasets.sk_dataset(15, 150, zeta=2.0, seed=4)[1]
    np.testing.assert_array_equal(data.data, again.data)
    # The samples are the model's: their mean log-probability matches the entropy's sign.
    assert exact.log_likelihood_proxy(model, data.data) > -15 * np.log(2)
