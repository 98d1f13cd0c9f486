"""Write your own op (issue 12): one definition gives Value, Tensor, numbers, pictures, gradcheck,
forward mode and second derivatives."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autodiff as ad
from autodiff import Tensor, Value, gradcheck
from autodiff.custom_op import DEFINED
from autodiff.ops import OPS
from autodiff.tensor_ops import TENSOR_OPS

torch = pytest.importorskip("torch")


@pytest.fixture
def define():
    """define_op, removing every op it made after the test (the table is global)."""
    made = []

    def make(name, *args, **kwargs):
        made.append(name)
        return ad.define_op(name, *args, **kwargs)

    yield make
    for name in made:
        DEFINED.discard(name)
        OPS.pop(name, None)
        TENSOR_OPS.pop(name, None)
        for cls in (Value, Tensor):
            if name in cls.__dict__:
                delattr(cls, name)


def softplus_rules():
    return dict(f=lambda m, x: m.log(1.0 + m.exp(x)), df=lambda m, y, x: (m.sigmoid(x),),
                formula="y = log(1 + eˣ);  y' = σ(x)")


def test_a_user_softplus_works_everywhere_the_built_in_ops_do(define) -> None:
    softplus = define("softplus_t1", **softplus_rules())
    assert softplus(0.5) == pytest.approx(math.log1p(math.exp(0.5)))
    np.testing.assert_allclose(softplus(np.array([0.0, 1.0])), np.log1p(np.exp([0.0, 1.0])))
    x = Value(0.5, label="x")
    y = softplus(x)
    y.backward()
    assert y.op == "softplus_t1" and x.grad == pytest.approx(1 / (1 + math.exp(-0.5)), rel=1e-15)
    assert gradcheck(lambda v: softplus(v) * v, [Value(0.3)])
    t = Tensor(np.array([[-1.0, 0.0, 2.0]]), requires_grad=True)
    (softplus(t) * np.array([1.0, 2.0, 3.0])).sum().backward()
    tt = torch.tensor([[-1.0, 0.0, 2.0]], dtype=torch.float64, requires_grad=True)
    (torch.nn.functional.softplus(tt) * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)).sum().backward()
    np.testing.assert_allclose(t.grad, tt.grad.numpy(), rtol=1e-14)
    assert gradcheck(lambda u: (softplus(u) ** 2).sum(), [Tensor(np.array([0.3, -0.7]), requires_grad=True)])


def test_a_user_op_has_forward_mode_second_derivatives_and_pictures(define) -> None:
    softplus = define("softplus_t2", **softplus_rules())
    s = 1 / (1 + math.exp(-0.4))
    assert ad.jvp(softplus, (0.4,), (2.0,))[1] == pytest.approx(2 * s, rel=1e-15)
    assert ad.grad(ad.grad(softplus))(0.4) == pytest.approx(s * (1 - s), rel=1e-14)
    x = Value(0.4, label="x")
    y = softplus(x)
    y.backward()
    assert "softplus_t2" in ad.draw(y).source and "σ(x)" in ad.draw(y).source  # its name, its formula
    assert "softplus_t2" in ad.explain(x, y)


def test_a_two_input_op_and_a_method(define) -> None:
    hypot = define("hypot_t", f=lambda m, a, b: m.sqrt(a * a + b * b), df=lambda m, y, a, b: (a / y, b / y))
    cube = define("cube_t", f=lambda m, x: x * x * x, df=lambda m, y, x: (3.0 * x * x,), method=True)
    a, b = Value(3.0), Value(4.0)
    h = hypot(a, b)
    h.backward()
    assert h.data == 5.0 and (a.grad, b.grad) == (0.6, 0.8)
    assert Value(2.0).cube_t().data == 8.0 and Tensor([2.0]).cube_t().data.tolist() == [8.0]
    assert ad.grad(lambda v: cube(v))(2.0) == 12.0


def test_bad_definitions_are_refused_and_leave_the_table_as_it_was(define) -> None:
    before = set(OPS)
    with pytest.raises(ValueError, match="exists already"):
        ad.define_op("tanh", **softplus_rules())
    with pytest.raises(ValueError, match="identifier"):
        ad.define_op("soft plus", **softplus_rules())
    with pytest.raises(TypeError, match="same inputs"):
        ad.define_op("mismatch_t", f=lambda m, x: x, df=lambda m, y, a, b: (1.0, 1.0))
    with pytest.raises(TypeError, match="fail on a sample input"):
        ad.define_op("broken_t", f=lambda m, x: m.no_such_function(x), df=lambda m, y, x: (1.0,))
    assert set(OPS) == before


def test_defining_a_user_op_again_replaces_it_as_a_rerun_notebook_cell_does(define) -> None:
    first = define("twice_t", f=lambda m, x: 2.0 * x, df=lambda m, y, x: (2.0,), method=True)
    x = Value(1.5)
    old = first(x)
    second = define("twice_t", f=lambda m, x: 3.0 * x, df=lambda m, y, x: (3.0,), method=True)
    assert second(Value(1.5)).data == 4.5 and Value(1.5).twice_t().data == 4.5
    assert Tensor([1.0]).twice_t().data.tolist() == [3.0]
    old.backward()
    assert old.data == 3.0 and x.grad == 2.0  # a graph built before keeps the rules it was built with
    assert "twice_t" in DEFINED and OPS["twice_t"].formula == "y = twice_t(x)"


def test_a_failed_definition_leaves_no_method_behind(define) -> None:
    with pytest.raises(TypeError, match="fail on a sample input"):
        ad.define_op("broken_m", f=lambda m, x: m.no_such_function(x), df=lambda m, y, x: (1.0,), method=True)
    assert not hasattr(Value, "broken_m") and not hasattr(Tensor, "broken_m")
    assert "broken_m" not in OPS and "broken_m" not in TENSOR_OPS and "broken_m" not in DEFINED
