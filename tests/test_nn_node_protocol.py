"""nn treats Value and Tensor parameters alike, through the node protocol (data, grad, has_grad,
zero_grad, parents): the same rule gives the same answer for both node types."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autodiff import Tensor, Value
from autodiff.errors import ShapeError


def _pair():
    """A Value and a Tensor parameter that backward reaches, and one of each that it does not."""
    v, t = Value(2.0), Tensor(np.array([1.0, -3.0]), requires_grad=True)
    lost_v, lost_t = Value(5.0), Tensor(np.array([4.0]), requires_grad=True)
    (v * 3.0).backward()              # ∂/∂v = 3
    ((t * t).sum() * 2.0).backward()  # ∂/∂t = 4t
    return v, t, lost_v, lost_t


@pytest.mark.parametrize("clip", [
    lambda ps: nn.clip_grad_norm(ps, 1.0),
    lambda ps: nn.clip_grad_value(ps, 0.5),
], ids=["norm", "value"])
def test_clipping_leaves_parameters_backward_did_not_reach_unreached(clip):
    v, t, lost_v, lost_t = _pair()
    clip([v, t, lost_v, lost_t])
    assert v.has_grad and t.has_grad and not lost_v.has_grad and not lost_t.has_grad
    opt = nn.SGD([v, t, lost_v, lost_t], lr=0.1, weight_decay=0.5)
    opt.step()  # the unreached ones are skipped: no weight decay either
    assert lost_v.data == 5.0 and lost_t.data.tolist() == [4.0]


def test_clipping_values_gives_the_same_numbers_for_both_node_types():
    v, t, _, _ = _pair()
    nn.clip_grad_value([v, t], 3.5)
    assert v.grad == 3.0 and type(v.grad) is float
    np.testing.assert_array_equal(t.grad, [3.5, -3.5])
    total = nn.clip_grad_norm([v, t], 1.0)
    assert total == pytest.approx(np.sqrt(3.0**2 + 2 * 3.5**2))
    assert np.hypot(v.grad, np.hypot(*t.grad)) == pytest.approx(1.0, rel=1e-5)


def test_a_step_keeps_a_values_data_a_float_and_a_tensors_array_in_place():
    v, t, _, _ = _pair()
    array = t.data
    nn.Adam([v, t], lr=0.1).step()
    assert type(v.data) is float and v.data == pytest.approx(1.9)
    assert t.data is array and t.data == pytest.approx([0.9, -2.9])


def test_a_gradient_of_the_wrong_shape_is_refused_for_either_node_type():
    v, t = Value(1.0), Tensor(np.zeros(3), requires_grad=True)
    v.grad, t.grad = np.ones(2), np.ones(1)
    for p in (v, t):
        with pytest.raises(ShapeError, match="a gradient has its parameter's shape"):
            nn.SGD([p], lr=0.1).step()


def test_a_parameter_is_a_leaf_node_holding_floats_value_or_tensor():
    class M(nn.Module):
        def __init__(self):
            self.w, self.W = Value(1.0), Tensor(np.ones(2), requires_grad=True)
            self.frozen = Tensor(np.ones(2))                 # a leaf, not trained: saved all the same
            self.positive = self.W > 0                       # booleans: not a parameter
            self.v_out, self.t_out = self.w * 2.0, self.W * 2.0  # results, not parameters

    m = M()
    assert [name for name, _ in m.named_parameters()] == ["w", "W", "frozen"]
    assert m.num_parameters() == 5
    state = m.state_dict()
    assert state["w"].shape == () and state["w"].dtype == np.float64
    m.load_state_dict({"w": np.array(3.0), "W": np.array([2.0, 2.0]), "frozen": np.zeros(2)})
    assert type(m.w.data) is float and m.w.data == 3.0 and m.W.data.tolist() == [2.0, 2.0]
