"""Costs (nn.losses): each against the seeds' formula written out by hand, on Tensors and on
Values, gradients against finite differences and the hand-derived output deltas, and errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autodiff import Tensor, Value, gradcheck
from autodiff.errors import ShapeError
from nn import losses as L

rng = np.random.default_rng(0)
Y_HAT = rng.normal(size=(5, 3))
T = rng.normal(size=(5, 3))
P = rng.uniform(0.05, 0.95, size=(6,))
Y01 = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0])
Z = rng.normal(scale=2.0, size=(4, 3))
LABELS = np.array([2, 0, 1, 2])
ONE_HOT = np.eye(3)[LABELS]


def values(a):
    """A nested list of Values with a's numbers (the scalar MLP's outputs)."""
    return [values(r) for r in a] if np.ndim(a) > 1 else [Value(float(v)) for v in a]


def grads(vs):
    return np.array([grads(r) for r in vs]) if isinstance(vs[0], list) else np.array([v.grad for v in vs])


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# --- squared errors ------------------------------------------------------------------------------------
def test_rss_is_seed_001_residual_sum_of_squares():
    expected = sum((T[n, k] - Y_HAT[n, k]) ** 2 for n in range(5) for k in range(3))
    assert L.rss(Tensor(Y_HAT), T).item() == pytest.approx(expected, rel=1e-13)
    assert L.rss(values(Y_HAT), T).data == pytest.approx(expected, rel=1e-13)
    assert L.rss(Tensor(Y_HAT), T, half=True).item() == pytest.approx(expected / 2, rel=1e-13)


def test_mse_default_is_seed_002_mean_over_samples_and_outputs():
    N, K = T.shape
    expected = 1 / N * 1 / K * sum((T[n, k] - Y_HAT[n, k]) ** 2 for n in range(N) for k in range(K))
    assert L.mse(Tensor(Y_HAT), T).item() == pytest.approx(expected, rel=1e-13)
    assert L.mse(values(Y_HAT), T).data == pytest.approx(expected, rel=1e-13)


def test_mse_half_one_over_n_is_seed_001_and_samples_mean_is_seed_003_cost_ols():
    y_hat, y = Y_HAT[:, 0], T[:, 0]
    N = len(y)
    seed001 = 1 / (2 * N) * sum((y[i] - y_hat[i]) ** 2 for i in range(N))
    assert L.mse(Tensor(y_hat), y, half=True).item() == pytest.approx(seed001, rel=1e-13)
    cost_ols = (1.0 / T.shape[0]) * np.sum((T - Y_HAT) ** 2)  # seed 003, literally
    assert L.mse(Tensor(Y_HAT), T, mean_over="samples").item() == pytest.approx(cost_ols, rel=1e-13)
    with pytest.raises(ValueError, match="mean_over"):
        L.mse(Tensor(y_hat), y, mean_over="rows")


def test_mse_gradient_is_seed_002_output_delta():
    # ∂E/∂y_nk = −2/(NK) (t_nk − y_nk)
    y = Tensor(Y_HAT.copy(), requires_grad=True)
    L.mse(y, T).backward()
    np.testing.assert_allclose(y.grad, -2 / T.size * (T - Y_HAT), rtol=1e-13)
    vs = values(Y_HAT)
    L.mse(vs, T).backward()
    np.testing.assert_allclose(grads(vs), -2 / T.size * (T - Y_HAT), rtol=1e-12)


def test_a_single_value_and_a_single_target():
    v = Value(0.3)
    c = L.mse(v, 1.0, half=True)
    c.backward()
    assert c.data == pytest.approx(0.5 * 0.49) and v.grad == pytest.approx(-(1.0 - 0.3))


# --- binary cross-entropy -----------------------------------------------------------------------------
def test_bce_is_seed_001_mean_bernoulli_negative_log_likelihood():
    N = len(P)
    expected = -1 / N * sum((1 - Y01[i]) * math.log(1 - P[i]) + Y01[i] * math.log(P[i]) for i in range(N))
    assert L.binary_cross_entropy(Tensor(P), Y01).item() == pytest.approx(expected, rel=1e-13)
    assert L.bce(values(P), Y01).data == pytest.approx(expected, rel=1e-13)
    assert L.bce(Tensor(P), Y01, reduction="sum").item() == pytest.approx(expected * N, rel=1e-13)


def test_bce_clamps_probabilities_of_exactly_zero_and_one():
    c = L.bce(Tensor([0.0, 1.0]), [1.0, 0.0])
    assert math.isfinite(c.item()) and c.item() == pytest.approx(-math.log(1e-12), rel=1e-6)
    assert L.bce(Tensor([1.0, 0.0]), [1.0, 0.0]).item() == pytest.approx(0.0, abs=1e-11)


def test_bce_rejects_values_outside_zero_one():
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\].*with_logits"):
        L.bce(Tensor([0.3, 2.0]), [0, 1])


def test_bce_with_logits_equals_bce_of_sigmoid_and_uses_the_stable_form():
    z = rng.normal(scale=3.0, size=6)
    p = 1 / (1 + np.exp(-z))
    stable = np.mean(np.maximum(z, 0) - z * Y01 + np.log(1 + np.exp(-np.abs(z))))
    assert L.bce_with_logits(Tensor(z), Y01).item() == pytest.approx(stable, rel=1e-13)
    assert L.bce_with_logits(Tensor(z), Y01).item() == pytest.approx(L.bce(Tensor(p), Y01).item(), rel=1e-10)
    assert L.bce_with_logits(values(z), Y01).data == pytest.approx(stable, rel=1e-13)


def test_bce_with_logits_is_finite_for_huge_logits():
    c = L.bce_with_logits(Tensor([1000.0, -1000.0, 1000.0]), [1.0, 0.0, 0.0])
    assert c.item() == pytest.approx(1000.0 / 3, rel=1e-12)
    z = Tensor([800.0, -800.0], requires_grad=True)
    L.bce_with_logits(z, [0.0, 0.0]).backward()
    np.testing.assert_allclose(z.grad, [0.5, 0.0], atol=1e-300)


def test_bce_with_logits_gradient_is_sigmoid_minus_target_over_n():
    z0 = rng.normal(size=6)
    z = Tensor(z0.copy(), requires_grad=True)
    L.bce_with_logits(z, Y01).backward()
    np.testing.assert_allclose(z.grad, (1 / (1 + np.exp(-z0)) - Y01) / 6, rtol=1e-12)


# --- multinomial cross-entropy ---------------------------------------------------------------------------
def test_cross_entropy_from_probabilities_is_the_notes_formula_with_one_hot_targets_and_labels():
    probs = softmax(Z)
    N, K = probs.shape
    expected = -1 / N * sum(ONE_HOT[i, c] * math.log(probs[i, c]) for i in range(N) for c in range(K))
    ce = L.cross_entropy_from_probabilities
    assert ce(Tensor(probs), ONE_HOT).item() == pytest.approx(expected, rel=1e-13)
    assert ce(Tensor(probs), LABELS).item() == pytest.approx(expected, rel=1e-13)
    assert ce(values(probs), LABELS).data == pytest.approx(expected, rel=1e-13)
    assert ce(values(probs), ONE_HOT).data == pytest.approx(expected, rel=1e-13)
    # float labels that are whole numbers are fine; a single sample as (K,) with one label too
    assert ce(Tensor(probs), LABELS.astype(float)).item() == pytest.approx(expected, rel=1e-13)
    assert ce(Tensor(probs[0]), 2).item() == pytest.approx(-math.log(probs[0, 2]), rel=1e-13)


def test_cross_entropy_takes_logits_as_pytorch_and_equals_the_notes_formula_on_their_softmax():
    expected = L.cross_entropy_from_probabilities(Tensor(softmax(Z)), LABELS).item()
    assert L.cross_entropy(Tensor(Z), LABELS).item() == pytest.approx(expected, rel=1e-12)
    assert L.cross_entropy(Tensor(Z), ONE_HOT).item() == pytest.approx(expected, rel=1e-12)
    assert L.cross_entropy(values(Z), LABELS).data == pytest.approx(expected, rel=1e-12)
    assert L.cross_entropy(values(Z[0]), 2).data == pytest.approx(-math.log(softmax(Z[0])[2]), rel=1e-12)
    assert L.cross_entropy_with_logits is L.cross_entropy  # the older name, kept


def test_cross_entropy_warns_when_given_probabilities_and_the_probability_version_refuses_logits():
    with pytest.warns(L.LooksLikeProbabilitiesWarning, match="cross_entropy_from_probabilities"):
        L.cross_entropy(Tensor(softmax(Z)), LABELS)
    with pytest.warns(L.LooksLikeProbabilitiesWarning):
        L.cross_entropy(values(softmax(Z)), ONE_HOT)  # the scalar path too
    with pytest.raises(ValueError, match="found -.*use nn.cross_entropy, which takes logits"):
        L.cross_entropy_from_probabilities(Tensor(Z), LABELS)
    with pytest.raises(ValueError, match="use nn.bce_with_logits, which takes logits"):
        L.binary_cross_entropy(Tensor(Z[:, 0]), [0, 1, 1, 0])
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        L.cross_entropy(Tensor(Z), LABELS)                     # logits: no warning
        L.cross_entropy(Tensor([[0.2, 0.3], [0.1, 0.4]]), [0, 1])  # in [0, 1] but rows not summing to 1
        L.cross_entropy(Tensor([[1.0], [1.0]]), [0, 0])        # one class: nothing to tell apart


def test_cross_entropy_with_logits_gradient_is_softmax_minus_one_hot_over_n():
    z = Tensor(Z.copy(), requires_grad=True)
    L.cross_entropy_with_logits(z, LABELS).backward()
    delta = (softmax(Z) - ONE_HOT) / len(Z)
    np.testing.assert_allclose(z.grad, delta, rtol=1e-12, atol=1e-15)
    vs = values(Z)
    L.cross_entropy_with_logits(vs, ONE_HOT).backward()
    np.testing.assert_allclose(grads(vs), delta, rtol=1e-11, atol=1e-15)


def test_cross_entropy_with_logits_is_stable_for_huge_logits():
    c = L.cross_entropy_with_logits(Tensor([[1000.0, 0.0, -1000.0]]), [1])
    assert c.item() == pytest.approx(1000.0, rel=1e-12)
    c = L.cross_entropy_with_logits([Value(1000.0), Value(0.0)], 1)
    assert c.data == pytest.approx(1000.0, rel=1e-12)


def test_cross_entropy_label_errors():
    probs = Tensor(softmax(Z))
    with pytest.raises(ValueError, match=r"labels must be integers 0\.\.2, found 1\.5 at position 1"):
        L.cross_entropy_from_probabilities(probs, [2, 1.5, 0, 1])
    with pytest.raises(ValueError, match="out of range"):
        L.cross_entropy_with_logits(Tensor(Z), [0, 1, 3, 0])
    with pytest.raises(ValueError, match="out of range"):
        L.cross_entropy_with_logits(Tensor(Z), [0, -1, 2, 0])
    with pytest.raises(ShapeError, match=r"\(4, 3\).*one-hot.*\(4,\).*got shape \(5,\)"):
        L.cross_entropy_from_probabilities(probs, [0, 1, 2, 0, 1])
    with pytest.raises(ShapeError, match=r"\(4, 3\).*one-hot.*\(4,\).*got shape \(5,\)"):
        L.cross_entropy(Tensor(Z), [0, 1, 2, 0, 1])


# --- hinge ---------------------------------------------------------------------------------------------------
def test_hinge_is_micrograds_max_margin_loss():
    scores = np.array([0.5, -2.0, 1.5, 0.2])
    y = np.array([1.0, -1.0, -1.0, -1.0])
    # micrograd's demo: losses = [(1 + -yi*scorei).relu() ...]; sum(losses) * (1.0 / len(losses))
    expected = sum(max(0.0, 1 + -yi * si) for yi, si in zip(y, scores)) * (1.0 / len(y))
    assert L.hinge(Tensor(scores), y).item() == pytest.approx(expected, rel=1e-13)
    vs = values(scores)
    c = L.hinge(vs, y)
    assert c.data == pytest.approx(expected, rel=1e-13)
    c.backward()
    np.testing.assert_allclose(grads(vs), np.where(y * scores < 1, -y, 0.0) / 4)


def test_hinge_needs_plus_minus_one_labels():
    with pytest.raises(ValueError, match="-1 or \\+1.*2\\*y - 1"):
        L.hinge(Tensor([0.5, 0.1]), [0, 1])


# --- shapes and inputs --------------------------------------------------------------------------------------
@pytest.mark.parametrize("loss", [L.rss, L.mse, L.bce, L.bce_with_logits, L.hinge])
def test_shape_mismatch_names_both_shapes(loss):
    with pytest.raises(ShapeError, match=r"predictions have shape \(4, 1\) but targets have shape \(3,\)"):
        loss(Tensor(np.full((4, 1), 0.5)), np.ones(3))
    with pytest.raises(ShapeError, match=r"\(2, 3\).*\(3, 2\)"):
        loss(Tensor(np.full((2, 3), 0.5)), np.ones((3, 2)))


def test_column_and_flat_targets_are_accepted_for_one_another():
    col = Tensor(Y_HAT[:, :1])
    flat = T[:, 0]
    assert L.mse(col, flat).item() == pytest.approx(np.mean((flat - Y_HAT[:, 0]) ** 2), rel=1e-13)
    assert L.mse(Tensor(Y_HAT[:, 0]), flat[:, None]).item() == pytest.approx(L.mse(col, flat).item())


def test_empty_predictions_and_ragged_lists_and_wrong_types():
    with pytest.raises(ValueError, match="no predictions"):
        L.mse(Tensor(np.zeros((0,))), np.zeros(0))
    with pytest.raises(ShapeError, match="ragged"):
        L.mse([[Value(1.0), Value(2.0)], [Value(1.0)]], [[0, 0], [0, 0]])
    with pytest.raises(TypeError, match="targets must be numbers"):
        L.mse(Tensor([1.0]), ["a"])
    with pytest.raises(ValueError, match="reduction"):
        L.bce(Tensor([0.5]), [1.0], reduction="avg")


def test_targets_may_be_tensors_and_get_no_gradient():
    y = Tensor(Y_HAT.copy(), requires_grad=True)
    t = Tensor(T.copy(), requires_grad=True)
    L.mse(y, t).backward()
    assert t.grad is None and y.grad is not None


# --- finite differences -----------------------------------------------------------------------------------
GRADCHECK = [
    ("rss", lambda p: L.rss(p, T), Y_HAT),
    ("mse", lambda p: L.mse(p, T, half=True), Y_HAT),
    ("bce", lambda p: L.bce(p, Y01), P),
    ("bce_with_logits", lambda p: L.bce_with_logits(p, Y01), rng.normal(size=6)),
    ("cross_entropy_from_probabilities", lambda p: L.cross_entropy_from_probabilities(p, ONE_HOT), softmax(Z)),
    ("cross_entropy labels", lambda p: L.cross_entropy(p, LABELS), Z),
    ("cross_entropy one-hot", lambda p: L.cross_entropy(p, ONE_HOT), Z),
    ("hinge", lambda p: L.hinge(p, 2 * Y01 - 1), np.array([0.3, -0.2, 1.7, 0.4, -0.8, -1.6])),
]


@pytest.mark.parametrize("name,f,x", GRADCHECK, ids=[g[0] for g in GRADCHECK])
def test_loss_gradients_match_finite_differences(name, f, x):
    assert gradcheck(f, [Tensor(np.array(x, dtype=float), requires_grad=True)])


def test_scalar_loss_gradients_match_finite_differences():
    vs = values(Z[0])
    assert gradcheck(lambda a, b, c: L.cross_entropy_with_logits([a, b, c], 1), vs)
    ps = values(P[:3])
    assert gradcheck(lambda a, b, c: L.bce([a, b, c], Y01[:3]), ps)


# --- registry and PyTorch -----------------------------------------------------------------------------------
def test_get_loss_by_name():
    assert L.get_loss("MSE") is L.mse
    assert L.get_loss("softmax_cross_entropy") is L.cross_entropy
    assert L.get_loss("cross_entropy") is L.get_loss("cross_entropy_with_logits") is L.cross_entropy
    assert L.get_loss("cross_entropy_from_probabilities") is L.cross_entropy_from_probabilities
    assert L.get_loss(L.hinge) is L.hinge
    with pytest.raises(ValueError, match="unknown loss 'l1'"):
        L.get_loss("l1")


def test_losses_agree_with_pytorch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    cases = [
        (lambda p: L.mse(p, T), lambda p: F.mse_loss(p, torch.tensor(T)), Y_HAT),
        (lambda p: L.bce(p, Y01), lambda p: F.binary_cross_entropy(p, torch.tensor(Y01)), P),
        (lambda p: L.bce_with_logits(p, Y01), lambda p: F.binary_cross_entropy_with_logits(p, torch.tensor(Y01)), Z[:, 0].repeat(2)[:6]),
        (lambda p: L.cross_entropy(p, LABELS), lambda p: F.cross_entropy(p, torch.tensor(LABELS)), Z),
        (lambda p: L.cross_entropy(p, ONE_HOT), lambda p: F.cross_entropy(p, torch.tensor(ONE_HOT)), Z),
        (lambda p: L.cross_entropy_from_probabilities(p, LABELS),
         lambda p: F.nll_loss(p.log(), torch.tensor(LABELS)), softmax(Z)),
    ]
    for ours, theirs, x in cases:
        a = Tensor(x.copy(), requires_grad=True)
        ca = ours(a)
        ca.backward()
        b = torch.tensor(x, requires_grad=True)
        cb = theirs(b)
        cb.backward()
        assert ca.item() == pytest.approx(cb.item(), rel=1e-12)
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-10, atol=1e-15)
