"""An optimizer's state as plain arrays, and its file: what resuming training exactly needs.

``state_dict(opt)`` is a flat mapping name -> array, so it saves like a model (an .npz of plain
arrays, never a pickle):

    param_groups.<i>.params     int64 (n_i,): the group's parameters, numbered 0, 1, … in the
                                order of ``opt.parameters()`` (group after group)
    param_groups.<i>.<setting>  0-d: lr, momentum, rho, eps, weight_decay … (float), nesterov (bool)
    state.<k>.<name>            parameter k's running averages, one entry per name of the class's
                                ``state_names`` (m, v, G, s, change: its parameter's shape; t: an int)

``load_state_dict(opt, state)`` checks all of it against ``opt`` before changing anything: the
same groups with the same numbers of parameters, the same settings, each running average the
shape of its parameter. A parameter never stepped has no ``state`` entries; one that was has all
of its class's. After the load the next ``step`` is bit for bit the step the saved optimizer
would have taken (a Value's averages come back as Python floats, a Tensor's as float arrays).

``save(opt, path)`` adds ``__format__`` = "autodiff-nn-optimizer-1" and ``__optimizer__`` (the
class name) and writes atomically (``nn.files.atomic_write``); ``load(opt, path)`` checks the tag,
the class and every entry's declared shape from the .npy headers before reading any data, so a
model file, another optimizer's file or a crafted file is refused with a message saying which.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from autodiff import Value
from autodiff.errors import ShapeError

from .checks import numbers_of
from .files import atomic_write
from .module import (
    FILE_KINDS,
    ModelFileError,
    StateDictError,
    check_format,
    open_npz,
    read_entry,
    state_members,
    text_entry,
    write_npz,
)

__all__ = ["state_dict", "load_state_dict", "save", "load", "schedule_state", "FORMAT_TAG"]

FORMAT_NAME = "autodiff-nn-optimizer"
FORMAT_VERSION = 1
FORMAT_TAG = f"{FORMAT_NAME}-{FORMAT_VERSION}"
FILE_KINDS[FORMAT_NAME] = ("optimizer", "an optimizer's state", "optimizer.load(path)",
                           "optimizer.save(path)")

_MAX_NAME_BYTES = 1024  # '__optimizer__' is a class name


def state_dict(opt: Any) -> dict[str, np.ndarray]:
    """The optimizer's settings and running averages as a flat dict of array copies (see above)."""
    params = opt.parameters()
    index = {id(p): k for k, p in enumerate(params)}
    out: dict[str, np.ndarray] = {}
    for i, group in enumerate(opt.param_groups):
        out[f"param_groups.{i}.params"] = np.array([index[id(p)] for p in group["params"]], dtype=np.int64)
        for key, value in group.items():
            if key != "params":
                out[f"param_groups.{i}.{key}"] = np.array(value)
    for k, p in enumerate(params):
        for name, value in opt.state.get(id(p), {}).items():
            out[f"state.{k}.{name}"] = np.array(value, copy=True)
    return out


def _layout(opt: Any) -> dict[str, tuple[tuple[int, ...], str]]:
    """name -> (shape, the dtype kinds it may hold) for every entry ``opt``'s state dict may have."""
    out: dict[str, tuple[tuple[int, ...], str]] = {}
    for i, group in enumerate(opt.param_groups):
        out[f"param_groups.{i}.params"] = ((len(group["params"]),), "iu")
        for key, value in group.items():
            if key != "params":
                out[f"param_groups.{i}.{key}"] = ((), "b" if isinstance(value, bool) else "iuf")
    for k, p in enumerate(opt.parameters()):
        for name in opt.state_names:
            out[f"state.{k}.{name}"] = ((), "iu") if name == "t" else (np.shape(p.data), "f")
    return out


def _check_keys(opt: Any, layout: Mapping[str, Any], keys: list[str]) -> None:
    who = type(opt).__name__
    unknown = [k for k in keys if k not in layout]
    if unknown:
        kept = ", ".join(opt.state_names) or "nothing"
        raise StateDictError(f"this state does not fit {who}: unknown entries {_some(unknown)} (a {who} over "
                             f"these parameters keeps {len(opt.param_groups)} parameter group(s) and, per "
                             f"parameter, {kept}); was it saved from another optimizer or model?")
    given = set(keys)
    missing = [k for k in layout if k.startswith("param_groups.") and k not in given]
    if missing:
        raise StateDictError(f"this state does not fit {who}: missing {_some(missing)}")
    for k in range(len(opt.parameters())):
        have = [name for name in opt.state_names if f"state.{k}.{name}" in given]
        if have and len(have) != len(opt.state_names):
            raise StateDictError(f"this state does not fit {who}: parameter {k} has {have} but a {who} "
                                 f"keeps all of {list(opt.state_names)}")


def _some(keys: list[str]) -> str:
    return ", ".join(repr(k) for k in keys[:6]) + (f" and {len(keys) - 6} more" if len(keys) > 6 else "")


def _check_shapes(layout: Mapping[str, tuple[tuple[int, ...], str]], shapes: Mapping[str, tuple],
                  kinds: Mapping[str, str]) -> None:
    differ = {k: shape for k, shape in shapes.items() if tuple(shape) != layout[k][0]}
    groups = [f"'{k}': the saved group holds {shape[0] if shape else '?'} parameter(s), this optimizer's "
              f"{layout[k][0][0]}" for k, shape in differ.items() if k.endswith(".params")]
    if groups:
        raise StateDictError("the parameter groups differ: " + "; ".join(groups))
    bad = [f"'{k}': the optimizer's parameter has shape {layout[k][0]}, the state has shape {tuple(shape)}"
           for k, shape in differ.items()]
    if bad:
        raise ShapeError("shape mismatch for " + "; ".join(bad))
    for k, kind in kinds.items():
        if kind not in layout[k][1]:
            raise StateDictError(f"state entry '{k}' holds dtype kind {kind!r}, expected one of "
                                 f"{layout[k][1]!r}")


def _settings(opt: Any, arrays: Mapping[str, np.ndarray]) -> list[dict[str, Any]]:
    """Each group's settings from the state, checked as the constructor checks them."""
    groups = []
    start = 0
    for i, group in enumerate(opt.param_groups):
        n = len(group["params"])
        if not np.array_equal(arrays[f"param_groups.{i}.params"], np.arange(start, start + n)):
            raise StateDictError(f"param_groups.{i}.params numbers the parameters differently from this "
                                 f"optimizer ({start}..{start + n - 1} in order): another grouping")
        start += n
        raw = {key: arrays[f"param_groups.{i}.{key}"] for key in group if key != "params"}
        settings = {key: bool(a) if a.dtype.kind == "b" else float(a) for key, a in raw.items()}
        groups.append(opt._check_hyper(settings, type(opt).__name__))
    return groups


def _running(opt: Any, arrays: Mapping[str, np.ndarray]) -> dict[int, dict[str, Any]]:
    """The per-parameter state in the form ``step`` keeps it: floats for a Value, arrays for a Tensor."""
    state: dict[int, dict[str, Any]] = {}
    for k, p in enumerate(opt.parameters()):
        keys = {name: f"state.{k}.{name}" for name in opt.state_names}
        entries = {name: arrays[key] for name, key in keys.items() if key in arrays}
        if not entries:
            continue
        mine: dict[str, Any] = {}
        for name, a in entries.items():
            if name == "t":
                if int(a) < 0:
                    raise StateDictError(f"state.{k}.t counts steps: it must be >= 0, got {int(a)}")
                mine[name] = int(a)
            elif isinstance(p, Value):
                mine[name] = float(a)
            else:
                mine[name] = np.array(a, dtype=p.data.dtype)
        state[id(p)] = mine
    return state


def load_state_dict(opt: Any, state: Mapping[str, Any]) -> None:
    """Check ``state`` against ``opt`` (keys, shapes, dtypes, settings), then put it in place."""
    if not isinstance(state, Mapping):
        raise TypeError(f"load_state_dict needs a mapping name -> array (a state_dict()), got "
                        f"{type(state).__name__}")
    layout = _layout(opt)
    _check_keys(opt, layout, list(state))
    arrays = {}
    for key, value in state.items():
        try:
            arrays[key] = numbers_of(value, None)
        except (TypeError, ValueError) as e:
            raise StateDictError(f"state entry '{key}' is not an array of numbers: {e}") from None
    _check_shapes(layout, {k: a.shape for k, a in arrays.items()},
                  {k: a.dtype.kind for k, a in arrays.items()})
    groups = _settings(opt, arrays)
    running = _running(opt, arrays)
    for group, settings in zip(opt.param_groups, groups):
        group.update(settings)
    opt.state = running


def save(opt: Any, path: str | os.PathLike) -> Path:
    """Write ``state_dict(opt)`` with its ``__format__`` tag and class name to ``path`` (.npz)."""
    entries = {**state_dict(opt), "__format__": np.array(FORMAT_TAG),
               "__optimizer__": np.array(type(opt).__name__)}
    atomic_write(path, lambda f: write_npz(f, entries))
    return Path(path)


def load(opt: Any, path: str | os.PathLike) -> None:
    """Read ``path`` (written by ``save``) into ``opt``: the tag, the class and every entry's shape
    are checked from the headers before any data is read; on any error ``opt`` is unchanged."""
    path = Path(path)
    who = type(opt).__name__
    with open_npz(path, "optimizer file") as reader:
        check_format(reader, path, FORMAT_NAME, FORMAT_VERSION)
        saved = text_entry(reader, "__optimizer__", path, _MAX_NAME_BYTES)
        if saved != who:
            raise ModelFileError(f"{str(path)!r} holds the state of {saved or 'an unnamed optimizer'}, "
                                 f"not of {who}: load it into the kind of optimizer it was saved from")
        members = state_members(reader, path)
        layout = _layout(opt)
        try:
            _check_keys(opt, layout, list(members))
            _check_shapes(layout, {k: m.shape for k, m in members.items()},
                          {k: m.dtype.kind for k, m in members.items()})
            load_state_dict(opt, {k: read_entry(reader, k, path) for k in members})
        except (StateDictError, ShapeError) as e:
            raise type(e)(f"{str(path)!r} does not fit this {who}: {e}") from None


def schedule_state(state: Mapping[str, Any], n_groups: int, who: str) -> tuple[int, list[float]]:
    """(epoch, base_lrs) from a schedule's ``state_dict()``, checked: epoch an int >= 0, one base
    rate >= 0 per parameter group."""
    if not isinstance(state, Mapping) or set(state) != {"epoch", "base_lrs"}:
        raise StateDictError(f"{who}.load_state_dict needs the mapping its state_dict() gives: "
                             "{'epoch': ..., 'base_lrs': ...}")
    epoch = numbers_of(state["epoch"], None)
    rates = numbers_of(state["base_lrs"], np.float64)
    if epoch.shape != () or not isinstance(epoch.item(), numbers.Integral) or epoch.item() < 0:
        raise StateDictError(f"{who}: 'epoch' must be an int >= 0, got {state['epoch']!r:.40}")
    if rates.shape != (n_groups,) or not (np.isfinite(rates).all() and (rates >= 0).all()):
        raise StateDictError(f"{who}: 'base_lrs' must hold {n_groups} finite rates >= 0, one per parameter "
                             f"group, got {state['base_lrs']!r:.60}")
    return int(epoch.item()), [float(r) for r in rates]
