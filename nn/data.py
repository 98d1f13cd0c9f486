"""Data: the lecture notes' datasets (offline, seeded) and the chores around them.

Datasets, each returning numpy arrays (features float64, class labels int64):

  * ``xor()``                            — the four XOR points (the deep-learning notes' XOR gate);
  * ``noisy_sine(n=30, seed=0)``          — f(x) = 0.2 + 0.05(x+10) + 0.4 sin(x+10) + 0.2ε (introductory notes);
  * ``moons(n=100, noise=0.1, seed=0)``   — two interleaving half circles, two classes;
  * ``digits()``                          — the 8×8 handwritten digits, 1797 × 64, shipped (deep-learning notes);
  * ``load_csv(path, target=-1)``         — your own numeric CSV, with errors naming line and column.

Chores: ``standardize`` (as the introductory notes), ``one_hot`` (the notes on neural networks),
``train_val_test_split`` (the deep-learning notes' training / validation / test sets) and ``batches``
(minibatches for stochastic gradient descent).

Every function that takes data checks it first: a bad shape raises ``ShapeError``, a NaN or a
label that is not a whole number raises ``DataError`` (both are ValueErrors) saying where. The
datasets and the split default to ``seed=0``, so everyone in a class gets the same numbers;
``seed`` (and ``rng``) accept an int, a ``numpy.random.Generator`` or None (the global generator,
``autodiff.manual_seed``): ``batches`` shuffles from the global generator unless given ``rng``.
"""

from __future__ import annotations

import csv
import itertools
import math
import os
import warnings
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from autodiff.errors import AutodiffError, ShapeError

from .checks import positive_int, real_in
from .rng import rng_from

__all__ = [
    "DataError", "Standardizer", "standardize", "one_hot", "train_val_test_split", "batches",
    "xor", "noisy_sine", "moons", "digits", "load_csv",
]

_DATASETS = Path(__file__).resolve().parent / "datasets"


class DataError(AutodiffError, ValueError):
    """Data that cannot be used as given: NaN, a non-integer class label, a malformed CSV, ..."""


# --- checks shared by every function that takes data ---------------------------------------------------
def _where(index: tuple) -> str:
    return "row " + str(index[0]) + (f", column {index[1]}" if len(index) > 1 else "")


def _unwrapped(x: Any) -> Any:
    """A Tensor's numbers (its ``data`` array); anything else as it is."""
    if not isinstance(x, np.ndarray) and isinstance(getattr(x, "data", None), np.ndarray):
        return x.data
    return x


def _features(X: Any, name: str = "X", ndims: tuple[int, ...] = (1, 2)) -> np.ndarray:
    """X as a float64 array of an allowed number of dimensions, with rows, without NaN."""
    X = _unwrapped(X)
    try:
        arr = np.asarray(X)
    except (TypeError, ValueError) as e:
        raise DataError(f"{name} must be numbers (a numeric array or nested lists of equal length): {e}") from None
    if arr.dtype.kind not in "biuf":
        raise DataError(f"{name} must hold numbers, got an array of dtype {arr.dtype}")
    arr = arr.astype(np.float64, copy=False)
    if arr.ndim not in ndims:
        want = " or ".join(f"{d}-d" for d in ndims)
        raise ShapeError(f"{name} must be {want} (rows of samples), got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ShapeError(f"{name} has no rows (shape {arr.shape})")
    nans = np.isnan(arr)
    if nans.any():
        first = tuple(int(i) for i in np.argwhere(nans)[0])
        raise DataError(f"{name} contains {int(nans.sum())} NaN value(s), the first at {_where(first)}: "
                        "drop or fill them first")
    return arr


def _labels(y: Any, name: str = "labels") -> np.ndarray:
    """y as a 1-d int64 array of whole, non-negative class labels; (n, 1) columns are flattened."""
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ShapeError(f"{name} must be 1-d (one class label per row), got shape {arr.shape}")
    if arr.dtype.kind == "b":
        return arr.astype(np.int64)
    if arr.dtype.kind in "iu":
        out = arr.astype(np.int64)
    elif arr.dtype.kind == "f":
        bad = ~np.isfinite(arr) | (arr != np.round(arr))
        if bad.any():
            i = int(np.argmax(bad))
            raise DataError(f"{name} must be whole-number class labels, but {name}[{i}] = {arr[i]} is not "
                            "an integer (is this a regression target?)")
        out = arr.astype(np.int64)
    else:
        raise DataError(f"{name} must be integer class labels, got an array of dtype {arr.dtype}")
    if out.size and out.min() < 0:
        i = int(np.argmax(out < 0))
        raise DataError(f"{name} must be class labels 0, 1, 2, …, but {name}[{i}] = {out[i]} is negative")
    return out


def _same_rows(X: np.ndarray, y: np.ndarray | None, names: str = "X and y") -> None:
    if y is not None and len(X) != len(y):
        raise ShapeError(f"{names} must have one row per sample: {len(X)} rows vs {len(y)} rows")


def _targets(y: Any, name: str = "y") -> np.ndarray:
    """Targets: class labels (kept as ints) or real values (checked for NaN); a Tensor's numbers."""
    arr = np.asarray(_unwrapped(y))
    if arr.dtype.kind in "biu":
        if arr.ndim == 0:
            raise ShapeError(f"{name} must have one row per sample, got a scalar")
        return arr
    return _features(arr, name, ndims=(1, 2))


# --- standardisation (the introductory notes) ----------------------------------------------------------
class Standardizer:
    """Remembers per-column means μ and standard deviations s (as the introductory notes) and applies

        transform:          x' = (x − μ) / s
        inverse_transform:  x  = x' · s + μ      (the introductory notes un-standardise predictions so)

    s is the population standard deviation (``X.std(axis=0)``, as the introductory notes). A constant column
    (s = 0, up to rounding) would divide by zero: its s is stored as 1, so it maps to 0 and
    back; ``constant`` marks those columns.
    """

    def __init__(self, means: Any, stds: Any) -> None:
        self.means = np.asarray(means, dtype=np.float64)
        stds = np.asarray(stds, dtype=np.float64)
        if self.means.shape != stds.shape:
            raise ShapeError(f"means and stds must have the same shape, got {self.means.shape} and {stds.shape}")
        if (stds < 0).any() or not np.isfinite(stds).all() or not np.isfinite(self.means).all():
            raise DataError("stds must be finite and >= 0 and means finite")
        self.constant = stds == 0
        self.stds = np.where(self.constant, 1.0, stds)

    @classmethod
    def fit(cls, X: Any) -> Standardizer:
        """μ = X.mean(axis=0), s = X.std(axis=0) over the rows of X (1-d or 2-d)."""
        X = _features(X, "X")
        means, stds = X.mean(axis=0), X.std(axis=0)
        # a constant column's computed std is rounding noise (~n·ε·|μ|), not a scale to divide by
        stds = np.where(stds <= len(X) * np.finfo(np.float64).eps * np.abs(means), 0.0, stds)
        return cls(means, stds)

    def _check(self, X: Any, what: str) -> np.ndarray:
        X = _features(X, what)
        if X.shape[1:] != self.means.shape:
            fitted = {0: "1-d data (one number per row)", 1: f"rows of {self.means.size} columns"}.get(
                self.means.ndim, f"rows of shape {self.means.shape}")
            raise ShapeError(f"this standardizer was fitted on {fitted}; got {what} of shape {X.shape}")
        return X

    def transform(self, X: Any) -> np.ndarray:
        """(X − μ) / s."""
        return (self._check(X, "X") - self.means) / self.stds

    def inverse_transform(self, Xs: Any) -> np.ndarray:
        """Xs · s + μ: back to the original units (e.g. a network's standardised predictions)."""
        return self._check(Xs, "the standardised values") * self.stds + self.means

    __call__ = transform

    def __repr__(self) -> str:
        return f"Standardizer(means={np.array2string(self.means, precision=4, threshold=8)}, " \
               f"stds={np.array2string(self.stds, precision=4, threshold=8)})"


def standardize(X: Any) -> Standardizer:
    """Fit a ``Standardizer`` to X's columns (as the introductory notes: μ = X.mean(axis=0),
    s = X.std(axis=0)).

    >>> s = standardize([[1.0, 10.0], [3.0, 10.0]])
    >>> s.transform([[1.0, 10.0], [3.0, 10.0]]).tolist()   # the constant column maps to 0
    [[-1.0, 0.0], [1.0, 0.0]]
    """
    return Standardizer.fit(X)


# --- labels ----------------------------------------------------------------------------------------------
def one_hot(labels: Any, num_classes: int | None = None) -> np.ndarray:
    """One-hot encoding (the notes on neural networks): row i has a 1 in column labels[i] and 0 elsewhere.

    Labels are 0, 1, …, K−1 (the notes count classes from 1; subtract 1 first). ``num_classes``
    defaults to max(labels) + 1. Returns float64 of shape (n, K)."""
    y = _labels(labels, "labels")
    if num_classes is None and y.size == 0:
        raise ValueError("one_hot cannot tell the number of classes from no labels: pass num_classes")
    k = positive_int(int(y.max()) + 1 if num_classes is None else num_classes, "num_classes")
    if y.size and y.max() >= k:
        i = int(np.argmax(y >= k))
        raise DataError(f"labels[{i}] = {y[i]} does not fit num_classes={k} (labels must be 0..{k - 1})")
    out = np.zeros((y.size, int(k)))
    out[np.arange(y.size), y] = 1.0
    return out


# --- splitting and batching ---------------------------------------------------------------------------------
def train_val_test_split(X: Any, y: Any = None, fractions: tuple[float, float, float] = (0.6, 0.2, 0.2),
                         seed: int | np.random.Generator | None = 0) -> tuple[tuple, tuple, tuple]:
    """Shuffle the rows once and cut them into training, validation and test sets (the deep-learning notes).

    Sizes: n_val = round(f_val·n), n_test = round(f_test·n), n_train = the rest. Returns
    ``(X_train, y_train), (X_val, y_val), (X_test, y_test)`` (the y parts are None when y is).
    The same seed gives the same split; the three parts are disjoint and cover every row."""
    X = _features(X, "X", ndims=(1, 2, 3, 4))
    y = None if y is None else _targets(y, "y")
    _same_rows(X, y)
    try:
        fr = [float(f) for f in fractions]
    except (TypeError, ValueError):
        raise ValueError(f"fractions must be three numbers (train, val, test), got {fractions!r}") from None
    if len(fr) != 3 or any(not 0.0 <= f <= 1.0 for f in fr) or not math.isclose(sum(fr), 1.0, abs_tol=1e-9):
        raise ValueError(f"fractions must be three numbers in [0, 1] summing to 1 (train, val, test), "
                         f"got {fractions!r}")
    n = len(X)
    n_val, n_test = (int(math.floor(f * n + 0.5)) for f in fr[1:])
    n_train = n - n_val - n_test
    if n_train < 0:
        n_test += n_train
        n_train = 0
    order = rng_from(seed).permutation(n)
    cuts = [order[:n_train], order[n_train:n_train + n_val], order[n_train + n_val:]]
    return tuple((X[idx], None if y is None else y[idx]) for idx in cuts)  # type: ignore[return-value]


def batches(X: Any, y: Any = None, batch_size: int = 32, shuffle: bool = True,
            rng: int | np.random.Generator | None = None, drop_last: bool = False) -> Iterator[tuple]:
    """Minibatches for stochastic gradient descent (the notes on neural networks): yields
    ``(X_batch, y_batch)``.

    One pass over the data: with ``shuffle`` the rows are permuted first (a fresh order each
    call, reproducible with ``rng``), so every row appears in exactly one batch per epoch. The
    last batch is smaller when batch_size does not divide n (dropped with ``drop_last``).
    Arguments are checked at the call, before the first batch is asked for."""
    X = _features(X, "X", ndims=(1, 2, 3, 4))
    y = None if y is None else _targets(y, "y")
    _same_rows(X, y)
    batch_size = positive_int(batch_size, "batch_size")
    order = rng_from(rng).permutation(len(X)) if shuffle else None
    return _batches(X, y, batch_size, order, drop_last)


def _batches(X, y, batch_size, order, drop_last) -> Iterator[tuple]:
    n = len(X)
    stop = n - n % batch_size if drop_last else n
    for start in range(0, stop, batch_size):
        idx = slice(start, start + batch_size) if order is None else order[start:start + batch_size]
        yield X[idx], (None if y is None else y[idx])


# --- datasets ---------------------------------------------------------------------------------------------------
def xor() -> tuple[np.ndarray, np.ndarray]:
    """The XOR gate (the deep-learning notes): X = [[0,0],[0,1],[1,0],[1,1]] (float64),
    y = [0,1,1,0] (int64)."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return X, np.array([0, 1, 1, 0], dtype=np.int64)


def _sine(x: np.ndarray, eps: np.ndarray) -> np.ndarray:
    return 0.2 + 0.05 * (x + 10) + 0.4 * np.sin(x + 10) + 0.2 * eps


def noisy_sine(n: int = 30, seed: int | np.random.Generator | None = 0, test: bool = False) -> tuple:
    """The introductory notes' regression data: x evenly spaced on [−10, 10], shapes (n, 1),

        f(x) = 0.2 + 0.05 (x + 10) + 0.4 sin(x + 10) + 0.2 ε,     ε ~ N(0, 1).

    Returns ``(X, T)``. With ``test=True`` returns ``(X, T, X_test, T_test)``, drawn after the
    training noise from the same stream as those notes do: X_test = X + 0.1·N(0, 1), then T_test's
    own noise. (The notes use numpy's global generator; we draw ε from
    ``np.random.default_rng(seed)``, so ``T - f(X) = 0.2 * rng.normal(size=(n, 1))``.)"""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an int >= 2, got {n!r}")
    rng = rng_from(seed)
    X = np.linspace(0.0, 20.0, n).reshape((n, 1)) - 10
    T = _sine(X, rng.normal(size=(n, 1)))
    if not test:
        return X, T
    X_test = X + 0.1 * rng.normal(size=(n, 1))
    T_test = _sine(X_test, rng.normal(size=(n, 1)))
    return X, T, X_test, T_test


def moons(n: int = 100, noise: float = 0.1, seed: int | np.random.Generator | None = 0, *,
          n_samples: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles in the plane, a classic that no straight line separates.

    Class 0 (n − n//2 points): (cos t, sin t), t evenly spaced on [0, π];
    class 1 (n//2 points): (1 − cos t, ½ − sin t). Rows are shuffled, then Gaussian noise of
    standard deviation ``noise`` is added to every coordinate. Returns X (n, 2), y (n,) int64:
    scikit-learn's ``make_moons`` (whose ``n_samples=`` is accepted for n), drawn from our seed."""
    if n_samples is not None:
        n = n_samples
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an int >= 2, got {n!r}")
    real_in(noise, "noise (a standard deviation)")
    rng = rng_from(seed)
    n_inner = n // 2
    n_outer = n - n_inner
    t_out, t_in = np.linspace(0.0, np.pi, n_outer), np.linspace(0.0, np.pi, n_inner)
    X = np.concatenate([np.column_stack([np.cos(t_out), np.sin(t_out)]),
                        np.column_stack([1.0 - np.cos(t_in), 0.5 - np.sin(t_in)])])
    y = np.concatenate([np.zeros(n_outer, dtype=np.int64), np.ones(n_inner, dtype=np.int64)])
    order = rng.permutation(n)
    X, y = X[order], y[order]
    if noise > 0:
        X = X + rng.normal(0.0, noise, size=X.shape)
    return X, y


def digits() -> tuple[np.ndarray, np.ndarray]:
    """The 8×8 handwritten digits (the deep-learning notes' multiclass example), offline.

    Returns X (1797, 64) float64, pixel intensities 0..16 row by row, and y (1797,) int64 in 0..9.
    Source: "Optical Recognition of Handwritten Digits" (E. Alpaydin, C. Kaynak, 1998; UCI Machine
    Learning Repository, CC BY 4.0), the copy scikit-learn ships as ``load_digits()``, stored in
    ``nn/datasets/digits.npz`` (uint8) and read with ``allow_pickle=False``."""
    path = _DATASETS / "digits.npz"
    if not path.exists():
        raise FileNotFoundError(f"the digits data file is missing from the package: {path} "
                                "(reinstall autodiff-nn; it is package data)")
    with np.load(path, allow_pickle=False) as z:
        X, y = z["data"].astype(np.float64), z["target"].astype(np.int64)
    if X.shape != (1797, 64) or y.shape != (1797,):
        raise DataError(f"{path} is damaged: expected (1797, 64) and (1797,), got {X.shape} and {y.shape}")
    return X, y


# --- CSV ----------------------------------------------------------------------------------------------------
_EXACT_INTEGERS = 2**53 - 1
"""The largest class label read exactly: float64 holds every whole number below 2⁵³, and from
2⁵³ on neighbouring integers merge (the cell 9007199254740993 reads as 2⁵³)."""


class _Layout(NamedTuple):
    """What the first row of a CSV says about the rest."""

    where: str                  # the path, as messages show it
    delimiter: str
    first_line: int             # the editor line of the first non-blank row
    width: int                  # its number of cells: every row must have as many
    names: list[str] | None     # the header's names, or None without a header

    def column(self, j: int) -> str:
        return f"column {j + 1}" + (f" ({self.names[j]!r})" if self.names else "")


def _open_text(path: Path):
    return open(path, newline="", encoding="utf-8-sig")


def _csv_rows(f, delimiter: str, where: str) -> Iterator[tuple[int, list[str]]]:
    """(editor line, stripped cells) of every row with something in it."""
    reader = csv.reader(f, delimiter=delimiter, skipinitialspace=True, strict=True)
    try:
        for cells in reader:
            if cells and any(c.strip() for c in cells):
                yield reader.line_num, [c.strip() for c in cells]
    except csv.Error as e:
        raise DataError(f"{where}: not a well-formed CSV near line {reader.line_num}: {e}") from None
    except UnicodeDecodeError as e:
        raise DataError(f"{where}: not a text (UTF-8) CSV file: {e}") from None


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _layout(path: Path, delimiter: str, header: bool | None) -> _Layout:
    """Read the first non-blank row: the width, and the names if it is a header (detected when
    ``header`` is None: a first row with no number in it)."""
    with _open_text(path) as f:
        first = next(_csv_rows(f, delimiter, str(path)), None)
    if first is None:
        raise DataError(f"{path} is empty: no rows to read")
    line, cells = first
    if header is None:
        header = not any(_is_number(c) for c in cells)
    return _Layout(str(path), delimiter, line, len(cells), cells if header else None)


def _parse_fast(path: Path, layout: _Layout, allow_nan: bool) -> np.ndarray | None:
    """Every data row by numpy's C parser, or None when anything is unusual (a bad or quoted
    cell, a ragged or blank-looking row, NaN when not allowed): the careful path then reads the
    file again and names the line and column. numpy's parser accepts no number that ``float``
    refuses, so whatever it reads, the careful path would read the same."""
    if layout.delimiter == " ":  # numpy and csv's skipinitialspace split runs of spaces differently
        return None
    with _open_text(path) as f:
        if layout.names is not None:
            next(_csv_rows(f, layout.delimiter, layout.where))  # the header, however many lines it spans
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "input contained no data": the careful path says so
                values = np.loadtxt(f, delimiter=layout.delimiter, comments=None, ndmin=2, dtype=np.float64)
        except Exception:  # noqa: BLE001 - the careful path finds and names the problem
            return None
    if values.shape[0] == 0 or values.shape[1] != layout.width:
        return None
    if not allow_nan and not np.isfinite(values).all():
        return None
    return values


def _cell_value(cell: str, line: int, j: int, layout: _Layout, allow_nan: bool) -> float:
    where = f"{layout.where}, line {line}, {layout.column(j)}"
    if cell == "":
        if not allow_nan:
            raise DataError(f"{where}: empty cell (a missing value); fill it, or pass allow_nan=True to read it as NaN")
        return math.nan
    try:
        v = float(cell)
    except ValueError:
        raise DataError(f"{where}: cannot read {cell!r} as a number") from None
    if not allow_nan and not math.isfinite(v):
        raise DataError(f"{where}: {cell!r} is not a finite number (pass allow_nan=True to keep NaN/inf)")
    return v


def _row_values(cells: list[str], line: int, layout: _Layout, allow_nan: bool) -> list[float]:
    """The row's numbers; a cell ``float`` refuses is looked at alone, to name it or read it as NaN."""
    try:
        return [float(c) for c in cells]
    except ValueError:
        return [_cell_value(c, line, j, layout, allow_nan) for j, c in enumerate(cells)]


def _parse_careful(path: Path, layout: _Layout, allow_nan: bool) -> np.ndarray:
    """Every data row, read with the csv module, or the DataError an editor's user can act on: a
    malformed CSV first, then the first ragged row (the header counts), then the first bad cell."""
    values, lines = array("d"), array("q")
    ragged = bad_cell = None
    with _open_text(path) as f:
        rows = _csv_rows(f, layout.delimiter, layout.where)
        if layout.names is not None:
            next(rows)
        for line, cells in rows:
            if len(cells) != layout.width:
                ragged = ragged or DataError(
                    f"{layout.where}, line {line}: {len(cells)} columns, but line {layout.first_line} has "
                    f"{layout.width} (ragged rows: a missing or extra delimiter?)")
            elif ragged is None and bad_cell is None:
                try:
                    values.extend(_row_values(cells, line, layout, allow_nan))
                    lines.append(line)
                except DataError as e:
                    bad_cell = e
    if ragged is not None:
        raise ragged
    if not lines and bad_cell is None:
        raise DataError(f"{layout.where} has a header but no data rows")
    table = np.frombuffer(values, dtype=np.float64).reshape(len(lines), layout.width)
    if not allow_nan and not np.isfinite(table).all():  # NaN/inf read in bulk: name the first one
        r, j = (int(i) for i in np.argwhere(~np.isfinite(table))[0])
        _cell_value(_data_row(path, layout, r)[1][j], lines[r], j, layout, allow_nan)
    if bad_cell is not None:
        raise bad_cell
    return table.copy()


def _data_row(path: Path, layout: _Layout, r: int) -> tuple[int, list[str]]:
    """(line, cells) of data row r (0-based), read again to name it in a message."""
    with _open_text(path) as f:
        rows = _csv_rows(f, layout.delimiter, layout.where)
        return next(itertools.islice(rows, r + (layout.names is not None), None))


def _target_column(target: int | str, layout: _Layout) -> int:
    names, width, where = layout.names, layout.width, layout.where
    if isinstance(target, str):
        if names is None:
            raise ValueError(f"target={target!r} names a column, but {where} has no header row "
                             "(give the column index instead)")
        if target not in names:
            raise ValueError(f"{where} has no column named {target!r}; its columns are {names}")
        t = names.index(target)
    else:
        if not -width <= target < width:
            raise ValueError(f"target column {target} is out of range: {where} has {width} columns")
        t = int(target) % width
    if width < 2:
        raise ShapeError(f"{where} has a single column: nothing is left for X once the target is taken "
                         "(pass target=None to read it as X)")
    return t


def _class_labels(y: np.ndarray, path: Path, layout: _Layout, t: int) -> np.ndarray:
    """y as int64, or a DataError naming the first target that is not a whole number a float
    holds exactly (|y| < 2⁵³; beyond, 1e20 would wrap to −9223372036854775808)."""
    whole = np.isfinite(y) & (y == np.round(y))
    bad = ~whole | (np.abs(np.where(whole, y, 0.0)) > _EXACT_INTEGERS)
    if not bad.any():
        return y.astype(np.int64)
    r = int(np.argmax(bad))
    line, cells = _data_row(path, layout, r)
    where = f"{layout.where}, line {line}, {layout.column(t)}: target {cells[t]!r}"
    if not whole[r]:
        raise DataError(f"{where} is not a whole-number class label (use target_dtype=float for regression)")
    raise DataError(f"{where} is too large for a class label: labels are whole numbers within "
                    f"±(2**53 - 1) = ±{_EXACT_INTEGERS}, which a float64 holds exactly (use "
                    "target_dtype=float for regression)")


def _check_csv_options(target: Any, delimiter: Any, target_dtype: Any) -> None:
    if not (isinstance(delimiter, str) and len(delimiter) == 1 and delimiter not in '\r\n"'):
        raise ValueError(f"delimiter must be one character (not a quote or a line break), got {delimiter!r}")
    if not (target is None or isinstance(target, str)
            or (isinstance(target, (int, np.integer)) and not isinstance(target, bool))):
        raise TypeError(f"target must be a column index, a column name or None, got {target!r}")
    if target_dtype is not float and target_dtype is not int:
        raise ValueError(f"target_dtype must be float or int, got {target_dtype!r}")


def load_csv(path: str | os.PathLike, target: int | str | None = -1, *, header: bool | None = None,
             delimiter: str = ",", allow_nan: bool = False,
             target_dtype: type = float) -> tuple[np.ndarray, np.ndarray | None]:
    """Read a numeric CSV into ``(X, y)``: y is the ``target`` column, X every other column.

    ``target``: a column index (negative counts from the end; default the last column), a column
    name from the header, or None (y is None, X is every column). ``header``: True, False, or None
    to detect it (a first row with no number in it is a header). ``target_dtype=int`` checks that
    every target is a whole number a float64 holds exactly (class labels, |y| < 2⁵³) and returns
    int64; otherwise float64. ``allow_nan`` lets NaN, ±inf and empty cells (read as NaN) through.

    A malformed file raises ``DataError`` (a ValueError) naming the line (1-based, as an editor
    shows it, header included) and the column (1-based, and its header name): ragged rows,
    a non-numeric or empty cell, NaN when not allowed, an empty file.

    Speed: the rows are parsed in bulk by numpy (about as fast as ``np.loadtxt``); only a file
    with something unusual in it (a problem, quoted or empty cells, blank-looking rows) is read
    again cell by cell, which is what finds the line and column to name."""
    _check_csv_options(target, delimiter, target_dtype)
    path = Path(path)
    layout = _layout(path, delimiter, header)
    values = _parse_fast(path, layout, allow_nan)
    if values is None:
        values = _parse_careful(path, layout, allow_nan)
    if target is None:
        return values, None
    t = _target_column(target, layout)
    X, y = np.delete(values, t, axis=1), values[:, t]
    return X, (_class_labels(y, path, layout, t) if target_dtype is int else y)
