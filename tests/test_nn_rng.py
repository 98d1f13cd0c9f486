"""One global switch: ``autodiff.manual_seed(s)`` fixes every draw in nn given no seed= or rng=.

Initial weights (scalar and tensor layers), dropout masks, fit's shuffles and validation split, and
``nn.batches``; a module's own ``seed=`` keeps its own stream, whatever the global generator does."""

import numpy as np
import pytest

import autodiff
import nn
from autodiff import Tensor


def _train_tensor_model() -> tuple[list[np.ndarray], list[float]]:
    """Build a TensorMLP with dropout and train it with fit: every draw from the global generator."""
    X, y = nn.moons(120, noise=0.2, seed=1)
    model = nn.TensorMLP(2, [16, 16, 2], dropout=0.2)
    history = nn.fit(model, "cross_entropy", nn.Adam(model.parameters(), lr=0.01), X, y, epochs=5,
                     batch_size=16, validation=0.25, progress=False)
    return [p.data.copy() for p in model.parameters()], history["loss"] + history["val_loss"]


def _train_scalar_model() -> list[float]:
    """micrograd's way, one sample at a time, minibatches from nn.batches."""
    X, y = nn.moons(40, seed=2)
    model = nn.MLP(2, [8, 1])
    opt = nn.SGD(model.parameters(), lr=0.05)
    for Xb, yb in nn.batches(X, 2.0 * y - 1.0, batch_size=8):
        opt.zero_grad()
        loss = nn.hinge([model(row.tolist()) for row in Xb], yb)
        loss.backward()
        opt.step()
    return [p.data for p in model.parameters()]


@pytest.mark.parametrize("train", [_train_tensor_model, _train_scalar_model])
def test_manual_seed_then_building_and_training_twice_gives_identical_results(train):
    autodiff.manual_seed(0)
    first = train()
    autodiff.manual_seed(0)
    second = train()
    assert repr(first) == repr(second)  # every number, to the last bit
    autodiff.manual_seed(1)
    assert repr(train()) != repr(first)


def test_every_initialiser_draws_from_the_global_generator_without_a_seed():
    autodiff.manual_seed(5)
    a = [nn.init.uniform((3, 2)), nn.init.normal(4), nn.init.he_normal((2, 2)), nn.init.xavier_uniform((2, 3))]
    autodiff.manual_seed(5)
    b = [nn.init.uniform((3, 2)), nn.init.normal(4), nn.init.he_normal((2, 2)), nn.init.xavier_uniform((2, 3))]
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    expected = np.random.default_rng(5).uniform(-1.0, 1.0, size=(3, 2))
    np.testing.assert_array_equal(a[0], expected)


@pytest.mark.parametrize("make", [lambda: nn.Linear(3, 4), lambda: nn.Neuron(3), lambda: nn.Layer(3, 2),
                                  lambda: nn.MLP(3, [4, 1]), lambda: nn.TensorMLP(3, [4, 1])])
def test_layers_without_a_seed_follow_manual_seed(make):
    autodiff.manual_seed(11)
    a = [np.array(p.data) for p in make().parameters()]
    autodiff.manual_seed(11)
    b = [np.array(p.data) for p in make().parameters()]
    assert all(np.array_equal(u, v) for u, v in zip(a, b))


def test_a_modules_own_seed_ignores_the_global_generator():
    autodiff.manual_seed(0)
    a = nn.MLP(2, [3, 1], seed=7).state_dict()
    autodiff.manual_seed(1)
    b = nn.MLP(2, [3, 1], seed=7).state_dict()
    assert all(np.array_equal(a[k], b[k]) for k in a)
    drop_a, drop_b = nn.Dropout(0.5, seed=3), nn.Dropout(0.5, seed=3)
    autodiff.manual_seed(0)
    mask_a = drop_a(Tensor(np.ones(50))).data
    autodiff.manual_seed(1)
    np.testing.assert_array_equal(drop_b(Tensor(np.ones(50))).data, mask_a)


def test_dropout_without_a_seed_draws_at_each_pass_so_a_later_manual_seed_governs_it():
    drop = nn.Dropout(0.5)  # built before the seed is set, as in a PyTorch script
    autodiff.manual_seed(3)
    first = drop(Tensor(np.ones(64))).data
    autodiff.manual_seed(3)
    np.testing.assert_array_equal(drop(Tensor(np.ones(64))).data, first)
    expected = (np.random.default_rng(3).random(64) >= 0.5) / 0.5
    np.testing.assert_array_equal(first, expected)


def test_batches_and_fit_shuffle_from_the_global_generator_unless_given_one():
    X = np.arange(20.0).reshape(10, 2)
    autodiff.manual_seed(4)
    order = [xb[:, 0].tolist() for xb, _ in nn.batches(X, batch_size=3)]
    autodiff.manual_seed(4)
    assert [xb[:, 0].tolist() for xb, _ in nn.batches(X, batch_size=3)] == order
    own = [xb[:, 0].tolist() for xb, _ in nn.batches(X, batch_size=3, rng=4)]
    assert own == order  # seed 4 and manual_seed(4) are the same stream: default_rng(4)


def test_random_and_numpy_seeds_do_not_reach_nn_as_they_do_not_reach_torch():
    import random

    autodiff.manual_seed(0)
    random.seed(1)
    np.random.seed(1)
    a = nn.Linear(2, 2).W.data
    autodiff.manual_seed(0)
    random.seed(2)
    np.random.seed(2)
    np.testing.assert_array_equal(nn.Linear(2, 2).W.data, a)
