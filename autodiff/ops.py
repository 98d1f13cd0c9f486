"""The op table: every elementwise primitive once — forward rule + local-derivative rule.

Each entry gives

* ``f(m, *xs, **params)``      the forward value y,
* ``df(m, y, *xs, **params)``  the local derivatives ∂y/∂x_i, one per input, as a tuple,

written against a numeric namespace ``m`` (``mathns.SCALAR`` for floats, ``mathns.ARRAY`` for
numpy arrays), so the same line serves ``Value`` and ``Tensor``. A ``Value`` stores ``df``'s
numbers on its edges at forward time; a ``Tensor`` turns them into vector-Jacobian products
(``g * ∂y/∂x``, summed back over broadcast axes). Adding an elementwise op = adding one entry.

Structural tensor ops (matmul, reductions, indexing, ...) are not elementwise; they live in
``tensor_ops.py`` with a vector-Jacobian rule instead of ``df``.

Subgradients chosen at non-smooth points: relu'(0) = 0, leaky_relu'(0) = α, elu'(0) = α,
step'(x) = 0 everywhere, abs'(0) = 0, and max/min split ties 50/50 (as PyTorch and HIPS
autograd do).

Selections (``selects=True``: relu, step, clip, maximum, minimum) pass the gradient to the
inputs they pick and an exact zero to the others, even when the incoming gradient is infinite:
their local derivatives come from ``m.select``/``m.share`` (see ``mathns``). Every other op
multiplies, as IEEE arithmetic does (0·∞ = NaN), like PyTorch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import mul

from .mathns import nan


@dataclass(frozen=True)
class Op:
    """One primitive: name, arity, forward rule, local-derivative rule and its formula."""

    name: str
    arity: int
    f: Callable
    df: Callable
    formula: str
    selects: bool = False
    params: tuple = ()
    api: str = ""
    node_args: Callable | None = None  # n-ary entries: parents → the rules' list arguments


OPS: dict[str, Op] = {}

_ONE = (1.0,)
_ONE_ONE = (1.0, 1.0)
_ONE_MINUS_ONE = (1.0, -1.0)
_MINUS_ONE = (-1.0,)


def register(name: str, arity: int, f: Callable, df: Callable, formula: str, selects: bool = False,
              params: tuple = (), api: str = "", node_args: Callable | None = None) -> Op:
    """Add an entry. ``params``: (name, default) of its constant parameters, in order; ``api``:
    "method" (a method of Value and Tensor and a function ``autodiff.name(x, ...)``), "function"
    (a two-input function ``autodiff.name(a, b)``) or "" (reached through operators);
    ``node_args`` (n-ary entries): the rules' list arguments rebuilt from a node's parents."""
    op = Op(name, arity, f, df, formula, selects, params, api, node_args)
    OPS[name] = op
    return op


def _pow_exponent_local(m, y, a, b):
    # ∂(a^b)/∂b = a^b·ln a; at a = 0 it is 0 (the limit for b > 0); for a < 0 it is undefined: NaN
    safe = m.where(a > 0, a, 1.0)
    return m.where(a > 0, y * m.log(safe), m.where(a == 0, 0.0, nan))


def _maximum_locals(m, y, a, b):
    tie = a == b
    return (m.share(a > b, tie), m.share(b > a, tie))


def _minimum_locals(m, y, a, b):
    tie = a == b
    return (m.share(a < b, tie), m.share(b < a, tie))


# --- arithmetic -------------------------------------------------------------------------------
ADD = register("+", 2, lambda m, a, b: a + b, lambda m, y, a, b: _ONE_ONE,
                "y = a + b;  ∂y/∂a = 1, ∂y/∂b = 1")
SUB = register("-", 2, lambda m, a, b: a - b, lambda m, y, a, b: _ONE_MINUS_ONE,
                "y = a − b;  ∂y/∂a = 1, ∂y/∂b = −1")
MUL = register("*", 2, lambda m, a, b: a * b, lambda m, y, a, b: (b, a),
                "y = a·b;  ∂y/∂a = b, ∂y/∂b = a")
DIV = register("/", 2, lambda m, a, b: a / b, lambda m, y, a, b: (1.0 / b, -y / b),
                "y = a/b;  ∂y/∂a = 1/b, ∂y/∂b = −a/b² = −y/b")
NEG = register("neg", 1, lambda m, a: -a, lambda m, y, a: _MINUS_ONE,
                "y = −a;  ∂y/∂a = −1")
def _power_local(m, a, n):
    # n·aⁿ⁻¹; only at n = 0 and a = 0 is it written 0·a¹, so that 0·(0⁻¹ = inf) makes no NaN there
    # (anywhere else the exponent stays n − 1: its derivative in n is part of ∂²(aⁿ)/∂a∂n)
    return n * m.pow_d(a, m.where(n != 0, n - 1, m.where(a != 0, n - 1, 1.0)))


POW_CONST = register("pow", 1, lambda m, a, n: m.pow(a, n),
                      lambda m, y, a, n: (_power_local(m, a, n),),
                      "y = aⁿ (n a constant);  ∂y/∂a = n·aⁿ⁻¹", params=(("n", None),))
POW = register("**", 2, lambda m, a, b: m.pow(a, b),
                lambda m, y, a, b: (_power_local(m, a, b), _pow_exponent_local(m, y, a, b)),
                "y = aᵇ;  ∂y/∂a = b·aᵇ⁻¹, ∂y/∂b = aᵇ·ln a")

# --- elementary functions ---------------------------------------------------------------------
EXP = register("exp", 1, lambda m, x: m.exp(x), lambda m, y, x: (y,),
                "y = eˣ;  y' = eˣ = y", api="method")
LOG = register("log", 1, lambda m, x: m.log(x), lambda m, y, x: (1.0 / x,),
                "y = ln x (x > 0);  y' = 1/x", api="method")
RECIP = register("recip", 1, lambda m, x: m.recip(x), lambda m, y, x: (-(y * y),),
                  "y = 1/x (±inf at 0);  y' = −1/x² = −y²  (√'s derivative, as a node for higher order)")
SQRT = register("sqrt", 1, lambda m, x: m.sqrt(x), lambda m, y, x: (0.5 * m.recip(y),),
                 "y = √x (x ≥ 0);  y' = 1/(2√x) = 1/(2y)  (+inf at 0)", api="method")
ABS = register("abs", 1, lambda m, x: m.abs(x), lambda m, y, x: (m.sign(x),),
                "y = |x|;  y' = sign(x)  (0 at x = 0)", api="method")
SIN = register("sin", 1, lambda m, x: m.sin(x), lambda m, y, x: (m.cos(x),),
                "y = sin x;  y' = cos x", api="method")
COS = register("cos", 1, lambda m, x: m.cos(x), lambda m, y, x: (-m.sin(x),),
                "y = cos x;  y' = −sin x", api="method")
CLIP = register("clip", 1, lambda m, x, lo, hi: m.clip(x, lo, hi),
                 lambda m, y, x, lo, hi: (m.select(y == x),),
                 "y = min(max(x, lo), hi) (= hi everywhere if lo > hi);  y' = 1 inside [lo, hi], 0 where clipped",
                 selects=True, params=(("lo", None), ("hi", None)), api="method")
MAXIMUM = register("maximum", 2, lambda m, a, b: m.maximum(a, b), _maximum_locals,
                    "y = max(a, b);  ∂y/∂a = 1 if a > b, ½ if a = b, else 0", selects=True, api="function")
MINIMUM = register("minimum", 2, lambda m, a, b: m.minimum(a, b), _minimum_locals,
                    "y = min(a, b);  ∂y/∂a = 1 if a < b, ½ if a = b, else 0", selects=True, api="function")

# --- activations (seeds 001, 002, 003) --------------------------------------------------------
TANH = register("tanh", 1, lambda m, x: m.tanh(x), lambda m, y, x: (1.0 - y * y,),
                 "y = tanh x = (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ);  y' = 1 − y²", api="method")
SIGMOID = register("sigmoid", 1, lambda m, x: m.sigmoid(x), lambda m, y, x: (y * (1.0 - y),),
                    "y = σ(x) = 1/(1 + e⁻ˣ);  y' = σ(x)(1 − σ(x)) = y(1 − y)", api="method")
RELU = register("relu", 1, lambda m, x: m.relu(x), lambda m, y, x: (m.positive(x),),
                 "y = max(0, x);  y' = 1 if x > 0 else 0  (0 at x = 0)", selects=True, api="method")
LEAKY_RELU = register("leaky_relu", 1,
                       lambda m, x, alpha=0.01: m.where(x > 0, x, alpha * x),
                       lambda m, y, x, alpha=0.01: (m.where(x > 0, 1.0, alpha),),
                       "y = x if x > 0 else αx;  y' = 1 if x > 0 else α", params=(("alpha", 0.01),), api="method")
ELU = register("elu", 1,
                lambda m, x, alpha=1.0: m.where(x > 0, x, alpha * m.expm1(m.minimum(x, 0.0))),
                lambda m, y, x, alpha=1.0: (m.where(x > 0, 1.0, y + alpha),),
                "y = x if x > 0 else α(eˣ − 1);  y' = 1 if x > 0 else αeˣ = y + α",
                params=(("alpha", 1.0),), api="method")
STEP = register("step", 1, lambda m, x: m.threshold(x), lambda m, y, x: (m.unselected(x),),
                 "y = 1 if x ≥ 0 else 0 (the notes' threshold neuron, k = 0);  y' = 0", selects=True, api="method")

# --- fused: smooth as a whole where its parts are not ---------------------------------------------
def _bce_logits_f(m, z, t):
    return m.relu(z) - z * t + m.log1p(m.exp(-m.abs(z)))


BCE_WITH_LOGITS = register(
    "bce_with_logits", 2, _bce_logits_f, lambda m, y, z, t: (m.sigmoid(z) - t, -z),
    "y = −[t log σ(z) + (1 − t) log(1 − σ(z))] = max(z, 0) − zt + log(1 + e^{−|z|});  "
    "∂y/∂z = σ(z) − t, ∂y/∂t = −z  (one op: relu and abs have kinks at 0, the sum has none)", api="function")

METHODS = tuple(name for name, op in OPS.items() if op.api == "method")
"""The one-input ops that are methods of Value and Tensor and functions in ``autodiff``."""

UNARY_FUNCTIONS = tuple(name for name in METHODS if all(d is not None for _, d in OPS[name].params))
"""The one-input functions callable with their input alone (the command line's functions)."""

BINARY_FUNCTIONS = tuple(name for name, op in OPS.items() if op.api == "function")
"""Two-input ops called as functions, ``autodiff.maximum(a, b)``, on Values, Tensors and numbers."""


# --- n-ary scalar nodes (Value only: a neuron's weighted sum as one node, every edge kept) -----
# These take lists, not one argument per input: f(m, ws, xs, b) and df(m, y, ws, xs, b), with
# the local derivatives in the order of the node's parents (w₁…wₙ, x₁…xₙ, then b if given).
def _dot_f(m, ws, xs, b=None):
    total = sum(map(mul, ws, xs), 0.0)
    return total if b is None else total + b


def _dot_df(m, y, ws, xs, b=None):
    return (*xs, *ws) if b is None else (*xs, *ws, 1.0)


def _dot_args(parents):
    n = len(parents) // 2  # w₁…wₙ, x₁…xₙ, then b when their number is odd
    return (parents[:n], parents[n:2 * n]) + ((parents[-1],) if len(parents) % 2 else ())


SUM = register("sum", -1, lambda m, xs: sum(xs, 0.0), lambda m, y, xs: _ONE * len(xs),
                "y = Σ xᵢ;  ∂y/∂xᵢ = 1", node_args=lambda parents: (list(parents),))
DOT = register("dot", -1, _dot_f, _dot_df,
                "y = Σ wᵢxᵢ (+ b);  ∂y/∂wᵢ = xᵢ, ∂y/∂xᵢ = wᵢ, ∂y/∂b = 1", node_args=_dot_args)

