"""Training (nn.train.fit): XOR, seed 002's noisy sine, the digits, the scalar MLP, the History,
early stopping, errors with the place named, the progress bar and the loss plot."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

import nn
from autodiff import Tensor
from autodiff.errors import NonFiniteError, ShapeError
from nn.layers import Linear, Sequential, Tanh, TensorMLP
from nn.optim import SGD, Adam, StepLR
from nn.train import History, accuracy, evaluate, fit, mae, plot_history, predict, rmse


# --- the numbers to reach ---------------------------------------------------------------------------
@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_xor_is_solved_by_a_2_4_1_tensor_mlp(activation):
    X, y = nn.data.xor()
    net = TensorMLP(2, [4, 1], activation=activation, output_activation="sigmoid", seed=0)
    history = fit(net, "bce", Adam(net.parameters(), lr=0.1), X, y, epochs=300, batch_size=4,
                  metrics=["accuracy"], progress=False, seed=0)
    assert accuracy(predict(net, X), y) == 1.0
    assert history["accuracy"][-1] == 1.0 and history["loss"][-1] < 0.05


def test_noisy_sine_two_layer_tanh_with_seed_002s_separate_rates():
    """Seed 002: 1-20-1 tanh net, standardised X and T, full-batch gradient descent with a
    hidden-layer rate ρ_h ten times the output rate ρ_o. Train RMSE (original units) < 0.25."""
    X, T = nn.data.noisy_sine(n=30, seed=0)
    xs, ts = nn.data.standardize(X), nn.data.standardize(T)
    net = TensorMLP(1, [20, 1], activation="tanh", init="uniform", seed=0)
    hidden, output = net[0], net[2]
    opt = SGD([{"params": hidden.parameters(), "lr": 0.5}, {"params": output.parameters(), "lr": 0.05}])
    fit(net, "mse", opt, xs.transform(X), ts.transform(T), epochs=3000, batch_size=None, progress=False)
    Y = ts.inverse_transform(predict(net, xs.transform(X)))
    train_rmse = rmse(Y, T)
    assert train_rmse < 0.25, train_rmse


def test_digits_mlp_64_100_30_10_reaches_97_percent_test_accuracy():
    """Seed 003's multiclass example: 64-100-30-10, leaky ReLU, softmax cross-entropy from logits,
    Adam; features standardised on the training set; 80/20 split."""
    X, y = nn.data.digits()
    (Xtr, ytr), _, (Xte, yte) = nn.data.train_val_test_split(X, y, (0.8, 0.0, 0.2), seed=0)
    st = nn.data.standardize(Xtr)
    Xtr, Xte = st.transform(Xtr), st.transform(Xte)
    net = TensorMLP(64, [100, 30, 10], activation="leaky_relu", seed=0)
    start = time.perf_counter()
    history = fit(net, "cross_entropy_with_logits", Adam(net.parameters(), lr=1e-3), Xtr, ytr,
                  epochs=20, batch_size=32, metrics=["accuracy"], validation=(Xte, yte), progress=False, seed=0)
    seconds = time.perf_counter() - start
    test_acc = accuracy(predict(net, Xte), yte)
    print(f"\ndigits: test accuracy {test_acc:.4f} after {len(history)} epochs, "
          f"{np.mean(history['seconds']):.3f} s/epoch, {seconds:.2f} s in all")
    assert test_acc >= 0.97
    assert history["val_accuracy"][-1] == pytest.approx(test_acc)
    assert seconds < 60


# --- the scalar MLP ---------------------------------------------------------------------------------------
def test_scalar_mlp_is_fed_one_row_at_a_time():
    X, y = nn.data.xor()
    net = nn.MLP(2, [4, 1], activation="tanh", output_activation="sigmoid", seed=0)
    history = fit(net, "bce", Adam(net.parameters(), lr=0.1), X, y, epochs=200, batch_size=4,
                  metrics="accuracy", progress=False, seed=0)
    out = predict(net, X)
    assert out.shape == (4,) and accuracy(out, y) == 1.0
    assert history["loss"][-1] < 0.05


def test_scalar_mlp_with_softmax_cross_entropy_and_validation():
    X, y = nn.data.xor()
    net = nn.MLP(2, [8, 2], activation="tanh", output_activation="linear", seed=0)
    h = fit(net, "cross_entropy_with_logits", Adam(net.parameters(), lr=0.05), X, y, epochs=150,
            batch_size=2, metrics=["accuracy"], validation=(X, y), progress=False, seed=0)
    assert predict(net, X).shape == (4, 2)
    assert h["val_accuracy"][-1] == 1.0


def test_hinge_loss_with_plus_minus_one_labels():
    X, y = nn.data.moons(n=60, noise=0.05, seed=0)
    net = TensorMLP(2, [16, 1], activation="relu", seed=0)
    h = fit(net, "hinge", Adam(net.parameters(), lr=0.02), X, 2 * y - 1, epochs=150, batch_size=20,
            metrics=["accuracy"], progress=False, seed=0)
    assert h["accuracy"][-1] >= 0.95


# --- History, validation, early stopping, schedules -----------------------------------------------------------
def _regression(seed=0, n=40):
    r = np.random.default_rng(seed)
    X = r.normal(size=(n, 2))
    return X, X @ np.array([1.5, -2.0]) + 0.3


def test_history_records_every_epoch():
    X, y = _regression()
    net = Linear(2, 1, seed=0)
    h = fit(net, "mse", SGD(net.parameters(), lr=0.05), X, y, epochs=7, batch_size=8,
            metrics=["rmse", "mae"], validation=0.25, progress=False, seed=1)
    assert isinstance(h, History) and len(h) == 7 and h.epochs == list(range(1, 8))
    assert set(h.keys()) == {"loss", "rmse", "mae", "val_loss", "val_rmse", "val_mae", "lr", "seconds"}
    assert all(len(h[k]) == 7 for k in h.keys())
    assert all(s > 0 for s in h["seconds"])
    assert h["loss"][-1] < h["loss"][0]
    assert h.best_epoch == 7 and not h.stopped_early
    assert "7 epochs" in repr(h)
    with pytest.raises(KeyError, match="no 'accuracy'"):
        h["accuracy"]


def test_same_seed_same_run():
    X, y = _regression()
    runs = []
    for _ in range(2):
        net = Linear(2, 1, seed=0)
        runs.append(fit(net, "mse", Adam(net.parameters(), lr=0.05), X, y, epochs=5, batch_size=7,
                        progress=False, seed=3)["loss"])
    assert runs[0] == runs[1]


def test_mean_training_loss_equals_the_loss_when_nothing_moves():
    X, y = _regression()
    net = Linear(2, 1, seed=0)
    expected = evaluate(net, "mse", X, y)["loss"]
    h = fit(net, "mse", SGD(net.parameters(), lr=0.0), X, y, epochs=1, batch_size=10, progress=False)
    assert h["loss"][0] == pytest.approx(expected, rel=1e-12)


def test_early_stopping_stops_and_restores_the_best_weights():
    X, y = _regression()
    Xv, yv = _regression(seed=5, n=20)
    net = Linear(2, 1, seed=0)
    # a rate so large that the validation loss gets worse after a while
    h = fit(net, "mse", SGD(net.parameters(), lr=0.4, momentum=0.9), X, y, epochs=200, batch_size=None,
            validation=(Xv, yv), early_stopping=3, progress=False)
    assert h.stopped_early and len(h) == h.best_epoch + 3
    best = min(h["val_loss"])
    assert h["val_loss"][h.best_epoch - 1] == best
    assert evaluate(net, "mse", Xv, yv)["loss"] == pytest.approx(best, rel=1e-12)


def test_lr_schedule_is_stepped_every_epoch_and_recorded():
    X, y = _regression()
    net = Linear(2, 1, seed=0)
    opt = SGD(net.parameters(), lr=0.1)
    h = fit(net, "mse", opt, X, y, epochs=4, lr_schedule=StepLR(opt, step_size=1, gamma=0.5), progress=False)
    assert h["lr"] == pytest.approx([0.1, 0.05, 0.025, 0.0125])


def test_optimizer_by_name_and_loss_by_callable():
    X, y = _regression()
    net = Sequential(Linear(2, 4, seed=0), Tanh(), Linear(4, 1, seed=1))
    h = fit(net, nn.losses.mse, "adam", X, y, epochs=3, progress=False)
    assert len(h) == 3


def test_metrics_by_hand():
    assert accuracy(np.array([[0.1, 0.9], [0.8, 0.2]]), [1, 1]) == 0.5
    assert accuracy(np.array([[0.1, 0.9], [0.8, 0.2]]), np.eye(2)[[1, 0]]) == 1.0
    assert accuracy(np.array([0.2, 0.7, 0.5]), [0, 1, 0]) == pytest.approx(2 / 3)
    assert accuracy(np.array([-0.3, 0.1]), [-1, 1]) == 1.0
    assert accuracy(np.array([-0.3, 0.1]), [0, 1], threshold=0.0) == 1.0
    assert rmse([1.0, 2.0], [1.0, 4.0]) == pytest.approx(math.sqrt(2))
    assert mae(np.array([[1.0], [2.0]]), [0.0, 0.0]) == 1.5


# --- errors, each saying where -----------------------------------------------------------------------------
def test_x_y_length_mismatch():
    net = Linear(2, 1, seed=0)
    with pytest.raises(ShapeError, match="X has 5 rows, y has 4"):
        fit(net, "mse", SGD(net.parameters()), np.ones((5, 2)), np.ones(4), epochs=1, progress=False)


def test_nan_in_the_data_is_located():
    net = Linear(2, 1, seed=0)
    X = np.ones((5, 2))
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match="X contains NaN at row 3, column 1"):
        fit(net, "mse", SGD(net.parameters()), X, np.ones(5), epochs=1, progress=False)
    y = np.ones(5)
    y[2] = np.inf
    with pytest.raises(ValueError, match="y contains an infinite value at row 2"):
        fit(net, "mse", SGD(net.parameters()), np.ones((5, 2)), y, epochs=1, progress=False)
    Xv = np.ones((2, 2))
    Xv[1, 0] = np.nan
    with pytest.raises(ValueError, match="validation X contains NaN at row 1, column 0"):
        fit(net, "mse", SGD(net.parameters()), np.ones((5, 2)), np.ones(5), epochs=1,
            validation=(Xv, np.ones(2)), progress=False)


def test_empty_dataset_and_bad_arguments():
    net = Linear(2, 1, seed=0)
    opt = SGD(net.parameters())
    with pytest.raises(ValueError, match="X is empty"):
        fit(net, "mse", opt, np.zeros((0, 2)), np.zeros(0), epochs=1, progress=False)
    with pytest.raises(ValueError, match="batch_size"):
        fit(net, "mse", opt, np.ones((3, 2)), np.ones(3), batch_size=0, progress=False)
    with pytest.raises(ValueError, match="validation fraction"):
        fit(net, "mse", opt, np.ones((3, 2)), np.ones(3), validation=1.5, progress=False)
    with pytest.raises(ValueError, match="early_stopping"):
        fit(net, "mse", opt, np.ones((3, 2)), np.ones(3), early_stopping=0, progress=False)
    with pytest.raises(TypeError, match="optimizer"):
        fit(net, "mse", object(), np.ones((3, 2)), np.ones(3), progress=False)
    with pytest.raises(ValueError, match="unknown metric"):
        fit(net, "mse", opt, np.ones((3, 2)), np.ones(3), metrics=["f1"], progress=False)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_diverging_run_raises_naming_the_epoch():
    X, y = _regression()
    net = Linear(2, 1, seed=0)
    with pytest.raises(NonFiniteError, match="loss became .* at epoch .*learning rate"):
        fit(net, "mse", SGD(net.parameters(), lr=1e3), X * 1e3, y, epochs=50, batch_size=None, progress=False)


# --- progress bar and plot ----------------------------------------------------------------------------------
def test_progress_bar_shows_the_loss(capsys):
    X, y = _regression()
    net = Linear(2, 1, seed=0)
    fit(net, "mse", SGD(net.parameters(), lr=0.05), X, y, epochs=3, progress=True)
    err = capsys.readouterr().err
    assert "fit" in err and "loss=" in err and "3/3" in err


def test_plot_history_returns_a_figure_without_pyplot(tmp_path):
    pytest.importorskip("matplotlib")
    X, y = nn.data.xor()
    net = TensorMLP(2, [4, 1], activation="tanh", output_activation="sigmoid", seed=0)
    h = fit(net, "bce", Adam(net.parameters(), lr=0.1), X, y, epochs=20, metrics=["accuracy"],
            validation=(X, y), progress=False)
    fig = plot_history(h, title="XOR")
    from matplotlib.figure import Figure

    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()][:2] == ["train loss", "validation loss"]
    fig.savefig(tmp_path / "history.png")
    assert (tmp_path / "history.png").stat().st_size > 0
    with pytest.raises(KeyError, match="no 'rmse'"):
        plot_history(h, keys=["rmse"])
    with pytest.raises(ValueError, match="empty"):
        plot_history(History())


# --- everything is checked before the first step ---------------------------------------------------------------
def _weights(net):
    return [np.array(p.data, copy=True) for p in net.parameters()]


def _untouched(net, before):
    return all(np.array_equal(a, np.asarray(p.data)) for a, p in zip(before, net.parameters()))


def _three_classes(n=64, seed=0):
    r = np.random.default_rng(seed)
    return r.normal(size=(n, 4)), r.integers(0, 3, size=n)


def test_a_validation_label_out_of_range_is_refused_before_any_training_step():
    X, y = _three_classes()
    Xv, yv = _three_classes(n=10, seed=1)
    yv[7] = 5
    net = TensorMLP(4, [8, 3], seed=0)
    before = _weights(net)
    with pytest.raises(ValueError, match=r"the validation targets do not fit the model's output: .*"
                                         r"class label 5 is out of range"):
        fit(net, "cross_entropy_with_logits", Adam(net.parameters(), lr=0.1), X, y, epochs=3,
            validation=(Xv, yv), progress=False)
    assert _untouched(net, before)


def test_a_training_label_out_of_range_in_a_late_batch_is_refused_before_the_first_step():
    X, y = _three_classes()
    y[50] = 3  # batch 7 of 8: seven steps would have been taken before it
    net = TensorMLP(4, [8, 3], seed=0)
    before = _weights(net)
    with pytest.raises(ValueError, match=r"the training targets \(y\) do not fit .*class label 3 is out of range"):
        fit(net, "cross_entropy_with_logits", SGD(net.parameters(), lr=0.1), X, y, epochs=1, batch_size=8,
            shuffle=False, progress=False)
    assert _untouched(net, before)


def test_a_scalar_mlps_validation_labels_are_checked_before_training_too():
    X, y = nn.data.xor()
    net = nn.MLP(2, [3, 2], seed=0)
    before = _weights(net)
    with pytest.raises(ValueError, match="validation targets do not fit .*class label 2 is out of range"):
        fit(net, "cross_entropy_with_logits", SGD(net.parameters(), lr=0.1), X, y, epochs=2,
            validation=(X, np.array([0, 1, 2, 1])), progress=False)
    assert _untouched(net, before)


def test_validation_rows_with_other_features_are_refused_before_training():
    X, y = _regression()
    net = Linear(2, 1, seed=0)
    before = _weights(net)
    with pytest.raises(ShapeError, match=r"validation X has rows of shape \(3,\), but X has rows of shape \(2,\)"):
        fit(net, "mse", SGD(net.parameters()), X, y, epochs=2, validation=(np.ones((4, 3)), np.ones(4)),
            progress=False)
    assert _untouched(net, before)


def test_the_target_check_does_not_change_a_seeded_run():
    """The check's forward pass runs in eval mode: no dropout mask is drawn, the run is the same."""
    X, y = _three_classes()
    runs = []
    for _ in range(2):
        net = Sequential(Linear(4, 8, seed=0), nn.Dropout(0.5, seed=1), Linear(8, 3, seed=2))
        runs.append(fit(net, "cross_entropy_with_logits", SGD(net.parameters(), lr=0.1), X, y, epochs=2,
                        batch_size=16, progress=False, seed=0)["loss"])
        assert net.training
    net = Sequential(Linear(4, 8, seed=0), nn.Dropout(0.5, seed=1), Linear(8, 3, seed=2))
    opt = SGD(net.parameters(), lr=0.1)
    rng, losses = np.random.default_rng(0), []
    for _ in range(2):  # the same loop by hand, without any check
        order, total = rng.permutation(len(X)), 0.0
        for b in range(0, len(X), 16):
            idx = order[b:b + 16]
            opt.zero_grad()
            cost = nn.losses.cross_entropy_with_logits(net(Tensor(X[idx])), y[idx])
            cost.backward()
            opt.step()
            total += float(cost.data) * len(idx)
        losses.append(total / len(X))
    assert runs[0] == runs[1] == losses


@pytest.mark.parametrize("bad", [-1, 0, True, 1.5, "8"])
def test_predict_and_fit_refuse_a_batch_size_that_is_not_a_positive_int(bad):
    X, y = _regression()
    net = Linear(2, 1, seed=0)
    with pytest.raises(ValueError, match="batch_size .*must be a positive int"):
        predict(net, X, batch_size=bad)
    with pytest.raises(ValueError, match="batch_size .*must be a positive int"):
        fit(net, "mse", SGD(net.parameters()), X, y, batch_size=bad, progress=False)
    with pytest.raises(ValueError, match="batch_size"):
        nn.data.batches(X, y, batch_size=bad)


def test_predict_in_batches_equals_predict_at_once():
    X, _ = _regression(n=41)
    net = Linear(2, 3, seed=0)
    assert np.array_equal(predict(net, X, batch_size=np.int64(8)), predict(net, X))


def test_fit_refuses_an_optimizer_or_a_schedule_that_would_not_train_this_model():
    X, y = _regression()
    net, other = Linear(2, 1, seed=0), Linear(2, 1, seed=1)
    with pytest.raises(ValueError, match="the optimizer holds none of the model's parameters"):
        fit(net, "mse", SGD(other.parameters()), X, y, epochs=1, progress=False)
    opt = SGD(net.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="lr_schedule must be an nn.optim schedule made for the optimizer"):
        fit(net, "mse", opt, X, y, epochs=1, progress=False,
            lr_schedule=StepLR(SGD(net.parameters(), lr=0.1), step_size=1))
    with pytest.raises(ValueError, match="given the optimizer by name"):
        fit(net, "mse", "adam", X, y, epochs=1, progress=False, lr_schedule=StepLR(opt, step_size=1))
    with pytest.raises(ValueError, match="lr_schedule must be"):
        fit(net, "mse", opt, X, y, epochs=1, progress=False, lr_schedule="step")


@pytest.mark.parametrize("setting, bad, error", [
    ("min_delta", math.nan, ValueError), ("min_delta", -0.1, ValueError), ("min_delta", "0", TypeError),
    ("clip_norm", 0.0, ValueError), ("clip_norm", True, TypeError), ("early_stopping", 1.5, ValueError),
])
def test_fit_settings_are_checked_before_training(setting, bad, error):
    X, y = _regression()
    net = Linear(2, 1, seed=0)
    before = _weights(net)
    with pytest.raises(error, match=setting):
        fit(net, "mse", SGD(net.parameters(), lr=0.1), X, y, epochs=2, progress=False, **{setting: bad})
    assert _untouched(net, before)
    h = fit(net, "mse", SGD(net.parameters(), lr=0.1), X, y, epochs=3, progress=False,
            early_stopping=np.int64(2), validation=np.float32(0.25), seed=0)
    assert len(h) >= 1


def test_accuracy_with_targets_that_fit_no_reading_is_a_shape_error():
    with pytest.raises(ShapeError, match=r"predictions of shape \(4, 3\) need one label per row \(4\)"):
        accuracy(np.zeros((4, 3)), [0, 1])
    with pytest.raises(ShapeError, match=r"got targets of shape \(4, 2\)"):
        accuracy(np.zeros((4, 3)), np.zeros((4, 2)))
