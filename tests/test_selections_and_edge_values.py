"""Selections pass exact zeros; NaN propagates; degenerate variances and empty means follow numpy.

The rules (README, "Decisions worth knowing"): relu, step, clip and max/min pass the incoming
gradient to what they select and an exact 0 to the rest, even an infinite gradient (PyTorch's
masking); every other op multiplies (0·∞ = NaN, as IEEE and PyTorch). Value and Tensor agree.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import autodiff
from autodiff import Tensor, Value, softmax_cross_entropy

torch = pytest.importorskip("torch")

INF = math.inf
SELECTIONS = {
    # name: (ours on a node, torch, input where the op does not select it)
    "relu below 0": (lambda x: x.relu(), torch.relu, -1.0),
    "relu at 0": (lambda x: x.relu(), torch.relu, 0.0),
    "clip below lo": (lambda x: x.clip(0.5, 2.0), lambda x: x.clamp(0.5, 2.0), 0.0),
    "clip above hi": (lambda x: x.clip(-2.0, -0.5), lambda x: x.clamp(-2.0, -0.5), 0.0),
    "step": (lambda x: x.step(), lambda x: x * 0.0 + (x >= 0).to(x.dtype), -1.0),  # torch's own has no grad
    "maximum loser": (lambda x: autodiff.maximum(x, 0.0), lambda x: torch.maximum(x, torch.zeros_like(x)),
                      -1.0),
    "minimum loser": (lambda x: autodiff.minimum(x, 0.0), lambda x: torch.minimum(x, torch.zeros_like(x)),
                      1.0),
}


@pytest.mark.parametrize("name", sorted(SELECTIONS))
def test_an_unselected_input_gets_an_exact_zero_under_an_infinite_gradient(name) -> None:
    # issue 13 item 7: sqrt(relu(x)) at x < 0 gave NaN (0·∞); PyTorch gives 0
    ours, th, x0 = SELECTIONS[name]
    c = ours(Value(x0)).data            # sqrt(op(x) − c): sqrt'(0) = inf arrives at the op's edge
    v = Value(x0)
    (ours(v) - c).sqrt().backward()
    t = Tensor([x0], requires_grad=True)
    (ours(t) - c).sqrt().sum().backward()
    x = torch.tensor([x0], dtype=torch.float64, requires_grad=True)
    (th(x) - c).sqrt().sum().backward()
    assert x.grad.item() == 0.0 or name == "step"  # torch's stand-in for step multiplies by 0
    assert t.grad.tolist() == [0.0]
    assert v.grad == 0.0


@pytest.mark.parametrize("name", sorted(SELECTIONS))
def test_large_tensors_take_the_branch_free_mask_and_give_the_same_numbers(name) -> None:
    # 40×50 = 2000 entries: above mathns' size for the bit-mask path of where(mask, g, 0.0)
    ours, th, x0 = SELECTIONS[name]
    rng = np.random.default_rng(0)
    data = rng.normal(size=(40, 50))
    data[::3] = x0                                   # rows where the op does not select
    upstream = rng.normal(size=(40, 50))
    upstream[:, ::4] = INF                           # an infinite gradient arriving on some columns
    upstream[:, 1::4] = -INF
    t = Tensor(data, requires_grad=True)
    ours(t).backward(upstream)
    x = torch.tensor(data, requires_grad=True)
    th(x).backward(torch.tensor(upstream))
    assert not np.isnan(t.grad).any() and np.all(t.grad[::3] == 0.0) and not np.signbit(t.grad[::3]).any()
    if name != "step":                               # torch's stand-in for step multiplies (NaN)
        assert np.array_equal(t.grad, x.grad.numpy())


def test_branch_free_where_equals_numpy_where_bit_for_bit() -> None:
    from autodiff.mathns import ARRAY
    rng = np.random.default_rng(1)
    for shape, view in (((64, 64), np.s_[:, :]), ((64, 200), np.s_[:, ::2]), ((2000,), np.s_[::-1]),
                        ((10,), np.s_[:])):
        g = rng.normal(size=shape)
        g.flat[:5] = [INF, -INF, math.nan, -0.0, 0.0]
        mask = rng.normal(size=shape) > 0
        g, mask = g[view], mask[view]
        got, want = ARRAY.where(mask, g, 0.0), np.where(mask, g, 0.0)
        assert got.shape == want.shape and got.dtype == want.dtype and got.base is None
        assert np.array_equal(got.view(np.uint64), want.view(np.uint64))  # every bit, NaN and ±0 too
    assert np.array_equal(ARRAY.where(mask, g, -0.0), np.where(mask, g, -0.0))


def test_max_reduction_losers_get_exact_zeros_under_an_infinite_gradient() -> None:
    # torch.amax multiplies here (its loser gets 0·∞ = NaN); torch.max(dim) indexes (the loser gets 0)
    t = Tensor([[-1.0, -3.0], [0.5, 0.5]], requires_grad=True)
    (t.max(axis=1) + 1.0).sqrt().sum().backward()   # sqrt'(0) = inf at the first row's max
    x = torch.tensor([[-1.0, -3.0], [0.5, 0.5]], dtype=torch.float64, requires_grad=True)
    (x.max(dim=1).values + 1.0).sqrt().sum().backward()
    assert t.grad[0].tolist() == [INF, 0.0] and x.grad[0].tolist() == [INF, 0.0]
    assert t.grad[1].tolist() == pytest.approx([0.5 / (2 * 1.5 ** 0.5)] * 2)  # the tie splits ½/½


def test_multiplication_by_zero_still_follows_ieee() -> None:
    # not a selection: 0·∞ = NaN, as in PyTorch
    x = Value(0.0)
    (x * 0.0).sqrt().backward()
    assert math.isnan(x.grad)


@pytest.mark.parametrize("fn", ["elu", "relu", "leaky_relu", "sigmoid", "tanh", "abs", "step", "clip",
                                "maximum", "minimum"])
def test_nan_propagates_through_every_op_for_value_and_tensor(fn) -> None:
    # issue 13 item 6: Value.elu(nan) returned 0 (with gradient 1)
    call = {"clip": lambda x: x.clip(-1.0, 1.0), "maximum": lambda x: autodiff.maximum(x, 0.0),
            "minimum": lambda x: autodiff.minimum(x, 0.0)}.get(fn, lambda x: getattr(x, fn)())
    assert math.isnan(call(Value(math.nan)).data)
    assert np.isnan(call(Tensor([math.nan])).data).all()
    assert math.isnan(call(Value(0.0) * math.nan).data)


def test_clip_with_lo_above_hi_gives_hi_for_value_and_tensor_as_numpy() -> None:
    for x in (-5.0, 2.0, 5.0):
        assert Value(x).clip(3.0, 1.0).data == 1.0
        assert Tensor([x]).clip(3.0, 1.0).data.tolist() == [1.0]
        assert np.clip(x, 3.0, 1.0) == 1.0


@pytest.mark.parametrize("ddof", [2, 3, 10])
def test_var_and_std_with_ddof_at_least_n_give_inf_or_nan_with_a_warning(ddof) -> None:
    # issue 13 item 6: a negative variance came out (−1.0)
    x = [1.0, 2.0]
    with pytest.warns(RuntimeWarning, match="degrees of freedom"):
        v = Tensor(x).var(ddof=ddof).item()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert v == np.var(x, ddof=ddof) == math.inf
    with pytest.warns(RuntimeWarning):
        assert math.isnan(Tensor([1.0, 1.0]).std(ddof=ddof).item())


@pytest.mark.parametrize("ddof", [0, 1])
def test_var_and_std_match_torch_with_gradients(ddof) -> None:
    rng = np.random.default_rng(3)
    a = rng.normal(size=(3, 4))
    for axis in (None, 0, 1, (0, 1)):
        for method in ("var", "std"):
            t = Tensor(a, requires_grad=True)
            getattr(t, method)(axis=axis, ddof=ddof).sum().backward()
            x = torch.tensor(a, requires_grad=True)
            dim = axis if axis is not None else None
            getattr(torch, method)(x, dim=dim, correction=ddof).sum().backward()
            np.testing.assert_allclose(t.grad, x.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_std_of_a_constant_slice_has_zero_gradient_as_in_torch() -> None:
    # issue 13 item 6: NaN gradients (sqrt'(0) · 0)
    a = np.array([[2.0, 2.0, 2.0], [1.0, 2.0, 4.0]])
    t = Tensor(a, requires_grad=True)
    t.std(axis=1).sum().backward()
    x = torch.tensor(a, requires_grad=True)
    x.std(dim=1, correction=0).sum().backward()
    np.testing.assert_allclose(t.grad, x.grad.numpy(), rtol=1e-12, atol=1e-15)
    assert t.grad[0].tolist() == [0.0, 0.0, 0.0]


def test_mean_softmax_cross_entropy_over_zero_rows_is_nan_with_a_warning() -> None:
    # issue 13 item 6: it returned 0.0; numpy's mean of nothing and PyTorch's are NaN
    z = Tensor(np.zeros((0, 3)), requires_grad=True)
    with pytest.warns(RuntimeWarning, match="0 rows"):
        loss = softmax_cross_entropy(z, np.zeros(0, dtype=int))
    assert math.isnan(loss.item())
    assert math.isnan(torch.nn.functional.cross_entropy(torch.zeros(0, 3), torch.zeros(0, dtype=torch.long)))
    assert softmax_cross_entropy(z, np.zeros(0, dtype=int), reduction="sum").item() == 0.0
