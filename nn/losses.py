"""Cost (error) functions C(ŷ, y), built from autodiff primitives (no hand-written gradients).

Every cost takes predictions and targets and returns a scalar node: a 0-d ``Tensor`` when the
predictions are a Tensor (or an array), a ``Value`` when they are a ``Value`` or a (nested) list
of Values — the scalar MLP's outputs for one sample (``[v1, v2, …]``) or a batch
(``[[…], […]]``). Targets are constants (numbers, lists, arrays or Tensors); no gradient flows
into them. Shapes must match, except that (N,) and (N, 1) are accepted for one another; anything
else raises ``ShapeError`` naming both shapes (numpy would broadcast (N, 1) against (M,) into an
(N, M) table and give a silently wrong number).

    rss            C = Σᵢ (yᵢ − ŷᵢ)²                              the notes on neural networks
    mse            C = (1/N)(1/K) Σₙ Σₖ (tₙₖ − yₙₖ)²   (mean over all, = PyTorch's MSELoss)
                       (1/N) Σₙ Σₖ (…)²  with mean_over="samples"  (the deep-learning notes' CostOLS)
                       × ½ with half=True
    binary_cross_entropy   C = −(1/N) Σ [y log p + (1 − y) log(1 − p)]      on probabilities p
    bce_with_logits        C = (1/N) Σ [max(z, 0) − z·y + log(1 + e^{−|z|})]   on logits z, p = σ(z)
    cross_entropy          C = −(1/N) Σₙ Σ_c y_{nc} log softmax(zₙ)_c       on logits z (PyTorch's)
                           (alias: cross_entropy_with_logits)
    cross_entropy_from_probabilities   C = −(1/N) Σₙ Σ_c y_{nc} log p_{nc}  on probabilities p
    hinge          C = (1/N) Σ max(0, 1 − yᵢ·scoreᵢ),  yᵢ ∈ {−1, +1}        micrograd's demo

Which takes what: a name with "logits" or PyTorch's name ``cross_entropy`` takes the last layer's
weighted sums; ``binary_cross_entropy`` and ``cross_entropy_from_probabilities`` take
probabilities (after a sigmoid or softmax) and say so when given anything outside [0, 1].
``reduction="sum"`` replaces the mean (1/N) by a plain sum where it applies. PyTorch's loss
objects (``CrossEntropyLoss``, ``MSELoss``, ``BCELoss``, ``BCEWithLogitsLoss``) call the same
functions.
"""

from __future__ import annotations

import math
import numbers
import operator
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

import autodiff
from autodiff import Tensor, Value, softmax_cross_entropy
from autodiff.errors import ShapeError

from .activations import log_softmax
from .checks import lookup, numbers_of

__all__ = [
    "rss", "mse", "binary_cross_entropy", "bce", "bce_with_logits", "cross_entropy",
    "cross_entropy_with_logits", "cross_entropy_from_probabilities", "LooksLikeProbabilitiesWarning",
    "hinge", "get_loss", "LOSSES", "CrossEntropyLoss", "MSELoss", "BCELoss", "BCEWithLogitsLoss",
]


# --- predictions and targets -----------------------------------------------------------------
def _contains_value(x: Any) -> bool:
    if isinstance(x, Value):
        return True
    if isinstance(x, (list, tuple)):
        return any(_contains_value(v) for v in x)
    return False


def _lift_value(v: Any, what: str) -> Value:
    if isinstance(v, Value):
        return v
    if isinstance(v, numbers.Real) and not isinstance(v, bool):
        return Value(float(v))
    raise TypeError(f"{what}: predictions must be Values or numbers, found {type(v).__name__} {v!r:.40}")


def _predictions(pred: Any, what: str) -> Tensor | np.ndarray:
    """A Tensor, or (the scalar path) an object ndarray of Values: a Value or a (nested) list of
    Values and numbers, each number made a constant Value."""
    if isinstance(pred, Tensor):
        return pred
    if _contains_value(pred):
        arr = np.array(pred, dtype=object)
        # a ragged list gives an object array holding lists
        if any(isinstance(v, (list, tuple)) for v in arr.flat):
            raise ShapeError(f"{what}: the predictions are a ragged list (rows of different lengths)")
        out = np.empty(arr.shape, dtype=object)
        for i, v in np.ndenumerate(arr):
            out[i] = _lift_value(v, what)
        return out
    try:
        return Tensor(np.asarray(pred, dtype=np.float64))
    except (TypeError, ValueError):
        raise TypeError(f"{what}: predictions must be a Tensor, a Value, a list of Values or numbers, "
                        f"got {type(pred).__name__}") from None


def _targets(target: Any, what: str) -> np.ndarray:
    """The targets as a float64 array: constants, so no gradient flows into them."""
    try:
        return numbers_of(target)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{what}: targets must be numbers (a number, a list, an array or a Tensor), "
                        f"got {type(target).__name__}: {e}") from None


def _match(p: Tensor | np.ndarray, t: np.ndarray, what: str) -> np.ndarray:
    """t with p's shape: equal shapes, or (N,) against (N, 1) either way round; else ShapeError."""
    ps, ts = p.shape, t.shape
    if ps == ts:
        return t
    if t.size == math.prod(ps) and (ps == ts + (1,) or ts == ps + (1,)):
        return t.reshape(ps)
    raise ShapeError(f"{what}: predictions have shape {ps} but targets have shape {ts}; they must "
                     f"have the same shape (one value per prediction)")


def _nonempty(p: Tensor | np.ndarray, what: str) -> None:
    if math.prod(p.shape) == 0:
        raise ValueError(f"{what}: there are no predictions (shape {p.shape}): the cost of an empty "
                         "batch is undefined")


def _prepare(pred: Any, target: Any, what: str) -> tuple[Tensor | np.ndarray, np.ndarray]:
    p = _predictions(pred, what)
    t = _targets(target, what)
    t = _match(p, t, what)
    _nonempty(p, what)
    return p, t


def _count_rows(shape: tuple) -> int:
    """N: the number of samples — every axis but the last (1 for a single sample's vector)."""
    return math.prod(shape[:-1]) if len(shape) > 1 else 1


# --- one formula for both forms of predictions -----------------------------------------------------
# Each cost is written once, as its formula, for predictions that are a Tensor or (the scalar path)
# an object array of Values. Arithmetic already works on both: numpy applies + − × ÷ to each Value,
# and the targets, a float array, meet each Value as a plain number. The functions below are the
# only places that tell the two forms apart.
def _elementwise(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` (an autodiff function: a node in, a node out) for a Tensor or a Value as it is, and
    for the scalar path's object array Value by Value (numpy's ``frompyfunc``)."""
    def each(x: Any, *args: Any) -> Any:
        if isinstance(x, np.ndarray):
            return np.frompyfunc(fn, 1 + len(args), 1)(x, *args)
        return fn(x, *args)

    return each


_log = _elementwise(autodiff.log)
_clip = _elementwise(autodiff.clip)
_relu = _elementwise(autodiff.relu)
_bce_with_logits = _elementwise(autodiff.bce_with_logits)
_data = _elementwise(operator.attrgetter("data"))


def _total(terms: Tensor | np.ndarray | Value) -> Tensor | Value:
    """Σ of every entry: ``Tensor.sum()``, or one n-ary ``Value.sum`` node over the scalar path's
    Values (not a chain of n − 1 additions)."""
    if isinstance(terms, Tensor):
        return terms.sum()
    return Value.sum(np.ravel(terms))


def _reduce(terms: Tensor | np.ndarray, n: int, reduction: str, what: str) -> Tensor | Value:
    if reduction == "sum":
        return _total(terms)
    if reduction == "mean":
        return _total(terms) * (1.0 / n)
    raise ValueError(f"{what}: reduction must be 'mean' or 'sum', got {reduction!r}")


# --- squared errors --------------------------------------------------------------------------
def rss(pred: Any, target: Any, *, half: bool = False) -> Tensor | Value:
    """Residual sum of squares (the notes on neural networks):  C = Σᵢ (yᵢ − ŷᵢ)²  (× ½ with ``half``).

    ∂C/∂ŷᵢ = −2(yᵢ − ŷᵢ)  (−(yᵢ − ŷᵢ) with the ½)."""
    p, t = _prepare(pred, target, "rss")
    r = t - p
    c = _total(r * r)
    return c * 0.5 if half else c


def mse(pred: Any, target: Any, *, half: bool = False, mean_over: str = "all") -> Tensor | Value:
    """Mean squared error.

    ``mean_over="all"`` (default, as the introductory notes, = PyTorch's MSELoss):
        C = (1/N)(1/K) Σₙ Σₖ (tₙₖ − yₙₖ)²          the mean over every entry;
    ``mean_over="samples"`` (the deep-learning notes' CostOLS):
        C = (1/N) Σₙ Σₖ (tₙₖ − yₙₖ)²               summed over the K outputs, averaged over samples;
    ``half=True`` multiplies by ½ (the notes on neural networks: C = (1/2N) Σᵢ (yᵢ − ŷᵢ)², "to make
    derivatives cleaner").

    N is the length of the first axis (the samples); for a single output the two choices agree. ∂C/∂yₙₖ = −2(tₙₖ − yₙₖ)/(NK) (default)."""
    p, t = _prepare(pred, target, "mse")
    if mean_over == "all":
        n = math.prod(p.shape)
    elif mean_over == "samples":
        n = p.shape[0] if p.ndim >= 1 else 1
    else:
        raise ValueError(f"mse: mean_over must be 'all' (1/(N·K)) or 'samples' (1/N), got {mean_over!r}")
    r = t - p
    c = _total(r * r) * (1.0 / n)
    return c * 0.5 if half else c


# --- binary cross-entropy ---------------------------------------------------------------------
def binary_cross_entropy(pred: Any, target: Any, *, eps: float = 1e-12,
                         reduction: str = "mean") -> Tensor | Value:
    """Binary cross-entropy on probabilities p = ŷ ∈ (0, 1) (the notes on neural networks):

        C = −(1/N) Σᵢ [ yᵢ log pᵢ + (1 − yᵢ) log(1 − pᵢ) ]

    the mean Bernoulli negative log-likelihood (mean over every entry). p is clamped to
    [eps, 1 − eps] first, so p = 0 or 1 gives a large finite cost instead of log 0 (the clamp
    passes no gradient where it bites; the deep-learning notes add 10⁻⁹ inside the log instead). For
    predictions that are logits z (before the sigmoid) use ``bce_with_logits``: it is exact and
    stable where σ(z) rounds to 0 or 1. ∂C/∂pᵢ = (pᵢ − yᵢ)/(pᵢ(1 − pᵢ))/N."""
    what = "binary_cross_entropy"
    p, y = _prepare(pred, target, what)
    if not 0 < eps < 0.5:
        raise ValueError(f"{what}: eps must be in (0, 0.5), got {eps}")
    _check_probabilities(p, what)
    _check_targets(y, what)
    p = _clip(p, eps, 1.0 - eps)
    terms = -(y * _log(p) + (1.0 - y) * _log(1.0 - p))
    return _reduce(terms, y.size, reduction, what)


bce = binary_cross_entropy


def bce_with_logits(logits: Any, target: Any, *, reduction: str = "mean") -> Tensor | Value:
    """Binary cross-entropy from logits z, p = σ(z), one fused op per entry:

        C = (1/N) Σᵢ [ max(zᵢ, 0) − zᵢ·yᵢ + log(1 + e^{−|zᵢ|}) ]

    which equals −[y log σ(z) + (1 − y) log(1 − σ(z))] exactly, but never exponentiates a
    positive number (e^{−|z|} ≤ 1) and never takes the log of a rounded-off 0. The op carries
    its own exact derivative ∂C/∂zᵢ = (σ(zᵢ) − yᵢ)/N, also at z = 0, where the kinks of max and
    |·| in the formula would otherwise give a wrong subgradient. Targets must lie in [0, 1]."""
    what = "bce_with_logits"
    z, y = _prepare(logits, target, what)
    _check_targets(y, what)
    return _reduce(_bce_with_logits(z, y), y.size, reduction, what)


def _check_targets(t: np.ndarray, what: str) -> None:
    """Binary targets are probabilities: outside [0, 1] the cost goes negative, silently."""
    bad = ~((t >= 0) & (t <= 1))
    if bad.any():
        raise ValueError(f"{what}: targets must be probabilities in [0, 1] (labels 0/1), found "
                         f"{float(t[bad].flat[0])!r}")


def _check_probabilities(p: Tensor | np.ndarray, what: str) -> None:
    data = np.asarray(_data(p), dtype=np.float64)
    bad = (data < 0) | (data > 1) | np.isnan(data)
    if bad.any():
        v = float(data[bad].flat[0])
        logits = "bce_with_logits" if what == "binary_cross_entropy" else "cross_entropy"
        raise ValueError(f"{what}: predictions must be probabilities in [0, 1], found {v!r}. If they are "
                         f"logits (before the sigmoid/softmax), use nn.{logits}, which takes logits")


# --- multinomial cross-entropy -----------------------------------------------------------------
def _labels_or_onehot(p: Tensor | np.ndarray, target: Any, what: str) -> tuple[str, np.ndarray]:
    """("onehot", t) for targets shaped like p; ("labels", int array) for one label per row."""
    t = _targets(target, what)
    ps = p.shape
    if len(ps) == 0:
        raise ShapeError(f"{what}: predictions must have a class axis (shape (K,) or (N, K)), got a scalar")
    if t.shape == ps:
        return "onehot", t
    if t.shape == ps[:-1]:
        k = ps[-1]
        if not np.all(np.isfinite(t)) or not np.all(t == np.round(t)):
            flat = t.reshape(-1)
            i = int(np.flatnonzero(~np.isfinite(flat) | (flat != np.round(flat)))[0])
            raise ValueError(f"{what}: class labels must be integers 0..{k - 1}, found {float(flat[i])!r} at "
                             f"position {i}. Give integer labels, or one-hot targets of shape {ps}")
        labels = t.astype(np.int64)
        if labels.size and (labels.min() < 0 or labels.max() >= k):
            bad = int(labels[(labels < 0) | (labels >= k)].flat[0])
            raise ValueError(f"{what}: class label {bad} is out of range: with {k} classes labels "
                             f"must be 0..{k - 1}")
        return "labels", labels
    raise ShapeError(f"{what}: predictions have shape {ps}, so targets must be one-hot of the same "
                     f"shape {ps} or integer labels of shape {ps[:-1]}; got shape {t.shape}")


def _pick(logp: Tensor | np.ndarray, labels: np.ndarray) -> Tensor | np.ndarray:
    """logp[n, labels[n]] for every row n (any leading shape)."""
    flat_labels = labels.reshape(-1)
    # the same fancy index for a Tensor (a getitem node) and an object array of Values
    return logp.reshape(-1, logp.shape[-1])[np.arange(flat_labels.size), flat_labels]


def _cross_entropy(logp: Tensor | np.ndarray, kind: str, y: np.ndarray, reduction: str,
                   what: str) -> Tensor | Value:
    """−(1/N) Σₙ log p_{n, yₙ} (labels) or −(1/N) Σₙ Σ_c y_{nc} log p_{nc} (one-hot), from log p."""
    terms = -_pick(logp, y) if kind == "labels" else -(y * logp)
    return _reduce(terms, _count_rows(logp.shape), reduction, what)


def cross_entropy(logits: Any, target: Any, *, reduction: str = "mean") -> Tensor | Value:
    """Softmax + multinomial cross-entropy from logits z (the last layer's weighted sums), as
    PyTorch's ``F.cross_entropy`` / ``nn.CrossEntropyLoss``:

        C = −(1/N) Σₙ Σ_c y_{nc} log softmax(zₙ)_c,   log softmax(z)_c = z_c − m − log Σⱼ e^{zⱼ − m}
          = −(1/N) Σₙ log softmax(zₙ)_{yₙ}            (integer labels yₙ ∈ {0..K−1}, shape (N,))

    (m = maxⱼ zⱼ; targets are integer labels of shape (N,) or one-hot / probability rows of
    shape (N, K); a single sample may be given as shape (K,)). Never forms a probability, so never
    takes log 0. ∂C/∂z_{nc} = (softmax(zₙ)_c − y_{nc})/N: the delta of the output layer in the
    lecture notes on neural networks.

    Give it the logits, not softmax's output: for probabilities p (the notes' formula
    C = −(1/N) Σ y log p) use ``cross_entropy_from_probabilities``. Rows that are all in [0, 1]
    and each sum to 1 look like probabilities and raise a ``LooksLikeProbabilitiesWarning``
    (softmax applied twice trains, slowly, to the wrong place). ``cross_entropy_with_logits`` is
    this function under its older name."""
    what = "cross_entropy"
    z = _predictions(logits, what)
    _nonempty(z, what)
    kind, t = _labels_or_onehot(z, target, what)
    _warn_if_probabilities(z)
    if isinstance(z, Tensor):  # the fused op is a Tensor op: the scalar path builds it from Values
        if reduction not in ("mean", "sum"):
            _reduce(z, 1, reduction, what)  # the usual message for a bad reduction
        # one node for log_softmax + pick + mean: the same numbers, a quarter of the overhead
        return softmax_cross_entropy(z if z.ndim > 1 else z.reshape(1, -1),
                                     t if z.ndim > 1 else t.reshape((1,) + t.shape), reduction)
    rows = [log_softmax(list(row)) for row in z.reshape(-1, z.shape[-1])]
    return _cross_entropy(np.array(rows, dtype=object).reshape(z.shape), kind, t, reduction, what)


cross_entropy_with_logits = cross_entropy


class LooksLikeProbabilitiesWarning(UserWarning):
    """``cross_entropy`` (which takes logits) was given rows that look like probabilities."""


def _warn_if_probabilities(z: Tensor | np.ndarray) -> None:
    """Warn when every entry is in [0, 1] and every row of K > 1 entries sums to 1 (to 1e-9):
    logits are almost never like that, softmax's output always is."""
    data = np.asarray(_data(z), dtype=np.float64)
    if data.shape[-1] < 2 or data.min() < 0.0 or data.max() > 1.0:
        return
    if np.allclose(data.sum(axis=-1), 1.0, rtol=0.0, atol=1e-9):
        warnings.warn("cross_entropy takes logits (the last layer's weighted sums, before softmax), "
                      "as PyTorch's does, but every row of these predictions is in [0, 1] and sums to "
                      "1, like probabilities: drop the softmax, or use "
                      "nn.cross_entropy_from_probabilities(p, target) for probabilities",
                      LooksLikeProbabilitiesWarning, stacklevel=3)


def cross_entropy_from_probabilities(prob: Any, target: Any, *, eps: float = 1e-12,
                                     reduction: str = "mean") -> Tensor | Value:
    """Multinomial cross-entropy on probabilities p (rows summing to 1, e.g. after softmax), the
    formula of the lecture notes on neural networks:

        C = −(1/N) Σₙ Σ_c y_{nc} log p_{nc}        (one-hot targets y, shape (N, K))
          = −(1/N) Σₙ log p_{n, yₙ}                 (integer labels yₙ ∈ {0..K−1}, shape (N,))

    p is clamped to [eps, 1] before the log. A single sample may be given as shape (K,) with a
    one-hot (K,) target or a single integer label. From logits, ``cross_entropy`` is exact and
    stable. ∂C/∂p_{nc} = −y_{nc}/(N p_{nc})."""
    what = "cross_entropy_from_probabilities"
    p = _predictions(prob, what)
    _nonempty(p, what)
    kind, t = _labels_or_onehot(p, target, what)
    _check_probabilities(p, what)
    logp = _log(_clip(p, eps, None))
    return _cross_entropy(logp, kind, t, reduction, what)


# --- max-margin (micrograd's demo) ------------------------------------------------------------
def hinge(scores: Any, target: Any, *, margin: float = 1.0, reduction: str = "mean") -> Tensor | Value:
    """Hinge (max-margin) loss for labels y ∈ {−1, +1} and real scores s (micrograd's demo):

        C = (1/N) Σᵢ max(0, margin − yᵢ·sᵢ)        (margin 1)

    zero once every sample is on the right side of the boundary by at least the margin.
    ∂C/∂sᵢ = −yᵢ/N where yᵢsᵢ < margin, else 0."""
    what = "hinge"
    s, y = _prepare(scores, target, what)
    if not np.all((y == 1) | (y == -1)):
        bad = float(y[(y != 1) & (y != -1)].flat[0])
        raise ValueError(f"{what}: labels must be -1 or +1, found {bad!r} (for 0/1 labels use 2*y - 1)")
    terms = _relu(float(margin) - y * s)
    return _reduce(terms, y.size, reduction, what)


# --- PyTorch's loss objects ----------------------------------------------------------------------
class _Loss:
    """A cost as an object, as PyTorch spells it: ``loss_fn = nn.CrossEntropyLoss(); loss_fn(pred, y)``.

    ``reduction`` is "mean" (default) or "sum", as in PyTorch ("none" is not offered: every cost
    here is a scalar node)."""

    def __init__(self, reduction: str = "mean") -> None:
        if reduction not in ("mean", "sum"):
            raise ValueError(f"{type(self).__name__}: reduction must be 'mean' or 'sum', got {reduction!r}")
        self.reduction = reduction

    def __call__(self, pred: Any, target: Any) -> Tensor | Value:
        return self.forward(pred, target)

    def forward(self, pred: Any, target: Any) -> Tensor | Value:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(reduction={self.reduction!r})"


class CrossEntropyLoss(_Loss):
    """PyTorch's ``nn.CrossEntropyLoss``: ``cross_entropy(logits, target)``, from logits."""

    def forward(self, pred: Any, target: Any) -> Tensor | Value:
        return cross_entropy(pred, target, reduction=self.reduction)


class MSELoss(_Loss):
    """PyTorch's ``nn.MSELoss``: the mean of (ŷ − y)² over every entry (``mse``); "sum": ``rss``."""

    def forward(self, pred: Any, target: Any) -> Tensor | Value:
        return mse(pred, target) if self.reduction == "mean" else rss(pred, target)


class BCELoss(_Loss):
    """PyTorch's ``nn.BCELoss``: ``binary_cross_entropy(p, y)`` on probabilities."""

    def forward(self, pred: Any, target: Any) -> Tensor | Value:
        return binary_cross_entropy(pred, target, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """PyTorch's ``nn.BCEWithLogitsLoss``: ``bce_with_logits(z, y)`` from logits."""

    def forward(self, pred: Any, target: Any) -> Tensor | Value:
        return bce_with_logits(pred, target, reduction=self.reduction)


# --- by name ------------------------------------------------------------------------------------
LOSSES: dict[str, Callable[..., Any]] = {
    "rss": rss, "sse": rss,
    "mse": mse,
    "bce": binary_cross_entropy, "binary_cross_entropy": binary_cross_entropy,
    "bce_with_logits": bce_with_logits, "bce_logits": bce_with_logits,
    "cross_entropy": cross_entropy, "ce": cross_entropy,
    "cross_entropy_with_logits": cross_entropy, "softmax_cross_entropy": cross_entropy,
    "ce_logits": cross_entropy,
    "cross_entropy_from_probabilities": cross_entropy_from_probabilities,
    "ce_probabilities": cross_entropy_from_probabilities,
    "hinge": hinge, "max_margin": hinge,
}
"""Costs by (lower-case) name, aliases included. "cross_entropy" takes logits, as PyTorch's."""


def get_loss(loss: str | Callable[..., Any]) -> Callable[..., Any]:
    """The cost function for a name (see ``LOSSES``) or a callable ``loss(pred, target)`` (as is)."""
    if callable(loss):
        return loss
    if isinstance(loss, str):
        return lookup(LOSSES, loss, "loss", "a callable loss(pred, target)")
    raise TypeError(f"a loss is a name or a callable, got {type(loss).__name__}")
