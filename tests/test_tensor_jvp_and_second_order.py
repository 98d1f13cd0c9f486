"""Every tensor op of the table in test_tensor_ops.py, in forward mode and to second order.

For each row (an op on given shapes, inputs away from its kinks):
* its JVP against central differences, against ``torch.func.jvp``, and against its own VJP by the
  dot-product test ⟨J·ẋ, w⟩ = ⟨ẋ, Jᵀ·w⟩ (forward and reverse mode agree on every op);
* the Hessian-vector product of L = Σ w ⊙ op(x) by forward over reverse (``hvp``) against reverse
  over reverse (``grad`` of ⟨∇L, v⟩, the rules run on nodes), against torch, and against
  central differences of the gradient.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from test_tensor_ops import IDS, TABLE, Row, our_grads

import autodiff
from autodiff import Tensor
from autodiff.custom_op import DEFINED

torch = pytest.importorskip("torch")
torch_func = pytest.importorskip("torch.func")

TOL = 1e-9


def close(actual, expected, tol: float, what: str = "") -> None:
    np.testing.assert_allclose(np.asarray(actual, dtype=float), np.asarray(expected, dtype=float),
                               rtol=tol, atol=tol, err_msg=what)


def _directions(row: Row, xs: list, salt: int) -> list:
    rng = np.random.default_rng(zlib.crc32(row.id.encode()) + salt)
    return [rng.normal(size=x.shape) for x in xs]


def _loss(row: Row, w: np.ndarray):
    return lambda *ts: (row.ours(*ts) * w).sum()


@pytest.mark.parametrize("row", TABLE, ids=IDS)
def test_jvp_matches_central_differences_and_torch(row: Row) -> None:
    xs, _ = row.inputs_and_weight()
    dxs = _directions(row, xs, 1)
    out, dout = autodiff.jvp(row.ours, xs, dxs)
    close(out, row.ref(*xs), 1e-12, "primal")
    h = 1e-6
    fd = (np.asarray(row.ref(*[x + h * d for x, d in zip(xs, dxs)]))
          - np.asarray(row.ref(*[x - h * d for x, d in zip(xs, dxs)]))) / (2 * h)
    close(dout, fd, 2e-5, "central differences")
    if row.th is not None:
        _, t_dout = torch_func.jvp(row.th, tuple(torch.tensor(x) for x in xs), tuple(torch.tensor(d) for d in dxs))
        close(dout, t_dout.numpy(), TOL, "torch.func.jvp")


@pytest.mark.parametrize("row", TABLE, ids=IDS)
def test_forward_and_reverse_mode_agree_by_the_dot_product_test(row: Row) -> None:
    xs, w = row.inputs_and_weight()
    dxs = _directions(row, xs, 2)
    _, dout = autodiff.jvp(row.ours, xs, dxs)
    vjps = our_grads(row, xs, w)
    lhs = float(np.sum(np.asarray(dout) * w))
    rhs = sum(float(np.sum(d * g)) for d, g in zip(dxs, vjps))
    assert lhs == pytest.approx(rhs, rel=1e-10, abs=1e-10)


@pytest.mark.parametrize("row", TABLE, ids=IDS)
def test_hessian_vector_product_four_ways(row: Row) -> None:
    xs, w = row.inputs_and_weight()
    vs = _directions(row, xs, 3)
    loss = _loss(row, w)
    over_reverse = autodiff.hvp(loss, xs, vs)
    over_reverse = [over_reverse] if len(xs) == 1 else list(over_reverse)

    grads = autodiff.grad(loss, tuple(range(len(xs))))
    rr = autodiff.grad(lambda *ts: sum((g * v).sum() for g, v in zip(grads(*ts), vs)), tuple(range(len(xs))))(*xs)
    for a, b in zip(over_reverse, rr):
        close(a, b, TOL, "forward-over-reverse vs reverse-over-reverse")

    h = 1e-5
    plus = grads(*[np.asarray(x + h * v) for x, v in zip(xs, vs)])
    minus = grads(*[np.asarray(x - h * v) for x, v in zip(xs, vs)])
    for a, p, m in zip(over_reverse, plus, minus):
        close(a, (np.asarray(p) - np.asarray(m)) / (2 * h), 2e-4, "central differences of the gradient")

    if row.th is not None:
        wt = torch.tensor(w)
        primals = tuple(torch.tensor(x) for x in xs)
        _, t_hvp = torch.autograd.functional.hvp(lambda *ts: (row.th(*ts) * wt).sum(), primals,
                                                 tuple(torch.tensor(v) for v in vs))
        t_hvp = t_hvp if isinstance(t_hvp, tuple) else (t_hvp,)
        for a, b in zip(over_reverse, t_hvp):
            close(a, b.numpy(), TOL, "torch hvp")


def test_every_tensor_op_has_a_jvp_and_the_table_reaches_it() -> None:
    from autodiff.tensor_ops import TENSOR_OPS

    assert all(callable(op.jvp) and callable(op.vjp) for op in TENSOR_OPS.values())
    seen = set()
    for row in TABLE:
        xs, _ = row.inputs_and_weight()
        seen.update(n.op for n in autodiff.topological_order(row.ours(*[Tensor(x, requires_grad=True) for x in xs])))
    assert set(TENSOR_OPS) - seen - DEFINED == set()  # (ops a user defined are tested where defined)
