"""The builder that grows one random program step by step (used by ``_random_programs``).

Each step is evaluated in PyTorch as soon as it is chosen, so every later choice is made on the
values it will really see: operands inside an op's domain, shapes that fit, and — in the kink
distribution — constants taken from the operand's own values, so that kinked ops meet their kinks
exactly.

Kinks only count where both libraries compute the same number. A value made only by correctly
rounded operations (+ − × ÷, selections, copies; sums of small dyadic numbers) is the same in
numpy and in torch to the last bit; one that went through exp or a long sum may differ in the last
bit, and a kink on such a value is a coin toss between the two sides of the kink in each library.
So the builder tracks which nodes are *exact*, puts kinks only on those, and keeps inexact
operands of kinked ops at least ``NEAR`` away from their kinks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Mapping

import numpy as np
import torch
from _programs import Leaf, Program, Step, forward_torch, node_names

KINK_VALUES = (-2.0, -1.0, -0.5, 0.0, 0.0, 0.0, 0.5, 1.0, 2.0)
"""Inputs of the kink distribution: many exact zeros and repeats (ties), all dyadic."""

POOLS = {"positive": (0.25, 0.5, 1.0, 2.0), "nonzero": (-2.0, -1.0, -0.5, 0.5, 1.0, 2.0),
         "probability": (0.0, 0.25, 0.5, 1.0), "any": KINK_VALUES, "small": KINK_VALUES,
         "exponent": (1.0, 2.0, 3.0)}

SHAPES = [(), (1,), (3,), (4,), (2, 3), (3, 1), (1, 4), (3, 4), (2, 2), (2, 3, 4), (2, 1, 3), (3, 2, 2)]
NEAR = 1e-8  # an inexact value this close to a kink could fall on either side of it in either library
LIMIT = 1e6  # larger values are refused: they amplify rounding into false alarms
MAX_SIZE = 256
INPUTS = ("smooth", "kinks", "wide")

AVOIDABLE = {
    "bce_with_logits_at_zero": "bce_with_logits on a logit of exactly 0",
    "sce_noncontiguous_3d": "softmax_cross_entropy / cross_entropy_with_logits on logits of 3+ dimensions "
                            "that are not an input leaf (may be non-contiguous)",
    "std_of_constant_slice": "std over a slice whose entries are all equal",
    "zero_times_nan_or_inf": "an infinite or NaN gradient (sqrt or x**0.5 at exactly 0; x**y at x < 0, "
                             "whose ∂/∂y is NaN) reaching an op with local derivative 0 (relu, clip, step, "
                             "the loser of maximum/minimum)",
    "affine_bias_widens": "affine(x, W, b) where b has more dimensions than x @ W (x 1-D, b (1, m))",
}
"""Situations the generator can steer around while a known bug is being fixed: pass the names to
``avoid``. Remove a name once its bug is fixed, and the random programs cover it again."""

SAME_IN_BOTH = {
    "add", "sub", "mul", "div", "add_c", "radd_c", "sub_c", "rsub_c", "mul_c", "rmul_c", "div_c", "rdiv_c",
    "neg", "abs", "abs()", "autodiff.abs", "relu", "autodiff.relu", "leaky_relu", "step", "clip",
    "autodiff.clip", "maximum", "minimum", "maximum_c", "minimum_c", "T", "transpose", "reshape", "flatten",
    "getitem", "getitem_where", "concatenate", "stack", "max", "min",
}
"""Ops whose result is correctly rounded or a selection/copy: the same bits in every library."""

SUMS = {"sum", "matmul", "matmul_c", "rmatmul_c", "affine", "affine_nobias", "Value.sum", "Value.dot",
        "Value.dot+b", "Value.dot+c", "weighted_sum"}
"""Ops that add many terms: exact only when no partial sum rounds (small dyadic numbers)."""


def dyadic(v: np.ndarray) -> bool:
    """Multiples of 2⁻²⁰ below 2¹⁰: sums and products of a few of them are exact in float64."""
    scaled = v * 2.0**20
    return bool(np.all(np.abs(v) <= 1024) and np.all(scaled == np.round(scaled)))


class Builder:
    """One program being grown: its inputs, steps, every node's torch value, which are exact."""

    def __init__(self, kind: str, seed: int, inputs: str, avoid: Collection[str],
                 overrides: Mapping[str, Callable]) -> None:
        unknown = set(avoid) - set(AVOIDABLE)
        assert not unknown, f"unknown situations to avoid: {unknown}"
        assert inputs in INPUTS, f"inputs must be one of {INPUTS}"
        self.kind, self.inputs_kind, self.avoid = kind, inputs, set(avoid)
        self.situations: set[str] = set()  # the AVOIDABLE situations this program went into
        self.kinks = inputs == "kinks"
        self.overrides = overrides
        self.rng = np.random.default_rng(seed)
        self.inputs: dict[str, Leaf] = {}
        self.steps: list[Step] = []
        self.names: list[str] = []
        self.values: dict[str, np.ndarray] = {}
        self.exact: dict[str, bool] = {}
        self.env: dict = {}
        self.uses: Counter = Counter()

    def allows(self, situation: str, happens: bool = True) -> bool:
        """False if the caller asked to avoid ``situation`` and it ``happens``; else True, noting it."""
        if not happens:
            return True
        if situation in self.avoid:
            return False
        self.situations.add(situation)
        return True

    # --- random choices -------------------------------------------------------------------------
    def coin(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def choice(self, options):
        return options[int(self.rng.integers(len(options)))]

    def integer(self, lo: int, hi: int) -> int:
        """A random int in [lo, hi]."""
        return int(self.rng.integers(lo, hi + 1))

    # --- inputs ---------------------------------------------------------------------------------
    def draw(self, shape: tuple, domain: str = "any") -> np.ndarray:
        """Fresh values inside ``domain``: dyadic kink values, smooth random numbers of order 1, or
        (wide) magnitudes from 10⁻³ to 10³ that test the stable forms."""
        rng = self.rng
        if self.kinks:
            return np.asarray(rng.choice(POOLS[domain], size=shape), dtype=np.float64)
        if self.inputs_kind == "wide" and domain != "small":
            return self._draw_wide(shape, domain)
        if domain == "positive":
            return np.asarray(rng.uniform(0.2, 3.0, size=shape))
        if domain == "nonzero":
            return np.asarray(rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.2, 2.0, size=shape))
        if domain == "probability":
            return np.asarray(rng.uniform(0.02, 0.98, size=shape))
        if domain == "small":
            return np.asarray(rng.uniform(-2.5, 2.5, size=shape))
        return np.asarray(rng.normal(size=shape) * self.choice([0.5, 1.0, 2.0]))

    def _draw_wide(self, shape: tuple, domain: str) -> np.ndarray:
        rng = self.rng
        if domain == "probability":
            tiny = 10.0 ** -rng.uniform(1, 11, size=shape)
            return np.asarray(rng.choice([0.0, 1.0], size=shape) + rng.choice([1.0, -1.0], size=shape) * tiny).clip(0, 1)
        magnitude = 10.0 ** rng.uniform(*{"positive": (-3, 3), "nonzero": (-1, 2)}.get(domain, (-2, 2.5)), size=shape)
        sign = 1.0 if domain == "positive" else rng.choice([-1.0, 1.0], size=shape)
        return np.asarray(sign * magnitude)

    def new_input(self, shape: tuple = (), domain: str = "any") -> str:
        data = self.draw(shape if self.kind == "tensor" else (), domain)
        layouts = ["C"] + (["reversed", "strided"] if data.ndim >= 1 else []) + (["F"] if data.ndim >= 2 else [])
        leaf = Leaf(data, self.choice(layouts) if self.coin(0.3) else "C")
        name = f"x{len(self.inputs)}"
        self.inputs[name] = leaf
        self._record(name, data, torch.tensor(data, dtype=torch.float64), exact=True)
        return name

    def _record(self, name: str, value: np.ndarray, tensor, exact: bool) -> None:
        self.names.append(name)
        self.values[name] = value
        self.env[name] = tensor
        self.exact[name] = exact

    # --- steps ----------------------------------------------------------------------------------
    def emit(self, op: str, *args, n_out: int = 1, out: str | None = None, **params) -> str | None:
        """Add ``op(*args, **params)`` if its torch value is finite, not huge and not empty; return
        the (first) output's name, or None if the step was refused."""
        first = len(self.names) - len(self.inputs)
        outs = (out,) if out else tuple(f"v{first + i}" for i in range(n_out))
        step = Step(outs, op, args, params)
        result = forward_torch(step, self.env, self.overrides)
        results = tuple(result) if n_out > 1 else (result,)
        arrays = [r.detach().numpy().copy() for r in results]
        if out is None and not all(_acceptable(a) for a in arrays):
            return None
        flat = node_names(args)
        exact = self._exact_result(op, flat, params, arrays)
        for name, r, a in zip(outs, results, arrays):
            self._record(name, a, r.detach(), exact)
        self.uses.update(flat)
        self.steps.append(step)
        return outs[0]

    def emit_many(self, op: str, *args, n_out: int, **params) -> list[str] | None:
        first = self.emit(op, *args, n_out=n_out, **params)
        return None if first is None else self.names[-n_out:]

    def _exact_result(self, op: str, args: list[str], params: dict, arrays: list) -> bool:
        if not all(self.exact[a] for a in args):
            return False
        if op in SAME_IN_BOTH or (op == "pow_n" and params["n"] in (0.0, 1.0, 2.0)):
            return True
        return op in SUMS and all(dyadic(self.values[a]) for a in args) and all(dyadic(a) for a in arrays)

    # --- operands -------------------------------------------------------------------------------
    def pick(self, ok: Callable[[np.ndarray], bool] = lambda v: True, exact: bool = False) -> str | None:
        """An existing node whose value passes ``ok`` (and that is exact, if asked); recent nodes
        are likelier, and any node may be picked again (a shared subexpression)."""
        candidates = [n for n in self.names if ok(self.values[n]) and (self.exact[n] or not exact)]
        if not candidates:
            return None
        weights = np.arange(1, len(candidates) + 1, dtype=float)
        return candidates[int(self.rng.choice(len(candidates), p=weights / weights.sum()))]

    def operand(self, ok: Callable[[np.ndarray], bool], shape: tuple = (), domain: str = "any",
                fresh: float = 0.15) -> str:
        """An existing node that passes ``ok``, or a new input of ``shape`` inside ``domain``."""
        name = None if self.coin(fresh) else self.pick(ok)
        if name is None:
            name = self.new_input(shape, domain)
            assert ok(self.values[name]), f"a fresh {domain} input of shape {shape} fails its own check"
        return name

    def pick_at_kink(self, at_kink: Callable[[np.ndarray], np.ndarray]) -> str | None:
        """In the kink distribution, usually an exact node with an entry at the kink; else any node."""
        found = self.pick(lambda v: bool(np.any(at_kink(v))), exact=True) if self.kinks and self.coin(0.6) else None
        return found or self.pick()

    def clear_of(self, name: str, *kinks) -> bool:
        """True if the node is exact, or every entry is at least NEAR from each kink."""
        if self.exact[name]:
            return True
        v = self.values[name]
        return all(np.all(np.abs(v - k) > NEAR) for k in kinks)

    def constant_like(self, name: str, domain: str = "any") -> float:
        """A constant to combine with a node: in the kink distribution one of the node's own values
        when it is exact (so x − c has exact zeros, and clip or maximum meet exact ties)."""
        v = self.values[name]
        if self.kinks and self.exact[name] and self.coin(0.7):
            allowed = v[np.abs(v) >= 0.1] if domain == "nonzero" else v[v > 0] if domain == "positive" else v
            if allowed.size:
                return float(self.choice(allowed.ravel()))
        return float(self.draw((), domain))

    # --- the end: a loss that weights every unused node ----------------------------------------
    def finish(self, label: str) -> Program:
        """End in a loss that weights each unused node by a random constant: a scalar, or (for some
        Tensor programs) the last node plus that scalar, seeded by a random, non-contiguous array."""
        sinks = [n for n in self.names if self.uses[n] == 0]
        if self.kind == "value":  # Σ cᵢ·sinkᵢ as one node
            self.emit("Value.dot", tuple(float(c) for c in self.rng.normal(size=len(sinks))), tuple(sinks),
                      out="loss")
            return self._program(label)
        seeded = self.values[sinks[-1]].ndim >= 1 and self.coin(0.25)
        last = sinks.pop() if seeded else None
        terms = [self.emit("weighted_sum", n, w=self.rng.normal(size=self.values[n].shape), out=f"s{i}")
                 for i, n in enumerate(sinks)]
        total = terms[0] if terms else None
        for i, t in enumerate(terms[1:], start=1):
            total = self.emit("add", total, t, out=f"t{i}")
        if not seeded:
            return self._program(label, rename=total)
        if total:
            self.emit("add", last, total, out="loss")
        else:
            self.emit("add_c", last, c=0.0, out="loss")
        shape = self.values["loss"].shape
        layouts = ["reversed", "strided"] + (["F"] if len(shape) >= 2 else [])
        return self._program(label, seed=Leaf(self.rng.normal(size=shape), self.choice(layouts)))

    def _program(self, label: str, rename: str | None = None, seed: Leaf | None = None) -> Program:
        if rename and rename != "loss":
            last = self.steps[-1]
            self.steps[-1] = Step(("loss",), last.op, last.args, last.params)
        return Program(self.kind, self.inputs, self.steps, "loss", label, frozenset(self.situations), seed)


def _acceptable(a: np.ndarray) -> bool:
    return 0 < a.size <= MAX_SIZE and bool(np.all(np.isfinite(a))) and bool(np.all(np.abs(a) <= LIMIT))


def all_entries(pred: Callable[[np.ndarray], np.ndarray]) -> Callable[[np.ndarray], bool]:
    return lambda v: bool(np.all(pred(v)))


positive = all_entries(lambda v: (v >= 1e-3) & (v <= 1e3))
nonzero = all_entries(lambda v: np.abs(v) >= 0.1)
probability = all_entries(lambda v: (v >= 0) & (v <= 1))
moderate = all_entries(lambda v: np.abs(v) <= 3)
