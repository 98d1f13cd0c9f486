"""load_csv: the bulk parse agrees with the careful one cell for cell, class labels are exact,
and options are checked before the file is read. (The messages themselves: test_nn_data.py.)"""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nn import data
from nn.data import DataError

HYP = settings(max_examples=int(os.environ.get("HYP_EXAMPLES", "300")), deadline=None,
               suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# pieces of CSV text that look like numbers, almost-numbers, quoting, blanks and line ends
TOKENS = ['"', '""', ",", ",", ";", " ", "\t", "\n", "\n", "\r\n", "\r", "1", "2.5", "-3", "0", "e", "nan",
          "inf", "-inf", "1e400", "x", "a", "1_0", "1e20", "\u0661", "#", "\ufeff"]


def _outcome(path, **options):
    """What load_csv gives: its arrays bit for bit, or its error's type and message."""
    try:
        X, y = data.load_csv(path, **options)
    except (ValueError, TypeError) as e:
        return type(e).__name__, str(e)
    return X.tobytes(), X.shape, None if y is None else (y.tobytes(), y.dtype)


@HYP
@given(text=st.lists(st.sampled_from(TOKENS), min_size=1, max_size=30).map("".join),
       delimiter=st.sampled_from([",", ";", " ", "\t"]), allow_nan=st.booleans(),
       header=st.sampled_from([None, True, False]), target=st.sampled_from([None, -1, 0]),
       target_dtype=st.sampled_from([float, int]))
def test_bulk_parse_gives_exactly_what_the_careful_parse_gives(tmp_path, monkeypatch, text, delimiter,
                                                               allow_nan, header, target, target_dtype):
    path = tmp_path / "f.csv"
    path.write_bytes(text.encode("utf-8"))
    options = dict(delimiter=delimiter, allow_nan=allow_nan, header=header, target=target,
                   target_dtype=target_dtype)
    fast = _outcome(path, **options)
    with monkeypatch.context() as m:
        m.setattr(data, "_parse_fast", lambda *args: None)
        careful = _outcome(path, **options)
    assert fast == careful


def test_a_clean_file_is_parsed_in_bulk_without_the_cell_by_cell_path(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    table = np.column_stack([rng.normal(size=(2000, 3)), rng.integers(0, 4, size=2000)])
    path = tmp_path / "clean.csv"
    with open(path, "w", newline="") as f:
        f.write("a,b,c,label\r\n")
        np.savetxt(f, table, delimiter=",", fmt="%.17g", newline="\r\n")

    def refuse(*args):
        raise AssertionError("the careful path ran on a clean file")

    monkeypatch.setattr(data, "_parse_careful", refuse)
    X, y = data.load_csv(path, target="label", target_dtype=int)
    assert np.array_equal(X, table[:, :3]) and np.array_equal(y, table[:, 3].astype(np.int64))


def test_a_bad_cell_at_the_end_of_a_long_file_is_still_named_by_line_and_column(tmp_path):
    path = tmp_path / "long.csv"
    rows = "\n".join(f"{i},{i / 7}" for i in range(5000))
    path.write_text(f"n,v\n{rows}\n4,2O\n")
    with pytest.raises(DataError, match=r"line 5002, column 2 \('v'\): cannot read '2O' as a number"):
        data.load_csv(path, target=None)


def test_the_first_problem_in_the_file_is_named_even_when_numpy_reads_it(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text('a,b\n1,inf\n"2",x\n')  # the quotes send it to the careful path, inf comes first
    with pytest.raises(DataError, match=r"line 2, column 2 \('b'\): 'inf' is not a finite number"):
        data.load_csv(path)


@pytest.mark.parametrize("cell", ["1e20", "-1e20", "9007199254740992", "9007199254740993", "1e400"])
def test_class_labels_a_float_cannot_hold_exactly_are_refused_naming_line_and_column(tmp_path, cell):
    path = tmp_path / "labels.csv"
    path.write_text(f"x,label\n1,0\n2,{cell}\n")
    with pytest.raises(DataError, match=rf"line 3, column 2 \('label'\): target '{cell}' is "
                                        r"(too large for a class label|not a whole-number)"):
        data.load_csv(path, target_dtype=int, allow_nan=True)


def test_class_labels_below_two_to_the_53_are_read_exactly(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text(f"1,{2**53 - 1}\n2,-{2**53 - 1}\n3,7\n")
    _, y = data.load_csv(path, target_dtype=int)
    assert y.tolist() == [2**53 - 1, -(2**53 - 1), 7] and y.dtype == np.int64


@pytest.mark.parametrize("options, match", [
    (dict(delimiter=",,"), "delimiter must be one character"),
    (dict(delimiter='"'), "delimiter must be one character"),
    (dict(delimiter=None), "delimiter must be one character"),
    (dict(target_dtype="int"), "target_dtype must be float or int"),
    (dict(target=1.0), "target must be a column index"),
    (dict(target=True), "target must be a column index"),
])
def test_options_are_checked_before_the_file_is_read(tmp_path, options, match):
    with pytest.raises((ValueError, TypeError), match=match):
        data.load_csv(tmp_path / "does-not-exist.csv", **options)
