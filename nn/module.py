"""Module: the container every network is built from, with parameters, buffers and a file format.

A module finds its parts by looking at its own attributes, in the order they were first
assigned (``vars(self)``), exactly as a student reads the ``__init__``:

  * a **parameter** is a ``Value`` (scalar models) or a leaf float ``Tensor`` (trainable when
    ``requires_grad=True``, frozen otherwise — still saved and loaded);
  * a **submodule** is a ``Module``;
  * a list or tuple of those (nested lists too) is walked item by item, named ``name.0``, ``name.1``…;
  * attributes whose name starts with ``_`` are private and never walked;
  * a **buffer** is state that is saved but not trained (BatchNorm's running statistics):
    ``self.register_buffer("running_mean", np.zeros(n))``; read and assign it as ``self.running_mean``.

So the scalar MLP's parameters are named like ``layers.0.neurons.3.w.1`` (layer 0, neuron 3,
weight 1). A parameter reached twice (shared) is listed once, under the first name.

Files: ``model.save(path)`` writes a ``.npz`` (one array per parameter and buffer, a Value as a 0-d
array, plus ``__format__`` = "autodiff-nn-1" and ``__model__`` = the model's repr), written to a
temporary file first and then renamed, so a crash never leaves half a model behind. Reading it
back — ``model.load(path)``, or ``nn.load(path, model)``; ``nn.load(path)`` alone returns the state
dict — uses ``allow_pickle=False``: a model file is data, never code. Every key and shape is
checked before anything is assigned, so on any error the model is left exactly as it was.
"""

from __future__ import annotations

import errno
import os
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from autodiff import Value
from autodiff.errors import AutodiffError, ShapeError

try:
    from autodiff import Tensor
except ImportError:  # the scalar half of the library works without the Tensor node
    Tensor = None

FORMAT_NAME = "autodiff-nn"
FORMAT_VERSION = 1
FORMAT_TAG = f"{FORMAT_NAME}-{FORMAT_VERSION}"
"""The ``__format__`` entry of every model file we write."""

__all__ = ["Module", "save", "load", "ModelFileError", "StateDictError", "IncompatibleKeys",
           "FORMAT_TAG"]


class ModelFileError(AutodiffError, ValueError):
    """A model file cannot be used: corrupt, truncated, foreign (not written by ``save``) or too new."""


class StateDictError(AutodiffError, ValueError):
    """A state dict does not fit the model: missing or unexpected keys, or non-numeric values."""


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(strict=False)`` skipped (both empty after a strict load)."""

    missing_keys: list[str]
    unexpected_keys: list[str]


def _is_parameter(obj: Any) -> bool:
    if isinstance(obj, Value):
        return True
    # a leaf float Tensor, frozen or not: freezing (requires_grad=False) must not drop it from
    # state_dict and the saved file; optimizers skip parameters whose grad is None
    return (Tensor is not None and isinstance(obj, Tensor) and not obj.parents
            and obj.dtype.kind == "f")


def _members(obj: Any, name: str) -> Iterator[tuple[str, str, Any]]:
    """(kind, name, obj) for the parameters and modules in one attribute, lists walked."""
    if isinstance(obj, Module):
        yield "module", name, obj
    elif _is_parameter(obj):
        yield "param", name, obj
    elif isinstance(obj, (list, tuple)):
        for i, item in enumerate(obj):
            yield from _members(item, f"{name}.{i}")


def _as_buffer(name: str, value: Any):
    if value is None or isinstance(value, np.ndarray):
        return value
    if Tensor is not None and isinstance(value, Tensor):
        return value
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"buffer '{name}' must hold numbers (an ndarray, a number or a Tensor), "
                        f"got {type(value).__name__} {value!r:.60}")
    return arr


def _buffer_array(buf) -> np.ndarray:
    return buf.data if Tensor is not None and isinstance(buf, Tensor) else buf


class Module:
    """Base class of every model: ``parameters()``, ``zero_grad()``, ``train()``/``eval()``,
    ``state_dict()``/``load_state_dict()``, ``save()``/``load()`` and a readable repr.

    Subclasses assign parameters and submodules as attributes and define ``forward``; calling the
    module calls ``forward``. ``super().__init__()`` is optional (nothing breaks without it).

    >>> from autodiff import Value
    >>> class Line(Module):
    ...     def __init__(self):
    ...         self.w = Value(2.0); self.b = Value(1.0)
    ...     def forward(self, x):
    ...         return self.w * x + self.b
    >>> m = Line(); [name for name, _ in m.named_parameters()]
    ['w', 'b']
    >>> m(3.0).data
    7.0
    """

    training: bool = True
    """True in training mode (Dropout drops, BatchNorm uses batch statistics); see ``eval()``."""

    def __init__(self) -> None:
        pass

    # --- calling ---------------------------------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward(...) to be called")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # --- buffers: attribute access ----------------------------------------------------------------
    def register_buffer(self, name: str, value: Any) -> None:
        """Keep ``value`` (an ndarray, a number, a Tensor or None) as saved, untrained state.

        Read and assign it as ``self.<name>``; it is listed by ``named_buffers()`` and saved in
        ``state_dict()`` (None is not saved)."""
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("__"):
            raise ValueError(f"a buffer name must be a Python identifier not starting with '__', got {name!r}")
        if name in vars(self):
            raise ValueError(f"cannot register buffer '{name}': {type(self).__name__} already has an "
                             "attribute of that name")
        self.__dict__.setdefault("_buffers", {})[name] = _as_buffer(name, value)

    def __getattr__(self, name: str) -> Any:
        # called only when normal lookup fails: that is how buffers are read
        buffers = self.__dict__.get("_buffers")
        if buffers is not None and name in buffers:
            return buffers[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name: str, value: Any) -> None:
        buffers = self.__dict__.get("_buffers")
        if buffers is not None and name in buffers:
            buffers[name] = _as_buffer(name, value)
        else:
            object.__setattr__(self, name, value)

    # --- walking the tree -------------------------------------------------------------------------
    def _direct(self) -> Iterator[tuple[str, str, Any]]:
        for attr, obj in vars(self).items():
            if not attr.startswith("_"):
                yield from _members(obj, attr)

    def named_children(self) -> list[tuple[str, Module]]:
        """The direct submodules, as (name, module), in attribute order."""
        return [(name, obj) for kind, name, obj in self._direct() if kind == "module"]

    def children(self) -> list[Module]:
        return [m for _, m in self.named_children()]

    def named_modules(self, prefix: str = "") -> list[tuple[str, Module]]:
        """Every module in the tree, this one first (named ``prefix``, "" by default), each once."""
        out: list[tuple[str, Module]] = []
        seen: set[int] = set()

        def visit(module: Module, name: str) -> None:
            if id(module) in seen:
                return
            seen.add(id(module))
            out.append((name, module))
            for child_name, child in module.named_children():
                visit(child, f"{name}.{child_name}" if name else child_name)

        visit(self, prefix)
        return out

    def modules(self) -> list[Module]:
        return [m for _, m in self.named_modules()]

    def named_parameters(self) -> list[tuple[str, Any]]:
        """Every parameter (Value, or leaf float Tensor) as (dotted name, parameter), each once.

        In attribute order, depth first: a submodule's parameters come where it was assigned."""
        out: list[tuple[str, Any]] = []
        seen: set[int] = set()

        def visit(module: Module, prefix: str) -> None:
            seen.add(id(module))
            for kind, name, obj in module._direct():
                full = f"{prefix}.{name}" if prefix else name
                if id(obj) in seen:
                    continue
                if kind == "param":
                    seen.add(id(obj))
                    out.append((full, obj))
                else:
                    visit(obj, full)

        visit(self, "")
        return out

    def parameters(self) -> list[Any]:
        """Every parameter, in the order of ``named_parameters()``."""
        return [p for _, p in self.named_parameters()]

    def named_buffers(self) -> list[tuple[str, Any]]:
        """Every buffer that is not None, as (dotted name, array or Tensor)."""
        out = []
        for prefix, module in self.named_modules():
            for name, buf in module.__dict__.get("_buffers", {}).items():
                if buf is not None:
                    out.append((f"{prefix}.{name}" if prefix else name, buf))
        return out

    def buffers(self) -> list[Any]:
        return [b for _, b in self.named_buffers()]

    def num_parameters(self) -> int:
        """How many numbers training adjusts: a Value counts 1, a Tensor its size."""
        return sum(1 if isinstance(p, Value) else int(p.data.size) for p in self.parameters())

    # --- training helpers -------------------------------------------------------------------------
    def zero_grad(self) -> None:
        """Clear every parameter's gradient (a Value's to 0.0, a Tensor's to None) before a backward.

        Gradients accumulate across ``backward()`` calls, so a training step starts here."""
        for p in self.parameters():
            p.grad = 0.0 if isinstance(p, Value) else None

    def train(self, mode: bool = True) -> Module:
        """Set training mode on this module and every submodule; returns self."""
        for _, module in self.named_modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Evaluation mode (``train(False)``): Dropout passes through, BatchNorm uses running stats."""
        return self.train(False)

    # --- state --------------------------------------------------------------------------------------
    def _slots(self) -> dict[str, tuple[tuple[int, ...], Any]]:
        """name -> (shape, setter) for every saved entry: parameters first, then buffers."""
        slots: dict[str, tuple[tuple[int, ...], Any]] = {}
        for name, p in self.named_parameters():
            if isinstance(p, Value):
                slots[name] = ((), lambda arr, p=p: setattr(p, "data", float(arr)))
            else:
                slots[name] = (p.data.shape,
                               lambda arr, p=p: setattr(p, "data", np.array(arr, dtype=p.data.dtype)))
        for prefix, module in self.named_modules():
            buffers = module.__dict__.get("_buffers", {})
            for key, buf in buffers.items():
                if buf is None:
                    continue
                name = f"{prefix}.{key}" if prefix else key
                if Tensor is not None and isinstance(buf, Tensor):
                    setter = lambda arr, b=buf: setattr(b, "data", np.array(arr, dtype=b.data.dtype))
                else:
                    setter = lambda arr, d=buffers, k=key, b=buf: d.__setitem__(k, np.array(arr, dtype=b.dtype))
                slots[name] = (_buffer_array(buf).shape, setter)
        return slots

    def state_dict(self) -> dict[str, np.ndarray]:
        """name -> a copy of the numbers, for every parameter then every buffer.

        A Value becomes a 0-d float64 array, so a round trip is exact to the last bit."""
        state = {}
        for name, p in self.named_parameters():
            state[name] = np.array(p.data, dtype=np.float64) if isinstance(p, Value) else p.data.copy()
        for name, buf in self.named_buffers():
            state[name] = np.array(_buffer_array(buf), copy=True)
        return state

    def load_state_dict(self, state: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy ``state``'s numbers into the parameters and buffers, after checking all of it.

        Every key must name a parameter or buffer and every shape must match (with ``strict=False``
        missing and unexpected keys are skipped and reported instead). Raises ``StateDictError``
        (keys, non-numeric values) or ``ShapeError`` (naming the key and both shapes) before
        assigning anything, so a failed load leaves the model untouched."""
        if not isinstance(state, Mapping):
            raise TypeError(f"load_state_dict needs a mapping name -> array, got {type(state).__name__}")
        slots = self._slots()
        missing = [k for k in slots if k not in state]
        unexpected = [k for k in state if k not in slots]
        if strict and (missing or unexpected):
            parts = []
            if missing:
                parts.append(f"missing keys (in the model, not in the state): {_names(missing)}")
            if unexpected:
                parts.append(f"unexpected keys (in the state, not in the model): {_names(unexpected)}")
            raise StateDictError(f"state dict does not fit {type(self).__name__}: " + "; ".join(parts))
        arrays, bad_shapes = {}, []
        for name, (shape, _) in slots.items():
            if name not in state:
                continue
            value = state[name]
            if Tensor is not None and isinstance(value, Tensor):
                value = value.data
            arr = np.asarray(value)
            if arr.dtype.kind not in "biuf":
                raise StateDictError(f"state entry '{name}' must hold numbers, got dtype {arr.dtype}")
            if arr.shape != shape:
                bad_shapes.append(f"'{name}': the model has shape {shape}, the state has shape {arr.shape}")
            arrays[name] = arr
        if bad_shapes:
            raise ShapeError("shape mismatch for " + "; ".join(bad_shapes))
        for name, arr in arrays.items():
            slots[name][1](arr)
        return IncompatibleKeys(missing, unexpected)

    # --- files ----------------------------------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> Path:
        """Write the state dict to ``path`` (a .npz, written exactly there); returns the path."""
        return save(self, path)

    def load(self, path: str | os.PathLike, strict: bool = True) -> Module:
        """Load parameters and buffers saved by ``save``; returns self. See ``nn.load``."""
        return load(path, self, strict=strict)

    # --- printing -------------------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """What goes inside the parentheses of this module's repr (override it, e.g. "2 → 4")."""
        return ""

    def __repr__(self) -> str:
        name, extra = type(self).__name__, self.extra_repr()
        children = self.named_children()
        if not children:
            return f"{name}({extra})"
        lines = [f"{name}("]
        if extra:
            lines.append("  " + extra.replace("\n", "\n  "))
        for child_name, child in children:
            lines.append(f"  ({child_name}): " + repr(child).replace("\n", "\n  "))
        lines.append(")")
        return "\n".join(lines)


def _names(keys: list[str], limit: int = 8) -> str:
    shown = ", ".join(repr(k) for k in keys[:limit])
    return shown + (f" and {len(keys) - limit} more" if len(keys) > limit else "")


# --- the file format -------------------------------------------------------------------------------------
def save(obj: Module | Mapping[str, Any], path: str | os.PathLike) -> Path:
    """Write a model's (or a state dict's) arrays to ``path`` as an .npz; returns the path.

    Entries: one ``<name>.npy`` per parameter/buffer, ``__format__`` ("autodiff-nn-1") and, for a
    model, ``__model__`` (its repr, shown when a later load does not fit). No pickles: every entry
    is a plain numeric or text array. The file is written next to ``path`` and renamed into place."""
    state = obj.state_dict() if isinstance(obj, Module) else dict(obj)
    entries: dict[str, np.ndarray] = {}
    for key, value in state.items():
        if not isinstance(key, str) or key.startswith("__"):
            raise StateDictError(f"cannot save key {key!r}: keys are strings not starting with '__'")
        arr = np.asarray(value.data if Tensor is not None and isinstance(value, Tensor) else value)
        if arr.dtype.kind not in "biuf":
            raise StateDictError(f"cannot save '{key}': it must hold numbers, got dtype {arr.dtype}")
        entries[key] = arr
    entries["__format__"] = np.array(FORMAT_TAG)
    if isinstance(obj, Module):
        entries["__model__"] = np.array(repr(obj))
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
            for key, arr in entries.items():
                with zf.open(key + ".npy", "w", force_zip64=True) as member:
                    np.lib.format.write_array(member, arr, allow_pickle=False)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def _read(path: Path) -> dict[str, np.ndarray]:
    if not path.exists():
        raise FileNotFoundError(errno.ENOENT, f"no model file at {str(path)!r}", str(path))
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, f"{str(path)!r} is a directory, not a model file", str(path))
    try:
        contents = np.load(path, allow_pickle=False)
        if not isinstance(contents, np.lib.npyio.NpzFile):
            raise ModelFileError(f"{str(path)!r} holds a single array (.npy), not a model (.npz)")
        with contents:  # members are read lazily: read them all here, where errors are caught
            return {name: contents[name] for name in contents.files}
    except ModelFileError:
        raise
    except Exception as e:  # zipfile.BadZipFile, EOFError, ValueError (pickle refused), zlib.error...
        raise ModelFileError(f"cannot read {str(path)!r} as a model file: it is not a complete .npz "
                             f"archive (truncated, corrupt or another kind of file): "
                             f"{type(e).__name__}: {e}") from e


def _read_model_file(path: Path) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """(state, metadata) of a file written by ``save``, or a clear ModelFileError."""
    contents = _read(path)
    tag = contents.get("__format__")
    if tag is None:
        found = _names(sorted(contents), limit=6) or "nothing"
        raise ModelFileError(f"{str(path)!r} is not an autodiff-nn model file: it has no '__format__' "
                             f"entry (it holds {found}). Write model files with model.save(path).")
    tag = str(tag) if tag.dtype.kind == "U" and tag.ndim == 0 else repr(tag)
    name, _, version = tag.rpartition("-")
    if name != FORMAT_NAME or not version.isdigit():
        raise ModelFileError(f"{str(path)!r} is not an autodiff-nn model file: its '__format__' is "
                             f"{tag!r}, expected {FORMAT_TAG!r}")
    if int(version) > FORMAT_VERSION:
        raise ModelFileError(f"{str(path)!r} was written in format {tag!r}, newer than this library "
                             f"reads ({FORMAT_TAG!r}): upgrade autodiff-nn to load it")
    state = {k: v for k, v in contents.items() if not k.startswith("__")}
    meta = {k: v for k, v in contents.items() if k.startswith("__")}
    return state, meta


def load(path: str | os.PathLike, model: Module | None = None, strict: bool = True):
    """Read a model file written by ``save``.

    ``nn.load(path)`` returns its state dict (name -> ndarray); ``nn.load(path, model)`` (or
    ``model.load(path)``) loads it into ``model`` and returns the model.

    Errors, each leaving ``model`` untouched: FileNotFoundError (naming the path); ModelFileError
    (a ValueError) for a truncated, corrupt or foreign file; StateDictError / ShapeError when the
    file's keys or shapes do not fit the model (naming the keys and both shapes)."""
    path = Path(path)
    state, meta = _read_model_file(path)
    if model is None:
        return state
    if not isinstance(model, Module):
        raise TypeError(f"nn.load(path, model) needs a Module to load into, got {type(model).__name__}")
    try:
        model.load_state_dict(state, strict=strict)
    except (StateDictError, ShapeError) as e:
        saved = meta.get("__model__")
        origin = f" (the file was saved from {str(saved)})" if saved is not None else ""
        raise type(e)(f"{str(path)!r} does not fit {type(model).__name__}{origin}: {e}") from None
    return model
