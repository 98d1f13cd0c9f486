"""Random programs over Value and over Tensor, run here and in PyTorch (float64): same numbers.

Each program (``_random_programs.random_program``) is a few steps over a few inputs: every op of
the library (the catalogue ``_program_ops.OPS``: arithmetic with broadcasting, the op table's
functions, matmul/affine, reshapes, reductions, indexing with slices, repeated integer indices,
boolean masks and negative steps, joins, the softmax family, ``softmax_cross_entropy`` and the nn
losses), nodes used several times, inputs handed over as non-contiguous arrays. Three input
distributions: ``smooth`` (numbers of order 1, away from every kink), ``kinks`` (values exactly
at the kinks: zeros for relu/abs/step/leaky_relu/elu and BCE logits, ties for max/min/maximum/
minimum, clip bounds taken from the operand's own values) and ``wide`` (magnitudes 10⁻³..10³, for
the stable forms). Some Tensor programs end in ``backward(seed)`` with a non-contiguous seed.
``compare`` (``_programs``) checks every node's value and gradient, and the inputs' gradients
after a second ``backward()``, to 1e-10 relative to each array's magnitude (NaN and ±inf must sit
in the same places; for smooth and wide inputs, plus ten times what torch's own answer moves when
the inputs move in the last bit, so that x/x or cos(3e4) is not taken for a bug). A failure
prints the program as Python over our API (it runs as printed), and the first mismatch.

Where our documented choice differs from PyTorch's own function, the comparison uses the rule we
document instead (``DOCUMENTED_CHOICES``, with the reason), and a test shows that the difference
is real. Situations where we differ from the reference on purpose are steered around (``AVOIDED``,
each with its reason); the bugs this test was written against are pinned by regression tests at
the end (each failed before its fix).

The suite runs ``AUTODIFF_DIFF_PROGRAMS`` programs (default 600, a sixth per kind and
distribution) from seed ``AUTODIFF_DIFF_FIRST_SEED`` (default 0); for a deeper search, e.g.

    AUTODIFF_DIFF_PROGRAMS=6000 AUTODIFF_DIFF_FIRST_SEED=100000 python3 -m pytest tests/test_differential_torch.py
"""

from __future__ import annotations

import functools
import math
import os
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

import autodiff
from autodiff import Tensor, Value
from nn import losses

torch = pytest.importorskip("torch")

# the helpers import torch themselves
from _program_builder import AVOIDABLE, INPUTS  # noqa: E402,I001
from _program_ops import OPS, matched_targets, rows_and_targets, stacked  # noqa: E402
from _programs import Leaf, Program, Step, compare, run_ours, run_torch  # noqa: E402
from _random_programs import random_program  # noqa: E402

# random logits may sit in [0, 1] with rows summing to 1 (ties at the kinks): legitimate inputs that
# nn.cross_entropy rightly suspects of being probabilities
pytestmark = pytest.mark.filterwarnings("ignore::nn.losses.LooksLikeProbabilitiesWarning")

F64 = torch.float64
PROGRAMS = int(os.environ.get("AUTODIFF_DIFF_PROGRAMS", "600"))
FIRST_SEED = int(os.environ.get("AUTODIFF_DIFF_FIRST_SEED", "0"))
KINDS = ("value", "tensor")


# --- where we differ from PyTorch on purpose --------------------------------------------------------
def step_as_documented(x):
    """step(x) = 1 if x ≥ 0 else 0 (so step(0) = 1, step(NaN) = NaN) with step' = 0: an exact zero
    gradient flows back (a masked one, as every selection's: never 0·∞), not none at all."""
    value = torch.heaviside(x.detach(), torch.ones((), dtype=x.dtype))
    return torch.where(torch.zeros_like(x, dtype=torch.bool), x, value)


def bce_as_documented(p, target, eps=1e-12, reduction="mean"):
    """−mean[y log p̂ + (1 − y) log(1 − p̂)] with p̂ = clamp(p, eps, 1 − eps)."""
    p = stacked(p)
    y = matched_targets(p, target)
    pc = torch.clamp(p, eps, 1 - eps)
    terms = -(y * pc.log() + (1 - y) * (1 - pc).log())
    return terms.mean() if reduction == "mean" else terms.sum()


def cross_entropy_as_documented(p, target, eps=1e-12, reduction="mean"):
    """−(1/N) Σₙ Σ_c y_{nc} log p̂_{nc} with p̂ = clamp(p, eps, ∞) (labels pick one class)."""
    rows, t = rows_and_targets(stacked(p), target)
    logp = torch.clamp(rows, eps, None).log()
    picked = logp[torch.arange(rows.shape[0]), t] if t.dtype == torch.int64 else (t * logp).sum(-1)
    return -picked.sum() / (rows.shape[0] if reduction == "mean" else 1)


@dataclass(frozen=True)
class Choice:
    """A documented choice: why it differs from PyTorch's own function, and the rule itself."""

    why: str
    rule: Callable


DOCUMENTED_CHOICES: dict[str, Choice] = {
    "step": Choice("seed 001's threshold: step(x) = 1 if x ≥ 0, so step(0) = 1, and step' = 0 everywhere "
                   "(README 'Decisions'): an exact zero flows back. torch.heaviside has no derivative "
                   "at all: its backward raises.",
                   step_as_documented),
    "binary_cross_entropy": Choice("p is clamped to [eps, 1 − eps] before the logs, and the clamp passes no "
                                   "gradient where it bites (nn/losses.py). PyTorch clamps log p at −100 "
                                   "instead, so p = 0 or 1 gives another loss and another gradient.",
                                   bce_as_documented),
    "cross_entropy_from_probabilities": Choice("p is clamped to [eps, 1] before the log (nn/losses.py); PyTorch's nll_loss of "
                            "log p gives inf and NaN gradients at p = 0.", cross_entropy_as_documented),
}
RULES = {op: choice.rule for op, choice in DOCUMENTED_CHOICES.items()}

AVOIDED = {  # situations the generator steers around (see _program_builder.AVOIDABLE), and why
    # The five bugs it was written with are fixed (bce_with_logits at 0, non-contiguous 3-D
    # cross-entropy, std of a constant slice, 0·∞ at relu/clip/step, affine with a widening bias).
    "zero_times_nan_or_inf": "a documented choice, not a bug: our max/min reductions give their losers an "
                             "exact 0 even under a NaN or ∞ gradient (README 'Selections mask'); the "
                             "reference, torch.amax (which splits ties as we do), multiplies: 0·∞ = NaN",
}


# --- the random programs ---------------------------------------------------------------------------------
def seeds() -> range:
    per_config = max(1, PROGRAMS // (len(KINDS) * len(INPUTS)))
    return range(FIRST_SEED, FIRST_SEED + per_config)


@functools.cache
def program(kind: str, inputs: str, seed: int) -> Program:
    return random_program(kind, seed, inputs, avoid=AVOIDED, overrides=RULES)


@pytest.mark.parametrize("inputs", INPUTS)
@pytest.mark.parametrize("kind", KINDS)
def test_random_programs_agree_with_torch(kind, inputs) -> None:
    mismatches = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy's inf/NaN warnings: the values are compared
        for seed in seeds():
            p = program(kind, inputs, seed)
            found = compare(p, RULES, ill_conditioned_ok=inputs != "kinks")
            if found:
                mismatches.append((p, found))
    if mismatches:
        counts = Counter(m.category() for _, m in mismatches)
        p, first = mismatches[0]
        pytest.fail(f"{len(mismatches)} of {len(seeds())} {kind} programs on {inputs} inputs disagree with "
                    f"PyTorch: {dict(counts)}\nThe first: {first.describe(p)}", pytrace=False)


@pytest.mark.parametrize("kind", KINDS)
def test_a_printed_program_runs_as_printed_and_computes_the_same_loss(kind) -> None:
    """The source in a failure message is a reproducer: executing it (test code running text this
    test generated, never user input) gives the loss and gradients that ``run_ours`` gives."""
    for seed in list(seeds())[:10]:
        p = program(kind, "kinks", seed)
        namespace: dict = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            exec(compile(p.source(), f"<{p.label}>", "exec"), namespace)
        ours = run_ours(p)
        np.testing.assert_array_equal(np.asarray(namespace["loss"].data), ours.values["loss"])
        for name in p.inputs:
            grad = namespace[name].grad
            np.testing.assert_array_equal(np.zeros_like(ours.grads[name]) if grad is None else grad, ours.grads[name])


def test_every_known_bug_is_a_situation_the_generator_can_avoid() -> None:
    assert set(AVOIDED) <= set(AVOIDABLE)


SURVEY = range(100)  # the programs the two tests below look at, whatever AUTODIFF_DIFF_PROGRAMS says


def test_the_programs_use_every_op_in_the_catalogue() -> None:
    used = Counter(op for kind in KINDS for inputs in INPUTS for seed in SURVEY
                   for op in program(kind, inputs, seed).ops())
    assert set(OPS) - set(used) == set(), "ops the random programs never use"


def _ties(x: np.ndarray, axis) -> bool:
    top, bottom = np.amax(x, axis=axis, keepdims=True), np.amin(x, axis=axis, keepdims=True)
    return bool(np.any((x == top).sum(axis=axis) > 1) or np.any((x == bottom).sum(axis=axis) > 1))


def _at_bound(x: np.ndarray, lo, hi) -> bool:
    return any(bool(np.any(x == bound)) for bound in (lo, hi) if bound is not None)


KINKS = {  # op → (the kink, "is it met?" from the operands' values and the step's params)
    **dict.fromkeys(["relu", "autodiff.relu", "abs", "abs()", "autodiff.abs", "leaky_relu", "elu", "step"],
                    ("x = 0 at relu/abs/leaky_relu/elu/step", lambda x, **_: bool(np.any(x == 0)))),
    "maximum": ("a = b at maximum/minimum", lambda a, b: bool(np.any(a == b))),
    "minimum": ("a = b at maximum/minimum", lambda a, b: bool(np.any(a == b))),
    "max": ("ties at max/min", lambda x, axis, **_: _ties(x, axis)),
    "min": ("ties at max/min", lambda x, axis, **_: _ties(x, axis)),
    "clip": ("x at a clip bound", lambda x, lo, hi: _at_bound(x, lo, hi)),
    "autodiff.clip": ("x at a clip bound", lambda x, lo, hi: _at_bound(x, lo, hi)),
    "hinge": ("y·s = margin at hinge", lambda s, target, margin, **_: bool(np.any(
        s * target.reshape(s.shape) == margin))),
}


def kinks_met(p: Program) -> Counter:
    """For each kind of kink, how many steps meet it exactly (judged on torch's values)."""
    values = run_torch(p, RULES).values

    def value_of(arg):  # a node's value, or a (nested) list of them as one array
        return np.array([value_of(a) for a in arg]) if isinstance(arg, tuple) else values[arg]

    met: Counter = Counter()
    for step in p.steps:
        if step.op in KINKS:
            kink, is_met = KINKS[step.op]
            met[kink] += is_met(*(value_of(a) for a in step.args), **step.params)
    return met


@pytest.mark.parametrize("kind", KINDS)
def test_the_kink_distribution_puts_values_exactly_at_kinks(kind) -> None:
    met = sum((kinks_met(program(kind, "kinks", seed)) for seed in SURVEY), Counter())
    wanted = {"x = 0 at relu/abs/leaky_relu/elu/step": 20, "x at a clip bound": 10, "y·s = margin at hinge": 1}
    if kind == "tensor":
        wanted |= {"a = b at maximum/minimum": 5, "ties at max/min": 5}
    assert all(met[k] >= n for k, n in wanted.items()), f"kinks met too rarely: {dict(met)}"


# --- the documented choices, checked by themselves --------------------------------------------------------
def one_step(op: str, inputs: dict, kind: str = "tensor", **params) -> Program:
    """``v = op(*inputs, **params)`` and a loss weighting each entry of v differently."""
    leaves = {name: Leaf(np.asarray(v, dtype=np.float64)) for name, v in inputs.items()}
    steps = [Step(("v",), op, tuple(inputs), params)]
    if kind == "tensor":
        steps.append(Step(("loss",), "weighted_sum", ("v",), {"w": np.array(1.5)}))
    else:
        steps.append(Step(("loss",), "mul_c", ("v",), {"c": 1.5}))
    return Program(kind, leaves, steps, "loss")


DOCUMENTED_EXAMPLES = {
    "step": one_step("step", {"x": [0.0, -1.0, 2.0]}),
    "binary_cross_entropy": one_step("binary_cross_entropy", {"p": [0.0, 1.0, 0.5]}, target=np.array([1.0, 0.0, 1.0]),
                                     eps=1e-12, reduction="mean"),
    "cross_entropy_from_probabilities": one_step("cross_entropy_from_probabilities", {"p": [[0.0, 1.0], [0.5, 0.5]]}, target=np.array([0, 1]),
                              eps=1e-12, reduction="mean"),
}


@pytest.mark.parametrize("op", sorted(DOCUMENTED_CHOICES))
def test_each_documented_choice_holds_and_really_differs_from_torch(op) -> None:
    example = DOCUMENTED_EXAMPLES[op]
    assert compare(example, RULES) is None, "we must follow the rule we document"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            differs = compare(example) is not None
        except RuntimeError:  # torch's own function has no derivative here
            differs = True
    assert differs, f"PyTorch's own {op} now agrees: drop it from DOCUMENTED_CHOICES"


# The other documented kink choices (README 'Decisions', ops.py) are PyTorch's too, so the random
# programs compare them with torch's own functions; here each is checked against its documented
# number directly, and against torch.
KINK_DERIVATIVES = [
    # (what the README/ops.py document, f, x, f(x), f'(x), PyTorch's f or None)
    ("relu'(0) = 0", lambda x: x.relu(), 0.0, 0.0, 0.0, torch.relu),
    ("abs'(0) = 0", abs, 0.0, 0.0, 0.0, torch.abs),
    ("leaky_relu'(0) = α", lambda x: x.leaky_relu(0.2), 0.0, 0.0, 0.2,
     lambda x: torch.nn.functional.leaky_relu(x, 0.2)),
    ("elu'(0) = α", lambda x: x.elu(0.5), 0.0, 0.0, 0.5, lambda x: torch.nn.functional.elu(x, 0.5)),
    ("step(0) = 1, step'(0) = 0", lambda x: x.step(), 0.0, 1.0, 0.0, None),
    ("clip' = 1 at the lower bound", lambda x: x.clip(0.0, 1.0), 0.0, 0.0, 1.0, lambda x: x.clamp(0.0, 1.0)),
    ("clip' = 1 at the upper bound", lambda x: x.clip(0.0, 1.0), 1.0, 1.0, 1.0, lambda x: x.clamp(0.0, 1.0)),
    ("sqrt'(0) = +inf", lambda x: x.sqrt(), 0.0, 0.0, math.inf, torch.sqrt),
    ("x**2 at 0: 0", lambda x: x ** 2, 0.0, 0.0, 0.0, lambda x: x ** 2),
    ("x**0 at 0: 1, slope 0", lambda x: x ** 0, 0.0, 1.0, 0.0, lambda x: x ** 0),
]


@pytest.mark.parametrize("rule, f, x, fx, slope, torch_f", KINK_DERIVATIVES, ids=[r[0] for r in KINK_DERIVATIVES])
@pytest.mark.parametrize("kind", KINDS)
def test_documented_value_and_slope_at_a_kink(kind, rule, f, x, fx, slope, torch_f) -> None:
    node = Value(x) if kind == "value" else Tensor(x, requires_grad=True)
    y = f(node)
    y.backward()
    assert (float(y.data), float(node.grad)) == (fx, slope)
    if torch_f is not None:
        t = torch.tensor(x, dtype=F64, requires_grad=True)
        torch_f(t).backward()
        assert float(t.grad) == slope, "PyTorch agrees with this choice"


def test_ties_split_the_gradient_in_halves_for_maximum_and_max() -> None:
    """max/min split ties ½/½ (ops.py), as torch.maximum and torch.amax do."""
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([1.0, 0.0], requires_grad=True)
    autodiff.maximum(a, b).sum().backward()
    x = Tensor([3.0, 3.0, 1.0], requires_grad=True)
    x.max().backward()
    assert a.grad.tolist() == [0.5, 1.0] and b.grad.tolist() == [0.5, 0.0]
    assert x.grad.tolist() == [0.5, 0.5, 0.0]


# --- regressions: the bugs this test found or was written against (each failed before its fix) ---------
def torch_grad(f: Callable, x: np.ndarray) -> np.ndarray:
    t = torch.tensor(x, dtype=F64, requires_grad=True)
    f(t).backward()
    return t.grad.numpy()


@pytest.mark.parametrize("kind", KINDS)
def test_bce_with_logits_gradient_at_logit_zero_is_sigmoid_minus_target(kind) -> None:
    """Targets (1, 0), mean over 2: ∂C/∂z = (σ(0) − y)/2 = (−0.25, +0.25)."""
    z = [Value(0.0), Value(0.0)] if kind == "value" else Tensor([0.0, 0.0], requires_grad=True)
    losses.bce_with_logits(z, [1.0, 0.0]).backward()
    grad = [v.grad for v in z] if kind == "value" else z.grad.tolist()
    assert grad == [-0.25, 0.25]


@pytest.mark.parametrize("make_logits", [lambda z: z.permute(1, 0, 2), lambda z: z[:, [2, 0, 1]]],
                         ids=["permuted view", "advanced index"])
@pytest.mark.parametrize("loss", ["softmax_cross_entropy", "cross_entropy_with_logits"])
def test_cross_entropy_gradient_for_non_contiguous_3d_logits(loss, make_logits) -> None:
    """∂C/∂z = (softmax(z) − onehot)/N, whatever the memory layout of z."""
    z0 = np.random.default_rng(0).normal(size=(2, 3, 4))
    z = Tensor(z0, requires_grad=True)
    logits = make_logits(z)
    labels = np.array([[0, 3], [1, 1], [2, 0]] if logits.shape[:2] == (3, 2) else [[0, 3, 1], [1, 2, 0]])
    fn = autodiff.softmax_cross_entropy if loss == "softmax_cross_entropy" else losses.cross_entropy_with_logits
    fn(logits, labels).backward()
    expected = torch_grad(lambda t: torch.nn.functional.cross_entropy(
        make_logits(t).reshape(-1, 4), torch.from_numpy(labels.reshape(-1))), z0)
    np.testing.assert_allclose(z.grad, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("kind", KINDS)
def test_sqrt_of_relu_below_zero_has_zero_gradient(kind) -> None:
    """relu masks the gradient where x < 0 (PyTorch: 0), even when it arrives as +inf from sqrt'(0)."""
    x = Value(-1.0) if kind == "value" else Tensor(-1.0, requires_grad=True)
    x.relu().sqrt().backward()
    assert float(x.grad) == 0.0


@pytest.mark.parametrize("stat", ["var", "std"])
def test_var_and_std_with_ddof_above_n_are_inf_as_in_torch(stat) -> None:
    x = Tensor([1.0, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = getattr(torch, stat)(torch.tensor([1.0, 2.0], dtype=F64), correction=3)
        ours = getattr(x, stat)(ddof=3)
    assert float(ours.data) == float(reference) == math.inf


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_std_of_a_constant_slice_has_zero_gradient_as_in_torch() -> None:
    x0 = np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 3.0]])
    x = Tensor(x0, requires_grad=True)
    x.std(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad, torch_grad(lambda t: t.std(dim=1, correction=0).sum(), x0), atol=1e-12)


def test_clip_with_lo_above_hi_gives_hi_for_value_and_tensor_as_numpy_and_torch() -> None:
    reference = float(torch.clamp(torch.tensor(0.5, dtype=F64), 2.0, 1.0))
    assert (Value(0.5).clip(2.0, 1.0).data, float(Tensor(0.5).clip(2.0, 1.0).data)) == (reference, reference)


def test_elu_of_nan_is_nan_as_in_torch() -> None:
    assert math.isnan(Value(math.nan).elu().data)
    assert math.isnan(float(torch.nn.functional.elu(torch.tensor(math.nan, dtype=F64))))


def test_mean_softmax_cross_entropy_over_no_rows_is_nan_as_in_torch() -> None:
    z = Tensor(np.zeros((0, 3)), requires_grad=True)
    assert math.isnan(float(autodiff.softmax_cross_entropy(z, np.zeros(0, dtype=np.int64)).data))


def test_affine_bias_may_widen_the_result_as_x_at_w_plus_b_does() -> None:
    """affine's docstring: the same numbers as x @ w + b. For a 1-D x and a bias of shape (1, m),
    x @ w + b broadcasts to (1, m); affine raises ShapeError instead."""
    x, w, b = Tensor([1.0, 2.0]), Tensor(np.ones((2, 3))), Tensor(np.zeros((1, 3)))
    assert autodiff.affine(x, w, b).shape == (x @ w + b).shape == (1, 3)


# --- non-finite inputs: NaN and ±inf go through every elementwise op as in PyTorch -------------------
ELEMENTWISE_AT_NON_FINITE = [  # (catalogue op, params)
    ("neg", {}), ("exp", {}), ("log", {}), ("sqrt", {}), ("sin", {}), ("cos", {}), ("tanh", {}),
    ("sigmoid", {}), ("relu", {}), ("abs", {}), ("leaky_relu", {"alpha": 0.2}), ("elu", {"alpha": 1.0}),
    ("step", {}), ("clip", {"lo": -1.0, "hi": 1.0}), ("pow_n", {"n": 2.0}), ("pow_n", {"n": 0.0}),
    ("pow_n", {"n": -1.0}), ("rpow_c", {"c": 2.0}), ("mul_c", {"c": 3.0}), ("rdiv_c", {"c": 1.0}),
]
DOMAIN_ERRORS = {("log", -math.inf), ("sqrt", -math.inf)}  # README 'Decisions': errors, not NaNs
NAN_CHOICES = {  # (op, kind) at a NaN input → our (value, gradient), where PyTorch's differs (README)
    # a selection never selects NaN (NaN > 0 is false): the gradient is 0 (PyTorch's relu' is 1)
    ("relu", "value"): (math.nan, 0.0), ("relu", "tensor"): (math.nan, 0.0),
    # an op that multiplies by its local derivative passes NaN on (PyTorch: abs' 0, elu' 1, (x⁰)' 0)
    ("abs", "value"): (math.nan, math.nan), ("abs", "tensor"): (math.nan, math.nan),
    ("elu", "value"): (math.nan, math.nan), ("elu", "tensor"): (math.nan, math.nan),
    ("pow_n(n=0.0)", "value"): (1.0, math.nan), ("pow_n(n=0.0)", "tensor"): (1.0, math.nan),
    # step(NaN) is NaN (numpy's heaviside; torch.heaviside gives 0), its derivative 0 everywhere
    ("step", "value"): (math.nan, 0.0), ("step", "tensor"): (math.nan, 0.0),
}


def _non_finite_cases():
    for op, params in ELEMENTWISE_AT_NON_FINITE:
        name = op + "".join(f"({k}={v})" for k, v in params.items()) if op == "pow_n" else op
        for x in (math.nan, math.inf, -math.inf):
            for kind in KINDS:
                yield pytest.param(op, params, x, kind, id=f"{name}-{x}-{kind}")


@pytest.mark.parametrize("op, params, x, kind", list(_non_finite_cases()))
def test_non_finite_input_gives_torchs_value_and_gradient(op, params, x, kind) -> None:
    node = Value(x) if kind == "value" else Tensor(x, requires_grad=True)
    if (op, x) in DOMAIN_ERRORS:
        with pytest.raises(autodiff.DomainError):
            OPS[op].ours(node, **params)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        y = OPS[op].ours(node, **params)
        y.backward()
    t = torch.tensor(x, dtype=F64, requires_grad=True)
    ty = RULES.get(op, OPS[op].torch)(t, **params)
    if ty.requires_grad:
        ty.backward()
    expected = (float(ty.detach()), 0.0 if t.grad is None else float(t.grad))
    name = op + "".join(f"({k}={v})" for k, v in params.items()) if op == "pow_n" else op
    if math.isnan(x) and (name, kind) in NAN_CHOICES:
        ours = NAN_CHOICES[name, kind]
        np.testing.assert_array_equal([float(y.data), float(node.grad)], ours)
        assert not np.array_equal(ours, expected, equal_nan=True), f"PyTorch now agrees: drop {name} from NAN_CHOICES"
        return
    np.testing.assert_array_equal([float(y.data), float(node.grad)], expected)
