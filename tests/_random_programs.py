"""Random programs for the differential test against PyTorch: a seed in, a ``Program`` out.

``random_program(kind, seed, inputs, avoid, overrides)`` grows a program over Values (kind
"value") or Tensors ("tensor") with a ``Builder``: 1–3 inputs, 3–12 steps, each chosen by a
*maker* below that picks an op, operands that fit it and its parameters. Inputs come from one of
three distributions: ``smooth`` (numbers of order 1), ``kinks`` (exact zeros, ties and clip
bounds: dyadic values from ``KINK_VALUES``) and ``wide`` (magnitudes from 10⁻³ to 10³).

Nodes are reused at random (shared subexpressions; ``maximum(v, v)`` is a tie), inputs come in
non-contiguous layouts, and the program ends in a loss that weights every unused node by a random
constant, so that every output element reaches the inputs with its own weight.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping

import numpy as np
from _program_builder import (
    MAX_SIZE,
    NEAR,
    SHAPES,
    Builder,
    all_entries,
    dyadic,
    moderate,
    nonzero,
    positive,
    probability,
)
from _programs import Index, Program


# --- makers shared by Value and Tensor programs --------------------------------------------------
def make_unary(b: Builder) -> str | None:
    """exp log sqrt sin cos tanh sigmoid relu abs neg, as a method or as autodiff.f(x)."""
    name = b.choice(["exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "abs", "neg"])
    if name == "log":
        x = b.operand(positive, b.choice(SHAPES), "positive")
    elif name == "sqrt":
        x = _sqrt_operand(b)
    elif name == "exp":
        x = b.operand(all_entries(lambda v: v <= 20), b.choice(SHAPES), "small")
    elif name in ("sin", "cos"):  # of a large x, the last-bit difference in x is repeated ×|x|
        x = b.operand(all_entries(lambda v: np.abs(v) <= 100), b.choice(SHAPES), "small")
    else:
        x = b.pick_at_kink(lambda v: v == 0) if name in ("relu", "abs") else b.pick()
        if name in ("relu", "abs") and not b.clear_of(x, 0.0):
            return None
    styles = {"abs": ["abs", "abs()", "autodiff.abs"], "neg": ["neg"]}.get(name, [name, f"autodiff.{name}"])
    return b.emit(b.choice(styles), x)


def _sqrt_operand(b: Builder) -> str | None:
    if b.kinks and "zero_times_nan_or_inf" not in b.avoid:
        x = b.operand(all_entries(lambda v: v >= 0), b.choice(SHAPES), "probability")
        b.allows("zero_times_nan_or_inf", bool(np.any(b.values[x] == 0)))
        return x
    return b.operand(positive, b.choice(SHAPES), "positive")


def make_activation(b: Builder) -> str | None:
    """leaky_relu(α), elu(α), step, clip(lo, hi): the kinked activations."""
    name = b.choice(["leaky_relu", "elu", "step", "clip", "autodiff.clip"])
    x = b.pick_at_kink(lambda v: v == 0)
    if name in ("leaky_relu", "elu", "step"):
        if not b.clear_of(x, 0.0):
            return None
        if name == "step":
            return b.emit("step", x)
        alphas = [0.01, 0.2, 0.5] if name == "leaky_relu" else [1.0, 0.5, 2.0]
        return b.emit(name, x, alpha=b.choice(alphas))
    lo, hi = sorted([b.constant_like(x), b.constant_like(x)])
    lo, hi = b.choice([(lo, hi), (None, hi), (lo, None), (lo, lo)])
    if b.kind == "tensor" and b.coin(0.25):
        lo, hi = _array_bounds(b, x)
    bounds = [c for c in (lo, hi) if c is not None]
    if not bounds or not b.clear_of(x, *bounds):
        return None
    return b.emit(name, x, lo=lo, hi=hi)


def _array_bounds(b: Builder, x: str) -> tuple:
    """Bounds that broadcast against x (lo ≤ hi everywhere), e.g. one per column."""
    shape = _partner_shape(b, b.values[x].shape)
    a, c = b.draw(shape), b.draw(shape)
    return np.minimum(a, c), np.maximum(a, c)


def make_with_constant(b: Builder) -> str | None:
    """x ∘ c and c ∘ x for + − × ÷, x ** n and c ** x, with c a number (or an array that broadcasts)."""
    ops = ["add_c", "radd_c", "sub_c", "rsub_c", "mul_c", "rmul_c", "div_c", "rdiv_c", "pow_n", "rpow_c"]
    op = b.choice(ops + (["maximum_c", "minimum_c", "pow_c"] if b.kind == "tensor" else []))
    if op == "pow_n":
        return _power(b)
    if op == "pow_c":  # x ** array
        x = b.operand(positive, b.choice(SHAPES), "positive")
        return b.emit(op, x, c=b.draw(_partner_shape(b, b.values[x].shape), "small"))
    if op == "rdiv_c":
        x = b.operand(nonzero, b.choice(SHAPES), "nonzero")
    elif op == "rpow_c":
        x = b.operand(moderate, b.choice(SHAPES), "small")
    else:
        x = b.pick()
    domain = "nonzero" if op == "div_c" else "positive" if op == "rpow_c" else "any"
    if b.kind == "tensor" and b.coin(0.3):
        c = b.draw(_partner_shape(b, b.values[x].shape), domain)
    else:
        c = b.constant_like(x, domain)
    if op in ("maximum_c", "minimum_c") and not b.clear_of(x, *np.ravel(c)):
        return None
    return b.emit(op, x, c=c)


POWERS = {0.0: lambda v: True, 1.0: lambda v: True, 2.0: lambda v: True, 3.0: moderate,
          -1.0: nonzero, -2.0: nonzero, 0.5: positive, 1.5: all_entries(lambda v: v >= 0)}


def _power(b: Builder) -> str | None:
    n = b.choice(list(POWERS))
    x = b.pick(POWERS[n])
    if x is None:
        return None
    if n == 1.5 and not b.clear_of(x, 0.0) and np.any(b.values[x] == 0):
        return None
    return b.emit("pow_n", x, n=n)


def make_arithmetic(b: Builder) -> str | None:
    """a ∘ b between two nodes (possibly the same one) for + − × ÷ **, and maximum/minimum (Tensor)."""
    ops = ["add", "sub", "mul", "div", "pow"] + (["maximum", "minimum"] if b.kind == "tensor" else [])
    op = b.choice(ops)
    if op == "pow" and b.kinks and b.coin(0.5):
        return _integer_power(b)
    x = b.operand(positive, b.choice(SHAPES), "positive") if op == "pow" else b.pick()
    shape = b.values[x].shape
    fits = (lambda v: _broadcasts(v.shape, shape)) if b.kind == "tensor" else (lambda v: True)
    partner = _partner_shape(b, shape) if b.kind == "tensor" else ()
    if op == "div":
        y = b.operand(lambda v: fits(v) and nonzero(v), partner, "nonzero")
    elif op == "pow":
        y = b.operand(lambda v: fits(v) and moderate(v), partner, "small")
    elif op in ("maximum", "minimum") and b.kinks and b.exact[x] and b.coin(0.5):
        y = b.pick(lambda v: fits(v) and bool(np.any(np.broadcast_arrays(v, b.values[x])[0] == b.values[x])),
                   exact=True) or x
    else:
        y = x if b.coin(0.3) else b.operand(fits, partner)
    if op in ("maximum", "minimum") and x != y and not (b.exact[x] and b.exact[y]):
        if np.any(np.abs(b.values[x] - b.values[y]) <= NEAR):
            return None
    return b.emit(op, x, y)


def _integer_power(b: Builder) -> str | None:
    """x ** y with y ∈ {1, 2, 3}: bases at 0 (∂/∂y = 0 there), and negative ones (∂/∂y is NaN)."""
    x = b.pick_at_kink(lambda v: v <= 0)
    if not b.allows("zero_times_nan_or_inf", bool(np.any(b.values[x] < 0))):
        return None
    shape = b.values[x].shape
    fits = (lambda v: _broadcasts(v.shape, shape)) if b.kind == "tensor" else (lambda v: True)
    whole = all_entries(lambda v: np.isin(v, (1.0, 2.0, 3.0)))
    y = b.operand(lambda v: fits(v) and whole(v), _partner_shape(b, shape) if b.kind == "tensor" else (), "exponent")
    return b.emit("pow", x, y)


# --- shapes ----------------------------------------------------------------------------------------
def _broadcasts(a: tuple, b: tuple) -> bool:
    try:
        return math.prod(np.broadcast_shapes(a, b)) <= MAX_SIZE
    except ValueError:
        return False


def _partner_shape(b: Builder, shape: tuple) -> tuple:
    """A shape that broadcasts with ``shape``: itself, a suffix, some axes set to 1, or one more axis."""
    kind = b.choice(["same", "suffix", "ones", "extra"])
    if kind == "suffix":
        return shape[b.integer(0, len(shape)):]
    if kind == "ones":
        return tuple(1 if b.coin(0.5) else n for n in shape)
    if kind == "extra" and len(shape) < 3:
        return (2,) + shape
    return shape


# --- losses: predictions and the targets that go with them -----------------------------------------
LOSSES = ["mse", "rss", "binary_cross_entropy", "bce_with_logits", "cross_entropy_from_probabilities",
          "cross_entropy_with_logits", "hinge"]
CLASS_LOSSES = {"cross_entropy_from_probabilities", "cross_entropy_with_logits", "softmax_cross_entropy"}


def _class_target(b: Builder, shape: tuple) -> np.ndarray:
    """Labels of shape[:-1] in 0..K−1, or per-class weights of ``shape``: one-hot, or probabilities."""
    k = shape[-1]
    kind = b.choice(["labels", "labels", "onehot", "probabilities"])
    if kind == "labels":
        return b.rng.integers(0, k, size=shape[:-1])
    if kind == "onehot":
        return np.eye(k)[b.rng.integers(0, k, size=shape[:-1])]
    w = b.rng.choice([0.0, 0.25, 0.5, 1.0], size=shape) if b.kinks else b.rng.uniform(size=shape)
    return w / np.maximum(w.sum(axis=-1, keepdims=True), 1e-12)


def _elementwise_target(b: Builder, loss: str, shape: tuple) -> np.ndarray:
    if loss == "hinge":
        return b.rng.choice([-1.0, 1.0], size=shape)
    if loss in ("binary_cross_entropy", "bce_with_logits"):
        return b.rng.choice([0.0, 0.5, 1.0], size=shape) if b.kinks else b.rng.uniform(size=shape)
    return b.draw(shape)


def _column_or_flat(b: Builder, target: np.ndarray) -> np.ndarray:
    """Sometimes (N,) targets for (N, 1) predictions or the other way round: the losses accept both."""
    if target.ndim == 1 and b.coin(0.3):
        return target.reshape(-1, 1)
    if target.ndim == 2 and target.shape[1] == 1 and b.coin(0.5):
        return target.reshape(-1)
    return target


def loss_params(b: Builder, loss: str, shape: tuple) -> dict:
    """The target and options of one loss on predictions of ``shape``."""
    reduction = b.choice(["mean", "sum"])
    if loss in CLASS_LOSSES:
        target = _class_target(b, shape)
        params = {"target": target, "reduction": reduction}
        return params | ({"eps": b.choice([1e-12, 0.01])} if loss == "cross_entropy_from_probabilities" else {})
    target = _column_or_flat(b, _elementwise_target(b, loss, shape))
    if loss == "mse":
        return {"target": target, "half": b.coin(0.5), "mean_over": b.choice(["all", "samples"])}
    if loss == "rss":
        return {"target": target, "half": b.coin(0.5)}
    if loss == "binary_cross_entropy":
        return {"target": target, "eps": b.choice([1e-12, 0.01]), "reduction": reduction}
    if loss == "hinge":
        return {"target": target, "margin": b.choice([1.0, 0.5]), "reduction": reduction}
    return {"target": target, "reduction": reduction}


def _prediction_check(b: Builder, loss: str) -> Callable[[np.ndarray], bool]:
    if loss in ("binary_cross_entropy", "cross_entropy_from_probabilities"):
        return probability
    return lambda v: True


def aim_hinge_at_margin(b: Builder, names: list[str], params: dict) -> None:
    """In the kink distribution, labels y = sign(s) and a margin equal to some |s|, so that
    y·s = margin exactly for some entries (hinge's kink); only exact entries take part."""
    shape = params["target"].shape
    s = np.array([b.values[n] for n in names], dtype=np.float64).reshape(shape)
    exact = np.array([np.full(b.values[n].shape, b.exact[n]) for n in names]).reshape(shape)
    usable = exact & (s != 0)
    if not (b.kinks and usable.any()):
        return
    params["target"] = np.where(usable, np.sign(s), params["target"])
    params["margin"] = float(np.abs(b.choice(s[usable].ravel())))


def _kinks_ok(b: Builder, loss: str, names: list[str], params: dict) -> bool:
    """Refuse a loss whose inexact predictions sit next to its kink (hinge at y·s = margin, the
    probability clamps), or that would meet a known bug the caller asked to avoid."""
    if loss == "hinge":
        return all(b.clear_of(n, params["margin"], -params["margin"]) for n in names)
    if loss in ("binary_cross_entropy", "cross_entropy_from_probabilities"):
        eps = params["eps"]
        return all(b.clear_of(n, eps, 1 - eps) for n in names)
    if loss == "bce_with_logits":
        return b.allows("bce_with_logits_at_zero", not all(b.clear_of(n, 0.0) and np.all(b.values[n] != 0)
                                                           for n in names))
    return True


# --- Value programs ----------------------------------------------------------------------------------
def make_value_sum(b: Builder) -> str | None:
    """Value.sum of 1–5 nodes, repeats allowed, sometimes with a plain number among them."""
    items = [b.pick() for _ in range(b.integer(1, 5))]
    if b.coin(0.3):
        items.insert(b.integer(0, len(items)), b.constant_like(items[0]))
    return b.emit("Value.sum", tuple(items))


def make_value_dot(b: Builder) -> str | None:
    """Value.dot(ws, xs[, bias]) with 1–4 terms; a weight may be an input too (shared)."""
    k = b.integer(1, 4)
    ws, xs = tuple(b.pick() for _ in range(k)), tuple(b.pick() for _ in range(k))
    variant = b.choice(["Value.dot", "Value.dot+b", "Value.dot+c"])
    if variant == "Value.dot+b":
        return b.emit(variant, ws, xs, b.pick())
    if variant == "Value.dot+c":
        return b.emit(variant, ws, xs, c=b.constant_like(xs[0]))
    return b.emit(variant, ws, xs)


def make_value_softmax(b: Builder) -> str | None:
    """nn.activations.softmax / log_softmax of 2–4 Values: a step with one output per input."""
    items = tuple(b.pick() for _ in range(b.integer(2, 4)))
    outs = b.emit_many(b.choice(["softmax_list", "log_softmax_list"]), items, n_out=len(items))
    return None if outs is None else outs[0]


def make_value_loss(b: Builder) -> str | None:
    """An nn loss on a list of Values (one sample) or a nested list (a batch)."""
    loss = b.choice(LOSSES)
    n, k = b.integer(1, 3), b.integer(2, 3)
    shape = b.choice([(n,), (n, k), (n, 1), ()]) if loss not in CLASS_LOSSES else b.choice([(k,), (n, k)])
    ok = _prediction_check(b, loss)
    domain = "probability" if ok is probability else "any"
    grid = np.array([b.operand(ok, (), domain) for _ in range(math.prod(shape))], dtype=object).reshape(shape)
    params = loss_params(b, loss, shape)
    if loss == "hinge":
        aim_hinge_at_margin(b, list(grid.ravel()), params)
    if not _kinks_ok(b, loss, list(grid.ravel()), params):
        return None
    return b.emit(loss, _nested(grid), **params)


def _nested(grid: np.ndarray):
    """The args of a (nested) list of Values; a 0-d grid is one bare Value."""
    if grid.ndim == 0:
        return grid.item()
    return tuple(_nested(row) for row in grid) if grid.ndim > 1 else tuple(grid.tolist())


VALUE_MAKERS = [(make_arithmetic, 3), (make_with_constant, 3), (make_unary, 4), (make_activation, 3),
                (make_value_sum, 1), (make_value_dot, 1), (make_value_softmax, 0.7), (make_value_loss, 1)]


def probability_operand(b: Builder, x: str) -> str | None:
    """x itself if its values are probabilities, else σ(x), clip(x, 0, 1) or (Tensor) softmax(x)."""
    if probability(b.values[x]):
        return x
    adapters = ["sigmoid"] + (["clip"] if b.clear_of(x, 0.0, 1.0) else [])
    adapters += ["softmax"] if b.kind == "tensor" and b.values[x].ndim else []
    adapter = b.choice(adapters)
    if adapter == "clip":
        return b.emit("clip", x, lo=0.0, hi=1.0)
    return b.emit(adapter, x, axis=-1) if adapter == "softmax" else b.emit(adapter, x)


# --- Tensor programs ---------------------------------------------------------------------------------
def make_matmul(b: Builder) -> str | None:
    """x @ y for 1-D, 2-D and batched (3-D, broadcasting batch) operands; y may be x.T (shared)."""
    x = b.pick(lambda v: 1 <= v.ndim <= 3)
    if x is None:
        return None
    k = b.values[x].shape[-1]
    shapes = [(k,), (k, b.integer(1, 4)), (b.choice([1, 2]), k, b.integer(1, 3))]
    if b.values[x].ndim == 2 and b.coin(0.3):
        y = b.emit("T", x)
    else:
        shape = b.choice(shapes)
        y = b.operand(lambda v: v.shape == shape, shape)
    if y is None or not _matmul_fits(b.values[x].shape, b.values[y].shape):
        return None
    variant = b.choice(["matmul", "matmul", "matmul_c", "rmatmul_c"])
    if variant == "matmul_c":
        return b.emit(variant, x, c=b.draw(b.values[y].shape))
    if variant == "rmatmul_c":  # c @ y with c shaped like x
        return b.emit(variant, y, c=b.draw(b.values[x].shape))
    return b.emit(variant, x, y)


def _matmul_fits(a: tuple, c: tuple) -> bool:
    try:
        np.zeros(a) @ np.zeros(c)
        return True
    except ValueError:
        return False


def make_affine(b: Builder) -> str | None:
    """autodiff.affine(x, W, b) = x @ W + b, with b of shape (m,), (1, m) or (n, m), or no b."""
    x = b.pick(lambda v: v.ndim in (1, 2, 3))
    if x is None:
        return None
    xs = b.values[x].shape
    m = b.integer(1, 4)
    w = b.operand(lambda v: v.shape == (xs[-1], m), (xs[-1], m))
    bias_shapes = [(m,), (1, m)] + ([(xs[-2], m)] if len(xs) >= 2 else [])
    if b.coin(0.2):
        return b.emit("affine_nobias", x, w)
    shape = b.choice(bias_shapes)
    if not b.allows("affine_bias_widens", len(shape) > len(xs)):
        return None
    return b.emit("affine", x, w, b.operand(lambda v: v.shape == shape, shape))


def make_reshape(b: Builder) -> str | None:
    """x.T, x.transpose(axes) (negative axes too), x.reshape(shape) (with −1), x.flatten()."""
    x = b.pick()
    shape = b.values[x].shape
    op = b.choice(["T", "transpose", "reshape", "flatten"])
    if op == "transpose":
        if len(shape) < 2:
            return None
        axes = tuple(int(a) - (len(shape) if b.coin(0.3) else 0) for a in b.rng.permutation(len(shape)))
        return b.emit(op, x, axes=axes)
    if op == "reshape":
        return b.emit(op, x, shape=_new_shape(b, math.prod(shape)))
    return b.emit(op, x)


def _new_shape(b: Builder, size: int) -> tuple:
    divisors = [d for d in range(1, size + 1) if size % d == 0]
    d = b.choice(divisors)
    options = [(size,), (-1,), (d, size // d), (d, -1), (1, size), (size, 1), (d, 1, size // d)]
    return b.choice(options)


def make_getitem(b: Builder) -> str | None:
    """x[index]: basic slices (negative steps too), ints, None, ..., int arrays with repeats, boolean
    masks, and mixtures; given as a tuple, a list or a Tensor."""
    x = b.pick(lambda v: v.ndim >= 1)
    if x is None:
        return None
    if b.coin(0.15):  # a mask made from the node itself: x[x > c]
        c = b.constant_like(x)
        return b.emit("getitem_where", x, c=c) if b.clear_of(x, c) else None
    return b.emit("getitem", x, index=random_index(b, b.values[x].shape))


def random_index(b: Builder, shape: tuple) -> Index:
    kind = b.choice(["basic", "ints", "mask", "mixed"])
    n0 = shape[0]
    if kind == "ints":
        key = b.rng.integers(-n0, n0, size=b.choice([(b.integer(1, 5),), (2, 2)]))
        return Index(key, b.choice(["", "list", "tensor"]))
    if kind == "mask":
        whole = b.coin(0.5)
        mask = b.rng.random(size=shape if whole else (n0,)) < 0.6
        return Index(mask, b.choice(["", "tensor"]))
    if kind == "mixed" and len(shape) >= 2:
        arrays = [b.rng.integers(-shape[1], shape[1], size=b.integer(1, 4)), b.rng.random(shape[1]) < 0.6]
        return Index((_random_slice(b, n0), b.choice(arrays)) if b.coin(0.5) else
                     (b.rng.integers(-n0, n0, size=2), b.rng.integers(-shape[1], shape[1], size=2)))
    k = b.integer(1, len(shape))
    ellipsis = b.coin(0.2)  # then the items index the last k axes
    items = [_random_slice(b, n) if b.coin(0.7) else b.integer(-n, n - 1)
             for n in (shape[-k:] if ellipsis else shape[:k])]
    if b.coin(0.2):
        items.insert(b.integer(0, len(items)), None)
    items = [Ellipsis] + items if ellipsis else items
    return Index(tuple(items) if len(items) != 1 or b.coin(0.5) else items[0])


def _random_slice(b: Builder, n: int) -> slice:
    step = b.choice([None, 1, 2, -1, -2])
    start = b.choice([None, b.integer(-n, n - 1)])
    stop = b.choice([None, b.integer(-n - 1, n)])
    return slice(start, stop, step)


def make_join(b: Builder) -> str | None:
    """concatenate along an existing axis or stack along a new one; x may appear several times, and
    a part may be a constant array."""
    x = b.pick(lambda v: v.ndim >= 1)
    if x is None:
        return None
    shape = b.values[x].shape
    parts = [x]
    stack = b.coin(0.4)
    axis = b.integer(-len(shape) - stack, len(shape) - 1 + stack)
    for _ in range(b.integer(0, 2)):
        if b.coin(0.3):
            parts.append(x)
            continue
        if stack:
            part_shape = shape
        else:
            part_shape = tuple(b.integer(1, 3) if i == axis % len(shape) else n for i, n in enumerate(shape))
        fits = (lambda v: v.shape == part_shape) if stack else \
            (lambda v: v.ndim == len(shape) and all(m == n for i, (m, n) in enumerate(zip(v.shape, shape))
                                                    if i != axis % len(shape)))
        parts.append(b.draw(part_shape) if b.coin(0.15) else b.operand(fits, part_shape))
    return b.emit("stack" if stack else "concatenate", tuple(parts), axis=axis)


def make_reduction(b: Builder) -> str | None:
    """sum mean max min var std over None, an axis (negative too) or two axes, keepdims or not."""
    op = b.choice(["sum", "mean", "max", "min", "var", "std"])
    x = b.pick_at_kink(lambda v: np.unique(v).size < v.size) if op in ("max", "min") else b.pick()
    v = b.values[x]
    axis = _random_axes(b, v.ndim, none_at_all=op in ("sum", "mean", "max", "min"))
    params = {"axis": axis, "keepdims": b.coin(0.4)}
    if op in ("max", "min") and not _ties_ok(b, x, axis):
        return None
    if op in ("var", "std"):
        params["ddof"] = b.choice([0, 1])
        if not _spread_ok(b, x, axis, op, params["ddof"]):
            return None
    return b.emit(op, x, **params)


def _random_axes(b: Builder, ndim: int, none_at_all: bool = False):
    """None (every axis), one axis, two axes (negative ones too), or — if allowed — ``()``."""
    if ndim == 0:
        return None
    if none_at_all and b.coin(0.05):
        return ()
    options = [None, b.integer(-ndim, ndim - 1)]
    if ndim >= 2:
        two = sorted(b.rng.choice(ndim, size=2, replace=False).tolist())
        options.append(tuple(int(a) - (ndim if b.coin(0.3) else 0) for a in two))
    return b.choice(options)


def _reduced(v: np.ndarray, axis) -> tuple:
    return tuple(range(v.ndim)) if axis is None else tuple(a % v.ndim for a in (axis if isinstance(axis, tuple) else (axis,)))


def _ties_ok(b: Builder, x: str, axis) -> bool:
    """An exact node may tie (that is the point); an inexact one must not even come NEAR a tie:
    entries equal in torch may differ in the last bit here (log_softmax of [−1, 0] and of [1, 2])."""
    if b.exact[x]:
        return True
    v = b.values[x]
    axes = _reduced(v, axis)
    top, bottom = v.max(axis=axes, keepdims=True), v.min(axis=axes, keepdims=True)
    return bool(np.all((top - v <= NEAR).sum(axis=axes) == 1) and np.all((v - bottom <= NEAR).sum(axis=axes) == 1))


def _spread_ok(b: Builder, x: str, axis, op: str, ddof: int) -> bool:
    """var/std need n > ddof; std also needs slices that are clearly not constant (its slope
    1/(2·std) blows up) unless exactly constant, exact, and that case is not being avoided."""
    v = b.values[x]
    axes = _reduced(v, axis)
    if math.prod(v.shape[a] for a in axes) <= ddof:
        return False
    if op == "var":
        return True
    spread = v.var(axis=axes)
    constant = v.max(axis=axes) == v.min(axis=axes)
    if not np.all((spread >= 1e-6) | constant) or not b.exact[x] or not dyadic(v):
        return bool(np.all(spread >= 1e-6))
    return b.allows("std_of_constant_slice", bool(np.any(constant)))


def make_softmax(b: Builder) -> str | None:
    """softmax, log_softmax along an axis; logsumexp along an axis or two, keepdims or not."""
    x = b.pick(lambda v: v.ndim >= 1)
    if x is None:
        return None
    ndim = b.values[x].ndim
    op = b.choice(["softmax", "log_softmax", "logsumexp"])
    axis = b.integer(-ndim, ndim - 1) if b.coin(0.6) else _random_axes(b, ndim)
    if op == "logsumexp":
        return b.emit(op, x, axis=axis, keepdims=b.coin(0.4))
    return b.emit(op, x, axis=axis)


def make_tensor_loss(b: Builder) -> str | None:
    """An nn loss or autodiff.softmax_cross_entropy on a Tensor."""
    loss = b.choice(LOSSES + ["softmax_cross_entropy"] * 2)
    x = b.pick(lambda v: loss not in CLASS_LOSSES or (v.ndim >= 1 and v.shape[-1] >= 2))
    if x is None:
        return None
    maybe_non_contiguous = b.values[x].ndim >= 3 and not (x in b.inputs and b.inputs[x].layout == "C")
    if loss in CLASS_LOSSES - {"cross_entropy_from_probabilities"} and not b.allows("sce_noncontiguous_3d", maybe_non_contiguous):
        return None
    if _prediction_check(b, loss) is probability:
        x = probability_operand(b, x)
        if x is None:
            return None
    params = loss_params(b, loss, b.values[x].shape)
    if loss == "softmax_cross_entropy" and params["target"].dtype.kind == "i" and b.coin(0.3):
        params["target"] = params["target"].astype(b.choice([np.int32, np.uint8]))
    if loss == "hinge":
        aim_hinge_at_margin(b, [x], params)
    if not _kinks_ok(b, loss, [x], params):
        return None
    return b.emit(loss, x, **params)


def make_masked(b: Builder) -> str | None:
    """softmax, logsumexp, max or softmax_cross_entropy of logits with some entries −inf (a mask),
    every slice keeping at least one finite entry (and the labelled or weighted classes)."""
    x = b.pick(lambda v: v.ndim >= 1 and v.shape[-1] >= 2)
    if x is None:
        return None
    shape = b.values[x].shape
    op = b.choice(["masked_softmax", "masked_logsumexp", "masked_max", "masked_softmax_cross_entropy"])
    axis = -1 if op == "masked_softmax_cross_entropy" else b.integer(-len(shape), len(shape) - 1)
    keep = _one_per_slice(b, shape, axis)
    if op != "masked_softmax_cross_entropy":
        mask = np.where(keep | (b.rng.random(shape) < 0.6), 0.0, -np.inf)
        if op == "masked_max" and not _ties_ok(b, x, axis):
            return None
        return b.emit(op, x, mask=mask, axis=axis)
    params = loss_params(b, "softmax_cross_entropy", shape)
    target = params["target"]
    keep |= (target > 0) if target.dtype.kind == "f" else np.eye(shape[-1], dtype=bool)[target]
    mask = np.where(keep | (b.rng.random(shape) < 0.6), 0.0, -np.inf)
    return b.emit(op, x, mask=mask, **params)


def _one_per_slice(b: Builder, shape: tuple, axis: int) -> np.ndarray:
    """A boolean array of ``shape`` with exactly one True in every slice along ``axis``."""
    chosen = b.rng.integers(0, shape[axis], size=np.delete(shape, axis % len(shape)))
    return np.moveaxis(np.eye(shape[axis], dtype=bool)[chosen], -1, axis)


TENSOR_MAKERS = [(make_arithmetic, 3), (make_with_constant, 2), (make_unary, 3), (make_activation, 2),
                 (make_matmul, 1.5), (make_affine, 0.7), (make_reshape, 1.5), (make_getitem, 2),
                 (make_join, 1), (make_reduction, 2), (make_softmax, 1), (make_tensor_loss, 1.2),
                 (make_masked, 0.5)]


# --- whole programs ----------------------------------------------------------------------------------
def random_program(kind: str, seed: int, inputs: str = "smooth", avoid: Collection[str] = (),
                   overrides: Mapping[str, Callable] | None = None) -> Program:
    """A random program over Values (kind "value") or Tensors ("tensor") from ``seed``: 1–3
    inputs, 3–12 steps (refused steps are retried; one program in twenty has none), and a loss
    over every unused node. ``avoid``: AVOIDABLE situations to steer around; ``overrides``: torch
    rules replacing the catalogue's (the generator must see the values the comparison will)."""
    b = Builder(kind, seed, inputs, avoid, overrides or {})
    for _ in range(b.integer(1, 3)):
        b.new_input(b.choice(SHAPES[1:]) if kind == "tensor" else ())
    makers, weights = zip(*(VALUE_MAKERS if kind == "value" else TENSOR_MAKERS))
    p = np.array(weights) / sum(weights)
    target = b.integer(3, 12) if b.coin(0.95) else 0  # no step: the loss is one node over the inputs
    for _ in range(10 * target):
        if len(b.steps) >= target:
            break
        makers[int(b.rng.choice(len(makers), p=p))](b)
    label = f"{kind} program, seed {seed}, {inputs} inputs"
    return b.finish(label)
