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
