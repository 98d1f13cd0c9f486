"""Optimizers: gradient descent and the learning-rate methods of the deep-learning lecture notes,
on Value and Tensor parameters.

Each optimizer holds the parameters (a Value's ``grad`` is a float, a Tensor's an ndarray, or
None when nothing reached it — such a parameter is skipped, as in PyTorch) and, on ``step()``,
moves every parameter θ by a *change* computed from its gradient g, in the form of the notes'
optimizer code (a scheduler whose ``update_change(gradient)`` returns the change):

    θ ← θ − change

    SGD (the notes' "Constant")  change = η g
    Momentum                   change = μ·change + η g
      nesterov=True            v = μ·v + η g;               change = η g + μ·v      (PyTorch's Nesterov)
    Adagrad                    G ← G + g²;                 change = η g / (δ + √G)
    AdagradMomentum            G ← G + g²;                 change = μ·change + η g / (δ + √G)
    RMSprop                    s ← ρ s + (1 − ρ) g²;       change = η g / √(s + δ)
    Adam                       m ← ρ₁ m + (1 − ρ₁) g;  v ← ρ₂ v + (1 − ρ₂) g²;
                               m̂ = m / (1 − ρ₁ᵗ);  v̂ = v / (1 − ρ₂ᵗ);  change = η m̂ / √(v̂ + δ)
    AdamW                      θ ← θ (1 − η λ), then Adam's change        (decay decoupled from g)

with δ = 10⁻⁸ (``eps``) where the notes put it. Squares, roots and divisions are elementwise.

Where PyTorch differs (``torch.optim``), and the one setting that makes them agree exactly:

    optimizer   δ here (default)        δ in PyTorch (default)      agree exactly when
    Adagrad     outside √ (1e-8)        outside √ (1e-10)           the same eps
    RMSprop     inside √ (1e-8), ρ 0.9  outside √ (1e-8), α 0.99    eps = 0 (and rho = alpha)
    Adam(W)     inside √ (1e-8)         outside √ (1e-8)            eps = 0
    SGD, Momentum, Nesterov: the same formula (PyTorch keeps b with change = η b; the same numbers
    while η is constant, but a schedule changing η scales PyTorch's whole b, ours only new terms).

Inside or outside matters only while v̂ is not much larger than δ: √(v̂ + δ) ≈ √v̂ + δ/(2√v̂).

Two deliberate differences from the notes' code, both identical to it on the cases it was
written for:
  * Adagrad's G is the elementwise running sum of g². The notes accumulate the matrix g gᵀ and
    use its diagonal, which is exactly Σ g² for the column-vector gradients they were written for
    (for a matrix gradient it would mix the columns of a row).
  * Adam's t counts steps (Kingma & Ba; PyTorch). The notes count t in epochs through their
    ``reset()``, which their fit() loop calls once per epoch and which also zeroes m and v; with
    one step per epoch (full-batch training) the first step is the same. ``reset()`` here
    forgets all state (m, v, G, s, the momentum change and t) as the notes' reset does.

Parameter groups (PyTorch style) give layers their own settings, as the introductory notes train
their hidden layer with ρ_h and their output layer with ρ_o:

    opt = SGD([{"params": hidden.parameters(), "lr": 0.1},
               {"params": output.parameters(), "lr": 0.01}])

``weight_decay`` λ adds L2 regularisation, g ← g + λθ (the gradient of ½λ‖θ‖²), in every
optimizer; ``AdamW`` instead shrinks θ by the factor 1 − ηλ before the step (PyTorch's AdamW).

Training resumes exactly: ``opt.state_dict()`` holds the settings and every running average as
plain arrays, ``opt.save(path)`` writes them to an .npz (no pickle) and ``opt.load(path)`` /
``opt.load_state_dict(state)`` put them back into an optimizer over the same parameters
(``nn.optim_state``). A schedule has ``state_dict()``/``load_state_dict()`` too.
"""

from __future__ import annotations

import inspect
import math
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

import autodiff
from autodiff import Tensor, Value
from autodiff.errors import NonFiniteError, ShapeError

from . import optim_state
from .checks import lookup, positive_int, real_in
from .module import zero_grad

__all__ = [
    "Optimizer", "SGD", "Momentum", "Adagrad", "AdagradMomentum", "RMSprop", "Adam", "AdamW",
    "clip_grad_norm", "clip_grad_value", "LRScheduler", "StepLR", "ExponentialLR",
    "get_optimizer", "OPTIMIZERS", "zero_grad",
]


def _is_param(p: Any) -> bool:
    return isinstance(p, (Value, Tensor))


def _refuse_uncalled(params: Any, where: str) -> None:
    """``model.parameters`` (the method) where its result belongs: say so, instead of Python's
    "'method' object is not iterable"."""
    if not (inspect.ismethod(params) or inspect.isfunction(params) or inspect.isbuiltin(params)):
        return
    name = getattr(params, "__name__", "it")
    owner = getattr(params, "__self__", None)
    shown = f"{type(owner).__name__}.{name}" if owner is not None else name
    call = "model.parameters()" if name == "parameters" else f"{name}()"
    raise TypeError(f"{where} got the method {shown} itself, not the parameters it returns: "
                    f"call it: {where}({call}, ...)")


def _items(params: Any, where: str) -> Any:
    """A Module's parameters, a single parameter as a list, or ``params`` as it is."""
    _refuse_uncalled(params, where)
    if hasattr(params, "parameters") and callable(params.parameters):  # a Module
        return params.parameters()
    return [params] if _is_param(params) else params


def _param_list(params: Any, where: str) -> list:
    params = _items(params, where)
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


SWITCHES = ("nesterov",)
"""Settings that are True or False."""


def _hyper(key: str, value: Any, where: str) -> float:
    label, lo, hi = HYPERPARAMETERS[key]
    return real_in(value, f"{where}: {label}", lo, hi)


def _switch(key: str, value: Any, where: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where}: {key} must be True or False, got {type(value).__name__} {value!r:.40}")
    return bool(value)


class Optimizer:
    """Base class: parameter groups, ``zero_grad()``, ``step()``, ``reset()``.

    A subclass defines ``_change(g, state, group)``: the amount subtracted from a parameter whose
    (weight-decayed) gradient is g; ``state`` is that parameter's own dict (running averages,
    named in ``state_names``; ``t``, a step count, is an int)."""

    defaults: dict[str, Any]
    state_names: tuple[str, ...] = ()
    decoupled_weight_decay = False  # AdamW: θ ← θ(1 − ηλ) instead of g ← g + λθ

    def __init__(self, params: Any, defaults: dict[str, Any]) -> None:
        self.defaults = self._check_hyper(dict(defaults), type(self).__name__)
        self.param_groups: list[dict[str, Any]] = []
        self.state: dict[int, dict[str, Any]] = {}
        params = _items(params, type(self).__name__)
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
        """``h`` with every known setting checked against ``HYPERPARAMETERS`` and made a float,
        and every switch (``nesterov``) a bool; Nesterov momentum needs a momentum μ > 0."""
        out = {k: _hyper(k, v, name) if k in HYPERPARAMETERS else _switch(k, v, name) if k in SWITCHES else v
               for k, v in h.items()}
        if out.get("nesterov") and not out.get("momentum"):
            raise ValueError(f"{name}: nesterov=True needs a momentum > 0 (as PyTorch), got momentum="
                             f"{out.get('momentum', 0.0)}")
        return out

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
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's gradient (a Value's to 0.0, a Tensor's to None): ``has_grad``
        is then False until a backward pass reaches it. ``set_to_none=False`` (PyTorch's option)
        gives a Tensor a gradient of zeros instead, so the next ``step`` still moves it
        (momentum, weight decay)."""
        zero_grad(self.parameters(), set_to_none)

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
                if wd and self.decoupled_weight_decay:
                    p.data *= 1.0 - group["lr"] * wd  # a Tensor's array in place
                elif wd:
                    g = g + wd * p.data
                state = self.state.setdefault(id(p), {})
                p.data -= self._change(g, state, group)  # a Tensor's array in place

    def _change(self, g: Any, state: dict[str, Any], group: dict[str, Any]) -> Any:
        raise NotImplementedError

    def reset(self) -> None:
        """Forget the running averages and step counts (the notes' ``Scheduler.reset()``)."""
        self.state.clear()

    # --- resuming ------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """Everything ``step`` depends on besides the parameters, as plain arrays (a copy):

            param_groups.<i>.params     the group's parameters, numbered in ``parameters()`` order
            param_groups.<i>.<setting>  lr, momentum, … (0-d arrays)
            state.<k>.<name>            parameter k's running averages (m, v, G, s, change, t)

        ``save``/``nn.save`` write it to an .npz without pickles."""
        return optim_state.state_dict(self)

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Put back a ``state_dict()`` taken from an optimizer of this class over parameters of the
        same shapes, in the same groups: the settings and running averages, so the next ``step``
        is exactly the one the saved optimizer would have taken. Everything is checked first
        (``StateDictError``/``ShapeError``); on an error nothing changes."""
        optim_state.load_state_dict(self, state)

    def save(self, path: str | os.PathLike) -> Path:
        """Write ``state_dict()`` to ``path`` (.npz, atomically, no pickles); returns the path."""
        return optim_state.save(self, path)

    def load(self, path: str | os.PathLike) -> Optimizer:
        """Read a file written by ``save`` into this optimizer (checked before anything is read
        or changed, as ``nn.load``); returns self."""
        optim_state.load(self, path)
        return self

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__}("]
        for i, g in enumerate(self.param_groups):
            settings = ", ".join(f"{k}={v}" for k, v in g.items() if k != "params")
            lines.append(f"  group {i}: {len(g['params'])} parameters, {settings}")
        return "\n".join(lines) + "\n)"


class SGD(Optimizer):
    """Gradient descent with a constant learning rate η (the notes' ``Constant`` rule):

        θ ← θ − η g

    With ``momentum`` μ > 0 it is ``Momentum``: change = μ·change + η g; with ``nesterov=True``
    too, PyTorch's Nesterov momentum: v = μ·v + η g, change = η g + μ·v (the step looks ahead
    along the velocity it is about to take)."""

    state_names = ("change",)

    def __init__(self, params: Any, lr: float = 0.01, momentum: float = 0.0, weight_decay: float = 0.0,
                 nesterov: bool = False) -> None:
        super().__init__(params, {"lr": lr, "momentum": momentum, "weight_decay": weight_decay,
                                  "nesterov": nesterov})

    def _change(self, g, state, group):
        change = group["lr"] * g
        mu = group["momentum"]
        if not mu:
            return change
        velocity = state["change"] = mu * state.get("change", 0.0) + change
        return change + mu * velocity if group["nesterov"] else velocity


class Momentum(SGD):
    """Gradient descent with momentum (the deep-learning notes' ``Momentum``):

        change ← μ·change + η g;   θ ← θ − change

    the change keeps a fraction μ of the previous one, so steps build up along directions the
    gradient keeps pointing to and cancel across directions where it oscillates. ``nesterov=True``:
    v ← μ·v + η g;  θ ← θ − (η g + μ·v)  (PyTorch's Nesterov momentum)."""

    def __init__(self, params: Any, lr: float = 0.01, momentum: float = 0.9, weight_decay: float = 0.0,
                 nesterov: bool = False) -> None:
        super().__init__(params, lr=lr, momentum=momentum, weight_decay=weight_decay, nesterov=nesterov)


class Adagrad(Optimizer):
    """Adagrad (the deep-learning notes): each parameter's step shrinks with its accumulated
    squared gradients.

        G ← G + g²;   θ ← θ − η g / (δ + √G)        (δ = eps = 10⁻⁸, outside the root)"""

    state_names = ("G",)

    def __init__(self, params: Any, lr: float = 0.01, eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(params, {"lr": lr, "eps": eps, "weight_decay": weight_decay})

    def _change(self, g, state, group):
        state["G"] = state.get("G", 0.0) + g * g
        return group["lr"] * g / (group["eps"] + state["G"] ** 0.5)


class AdagradMomentum(Optimizer):
    """Adagrad with momentum (the deep-learning notes' ``AdagradMomentum``):

        G ← G + g²;   change ← μ·change + η g / (δ + √G);   θ ← θ − change"""

    state_names = ("G", "change")

    def __init__(self, params: Any, lr: float = 0.01, momentum: float = 0.9, eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, {"lr": lr, "momentum": momentum, "eps": eps, "weight_decay": weight_decay})

    def _change(self, g, state, group):
        state["G"] = state.get("G", 0.0) + g * g
        change = group["momentum"] * state.get("change", 0.0) + group["lr"] * g / (group["eps"] + state["G"] ** 0.5)
        state["change"] = change
        return change


class RMSprop(Optimizer):
    """RMSprop (the deep-learning notes' ``RMS_prop``): a running average of g² instead of Adagrad's sum.

        s ← ρ s + (1 − ρ) g²;   θ ← θ − η g / √(s + δ)        (δ = eps = 10⁻⁸, inside the root)

    PyTorch's RMSprop puts δ outside the root, √s + δ, and defaults to ρ (its ``alpha``, accepted
    here too) = 0.99."""

    state_names = ("s",)

    def __init__(self, params: Any, lr: float = 0.01, rho: float = 0.9, eps: float = 1e-8,
                 weight_decay: float = 0.0, alpha: float | None = None) -> None:
        # alpha: PyTorch's name for ρ
        super().__init__(params, {"lr": lr, "rho": rho if alpha is None else alpha, "eps": eps,
                                  "weight_decay": weight_decay})

    def _change(self, g, state, group):
        rho = group["rho"]
        state["s"] = rho * state.get("s", 0.0) + (1.0 - rho) * g * g
        return group["lr"] * g / (state["s"] + group["eps"]) ** 0.5


class Adam(Optimizer):
    """Adam (the deep-learning notes; Kingma & Ba 2015): momentum on g and RMSprop on g², bias-corrected.

        m ← ρ₁ m + (1 − ρ₁) g;        v ← ρ₂ v + (1 − ρ₂) g²
        m̂ = m / (1 − ρ₁ᵗ);            v̂ = v / (1 − ρ₂ᵗ)
        θ ← θ − η m̂ / √(v̂ + δ)        (δ = eps = 10⁻⁸ inside the root, as the notes)

    t = 1, 2, … counts this parameter's steps. ρ₁, ρ₂ are ``rho``, ``rho2`` (the notes' names;
    PyTorch's ``betas=(ρ₁, ρ₂)`` is accepted too). The corrections undo the bias of m and v
    toward their starting value 0 in the first steps. PyTorch's Adam puts δ outside the root,
    η m̂ / (√v̂ + δ): the same numbers with eps=0."""

    state_names = ("m", "v", "t")

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


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019; PyTorch's ``AdamW``):

        θ ← θ (1 − η λ);   then Adam's step on g alone:  θ ← θ − η m̂ / √(v̂ + δ)

    λ = ``weight_decay`` (default 0.01, as PyTorch). Adam's ``weight_decay`` adds λθ to g, which
    m̂/√v̂ then rescales, so parameters with large gradients are barely decayed; here every
    parameter shrinks by the same factor each step. δ sits inside the root as in ``Adam``
    (PyTorch's AdamW: outside; the same numbers with eps=0)."""

    decoupled_weight_decay = True

    def __init__(self, params: Any, lr: float = 0.001, rho: float = 0.9, rho2: float = 0.999,
                 eps: float = 1e-8, weight_decay: float = 0.01,
                 betas: tuple[float, float] | None = None) -> None:
        super().__init__(params, lr=lr, rho=rho, rho2=rho2, eps=eps, weight_decay=weight_decay, betas=betas)


OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD, "constant": SGD, "gd": SGD,
    "momentum": Momentum,
    "adagrad": Adagrad,
    "adagrad_momentum": AdagradMomentum, "adagradmomentum": AdagradMomentum,
    "rmsprop": RMSprop, "rms_prop": RMSprop,
    "adam": Adam, "adamw": AdamW,
}
"""Optimizer classes by (lower-case) name; the notes' names included ("constant", "rms_prop")."""


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

    def state_dict(self) -> dict[str, np.ndarray]:
        """``epoch`` and ``base_lrs``: with the optimizer's own state, what resuming needs."""
        return {"epoch": np.array(self.epoch, dtype=np.int64),
                "base_lrs": np.array(self.base_lrs, dtype=np.float64)}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Put back a ``state_dict()`` (the optimizer's learning rates come with its own state)."""
        epoch, base_lrs = optim_state.schedule_state(state, len(self.base_lrs), type(self).__name__)
        self.epoch, self.base_lrs = epoch, base_lrs


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
