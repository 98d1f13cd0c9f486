"""Resuming training: an optimizer's state saved without pickle and put back, bit for bit.

The test of record: train 10 steps, save model + optimizer (+ schedule), load them into fresh
objects, train 10 more, and compare every parameter with 20 uninterrupted steps — exactly equal,
for every optimizer, on a tensor model and on a scalar (Value) model."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autodiff import Tensor, Value
from autodiff.errors import ShapeError
from nn import ModelFileError, StateDictError
from nn import optim as O

X, Y = nn.moons(64, noise=0.2, seed=0)
OPTIMIZERS = {
    "SGD": lambda ps: O.SGD(ps, lr=0.1),
    "SGD weight decay": lambda ps: O.SGD(ps, lr=0.1, weight_decay=0.01),
    "Momentum": lambda ps: O.Momentum(ps, lr=0.05, momentum=0.9),
    "Nesterov": lambda ps: O.SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
    "Adagrad": lambda ps: O.Adagrad(ps, lr=0.1),
    "AdagradMomentum": lambda ps: O.AdagradMomentum(ps, lr=0.05),
    "RMSprop": lambda ps: O.RMSprop(ps, lr=0.01),
    "Adam": lambda ps: O.Adam(ps, lr=0.01, weight_decay=1e-3),
    "AdamW": lambda ps: O.AdamW(ps, lr=0.01),
    "two groups": lambda ps: O.Adam([{"params": ps[:2], "lr": 0.02}, {"params": ps[2:]}], lr=0.005),
}


def _tensor_model(seed: int) -> nn.Module:
    return nn.TensorMLP(2, [8, 2], seed=seed)


def _tensor_step(model, opt, k: int) -> None:
    rows = slice(8 * (k % 8), 8 * (k % 8) + 8)  # a fixed order: the batches are not what is tested
    opt.zero_grad()
    nn.cross_entropy(model(Tensor(X[rows])), Y[rows]).backward()
    opt.step()


def _scalar_model(seed: int) -> nn.Module:
    return nn.MLP(2, [4, 1], seed=seed)


def _scalar_step(model, opt, k: int) -> None:
    rows = range(4 * (k % 16), 4 * (k % 16) + 4)
    opt.zero_grad()
    nn.hinge([model(X[i].tolist()) for i in rows], [2.0 * Y[i] - 1.0 for i in rows]).backward()
    opt.step()


def _train(model, opt, schedule, step, ks) -> None:
    for k in ks:
        step(model, opt, k)
        if schedule is not None and k % 3 == 2:
            schedule.step()


def _numbers(model) -> list:
    return [np.array(p.data) for p in model.parameters()]


@pytest.mark.parametrize("kind", ["tensor", "scalar"])
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_ten_steps_saved_loaded_and_ten_more_equal_twenty_uninterrupted_steps(tmp_path, name, kind):
    make_model, step = (_tensor_model, _tensor_step) if kind == "tensor" else (_scalar_model, _scalar_step)
    make_opt = OPTIMIZERS[name]
    schedules = {"Momentum": lambda o: O.StepLR(o, step_size=2, gamma=0.5),
                 "Adam": lambda o: O.ExponentialLR(o, gamma=0.9)}
    make_schedule = schedules.get(name, lambda o: None)

    model = make_model(0)
    opt = make_opt(model.parameters())
    schedule = make_schedule(opt)
    _train(model, opt, schedule, step, range(20))

    first = make_model(0)
    opt1 = make_opt(first.parameters())
    schedule1 = make_schedule(opt1)
    _train(first, opt1, schedule1, step, range(10))
    first.save(tmp_path / "model.npz")
    opt1.save(tmp_path / "optimizer.npz")
    if schedule1 is not None:
        nn.save(schedule1.state_dict(), tmp_path / "schedule.npz")

    resumed = make_model(1).load(tmp_path / "model.npz")  # other initial weights, overwritten
    opt2 = make_opt(resumed.parameters()).load(tmp_path / "optimizer.npz")
    schedule2 = make_schedule(opt2)
    if schedule2 is not None:
        schedule2.load_state_dict(nn.load(tmp_path / "schedule.npz"))
    _train(resumed, opt2, schedule2, step, range(10, 20))

    for a, b in zip(_numbers(model), _numbers(resumed)):
        assert np.array_equal(a, b)
    assert opt2.lr == opt.lr


def test_a_value_parameters_state_comes_back_as_python_floats_and_t_as_an_int():
    p = Value(0.5)
    opt = O.Adam([p], lr=0.1)
    p.grad = 0.3
    opt.step()
    fresh = O.Adam([Value(0.5)], lr=0.1)
    fresh.load_state_dict(opt.state_dict())
    (state,) = fresh.state.values()
    assert type(state["m"]) is float and type(state["v"]) is float and type(state["t"]) is int
    assert state == next(iter(opt.state.values()))


def test_the_state_dict_is_flat_plain_arrays_and_a_copy():
    w = Tensor(np.ones(3), requires_grad=True)
    opt = O.SGD([w], lr=0.1, momentum=0.9, nesterov=True)
    w.grad = np.array([1.0, 2.0, 3.0])
    opt.step()
    state = opt.state_dict()
    assert sorted(state) == ["param_groups.0.lr", "param_groups.0.momentum", "param_groups.0.nesterov",
                             "param_groups.0.params", "param_groups.0.weight_decay", "state.0.change"]
    assert all(isinstance(a, np.ndarray) and a.dtype.kind in "biuf" for a in state.values())
    assert state["param_groups.0.nesterov"].dtype == bool and state["param_groups.0.params"].tolist() == [0]
    state["state.0.change"][:] = 99.0
    assert not np.any(next(iter(opt.state.values()))["change"] == 99.0)


def test_the_saved_settings_come_back_too():
    a = O.Adam([Value(1.0)], lr=0.123, betas=(0.8, 0.9))
    b = O.Adam([Value(1.0)])
    b.load_state_dict(a.state_dict())
    assert (b.lr, b.param_groups[0]["rho"], b.param_groups[0]["rho2"]) == (0.123, 0.8, 0.9)


# --- refusals: each names what does not fit, and changes nothing -------------------------------------------
def _stepped(opt, params):
    for p in params:
        p.grad = np.ones_like(p.data) if isinstance(p, Tensor) else 1.0
    opt.step()
    return opt


def _before(opt):
    return repr(opt.param_groups), repr(opt.state)


@pytest.mark.parametrize("make_other, error, match", [
    (lambda: O.Adam([Tensor(np.ones((2, 3)), requires_grad=True)]), ShapeError,
     r"'state.0.m': the optimizer's parameter has shape \(2, 3\), the state has shape \(3,\)"),
    (lambda: O.SGD([Tensor(np.ones(3), requires_grad=True)], momentum=0.5), StateDictError,
     "unknown entries .*'param_groups.0.rho'.*keeps 1 parameter group"),
    (lambda: O.Adam([Tensor(np.ones(3), requires_grad=True), Tensor(np.ones(1), requires_grad=True)]),
     StateDictError, r"'param_groups.0.params': the saved group holds 1 parameter\(s\), this optimizer's 2"),
    (lambda: O.Adam([{"params": [Tensor(np.ones(3), requires_grad=True)]},
                     {"params": [Tensor(np.ones(3), requires_grad=True)]}]), StateDictError, "missing"),
])
def test_a_state_that_does_not_fit_is_refused_before_anything_changes(make_other, error, match):
    """Another shape, another optimizer, another number of parameters or of groups."""
    w = Tensor(np.zeros(3), requires_grad=True)
    state = _stepped(O.Adam([w], lr=0.5), [w]).state_dict()
    other = make_other()
    before = _before(other)
    with pytest.raises(error, match=match):
        other.load_state_dict(state)
    assert _before(other) == before


@pytest.mark.parametrize("change, error, match", [
    (lambda s: s.pop("state.0.v"), StateDictError, r"parameter 0 has \['m', 't'\] but a Adam keeps all"),
    (lambda s: s.update({"state.0.t": np.array(-1)}), StateDictError, "counts steps"),
    (lambda s: s.update({"param_groups.0.params": np.array([3])}), StateDictError, "numbers the parameters differently"),
    (lambda s: s.update({"state.0.t": np.array(1.5)}), StateDictError, "dtype kind 'f'"),
    (lambda s: s.update({"param_groups.0.lr": np.array(-0.1)}), ValueError, "lr must be"),
    (lambda s: s.update({"param_groups.0.eps": np.array("x")}), StateDictError, "dtype kind 'U'"),
])
def test_a_damaged_state_is_refused_before_anything_changes(change, error, match):
    w = Tensor(np.zeros(3), requires_grad=True)
    state = _stepped(O.Adam([w], lr=0.5), [w]).state_dict()
    change(state)
    other = _stepped(O.Adam([Tensor(np.zeros(3), requires_grad=True)], lr=0.25), [])
    before = _before(other)
    with pytest.raises(error, match=match):
        other.load_state_dict(state)
    assert _before(other) == before


def test_files_of_another_kind_or_optimizer_are_refused_saying_what_they_hold(tmp_path):
    w = Tensor(np.zeros(3), requires_grad=True)
    adam = _stepped(O.Adam([w]), [w])
    adam.save(tmp_path / "adam.npz")
    with pytest.raises(ModelFileError, match="holds the state of Adam, not of AdamW"):
        O.AdamW([w]).load(tmp_path / "adam.npz")  # the same entries: only the class tells them apart
    with pytest.raises(ModelFileError, match=r"holds an optimizer's state, load it with optimizer.load\(path\)"):
        nn.load(tmp_path / "adam.npz", nn.Linear(3, 1))
    nn.Linear(3, 1).save(tmp_path / "model.npz")
    with pytest.raises(ModelFileError, match=r"holds a model, load it with model.load\(path\)"):
        adam.load(tmp_path / "model.npz")
    with pytest.raises(FileNotFoundError, match="no optimizer file at"):
        adam.load(tmp_path / "missing.npz")
    with pytest.raises(ShapeError, match="does not fit this Adam"):
        O.Adam([Tensor(np.zeros(4), requires_grad=True)]).load(tmp_path / "adam.npz")


def test_a_state_dict_saves_with_nn_save_and_loads_back_with_nn_load(tmp_path):
    w = Tensor(np.zeros(3), requires_grad=True)
    opt = _stepped(O.RMSprop([w], lr=0.5), [w])
    nn.save(opt.state_dict(), tmp_path / "state.npz")
    fresh = O.RMSprop([Tensor(np.zeros(3), requires_grad=True)])
    fresh.load_state_dict(nn.load(tmp_path / "state.npz"))
    assert repr(fresh.state_dict()) == repr(opt.state_dict())


def test_a_schedules_state_is_checked():
    opt = O.SGD([Value(1.0)], lr=0.1)
    schedule = O.StepLR(opt, step_size=1)
    schedule.step()
    again = O.StepLR(O.SGD([Value(1.0)], lr=0.1), step_size=1)
    again.load_state_dict(schedule.state_dict())
    assert (again.epoch, again.base_lrs) == (1, [0.1])
    with pytest.raises(StateDictError, match="'epoch' must be an int >= 0"):
        again.load_state_dict({"epoch": np.array(-1), "base_lrs": np.array([0.1])})
    with pytest.raises(StateDictError, match="one per parameter group"):
        again.load_state_dict({"epoch": np.array(1), "base_lrs": np.array([0.1, 0.2])})
