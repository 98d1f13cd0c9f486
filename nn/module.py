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
uniquely named temporary file, fsync'ed and atomically renamed into place, so neither a crash nor
a concurrent save ever leaves half a model behind (a symlink is written through). Reading it back
— ``model.load(path)``, or ``nn.load(path, model)``; ``nn.load(path)`` alone returns the state dict
— never unpickles: a model file is data, never code. Every key, shape and dtype is checked from
the .npy headers before any array data is read, and before anything is assigned, so a crafted
file cannot exhaust memory and on any error the model is left exactly as it was.
"""

from __future__ import annotations

import errno
import numbers
import os
import zipfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from autodiff import Tensor, Value
from autodiff.errors import AutodiffError, ShapeError

from .checks import numbers_of
from .files import BadArchive, NpzMember, NpzReader, atomic_write
from .hints import missing_from_module

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
    # a leaf node holding floats (a Value; a float Tensor's array), trainable or frozen: freezing
    # (requires_grad=False) must not drop it from state_dict and the saved file. A Value stays one
    # after a micrograd-style ``p.data = 0`` (an int): it is saved and loaded as a float.
    if isinstance(obj, Value):
        return not obj.parents
    return isinstance(obj, Tensor) and not obj.parents and obj.data.dtype.kind == "f"


def _numbers(p: Any) -> np.ndarray:
    """A parameter's numbers as a new C-ordered array: a Value's as a 0-d float64."""
    return np.array(float(p.data)) if isinstance(p, Value) else np.array(p.data, order="C")


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
    if value is None or isinstance(value, (np.ndarray, Tensor)):
        return value
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"buffer '{name}' must hold numbers (an ndarray, a number or a Tensor), "
                        f"got {type(value).__name__} {value!r:.60}")
    return arr


def _set_data(node: Any, arr: np.ndarray) -> None:
    """node.data = arr's numbers in the form the node keeps: a Tensor an array of its own dtype, a
    Value a Python float (its arithmetic's fast paths take exactly float)."""
    node.data = np.array(arr, dtype=node.data.dtype) if isinstance(node.data, np.ndarray) else float(arr)


def zero_grad(params: Any, set_to_none: bool = True) -> None:
    """Clear each parameter's gradient (``p.zero_grad()``); with ``set_to_none=False`` a Tensor
    gets an array of zeros instead (still ``has_grad``: a step still applies momentum and weight
    decay to it), as PyTorch's option."""
    if not isinstance(set_to_none, (bool, np.bool_)):
        raise TypeError(f"set_to_none must be True or False, got {set_to_none!r:.40}")
    for p in params:
        p.zero_grad()
        if not set_to_none and isinstance(p, Tensor):
            p.grad = np.zeros_like(p.data)


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
        raise AttributeError(missing_from_module(self, name))

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
        return sum(int(np.size(p.data)) for p in self.parameters())

    # --- training helpers -------------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's gradient (a Value's to 0.0, a Tensor's to None) before a backward;
        ``set_to_none=False`` (PyTorch's option) gives a Tensor zeros instead.

        Gradients accumulate across ``backward()`` calls, so a training step starts here."""
        zero_grad(self.parameters(), set_to_none)

    def train(self, mode: bool = True) -> Module:
        """Set training mode on this module and every submodule; returns self."""
        for _, module in self.named_modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Evaluation mode (``train(False)``): Dropout passes through, BatchNorm uses running stats."""
        return self.train(False)

    # --- state --------------------------------------------------------------------------------------
    def _slots(self) -> dict[str, _Slot]:
        """name -> (shape, dtype, setter) for every saved entry: parameters first, then buffers."""
        slots: dict[str, _Slot] = {}
        for name, p in self.named_parameters():
            arr = _numbers(p)
            slots[name] = _Slot(arr.shape, arr.dtype, lambda arr, p=p: _set_data(p, arr))
        for prefix, module in self.named_modules():
            buffers = module.__dict__.get("_buffers", {})
            for key, buf in buffers.items():
                if buf is None:
                    continue
                name = f"{prefix}.{key}" if prefix else key
                if isinstance(buf, Tensor):
                    setter = lambda arr, b=buf: _set_data(b, arr)
                else:  # a plain array: the module's attribute gets a new one
                    setter = lambda arr, d=buffers, k=key, b=buf: d.__setitem__(k, np.array(arr, dtype=b.dtype))
                arr = numbers_of(buf, None)
                slots[name] = _Slot(arr.shape, arr.dtype, setter)
        return slots

    def state_dict(self) -> dict[str, np.ndarray]:
        """name -> a copy of the numbers, for every parameter then every buffer.

        A Value becomes a 0-d float64 array, so a round trip is exact to the last bit."""
        state = {}
        for name, p in self.named_parameters():
            state[name] = _numbers(p)  # a copy; a Value's float becomes a 0-d float64
        for name, buf in self.named_buffers():
            state[name] = np.array(numbers_of(buf, None), copy=True)
        return state

    def load_state_dict(self, state: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy ``state``'s numbers into the parameters and buffers, after checking all of it.

        Every key must name a parameter or buffer and every shape must match (with ``strict=False``
        missing and unexpected keys are skipped and reported instead); an integer buffer takes
        only whole numbers that fit its dtype. Raises ``StateDictError`` (keys, non-numeric or
        lossy values) or ``ShapeError`` (naming the key and both shapes) before assigning
        anything, so a failed load leaves the model untouched."""
        if not isinstance(state, Mapping):
            raise TypeError(f"load_state_dict needs a mapping name -> array, got {type(state).__name__}")
        slots = self._slots()
        keys = _check_keys(type(self).__name__, slots, list(state), strict)
        arrays = {name: _state_array(name, state[name], slot.dtype)
                  for name, slot in slots.items() if name in state}
        _check_shapes(slots, {name: arr.shape for name, arr in arrays.items()})
        for name, arr in arrays.items():
            slots[name].set(arr)
        return keys

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


class _Slot(NamedTuple):
    """Where one saved entry goes: its shape and dtype in the model, and how to assign it."""

    shape: tuple[int, ...]
    dtype: np.dtype
    set: Callable[[np.ndarray], None]


def _check_keys(model: str, slots: Mapping[str, _Slot], keys: list[str], strict: bool) -> IncompatibleKeys:
    """The missing and unexpected keys; with ``strict`` any of them is a StateDictError."""
    given = set(keys)
    missing = [k for k in slots if k not in given]
    unexpected = [k for k in keys if k not in slots]
    if strict and (missing or unexpected):
        parts = []
        if missing:
            parts.append(f"missing keys (in the model, not in the state): {_names(missing)}")
        if unexpected:
            parts.append(f"unexpected keys (in the state, not in the model): {_names(unexpected)}")
        raise StateDictError(f"state dict does not fit {model}: " + "; ".join(parts))
    return IncompatibleKeys(missing, unexpected)


def _check_shapes(slots: Mapping[str, _Slot], shapes: Mapping[str, tuple[int, ...]]) -> None:
    """A ShapeError naming every entry whose shape differs from the model's."""
    bad = [f"'{name}': the model has shape {slots[name].shape}, the state has shape {shape}"
           for name, shape in shapes.items() if tuple(shape) != slots[name].shape]
    if bad:
        raise ShapeError("shape mismatch for " + "; ".join(bad))


def _state_array(name: str, value: Any, dtype: np.dtype) -> np.ndarray:
    """A state entry as a numeric array that converts to ``dtype`` without losing anything
    (checked for integer and boolean slots; floats are rounded to the slot's precision, as usual)."""
    try:
        arr = numbers_of(value, None)
    except (TypeError, ValueError) as e:
        raise StateDictError(f"state entry '{name}' is not an array of numbers: {e}") from None
    if arr.dtype.kind not in "biuf":
        raise StateDictError(f"state entry '{name}' must hold numbers, got dtype {arr.dtype}")
    if dtype.kind in "biu" and arr.dtype != dtype:
        with np.errstate(invalid="ignore", over="ignore"):
            exact = np.array_equal(arr.astype(dtype), arr) and np.isfinite(arr).all()
        if not exact:
            raise StateDictError(f"state entry '{name}' goes into a {dtype} buffer, but holds values that "
                                 f"{dtype} cannot hold exactly (not whole numbers or out of range)")
    return arr


# --- the file format -------------------------------------------------------------------------------------
MAX_LOAD_BYTES = 2**30
"""The most bytes of array data ``nn.load(path)`` reads without a model to bound it (1 GiB)."""

_MAX_TAG_BYTES = 1024  # a '__format__' tag is a few characters
_MAX_REPR_BYTES = 2**20  # a longer '__model__' is not read: it is only ever shown in error messages


def _entries(obj: Module | Mapping[str, Any]) -> dict[str, np.ndarray]:
    """The arrays a file holds for ``obj``: its state, then ``__format__`` and ``__model__``."""
    if isinstance(obj, Module):
        state = obj.state_dict()
    elif isinstance(obj, Mapping):
        state = dict(obj)
    else:
        raise TypeError(f"save needs a Module or a state dict (a mapping name -> array), got {type(obj).__name__}")
    entries: dict[str, np.ndarray] = {}
    for key, value in state.items():
        if not isinstance(key, str) or key.startswith("__"):
            raise StateDictError(f"cannot save key {key!r}: keys are strings not starting with '__'")
        arr = numbers_of(value, None)
        if arr.dtype.kind not in "biuf":
            raise StateDictError(f"cannot save '{key}': it must hold numbers, got dtype {arr.dtype}")
        entries[key] = arr
    entries["__format__"] = np.array(FORMAT_TAG)
    if isinstance(obj, Module):
        entries["__model__"] = np.array(repr(obj))
    return entries


def write_npz(f: Any, entries: Mapping[str, np.ndarray]) -> None:
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for key, arr in entries.items():
            with zf.open(key + ".npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, arr, allow_pickle=False)


def save(obj: Module | Mapping[str, Any], path: str | os.PathLike) -> Path:
    """Write a model's (or a state dict's) arrays to ``path`` as an .npz; returns the path.

    Entries: one ``<name>.npy`` per parameter/buffer, ``__format__`` ("autodiff-nn-1") and, for a
    model, ``__model__`` (its repr, shown when a later load does not fit). No pickles: every entry
    is a plain numeric or text array.

    The write is atomic (``nn.files.atomic_write``): a uniquely named temporary file next to the
    target, fsync'ed, then renamed over it. So a crash, a full disk or another thread or process
    saving to the same path never leaves half a model: the path always holds a whole file, the
    old one or a new one (of concurrent saves, the last rename wins). A symlink at ``path`` is
    written through: the file it points to gets the new model and the link stays a link."""
    entries = _entries(obj)
    atomic_write(path, lambda f: write_npz(f, entries))
    return Path(path)


def open_npz(path: Path, what: str = "model file") -> NpzReader:
    """The file's .npz headers, or FileNotFoundError / IsADirectoryError / ModelFileError, each
    naming the path and ``what`` was expected there."""
    if not path.exists():
        raise FileNotFoundError(errno.ENOENT, f"no {what} at {str(path)!r}", str(path))
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, f"{str(path)!r} is a directory, not a {what}", str(path))
    with open(path, "rb") as f:
        if f.read(6) == b"\x93NUMPY":
            raise ModelFileError(f"{str(path)!r} holds a single array (.npy), not a {what} (.npz)")
    try:
        return NpzReader(path)
    except BadArchive as e:
        raise ModelFileError(f"{str(path)!r} is not a {what}: {e}") from None
    except MemoryError:
        raise
    except Exception as e:  # zipfile.BadZipFile, EOFError, NotImplementedError (compression), ...
        raise ModelFileError(f"cannot read {str(path)!r} as a {what}: it is not a complete .npz "
                             f"archive (truncated, corrupt or another kind of file): "
                             f"{type(e).__name__}: {e}") from e


def read_entry(reader: NpzReader, name: str, path: Path) -> np.ndarray:
    try:
        return reader.read(name)
    except MemoryError:
        raise
    except Exception as e:  # zipfile.BadZipFile (CRC), zlib.error, EOFError, BadArchive
        raise ModelFileError(f"cannot read {str(path)!r}: its entry {name!r} is corrupt or truncated: "
                             f"{type(e).__name__}: {e}") from e


FILE_KINDS = {FORMAT_NAME: ("model", "a model", "model.load(path)", "model.save(path)")}
"""Format name -> (kind of file, what it holds, how to load it, how to write it); nn.optim_state
adds the optimizer's."""


def text_entry(reader: NpzReader, name: str, path: Path, max_bytes: int) -> str | None:
    """The text scalar ``name`` of the file, or None when it is absent, not a text scalar, or longer
    than ``max_bytes`` (judged from its header before anything is read)."""
    m = reader.members.get(name)
    if m is None or m.dtype.kind != "U" or m.shape != () or m.nbytes > max_bytes:
        return None
    return str(read_entry(reader, name, path))


def check_format(reader: NpzReader, path: Path, format_name: str, version: int) -> None:
    """Check the ``__format__`` tag is ``{format_name}-{n}`` with n ≤ version; the error says what
    the file holds instead (another kind of autodiff-nn file: how to load it)."""
    kind, _, _, how_to_write = FILE_KINDS[format_name]
    expected = f"{format_name}-{version}"
    tag = reader.members.get("__format__")
    if tag is None:
        found = _names(sorted(reader.members), limit=6) or "nothing"
        raise ModelFileError(f"{str(path)!r} is not an autodiff-nn {kind} file: it has no '__format__' "
                             f"entry (it holds {found}). Write {kind} files with {how_to_write}.")
    text = text_entry(reader, "__format__", path, _MAX_TAG_BYTES)
    if text is None:
        raise ModelFileError(f"{str(path)!r} is not an autodiff-nn {kind} file: its '__format__' entry is "
                             f"not a text tag but an array of shape {tag.shape} and dtype {tag.dtype}, "
                             f"expected {expected!r}")
    name, _, saved_version = text.rpartition("-")
    if name != format_name or not saved_version.isdigit():
        other = FILE_KINDS.get(name)
        holds = f": it holds {other[1]}, load it with {other[2]}" if other else ""
        raise ModelFileError(f"{str(path)!r} is not an autodiff-nn {kind} file: its '__format__' is "
                             f"{text!r}, expected {expected!r}{holds}")
    if int(saved_version) > version:
        raise ModelFileError(f"{str(path)!r} was written in format {text!r}, newer than this library "
                             f"reads ({expected!r}): upgrade autodiff-nn to load it")


def _check_format(reader: NpzReader, path: Path) -> str | None:
    """Check the model file's ``__format__`` tag; returns the saved model's repr (``__model__``)
    if there is one."""
    check_format(reader, path, FORMAT_NAME, FORMAT_VERSION)
    return text_entry(reader, "__model__", path, _MAX_REPR_BYTES)


def state_members(reader: NpzReader, path: Path) -> dict[str, NpzMember]:
    """The file's state entries (every name not starting with '__'), each checked to hold numbers."""
    members = {name: m for name, m in reader.members.items() if not name.startswith("__")}
    for name, m in members.items():
        if m.dtype.kind not in "biuf":
            raise ModelFileError(f"{str(path)!r} is not a model file: its entry {name!r} holds {m.dtype}, "
                                 "not numbers")
    return members


def _check_size(members: Mapping[str, NpzMember], max_bytes: int | None, path: Path) -> None:
    if max_bytes is not None and not (isinstance(max_bytes, numbers.Integral) and max_bytes >= 0
                                      and not isinstance(max_bytes, bool)):
        raise ValueError(f"max_bytes must be an int >= 0 or None (no bound), got {max_bytes!r}")
    total = sum(m.nbytes for m in members.values())
    if max_bytes is not None and total > max_bytes:
        raise ModelFileError(f"{str(path)!r} declares {total:,} bytes of arrays, more than max_bytes="
                             f"{max_bytes:,}: load it into a model (whose shapes bound what is read), or "
                             "pass a larger max_bytes if you trust the file")


def load(path: str | os.PathLike, model: Module | None = None, strict: bool = True, *,
         max_bytes: int | None = MAX_LOAD_BYTES):
    """Read a model file written by ``save``.

    ``nn.load(path)`` returns its state dict (name -> ndarray); ``nn.load(path, model)`` (or
    ``model.load(path)``) loads it into ``model`` and returns the model.

    Nothing is read before it is checked: the file's keys and each entry's declared shape and
    dtype (from the .npy headers alone) must fit the model — or, without a model, the arrays
    together must declare at most ``max_bytes`` bytes (1 GiB by default; None for no bound) —
    so a small crafted file cannot make the load allocate gigabytes.

    Errors, each leaving ``model`` untouched: FileNotFoundError (naming the path); ModelFileError
    (a ValueError) for a truncated, corrupt, foreign or oversized file; StateDictError /
    ShapeError when the file's keys or shapes do not fit the model (naming the keys and both
    shapes, and the model the file was saved from)."""
    path = Path(path)
    if model is not None and not isinstance(model, Module):
        raise TypeError(f"nn.load(path, model) needs a Module to load into, got {type(model).__name__}")
    with open_npz(path) as reader:
        saved = _check_format(reader, path)
        members = state_members(reader, path)
        if model is None:
            _check_size(members, max_bytes, path)
            return {name: read_entry(reader, name, path) for name in members}
        try:
            slots = model._slots()
            _check_keys(type(model).__name__, slots, list(members), strict)
            _check_shapes(slots, {name: members[name].shape for name in slots if name in members})
            model.load_state_dict({name: read_entry(reader, name, path) for name in slots if name in members},
                                  strict=False)
        except (StateDictError, ShapeError) as e:
            origin = f" (the file was saved from {saved})" if saved is not None else ""
            raise type(e)(f"{str(path)!r} does not fit {type(model).__name__}{origin}: {e}") from None
    return model
