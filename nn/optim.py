"""Optimizers: gradient descent and seed 003's learning-rate methods, on Value and Tensor parameters.

Each optimizer holds the parameters (a Value's ``grad`` is a float, a Tensor's an ndarray, or
None when nothing reached it — such a parameter is skipped, as in PyTorch) and, on ``step()``,
moves every parameter θ by a *change* computed from its gradient g, exactly in the form of seed
003's ``Scheduler.update_change(gradient)``:

    θ ← θ − change

    SGD (seed 003 "Constant")  change = η g
    Momentum                   change = μ·change + η g
    Adagrad                    G ← G + g²;                 change = η g / (δ + √G)
    AdagradMomentum            G ← G + g²;                 change = μ·change + η g / (δ + √G)
    RMSprop                    s ← ρ s + (1 − ρ) g²;       change = η g / √(s + δ)
    Adam                       m ← ρ₁ m + (1 − ρ₁) g;  v ← ρ₂ v + (1 − ρ₂) g²;
                               m̂ = m / (1 − ρ₁ᵗ);  v̂ = v / (1 − ρ₂ᵗ);  change = η m̂ / √(v̂ + δ)

with δ = 10⁻⁸ (``eps``) where seed 003 puts it: *outside* the square root for Adagrad, *inside*
it for RMSprop and Adam (PyTorch puts it outside for all three: with eps=0 ours and PyTorch's
agree exactly). Squares, roots and divisions are elementwise.

Two deliberate differences from seed 003's code, both identical to it on the cases it was
written for:
  * Adagrad's G is the elementwise running sum of g². Seed 003 accumulates the matrix g gᵀ and
    uses its diagonal, which is exactly Σ g² for the column-vector gradients it was written for
    (for a matrix gradient it would mix the columns of a row).
  * Adam's t counts steps (Kingma & Ba; PyTorch). Seed 003 counts t in epochs through its
    ``reset()``, which its fit() loop calls once per epoch and which also zeroes m and v; with
    one step per epoch (full-batch training) the first step is the same. ``reset()`` here
    forgets all state (m, v, G, s, the momentum change and t) as seed 003's reset does.

Parameter groups (PyTorch style) give layers their own settings: seed 002 trains its hidden
layer with ρ_h and its output layer with ρ_o:

    opt = SGD([{"params": hidden.parameters(), "lr": 0.1},
               {"params": output.parameters(), "lr": 0.01}])

``weight_decay`` λ adds L2 regularisation, g ← g + λθ (the gradient of ½λ‖θ‖²).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

import autodiff
from autodiff import Tensor, Value
from autodiff.errors import NonFiniteError, ShapeError

from .checks import lookup, positive_int, real_in

__all__ = [
    "Optimizer", "SGD", "Momentum", "Adagrad", "AdagradMomentum", "RMSprop", "Adam",
    "clip_grad_norm", "clip_grad_value", "LRScheduler", "StepLR", "ExponentialLR",
    "get_optimizer", "OPTIMIZERS",
]


def _is_param(p: Any) -> bool:
    return isinstance(p, (Value, Tensor))


def _param_list(params: Any, where: str) -> list:
    if hasattr(params, "parameters") and callable(params.parameters):  # a Module
        params = params.parameters()
    if _is_param(params):
        params = [params]
    try:
        out = list(params)
    except TypeError:
        raise TypeError(f"{where}: parameters must be an iterable of Values/Tensors (e.g. "
                        f"model.parameters()), got {type(params).__name__}") from None
    for p in out:
        if not _is_param(p):
            raise TypeError(f"{where}: every parameter must be a Value or a Tensor, got "
                            f"{type(p).__name__} {p!r:.60}")
        if np.result_type(p.data).kind != "f":
            raise TypeError(f"{where}: a parameter must hold floats, got a {type(p).__name__} of dtype "
                            f"{np.result_type(p.data)}")
    return out


def _grads(params: Iterable) -> list:
    """The parameters a backward pass reached (``has_grad``): the others have no gradient to clip."""
    return [p for p in params if p.has_grad]


HYPERPARAMETERS: dict[str, tuple[str, float, float]] = {
    "lr": ("the learning rate lr", 0.0, math.inf),
    "momentum": ("momentum", 0.0, 1.0),
    "rho": ("rho", 0.0, 1.0),
    "rho2": ("rho2", 0.0, 1.0),
    "eps": ("eps", 0.0, math.inf),
    "weight_decay": ("weight_decay", 0.0, math.inf),
}
"""Each setting's allowed interval [low, high): a finite real number (numpy scalars too, never a
bool). Checked wherever a setting enters: the constructor, ``add_param_group`` and ``opt.lr = ...``."""


def _hyper(key: str, value: Any, where: str) -> float:
    label, lo, hi = HYPERPARAMETERS[key]
    return real_in(value, f"{where}: {label}", lo, hi)


class Optimizer:
    """Base class: parameter groups, ``zero_grad()``, ``step()``, ``reset()``.

    A subclass defines ``_change(g, state, group)``: the amount subtracted from a parameter whose
    (weight-decayed) gradient is g; ``state`` is that parameter's own dict (running averages)."""

    defaults: dict[str, Any]

    def __init__(self, params: Any, defaults: dict[str, Any]) -> None:
        self.defaults = self._check_hyper(dict(defaults), type(self).__name__)
        self.param_groups: list[dict[str, Any]] = []
        self.state: dict[int, dict[str, Any]] = {}
        if hasattr(params, "parameters") and callable(params.parameters):
            params = params.parameters()
        if _is_param(params):
            params = [params]
        items = list(params) if not isinstance(params, dict) else [params]
        if not items:
            raise ValueError(f"{type(self).__name__} got an empty parameter list: nothing to optimize "
                             "(did the model create its parameters? is parameters() a generator "
                             "that was already used up?)")
        if all(isinstance(g, dict) for g in items):
            for g in items:
                self.add_param_group(g)
        elif any(isinstance(g, dict) for g in items):
            raise TypeError(f"{type(self).__name__}: give either parameters or parameter groups "
                            "(dicts with 'params'), not a mixture")
        else:
            self.add_param_group({"params": items})

    # --- groups --------------------------------------------------------------------------------
    def add_param_group(self, group: dict[str, Any]) -> None:
        """Add ``{"params": [...], "lr": ..., ...}``; settings not given take the defaults."""
        if not isinstance(group, dict) or "params" not in group:
            raise TypeError("a parameter group is a dict with a 'params' entry, e.g. "
                            "{'params': layer.parameters(), 'lr': 0.01}")
        name = type(self).__name__
        unknown = set(group) - set(self.defaults) - {"params"}
        if unknown:
            raise ValueError(f"{name}: unknown setting(s) {sorted(unknown)} in a parameter group; "
                             f"known: {sorted(self.defaults)}")
        params = _param_list(group["params"], name)
        if not params:
            raise ValueError(f"{name}: a parameter group has an empty 'params' list")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        for p in params:
            if id(p) in seen:
                raise ValueError(f"{name}: a parameter appears twice (in one group or in two); it "
                                 f"would be stepped twice: {p!r:.60}")
            seen.add(id(p))
        full = {**self.defaults, **{k: v for k, v in group.items() if k != "params"}, "params": params}
        self.param_groups.append(self._check_hyper(full, name))

    @staticmethod
    def _check_hyper(h: dict[str, Any], name: str) -> dict[str, Any]:
        """``h`` with every known setting checked against ``HYPERPARAMETERS`` and made a float."""
        return {k: (_hyper(k, v, name) if k in HYPERPARAMETERS else v) for k, v in h.items()}

    def parameters(self) -> list:
        """Every parameter, group by group."""
        return [p for g in self.param_groups for p in g["params"]]

    @property
    def lr(self) -> float:
        """The first group's learning rate (set ``group["lr"]`` to change one group)."""
        return self.param_groups[0]["lr"]

    @lr.setter
    def lr(self, value: float) -> None:
        value = _hyper("lr", value, type(self).__name__)
        for g in self.param_groups:
            g["lr"] = value

    # --- the update ----------------------------------------------------------------------------
    def zero_grad(self) -> None:
        """Clear every parameter's gradient (a Value's to 0.0, a Tensor's to None): ``has_grad``
        is then False until a backward pass reaches it."""
        for p in self.parameters():
            p.zero_grad()

    def step(self) -> None:
        """θ ← θ − change(g) for every parameter a backward pass reached (``p.has_grad``); one it
        did not reach is skipped (no weight decay, no momentum), as in PyTorch."""
        for group in self.param_groups:
            wd = group.get("weight_decay", 0.0)
            for p in group["params"]:
                if not p.has_grad:
                    continue
                g = p.grad
                # numpy would broadcast a gradient of the wrong shape; a Value's float has shape ()
                if getattr(g, "shape", ()) != getattr(p.data, "shape", ()):
                    raise ShapeError(f"{type(self).__name__}.step: a parameter of shape {np.shape(p.data)} has "
                                     f"a gradient of shape {np.shape(g)}; a gradient has its parameter's shape")
                if wd:
                    g = g + wd * p.data
                state = self.state.setdefault(id(p), {})
                p.data -= self._change(g, state, group)  # a Tensor's array in place

    def _change(self, g: Any, state: dict[str, Any], group: dict[str, Any]) -> Any:
        raise NotImplementedError

    def reset(self) -> None:
        """Forget the running averages and step counts (seed 003's ``Scheduler.reset()``)."""
        self.state.clear()

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__}("]
        for i, g in enumerate(self.param_groups):
            settings = ", ".join(f"{k}={v}" for k, v in g.items() if k != "params")
            lines.append(f"  group {i}: {len(g['params'])} parameters, {settings}")
        return "\n".join(lines) + "\n)"


class SGD(Optimizer):
    """Gradient descent with a constant learning rate η (seed 003's ``Constant``, seed 001's rule):

        θ ← θ − η g

    With ``momentum`` μ > 0 it is ``Momentum``: change = μ·change + η g."""

    def __init__(self, params: Any, lr: float = 0.01, momentum: float = 0.0, weight_decay: float = 0.0) -> None:
        super().__init__(params, {"lr": lr, "momentum": momentum, "weight_decay": weight_decay})

    def _change(self, g, state, group):
        change = group["lr"] * g
        mu = group["momentum"]
        if mu:
            change = mu * state.get("change", 0.0) + change
            state["change"] = change
        return change


class Momentum(SGD):
    """Gradient descent with momentum (seed 003's ``Momentum``):

        change ← μ·change + η g;   θ ← θ − change

    the change keeps a fraction μ of the previous one, so steps build up along directions the
    gradient keeps pointing to and cancel across directions where it oscillates."""

    def __init__(self, params: Any, lr: float = 0.01, momentum: float = 0.9, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr=lr, momentum=momentum, weight_decay=weight_decay)


class Adagrad(Optimizer):
    """Adagrad (seed 003): each parameter's step shrinks with its accumulated squared gradients.

        G ← G + g²;   θ ← θ − η g / (δ + √G)        (δ = eps = 10⁻⁸, outside the root)"""

    def __init__(self, params: Any, lr: float = 0.01, eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(params, {"lr": lr, "eps": eps, "weight_decay": weight_decay})

    def _change(self, g, state, group):
        state["G"] = state.get("G", 0.0) + g * g
        return group["lr"] * g / (group["eps"] + state["G"] ** 0.5)


class AdagradMomentum(Optimizer):
    """Adagrad with momentum (seed 003's ``AdagradMomentum``):

        G ← G + g²;   change ← μ·change + η g / (δ + √G);   θ ← θ − change"""

    def __init__(self, params: Any, lr: float = 0.01, momentum: float = 0.9, eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, {"lr": lr, "momentum": momentum, "eps": eps, "weight_decay": weight_decay})

    def _change(self, g, state, group):
        state["G"] = state.get("G", 0.0) + g * g
        change = group["momentum"] * state.get("change", 0.0) + group["lr"] * g / (group["eps"] + state["G"] ** 0.5)
        state["change"] = change
        return change


class RMSprop(Optimizer):
    """RMSprop (seed 003's ``RMS_prop``): a running average of g² instead of Adagrad's sum.

        s ← ρ s + (1 − ρ) g²;   θ ← θ − η g / √(s + δ)        (δ = eps = 10⁻⁸, inside the root)"""

    def __init__(self, params: Any, lr: float = 0.01, rho: float = 0.9, eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay})

    def _change(self, g, state, group):
        rho = group["rho"]
        state["s"] = rho * state.get("s", 0.0) + (1.0 - rho) * g * g
        return group["lr"] * g / (state["s"] + group["eps"]) ** 0.5


class Adam(Optimizer):
    """Adam (seed 003; Kingma & Ba 2015): momentum on g and RMSprop on g², bias-corrected.

        m ← ρ₁ m + (1 − ρ₁) g;        v ← ρ₂ v + (1 − ρ₂) g²
        m̂ = m / (1 − ρ₁ᵗ);            v̂ = v / (1 − ρ₂ᵗ)
        θ ← θ − η m̂ / √(v̂ + δ)        (δ = eps = 10⁻⁸ inside the root, as seed 003)

    t = 1, 2, … counts this parameter's steps. ρ₁, ρ₂ are ``rho``, ``rho2`` (seed 003's names;
    PyTorch's ``betas=(ρ₁, ρ₂)`` is accepted too). The corrections undo the bias of m and v
    toward their starting value 0 in the first steps."""

    def __init__(self, params: Any, lr: float = 0.001, rho: float = 0.9, rho2: float = 0.999,
                 eps: float = 1e-8, weight_decay: float = 0.0,
                 betas: tuple[float, float] | None = None) -> None:
        if betas is not None:
            if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
                raise TypeError(f"Adam: betas must be a pair (rho, rho2), got {betas!r}")
            rho, rho2 = betas
        super().__init__(params, {"lr": lr, "rho": rho, "rho2": rho2, "eps": eps,
                                  "weight_decay": weight_decay})

    def _change(self, g, state, group):
        rho, rho2 = group["rho"], group["rho2"]
        t = state["t"] = state.get("t", 0) + 1
        state["m"] = rho * state.get("m", 0.0) + (1.0 - rho) * g
        state["v"] = rho2 * state.get("v", 0.0) + (1.0 - rho2) * g * g
        m_hat = state["m"] / (1.0 - rho**t)
        v_hat = state["v"] / (1.0 - rho2**t)
        return group["lr"] * m_hat / (v_hat + group["eps"]) ** 0.5


OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD, "constant": SGD, "gd": SGD,
    "momentum": Momentum,
    "adagrad": Adagrad,
    "adagrad_momentum": AdagradMomentum, "adagradmomentum": AdagradMomentum,
    "rmsprop": RMSprop, "rms_prop": RMSprop,
    "adam": Adam,
}
"""Optimizer classes by (lower-case) name; seed 003's names included ("constant", "rms_prop")."""


def get_optimizer(name: str | Optimizer, params: Any, **settings: Any) -> Optimizer:
    """An optimizer over ``params`` from a name ("adam", "sgd", ...) and settings (lr=...);
    an Optimizer instance is returned as is."""
    if isinstance(name, Optimizer):
        return name
    if isinstance(name, str):
        return lookup(OPTIMIZERS, name, "optimizer", "an Optimizer instance")(params, **settings)
    raise TypeError(f"an optimizer is a name or an Optimizer, got {type(name).__name__}")


# --- gradient clipping ---------------------------------------------------------------------------
def _total_norm(grads: list) -> float:
    """√(Σ g²) over every entry of every gradient, computed as m·√(Σ (g/m)²) with m = max |g| so
    that gradients beyond 1e154 do not overflow their squares; NaN if any entry is, else inf if any is."""
    peaks = [float(np.max(np.abs(g))) for g in grads if np.size(g)]
    peak = float(np.max(peaks)) if peaks else 0.0  # np.max: a NaN anywhere wins
    if peak == 0.0 or not math.isfinite(peak):
        return peak
    return peak * math.sqrt(sum(float(np.sum(np.square(np.asarray(g, dtype=np.float64) / peak))) for g in grads))


def _nonfinite_message(ps: list, total: float) -> str:
    i = next(i for i, p in enumerate(ps) if not np.all(np.isfinite(p.grad)))
    shape = np.shape(ps[i].data)
    what = f"a {type(ps[i]).__name__}" + (f" of shape {shape}" if shape else "")
    return (f"clip_grad_norm: the total gradient norm is {total}: the gradient of parameter {i} of "
            f"{len(ps)} ({what}) holds NaN or inf, so no rescaling can make it finite. The loss has "
            "probably diverged (lower the learning rate); pass error_if_nonfinite=False to let the "
            "NaN through, as PyTorch does by default")


def clip_grad_norm(params: Any, max_norm: float, error_if_nonfinite: bool = False) -> float:
    """Rescale all gradients together so their joint 2-norm is at most ``max_norm``.

        ‖g‖ = √(Σ over every parameter and entry of g²);   if ‖g‖ > max_norm:  g ← g · max_norm/(‖g‖ + 10⁻⁶)

    (PyTorch's ``clip_grad_norm_``). The direction of the step is kept, only its length is
    capped. Returns ‖g‖ before clipping (a float). ``max_norm=inf`` only measures.

    A NaN or infinite gradient entry makes ‖g‖ non-finite. With ``error_if_nonfinite=True``
    that raises ``NonFiniteError`` naming the parameter, before any gradient changes. With the
    default False it does what PyTorch does: every gradient is multiplied by
    max_norm/(‖g‖ + 10⁻⁶) — by NaN when ‖g‖ is NaN (every gradient becomes NaN), by 0 when ‖g‖
    is inf (finite entries become 0, infinite ones NaN) — and ‖g‖ is returned, so the NaN
    propagates to the next step instead of passing unnoticed."""
    max_norm = real_in(max_norm, "clip_grad_norm: max_norm", 0.0, math.inf, lo_open=True, hi_open=False)
    ps = _grads(_param_list(params, "clip_grad_norm"))
    total = _total_norm([p.grad for p in ps])
    if error_if_nonfinite and not math.isfinite(total):
        raise NonFiniteError(_nonfinite_message(ps, total))
    coef = max_norm / (total + 1e-6)
    if not coef >= 1.0:  # also when coef is NaN: PyTorch multiplies by it
        with np.errstate(invalid="ignore"):  # inf · 0 = NaN is the documented outcome
            for p in ps:
                p.grad = p.grad * coef
    return total


def clip_grad_value(params: Any, clip: float) -> None:
    """Clamp every gradient entry into [−clip, clip] (PyTorch's ``clip_grad_value_``)."""
    clip = real_in(clip, "clip_grad_value: clip", 0.0, math.inf, lo_open=True, hi_open=False)
    for p in _grads(_param_list(params, "clip_grad_value")):
        p.grad = autodiff.clip(p.grad, -clip, clip)  # a float stays a float, an array an array


clip_grad_norm_ = clip_grad_norm
clip_grad_value_ = clip_grad_value


# --- learning-rate schedules ----------------------------------------------------------------------
class LRScheduler:
    """Changes the optimizer's learning rates; call ``step()`` once per epoch (``fit`` does).

    Each group's rate is ``lr_at(base_lr, epoch)`` with base_lr the group's rate when the
    schedule was made and epoch the number of ``step()`` calls so far."""

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"a learning-rate schedule needs an Optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        self.base_lrs = [g["lr"] for g in optimizer.param_groups]
        self.epoch = 0

    def lr_at(self, base_lr: float, epoch: int) -> float:
        raise NotImplementedError

    def step(self) -> None:
        self.epoch += 1
        for group, base in zip(self.optimizer.param_groups, self.base_lrs):
            group["lr"] = self.lr_at(base, self.epoch)

    def get_lr(self) -> list[float]:
        """The current learning rate of every group."""
        return [g["lr"] for g in self.optimizer.param_groups]


def _decay(gamma: Any, where: str) -> float:
    """γ > 0: below 1 a decay, above 1 a growth (a warm-up or a learning-rate range test), as PyTorch."""
    return real_in(gamma, f"{where}: gamma", 0.0, math.inf, lo_open=True, hi_open=True)


class StepLR(LRScheduler):
    """η_epoch = η₀ · γ^⌊epoch / step_size⌋: multiply the rate by γ every ``step_size`` epochs.

    γ is in (0, 1] (a decay: a rate that grows without bound always diverges)."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        self.step_size = positive_int(step_size, "StepLR: step_size")
        self.gamma = _decay(gamma, "StepLR")
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma ** (epoch // self.step_size)


class ExponentialLR(LRScheduler):
    """η_epoch = η₀ · γ^epoch: exponential decay, every epoch; γ is in (0, 1]."""

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        self.gamma = _decay(gamma, "ExponentialLR")
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma**epoch
