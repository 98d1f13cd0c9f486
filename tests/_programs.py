"""Programs over autodiff's Value or Tensor that also run in PyTorch, for differential testing.

A ``Program`` is a list of ``Step``s in single-assignment form over named input leaves::

    x0 = Tensor(np.array([[0.5, -1.0], [0.0, 2.0]]), requires_grad=True)
    v0 = x0.relu()
    v1 = autodiff.maximum(v0, v0)        # a node used twice: a tie
    v2 = v1[::-1, np.array([0, 0, 1])]   # negative step, repeated indices
    loss = (v2 * np.array(...)).sum()

Each step names an op of ``OPS``, the catalogue: how to run it on our nodes, how to run it on
torch tensors (float64, CPU), and how it reads as source (``Program.source()`` prints the whole
program as Python over our API, so a failing program is its own reproducer). ``run_ours`` and
``run_torch`` execute a program and return every node's value and gradient; ``compare`` finds the
first disagreement and names the op(s) that must have caused it.

The torch column of the catalogue is PyTorch's own function wherever one exists. Where our
documented choice differs from it (a subgradient at a kink, a clamp), the test module passes the
rule it documents as an override, so the difference is checked, never skipped.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import torch
from _program_ops import F64, OPS

import autodiff
from autodiff import Tensor, Value


# --- a program: inputs and steps, printable as source ------------------------------------------
@dataclass(frozen=True)
class Leaf:
    """An input: its values and the memory layout its array is handed over in (Tensor only)."""

    data: np.ndarray
    layout: str = "C"  # "C", or a non-contiguous view with the same values: "F", "reversed", "strided"

    def array(self) -> np.ndarray:
        d = self.data
        if self.layout == "F":
            return np.asfortranarray(d)
        if self.layout == "reversed":
            return np.ascontiguousarray(d[::-1])[::-1]
        if self.layout == "strided":
            return np.repeat(d, 2, axis=-1)[..., ::2]
        return d.copy()

    def source(self) -> str:
        if self.data.ndim == 0:
            return repr(float(self.data))
        if self.layout == "F":
            return f"np.asfortranarray({array_source(self.data)})"
        if self.layout == "reversed":
            return f"{array_source(self.data[::-1])}[::-1]"
        if self.layout == "strided":
            return f"np.repeat({array_source(self.data)}, 2, axis=-1)[..., ::2]"
        return array_source(self.data)


@dataclass(frozen=True)
class Step:
    """``outs = op(*args, **params)``. An arg is a node name, a (nested) tuple of args for a list
    argument, or a constant (number or array) inside such a list; params are constants (numbers,
    arrays, axes, indices)."""

    outs: tuple[str, ...]
    op: str
    args: tuple
    params: Mapping[str, Any] = field(default_factory=dict)

    def source(self) -> str:
        args = [_args_source(a) for a in self.args]
        params = {k: param_source(v) for k, v in self.params.items()}
        return f"{', '.join(self.outs)} = {OPS[self.op].text.format(*args, **params)}"


@dataclass
class Program:
    """Inputs, steps and the name of the scalar loss; ``kind`` is "value" or "tensor". ``situations``
    names the known-bug situations its generator let it into (see _random_programs.AVOIDABLE)."""

    kind: str
    inputs: dict[str, Leaf]
    steps: list[Step]
    loss: str
    label: str = ""
    situations: frozenset[str] = frozenset()
    seed: Leaf | None = None  # backward(seed) for a loss that is not a scalar

    def source(self) -> str:
        """The program as Python over our API (it runs as printed: a failure is its own reproducer)."""
        lines = [f"# {self.label}"] if self.label else []
        lines += [f"# it meets the known bug situation: {s}" for s in sorted(self.situations)]
        lines.append(PRELUDE)
        for name, leaf in self.inputs.items():
            if self.kind == "value":
                lines.append(f"{name} = Value({leaf.source()})")
            else:
                lines.append(f"{name} = Tensor({leaf.source()}, requires_grad=True)")
        lines += [step.source() for step in self.steps]
        lines.append(f"{self.loss}.backward({self.seed.source() if self.seed else ''})")
        return "\n".join(lines)

    def ops(self) -> list[str]:
        return [step.op for step in self.steps]


PRELUDE = ("import numpy as np\nimport autodiff\nfrom autodiff import Tensor, Value\n"
           "from nn import activations, losses")


def array_source(a: np.ndarray) -> str:
    """``np.array([...])`` that rebuilds ``a`` exactly (Python's float repr round-trips)."""
    dtype = "" if a.dtype in (np.float64, np.int64, np.bool_) else f", dtype=np.{a.dtype}"
    values = _NON_FINITE.sub(r"np.\1", repr(a.tolist()))
    return f"np.array({values}{dtype})"


_NON_FINITE = re.compile(r"(?<![\w.])(inf|nan)\b")


def param_source(v: Any) -> str:
    if isinstance(v, np.ndarray):
        return array_source(v)
    if isinstance(v, Index):
        return v.source()
    return repr(v)


def _args_source(a: Any) -> str:
    if isinstance(a, tuple):
        return "[" + ", ".join(_args_source(x) for x in a) + "]"
    return a if isinstance(a, str) else param_source(a)


@dataclass(frozen=True)
class Index:
    """A numpy index (ints, slices, None, Ellipsis, int or bool arrays, or a tuple of these) and
    how it is handed to ``__getitem__``: as is, as a Python list, or wrapped in a Tensor."""

    key: Any
    wrap: str = ""  # "", "list", "tensor"

    def ours(self) -> Any:
        if self.wrap == "list":
            return self.key.tolist()
        if self.wrap == "tensor":
            return Tensor(self.key, dtype=self.key.dtype)  # Tensor() alone would make floats of them
        return self.key

    def source(self) -> str:
        if self.wrap == "list":
            return repr(self.key.tolist())
        if self.wrap == "tensor":
            return f"Tensor({array_source(self.key)}, dtype=np.{self.key.dtype})"
        items = self.key if isinstance(self.key, tuple) else (self.key,)
        text = ", ".join(_index_item_source(i) for i in items)
        return text + "," if isinstance(self.key, tuple) and len(items) == 1 else text


def _index_item_source(i: Any) -> str:
    if isinstance(i, slice):
        parts = ["" if p is None else str(p) for p in (i.start, i.stop, i.step)]
        return ":".join(parts[:2]) + (f":{parts[2]}" if i.step is not None else "")
    if i is Ellipsis:
        return "..."
    if isinstance(i, np.ndarray):
        return array_source(i)
    return repr(i)


# --- running a program ---------------------------------------------------------------------------
@dataclass
class Trace:
    """Every node's value and gradient (numpy arrays; a gradient that never arrived is zeros), the
    inputs' gradients after a second ``backward()`` (they accumulate: twice the first), or the
    error that stopped the run and the step it came from (None: a backward pass)."""

    values: dict[str, np.ndarray] = field(default_factory=dict)
    grads: dict[str, np.ndarray] = field(default_factory=dict)
    twice: dict[str, np.ndarray] = field(default_factory=dict)
    constants: set[str] = field(default_factory=set)  # nodes no input reaches (e.g. after step)
    error: BaseException | None = None
    error_step: int | None = None


def _resolve(arg: Any, env: dict) -> Any:
    if isinstance(arg, tuple):
        return [_resolve(a, env) for a in arg]
    return env[arg] if isinstance(arg, str) else arg


def _bind(step: Step, result: Any, env: dict) -> None:
    if len(step.outs) == 1:
        env[step.outs[0]] = result
    else:
        env.update(zip(step.outs, result, strict=True))


def _as_array(x: Any) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().numpy().copy()
    return np.array(x, dtype=np.float64)


def _leaf_grads(program: Program, env: dict) -> dict[str, np.ndarray]:
    return {name: np.zeros(np.shape(env[name].data)) if env[name].grad is None else _as_array(env[name].grad)
            for name in program.inputs}


def run_ours(program: Program) -> Trace:
    """Run the program on autodiff and backpropagate from its loss, twice."""
    env: dict[str, Any] = {}
    for name, leaf in program.inputs.items():
        env[name] = Value(float(leaf.data)) if program.kind == "value" else Tensor(leaf.array(), requires_grad=True)
    trace = Trace()
    for i, step in enumerate(program.steps):
        try:
            _bind(step, OPS[step.op].ours(*(_resolve(a, env) for a in step.args), **step.params), env)
        except Exception as e:  # noqa: BLE001 - any error is a finding, reported with its step
            trace.error, trace.error_step = e, i
            return trace
    seed = () if program.seed is None else (program.seed.array(),)
    try:
        env[program.loss].backward(*seed)
    except Exception as e:  # noqa: BLE001
        trace.error = e
        return trace
    for name, node in env.items():
        trace.values[name] = _as_array(node.data)
        trace.grads[name] = np.zeros_like(trace.values[name]) if node.grad is None else _as_array(node.grad)
    with warnings.catch_warnings():  # the second pass is meant: it checks that leaves accumulate
        warnings.simplefilter("ignore", autodiff.RepeatedBackwardWarning)
        env[program.loss].backward(*seed)
    trace.twice = _leaf_grads(program, env)
    return trace


def run_torch(program: Program, overrides: Mapping[str, Callable] | None = None) -> Trace:
    """Run the program in PyTorch float64 (an op's torch rule replaced by ``overrides[op]`` if given)."""
    overrides = overrides or {}
    env: dict[str, Any] = {name: torch.tensor(leaf.data, dtype=F64, requires_grad=True)
                           for name, leaf in program.inputs.items()}
    for step in program.steps:
        fn = overrides.get(step.op, OPS[step.op].torch)
        _bind(step, fn(*(_resolve(a, env) for a in step.args), **step.params), env)
        for out in step.outs:
            if env[out].requires_grad and env[out].grad_fn is not None:
                env[out].retain_grad()
    loss = env[program.loss]
    trace = Trace(constants={name for name, t in env.items() if not t.requires_grad})
    if loss.requires_grad:
        loss.backward(None if program.seed is None else torch.tensor(program.seed.data, dtype=F64))
    trace.values = {name: _as_array(t) for name, t in env.items()}
    trace.grads = {name: np.zeros(t.shape) if t.grad is None else _as_array(t.grad) for name, t in env.items()}
    # not a second torch backward: torch 2.13 itself can over-accumulate there (leaves whose first
    # grads share one buffer, e.g. after stack(...).sum(), add into each other); twice is 2×, exactly
    trace.twice = {name: 2 * trace.grads[name] for name in program.inputs}
    return trace


def forward_torch(step: Step, env: dict, overrides: Mapping[str, Callable] | None = None) -> Any:
    """One step's torch value(s) (no graph), for a generator that chooses operands by value."""
    fn = (overrides or {}).get(step.op, OPS[step.op].torch)
    with torch.no_grad():
        return fn(*(_resolve(a, env) for a in step.args), **step.params)


# --- comparing -----------------------------------------------------------------------------------
TOLERANCE = 1e-10


def agree(ours: np.ndarray, ref: np.ndarray, tol: float = TOLERANCE, noise: Any = 0.0) -> bool:
    """Same shape; NaN and ±inf in the same places; finite entries within tol·max(1, max |ref|),
    plus ``noise`` (per entry: how much the reference itself moves when its inputs move in the
    last bit)."""
    ours, ref = np.asarray(ours, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    if ours.shape != ref.shape:
        return False
    finite = np.isfinite(ref)
    if not np.array_equal(np.isnan(ours), np.isnan(ref)):
        return False
    if not np.array_equal(np.where(np.isinf(ours), ours, 0.0), np.where(np.isinf(ref), ref, 0.0)):
        return False
    if not finite.any():
        return True
    scale = max(1.0, float(np.abs(ref[finite]).max()))
    allowed = tol * scale + np.broadcast_to(noise, ref.shape)[finite]
    return bool(np.all(np.abs(ours[finite] - ref[finite]) <= allowed))


def reference_noise(program: Program, overrides: Mapping[str, Callable] | None, ref: Trace,
                    trials: int = 3, factor: float = 10.0) -> Trace:
    """``factor`` × the largest change of each torch value and gradient when every input moves by
    a few units in the last place: what an ill-conditioned program (x/x, a long cancellation, cos of
    a large number) does to rounding. Zeros stay zero, and so do ties between copies of one value."""
    rng = np.random.default_rng(0)
    noise = Trace({n: np.zeros_like(v) for n, v in ref.values.items()},
                  {n: np.zeros_like(g) for n, g in ref.grads.items()})
    for _ in range(trials):
        nudged = {n: Leaf(leaf.data * (1 + rng.choice([-4, -2, 2, 4], size=leaf.data.shape) * 2.0**-53),
                          leaf.layout) for n, leaf in program.inputs.items()}
        other = run_torch(replace(program, inputs=nudged), overrides)
        for mine, theirs, base in ((noise.values, other.values, ref.values), (noise.grads, other.grads, ref.grads)):
            for n in mine:
                moved = np.abs(np.asarray(theirs[n], dtype=np.float64) - base[n])
                mine[n] = np.fmax(mine[n], np.where(np.isnan(moved), np.inf, moved) * factor)
    noise.twice = {n: 2 * noise.grads[n] for n in program.inputs}
    return noise


@dataclass
class Mismatch:
    """The first disagreement: ``kind`` is "error", "value", "gradient" or "second backward" (the
    gradients accumulated by calling backward twice); ``node`` the node whose
    value or gradient differs; ``suspects`` the ops that must have caused it."""

    kind: str
    node: str
    suspects: tuple[str, ...]
    ours: Any
    torch: Any

    def category(self) -> str:
        return f"{self.kind} @ {'/'.join(self.suspects)}"

    def describe(self, program: Program) -> str:
        with np.printoptions(precision=17, threshold=60, linewidth=100):
            return (f"{self.kind} of {self.node} differs (suspect op: {', '.join(self.suspects)})\n"
                    f"  ours : {self.ours!r}\n  torch: {self.torch!r}\n"
                    f"program:\n{program.source()}")


def _consumers(program: Program, name: str) -> tuple[str, ...]:
    return tuple(sorted({s.op for s in program.steps if name in node_names(s.args)}))


def node_names(args: Any) -> list[str]:
    """The node names in a step's (nested) args, in order, repeats kept."""
    out = []
    for a in args:
        out += node_names(a) if isinstance(a, tuple) else [a] if isinstance(a, str) else []
    return out


def compare(program: Program, overrides: Mapping[str, Callable] | None = None, tol: float = TOLERANCE,
            ill_conditioned_ok: bool = False) -> Mismatch | None:
    """None if our values and gradients agree with torch's at every node, else the first mismatch:
    the earliest value that differs, else the latest gradient (backward runs from the end, so the
    ops consuming that node are where the wrong contribution came from). With
    ``ill_conditioned_ok``, a difference that torch's own answer shows when the inputs move in the
    last bit is not one (``reference_noise``); never for inputs placed exactly at kinks, which
    such a move would push off them."""
    ref = run_torch(program, overrides)
    ours = run_ours(program)
    if ours.error is not None:
        step = program.steps[ours.error_step] if ours.error_step is not None else None
        where = step.outs[0] if step else program.loss
        return Mismatch("error", where, (step.op if step else "backward",),
                        f"{type(ours.error).__name__}: {ours.error}", "no error")
    found = _first_mismatch(program, ours, ref, tol, None)
    if found is None or not ill_conditioned_ok:
        return found
    return _first_mismatch(program, ours, ref, tol, reference_noise(program, overrides, ref))


def _first_mismatch(program: Program, ours: Trace, ref: Trace, tol: float, noise: Trace | None) -> Mismatch | None:
    def close(table: str, name: str) -> bool:
        slack = 0.0 if noise is None else getattr(noise, table)[name]
        return agree(getattr(ours, table)[name], getattr(ref, table)[name], tol, slack)

    for step in program.steps:
        for out in step.outs:
            if not close("values", out):
                return Mismatch("value", out, (step.op,), ours.values[out], ref.values[out])
    names = list(program.inputs) + [o for s in program.steps for o in s.outs]
    for name in reversed(names):
        if name not in ref.constants and not close("grads", name):
            return Mismatch("gradient", name, _consumers(program, name), ours.grads[name], ref.grads[name])
    for name in program.inputs:
        if not close("twice", name):
            return Mismatch("second backward", name, _consumers(program, name), ours.twice[name], ref.twice[name])
    return None
