"""nn.data: datasets (offline, seeded), standardize, one_hot, split, batches and load_csv."""

import numpy as np
import pytest

from autodiff import ShapeError
from nn import data
from nn.data import DataError


# --- standardize (seed 002) -------------------------------------------------------------------------
def test_standardize_remembers_seed002_means_and_population_stds():
    X = np.random.default_rng(0).normal(3.0, 2.0, size=(50, 3))
    s = data.standardize(X)
    assert np.array_equal(s.means, X.mean(axis=0)) and np.array_equal(s.stds, X.std(axis=0))
    Z = s.transform(X)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-14)
    np.testing.assert_allclose(Z.std(axis=0), 1.0, rtol=1e-14)


def test_test_data_uses_the_training_statistics_as_in_seed002():
    Xtrain, Ttrain, Xtest, Ttest = data.noisy_sine(30, seed=1, test=True)
    sx, st = data.standardize(Xtrain), data.standardize(Ttrain)
    Xmeans, Xstds = Xtrain.mean(axis=0), Xtrain.std(axis=0)
    assert np.array_equal(sx.transform(Xtest), (Xtest - Xmeans) / Xstds)
    YtestS = st.transform(Ttest)  # pretend the network predicted the standardised targets exactly
    assert np.array_equal(st.inverse_transform(YtestS), YtestS * Ttrain.std(axis=0) + Ttrain.mean(axis=0))


def test_standardize_inverse_round_trip():
    X = np.random.default_rng(1).uniform(-50, 50, size=(40, 4))
    s = data.standardize(X)
    np.testing.assert_allclose(s.inverse_transform(s.transform(X)), X, rtol=0, atol=1e-12)
    assert np.array_equal(s(X), s.transform(X))


def test_constant_columns_map_to_zero_and_back():
    X = np.column_stack([np.arange(5.0), np.full(5, 7.0), np.full(5, 0.1)])  # 0.1's mean is inexact
    s = data.standardize(X)
    assert s.constant.tolist() == [False, True, True]
    Z = s.transform(X)
    assert np.all(np.isfinite(Z)) and np.array_equal(Z[:, 1:], np.zeros((5, 2)))
    np.testing.assert_allclose(s.inverse_transform(Z), X, atol=1e-15)


def test_standardize_one_dimensional_data():
    s = data.standardize([1.0, 2.0, 3.0])
    np.testing.assert_allclose(s.transform([2.0]), [0.0])
    with pytest.raises(ShapeError, match="1-d"):
        s.transform([[2.0]])


def test_standardize_shape_mismatch_names_both():
    s = data.standardize(np.ones((4, 3)) * np.arange(4)[:, None])
    with pytest.raises(ShapeError, match=r"3 columns.*\(2, 2\)"):
        s.transform(np.ones((2, 2)))


def test_standardize_nan_names_row_and_column():
    X = np.ones((4, 3))
    X[2, 1] = np.nan
    with pytest.raises(DataError, match="row 2, column 1"):
        data.standardize(X)


def test_standardize_rejects_text_and_empty_data():
    with pytest.raises(DataError, match="numbers"):
        data.standardize([["a", "b"]])
    with pytest.raises(ShapeError, match="no rows"):
        data.standardize(np.zeros((0, 3)))
    with pytest.raises(ShapeError, match="1-d or 2-d"):
        data.standardize(np.zeros((2, 2, 2)))


# --- one_hot (seed 001) ---------------------------------------------------------------------------------
def test_one_hot_exact():
    assert data.one_hot([2, 0, 1]).tolist() == [[0, 0, 1], [1, 0, 0], [0, 1, 0]]
    assert data.one_hot(np.array([1]), num_classes=4).tolist() == [[0, 1, 0, 0]]
    assert data.one_hot([3]).dtype == np.float64


def test_one_hot_seed001_class_four_of_six():
    # seed 001: class 4 of K = 6 (counted from 1) is (0, 0, 0, 1, 0, 0)
    assert data.one_hot([4 - 1], num_classes=6).tolist() == [[0, 0, 0, 1, 0, 0]]


def test_one_hot_accepts_whole_floats_and_columns():
    assert data.one_hot(np.array([[1.0], [0.0]])).tolist() == [[0, 1], [1, 0]]
    assert data.one_hot([True, False]).tolist() == [[0, 1], [1, 0]]


@pytest.mark.parametrize("labels, match", [
    ([0.0, 0.5], r"labels\[1\] = 0.5 is not an integer"),
    ([0, -1], r"labels\[1\] = -1 is negative"),
    ([0.0, np.nan], r"labels\[1\]"),
    (["a", "b"], "integer class labels"),
])
def test_one_hot_rejects_labels_that_are_not_classes(labels, match):
    with pytest.raises(DataError, match=match):
        data.one_hot(labels)


def test_one_hot_label_beyond_num_classes_and_bad_shapes():
    with pytest.raises(DataError, match=r"labels\[1\] = 3 does not fit num_classes=3"):
        data.one_hot([0, 3], num_classes=3)
    with pytest.raises(ShapeError, match="1-d"):
        data.one_hot(np.zeros((2, 2), dtype=int))
    with pytest.raises(ValueError, match="num_classes"):
        data.one_hot([0], num_classes=0)


# --- train_val_test_split ----------------------------------------------------------------------------------
def _rows():
    X = np.arange(200.0).reshape(100, 2)  # row i is (2i, 2i + 1): its identity is X[:, 0] / 2
    return X, np.arange(100)


def test_split_sizes_disjoint_cover_and_aligned():
    X, y = _rows()
    (Xtr, ytr), (Xva, yva), (Xte, yte) = data.train_val_test_split(X, y, (0.6, 0.2, 0.2), seed=0)
    assert (len(Xtr), len(Xva), len(Xte)) == (60, 20, 20)
    ids = [part[:, 0] / 2 for part in (Xtr, Xva, Xte)]
    assert sorted(np.concatenate(ids).tolist()) == list(range(100))
    for part_ids, part_y in zip(ids, (ytr, yva, yte)):
        assert np.array_equal(part_ids, part_y)
    assert not np.array_equal(ytr, np.arange(60))  # shuffled


def test_split_is_reproducible_for_a_seed():
    X, y = _rows()
    a = data.train_val_test_split(X, y, seed=3)
    b = data.train_val_test_split(X, y, seed=3)
    c = data.train_val_test_split(X, y, seed=4)
    assert all(np.array_equal(pa[1], pb[1]) for pa, pb in zip(a, b))
    assert not np.array_equal(a[0][1], c[0][1])


def test_split_rounds_and_allows_empty_parts_and_no_y():
    X = np.zeros((7, 1))
    parts = data.train_val_test_split(X, None, (0.5, 0.25, 0.25), seed=0)
    assert [len(p[0]) for p in parts] == [3, 2, 2] and all(p[1] is None for p in parts)
    parts = data.train_val_test_split(X, None, (0.8, 0.0, 0.2), seed=0)
    assert [len(p[0]) for p in parts] == [6, 0, 1]


def test_split_errors():
    X, y = _rows()
    with pytest.raises(ValueError, match="summing to 1"):
        data.train_val_test_split(X, y, (0.6, 0.3, 0.3))
    with pytest.raises(ValueError, match="three numbers"):
        data.train_val_test_split(X, y, (0.8, 0.2))
    with pytest.raises(ShapeError, match="100 rows vs 99 rows"):
        data.train_val_test_split(X, y[:99])
    X[5, 1] = np.nan
    with pytest.raises(DataError, match="row 5, column 1"):
        data.train_val_test_split(X, y)


# --- batches ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shuffle", [True, False])
def test_batches_cover_every_row_once_per_epoch(shuffle):
    X, y = _rows()
    for epoch in range(3):
        seen, sizes = [], []
        for Xb, yb in data.batches(X, y, batch_size=32, shuffle=shuffle, rng=epoch):
            assert np.array_equal(Xb[:, 0] / 2, yb)  # rows stay aligned with their targets
            seen += yb.tolist()
            sizes.append(len(yb))
        assert sorted(seen) == list(range(100))
        assert sizes == [32, 32, 32, 4]
        assert (seen == list(range(100))) == (not shuffle)


def test_batches_reproducible_with_rng_and_drop_last():
    X, y = _rows()
    a = [yb.tolist() for _, yb in data.batches(X, y, 10, rng=1)]
    b = [yb.tolist() for _, yb in data.batches(X, y, 10, rng=np.random.default_rng(1))]
    assert a == b
    sizes = [len(Xb) for Xb, _ in data.batches(X, y, 30, drop_last=True, rng=0)]
    assert sizes == [30, 30, 30]
    assert all(yb is None for _, yb in data.batches(X, None, 50))


def test_batches_check_arguments_at_the_call():
    X, y = _rows()
    with pytest.raises(ValueError, match="batch_size"):
        data.batches(X, y, 0)
    with pytest.raises(ShapeError, match="rows"):
        data.batches(X, y[:-1], 8)
    X[3, 0] = np.nan
    with pytest.raises(DataError, match="NaN"):
        data.batches(X, y, 8)


# --- datasets -----------------------------------------------------------------------------------------------
def test_xor_exact():
    X, y = data.xor()
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]] and X.dtype == np.float64
    assert y.tolist() == [0, 1, 1, 0] and y.dtype == np.int64


def test_noisy_sine_is_seed002s_formula_on_the_same_rng_stream():
    n = 30
    X, T = data.noisy_sine(n, seed=42)
    rng = np.random.default_rng(42)
    Xexp = np.linspace(0.0, 20.0, n).reshape((n, 1)) - 10
    Texp = 0.2 + 0.05 * (Xexp + 10) + 0.4 * np.sin(Xexp + 10) + 0.2 * rng.normal(size=(n, 1))
    assert X.shape == T.shape == (n, 1)
    assert np.array_equal(X, Xexp) and np.array_equal(T, Texp)
    assert X.min() == -10 and X.max() == 10


def test_noisy_sine_test_data_continues_the_stream():
    n = 12
    X, T, Xt, Tt = data.noisy_sine(n, seed=9, test=True)
    rng = np.random.default_rng(9)
    eps = rng.normal(size=(n, 1))
    Xtexp = X + 0.1 * rng.normal(size=(n, 1))
    Ttexp = 0.2 + 0.05 * (Xtexp + 10) + 0.4 * np.sin(Xtexp + 10) + 0.2 * rng.normal(size=(n, 1))
    assert np.array_equal(T, 0.2 + 0.05 * (X + 10) + 0.4 * np.sin(X + 10) + 0.2 * eps)
    assert np.array_equal(Xt, Xtexp) and np.array_equal(Tt, Ttexp)
    assert np.array_equal(data.noisy_sine(n, seed=9)[1], T)  # the training part does not depend on test=


def test_noisy_sine_default_seed_is_reproducible():
    assert np.array_equal(data.noisy_sine()[1], data.noisy_sine()[1])
    with pytest.raises(ValueError, match="n must be"):
        data.noisy_sine(1)


def test_moons_without_noise_lie_on_the_two_half_circles():
    X, y = data.moons(101, noise=0.0, seed=0)
    assert X.shape == (101, 2) and y.shape == (101,) and y.dtype == np.int64
    assert np.bincount(y).tolist() == [51, 50]
    outer, inner = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(outer[:, 0], outer[:, 1]), 1.0, atol=1e-12)
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1.0, inner[:, 1] - 0.5), 1.0, atol=1e-12)
    assert outer[:, 1].min() >= -1e-12 and inner[:, 1].max() <= 0.5 + 1e-12
    assert not np.array_equal(y, np.sort(y))  # shuffled


def test_moons_noise_is_gaussian_with_the_given_std():
    clean, y0 = data.moons(4000, noise=0.0, seed=5)
    noisy, y1 = data.moons(4000, noise=0.1, seed=5)
    assert np.array_equal(y0, y1)
    assert (noisy - clean).std() == pytest.approx(0.1, rel=0.03)
    assert np.array_equal(noisy, data.moons(4000, noise=0.1, seed=5)[0])


def test_digits_shipped_offline():
    X, y = data.digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 16 and np.array_equal(X, np.round(X))
    counts = np.bincount(y, minlength=10)
    assert counts.sum() == 1797 and len(counts) == 10
    assert counts.tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    with np.load(data._DATASETS / "digits.npz", allow_pickle=False) as z:
        assert all(z[k].dtype != object for k in z.files)


# --- load_csv ---------------------------------------------------------------------------------------------------
@pytest.fixture
def csv_file(tmp_path):
    def write(text, name="data.csv", mode="w"):
        path = tmp_path / name
        if mode == "wb":
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path
    return write


def test_load_csv_with_header_target_last(csv_file):
    X, y = data.load_csv(csv_file("a,b,label\n1,2,0\n3.5,-4e1,1\n"))
    assert X.tolist() == [[1, 2], [3.5, -40]] and y.tolist() == [0, 1] and y.dtype == np.float64


def test_load_csv_target_by_name_index_or_none(csv_file):
    path = csv_file("a,b,c\n1,2,3\n4,5,6\n")
    X, y = data.load_csv(path, target="b")
    assert X.tolist() == [[1, 3], [4, 6]] and y.tolist() == [2, 5]
    X, y = data.load_csv(path, target=0)
    assert X.tolist() == [[2, 3], [5, 6]] and y.tolist() == [1, 4]
    X, y = data.load_csv(path, target=None)
    assert X.shape == (2, 3) and y is None


def test_load_csv_integer_labels(csv_file):
    X, y = data.load_csv(csv_file("1,2,0\n3,4,2.0\n"), target_dtype=int)
    assert y.tolist() == [0, 2] and y.dtype == np.int64


def test_load_csv_no_header_detected_or_forced(csv_file):
    X, y = data.load_csv(csv_file("1,2\n3,4\n"))
    assert X.tolist() == [[1], [3]] and y.tolist() == [2, 4]
    with pytest.raises(DataError, match="line 1"):
        data.load_csv(csv_file("x,y\n1,2\n"), header=False)
    X, y = data.load_csv(csv_file("1,2\n3,4\n"), header=True)
    assert X.tolist() == [[3]]


def test_load_csv_skips_blank_lines_strips_spaces_reads_bom_quotes_and_delimiters(csv_file):
    path = csv_file("\ufeffa;b\n\n 1 ; \"2\"\n\n3;4\n")
    X, y = data.load_csv(path, delimiter=";")
    assert X.tolist() == [[1], [3]] and y.tolist() == [2, 4]


def test_load_csv_ragged_row_names_the_line(csv_file):
    with pytest.raises(DataError, match=r"line 3: 2 columns, but line 1 has 3"):
        data.load_csv(csv_file("a,b,c\n1,2,3\n4,5\n"))


def test_load_csv_non_numeric_cell_names_line_and_column(csv_file):
    with pytest.raises(DataError, match=r"line 3, column 2 \('b'\): cannot read 'abc' as a number"):
        data.load_csv(csv_file("a,b,c\n1,2,3\n4,abc,6\n"))


def test_load_csv_empty_file(csv_file):
    with pytest.raises(DataError, match="empty"):
        data.load_csv(csv_file(""))
    with pytest.raises(DataError, match="empty"):
        data.load_csv(csv_file("\n  \n"))


def test_load_csv_header_without_rows(csv_file):
    with pytest.raises(DataError, match="no data rows"):
        data.load_csv(csv_file("a,b\n"))


def test_load_csv_nan_when_not_allowed_and_when_allowed(csv_file):
    path = csv_file("a,b,c\n1,2,3\n4,nan,6\n7,,9\n")
    with pytest.raises(DataError, match=r"line 3, column 2 \('b'\): 'nan' is not a finite number"):
        data.load_csv(path)
    X, y = data.load_csv(path, allow_nan=True)
    assert np.isnan(X[1, 1]) and np.isnan(X[2, 1]) and y.tolist() == [3, 6, 9]
    with pytest.raises(DataError, match=r"line 2, column 1: empty cell"):
        data.load_csv(csv_file("1,2\n,3\n"))


def test_load_csv_non_integer_label_names_line_and_column(csv_file):
    with pytest.raises(DataError, match=r"line 3, column 3 \('y'\): target '0.5' is not a whole-number"):
        data.load_csv(csv_file("a,b,y\n1,2,1\n3,4,0.5\n"), target_dtype=int)


def test_load_csv_bad_target_and_missing_or_binary_files(csv_file, tmp_path):
    path = csv_file("a,b\n1,2\n")
    with pytest.raises(ValueError, match=r"no column named 'c'; its columns are \['a', 'b'\]"):
        data.load_csv(path, target="c")
    with pytest.raises(ValueError, match="out of range"):
        data.load_csv(path, target=2)
    with pytest.raises(ValueError, match="no header"):
        data.load_csv(csv_file("1,2\n"), target="a")
    with pytest.raises(FileNotFoundError):
        data.load_csv(tmp_path / "nope.csv")
    with pytest.raises(DataError, match="UTF-8"):
        data.load_csv(csv_file(b"\x89PNG\r\n\x1a\n\xff\xfe\x00", name="x.csv", mode="wb"))


def test_load_csv_broken_quoting_names_the_line(csv_file):
    with pytest.raises(DataError, match="line 2"):
        data.load_csv(csv_file('a,b\n"1"2,3\n'))


def test_one_hot_of_no_labels_needs_num_classes_and_moons_noise_is_finite():
    with pytest.raises(ValueError, match="pass num_classes"):
        data.one_hot([])
    assert data.one_hot([], num_classes=3).shape == (0, 3)
    assert data.one_hot([0, 2], num_classes=np.int64(3)).tolist() == [[1, 0, 0], [0, 0, 1]]
    for bad, error in ((np.inf, ValueError), (-0.1, ValueError), (np.nan, ValueError), ("0.1", TypeError)):
        with pytest.raises(error, match="noise"):
            data.moons(noise=bad)
