"""`autodiff graph` under random input: a result or one line of error, exit code 0 or 2, in seconds.

Every input, however hostile — expressions from the grammar, random unicode spliced into
them, short expressions that use one variable many times, random ``--at`` assignments and
options, ``-o`` and ``--steps`` into a fresh directory — must end with

    exit code 0 (the results, nothing on stderr)  or  2 (one line on stderr, nothing on stdout),

never a traceback, and within HANG_SECONDS (a hard bound on hangs, not a speed test).

The in-process run is seeded (derandomized) with FUZZ_EXAMPLES examples; for a deeper search,
other inputs each time with a seed of your choice:

    AUTODIFF_FUZZ_EXAMPLES=5000 AUTODIFF_FUZZ_SEED=7 python3 -m pytest -q tests/test_cli_fuzz.py
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import subprocess
import sys
import tempfile

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from autodiff.cli import main
from autodiff.ops import UNARY_FUNCTIONS

FUZZ_EXAMPLES = int(os.environ.get("AUTODIFF_FUZZ_EXAMPLES", "150"))
FUZZ_SEED = int(os.environ["AUTODIFF_FUZZ_SEED"]) if os.environ.get("AUTODIFF_FUZZ_SEED") else None
HANG_SECONDS = 10.0

NAMES = ["x", "y", "w", "b", "x1", "long_name_", "_"]
NUMBERS = ["0", "1", "2", "0.5", ".5", "2.", "3e-4", "1e308", "1e-320", "5e-324", "00", "9" * 40]
BAD_NUMBERS = ["1e999", "1e", "1.2.3", "1_0", "0x1f", "2x"]
OPERATORS = ["+", "-", "*", "/", "**", "\u2212"]
FUNCTIONS = list(UNARY_FUNCTIONS)
BAD_FUNCTIONS = ["eval", "open", "__import__", "x"]


def rarely(draw) -> bool:
    """True about one time in six (st.integers would favour its ends, and so the rare case)."""
    return draw(st.sampled_from([False] * 5 + [True]))
UNICODE = ["²", "³", "١", "½", "ｘ", "＋", "×", "÷", "·", "−", "θ", "é", "\u200b", "\u00a0", "\u3000", "\n",
           "\r", "\u2028", "\x00", "\x1b", "\ud800", "\U0001f600", "'", '"', ",", "^", ";", ".", "[", "]"]


def grammar_expressions() -> st.SearchStrategy[str]:
    """Expressions built from the grammar: numbers, a few names used again and again, calls,
    operators, signs and parentheses."""
    atoms = st.sampled_from(NAMES * 2 + NUMBERS * 2 + BAD_NUMBERS)

    def extend(inner):
        return st.one_of(
            st.builds(lambda a, op, b: f"{a}{op}{b}", inner, st.sampled_from(OPERATORS), inner),
            st.builds(lambda f, a: f"{f}({a})", st.sampled_from(FUNCTIONS * 3 + BAD_FUNCTIONS), inner),
            st.builds(lambda a: f"({a})", inner),
            st.builds(lambda s, a: f"{s}{a}", st.sampled_from(["-", "+", "--", "\u2212"]), inner),
        )

    return st.recursive(atoms, extend, max_leaves=25)


def repeated_variable() -> st.SearchStrategy[str]:
    """x*x*…*x, x+x+…+x and mixtures: short inputs whose pictures made dot hang."""
    return st.builds(lambda ops, name: name + "".join(f"{op}{name}" for op in ops),
                     st.lists(st.sampled_from(["*", "+", "-", "/"]), min_size=1, max_size=90),
                     st.sampled_from(["x", "y"]))


@st.composite
def spliced(draw) -> str:
    """A grammar expression with random characters (random unicode too) put in, or taken out."""
    text = draw(grammar_expressions())
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:i] + draw(st.sampled_from(UNICODE) | st.text(min_size=1, max_size=3)) + text[i:]
        else:
            text = text[:i] + text[i + 1:]
    return text


def expressions() -> st.SearchStrategy[str]:
    return st.one_of(grammar_expressions(), grammar_expressions(), repeated_variable(), spliced(),
                     st.text(max_size=40))


VALUES = st.one_of(st.sampled_from(["0", "1", "-1", "0.5", "\u22122", "3e-4", "1e308", "-1e308", "5e-324", "-0"]),
                   st.floats(-10, 10).map(repr), st.floats(allow_nan=False, allow_infinity=False).map(repr))


@st.composite
def assignments(draw, expression: str) -> list[str]:
    """Mostly a value for each name the expression seems to use; sometimes garbage of every kind."""
    names = dict.fromkeys(n for n in re.findall(r"(?<![\w.])[A-Za-z_]\w*", expression) if n not in FUNCTIONS)
    items = [f"{n}={draw(VALUES)}" for n in names]
    if rarely(draw):
        junk_value = st.one_of(st.sampled_from(NUMBERS + ["nan", "inf", "--1", "", "١", "1e999"]),
                               st.text(max_size=5))
        junk_name = st.one_of(st.sampled_from(NAMES + ["tanh", "1x", "x y", ""]), st.text(max_size=3))
        junk = st.one_of(st.builds(lambda n, v: f"{n}={v}", junk_name, junk_value), st.text(max_size=8))
        items = draw(st.permutations(items + draw(st.lists(junk, min_size=1, max_size=3))))
        items = items[:draw(st.integers(0, len(items)))]
    return items


@st.composite
def options(draw, folder: str) -> list[str]:
    """Random options, mostly valid; -o and --steps point into ``folder`` (a fresh directory),
    now and then at a trap (a missing directory, a file, a directory named g.svg)."""
    def sometimes(good, bad):
        return draw(st.sampled_from(bad) if rarely(draw) else st.sampled_from(good))

    argv: list[str] = []
    if draw(st.sampled_from([True] * 2 + [False] * 3)):
        ext = sometimes(["dot", "dot", "svg", "svg", "png", "pdf"], ["bmp", ""])
        where = sometimes([""], ["missing/", "a_file/"])
        argv += ["-o", os.path.join(folder, sometimes([f"{where}g.{ext}"], ["a_dir.svg"]))]
    if draw(st.sampled_from([True] + [False] * 4)):
        argv += ["--steps", os.path.join(folder, sometimes(["steps"], ["a_file", "a_file/s"]))]
    for flag in ("--explain", "--top-down", "--no-grad", "--no-edge-labels"):
        if draw(st.sampled_from([True] + [False] * 4)):
            argv.append(flag)
    if draw(st.sampled_from([True] + [False] * 4)):
        argv += ["--digits", sometimes([str(d) for d in range(1, 18)], ["0", "-2", "18", "1000000", "x"])]
    if draw(st.sampled_from([True] + [False] * 4)):
        argv += ["--max-nodes", sometimes(["0", "1", "5", "150", "1000000000"], ["-1", ""])]
    if rarely(draw) and rarely(draw):
        argv.append(draw(st.sampled_from(["--bogus", "-x", "--", "--at", "--digits", "-o", "--version"])))
    return argv


@st.composite
def commands(draw, folder: str) -> list[str]:
    expression = draw(expressions())
    at = draw(assignments(expression))
    opts = draw(options(folder))
    if expression.startswith("-") and draw(st.booleans()):  # as the help says, after '--'
        return ["graph", *opts, *(["--at", *at] if at else []), "--", expression]
    return ["graph", expression, *(["--at", *at] if at else []), *opts]


class Hang(BaseException):
    """Raised by the alarm when one input runs past HANG_SECONDS."""


@contextlib.contextmanager
def hard_limit(seconds: float):
    """Fail an input that runs past ``seconds`` (SIGALRM; the test still ends if main hangs)."""
    def alarm(signum, frame):
        raise Hang(f"no answer after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def prepare(folder: str) -> None:
    with open(os.path.join(folder, "a_file"), "w") as f:
        f.write("not a directory")
    os.mkdir(os.path.join(folder, "a_dir.svg"))


def check(argv: list[str], code, out: str, err: str) -> None:
    """The contract: a result with nothing on stderr, or one line of error with nothing on stdout."""
    assert "Traceback" not in err, (argv, err)
    if argv[-1:] == ["--version"] and code == 0:
        return
    assert code in (0, 2), (argv, code, err)
    if code == 0:
        assert err == "" and re.match(r"\w+ = ", out), (argv, out, err)
    else:
        assert out == "", (argv, out, err)
        assert err.endswith("\n") and len(err.splitlines()) == 1, (argv, err)
        assert err.startswith(("autodiff: error: ", "autodiff graph: error: ")), (argv, err)


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs SIGALRM for the hang bound")
@settings(max_examples=FUZZ_EXAMPLES, derandomize=FUZZ_SEED is None, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@seed(FUZZ_SEED or 0)
@given(data=st.data())
def test_any_command_line_gives_a_result_or_one_line_of_error_in_seconds(data):
    with tempfile.TemporaryDirectory() as folder:
        prepare(folder)
        argv = data.draw(commands(folder))
        out, err = io.StringIO(), io.StringIO()
        with hard_limit(HANG_SECONDS), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
        check(argv, code, out.getvalue(), err.getvalue())


# a few runs as a user runs it: a fresh process, bytes on the command line, the killer inputs
SUBPROCESS_CASES = [
    ["graph", "*".join(["x"] * 50), "--at", "x=1.01", "-o", "{dir}/g.svg"],
    ["graph", "+".join(["x"] * 60), "--at", "x=1", "-o", "{dir}/g.png"],
    ["graph", "+".join(["x"] * 20), "--at", "x=1", "--steps", "{dir}/steps", "-o", "{dir}/g.pdf"],
    ["graph", "*".join(["x"] * 30), "--at", "x=1.01", "--steps", "{dir}/steps"],
    ["graph", "x²", "--at", "x=3"],
    ["graph", "sin(x*10)", "--at", "x=1e308", "-o", "{dir}/g.svg"],
    ["graph", "x*y", "--at", "x=1", "y=2", "-o", b"{dir}/\xff\xfe.svg"],   # a file name that is not UTF-8
    ["graph", b"x\xff", "--at", "x=1"],
]


@pytest.mark.parametrize("argv", SUBPROCESS_CASES, ids=[str(a[1])[:24] for a in SUBPROCESS_CASES])
def test_the_command_in_a_fresh_process_answers_in_seconds_with_no_traceback(argv, tmp_path):
    def fill(a):
        return a.replace(b"{dir}", bytes(tmp_path)) if isinstance(a, bytes) else a.replace("{dir}", str(tmp_path))

    cmd = [sys.executable, "-m", "autodiff", *map(fill, argv)]
    proc = subprocess.run(cmd, capture_output=True, timeout=HANG_SECONDS + 5)  # + interpreter start
    out = proc.stdout.decode("utf-8", "backslashreplace")
    err = proc.stderr.decode("utf-8", "backslashreplace")
    check([str(a) for a in argv], proc.returncode, out, err)
