"""Every Tensor op in one table, checked four ways.

A row of ``TABLE`` is one op on one set of input shapes: how to compute it on our Tensors, the same
function in HIPS ``autograd.numpy`` (which is also the numpy forward reference), the same in
PyTorch float64, and one generator per input that keeps the input inside the op's domain and away
from its kinks. Each row becomes four tests:

* forward   — our ``data`` equals numpy's value to 1e-12;
* gradcheck — our gradient equals central finite differences (``autodiff.gradcheck``);
* autograd  — our gradient equals HIPS autograd's to 1e-10;
* torch     — our forward and gradient equal PyTorch float64's to 1e-12 / 1e-10 (skipped
  when torch is not installed).

The gradient is that of  L = Σ out ⊙ W  for a fixed random W of the output's shape, so every
output element reaches the inputs with its own weight: a plain ``sum()`` would hide a gradient
that is permuted, transposed or scaled per element.

The second half drives the elementwise ops and the reductions with hypothesis: random shapes
(broadcast pairs from ``mutually_broadcastable_shapes``), random values, against HIPS autograd.
The references for the kinked ops are written with ``where`` so that they encode our documented
subgradients (relu'(0) = 0, leaky'(0) = α, elu'(0) = α, clip' = 1 on the boundary), and max/min
split ties ½/½ in both libraries — so values that land exactly on a kink still must agree.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import autograd.numpy as anp
import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from autograd import grad as ag_grad
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autodiff
from autodiff import Tensor, concatenate, gradcheck, maximum, minimum, stack, topological_order
from autodiff.custom_op import DEFINED
from autodiff.tensor import apply as tensor_apply
from autodiff.tensor_ops import TENSOR_OPS

try:
    import torch
except ImportError:  # the torch column is skipped; everything else still runs
    torch = None

FWD_TOL = 1e-12
GRAD_TOL = 1e-10


def close(actual, expected, tol: float, what: str = "") -> None:
    np.testing.assert_allclose(np.asarray(actual, dtype=float), np.asarray(expected, dtype=float),
                               rtol=tol, atol=tol, err_msg=what)


# --- input generators: one per input, respecting the op's domain --------------------------------
Gen = Callable[[np.random.Generator, tuple], np.ndarray]


def real(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    return np.asarray(rng.uniform(-2.0, 2.0, shape), dtype=np.float64)


def positive(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    return np.asarray(rng.uniform(0.5, 2.5, shape), dtype=np.float64)


def away(*kinks: float, margin: float = 0.2) -> Gen:
    """Real values at least ``margin`` from every kink (where the op is not differentiable)."""

    def gen(rng, shape):
        x = real(rng, shape)
        for k in kinks:
            d = x - k
            x = np.where(np.abs(d) < margin, k + np.where(d < 0, -margin, margin), x)
        return np.asarray(x, dtype=np.float64)

    gen.__name__ = f"away{kinks}"
    return gen


def distinct(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """All entries at least 0.15 apart: max/min have a unique winner, so finite differences work."""
    n = int(np.prod(shape, dtype=int))
    v = (rng.permutation(n) - n / 2) * 0.25 + rng.uniform(-0.05, 0.05, n)
    return v.reshape(shape)


def grid(offset: float) -> Gen:
    """Values near k/2 + offset: two inputs with offsets 0 and ¼ never tie (for maximum/minimum)."""

    def gen(rng, shape):
        return np.asarray(rng.integers(-6, 7, shape) * 0.5 + offset + rng.uniform(-0.05, 0.05, shape),
                          dtype=np.float64)

    return gen


# --- the table ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    name: str
    ours: Callable  # Tensors -> Tensor
    ref: Callable  # autograd.numpy arrays -> array (also the numpy forward reference)
    th: Callable | None  # torch float64 tensors -> tensor; None when torch has no such op
    shapes: tuple  # one shape per input
    gens: tuple  # one generator per input

    @property
    def id(self) -> str:
        shapes = ",".join("x".join(map(str, s)) or "0d" for s in self.shapes)
        return f"{self.name}[{shapes}]"

    def rng(self) -> np.random.Generator:
        return np.random.default_rng(zlib.crc32(self.id.encode()))

    def inputs_and_weight(self) -> tuple[list, np.ndarray]:
        rng = self.rng()
        xs = [gen(rng, shape) for gen, shape in zip(self.gens, self.shapes)]
        out_shape = np.shape(self.ref(*xs))
        return xs, np.asarray(rng.normal(size=out_shape))


TABLE: list[Row] = []


def add_rows(name, ours, ref, th, shape_sets, gens) -> None:
    for shapes in shape_sets:
        shapes = shapes if isinstance(shapes, list) else [shapes]
        g = gens if isinstance(gens, tuple) else (gens,) * len(shapes)
        TABLE.append(Row(name, ours, ref, th, tuple(shapes), g))


UNARY_SHAPES = [(), (1,), (5,), (3, 1), (2, 3, 4)]
BINARY_SHAPES = [[(3, 1), (1, 4)], [(), (2, 3)], [(2, 3), ()], [(2, 3, 4), (4,)],
                 [(1, 3, 1), (2, 1, 4)], [(5,), (5,)], [(2, 1, 4), (3, 1)], [(1,), (1, 1)]]


def th_step(x):
    return (x >= 0).to(x.dtype) + 0.0 * x


def a_step(x):
    # step(x) = 1 if x ≥ 0 (seed 001's threshold); slope 0 everywhere
    return anp.where(x >= 0, 1.0, 0.0) + 0.0 * x


def a_clip(lo, hi):
    # clip with gradient 1 on the boundary (as ours and torch.clamp): only the clipped side is flat
    def f(x):
        lo_ok = True if lo is None else (x >= lo)
        hi_ok = True if hi is None else (x <= hi)
        return anp.where(anp.logical_and(lo_ok, hi_ok), x, anp.clip(x, lo, hi))

    return f


# elementwise, one input: (name, ours, autograd.numpy, torch, domain)
UNARY = [
    ("neg", lambda x: -x, lambda x: -x, lambda x: -x, real),
    ("pos", lambda x: +x, lambda x: x, lambda x: +x, real),
    ("abs()", lambda x: abs(x), anp.abs, lambda x: abs(x), away(0.0)),
    ("abs", lambda x: x.abs(), anp.abs, lambda x: x.abs(), away(0.0)),
    ("exp", lambda x: x.exp(), anp.exp, lambda x: x.exp(), real),
    ("log", lambda x: x.log(), anp.log, lambda x: x.log(), positive),
    ("sqrt", lambda x: x.sqrt(), anp.sqrt, lambda x: x.sqrt(), positive),
    ("sin", lambda x: x.sin(), anp.sin, lambda x: x.sin(), real),
    ("cos", lambda x: x.cos(), anp.cos, lambda x: x.cos(), real),
    ("tanh", lambda x: x.tanh(), anp.tanh, lambda x: x.tanh(), real),
    ("sigmoid", lambda x: x.sigmoid(), lambda x: 1.0 / (1.0 + anp.exp(-x)), lambda x: x.sigmoid(), real),
    ("relu", lambda x: x.relu(), lambda x: anp.where(x > 0, x, 0.0),
     lambda x: torch.relu(x), away(0.0)),
    ("leaky_relu", lambda x: x.leaky_relu(), lambda x: anp.where(x > 0, x, 0.01 * x),
     lambda x: torch.nn.functional.leaky_relu(x, 0.01), away(0.0)),
    ("leaky_relu(0.2)", lambda x: x.leaky_relu(0.2), lambda x: anp.where(x > 0, x, 0.2 * x),
     lambda x: torch.nn.functional.leaky_relu(x, 0.2), away(0.0)),
    ("elu", lambda x: x.elu(), lambda x: anp.where(x > 0, x, anp.exp(anp.where(x > 0, 0.0, x)) - 1.0),
     lambda x: torch.nn.functional.elu(x), away(0.0)),
    ("elu(0.7)", lambda x: x.elu(0.7),
     lambda x: anp.where(x > 0, x, 0.7 * (anp.exp(anp.where(x > 0, 0.0, x)) - 1.0)),
     lambda x: torch.nn.functional.elu(x, alpha=0.7), away(0.0)),
    ("step", lambda x: x.step(), a_step, th_step, away(0.0)),
    ("clip(-0.5,0.8)", lambda x: x.clip(-0.5, 0.8), a_clip(-0.5, 0.8),
     lambda x: torch.clamp(x, -0.5, 0.8), away(-0.5, 0.8)),
    ("clip(hi=0.3)", lambda x: x.clip(hi=0.3), a_clip(None, 0.3),
     lambda x: torch.clamp(x, max=0.3), away(0.3)),
    ("clip(lo=-0.3)", lambda x: x.clip(-0.3), a_clip(-0.3, None),
     lambda x: torch.clamp(x, min=-0.3), away(-0.3)),
    ("x**2", lambda x: x ** 2, lambda x: x ** 2, lambda x: x ** 2, real),
    ("x**3", lambda x: x ** 3, lambda x: x ** 3, lambda x: x ** 3, real),
    ("x**-1", lambda x: x ** -1, lambda x: x ** -1.0, lambda x: x ** -1, away(0.0)),
    ("x**0.5", lambda x: x ** 0.5, lambda x: x ** 0.5, lambda x: x ** 0.5, positive),
    ("x**-1.5", lambda x: x ** -1.5, lambda x: x ** -1.5, lambda x: x ** -1.5, positive),
    ("x**np.float64(2.5)", lambda x: x ** np.float64(2.5), lambda x: x ** 2.5, lambda x: x ** 2.5, positive),
    # a number on either side of a binary op
    ("x+1", lambda x: x + 1.0, lambda x: x + 1.0, lambda x: x + 1.0, real),
    ("1+x", lambda x: 1 + x, lambda x: 1.0 + x, lambda x: 1.0 + x, real),
    ("x-1", lambda x: x - 1.0, lambda x: x - 1.0, lambda x: x - 1.0, real),
    ("2-x", lambda x: 2 - x, lambda x: 2.0 - x, lambda x: 2.0 - x, real),
    ("1.5*x", lambda x: 1.5 * x, lambda x: 1.5 * x, lambda x: 1.5 * x, real),
    ("x*1.5", lambda x: x * 1.5, lambda x: x * 1.5, lambda x: x * 1.5, real),
    ("x/4", lambda x: x / 4, lambda x: x / 4.0, lambda x: x / 4.0, real),
    ("recip", lambda x: tensor_apply(TENSOR_OPS["recip"], (x,)), lambda x: 1.0 / x, lambda x: 1.0 / x, away(0.0)),
    ("3/x", lambda x: 3 / x, lambda x: 3.0 / x, lambda x: 3.0 / x, away(0.0)),
    ("2**x", lambda x: 2 ** x, lambda x: 2.0 ** x, lambda x: 2.0 ** x, real),
    ("x*x", lambda x: x * x, lambda x: x * x, lambda x: x * x, real),
    ("x/x.exp()", lambda x: x / x.exp(), lambda x: x / anp.exp(x), lambda x: x / x.exp(), real),
]
for _name, _ours, _ref, _th, _gen in UNARY:
    add_rows(_name, _ours, _ref, _th, UNARY_SHAPES, _gen)

# elementwise, two inputs, broadcasting
BINARY = [
    ("add", lambda a, b: a + b, lambda a, b: a + b, lambda a, b: a + b, (real, real)),
    ("sub", lambda a, b: a - b, lambda a, b: a - b, lambda a, b: a - b, (real, real)),
    ("mul", lambda a, b: a * b, lambda a, b: a * b, lambda a, b: a * b, (real, real)),
    ("div", lambda a, b: a / b, lambda a, b: a / b, lambda a, b: a / b, (real, away(0.0))),
    ("pow", lambda a, b: a ** b, lambda a, b: a ** b, lambda a, b: a ** b, (positive, real)),
    ("maximum", maximum, anp.maximum, lambda a, b: torch.maximum(a, b), (grid(0.0), grid(0.25))),
    ("minimum", minimum, anp.minimum, lambda a, b: torch.minimum(a, b), (grid(0.0), grid(0.25))),
    ("bce_with_logits", autodiff.bce_with_logits,
     lambda z, t: anp.maximum(z, 0) - z * t + anp.log1p(anp.exp(-anp.abs(z))),
     lambda z, t: torch.nn.functional.binary_cross_entropy_with_logits(*torch.broadcast_tensors(z, t),
                                                                       reduction="none"),
     (away(0.0), lambda rng, shape: rng.uniform(0.0, 1.0, shape))),
]
for _name, _ours, _ref, _th, _gens in BINARY:
    add_rows(_name, _ours, _ref, _th, BINARY_SHAPES, _gens)

# an ndarray on either side of a Tensor (ndarray + Tensor works through __array_ufunc__ = None)
C4 = np.array([0.5, -1.0, 2.0, 1.5])
C34 = np.linspace(-1.0, 2.0, 12).reshape(3, 4) + 0.05
add_rows("C4*x", lambda x: C4 * x, lambda x: anp.multiply(C4, x),
         lambda x: torch.from_numpy(C4) * x, [(3, 4), (2, 3, 4), (3, 1)], real)
add_rows("x-C4", lambda x: x - C4, lambda x: anp.subtract(x, C4),
         lambda x: x - torch.from_numpy(C4), [(3, 4), (4,), ()], real)
add_rows("C4-x", lambda x: C4 - x, lambda x: anp.subtract(C4, x),
         lambda x: torch.from_numpy(C4) - x, [(3, 4), (1,)], real)
add_rows("C34/x", lambda x: C34 / x, lambda x: anp.divide(C34, x),
         lambda x: torch.from_numpy(C34) / x, [(3, 4), (4,), (3, 1)], away(0.0))
add_rows("x**C4", lambda x: x ** C4, lambda x: anp.power(x, C4),
         lambda x: x ** torch.from_numpy(C4), [(3, 4), (4,), (1,)], positive)
add_rows("abs(C34)**x", lambda x: np.abs(C34) ** x, lambda x: anp.power(np.abs(C34), x),
         lambda x: torch.from_numpy(np.abs(C34)) ** x, [(3, 4), (4,)], real)
add_rows("C34@x", lambda x: C34 @ x, lambda x: anp.matmul(C34, x),
         lambda x: torch.from_numpy(C34) @ x, [(4,), (4, 2), (2, 4, 3)], real)
add_rows("x@C34", lambda x: x @ C34, lambda x: anp.matmul(x, C34),
         lambda x: x @ torch.from_numpy(C34), [(3,), (2, 3), (2, 2, 3)], real)

# matmul: 1-D, 2-D, batched, batch broadcasting
MATMUL_SHAPES = [[(3, 4), (4, 5)], [(4,), (4,)], [(4,), (4, 5)], [(3, 4), (4,)], [(2, 3, 4), (4, 5)],
                 [(2, 3, 4), (2, 4, 5)], [(4,), (2, 4, 5)], [(2, 3, 4), (4,)], [(1, 3, 4), (2, 4, 2)],
                 [(1, 4), (4, 1)], [(3, 4), (2, 4, 2)]]
add_rows("matmul", lambda a, b: a @ b, anp.matmul, lambda a, b: a @ b, MATMUL_SHAPES, (real, real))
add_rows("Tensor.matmul", lambda a, b: a.matmul(b), anp.matmul, lambda a, b: a.matmul(b),
         [[(3, 4), (4, 2)], [(2, 3, 4), (4,)]], (real, real))
affine = getattr(autodiff, "affine", None)  # X @ W + b as one node (newer than the rest of the API)
if affine is not None:
    add_rows("affine", lambda x, w, b: affine(x, w, b), lambda x, w, b: anp.matmul(x, w) + b,
             lambda x, w, b: x @ w + b,
             [[(3, 4), (4, 5), (5,)], [(3, 4), (4, 5), (1, 5)], [(4,), (4, 5), (5,)],
              [(2, 3, 4), (4, 5), (5,)], [(3, 4), (4, 5), ()], [(3, 4), (4, 5), (3, 5)]],
             (real, real, real))
    add_rows("affine(no b)", lambda x, w: affine(x, w), anp.matmul, lambda x, w: x @ w,
             [[(3, 4), (4, 5)]], (real, real))

# where (a constant mask), broadcast_to, and scatter_add (the adjoint of indexing)
MASK = np.array([[True, False, True, True], [False, False, True, False], [True, True, False, True]])
add_rows("where", lambda a, b: autodiff.where(MASK, a, b),  # (autograd's where does not unbroadcast)
         lambda a, b: anp.where(MASK, a + np.zeros(MASK.shape), b + np.zeros(MASK.shape)),
         lambda a, b: torch.where(torch.from_numpy(MASK), a, b),
         [[(3, 4), (3, 4)], [(4,), (3, 1)], [(), (3, 4)]], (real, real))
add_rows("broadcast_to", lambda x: autodiff.broadcast_to(x, (2, 3, 4)),
         lambda x: x + np.zeros((2, 3, 4)), lambda x: x.expand(2, 3, 4),
         [(3, 4), (4,), (3, 1), (), (1, 3, 1)], real)
_IDX = np.array([0, 2, 0, 1, 2])


def _scatter_matrix(idx, n):
    s = np.zeros((n, idx.size))
    s[idx, np.arange(idx.size)] = 1.0
    return s


add_rows("scatter_add", lambda v: autodiff.scatter_add(v, _IDX, (3, 4)),
         lambda v: anp.dot(_scatter_matrix(_IDX, 3), v),
         lambda v: torch.zeros(3, 4, dtype=v.dtype).index_put((torch.from_numpy(_IDX),), v, accumulate=True),
         [(5, 4)], real)

# shape changes
add_rows(".T", lambda x: x.T, lambda x: anp.transpose(x),
         lambda x: x.permute(*reversed(range(x.ndim))) if x.ndim else x, [(3, 4), (2, 3, 4), (5,), ()], real)
for _axes in [(), ((2, 0, 1),), ((-2, -1, -3),)]:
    _perm = _axes[0] if len(_axes) == 1 else (_axes if _axes else None)
    add_rows(f"transpose{_axes}", lambda x, a=_axes: x.transpose(*a),
             # HIPS autograd's own transpose VJP mishandles negative axes: give it them normalised
             lambda x, p=_perm: anp.transpose(x, None if p is None else tuple(i % x.ndim for i in p)),
             lambda x, p=_perm: x.permute(*(p if p is not None else reversed(range(x.ndim)))),
             [(2, 3, 4)], real)
for _axes in [(1, 2, 0), (0, 2, 1), (-1, 0, 1), (0, -1, -2)]:  # numpy's transpose(axes) is permute
    add_rows(f"permute{_axes}", lambda x, a=_axes: x.permute(*a),
             lambda x, p=_axes: anp.transpose(x, tuple(i % x.ndim for i in p)),
             lambda x, p=_axes: x.permute(*p), [(2, 3, 4)], real)
for _d0, _d1 in [(0, 1), (2, 0), (-1, -2), (1, 1)]:  # PyTorch's transpose(d0, d1) swaps two axes
    add_rows(f"transpose({_d0},{_d1})", lambda x, a=_d0, b=_d1: x.transpose(a, b),
             lambda x, a=_d0, b=_d1: anp.swapaxes(x, a, b), lambda x, a=_d0, b=_d1: x.transpose(a, b),
             [(2, 3, 4)], real)
for _shape in [(6, 4), ((4, -1),), (-1,), (2, 1, 3, 4), (24, 1)]:
    _target = _shape[0] if len(_shape) == 1 and isinstance(_shape[0], tuple) else _shape
    add_rows(f"reshape{_shape}", lambda x, s=_shape: x.reshape(*s),
             lambda x, t=_target: anp.reshape(x, t), lambda x, t=_target: x.reshape(t),
             [(2, 3, 4)], real)
add_rows("reshape(1,1)", lambda x: x.reshape(1, 1), lambda x: anp.reshape(x, (1, 1)),
         lambda x: x.reshape(1, 1), [()], real)
add_rows("flatten", lambda x: x.flatten(), lambda x: anp.reshape(x, (-1,)), lambda x: x.flatten(),
         [(2, 3, 4), (3, 1), ()], real)


# reductions over None, an int, negative ints and axis tuples, with keepdims both ways
def _dims(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    return axis if isinstance(axis, tuple) else (axis,)


REDUCTION_AXES = [None, 0, 1, -1, (0, 2), (-1, -3), (0, 1, 2)]
for _keep in (False, True):
    for _ax in REDUCTION_AXES:
        tag = f"(axis={_ax},keepdims={_keep})"
        add_rows("sum" + tag, lambda x, a=_ax, k=_keep: x.sum(axis=a, keepdims=k),
                 lambda x, a=_ax, k=_keep: anp.sum(x, axis=a, keepdims=k),
                 lambda x, a=_ax, k=_keep: x.sum(dim=_dims(a, x.ndim), keepdim=k), [(2, 3, 4)], real)
        add_rows("mean" + tag, lambda x, a=_ax, k=_keep: x.mean(axis=a, keepdims=k),
                 lambda x, a=_ax, k=_keep: anp.mean(x, axis=a, keepdims=k),
                 lambda x, a=_ax, k=_keep: x.mean(dim=_dims(a, x.ndim), keepdim=k), [(2, 3, 4)], real)
        add_rows("max" + tag, lambda x, a=_ax, k=_keep: x.max(axis=a, keepdims=k),
                 lambda x, a=_ax, k=_keep: anp.max(x, axis=a, keepdims=k),
                 lambda x, a=_ax, k=_keep: torch.amax(x, dim=_dims(a, x.ndim), keepdim=k),
                 [(2, 3, 4)], distinct)
        add_rows("min" + tag, lambda x, a=_ax, k=_keep: x.min(axis=a, keepdims=k),
                 lambda x, a=_ax, k=_keep: anp.min(x, axis=a, keepdims=k),
                 lambda x, a=_ax, k=_keep: torch.amin(x, dim=_dims(a, x.ndim), keepdim=k),
                 [(2, 3, 4)], distinct)
    # scalars, vectors and size-1 axes
    for _shape, _ax in [((), None), ((5,), 0), ((5,), None), ((3, 1), 1), ((3, 1), 0), ((1, 1), None)]:
        tag = f"(axis={_ax},keepdims={_keep})"
        for _red, _a_red, _t_red, _gen in [("sum", anp.sum, "sum", real), ("mean", anp.mean, "mean", real),
                                           ("max", anp.max, "amax", distinct),
                                           ("min", anp.min, "amin", distinct)]:
            add_rows(_red + tag, lambda x, r=_red, a=_ax, k=_keep: getattr(x, r)(axis=a, keepdims=k),
                     lambda x, f=_a_red, a=_ax, k=_keep: f(x, axis=a, keepdims=k),
                     lambda x, r=_t_red, a=_ax, k=_keep: getattr(torch, r)(x, dim=_dims(a, x.ndim), keepdim=k),
                     [_shape], _gen)

for _ddof in (0, 1):
    for _keep in (False, True):
        for _ax in (None, 1, -1, (0, 2)):
            tag = f"(axis={_ax},keepdims={_keep},ddof={_ddof})"
            add_rows("var" + tag, lambda x, a=_ax, k=_keep, d=_ddof: x.var(axis=a, keepdims=k, ddof=d),
                     lambda x, a=_ax, k=_keep, d=_ddof: anp.var(x, axis=a, keepdims=k, ddof=d),
                     lambda x, a=_ax, k=_keep, d=_ddof: torch.var(x, dim=_dims(a, x.ndim), correction=d,
                                                                  keepdim=k),
                     [(2, 3, 4)], real)
            add_rows("std" + tag, lambda x, a=_ax, k=_keep, d=_ddof: x.std(axis=a, keepdims=k, ddof=d),
                     lambda x, a=_ax, k=_keep, d=_ddof: anp.std(x, axis=a, keepdims=k, ddof=d),
                     lambda x, a=_ax, k=_keep, d=_ddof: torch.std(x, dim=_dims(a, x.ndim), correction=d,
                                                                  keepdim=k),
                     [(2, 3, 4)], real)
add_rows("var(size-1 axis)", lambda x: x.var(axis=1), lambda x: anp.var(x, axis=1),
         lambda x: torch.var(x, dim=1, correction=0), [(3, 1)], real)
add_rows("std(vector)", lambda x: x.std(), lambda x: anp.std(x), lambda x: torch.std(x, correction=0),
         [(5,)], real)


# indexing: ints, slices, Ellipsis/None, repeated integer indices (which accumulate), boolean masks
def th_index(idx):
    if isinstance(idx, tuple):
        return tuple(th_index(i) for i in idx)
    if isinstance(idx, np.ndarray):
        return torch.from_numpy(idx)
    return idx


MASK_43 = np.array([[True, False, True], [False, False, False], [True, True, True], [False, True, False]])
INDEXES = [
    ("[1]", 1), ("[-1]", -1), ("[1:3]", slice(1, 3)), ("[1,2]", (1, 2)), ("[:,1]", (slice(None), 1)),
    ("[...,0]", (Ellipsis, 0)), ("[None,:,1]", (None, slice(None), 1)), ("[-1:,::2]", (slice(-1, None), slice(None, None, 2))),
    ("[[0,2,0,0]]", np.array([0, 2, 0, 0])), ("[[3,1,1]] list", [3, 1, 1]),
    ("[[0,0,1],[2,2,1]]", (np.array([0, 0, 1]), np.array([2, 2, 1]))),
    ("[[[0,1],[1,1]]]", np.array([[0, 1], [1, 1]])),
    ("[1:,[0,0,2]]", (slice(1, None), np.array([0, 0, 2]))),
    ("[mask2d]", MASK_43), ("[:,mask1d]", (slice(None), np.array([True, False, True]))),
    ("[mask1d]", np.array([False, True, True, False])),
]
for _label, _idx in INDEXES:
    add_rows("getitem" + _label, lambda x, i=_idx: x[i], lambda x, i=_idx: x[i],
             lambda x, i=_idx: x[th_index(i)], [(4, 3)], real)
add_rows("getitem[::-1]", lambda x: x[::-1], lambda x: x[::-1], lambda x: torch.flip(x, (0,)), [(4, 3), (5,)], real)
# numpy puts the advanced-index axis first when a slice separates the advanced indices; torch does not
add_rows("getitem[1,:,[0,0,3]]", lambda x: x[1, :, [0, 0, 3]], lambda x: x[1, :, [0, 0, 3]],
         lambda x: x[1][:, [0, 0, 3]].T, [(2, 3, 4)], real)
add_rows("getitem[x>0-mask]", lambda x: x[np.arange(24).reshape(2, 3, 4) % 3 == 0],
         lambda x: x[np.arange(24).reshape(2, 3, 4) % 3 == 0],
         lambda x: x[torch.from_numpy(np.arange(24).reshape(2, 3, 4) % 3 == 0)], [(2, 3, 4)], real)
add_rows("getitem[0d:()]", lambda x: x[()], lambda x: x[()], lambda x: x[()], [()], real)

# joins
for _shapes, _axis in [([(2, 3), (4, 3)], 0), ([(2, 3), (2, 1)], 1), ([(2, 3), (2, 2)], -1),
                       ([(2, 3, 4), (2, 1, 4), (2, 2, 4)], 1), ([(3,), (2,)], 0), ([(1, 3), (1, 3)], -2)]:
    add_rows(f"concatenate(axis={_axis})", lambda *xs, a=_axis: concatenate(list(xs), axis=a),
             lambda *xs, a=_axis: anp.concatenate(list(xs), axis=a),
             lambda *xs, a=_axis: torch.cat(list(xs), dim=a), [_shapes], (real,) * len(_shapes))
for _shapes, _axis in [([(2, 3), (2, 3)], 0), ([(2, 3), (2, 3)], 1), ([(2, 3), (2, 3)], -1),
                       ([(2, 3), (2, 3), (2, 3)], 2), ([(3,), (3,), (3,)], 0), ([(), ()], 0),
                       ([(2, 3), (2, 3)], -3)]:
    add_rows(f"stack(axis={_axis})", lambda *xs, a=_axis: stack(list(xs), axis=a),
             lambda *xs, a=_axis: anp.stack(list(xs), axis=a),
             lambda *xs, a=_axis: torch.stack(list(xs), dim=a), [_shapes], (real,) * len(_shapes))
add_rows("concatenate(tensor, ndarray)", lambda x: concatenate([x, C34], axis=0),
         lambda x: anp.concatenate([x, C34], axis=0), lambda x: torch.cat([x, torch.from_numpy(C34)], 0),
         [(2, 4)], real)


# softmax family
def a_logsumexp(x, axis, keepdims=False):
    return anp.log(anp.sum(anp.exp(x), axis=axis, keepdims=keepdims))


for _shape, _axis in [((5,), -1), ((5,), 0), ((3, 4), -1), ((3, 4), 0), ((3, 4), 1), ((2, 3, 4), 1),
                      ((2, 3, 4), -1), ((2, 3, 4), -3), ((3, 1), 1), ((1,), 0)]:
    tag = f"(axis={_axis})"
    add_rows("softmax" + tag, lambda x, a=_axis: x.softmax(axis=a),
             lambda x, a=_axis: anp.exp(x) / anp.sum(anp.exp(x), axis=a, keepdims=True),
             lambda x, a=_axis: torch.softmax(x, dim=a), [_shape], real)
    add_rows("log_softmax" + tag, lambda x, a=_axis: x.log_softmax(axis=a),
             lambda x, a=_axis: x - a_logsumexp(x, a, True),
             lambda x, a=_axis: torch.log_softmax(x, dim=a), [_shape], real)
    for _keep in (False, True):
        add_rows(f"logsumexp(axis={_axis},keepdims={_keep})",
                 lambda x, a=_axis, k=_keep: x.logsumexp(axis=a, keepdims=k),
                 lambda x, a=_axis, k=_keep: a_logsumexp(x, a, k),
                 lambda x, a=_axis, k=_keep: torch.logsumexp(x, dim=a, keepdim=k), [_shape], real)
add_rows("softmax()", lambda x: x.softmax(), lambda x: anp.exp(x) / anp.sum(anp.exp(x), -1, keepdims=True),
         lambda x: torch.softmax(x, -1), [(3, 4)], real)

# a few compositions (a layer, a loss) so ops are also checked as neighbours in one graph
add_rows("tanh layer + mse", lambda x, w, b: ((x @ w + b).tanh() - 0.5).__pow__(2).mean(axis=0),
         lambda x, w, b: anp.mean((anp.tanh(anp.matmul(x, w) + b) - 0.5) ** 2, axis=0),
         lambda x, w, b: ((x @ w + b).tanh() - 0.5).pow(2).mean(dim=0), [[(5, 3), (3, 2), (2,)]],
         (real, real, real))
add_rows("cross-entropy", lambda z: -(z.log_softmax(axis=1)[np.arange(4), np.array([0, 2, 1, 2])]).mean(),
         lambda z: -anp.mean((z - a_logsumexp(z, 1, True))[np.arange(4), np.array([0, 2, 1, 2])]),
         lambda z: torch.nn.functional.cross_entropy(z, torch.tensor([0, 2, 1, 2])), [(4, 3)], real)
SOFT_TARGETS = np.array([[0.2, 0.5, 0.3], [1.0, 0.0, 0.0], [0.0, 0.6, 0.4], [0.1, 0.1, 0.8]])
add_rows("softmax_cross_entropy(labels)",
         lambda z: autodiff.softmax_cross_entropy(z, np.array([0, 2, 1, 2])),
         lambda z: -anp.mean((z - a_logsumexp(z, 1, True))[np.arange(4), np.array([0, 2, 1, 2])]),
         lambda z: torch.nn.functional.cross_entropy(z, torch.tensor([0, 2, 1, 2])), [(4, 3)], real)
add_rows("softmax_cross_entropy(targets, sum)",
         lambda z: autodiff.softmax_cross_entropy(z, SOFT_TARGETS, reduction="sum"),
         lambda z: -anp.sum(SOFT_TARGETS * (z - a_logsumexp(z, 1, True))),
         lambda z: torch.nn.functional.cross_entropy(z, torch.tensor(SOFT_TARGETS), reduction="sum"),
         [(4, 3)], real)
add_rows("normalise", lambda x: (x - x.mean(axis=0)) / (x.var(axis=0) + 1e-5).sqrt(),
         lambda x: (x - anp.mean(x, axis=0)) / anp.sqrt(anp.var(x, axis=0) + 1e-5),
         lambda x: (x - x.mean(0)) / (x.var(0, correction=0) + 1e-5).sqrt(), [(6, 3)], real)

IDS = [row.id for row in TABLE]
assert len(set(IDS)) == len(IDS), "duplicate row ids in TABLE"


# --- the four checks ------------------------------------------------------------------------------
def our_grads(row: Row, xs: list, w: np.ndarray) -> list:
    leaves = [Tensor(x.copy(), requires_grad=True) for x in xs]
    (row.ours(*leaves) * w).sum().backward()
    return [leaf.grad for leaf in leaves]


@pytest.mark.parametrize("row", TABLE, ids=IDS)
def test_forward_matches_numpy(row: Row) -> None:
    xs, _ = row.inputs_and_weight()
    out = row.ours(*[Tensor(x) for x in xs])
    expected = np.asarray(row.ref(*xs))
    assert isinstance(out, Tensor)
    assert out.shape == expected.shape
    assert out.dtype == np.float64
    close(out.data, expected, FWD_TOL)


@pytest.mark.parametrize("row", TABLE, ids=IDS)
def test_grad_matches_finite_differences(row: Row) -> None:
    xs, w = row.inputs_and_weight()
    leaves = [Tensor(x.copy(), requires_grad=True, label=f"x{i}") for i, x in enumerate(xs)]
    report = gradcheck(lambda *ts: (row.ours(*ts) * w).sum(), leaves)
    assert report, str(report)
    assert all(leaf.grad is None for leaf in leaves), "gradcheck must restore the inputs' grad"


@pytest.mark.parametrize("row", TABLE, ids=IDS)
def test_grad_matches_autograd(row: Row) -> None:
    xs, w = row.inputs_and_weight()
    expected = ag_grad(lambda args: anp.sum(row.ref(*args) * w))(tuple(xs))
    for i, (ours, theirs) in enumerate(zip(our_grads(row, xs, w), expected)):
        assert ours is not None and ours.shape == xs[i].shape
        close(ours, theirs, GRAD_TOL, f"input {i}")


@pytest.mark.parametrize("row", TABLE, ids=IDS)
def test_forward_and_grad_match_torch(row: Row) -> None:
    pytest.importorskip("torch")
    if row.th is None:
        pytest.skip("no torch counterpart")
    xs, w = row.inputs_and_weight()
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    out = row.th(*ts)
    ours = row.ours(*[Tensor(x) for x in xs])
    assert tuple(out.shape) == ours.shape
    close(ours.data, out.detach().numpy(), FWD_TOL, "forward")
    (out * torch.from_numpy(w)).sum().backward()
    for i, (g, t) in enumerate(zip(our_grads(row, xs, w), ts)):
        close(g, t.grad.numpy(), GRAD_TOL, f"input {i}")


def test_table_covers_every_tensor_op() -> None:
    """Every registered tensor op (elementwise and structural) appears in some row's graph."""
    seen = set()
    for row in TABLE:
        xs, _ = row.inputs_and_weight()
        out = row.ours(*[Tensor(x, requires_grad=True) for x in xs])
        seen.update(node.op for node in topological_order(out))
    missing = set(TENSOR_OPS) - seen - DEFINED
    assert not missing, f"ops with no row in TABLE: {sorted(missing)}"


# --- hypothesis: random shapes and values ----------------------------------------------------------
# HYP_EXAMPLES=2000 pytest ... for a deeper search than the default CI budget
HYP = settings(max_examples=int(os.environ.get("HYP_EXAMPLES", "40")), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def floats(lo: float, hi: float):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False)


NONZERO = floats(0.25, 3.0) | floats(-3.0, -0.25)
BINARY_HYP = {
    "add": (lambda a, b: a + b, lambda a, b: a + b, floats(-3, 3), floats(-3, 3)),
    "sub": (lambda a, b: a - b, lambda a, b: a - b, floats(-3, 3), floats(-3, 3)),
    "mul": (lambda a, b: a * b, lambda a, b: a * b, floats(-3, 3), floats(-3, 3)),
    "div": (lambda a, b: a / b, lambda a, b: a / b, floats(-3, 3), NONZERO),
    "pow": (lambda a, b: a ** b, lambda a, b: a ** b, floats(0.25, 3), floats(-2, 2)),
    "maximum": (maximum, anp.maximum, floats(-2, 2), floats(-2, 2)),
    "minimum": (minimum, anp.minimum, floats(-2, 2), floats(-2, 2)),
}


def ag_grads(f, xs, w):
    return [np.asarray(g) for g in ag_grad(lambda args: anp.sum(f(*args) * w))(tuple(xs))]


@HYP
@given(name=st.sampled_from(sorted(BINARY_HYP)), data=st.data(),
       shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3))
def test_binary_elementwise_broadcasting_matches_autograd(name, data, shapes) -> None:
    ours, ref, elems_a, elems_b = BINARY_HYP[name]
    a = data.draw(hnp.arrays(np.float64, shapes.input_shapes[0], elements=elems_a), label="a")
    b = data.draw(hnp.arrays(np.float64, shapes.input_shapes[1], elements=elems_b), label="b")
    w = data.draw(hnp.arrays(np.float64, shapes.result_shape, elements=floats(-2, 2)), label="w")
    ta, tb = Tensor(a.copy(), requires_grad=True), Tensor(b.copy(), requires_grad=True)
    out = ours(ta, tb)
    assert out.shape == shapes.result_shape
    close(out.data, ref(a, b), FWD_TOL, "forward")
    (out * w).sum().backward()
    ga, gb = ag_grads(ref, [a, b], w)
    close(ta.grad, ga, GRAD_TOL, "grad a")
    close(tb.grad, gb, GRAD_TOL, "grad b")


UNARY_HYP = {
    "exp": (lambda x: x.exp(), anp.exp, floats(-5, 5)),
    "log": (lambda x: x.log(), anp.log, floats(0.05, 10)),
    "sqrt": (lambda x: x.sqrt(), anp.sqrt, floats(0.05, 10)),
    "abs": (lambda x: x.abs(), anp.abs, floats(-3, 3)),
    "sin": (lambda x: x.sin(), anp.sin, floats(-5, 5)),
    "cos": (lambda x: x.cos(), anp.cos, floats(-5, 5)),
    "tanh": (lambda x: x.tanh(), anp.tanh, floats(-5, 5)),
    "sigmoid": (lambda x: x.sigmoid(), lambda x: 0.5 * (anp.tanh(x / 2) + 1), floats(-5, 5)),
    "relu": (lambda x: x.relu(), lambda x: anp.where(x > 0, x, 0.0), floats(-3, 3)),
    "leaky_relu": (lambda x: x.leaky_relu(0.1), lambda x: anp.where(x > 0, x, 0.1 * x), floats(-3, 3)),
    # exp(where(...)) rather than exp(minimum(x, 0)): autograd's minimum would halve the slope at 0
    "elu": (lambda x: x.elu(0.5), lambda x: anp.where(x > 0, x, 0.5 * (anp.exp(anp.where(x > 0, 0.0, x)) - 1)),
            floats(-3, 3)),
    "step": (lambda x: x.step(), a_step, floats(-3, 3)),
    "clip": (lambda x: x.clip(-1.0, 0.5), a_clip(-1.0, 0.5), floats(-3, 3)),
    "neg": (lambda x: -x, lambda x: -x, floats(-3, 3)),
    "square": (lambda x: x ** 2, lambda x: x ** 2, floats(-3, 3)),
    "cube": (lambda x: x ** 3, lambda x: x ** 3, floats(-3, 3)),
    "rsqrt": (lambda x: x ** -0.5, lambda x: x ** -0.5, floats(0.05, 10)),
}


@HYP
@given(name=st.sampled_from(sorted(UNARY_HYP)), data=st.data(),
       shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4))
def test_unary_elementwise_matches_autograd_at_any_shape(name, data, shape) -> None:
    ours, ref, elems = UNARY_HYP[name]
    x = data.draw(hnp.arrays(np.float64, shape, elements=elems), label="x")
    w = data.draw(hnp.arrays(np.float64, shape, elements=floats(-2, 2)), label="w")
    t = Tensor(x.copy(), requires_grad=True)
    out = ours(t)
    close(out.data, ref(x), FWD_TOL, "forward")
    (out * w).sum().backward()
    close(t.grad, ag_grads(ref, [x], w)[0], GRAD_TOL, "grad")


REDUCTIONS = {
    "sum": (lambda x, a, k: x.sum(axis=a, keepdims=k), lambda x, a, k: anp.sum(x, axis=a, keepdims=k)),
    "mean": (lambda x, a, k: x.mean(axis=a, keepdims=k), lambda x, a, k: anp.mean(x, axis=a, keepdims=k)),
    "max": (lambda x, a, k: x.max(axis=a, keepdims=k), lambda x, a, k: anp.max(x, axis=a, keepdims=k)),
    "min": (lambda x, a, k: x.min(axis=a, keepdims=k), lambda x, a, k: anp.min(x, axis=a, keepdims=k)),
    "var": (lambda x, a, k: x.var(axis=a, keepdims=k), lambda x, a, k: anp.var(x, axis=a, keepdims=k)),
}


@HYP
@given(name=st.sampled_from(sorted(REDUCTIONS)), data=st.data(), keepdims=st.booleans(),
       shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
def test_reductions_match_autograd_over_any_axes(name, data, keepdims, shape) -> None:
    """Random axis subsets (negative spellings too) and values drawn from a small set, so that max/min
    see ties, which both libraries split equally."""
    ours, ref = REDUCTIONS[name]
    ndim = len(shape)
    axes = data.draw(st.none() | st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True),
                     label="axes")
    if axes is not None:
        negate = data.draw(st.lists(st.booleans(), min_size=len(axes), max_size=len(axes)))
        axes = tuple(a - ndim if n else a for a, n in zip(axes, negate))
        if len(axes) == 1 and data.draw(st.booleans(), label="as int"):
            axes = axes[0]
    x = data.draw(hnp.arrays(np.float64, shape, elements=st.sampled_from([-1.0, 0.0, 0.5, 2.0, 3.25])))
    out_shape = np.shape(ref(x, axes, keepdims))
    w = data.draw(hnp.arrays(np.float64, out_shape, elements=floats(-2, 2)), label="w")
    t = Tensor(x.copy(), requires_grad=True)
    out = ours(t, axes, keepdims)
    assert out.shape == out_shape
    close(out.data, ref(x, axes, keepdims), FWD_TOL, "forward")
    (out * w).sum().backward()
    close(t.grad, ag_grads(lambda v: ref(v, axes, keepdims), [x], w)[0], GRAD_TOL, "grad")


# --- subgradients at the kinks, stated exactly ------------------------------------------------------
@pytest.mark.parametrize(("name", "f", "expected"), [
    ("relu'(0) = 0", lambda x: x.relu(), 0.0),
    ("leaky_relu'(0) = alpha", lambda x: x.leaky_relu(0.2), 0.2),
    ("elu'(0) = alpha", lambda x: x.elu(0.7), 0.7),
    ("abs'(0) = 0", lambda x: x.abs(), 0.0),
    ("step'(0) = 0", lambda x: x.step(), 0.0),
    ("clip' = 1 on the boundary", lambda x: (x + 0.5).clip(0.5, 1.0), 1.0),
    ("sqrt'(0) = +inf", lambda x: x.sqrt(), np.inf),
])
def test_subgradient_at_the_kink(name, f, expected) -> None:
    x = Tensor(np.zeros(3), requires_grad=True)
    f(x).sum().backward()
    np.testing.assert_array_equal(x.grad, np.full(3, expected))


def test_step_is_one_from_zero_up_and_has_zero_gradient_everywhere() -> None:
    x = Tensor(np.linspace(-2, 2, 9), requires_grad=True)
    y = x.step()
    y.sum().backward()
    np.testing.assert_array_equal(y.data, [0, 0, 0, 0, 1, 1, 1, 1, 1])  # step(0) = 1
    np.testing.assert_array_equal(x.grad, np.zeros(9))


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "elu", "abs"])
def test_subgradient_at_zero_matches_torch(name) -> None:
    pytest.importorskip("torch")
    x = np.array([-1.0, 0.0, 2.0])
    t = Tensor(x, requires_grad=True)
    getattr(t, name)().sum().backward()
    tt = torch.tensor(x, requires_grad=True)
    th = {"relu": torch.relu, "leaky_relu": lambda v: torch.nn.functional.leaky_relu(v, 0.01),
          "elu": torch.nn.functional.elu, "abs": torch.abs}[name]
    th(tt).sum().backward()
    close(t.grad, tt.grad.numpy(), 0.0)


@pytest.mark.parametrize(("axis", "expected"), [
    (None, [[0, 0.25, 0], [0.25, 0.25, 0.25]]),
    (0, [[0, 0.5, 0], [1, 0.5, 1]]),
    (1, [[0, 1, 0], [1 / 3, 1 / 3, 1 / 3]]),
])
def test_max_ties_split_the_gradient_equally(axis, expected) -> None:
    x = np.array([[1.0, 3.0, -1.0], [3.0, 3.0, 3.0]])
    t = Tensor(x, requires_grad=True)
    t.max(axis=axis).sum().backward()
    close(t.grad, expected, 1e-15, "max")
    close(t.grad, ag_grad(lambda v: anp.sum(anp.max(v, axis=axis)))(x), 1e-15, "autograd max")
    t = Tensor(-x, requires_grad=True)
    t.min(axis=axis).sum().backward()
    close(t.grad, expected, 1e-15, "min")
    if torch is not None:
        tt = torch.tensor(x, requires_grad=True)
        torch.amax(tt, dim=_dims(axis, 2)).sum().backward()
        close(tt.grad.numpy(), expected, 1e-15, "torch.amax")


def test_maximum_minimum_ties_split_half_half() -> None:
    a = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = Tensor([1.0, 5.0, 3.0], requires_grad=True)
    (maximum(a, b) * np.array([1.0, 10.0, 100.0])).sum().backward()
    close(a.grad, [0.5, 0.0, 50.0], 0.0)
    close(b.grad, [0.5, 10.0, 50.0], 0.0)
    a.grad = b.grad = None
    minimum(a, b).sum().backward()
    close(a.grad, [0.5, 1.0, 0.5], 0.0)
    close(b.grad, [0.5, 0.0, 0.5], 0.0)


@HYP
@given(data=st.data(), shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4))
def test_ndarray_constants_on_either_side_broadcast_like_numpy(data, shape) -> None:
    """c ⊙ x + x/(c² + 1) − c + (1.5 − x) ⊙ c, with c an ndarray of any shape that broadcasts with x's."""
    c_shape = data.draw(hnp.broadcastable_shapes(shape, min_dims=0, max_dims=len(shape), max_side=4), label="c shape")
    x = data.draw(hnp.arrays(np.float64, shape, elements=floats(-3, 3)), label="x")
    c = data.draw(hnp.arrays(np.float64, c_shape, elements=floats(-3, 3)), label="c")

    def ref(v):
        return c * v + v / (c ** 2 + 1) - c + (1.5 - v) * c

    t = Tensor(x.copy(), requires_grad=True)
    out = c * t + t / (c ** 2 + 1) - c + (1.5 - t) * c
    assert isinstance(out, Tensor) and out.shape == np.broadcast_shapes(shape, c_shape)
    close(out.data, ref(x), FWD_TOL, "forward")
    w = data.draw(hnp.arrays(np.float64, out.shape, elements=floats(-2, 2)), label="w")
    (out * w).sum().backward()
    assert t.grad.shape == shape
    close(t.grad, ag_grads(ref, [x], w)[0], GRAD_TOL, "grad")


@HYP
@given(data=st.data(), shape=hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=5),
       scale=st.sampled_from([1.0, 30.0, 1000.0]), reduction=st.sampled_from(["mean", "sum"]),
       as_labels=st.booleans())
def test_fused_softmax_cross_entropy_matches_its_composition(data, shape, scale, reduction, as_labels) -> None:
    """One fused node = log_softmax, pick (or weight), sum/mean: same loss and same gradient, for
    logits up to ±1000 and any leading shape."""
    z = data.draw(hnp.arrays(np.float64, shape, elements=floats(-1, 1)), label="z") * scale
    if as_labels:
        target = data.draw(hnp.arrays(np.int64, shape[:-1], elements=st.integers(0, shape[-1] - 1)), label="labels")
        weights = np.eye(shape[-1])[target]
    else:
        weights = data.draw(hnp.arrays(np.float64, shape, elements=floats(0, 1)), label="weights")
        target = weights
    fused_z = Tensor(z.copy(), requires_grad=True)
    fused = autodiff.softmax_cross_entropy(fused_z, target, reduction=reduction)
    fused.backward()
    ref_z = Tensor(z.copy(), requires_grad=True)
    ref = -(ref_z.log_softmax(axis=-1) * weights).sum()
    if reduction == "mean":
        ref = ref / (z.size // shape[-1])
    ref.backward()
    close(fused.data, ref.data, 1e-12 * max(1.0, abs(ref.item())), "loss")
    close(fused_z.grad, ref_z.grad, 1e-12, "grad")
