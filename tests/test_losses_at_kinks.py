"""Every cost at the points where its formula has a kink, Value and Tensor, against PyTorch.

A composite can be smooth where its parts are not: bce_with_logits = max(z, 0) − zy + log(1 + e^{−|z|})
is smooth at z = 0 while max and |·| are not, and the parts' subgradients at 0 do not add up to
the whole's derivative σ(0) − y. These tests put the inputs exactly on such points.
"""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autodiff import Tensor, Value

torch = pytest.importorskip("torch")
F = torch.nn.functional


def ours_tensor(loss, pred, target, **kw):
    p = Tensor(np.array(pred, dtype=np.float64), requires_grad=True)
    out = loss(p, np.array(target), **kw)
    out.backward()
    return out.item(), p.grad


def ours_value(loss, pred, target, **kw):
    ps = [Value(float(v)) for v in np.ravel(pred)]
    out = loss(ps if np.ndim(pred) == 1 else [ps], target if np.ndim(pred) == 1 else [target], **kw)
    out.backward()
    return out.data, np.array([v.grad for v in ps])


def theirs(fn, pred, target):
    p = torch.tensor(np.array(pred, dtype=np.float64), requires_grad=True)
    out = fn(p, torch.tensor(np.array(target, dtype=np.float64)))
    out.backward()
    return out.item(), p.grad.numpy()


CASES = {
    # name: (our loss, torch reference, predictions at the kink, targets)
    "bce_with_logits at z = 0": (nn.bce_with_logits, F.binary_cross_entropy_with_logits,
                                 [0.0, 0.0], [1.0, 0.0]),
    "bce_with_logits at z = 0, soft targets": (nn.bce_with_logits, F.binary_cross_entropy_with_logits,
                                               [0.0, 0.0, 0.0], [0.25, 0.5, 1.0]),
    "bce_with_logits, mixed signs and 0": (nn.bce_with_logits, F.binary_cross_entropy_with_logits,
                                           [-2.0, 0.0, 3.0, 0.0], [0.0, 1.0, 1.0, 0.0]),
    "binary_cross_entropy at p = ½": (nn.binary_cross_entropy, F.binary_cross_entropy,
                                      [0.5, 0.5], [1.0, 0.0]),
    "hinge exactly on the margin": (nn.hinge, lambda s, y: torch.relu(1.0 - y * s).mean(),
                                    [1.0, -1.0, 0.5], [1.0, -1.0, 1.0]),
    "mse at zero error": (nn.mse, F.mse_loss, [1.0, 2.0], [1.0, 2.0]),
    "cross_entropy_with_logits, all logits tied": (
        nn.cross_entropy_with_logits, lambda z, t: F.cross_entropy(z[None], t[None].argmax(-1)),
        [0.0, 0.0, 0.0], [0.0, 1.0, 0.0]),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("ours", [ours_tensor, ours_value], ids=["Tensor", "Value"])
def test_cost_at_its_kink_matches_torch(name, ours) -> None:
    loss, ref, pred, target = CASES[name]
    value, grad = ours(loss, pred, target)
    t_value, t_grad = theirs(ref, pred, target)
    assert value == pytest.approx(t_value, rel=1e-12, abs=1e-15)
    np.testing.assert_allclose(grad, t_grad, rtol=1e-12, atol=1e-15)


def test_bce_with_logits_gradient_at_zero_is_sigmoid_minus_target_over_n() -> None:
    # issue 13 item 1: the composition of kinked ops gave (−0.5, 0) here
    _, grad = ours_tensor(nn.bce_with_logits, [0.0, 0.0], [1.0, 0.0])
    np.testing.assert_array_equal(grad, [-0.25, 0.25])
    _, grad = ours_value(nn.bce_with_logits, [0.0, 0.0], [1.0, 0.0])
    np.testing.assert_array_equal(grad, [-0.25, 0.25])


def test_a_zero_initialised_logistic_model_takes_the_right_first_step() -> None:
    X = np.array([[1.0, 2.0], [-1.0, 0.5], [0.5, -1.0]])
    y = np.array([[1.0], [0.0], [1.0]])
    model = nn.Linear(2, 1, init="zeros", bias_init="zeros")
    nn.bce_with_logits(model(Tensor(X)), y).backward()
    expected = X.T @ (0.5 - y) / 3  # ∂C/∂W = Xᵀ(σ(0) − y)/N
    np.testing.assert_allclose(model.W.grad, expected, rtol=1e-15)


@pytest.mark.parametrize("loss", [nn.bce_with_logits, nn.binary_cross_entropy])
@pytest.mark.parametrize("bad", [-0.5, 1.5, float("nan")])
def test_binary_targets_outside_zero_one_are_refused(loss, bad) -> None:
    # issue 13 item 6: a target of 1.5 gave a negative cost
    with pytest.raises(ValueError, match="targets must be probabilities in \\[0, 1\\]"):
        loss(Tensor([0.3, 0.6]), [1.0, bad])
    with pytest.raises(ValueError, match="targets must be probabilities"):
        loss([Value(0.3), Value(0.6)], [1.0, bad])
