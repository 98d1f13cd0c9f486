"""Training: ``fit`` runs the training loop of the notes on neural networks — epochs of
minibatches, each a forward pass, a cost, a backward pass and an optimizer step — and records
what happened in a ``History``.

    for epoch in 1..epochs:                      (a progress bar shows the loss)
        shuffle the rows; cut them into minibatches of ``batch_size``
        for each minibatch (X_b, y_b):
            optimizer.zero_grad()
            C = loss(model(X_b), y_b)            (scalar model: one row at a time, see below)
            C.backward()                         (∂C/∂θ for every parameter θ)
            optimizer.step()                     (θ ← θ − change, see ``nn.optim``)
        record the epoch's mean training loss, metrics, validation loss/metrics, seconds

A tensor model (``nn.layers``) takes the whole minibatch as one (B, nin) Tensor. A scalar model
(``nn.MLP`` over Values) takes one row at a time as a list of floats; the B outputs are handed
to the loss together, so C is the mean (or sum) of the per-sample costs as the loss defines it.
"""

from __future__ import annotations

import contextlib
import functools
import math
import numbers
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autodiff import Tensor, Value, no_grad
from autodiff.errors import NonFiniteError, ShapeError

from . import losses as _losses
from .checks import lookup, name_key, numbers_of, positive_int, real_in
from .optim import LRScheduler, Optimizer, clip_grad_norm, get_optimizer
from .rng import rng_from

__all__ = ["fit", "History", "predict", "evaluate", "accuracy", "rmse", "mse_metric", "mae",
           "METRICS", "plot_history"]


# --- metrics (numpy in, float out) -------------------------------------------------------------
def accuracy(pred: Any, target: Any, threshold: float | None = None) -> float:
    """The fraction of samples classified correctly.

    * K > 1 outputs per sample (probabilities or logits): the class is argmax; targets are
      integer labels (N,) or one-hot (N, K).
    * one output per sample: targets in {−1, +1} are compared with sign(pred) (threshold 0);
      targets in {0, 1} with [pred ≥ threshold], threshold 0.5 for probabilities (the notes'
      σ_step(x; ½)) — pass 0.0 for logits (``fit`` does so for ``bce_with_logits``)."""
    p = numbers_of(pred)
    t = numbers_of(target)
    if p.ndim >= 2 and p.shape[-1] > 1:
        guess = p.argmax(axis=-1)
        if t.shape != p.shape and t.size != guess.size:
            raise ShapeError(f"accuracy: predictions of shape {p.shape} need one label per row "
                             f"({guess.size}) or one-hot targets of shape {p.shape}; got targets of shape {t.shape}")
        labels = t.argmax(axis=-1) if t.shape == p.shape else t.reshape(guess.shape)
        return float(np.mean(guess == labels))
    p = p.reshape(-1)
    t = t.reshape(-1)
    if p.shape != t.shape:
        raise ShapeError(f"accuracy: {p.size} predictions but {t.size} targets")
    if np.all((t == -1) | (t == 1)) and np.any(t == -1):
        cut = 0.0 if threshold is None else threshold
        return float(np.mean(np.where(p >= cut, 1.0, -1.0) == t))
    cut = 0.5 if threshold is None else threshold
    return float(np.mean((p >= cut).astype(float) == t))


def rmse(pred: Any, target: Any) -> float:
    """Root mean squared error √((1/n) Σ (y − ŷ)²) over every entry (the introductory notes' error trace)."""
    p, t = _paired(pred, target, "rmse")
    return float(np.sqrt(np.mean((t - p) ** 2)))


def mse_metric(pred: Any, target: Any) -> float:
    """(1/n) Σ (y − ŷ)² over every entry."""
    p, t = _paired(pred, target, "mse")
    return float(np.mean((t - p) ** 2))


def mae(pred: Any, target: Any) -> float:
    """(1/n) Σ |y − ŷ| over every entry."""
    p, t = _paired(pred, target, "mae")
    return float(np.mean(np.abs(t - p)))


METRICS: dict[str, Callable[..., float]] = {
    "accuracy": accuracy, "acc": accuracy, "rmse": rmse, "mse": mse_metric, "mae": mae,
}
"""Metrics by name; a metric is any ``f(predictions, targets) -> float`` on numpy arrays."""


def _paired(pred: Any, target: Any, what: str) -> tuple[np.ndarray, np.ndarray]:
    p, t = numbers_of(pred), numbers_of(target)
    if p.size != t.size:
        raise ShapeError(f"{what}: {p.shape} predictions but {t.shape} targets")
    return p.reshape(-1), t.reshape(-1)


# --- history ------------------------------------------------------------------------------------
@dataclass
class History:
    """What ``fit`` recorded, one entry per epoch.

    ``history["loss"]`` (mean training cost over the epoch's minibatches), ``"val_loss"``, each
    metric (``"accuracy"``: over the epoch's minibatch predictions) and ``"val_<metric>"`` (the
    validation set after the epoch), ``"seconds"`` per epoch and ``"lr"`` (first group).
    ``h["loss"]`` is ``h.history["loss"]``; ``best_epoch`` is the epoch (1-based) with the best
    monitored loss, ``stopped_early`` says whether early stopping ended the run."""

    history: dict[str, list[float]] = field(default_factory=dict)
    best_epoch: int | None = None
    stopped_early: bool = False

    def __getitem__(self, key: str) -> list[float]:
        try:
            return self.history[key]
        except KeyError:
            raise KeyError(f"no {key!r} in this history; it has {sorted(self.history)}") from None

    def __contains__(self, key: str) -> bool:
        return key in self.history

    def keys(self) -> list[str]:
        return list(self.history)

    def __len__(self) -> int:
        return len(self.history.get("loss", []))

    @property
    def epochs(self) -> list[int]:
        return list(range(1, len(self) + 1))

    def _add(self, key: str, value: float) -> None:
        self.history.setdefault(key, []).append(float(value))

    def __repr__(self) -> str:
        if not len(self):
            return "History(0 epochs)"
        last = ", ".join(f"{k}={v[-1]:.4g}" for k, v in self.history.items() if k not in ("seconds", "lr"))
        secs = sum(self.history.get("seconds", []))
        stop = ", stopped early" if self.stopped_early else ""
        return f"History({len(self)} epochs in {secs:.2f} s{stop}; last: {last})"


# --- data checks ----------------------------------------------------------------------------------
def _data(X: Any, name: str) -> np.ndarray:
    try:
        arr = numbers_of(X, None)
    except ValueError as e:
        raise ValueError(f"{name} must be numbers in rows of equal length: {e}") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers, got an array of dtype {arr.dtype}")
    if arr.ndim == 0:
        raise ShapeError(f"{name} must have one row per sample, got a single number")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}): there is no sample to use")
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr)
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            col = f", column {where[1]}" if len(where) > 1 else ""
            kind = "NaN" if np.isnan(arr[where]) else "an infinite value"
            raise ValueError(f"{name} contains {kind} at row {where[0]}{col} ({int(bad.sum())} non-finite "
                             f"entries in all): drop or fill them before training")
    return arr


def _xy(X: Any, y: Any, names: tuple[str, str]) -> tuple[np.ndarray, np.ndarray]:
    Xa, ya = _data(X, names[0]), _data(y, names[1])
    if Xa.ndim == 1:
        Xa = Xa.reshape(-1, 1)
    if len(Xa) != len(ya):
        raise ShapeError(f"{names[0]} and {names[1]} must have one row per sample: {names[0]} has "
                         f"{len(Xa)} rows, {names[1]} has {len(ya)}")
    return Xa.astype(np.float64, copy=False), ya


def _is_scalar_model(model: Any) -> bool:
    params = list(model.parameters()) if hasattr(model, "parameters") else []
    return bool(params) and all(isinstance(p, Value) for p in params)


def _forward(model: Any, Xb: np.ndarray, scalar: bool) -> Any:
    if scalar:
        return [model(row.tolist()) for row in Xb]
    return model(Tensor(Xb))


@contextlib.contextmanager
def _evaluating(model: Any) -> Iterator[None]:
    """Eval mode and no graph for the duration; the model's mode is put back afterwards."""
    was_training = getattr(model, "training", None)
    if hasattr(model, "eval"):
        model.eval()
    try:
        with no_grad():
            yield
    finally:
        if was_training and hasattr(model, "train"):
            model.train()


def _batch_size(batch_size: Any) -> int | None:
    """None (the whole set at once) or a positive int, else a ValueError."""
    if batch_size is None:
        return None
    return positive_int(batch_size, "batch_size (rows per batch; None for the whole set)")


def predict(model: Any, X: Any, batch_size: int | None = None) -> np.ndarray:
    """The model's outputs for every row of X as a numpy array, in eval mode, without a graph.

    ``batch_size`` rows go through the model at a time (None: all at once)."""
    Xa = _data(X, "X")
    if Xa.ndim == 1:
        Xa = Xa.reshape(-1, 1)
    Xa = Xa.astype(np.float64, copy=False)
    step = _batch_size(batch_size) or len(Xa)
    scalar = _is_scalar_model(model)
    with _evaluating(model):
        parts = [numbers_of(_forward(model, Xa[i:i + step], scalar)) for i in range(0, len(Xa), step)]
    return np.concatenate(parts) if len(parts) > 1 else parts[0]


def _metric_fns(metrics: Sequence[str | Callable] | str | None, loss_fn: Callable) -> dict[str, Callable]:
    if metrics is None:
        return {}
    if isinstance(metrics, str) or callable(metrics):
        metrics = [metrics]
    logits = loss_fn in (_losses.bce_with_logits,)
    out: dict[str, Callable] = {}
    for m in metrics:
        if isinstance(m, str):
            fn = lookup(METRICS, m, "metric", "a callable f(pred, target)")
            name = "accuracy" if fn is accuracy else name_key(m)
            out[name] = functools.partial(accuracy, threshold=0.0) if fn is accuracy and logits else fn
        elif callable(m):
            out[getattr(m, "__name__", f"metric{len(out)}")] = m
        else:
            raise TypeError(f"a metric is a name or a callable, got {type(m).__name__}")
    return out


def evaluate(model: Any, loss: str | Callable, X: Any, y: Any,
             metrics: Sequence[str | Callable] | str | None = ()) -> dict[str, float]:
    """{"loss": cost on (X, y), metric: value, ...} in eval mode, without building a graph."""
    loss_fn = _losses.get_loss(loss)
    Xa, ya = _xy(X, y, ("X", "y"))
    pred = predict(model, Xa)
    out = {"loss": float(numbers_of(loss_fn(Tensor(pred), ya)))}
    for name, fn in _metric_fns(metrics, loss_fn).items():
        out[name] = float(fn(pred, ya))
    return out


# --- fit: the checks before the first step ----------------------------------------------------------
def _check_settings(model: Any, epochs: Any, early_stopping: Any, min_delta: Any, clip_norm: Any) -> None:
    if not callable(model) or not hasattr(model, "parameters"):
        raise TypeError(f"fit needs a model with parameters() that can be called, got {type(model).__name__}")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"epochs must be an int >= 0, got {epochs!r}")
    if early_stopping is not None:
        positive_int(early_stopping, "early_stopping (a patience in epochs, or None)")
    real_in(min_delta, "min_delta")
    if clip_norm is not None:
        real_in(clip_norm, "clip_norm", 0.0, math.inf, lo_open=True, hi_open=False)


def _split(Xa: np.ndarray, ya: np.ndarray, validation: Any, rng: np.random.Generator) -> tuple:
    """(X_train, y_train, X_val, y_val): validation given as (X_val, y_val), a fraction of (X, y)
    held out after a seeded shuffle, or None (X_val = y_val = None)."""
    if isinstance(validation, tuple | list) and len(validation) == 2:
        Xv, yv = _xy(validation[0], validation[1], ("validation X", "validation y"))
        if Xv.shape[1:] != Xa.shape[1:]:
            raise ShapeError(f"validation X has rows of shape {Xv.shape[1:]}, but X has rows of shape "
                             f"{Xa.shape[1:]}: both must have the same features")
        return Xa, ya, Xv, yv
    if isinstance(validation, numbers.Real) and not isinstance(validation, (bool, numbers.Integral)):
        if not 0.0 < validation < 1.0:
            raise ValueError(f"a validation fraction must be in (0, 1), got {validation}")
        n_val = int(round(validation * len(Xa)))
        if n_val < 1 or n_val >= len(Xa):
            raise ValueError(f"validation={validation} of {len(Xa)} samples leaves no validation or no "
                             "training samples")
        order = rng.permutation(len(Xa))
        return Xa[order[:-n_val]], ya[order[:-n_val]], Xa[order[-n_val:]], ya[order[-n_val:]]
    if validation is not None:
        raise TypeError("validation must be (X_val, y_val), a fraction in (0, 1), or None")
    return Xa, ya, None, None


def _optimizer_for(model: Any, optimizer: Any, lr_schedule: Any) -> Optimizer:
    """The optimizer (made from a name if need be), checked to train this model, with its schedule."""
    if isinstance(optimizer, str):
        if lr_schedule is not None:
            raise ValueError("lr_schedule steps the optimizer it was made for, but fit was given the "
                             f"optimizer by name ({optimizer!r}): make the optimizer first, then the "
                             "schedule over it, and pass both")
        optimizer = get_optimizer(optimizer, model.parameters())
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an nn.optim Optimizer or a name, got {type(optimizer).__name__}")
    mine = {id(p) for p in model.parameters()}
    if mine and not any(id(p) in mine for p in optimizer.parameters()):
        raise ValueError("the optimizer holds none of the model's parameters, so training would change "
                         "nothing: was it made for another model (or for a copy)?")
    if lr_schedule is not None and not (isinstance(lr_schedule, LRScheduler) and lr_schedule.optimizer is optimizer):
        raise ValueError("lr_schedule must be an nn.optim schedule made for the optimizer passed to fit, "
                         f"got {type(lr_schedule).__name__}")
    return optimizer


def _check_targets(model: Any, loss_fn: Callable, sets: list[tuple[str, np.ndarray, np.ndarray]],
                   scalar: bool) -> None:
    """Before any step: each set's targets must fit the model's output and the loss.

    The loss is evaluated once per set, without a graph, on the model's output for the first row
    repeated once per target: whatever the loss refuses (a class label out of range for the
    model's K outputs, a target of the wrong shape, a label BCE or hinge cannot take) is refused
    now, naming the set, and not after an epoch of training."""
    with _evaluating(model):
        first = _forward(model, sets[0][1][:1], scalar)
        for name, _, ys in sets:
            if scalar:
                out = first * len(ys)
            else:
                out = Tensor(np.broadcast_to(first.data, (len(ys), *first.data.shape[1:])))
            try:
                loss_fn(out, ys)
            except (ValueError, TypeError) as e:
                _raise_with_context(e, f"the {name} do not fit the model's output")


def _raise_with_context(e: Exception, context: str) -> None:
    """Raise ``e`` again, of the same type, with ``context`` in front of its message."""
    try:
        again = type(e)(f"{context}: {e}")
    except Exception:  # noqa: BLE001 - an exception type with another signature: keep it as it is
        raise e from None
    raise again from None


# --- fit: the loop ---------------------------------------------------------------------------------------
@dataclass
class _Run:
    """What every epoch of one ``fit`` needs: the model, its loss and optimizer, the data."""

    model: Any
    loss_fn: Callable
    optimizer: Optimizer
    X: np.ndarray
    y: np.ndarray
    validation: tuple[np.ndarray, np.ndarray] | None
    batch_size: int
    scalar: bool
    clip_norm: float | None
    metric_fns: dict[str, Callable]
    lr_schedule: LRScheduler | None
    order: Callable[[], np.ndarray]  # the row order of the next epoch


def _train_epoch(run: _Run, order: np.ndarray, epoch: int, history: History) -> None:
    """One pass over the minibatches: zero_grad, forward, cost, backward, step each.
    Records the epoch's mean training loss and the metrics over its predictions."""
    total, preds, targets = 0.0, [], []
    for b0 in range(0, len(order), run.batch_size):
        idx = order[b0:b0 + run.batch_size]
        Xb, yb = run.X[idx], run.y[idx]
        run.optimizer.zero_grad()
        out = _forward(run.model, Xb, run.scalar)
        cost = run.loss_fn(out, yb)
        value = float(cost.data)
        if not math.isfinite(value):
            raise NonFiniteError(f"the loss became {value} at epoch {epoch}, rows {b0}..{b0 + len(idx) - 1}: "
                                 "training diverged. Lower the learning rate, standardise the "
                                 "inputs, or use a loss computed from logits")
        cost.backward()
        if run.clip_norm is not None:
            clip_grad_norm(run.optimizer.parameters(), run.clip_norm)
        run.optimizer.step()
        total += value * len(idx)
        if run.metric_fns:
            preds.append(numbers_of(out))
            targets.append(yb)
    history._add("loss", total / len(order))
    if run.metric_fns:
        P, Tt = np.concatenate(preds), np.concatenate(targets)
        for name, fn in run.metric_fns.items():
            history._add(name, fn(P, Tt))


def _validate(run: _Run, history: History) -> None:
    Xv, yv = run.validation
    pv = predict(run.model, Xv)
    history._add("val_loss", float(numbers_of(run.loss_fn(Tensor(pv), yv))))
    for name, fn in run.metric_fns.items():
        history._add(f"val_{name}", fn(pv, yv))


@dataclass
class _Best:
    """Early stopping's bookkeeping: the best monitored loss, its epoch's weights, the wait."""

    monitor: str
    min_delta: float
    keep_weights: bool
    loss: float = math.inf
    weights: dict | None = None
    wait: int = 0

    def update(self, history: History, epoch: int, model: Any) -> None:
        current = history[self.monitor][-1]
        if current < self.loss - self.min_delta:
            self.loss, self.wait = current, 0
            history.best_epoch = epoch
            if self.keep_weights:
                self.weights = model.state_dict()
        else:
            self.wait += 1


def fit(model: Any, loss: str | Callable, optimizer: Optimizer | str, X: Any, y: Any, epochs: int = 100,
        batch_size: int | None = 32, *, validation: tuple[Any, Any] | float | None = None,
        metrics: Sequence[str | Callable] | str | None = (), progress: bool = True,
        seed: int | np.random.Generator | None = None, early_stopping: int | None = None,
        min_delta: float = 0.0, restore_best: bool = True, shuffle: bool = True,
        lr_schedule: LRScheduler | None = None, clip_norm: float | None = None) -> History:
    """Train ``model`` on (X, y) and return a ``History``.

    model         a tensor Module (takes a (B, nin) Tensor) or a scalar ``nn.MLP`` (takes one
                  row as a list; the batch's outputs go to the loss together)
    loss          ``f(pred, target)`` returning a scalar node, or a name ("mse", "cross_entropy", …)
    optimizer     an ``nn.optim`` optimizer over the model's parameters, or a name ("adam") for defaults
    epochs, batch_size   passes over the data; rows per step (a positive int, or None: the whole
                  set, full-batch GD)
    validation    (X_val, y_val), or a fraction f of (X, y) held out (seeded shuffle), or None
    metrics       names ("accuracy", "rmse", "mse", "mae") or callables f(pred, target) on arrays
    progress      a tqdm progress bar over epochs, showing the losses
    seed          shuffling (and the validation split): the same seed, the same run; None draws
                  from the global generator (``autodiff.manual_seed``)
    early_stopping   stop after this many epochs without improvement of the validation loss (the
                  training loss without validation) by more than ``min_delta`` (>= 0); with
                  ``restore_best`` the best epoch's weights are put back at the end
    lr_schedule   an ``nn.optim`` schedule over ``optimizer``, stepped after every epoch
    clip_norm     clip the gradients' joint norm to this (> 0) before every step (``clip_grad_norm``)

    Everything is checked before the first step: the arguments; X and y (ValueError for an empty
    dataset or NaN/inf, naming the row and column; ``ShapeError`` for X and y of different
    lengths, or validation rows unlike X's); that the optimizer holds the model's parameters; and
    the targets of both sets against the model's output — the loss is evaluated once on the
    model's output for the first row (in eval mode, without a graph), so a class label out of
    range fails here, naming the set. During training, ``NonFiniteError`` when the loss becomes
    NaN or infinite (the learning rate is usually too large)."""
    loss_fn = _losses.get_loss(loss)
    _check_settings(model, epochs, early_stopping, min_delta, clip_norm)
    batch_size = _batch_size(batch_size)
    rng = rng_from(seed)
    Xa, ya, Xv, yv = _split(*_xy(X, y, ("X", "y")), validation, rng)
    optimizer = _optimizer_for(model, optimizer, lr_schedule)
    scalar = _is_scalar_model(model)
    sets = [("training targets (y)", Xa, ya)] + ([("validation targets", Xv, yv)] if Xv is not None else [])
    _check_targets(model, loss_fn, sets, scalar)
    run = _Run(model, loss_fn, optimizer, Xa, ya, None if Xv is None else (Xv, yv),
               min(batch_size or len(Xa), len(Xa)), scalar, clip_norm, _metric_fns(metrics, loss_fn),
               lr_schedule, (lambda: rng.permutation(len(Xa))) if shuffle else (lambda: np.arange(len(Xa))))
    best = _Best("val_loss" if Xv is not None else "loss", float(min_delta),
                 early_stopping is not None and restore_best and hasattr(model, "state_dict"))
    history = _epochs(run, epochs, early_stopping, best, progress)
    if best.weights is not None and history.best_epoch != len(history):
        model.load_state_dict(best.weights)
    return history


def _epochs(run: _Run, epochs: int, early_stopping: int | None, best: _Best, progress: bool) -> History:
    """The loop of the module docstring, epoch after epoch, until ``epochs`` or early stopping."""
    history = History()
    bar = _progress(epochs, progress)
    if hasattr(run.model, "train"):
        run.model.train()
    try:
        for epoch in range(1, epochs + 1):
            start = time.perf_counter()
            _train_epoch(run, run.order(), epoch, history)
            if run.validation is not None:
                _validate(run, history)
            history._add("lr", run.optimizer.lr)
            if run.lr_schedule is not None:
                run.lr_schedule.step()
            history._add("seconds", time.perf_counter() - start)
            best.update(history, epoch, run.model)
            _show(bar, history, run.metric_fns)
            if early_stopping is not None and best.wait >= early_stopping:
                history.stopped_early = True
                break
    finally:
        if bar is not None:
            bar.close()
    return history


def _show(bar: Any, history: History, metric_fns: dict[str, Callable]) -> None:
    if bar is not None:
        bar.set_postfix({k: f"{history[k][-1]:.4g}" for k in ("loss", "val_loss", *metric_fns)
                         if k in history}, refresh=False)
        bar.update(1)


def _progress(epochs: int, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=epochs, desc="fit", unit="epoch", leave=True)


# --- plotting ------------------------------------------------------------------------------------------
def plot_history(history: History, keys: Sequence[str] | None = None, *, title: str | None = None):
    """Loss curves (and one panel per metric), training and validation, against the epoch.

    Draws on a new ``matplotlib.figure.Figure`` without pyplot, so it works with any backend
    (Agg on a server, inline in a notebook) and opens no window; returns the figure
    (``fig.savefig("loss.png")``). ``keys`` picks the panels (default: "loss" and every metric)."""
    try:
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover - matplotlib is an optional extra
        raise ImportError("plot_history needs matplotlib: pip install 'autodiff-nn[plot]'") from None
    if not isinstance(history, History):
        raise TypeError(f"plot_history needs the History returned by fit, got {type(history).__name__}")
    if not len(history):
        raise ValueError("plot_history: the history is empty (fit ran 0 epochs)")
    if keys is None:
        keys = [k for k in history.keys() if not k.startswith("val_") and k not in ("seconds", "lr")]
    keys = list(keys)
    for k in keys:
        if k not in history:
            raise KeyError(f"no {k!r} in this history; it has {sorted(history.keys())}")
    fig = Figure(figsize=(5.0 * len(keys), 3.6), layout="constrained")
    axes = fig.subplots(1, len(keys), squeeze=False)[0]
    epochs = history.epochs
    for ax, key in zip(axes, keys):
        ax.plot(epochs, history[key], label=f"train {key}" if not key.startswith("val_") else key)
        if f"val_{key}" in history:
            ax.plot(epochs, history[f"val_{key}"], label=f"validation {key}")
        ax.set_xlabel("epoch")
        ax.set_ylabel(key)
        if key == "loss" and min(min(history[key]), min(history.history.get("val_loss", [1.0]))) > 0:
            ax.set_yscale("log")
        if history.best_epoch is not None and key == "loss":
            ax.axvline(history.best_epoch, color="grey", linestyle=":", linewidth=1, label="best epoch")
        ax.grid(True, alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    return fig
