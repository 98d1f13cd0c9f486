"""Optimizers (nn.optim): every update rule of seed 003 against its formula written out by hand,
on Tensor and Value parameters; parameter groups (seed 002's ρ_h, ρ_o), weight decay,
gradient clipping, schedules, and PyTorch where the formulas coincide."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autodiff import Tensor, Value
from autodiff.errors import NonFiniteError, ShapeError
from nn import optim as O

THETA0 = np.array([[0.5, -1.0, 0.25], [2.0, 0.1, -0.3]])
GRADS = [np.random.default_rng(k).normal(size=THETA0.shape) * (1 + k) for k in range(6)]
SCALAR_GRADS = [0.8, -1.5, 0.3, 2.0, -0.1, 0.6]
EPS = 0.25  # a large δ, so that putting it inside or outside the square root makes a visible difference


def trajectory(make, grads, theta0):
    """Parameter after each step, with the gradients set by hand."""
    if np.ndim(theta0) == 0:
        p = Value(float(theta0))
    else:
        p = Tensor(np.array(theta0, dtype=float), requires_grad=True)
    opt = make([p])
    out = []
    for g in grads:
        p.grad = float(g) if isinstance(p, Value) else np.array(g, dtype=float)
        opt.step()
        out.append(np.array(p.data, dtype=float))
    return out


# --- the formulas, written out as in seed 003 (θ ← θ − change) ---------------------------------------
def by_hand_sgd(grads, theta, eta):
    out = []
    for g in grads:
        theta = theta - eta * g
        out.append(theta)
    return out


def by_hand_momentum(grads, theta, eta, mu):
    change, out = 0.0, []
    for g in grads:
        change = mu * change + eta * g
        theta = theta - change
        out.append(theta)
    return out


def by_hand_adagrad(grads, theta, eta, delta):
    G, out = 0.0, []
    for g in grads:
        G = G + g * g
        theta = theta - eta * g / (delta + np.sqrt(G))  # δ outside the root
        out.append(theta)
    return out


def by_hand_adagrad_momentum(grads, theta, eta, mu, delta):
    G, change, out = 0.0, 0.0, []
    for g in grads:
        G = G + g * g
        change = change * mu + eta * g / (delta + np.sqrt(G))
        theta = theta - change
        out.append(theta)
    return out


def by_hand_rmsprop(grads, theta, eta, rho, delta):
    s, out = 0.0, []
    for g in grads:
        s = rho * s + (1 - rho) * g * g
        theta = theta - eta * g / np.sqrt(s + delta)  # δ inside the root
        out.append(theta)
    return out


def by_hand_adam(grads, theta, eta, rho, rho2, delta):
    m, v, out = 0.0, 0.0, []
    for t, g in enumerate(grads, start=1):
        m = rho * m + (1 - rho) * g
        v = rho2 * v + (1 - rho2) * g * g
        m_hat = m / (1 - rho**t)
        v_hat = v / (1 - rho2**t)
        theta = theta - eta * m_hat / np.sqrt(v_hat + delta)  # δ inside the root
        out.append(theta)
    return out


CASES = [
    ("SGD", lambda ps: O.SGD(ps, lr=0.1), lambda gs, th: by_hand_sgd(gs, th, 0.1)),
    ("Momentum", lambda ps: O.Momentum(ps, lr=0.1, momentum=0.8), lambda gs, th: by_hand_momentum(gs, th, 0.1, 0.8)),
    ("SGD momentum", lambda ps: O.SGD(ps, lr=0.05, momentum=0.5), lambda gs, th: by_hand_momentum(gs, th, 0.05, 0.5)),
    ("Adagrad", lambda ps: O.Adagrad(ps, lr=0.3, eps=EPS), lambda gs, th: by_hand_adagrad(gs, th, 0.3, EPS)),
    ("AdagradMomentum", lambda ps: O.AdagradMomentum(ps, lr=0.3, momentum=0.7, eps=EPS),
     lambda gs, th: by_hand_adagrad_momentum(gs, th, 0.3, 0.7, EPS)),
    ("RMSprop", lambda ps: O.RMSprop(ps, lr=0.2, rho=0.9, eps=EPS), lambda gs, th: by_hand_rmsprop(gs, th, 0.2, 0.9, EPS)),
    ("Adam", lambda ps: O.Adam(ps, lr=0.2, rho=0.9, rho2=0.999, eps=EPS),
     lambda gs, th: by_hand_adam(gs, th, 0.2, 0.9, 0.999, EPS)),
    ("Adam default eps", lambda ps: O.Adam(ps, lr=0.01), lambda gs, th: by_hand_adam(gs, th, 0.01, 0.9, 0.999, 1e-8)),
]


@pytest.mark.parametrize("name,make,by_hand", CASES, ids=[c[0] for c in CASES])
def test_update_on_a_tensor_parameter_matches_the_formula_by_hand(name, make, by_hand):
    ours = trajectory(make, GRADS, THETA0)
    expected = by_hand(GRADS, THETA0.copy())
    for step, (a, b) in enumerate(zip(ours, expected)):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15, err_msg=f"{name}, step {step + 1}")


@pytest.mark.parametrize("name,make,by_hand", CASES, ids=[c[0] for c in CASES])
def test_update_on_a_value_parameter_matches_the_formula_by_hand(name, make, by_hand):
    ours = trajectory(make, SCALAR_GRADS, 0.7)
    expected = by_hand([np.float64(g) for g in SCALAR_GRADS], np.float64(0.7))
    np.testing.assert_allclose(ours, expected, rtol=1e-13, atol=1e-15)


def test_value_parameters_stay_python_floats():
    v = Value(1.0)
    opt = O.Adam([v], lr=0.1)
    v.grad = 0.5
    opt.step()
    assert type(v.data) is float


def test_epsilon_placement_follows_seed_003():
    # one step from g: Adagrad divides by δ + |g|, RMSprop by √((1−ρ)g² + δ), Adam by √(g² + δ)
    g = 0.5
    assert trajectory(lambda ps: O.Adagrad(ps, lr=1.0, eps=EPS), [g], 0.0)[0] == pytest.approx(-g / (EPS + g))
    assert trajectory(lambda ps: O.RMSprop(ps, lr=1.0, rho=0.9, eps=EPS), [g], 0.0)[0] == pytest.approx(
        -g / math.sqrt(0.1 * g * g + EPS))
    assert trajectory(lambda ps: O.Adam(ps, lr=1.0, eps=EPS), [g], 0.0)[0] == pytest.approx(-g / math.sqrt(g * g + EPS))


def test_adam_first_step_is_lr_times_sign_of_gradient_when_eps_is_zero():
    # bias correction: m̂₁ = g, v̂₁ = g², so the first step is η·g/|g| whatever the scale of g
    for g in (1e-6, 3.0, -250.0):
        assert trajectory(lambda ps: O.Adam(ps, lr=0.01, eps=0.0), [g], 0.0)[0] == pytest.approx(-0.01 * np.sign(g))


def test_adam_accepts_pytorch_betas():
    a = trajectory(lambda ps: O.Adam(ps, lr=0.1, betas=(0.8, 0.99)), SCALAR_GRADS, 0.0)
    b = trajectory(lambda ps: O.Adam(ps, lr=0.1, rho=0.8, rho2=0.99), SCALAR_GRADS, 0.0)
    assert a == b


# --- groups, zero_grad, state ---------------------------------------------------------------------------
def test_parameter_groups_give_seed_002s_separate_hidden_and_output_rates():
    V = Tensor(np.ones((2, 3)), requires_grad=True)   # hidden layer, ρ_h
    W = Tensor(np.ones((4, 1)), requires_grad=True)   # output layer, ρ_o
    opt = O.SGD([{"params": [V], "lr": 0.1}, {"params": [W], "lr": 0.01}])
    V.grad, W.grad = np.full((2, 3), 2.0), np.full((4, 1), 2.0)
    opt.step()
    np.testing.assert_allclose(V.data, 1 - 0.1 * 2.0)
    np.testing.assert_allclose(W.data, 1 - 0.01 * 2.0)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.01]
    opt.lr = 0.5
    assert [g["lr"] for g in opt.param_groups] == [0.5, 0.5]


def test_groups_inherit_the_defaults_and_reject_unknown_settings():
    a, b = Value(1.0), Value(2.0)
    opt = O.Adam([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.01, rho=0.8)
    assert opt.param_groups[0]["lr"] == 0.01 and opt.param_groups[1]["lr"] == 0.5
    assert opt.param_groups[1]["rho"] == 0.8
    with pytest.raises(ValueError, match="unknown setting.*'momentum'"):
        O.Adam([{"params": [Value(0.0)], "momentum": 0.9}])
    opt.add_param_group({"params": [Value(3.0)], "lr": 0.2})
    assert len(opt.parameters()) == 3


def test_zero_grad_clears_values_to_zero_and_tensors_to_none():
    v, t = Value(1.0), Tensor(np.ones(3), requires_grad=True)
    v.grad, t.grad = 2.0, np.ones(3)
    opt = O.SGD([v, t])
    opt.zero_grad()
    assert v.grad == 0.0 and t.grad is None


def test_a_tensor_without_gradient_is_skipped():
    t = Tensor(np.ones(3), requires_grad=True)
    opt = O.Adam([t], lr=0.1)
    opt.step()
    np.testing.assert_array_equal(t.data, np.ones(3))
    assert opt.state == {}


def test_reset_forgets_running_averages_like_seed_003s_scheduler_reset():
    first = trajectory(lambda ps: O.Adam(ps, lr=0.1), [0.5], 0.0)[0]
    v = Value(0.0)
    opt = O.Adam([v], lr=0.1)
    for g in (0.5, -2.0, 0.7):
        v.grad = g
        opt.step()
    opt.reset()
    before = v.data
    v.grad = 0.5
    opt.step()
    assert v.data - before == pytest.approx(first)


def test_modules_and_single_parameters_are_accepted():
    class Holder:
        def parameters(self):
            return [Value(1.0), Value(2.0)]
    assert len(O.SGD(Holder()).parameters()) == 2
    assert len(O.SGD(Value(1.0)).parameters()) == 1


def test_bad_parameter_lists_and_hyperparameters():
    with pytest.raises(ValueError, match="empty parameter list"):
        O.SGD([])
    with pytest.raises(ValueError, match="empty parameter list"):
        O.SGD(iter([]))
    v = Value(1.0)
    with pytest.raises(ValueError, match="appears twice"):
        O.SGD([v, v])
    with pytest.raises(ValueError, match="appears twice"):
        O.SGD([{"params": [v]}, {"params": [v]}])
    with pytest.raises(TypeError, match="Value or a Tensor"):
        O.SGD([np.ones(3)])
    with pytest.raises(TypeError, match="not a mixture"):
        O.SGD([v, {"params": [Value(2.0)]}])
    with pytest.raises(ValueError, match="learning rate"):
        O.SGD([Value(1.0)], lr=-1)
    with pytest.raises(ValueError, match=r"rho must be in \[0, 1\)"):
        O.RMSprop([Value(1.0)], rho=1.0)
    with pytest.raises(ValueError, match="eps"):
        O.Adam([Value(1.0)], eps=-1e-8)


def test_weight_decay_adds_lambda_theta_to_the_gradient():
    t = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    opt = O.SGD([t], lr=0.1, weight_decay=0.5)
    t.grad = np.array([0.2, 0.2])
    opt.step()
    np.testing.assert_allclose(t.data, [1.0 - 0.1 * (0.2 + 0.5 * 1.0), -2.0 - 0.1 * (0.2 + 0.5 * -2.0)])
    assert t.grad.tolist() == [0.2, 0.2]  # the stored gradient is untouched


@pytest.mark.parametrize("cls,lr", [(O.SGD, 0.05), (O.Momentum, 0.05), (O.Adagrad, 0.5),
                                    (O.AdagradMomentum, 0.05), (O.RMSprop, 0.05), (O.Adam, 0.05)])
def test_every_optimizer_minimises_a_quadratic_through_backward(cls, lr):
    x = Value(3.0)
    y = Tensor(np.array([-2.0, 1.5]), requires_grad=True)
    opt = cls([x, y], lr=lr)
    start = None
    for _ in range(300):
        opt.zero_grad()
        # Values and Tensors do not mix in one graph: two costs, one optimizer over both
        loss_x, loss_y = (x - 1.0) ** 2, ((y - 0.5) * (y - 0.5)).sum()
        start = loss_x.data + loss_y.item() if start is None else start
        loss_x.backward()
        loss_y.backward()
        opt.step()
    final = float((x.data - 1.0) ** 2 + np.sum((y.data - 0.5) ** 2))
    assert final < 0.05 * float(start)


# --- clipping --------------------------------------------------------------------------------------------
def test_clip_grad_norm_caps_the_joint_norm_and_keeps_the_direction():
    v = Value(0.0)
    t = Tensor(np.zeros(2), requires_grad=True)
    v.grad, t.grad = 3.0, np.array([0.0, 4.0])
    total = O.clip_grad_norm([v, t], max_norm=1.0)
    assert total == pytest.approx(5.0)
    assert v.grad == pytest.approx(3.0 / (5.0 + 1e-6))
    np.testing.assert_allclose(t.grad, [0.0, 4.0 / (5.0 + 1e-6)])
    # already short enough: untouched
    v.grad, t.grad = 0.3, np.array([0.0, 0.4])
    assert O.clip_grad_norm([v, t], max_norm=1.0) == pytest.approx(0.5)
    assert v.grad == 0.3
    with pytest.raises(ValueError):
        O.clip_grad_norm([v], 0.0)


def test_clip_grad_value_clamps_each_entry():
    v = Value(0.0)
    t = Tensor(np.zeros(3), requires_grad=True)
    v.grad, t.grad = -7.0, np.array([-0.5, 2.0, 0.1])
    O.clip_grad_value([v, t], 1.0)
    assert v.grad == -1.0
    np.testing.assert_array_equal(t.grad, [-0.5, 1.0, 0.1])


# --- schedules ---------------------------------------------------------------------------------------------
def test_step_and_exponential_schedules():
    opt = O.SGD([{"params": [Value(0.0)], "lr": 1.0}, {"params": [Value(0.0)], "lr": 0.1}])
    sched = O.StepLR(opt, step_size=2, gamma=0.5)
    lrs = []
    for _ in range(5):
        sched.step()
        lrs.append(sched.get_lr())
    assert lrs == [[1.0, 0.1], [0.5, 0.05], [0.5, 0.05], [0.25, 0.025], [0.25, 0.025]]
    opt2 = O.Adam([Value(0.0)], lr=0.1)
    exp = O.ExponentialLR(opt2, gamma=0.9)
    for _ in range(3):
        exp.step()
    assert opt2.lr == pytest.approx(0.1 * 0.9**3)


def test_get_optimizer_by_name():
    assert isinstance(O.get_optimizer("adam", [Value(0.0)], lr=0.1), O.Adam)
    assert isinstance(O.get_optimizer("RMS_prop", [Value(0.0)]), O.RMSprop)
    assert isinstance(O.get_optimizer("constant", [Value(0.0)]), O.SGD)
    with pytest.raises(ValueError, match="unknown optimizer 'lbfgs'"):
        O.get_optimizer("lbfgs", [Value(0.0)])


# --- PyTorch: where the formulas coincide ------------------------------------------------------------------
def _torch_run(torch, make, grads):
    p = torch.tensor(THETA0.copy(), requires_grad=True)
    opt = make([p])
    for g in grads:
        p.grad = torch.tensor(g)
        opt.step()
    return p.detach().numpy()


def test_optimizers_agree_with_pytorch():
    torch = pytest.importorskip("torch")
    to = torch.optim
    pairs = [
        (lambda ps: O.SGD(ps, lr=0.1, weight_decay=0.01), lambda ps: to.SGD(ps, lr=0.1, weight_decay=0.01)),
        # seed 003: change = μ·change + ηg;  PyTorch: b = μb + g, θ −= ηb  — the same for a constant η
        (lambda ps: O.Momentum(ps, lr=0.1, momentum=0.9), lambda ps: to.SGD(ps, lr=0.1, momentum=0.9)),
        # Adagrad puts δ outside the root in both
        (lambda ps: O.Adagrad(ps, lr=0.3, eps=1e-10), lambda ps: to.Adagrad(ps, lr=0.3, eps=1e-10)),
        # RMSprop and Adam put δ inside the root (seed 003), PyTorch outside: equal for δ = 0
        (lambda ps: O.RMSprop(ps, lr=0.01, rho=0.9, eps=0.0), lambda ps: to.RMSprop(ps, lr=0.01, alpha=0.9, eps=0.0)),
        (lambda ps: O.Adam(ps, lr=0.01, eps=0.0), lambda ps: to.Adam(ps, lr=0.01, eps=0.0)),
    ]
    for ours, theirs in pairs:
        a = trajectory(ours, GRADS, THETA0)[-1]
        b = _torch_run(torch, theirs, GRADS)
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


# --- Nesterov, weight decay everywhere, AdamW: step by step against torch.optim --------------------------------
TORCH_TWINS = {  # ours, torch.optim's (None: the same keyword arguments)
    "SGD nesterov": (lambda ps: O.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
                     lambda to, ps: to.SGD(ps, lr=0.1, momentum=0.9, nesterov=True)),
    "Momentum nesterov + weight decay": (
        lambda ps: O.Momentum(ps, lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01),
        lambda to, ps: to.SGD(ps, lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01)),
    "Momentum + weight decay": (lambda ps: O.Momentum(ps, lr=0.05, momentum=0.8, weight_decay=0.1),
                                lambda to, ps: to.SGD(ps, lr=0.05, momentum=0.8, weight_decay=0.1)),
    "Adagrad + weight decay": (lambda ps: O.Adagrad(ps, lr=0.3, eps=1e-10, weight_decay=0.05),
                               lambda to, ps: to.Adagrad(ps, lr=0.3, eps=1e-10, weight_decay=0.05)),
    "RMSprop + weight decay": (lambda ps: O.RMSprop(ps, lr=0.01, rho=0.99, eps=0.0, weight_decay=0.05),
                               lambda to, ps: to.RMSprop(ps, lr=0.01, alpha=0.99, eps=0.0, weight_decay=0.05)),
    "Adam + weight decay": (lambda ps: O.Adam(ps, lr=0.01, eps=0.0, weight_decay=0.05),
                            lambda to, ps: to.Adam(ps, lr=0.01, eps=0.0, weight_decay=0.05)),
    "AdamW": (lambda ps: O.AdamW(ps, lr=0.01, eps=0.0), lambda to, ps: to.AdamW(ps, lr=0.01, eps=0.0)),
    "AdamW strong decay, betas": (lambda ps: O.AdamW(ps, lr=0.05, betas=(0.8, 0.95), eps=0.0, weight_decay=0.5),
                                  lambda to, ps: to.AdamW(ps, lr=0.05, betas=(0.8, 0.95), eps=0.0, weight_decay=0.5)),
}


@pytest.mark.parametrize("name", sorted(TORCH_TWINS))
def test_every_step_agrees_with_torch_optim_to_1e_12_in_float64(name):
    torch = pytest.importorskip("torch")
    ours, theirs = TORCH_TWINS[name]
    mine = trajectory(ours, GRADS, THETA0)
    p = torch.tensor(THETA0.copy(), requires_grad=True)
    opt = theirs(torch.optim, [p])
    for k, g in enumerate(GRADS):
        p.grad = torch.tensor(g)
        opt.step()
        np.testing.assert_allclose(mine[k], p.detach().numpy(), rtol=1e-12, atol=1e-15, err_msg=f"step {k + 1}")


def test_nesterov_and_adamw_on_a_value_follow_their_formulas_by_hand():
    theta, v, lr, mu = 0.7, 0.0, 0.1, 0.9
    expected = []
    for g in SCALAR_GRADS:
        v = mu * v + lr * g
        theta -= lr * g + mu * v
        expected.append(theta)
    got = trajectory(lambda ps: O.SGD(ps, lr=lr, momentum=mu, nesterov=True), SCALAR_GRADS, 0.7)
    assert [float(x) for x in got] == pytest.approx(expected, rel=1e-14)

    theta, m, s, lr, lam = 0.7, 0.0, 0.0, 0.01, 0.1
    expected = []
    for t, g in enumerate(SCALAR_GRADS, start=1):
        theta *= 1 - lr * lam
        m, s = 0.9 * m + 0.1 * g, 0.999 * s + 0.001 * g * g
        theta -= lr * (m / (1 - 0.9**t)) / math.sqrt(s / (1 - 0.999**t) + EPS)  # δ inside the root, as Adam
        expected.append(theta)
    got = trajectory(lambda ps: O.AdamW(ps, lr=lr, eps=EPS, weight_decay=lam), SCALAR_GRADS, 0.7)
    assert [float(x) for x in got] == pytest.approx(expected, rel=1e-13)


def test_adamw_shrinks_every_parameter_by_the_same_factor_whatever_its_gradient():
    big, small = Tensor(np.array([1.0]), requires_grad=True), Tensor(np.array([1.0]), requires_grad=True)
    opt = O.AdamW([big, small], lr=0.1, weight_decay=0.5, eps=0.0)
    big.grad, small.grad = np.array([100.0]), np.array([0.01])
    opt.step()
    # first step: m̂/√v̂ = 1 for any g; θ(1 − ηλ) − η = 1·0.95 − 0.1 for both
    np.testing.assert_allclose([big.data[0], small.data[0]], [0.85, 0.85], rtol=1e-14)


def test_nesterov_needs_momentum_and_a_bool():
    with pytest.raises(ValueError, match="nesterov=True needs a momentum > 0"):
        O.SGD([Value(1.0)], lr=0.1, nesterov=True)
    with pytest.raises(TypeError, match="nesterov must be True or False"):
        O.Momentum([Value(1.0)], nesterov="yes")
    opt = O.SGD([{"params": [Value(1.0)], "momentum": 0.9, "nesterov": True}, {"params": [Value(2.0)]}])
    assert [g["nesterov"] for g in opt.param_groups] == [True, False]
    with pytest.raises(ValueError, match="nesterov=True needs a momentum > 0"):
        opt.add_param_group({"params": [Value(3.0)], "nesterov": True})


def test_get_optimizer_knows_adamw():
    assert isinstance(O.get_optimizer("AdamW", [Value(1.0)]), O.AdamW)
    assert O.AdamW([Value(1.0)]).param_groups[0]["weight_decay"] == 0.01  # PyTorch's default


def test_zero_grad_set_to_none_false_keeps_zeros_that_step_still_uses():
    w = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    opt = O.SGD([w], lr=0.1, momentum=0.9)
    w.grad = np.array([1.0, 1.0])
    opt.step()
    opt.zero_grad(set_to_none=False)
    assert w.has_grad and np.array_equal(w.grad, [0.0, 0.0])
    before = w.data.copy()
    opt.step()  # momentum alone moves it, as in PyTorch
    np.testing.assert_allclose(before - w.data, [0.9 * 0.1, 0.9 * 0.1], rtol=1e-15)
    opt.zero_grad()
    assert w.grad is None


# --- every setting is a finite real number in its range, wherever it enters -----------------------------------
BAD_SETTINGS = [
    ("lr", math.inf, ValueError), ("lr", math.nan, ValueError), ("lr", -0.1, ValueError),
    ("lr", True, TypeError), ("lr", "0.1", TypeError), ("lr", None, TypeError), ("lr", np.array([0.1]), TypeError),
    ("weight_decay", math.inf, ValueError), ("weight_decay", -1e-4, ValueError),
    ("momentum", 1.0, ValueError), ("momentum", math.nan, ValueError), ("momentum", np.True_, TypeError),
    ("eps", math.inf, ValueError),
]


@pytest.mark.parametrize("key, bad, error", BAD_SETTINGS)
def test_a_bad_setting_is_refused_in_the_constructor_and_in_a_group(key, bad, error):
    cls = O.AdagradMomentum if key == "momentum" else O.Adam if key == "eps" else O.SGD
    label = "learning rate lr" if key == "lr" else key
    with pytest.raises(error, match=f"{cls.__name__}: (the )?{label} must be"):
        cls([Value(1.0)], **{key: bad})
    opt = cls([Value(1.0)])
    with pytest.raises(error, match=f"{cls.__name__}: (the )?{label} must be"):
        opt.add_param_group({"params": [Value(2.0)], key: bad})
    assert len(opt.param_groups) == 1


@pytest.mark.parametrize("bad, error", [(math.inf, ValueError), (-1.0, ValueError), (True, TypeError),
                                        (math.nan, ValueError)])
def test_the_lr_setter_checks_and_leaves_the_rate_alone_when_refusing(bad, error):
    opt = O.SGD([{"params": [Value(1.0)]}, {"params": [Value(2.0)], "lr": 0.5}], lr=0.1)
    with pytest.raises(error, match="SGD: the learning rate lr must be"):
        opt.lr = bad
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    opt.lr = np.float32(0.25)
    assert [g["lr"] for g in opt.param_groups] == [0.25, 0.25] and type(opt.lr) is float


def test_numpy_scalars_are_accepted_and_stored_as_floats():
    v = Value(1.0)
    opt = O.Adam([v], lr=np.float32(0.5), rho=np.float64(0.8), rho2=np.float32(0.9), eps=np.int64(0),
                 weight_decay=np.float16(0.0))
    settings = {k: val for k, val in opt.param_groups[0].items() if k != "params"}
    assert all(type(val) is float for val in settings.values())
    assert settings["lr"] == 0.5 and settings["rho"] == 0.8
    v.grad = 1.0
    opt.step()
    assert type(v.data) is float and v.data == pytest.approx(0.5)  # Adam's first step is lr·sign(g)


def test_adam_betas_must_be_a_pair():
    with pytest.raises(TypeError, match=r"betas must be a pair"):
        O.Adam([Value(1.0)], betas=0.9)
    assert O.Adam([Value(1.0)], betas=(0.5, 0.6)).param_groups[0]["rho2"] == 0.6


@pytest.mark.parametrize("make", [lambda opt, g: O.ExponentialLR(opt, gamma=g),
                                  lambda opt, g: O.StepLR(opt, step_size=1, gamma=g)])
@pytest.mark.parametrize("bad, error", [(math.inf, ValueError), (0.0, ValueError),
                                        (-0.5, ValueError), (math.nan, ValueError), (True, TypeError),
                                        ("0.9", TypeError)])
def test_a_schedule_gamma_is_a_finite_positive_factor(make, bad, error):
    with pytest.raises(error, match="gamma must be"):
        make(O.SGD([Value(1.0)], lr=0.1), bad)
    make(O.SGD([Value(1.0)], lr=0.1), 1.5)  # a growing rate (a warm-up, a range test) is allowed, as PyTorch


def test_step_size_is_a_positive_int_and_numpy_scalars_are_fine():
    opt = O.SGD([Value(1.0)], lr=1.0)
    for bad in (True, 0, 1.5, -2):
        with pytest.raises(ValueError, match="StepLR: step_size must be a positive int"):
            O.StepLR(opt, step_size=bad)
    sched = O.ExponentialLR(opt, gamma=np.float32(0.5))
    sched.step()
    assert opt.lr == 0.5
    assert O.StepLR(opt, step_size=np.int64(2), gamma=1.0).step_size == 2


def test_a_gradient_of_the_wrong_shape_is_refused_not_broadcast():
    t = Tensor(np.zeros(3), requires_grad=True)
    opt = O.SGD([t], lr=1.0)
    t.grad = np.ones(1)  # numpy would broadcast it into every entry
    with pytest.raises(ShapeError, match=r"SGD.step: a parameter of shape \(3,\) has a gradient of shape \(1,\)"):
        opt.step()
    assert t.data.tolist() == [0.0, 0.0, 0.0]


# --- clip_grad_norm with NaN and inf: error_if_nonfinite, or PyTorch's propagation --------------------------
def _nonfinite_grads(bad):
    v, t = Value(0.0), Tensor(np.zeros(3), requires_grad=True)
    v.grad, t.grad = 3.0, np.array([4.0, bad, -1.0])
    return v, t


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_clip_grad_norm_can_refuse_a_nonfinite_gradient_before_changing_any(bad):
    v, t = _nonfinite_grads(bad)
    with pytest.raises(NonFiniteError, match=r"total gradient norm is (nan|inf).*parameter 1 of 2 "
                                               r"\(a Tensor of shape \(3,\)\) holds NaN or inf"):
        O.clip_grad_norm([v, t], 1.0, error_if_nonfinite=True)
    assert v.grad == 3.0 and t.grad[0] == 4.0 and t.grad[2] == -1.0


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_clip_grad_norm_propagates_a_nonfinite_gradient_exactly_as_pytorch(bad):
    torch = pytest.importorskip("torch")
    v, t = _nonfinite_grads(bad)
    total = O.clip_grad_norm([v, t], 1.0)
    a = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    a.grad, b.grad = torch.tensor([3.0], dtype=torch.float64), torch.tensor([4.0, bad, -1.0], dtype=torch.float64)
    expected = float(torch.nn.utils.clip_grad_norm_([a, b], 1.0))
    np.testing.assert_array_equal(total, expected)
    np.testing.assert_array_equal([v.grad, *t.grad], [*a.grad.numpy(), *b.grad.numpy()])


def test_clip_grad_norm_of_huge_finite_gradients_does_not_overflow():
    v, t = Value(0.0), Tensor(np.zeros(2), requires_grad=True)
    v.grad, t.grad = 3e200, np.array([0.0, 4e200])
    assert O.clip_grad_norm([v, t], 1.0, error_if_nonfinite=True) == pytest.approx(5e200, rel=1e-15)
    assert v.grad == pytest.approx(0.6) and t.grad[1] == pytest.approx(0.8)


def test_clip_bounds_are_checked_and_an_infinite_max_norm_only_measures():
    v = Value(0.0)
    v.grad = 12.0
    assert O.clip_grad_norm([v], math.inf) == 12.0 and v.grad == 12.0
    for bad, error in ((0.0, ValueError), (math.nan, ValueError), (True, TypeError), ("1", TypeError)):
        with pytest.raises(error, match="max_norm must be"):
            O.clip_grad_norm([v], bad)
        with pytest.raises(error, match="clip must be"):
            O.clip_grad_value([v], bad)


def test_a_value_parameter_no_loss_reached_is_not_stepped_even_with_weight_decay():
    # issue 13 item 8: it moved (weight decay) although the docstring said it is skipped
    used, unused = Value(1.0), Value(1.0)
    for opt in (O.SGD([used, unused], lr=0.1, weight_decay=0.5), O.Adam([used, unused], lr=0.1, weight_decay=0.5),
                O.Momentum([used, unused], lr=0.1, weight_decay=0.5)):
        opt.zero_grad()
        (used * 3.0).backward()
        opt.step()
        assert unused.data == 1.0 and not unused.has_grad
        assert used.data != 1.0
    t_unused = Tensor([1.0, 2.0], requires_grad=True)
    opt = O.SGD([Tensor([0.0], requires_grad=True), t_unused], lr=0.1, weight_decay=1.0)
    opt.step()
    assert t_unused.data.tolist() == [1.0, 2.0]
