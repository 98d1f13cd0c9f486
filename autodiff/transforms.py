"""Function transforms: ``grad``, ``value_and_grad``, ``vjp``, ``jvp``, ``jacrev``/``jacfwd``
(``jacobian`` = ``jacrev``), ``hessian`` and ``hvp``, composable (``grad(grad(f))``).

They take functions of floats, numpy arrays, Values and Tensors. Plain inputs give plain
results (floats, arrays); nodes give nodes, which is how the transforms compose: an inner
transform called with nodes returns its result as a graph the outer one differentiates.

    grad(f)(x)             ∇f(x) for scalar f, by one reverse sweep
    jvp(f, (x,), (v,))     (f(x), J·v), by one forward sweep
    vjp(f, x)              (f(x), u ↦ uᵀJ), one reverse sweep per u
    jacrev(f)(x)           J by rows: one reverse sweep per output
    jacfwd(f)(x)           J by columns: one forward sweep per input
    hessian(f)(x)          jacfwd(jacrev(f)): forward over reverse
    hvp(f, (x,), (v,))     H·v = jvp of grad: one forward-over-reverse sweep, no H

An output that does not depend on an input gets a zero derivative (as JAX and PyTorch's
``torch.func`` do), not an error. Shapes: a Jacobian has shape out_shape + in_shape.
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable, Sequence
from contextlib import nullcontext

import numpy as np

from . import engine, forward, grad_mode
from .errors import GradError, ShapeError
from .tensor import Tensor
from .tensor_functions import stack as _stack_tensors
from .value import Value

_NODES = (Value, Tensor)


# --- inputs and outputs -------------------------------------------------------------------------
def _is_node(x) -> bool:
    return isinstance(x, _NODES)


def as_input(x, where: str):
    """A node to differentiate at: a Value for a number, a Tensor (requiring grad) for an array;
    a node is used as it is (a nested transform's input), except a constant Tensor leaf, which
    gets a fresh leaf that requires grad."""
    if isinstance(x, Value):
        return x
    if isinstance(x, Tensor):
        return x if x.requires_grad or x.parents else Tensor.from_numpy(x.data.astype(float), requires_grad=True)
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return Value(float(x))
    if isinstance(x, (np.ndarray, list, tuple)):
        return Tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
    raise TypeError(f"{where}: an input must be a real number, an array, a Value or a Tensor, "
                    f"got {type(x).__name__}")


def _plain(x):
    """A result as numbers: a Value's float, a Tensor's array (lists and tuples item by item)."""
    if isinstance(x, Value):
        return x.data
    if isinstance(x, Tensor):
        return x.data
    if isinstance(x, (list, tuple)):
        return type(x)(_plain(v) for v in x)
    return x


def _shape(x) -> tuple:
    """The shape of an input or an output: () for a scalar, (m,) for a list of m scalars."""
    if isinstance(x, (list, tuple)):
        return (len(x),)
    return tuple(np.shape(x.data if _is_node(x) else x))


def _argnums(argnums, args: tuple, where: str) -> tuple:
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for i in nums:
        if not isinstance(i, int) or not -len(args) <= i < len(args):
            raise TypeError(f"{where}: argnums {argnums!r} does not fit a call with {len(args)} argument(s)")
    return tuple(i % len(args) for i in nums)


def _prepare(args: tuple, argnums, where: str) -> tuple:
    """(the arguments with the differentiated ones made nodes, their indices, plain results?)."""
    nums = _argnums(argnums, args, where)
    inputs = list(args)
    for i in nums:
        inputs[i] = as_input(args[i], where)
    return inputs, nums, _plain_call(args)


def _plain_call(args) -> bool:
    """Whether results are given as numbers: no argument is a node and no transform encloses
    the call (else a result may be differentiated again, even through what f closes over)."""
    return not _nested() and not any(_is_node(a) for a in args)


def _nested() -> bool:
    """Whether a result may be differentiated again: inside a reverse transform or a forward level."""
    return grad_mode.reverse_depth() > 0 or bool(grad_mode.levels())


def _zeros_like_input(g, x):
    """An input's gradient, zeros where the output did not reach it (None)."""
    if g is None:
        return np.zeros(x.shape) if isinstance(x, Tensor) else 0.0
    return g


def _pick(results: tuple, argnums):
    return results[0] if isinstance(argnums, int) else results


# --- reverse mode -------------------------------------------------------------------------------
def _scalar_seed(out, where: str):
    """The seed 1 of a scalar output (None: the output is a constant, its gradient zero)."""
    if isinstance(out, Value):
        return 1.0
    if isinstance(out, Tensor):
        if out.size != 1:
            raise GradError(f"{where} needs f to return a scalar, but it returned shape {out.shape}: use "
                            "autodiff.jacobian (jacrev/jacfwd) for a vector output, or reduce it first "
                            "(e.g. .sum())")
        return np.ones(out.shape) if out.requires_grad else None
    if isinstance(out, numbers.Real) or (isinstance(out, np.ndarray) and out.size == 1):
        return None
    raise GradError(f"{where} needs f to return a scalar (a Value, a one-element Tensor or a number), "
                    f"got {type(out).__name__}")


def value_and_grad(f: Callable, argnums: int | Sequence[int] = 0) -> Callable:
    """``(f(*args), ∂f/∂args[argnums])`` in one forward and one reverse sweep (f scalar)."""

    @functools.wraps(f)
    def wrapped(*args):
        inputs, nums, plain = _prepare(args, argnums, "grad")
        nested = _nested()
        with grad_mode.reverse_transform(), grad_mode.enable_grad():
            out = f(*inputs)
            seed = _scalar_seed(out, "grad")
            xs = [inputs[i] for i in nums]
            gs = engine.gradients(out, seed, xs, nested) if seed is not None else [None] * len(xs)
        gs = tuple(_zeros_like_input(g, x) for g, x in zip(gs, xs))
        if plain:
            return _plain(out), _pick(tuple(_plain(g) for g in gs), argnums)
        return out, _pick(gs, argnums)

    return wrapped


def grad(f: Callable, argnums: int | Sequence[int] = 0) -> Callable:
    """∇f: the function x ↦ ∂f/∂x for a scalar-valued f (one reverse sweep per call).

    ``argnums`` picks the argument(s) to differentiate (a tuple gives a tuple of gradients).
    Composable: ``grad(grad(f))`` is f''. A non-scalar output raises ``GradError`` naming its
    shape (use ``jacobian``); an input the output does not depend on gets zeros."""
    vg = value_and_grad(f, argnums)

    @functools.wraps(f)
    def wrapped(*args):
        return vg(*args)[1]

    return wrapped


def vjp(f: Callable, *primals) -> tuple:
    """``(f(*primals), vjp_fn)``: ``vjp_fn(u)`` is uᵀJ, one tuple entry per primal, each by one
    reverse sweep through the graph recorded once."""
    inputs, nums, plain = _prepare(primals, tuple(range(len(primals))), "vjp")
    nested = _nested()
    with grad_mode.reverse_transform(), grad_mode.enable_grad():
        out = f(*inputs)

    def vjp_fn(cotangent):
        if not _is_node(out):
            return tuple(_plain(_zeros_like_input(None, x)) for x in inputs)
        seed = _seed_like(out, cotangent)
        with grad_mode.reverse_transform():
            gs = engine.gradients(out, seed, inputs, nested)
        gs = tuple(_zeros_like_input(g, x) for g, x in zip(gs, inputs))
        return tuple(_plain(g) for g in gs) if plain else gs

    return (_plain(out) if plain else out), vjp_fn


def _seed_like(out, u):
    if isinstance(out, Value):
        return u if _is_node(u) else float(u)
    seed = u if _is_node(u) else np.asarray(u, dtype=np.float64)
    if tuple(seed.shape) != out.shape:
        raise ShapeError(f"vjp: the cotangent has shape {tuple(seed.shape)} but f's output has shape {out.shape}")
    return seed


def _rows(out) -> list:
    """(node, seed) for each entry of an output, in row-major order (node None: a constant)."""
    if isinstance(out, Value):
        return [(out, 1.0)]
    if isinstance(out, Tensor):
        rows = []
        for k in range(out.size):
            seed = np.zeros(out.shape)
            seed.flat[k] = 1.0
            rows.append((out if out.requires_grad else None, seed))
        return rows
    if isinstance(out, (list, tuple)):
        return [row for v in out for row in _rows(v)]
    return [(None, None)] * int(np.size(out))


def jacrev(f: Callable, argnums: int | Sequence[int] = 0) -> Callable:
    """The Jacobian ∂f/∂x by rows: one forward sweep, then one reverse sweep per output entry.
    Shape out_shape + in_shape (a tuple of them for several argnums)."""

    @functools.wraps(f)
    def wrapped(*args):
        inputs, nums, plain = _prepare(args, argnums, "jacrev")
        nested = _nested()
        xs = [inputs[i] for i in nums]
        with grad_mode.reverse_transform(), grad_mode.enable_grad():
            out = f(*inputs)
            rows = [engine.gradients(node, seed, xs, nested) if node is not None else [None] * len(xs)
                    for node, seed in _rows(out)]
        jacs = tuple(_assemble([_zeros_like_input(row[k], x) for row in rows], _shape(out), x.shape if
                               isinstance(x, Tensor) else (), plain, rows_first=True)
                     for k, x in enumerate(xs))
        return _pick(jacs, argnums)

    return wrapped


jacobian = jacrev


def _assemble(parts: list, out_shape: tuple, in_shape: tuple, plain: bool, rows_first: bool):
    """A Jacobian of shape out_shape + in_shape from its rows (each in_shape) or its columns
    (each out_shape): numbers for plain inputs, else nodes (a Tensor, a Value, or a list)."""
    if plain or not any(_is_node(p) for p in parts):
        arr = np.array([_plain(p) for p in parts], dtype=np.float64)
        arr = arr.reshape((-1,) + (in_shape if rows_first else out_shape))
        jac = arr if rows_first else np.moveaxis(arr, 0, -1)
        jac = jac.reshape(out_shape + in_shape)
        return float(jac) if jac.shape == () else jac
    if all(isinstance(p, Value) or not isinstance(p, Tensor) for p in parts):
        return parts[0] if len(parts) == 1 and out_shape + in_shape == () else list(parts)
    stacked = _stack_tensors([p if isinstance(p, Tensor) else Tensor(np.asarray(p)) for p in parts], axis=0)
    if rows_first:
        return stacked.reshape(out_shape + in_shape)
    return stacked.reshape((-1,) + out_shape).transpose(tuple(range(1, len(out_shape) + 1)) + (0,)) \
        .reshape(out_shape + in_shape)


# --- forward mode -------------------------------------------------------------------------------
def jvp(f: Callable, primals: Sequence, tangents: Sequence) -> tuple:
    """``(f(*primals), J·tangents)`` in one forward sweep: every op pushes the tangent
    ẏ = Σᵢ ∂y/∂xᵢ ẋᵢ as it runs (no backward pass; no graph is kept unless a reverse transform
    around this call needs it). ``primals`` and ``tangents`` are tuples of the same structure."""
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise TypeError(f"jvp: {len(primals)} primal(s) but {len(tangents)} tangent(s)")
    return _jvp(f, primals, tangents)


def _jvp(f, primals: tuple, tangents: tuple) -> tuple:
    """jvp; a primal whose tangent is None is passed to f as it is (jacfwd's other arguments)."""
    inputs = [p if t is None else as_input(p, "jvp") for p, t in zip(primals, tangents)]
    plain = _plain_call(primals)
    keep_graph = grad_mode.reverse_depth() > 0
    level = forward.Level(differentiable=keep_graph)
    with grad_mode.forward_level(level), nullcontext() if keep_graph else grad_mode.no_grad():
        for x, t in zip(inputs, tangents):
            if t is not None:
                level.tangents[x] = _as_tangent(t, x, level.differentiable)
        out = f(*inputs)
    forward.count("forward_sweeps")
    dout = _tangents_of(out, level)
    return (_plain(out), _plain(dout)) if plain else (out, dout)


def _as_tangent(t, x, differentiable: bool):
    if isinstance(x, Value):
        if differentiable and isinstance(t, Value):
            return t
        return float(t.data if _is_node(t) else t)
    if differentiable and isinstance(t, Tensor):
        arr = t
    else:
        arr = np.asarray(t.data if _is_node(t) else t, dtype=np.float64)
    if tuple(arr.shape) != x.shape:
        raise ShapeError(f"jvp: a tangent of shape {tuple(arr.shape)} for a primal of shape {x.shape}; "
                         "each tangent has its primal's shape")
    return arr


def _tangents_of(out, level):
    if isinstance(out, (list, tuple)):
        return type(out)(_tangents_of(o, level) for o in out)
    if _is_node(out):
        t = level.tangents.get(out)
        if t is None:
            return 0.0 if isinstance(out, Value) else np.zeros(out.shape)
        return t
    return np.zeros(np.shape(out)) if isinstance(out, np.ndarray) else 0.0


def jacfwd(f: Callable, argnums: int | Sequence[int] = 0) -> Callable:
    """The Jacobian ∂f/∂x by columns: one forward sweep per input entry (cheaper than jacrev when
    f has fewer inputs than outputs). Shape out_shape + in_shape."""

    @functools.wraps(f)
    def wrapped(*args):
        nums = _argnums(argnums, args, "jacfwd")
        plain = _plain_call(args)
        jacs = []
        for i in nums:
            x = args[i]
            in_shape = _shape(x)
            cols, out = [], None
            for basis in _basis(x, in_shape):
                tangents = tuple(basis if k == i else None for k in range(len(args)))
                out, dout = _jvp(f, args, tangents)
                cols.append(_flatten_tangent(dout))
            jacs.append(_assemble(cols, _shape(out), in_shape, plain, rows_first=False))
        return _pick(tuple(jacs), argnums)

    return wrapped


def _basis(x, shape: tuple):
    """The unit tangents e_j for an input: 1.0 for a scalar, one-hot arrays otherwise."""
    if shape == () and not isinstance(x, (np.ndarray, Tensor)):
        yield 1.0
        return
    for j in range(int(np.prod(shape, dtype=int))):
        e = np.zeros(shape)
        e.flat[j] = 1.0
        yield e


def _flatten_tangent(dout):
    if isinstance(dout, (list, tuple)):
        return [_flatten_tangent(d) for d in dout]
    return dout


def hessian(f: Callable, argnums: int = 0) -> Callable:
    """The Hessian ∂²f/∂x² of a scalar f, forward over reverse: the gradient's graph is recorded
    once (one forward and one reverse sweep, ``create_graph``), then one forward sweep through
    that recorded graph per input entry gives one column. Symmetric; shape in_shape + in_shape.
    Inside another transform it is ``jacfwd(jacrev(f))``, so that it can be differentiated again."""
    if not isinstance(argnums, int):
        raise TypeError("hessian takes one argnum (a Hessian of several arguments: hessian of a "
                        "function of one concatenated array)")
    nested_form = jacfwd(jacrev(f, argnums), argnums)

    @functools.wraps(f)
    def wrapped(*args):
        inputs, nums, plain = _prepare(args, argnums, "hessian")
        if not plain:
            return nested_form(*args)
        x = inputs[nums[0]]
        with grad_mode.reverse_transform(), grad_mode.enable_grad():
            out = f(*inputs)
            seed = _scalar_seed(out, "hessian")
            g = engine.gradients(out, seed, [x], create_graph=True)[0] if seed is not None else None
        in_shape = _shape(x)
        if not _is_node(g):
            return _assemble([np.zeros(in_shape)] * int(np.prod(in_shape, dtype=int)), in_shape, in_shape,
                             True, rows_first=False)
        order = forward.depending_on(g, [x])
        cols = []
        for basis in _basis(args[nums[0]], in_shape):
            forward.count("forward_sweeps")
            cols.append(forward.push_through(order, {x: basis}).get(g, np.zeros(in_shape)))
        return _assemble(cols, in_shape, in_shape, True, rows_first=False)

    return wrapped


def hvp(f: Callable, primals: Sequence, tangents: Sequence):
    """H·v for a scalar f without forming H: the forward-mode derivative of ∇f along v (one
    forward-over-reverse sweep). ``primals``/``tangents`` as for ``jvp``; returns the tangent(s)
    of the gradient, one per primal."""
    primals, tangents = tuple(primals), tuple(tangents)
    g = grad(f, tuple(range(len(primals))))
    out = jvp(lambda *xs: g(*xs), primals, tangents)[1]
    return out[0] if len(primals) == 1 else out
