"""The op catalogue of the differential test: each op run on autodiff, run in PyTorch, and printed.

``OPS[name]`` holds ``ours(*nodes, **params)`` (our Value or Tensor API), ``torch(*tensors,
**params)`` (float64, CPU) and ``text`` (how the step reads as Python). The torch column is
PyTorch's own function wherever one exists; the test module replaces it by the rule we document
where our choice differs (``DOCUMENTED_CHOICES``). A few translations are not choices but
PyTorch's gaps: indexing goes through ``take`` on the grid of flat positions (torch has no negative
slice steps), and a list of Values becomes a stacked tensor.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
import torch.nn.functional as F

import autodiff
from autodiff import Value
from nn import activations, losses

if TYPE_CHECKING:
    from _programs import Index

F64 = torch.float64


# --- torch helpers -------------------------------------------------------------------------------
def as_torch(c: Any) -> Any:
    """A constant for a torch op: arrays become tensors (int arrays int64), numbers stay numbers."""
    if isinstance(c, np.ndarray):
        if c.dtype.kind in "iub":
            return torch.from_numpy(c.astype(np.int64))
        return torch.from_numpy(np.array(c, dtype=np.float64))
    return c


def stacked(x: Any) -> torch.Tensor:
    """A (nested) list of 0-d tensors or numbers as one tensor (how torch sees a list of Values)."""
    if isinstance(x, torch.Tensor):
        return x
    if isinstance(x, (list, tuple)):
        return torch.stack([stacked(v) for v in x])
    return torch.tensor(float(x), dtype=F64)


def torch_dims(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    return tuple(a % ndim for a in (axis if isinstance(axis, tuple) else (axis,)))


def torch_reduce(fn: Callable, x: torch.Tensor, axis: Any, keepdims: bool) -> torch.Tensor:
    if axis == ():  # numpy reduces over no axis at all: each entry is its own slice
        return x * 1.0
    if x.dim() == 0:
        return fn(x)
    return fn(x, dim=torch_dims(axis, x.dim()), keepdim=keepdims)


def torch_softmax(x: torch.Tensor, axis: Any, fn: Callable) -> torch.Tensor:
    """softmax or log_softmax over one axis, several, or all (None): torch takes one ``dim``, so the
    reduced axes are moved to the end and flattened into one."""
    dims = torch_dims(axis, x.dim())
    if len(dims) == 1:
        return fn(x, dim=dims[0])
    rest = [d for d in range(x.dim()) if d not in dims]
    moved = x.permute(rest + list(dims))
    out = fn(moved.reshape(tuple(moved.shape[:len(rest)]) + (-1,)), dim=-1).reshape(moved.shape)
    return out.permute(tuple(np.argsort(rest + list(dims)).tolist()))


def torch_getitem(x: torch.Tensor, index: Index) -> torch.Tensor:
    """x[index] with numpy's semantics (negative steps, mixed advanced indices): numpy indexes the
    grid of flat positions, torch gathers them (``take`` scatter-adds repeats on the way back)."""
    positions = np.arange(x.numel()).reshape(tuple(x.shape))[index.key]
    return torch.take(x, torch.from_numpy(np.array(positions, dtype=np.int64, order="C")))


def rows_and_targets(z: torch.Tensor, target: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """Logits as (rows, K) and the target as labels (rows,) or weights (rows, K), for F.cross_entropy."""
    t = as_torch(np.asarray(target))
    k = z.shape[-1]
    if t.dtype == torch.int64:
        return z.reshape(-1, k), t.reshape(-1)
    return z.reshape(-1, k), t.reshape(-1, k)


def torch_cross_entropy(z: torch.Tensor, target: Any, reduction: str = "mean") -> torch.Tensor:
    rows, t = rows_and_targets(stacked(z), target)
    return F.cross_entropy(rows, t, reduction=reduction)


def matched_targets(p: torch.Tensor, target: np.ndarray) -> torch.Tensor:
    """Targets of shape (N,) for predictions (N, 1) or the other way round, reshaped as our losses
    document (PyTorch's losses would broadcast them into an (N, N) table, with a warning)."""
    return as_torch(np.asarray(target, dtype=np.float64).reshape(tuple(p.shape)))


def torch_mse(pred, target, half=False, mean_over="all"):
    p = stacked(pred)
    r = matched_targets(p, target) - p
    n = p.numel() if mean_over == "all" else (p.shape[0] if p.dim() else 1)
    c = (r * r).sum() / n
    return c * 0.5 if half else c


def torch_rss(pred, target, half=False):
    p = stacked(pred)
    r = matched_targets(p, target) - p
    return (r * r).sum() * (0.5 if half else 1.0)


def torch_bce_with_logits(z, target, reduction="mean"):
    z = stacked(z)
    return F.binary_cross_entropy_with_logits(z, matched_targets(z, target), reduction=reduction)


def torch_bce(p, target, eps=1e-12, reduction="mean"):
    p = stacked(p)
    return F.binary_cross_entropy(p, matched_targets(p, target), reduction=reduction)


def torch_cross_entropy_of_probabilities(p, target, eps=1e-12, reduction="mean"):
    p = stacked(p)
    rows, t = rows_and_targets(p, target)
    return F.nll_loss(rows.log(), t, reduction=reduction) if t.dtype == torch.int64 else \
        -(t * rows.log()).sum() / (rows.shape[0] if reduction == "mean" else 1)


def torch_hinge(s, target, margin=1.0, reduction="mean"):
    # PyTorch has no max-margin loss of this form (hinge_embedding_loss is another loss): the formula
    s = stacked(s)
    terms = torch.relu(margin - matched_targets(s, target) * s)
    return terms.mean() if reduction == "mean" else terms.sum()


# --- the op catalogue ----------------------------------------------------------------------------
@dataclass(frozen=True)
class OpSpec:
    """One program op: ``ours(*nodes, **params)``, ``torch(*tensors, **params)``, and how it reads
    (a format string over the args' names ``{0}``, ``{1}`` and the params' sources ``{name}``)."""

    ours: Callable[..., Any]
    torch: Callable[..., Any]
    text: str


OPS: dict[str, OpSpec] = {}


def _op(name: str, text: str, ours: Callable, theirs: Callable | None = None) -> None:
    OPS[name] = OpSpec(ours, theirs or ours, text)


# Python operators: the same code runs on Values, Tensors and torch tensors
for _name, _sym, _fn in [("add", "+", operator.add), ("sub", "-", operator.sub),
                         ("mul", "*", operator.mul), ("div", "/", operator.truediv),
                         ("pow", "**", operator.pow), ("matmul", "@", operator.matmul)]:
    _op(_name, f"{{0}} {_sym} {{1}}", _fn)
    # with a constant (a number, or an array that broadcasts) on the right and on the left
    _op(f"{_name}_c", f"{{0}} {_sym} {{c}}", lambda a, c, f=_fn: f(a, c), lambda a, c, f=_fn: f(a, as_torch(c)))
    _op(f"r{_name}_c", f"{{c}} {_sym} {{0}}", lambda a, c, f=_fn: f(c, a), lambda a, c, f=_fn: f(as_torch(c), a))
_op("neg", "-{0}", operator.neg)
_op("pow_n", "{0} ** {n}", lambda a, n: a ** n)

for _name in ("exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu"):
    _op(_name, f"{{0}}.{_name}()", operator.methodcaller(_name))
    _op(f"autodiff.{_name}", f"autodiff.{_name}({{0}})", getattr(autodiff, _name), getattr(torch, _name))
_op("abs", "abs({0})", abs)
_op("abs()", "{0}.abs()", operator.methodcaller("abs"))
_op("autodiff.abs", "autodiff.abs({0})", autodiff.abs, torch.abs)
_op("leaky_relu", "{0}.leaky_relu({alpha})", lambda x, alpha: x.leaky_relu(alpha),
    lambda x, alpha: F.leaky_relu(x, alpha))
_op("elu", "{0}.elu({alpha})", lambda x, alpha: x.elu(alpha), lambda x, alpha: F.elu(x, alpha))
_op("step", "{0}.step()", operator.methodcaller("step"),
    lambda x: torch.heaviside(x, torch.ones((), dtype=F64)))


def _torch_bound(b: Any) -> Any:
    return None if b is None else torch.as_tensor(b, dtype=F64)


_op("clip", "{0}.clip({lo}, {hi})", lambda x, lo, hi: x.clip(lo, hi),
    lambda x, lo, hi: torch.clamp(x, _torch_bound(lo), _torch_bound(hi)))
_op("autodiff.clip", "autodiff.clip({0}, {lo}, {hi})", lambda x, lo, hi: autodiff.clip(x, lo, hi),
    OPS["clip"].torch)
_op("maximum", "autodiff.maximum({0}, {1})", autodiff.maximum, torch.maximum)
_op("minimum", "autodiff.minimum({0}, {1})", autodiff.minimum, torch.minimum)
_op("maximum_c", "autodiff.maximum({0}, {c})", lambda a, c: autodiff.maximum(a, c),
    lambda a, c: torch.maximum(a, torch.as_tensor(c, dtype=F64)))
_op("minimum_c", "autodiff.minimum({0}, {c})", lambda a, c: autodiff.minimum(a, c),
    lambda a, c: torch.minimum(a, torch.as_tensor(c, dtype=F64)))

# --- Tensor: shapes, reductions, indexing, joins, softmax family ----------------------------------
_op("affine", "autodiff.affine({0}, {1}, {2})", autodiff.affine, lambda x, w, b: x @ w + b)
_op("affine_nobias", "autodiff.affine({0}, {1})", autodiff.affine, operator.matmul)
_op("T", "{0}.T", operator.attrgetter("T"), lambda x: x.permute(tuple(reversed(range(x.dim())))))
_op("transpose", "{0}.permute({axes})", lambda x, axes: x.permute(axes), lambda x, axes: x.permute(*axes))
_op("reshape", "{0}.reshape({shape})", lambda x, shape: x.reshape(shape))
_op("flatten", "{0}.flatten()", operator.methodcaller("flatten"), lambda x: x.reshape(-1))
_op("getitem", "{0}[{index}]", lambda x, index: x[index.ours()], torch_getitem)
_op("getitem_where", "{0}[{0} > {c}]", lambda x, c: x[x > c])
for _name, _torch_fn in [("sum", torch.sum), ("mean", torch.mean), ("max", torch.amax), ("min", torch.amin)]:
    _op(_name, f"{{0}}.{_name}(axis={{axis}}, keepdims={{keepdims}})",
        lambda x, axis, keepdims, m=_name: getattr(x, m)(axis=axis, keepdims=keepdims),
        lambda x, axis, keepdims, f=_torch_fn: torch_reduce(f, x, axis, keepdims))
for _name, _torch_fn in [("var", torch.var), ("std", torch.std)]:
    _op(_name, f"{{0}}.{_name}(axis={{axis}}, keepdims={{keepdims}}, ddof={{ddof}})",
        lambda x, axis, keepdims, ddof, m=_name: getattr(x, m)(axis=axis, keepdims=keepdims, ddof=ddof),
        lambda x, axis, keepdims, ddof, f=_torch_fn: f(x, dim=torch_dims(axis, x.dim()), correction=ddof,
                                                       keepdim=keepdims))
_op("concatenate", "autodiff.concatenate({0}, axis={axis})", autodiff.concatenate,
    lambda xs, axis: torch.cat([as_torch(x) for x in xs], dim=axis))
_op("stack", "autodiff.stack({0}, axis={axis})", autodiff.stack,
    lambda xs, axis: torch.stack([as_torch(x) for x in xs], dim=axis))
_op("softmax", "{0}.softmax(axis={axis})", lambda x, axis: x.softmax(axis=axis),
    lambda x, axis: torch_softmax(x, axis, torch.softmax))
_op("log_softmax", "{0}.log_softmax(axis={axis})", lambda x, axis: x.log_softmax(axis=axis),
    lambda x, axis: torch_softmax(x, axis, torch.log_softmax))
_op("logsumexp", "{0}.logsumexp(axis={axis}, keepdims={keepdims})",
    lambda x, axis, keepdims: x.logsumexp(axis=axis, keepdims=keepdims),
    lambda x, axis, keepdims: torch.logsumexp(x, dim=torch_dims(axis, x.dim()), keepdim=keepdims))
_op("softmax_cross_entropy", "autodiff.softmax_cross_entropy({0}, {target}, reduction={reduction})",
    autodiff.softmax_cross_entropy, torch_cross_entropy)
# logits masked with −inf (attention-style): softmax and friends must stay finite where a row has
# a finite entry
_op("masked_softmax", "({0} + {mask}).softmax(axis={axis})", lambda x, mask, axis: (x + mask).softmax(axis=axis),
    lambda x, mask, axis: torch.softmax(x + as_torch(mask), dim=axis))
_op("masked_logsumexp", "({0} + {mask}).logsumexp(axis={axis})",
    lambda x, mask, axis: (x + mask).logsumexp(axis=axis),
    lambda x, mask, axis: torch.logsumexp(x + as_torch(mask), dim=axis))
_op("masked_max", "({0} + {mask}).max(axis={axis})", lambda x, mask, axis: (x + mask).max(axis=axis),
    lambda x, mask, axis: torch.amax(x + as_torch(mask), dim=axis))
_op("masked_softmax_cross_entropy",
    "autodiff.softmax_cross_entropy({0} + {mask}, {target}, reduction={reduction})",
    lambda x, mask, target, reduction: autodiff.softmax_cross_entropy(x + mask, target, reduction),
    lambda x, mask, target, reduction: torch_cross_entropy(x + as_torch(mask), target, reduction))
_op("weighted_sum", "({0} * {w}).sum()", lambda x, w: (x * w).sum(), lambda x, w: (x * as_torch(w)).sum())

# --- Value: n-ary nodes and the list activations of nn ---------------------------------------------
_op("Value.sum", "Value.sum({0})", Value.sum, lambda xs: stacked(xs).sum())
_op("Value.dot", "Value.dot({0}, {1})", Value.dot, lambda ws, xs: (stacked(ws) * stacked(xs)).sum())
_op("Value.dot+b", "Value.dot({0}, {1}, {2})", Value.dot,
    lambda ws, xs, b: (stacked(ws) * stacked(xs)).sum() + b)
_op("Value.dot+c", "Value.dot({0}, {1}, {c})", lambda ws, xs, c: Value.dot(ws, xs, c),
    lambda ws, xs, c: (stacked(ws) * stacked(xs)).sum() + c)
_op("softmax_list", "activations.softmax({0})", activations.softmax,
    lambda xs: torch.softmax(stacked(xs), 0).unbind())
_op("log_softmax_list", "activations.log_softmax({0})", activations.log_softmax,
    lambda xs: torch.log_softmax(stacked(xs), 0).unbind())

# --- nn losses (on a Tensor, or on a (nested) list of Values) ---------------------------------------
_op("mse", "losses.mse({0}, {target}, half={half}, mean_over={mean_over})", losses.mse, torch_mse)
_op("rss", "losses.rss({0}, {target}, half={half})", losses.rss, torch_rss)
_op("binary_cross_entropy", "losses.binary_cross_entropy({0}, {target}, eps={eps}, reduction={reduction})",
    losses.binary_cross_entropy, torch_bce)
_op("bce_with_logits", "losses.bce_with_logits({0}, {target}, reduction={reduction})",
    losses.bce_with_logits, torch_bce_with_logits)
_op("cross_entropy_from_probabilities", "losses.cross_entropy_from_probabilities({0}, {target}, eps={eps}, reduction={reduction})",
    losses.cross_entropy_from_probabilities, torch_cross_entropy_of_probabilities)
_op("cross_entropy_with_logits", "losses.cross_entropy_with_logits({0}, {target}, reduction={reduction})",
    losses.cross_entropy_with_logits, torch_cross_entropy)
_op("hinge", "losses.hinge({0}, {target}, margin={margin}, reduction={reduction})", losses.hinge, torch_hinge)
