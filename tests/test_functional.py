"""autodiff.exp(x) & co: one forward rule, whether x is a Value, a Tensor, a float or an array."""

import math

import numpy as np
import pytest

import autodiff as ad
from autodiff import Tensor, Value


@pytest.mark.parametrize("name", ["exp", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "relu",
                                  "leaky_relu", "elu", "step", "log"])
def test_function_agrees_across_input_kinds(name):
    fn = getattr(ad, name)
    xs = [0.3, 1.7, 2.5]
    as_float = [fn(x) for x in xs]
    as_array = fn(np.array(xs))
    as_values = [fn(Value(x)).data for x in xs]
    as_tensor = fn(Tensor(xs)).data
    np.testing.assert_allclose(as_array, as_float, rtol=1e-15)
    np.testing.assert_allclose(as_values, as_float, rtol=1e-15)
    np.testing.assert_allclose(as_tensor, as_float, rtol=1e-15)


def test_node_inputs_build_graph_nodes():
    x = Value(0.5)
    y = ad.tanh(x)
    y.backward()
    assert y.op == "tanh" and x.grad == pytest.approx(1 - math.tanh(0.5) ** 2, abs=1e-15)
    t = Tensor([0.5, -1.0], requires_grad=True)
    ad.leaky_relu(t, 0.1).sum().backward()
    np.testing.assert_array_equal(t.grad, [1.0, 0.1])


def test_parameters_pass_through():
    assert ad.leaky_relu(-2.0, 0.1) == pytest.approx(-0.2)
    assert ad.clip(5.0, 0.0, 1.0) == 1.0


def test_bad_input_is_a_type_error():
    with pytest.raises(TypeError, match="tanh\\(\\) needs a Value, a Tensor"):
        ad.tanh("0.5")
    with pytest.raises(ad.DomainError):
        ad.log(-1.0)


def test_every_table_method_is_attached_to_both_node_types_from_the_table() -> None:
    # one place (autodiff/functional.py) makes the methods: no hand-written copy in value.py/tensor.py
    from autodiff import ops
    from autodiff.tensor import Tensor as T
    from autodiff.value import Value as V

    for name in ops.METHODS:
        for cls in (V, T):
            method = getattr(cls, name)
            assert method.__module__ == "autodiff.functional", f"{cls.__name__}.{name} is hand-written"
            assert method.__doc__.startswith(ops.OPS[name].formula)
    for name in ops.BINARY_FUNCTIONS:
        assert getattr(ad, name).__module__ == "autodiff.functional"


def test_method_parameters_bind_by_position_and_keyword_with_clear_errors() -> None:
    from autodiff import Tensor, Value

    assert Value(-2.0).leaky_relu(alpha=0.5).data == -1.0
    assert Tensor([-2.0]).elu(2.0).data[0] == pytest.approx(2.0 * math.expm1(-2.0))
    assert Value(5.0).clip(hi=1.0).data == 1.0
    with pytest.raises(TypeError, match="unexpected keyword argument 'beta'"):
        Value(1.0).leaky_relu(beta=1.0)
    with pytest.raises(TypeError, match="at most 1 parameter"):
        Tensor([1.0]).elu(1.0, 2.0)
