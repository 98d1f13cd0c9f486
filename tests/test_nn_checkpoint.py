"""Model files under stress: concurrent writers, symlinks, failed saves and hostile files.

A checkpoint must never be lost: at every moment the path holds a complete model file (the old one
or a new one), whatever else writes to it; and loading a hostile file is refused before its data
is read."""

import contextlib
import io
import multiprocessing
import os
import sys
import threading
import tracemalloc
import zipfile

import numpy as np
import pytest

import nn
from autodiff import ShapeError
from nn import ModelFileError, Module

try:
    from autodiff import Tensor
except ImportError:  # the Tensor node lands separately
    Tensor = None

needs_tensor = pytest.mark.skipif(Tensor is None, reason="autodiff.Tensor not available yet")


class Weights(Module):
    """One weight Tensor whose every entry is ``fill``: a file is recognised by its fill value."""

    def __init__(self, fill: float, n: int = 20_000):
        self.w = Tensor(np.full(n, float(fill)), requires_grad=True)


def _fill_of(path) -> float:
    """The fill value of the Weights model at ``path``; fails if the file is not a whole model."""
    w = nn.load(path, Weights(-1.0)).w.data
    assert np.all(w == w[0]), "a file mixing two models"
    return float(w[0])


def _save_many(path: str, fills: list[float]) -> None:
    for fill in fills:
        Weights(fill).save(path)


def _watch(path, stop: threading.Event, seen: list, errors: list) -> None:
    """Load the file again and again until ``stop``: every load must give a whole model."""
    while not stop.is_set():
        try:
            seen.append(_fill_of(path))
        except Exception as e:  # noqa: BLE001 - any failure to load is the finding
            errors.append(e)


def _race(path, start_writers, rounds_written: set[float]) -> None:
    Weights(0.0).save(path)  # the previous good file, which must never be lost
    stop, seen, errors = threading.Event(), [], []
    watcher = threading.Thread(target=_watch, args=(path, stop, seen, errors))
    watcher.start()
    try:
        start_writers()
    finally:
        stop.set()
        watcher.join()
    assert not errors, f"{len(errors)} loads failed while writers raced, e.g. {errors[0]!r}"
    assert seen, "the watcher never loaded the file"
    assert set(seen) <= rounds_written | {0.0}
    assert _fill_of(path) in rounds_written
    assert os.listdir(path.parent) == [path.name], "a temporary file was left behind"


@needs_tensor
def test_threads_saving_to_one_path_never_lose_or_corrupt_the_checkpoint(tmp_path):
    path = tmp_path / "ckpt.npz"
    plan = {t: [float(10 * t + i + 1) for i in range(8)] for t in range(6)}
    failures = []

    def writer(fills):
        try:
            _save_many(str(path), fills)
        except Exception as e:  # noqa: BLE001 - a writer that fails is the finding too
            failures.append(e)

    def start():
        threads = [threading.Thread(target=writer, args=(fills,)) for fills in plan.values()]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    _race(path, start, {f for fills in plan.values() for f in fills})
    assert not failures, f"{len(failures)} saves failed, e.g. {failures[0]!r}"


@needs_tensor
def test_processes_saving_to_one_path_never_lose_or_corrupt_the_checkpoint(tmp_path):
    path = tmp_path / "ckpt.npz"
    plan = {p: [float(100 * p + i + 1) for i in range(10)] for p in range(1, 5)}
    ctx = multiprocessing.get_context("spawn")  # no fork of a process that runs threads

    def start():
        procs = [ctx.Process(target=_save_many, args=(str(path), fills)) for fills in plan.values()]
        for p in procs:
            p.start()
        for p in procs:
            p.join(timeout=120)
        assert [p.exitcode for p in procs] == [0] * len(procs)

    _race(path, start, {f for fills in plan.values() for f in fills})


@needs_tensor
def test_a_save_that_fails_midway_keeps_the_previous_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    path = Weights(1.0).save(tmp_path / "m.npz")

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np.lib.format, "write_array", broken)
    with pytest.raises(OSError, match="No space left"):
        Weights(2.0).save(path)
    monkeypatch.undo()
    assert _fill_of(path) == 1.0
    assert os.listdir(tmp_path) == ["m.npz"]


@needs_tensor
def test_save_keeps_the_permissions_of_the_file_it_replaces(tmp_path):
    path = Weights(1.0).save(tmp_path / "m.npz")
    os.chmod(path, 0o640)
    Weights(2.0).save(path)
    assert os.stat(path).st_mode & 0o777 == 0o640 and _fill_of(path) == 2.0


@needs_tensor
def test_a_new_file_gets_the_usual_permissions_not_a_private_temporary_files(tmp_path):
    old = os.umask(0o022)
    try:
        path = Weights(1.0).save(tmp_path / "m.npz")
    finally:
        os.umask(old)
    assert os.stat(path).st_mode & 0o777 == 0o644


# --- symlinks --------------------------------------------------------------------------------------------
@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
@needs_tensor
def test_save_through_a_symlink_replaces_the_target_and_keeps_the_link(tmp_path):
    (tmp_path / "runs").mkdir()
    target = Weights(1.0).save(tmp_path / "runs" / "epoch-10.npz")
    link = tmp_path / "latest.npz"
    link.symlink_to(target)
    assert Weights(2.0).save(link) == link
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert _fill_of(target) == 2.0 and _fill_of(link) == 2.0
    assert sorted(os.listdir(tmp_path / "runs")) == ["epoch-10.npz"]  # no temporary left next to it


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
@needs_tensor
def test_save_through_a_chain_of_symlinks_and_a_dangling_one(tmp_path):
    target = tmp_path / "real.npz"
    (tmp_path / "a.npz").symlink_to(tmp_path / "b.npz")
    (tmp_path / "b.npz").symlink_to(target)  # dangling until the first save
    Weights(3.0).save(tmp_path / "a.npz")
    assert target.is_file() and not target.is_symlink() and _fill_of(tmp_path / "a.npz") == 3.0


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_a_symlink_loop_is_a_clear_error(tmp_path):
    (tmp_path / "a.npz").symlink_to(tmp_path / "b.npz")
    (tmp_path / "b.npz").symlink_to(tmp_path / "a.npz")
    with pytest.raises(OSError, match="symbolic links"):
        nn.MLP(1, [1], seed=0).save(tmp_path / "a.npz")
    assert sorted(os.listdir(tmp_path)) == ["a.npz", "b.npz"]


def test_save_into_a_missing_directory_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing"):
        nn.MLP(1, [1], seed=0).save(tmp_path / "missing" / "m.npz")


def test_save_onto_a_directory_is_a_clear_error(tmp_path):
    (tmp_path / "d").mkdir()
    with pytest.raises(IsADirectoryError, match="is a directory"):
        nn.MLP(1, [1], seed=0).save(tmp_path / "d")
    assert os.listdir(tmp_path) == ["d"]


def test_save_of_something_that_is_not_a_model_or_a_state_dict(tmp_path):
    with pytest.raises(TypeError, match="a Module or a state dict"):
        nn.save([1, 2, 3], tmp_path / "m.npz")
    assert os.listdir(tmp_path) == []


# --- hostile files: refused from their headers, before their data is read --------------------------------
def _zip_of(path, members: dict, compression=zipfile.ZIP_STORED) -> None:
    """An .npz with the given raw members: name -> bytes, or name -> (header dict, data bytes, repeat)."""
    with zipfile.ZipFile(path, "w", compression=compression, compresslevel=1) as zf:
        for name, content in members.items():
            with zf.open(name, "w", force_zip64=True) as m:
                if isinstance(content, bytes):
                    m.write(content)
                    continue
                header, chunk, repeat = content
                np.lib.format.write_array_header_1_0(m, header)
                for _ in range(repeat):
                    m.write(chunk)


def _tag() -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.array(nn.FORMAT_TAG))
    return buf.getvalue()


_BOMB_ENTRIES = 2**24  # float64 zeros: 128 MiB declared, about 0.6 MB deflated


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    """A small model file whose entry 'w' declares (and really holds, deflated) 128 MiB of zeros."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.npz"
    header = {"descr": "<f8", "fortran_order": False, "shape": (_BOMB_ENTRIES,)}
    chunk = bytes(2**22)
    _zip_of(path, {"__format__.npy": _tag(), "w.npy": (header, chunk, _BOMB_ENTRIES * 8 // len(chunk))},
            compression=zipfile.ZIP_DEFLATED)
    assert path.stat().st_size < 2**21
    return path


def _peak_bytes(fn) -> int:
    """The peak of memory allocated (Python and numpy) while ``fn()`` runs; fn may raise."""
    tracemalloc.start()
    try:
        with contextlib.suppress(Exception):
            fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


class Small(Module):
    def __init__(self):
        self.w = Tensor(np.zeros(3), requires_grad=True)


@needs_tensor
def test_an_entry_far_larger_than_the_model_is_refused_before_its_data_is_read(bomb):
    net = Small()
    with pytest.raises(ShapeError, match=r"'w': the model has shape \(3,\), the state has shape \(16777216,\)"):
        net.load(bomb)
    assert np.all(net.w.data == 0.0)
    assert _peak_bytes(lambda: net.load(bomb)) < 2**22  # the 128 MiB are never allocated


@needs_tensor
def test_an_unexpected_entry_skipped_by_a_non_strict_load_is_never_read(bomb):
    class Other(Module):
        def __init__(self):
            self.v = Tensor(np.ones(2), requires_grad=True)

    net = Other()
    assert _peak_bytes(lambda: net.load(bomb, strict=False)) < 2**22
    assert net.load(bomb, strict=False) is net and np.all(net.v.data == 1.0)


def test_without_a_model_the_declared_size_is_bounded_by_max_bytes(bomb):
    with pytest.raises(ModelFileError, match=r"declares 134,217,728 bytes of arrays, more than max_bytes=1,000"):
        nn.load(bomb, max_bytes=1000)
    assert _peak_bytes(lambda: nn.load(bomb, max_bytes=1000)) < 2**22
    state = nn.load(bomb, max_bytes=None)  # a trusted file: read in full
    assert state["w"].shape == (_BOMB_ENTRIES,) and not state["w"].any()


@pytest.mark.parametrize("bad", [-1, 1.5, True, "1GB"])
def test_max_bytes_is_checked(tmp_path, bad):
    path = nn.MLP(1, [1], seed=0).save(tmp_path / "m.npz")
    with pytest.raises(ValueError, match="max_bytes"):
        nn.load(path, max_bytes=bad)


def test_a_header_that_declares_more_data_than_the_member_holds_is_refused_cheaply(tmp_path):
    path = tmp_path / "liar.npz"
    header = {"descr": "<f8", "fortran_order": False, "shape": (10**9,)}  # 8 GB declared, 16 bytes held
    _zip_of(path, {"__format__.npy": _tag(), "w.npy": (header, bytes(16), 1)})
    with pytest.raises(ModelFileError, match=r"declares shape \(1000000000,\).*but the zip member holds 16 bytes"):
        nn.load(path, max_bytes=None)
    assert _peak_bytes(lambda: nn.load(path, max_bytes=None)) < 2**22


@pytest.mark.parametrize("members, match", [
    ({"__format__": b"autodiff-nn-1"}, r"entry '__format__' is not a .npy array"),
    ({"__format__.npy": b"autodiff-nn-1"}, r"entry '__format__' is not a readable .npy array"),
    ({"__format__.npy": None}, r"'__format__' entry is not a text tag but an array of shape \(2,\)"),
    ({"__format__.npy": "tag", "w.npy": b"\x93NUMPY\x01\x00\x10\x00{'descr': '<f8'}"},
     r"entry 'w' is not a readable .npy array"),
])
def test_malformed_entries_are_the_model_file_error(tmp_path, members, match):
    path = tmp_path / "m.npz"
    raw = {}
    for name, content in members.items():
        if content is None:
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.zeros(2))
            content = buf.getvalue()
        raw[name] = _tag() if content == "tag" else content
    _zip_of(path, raw)
    with pytest.raises(ModelFileError, match=match):
        nn.load(path)


def test_a_text_entry_in_the_state_is_refused(tmp_path):
    path = tmp_path / "m.npz"
    np.savez(path, __format__=np.array(nn.FORMAT_TAG), w=np.array(["1.0"]))
    with pytest.raises(ModelFileError, match=r"entry 'w' holds <U3, not numbers"):
        nn.load(path)


def test_an_integer_buffer_refuses_a_value_it_cannot_hold_exactly(tmp_path):
    class Counter(Module):
        def __init__(self):
            self.register_buffer("count", np.array(7, dtype=np.int64))

    for bad in (1.5, 1e20, np.nan):
        net = Counter()
        with pytest.raises(nn.StateDictError, match="'count' goes into a int64 buffer"):
            net.load_state_dict({"count": np.array(bad)})
        assert net.count == 7
    net.load_state_dict({"count": np.array(12.0)})
    assert net.count == 12 and net.count.dtype == np.int64


def test_a_directory_we_may_not_write_is_named_not_our_temporary_file(tmp_path, monkeypatch):
    real_open = os.open

    def refuse_new_files(path, flags, *args):
        if flags & os.O_CREAT:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", refuse_new_files)
    with pytest.raises(PermissionError, match=r"cannot write .*m.npz.*cannot create a file in .*: Permission denied"):
        nn.MLP(1, [1], seed=0).save(tmp_path / "m.npz")


@needs_tensor
def test_fortran_order_and_big_endian_entries_read_back_exactly(tmp_path):
    class Pair(Module):
        def __init__(self):
            self.W = Tensor(np.zeros((3, 4)), requires_grad=True)
            self.register_buffer("counts", np.zeros(5, dtype=np.int32))

    W = np.asfortranarray(np.arange(12.0).reshape(3, 4) / 7)
    counts = (np.arange(5) * 1_000_000).astype(">i4")
    path = tmp_path / "m.npz"
    np.savez(path, __format__=np.array(nn.FORMAT_TAG), W=W, counts=counts)
    state = nn.load(path)
    assert state["W"].flags.f_contiguous and np.array_equal(state["W"], W)
    assert state["counts"].dtype == np.dtype(">i4") and np.array_equal(state["counts"], counts)
    net = Pair().load(path)
    assert np.array_equal(net.W.data, W) and net.counts.tolist() == counts.tolist()
    assert net.counts.dtype == np.int32


def test_a_large_entry_is_read_in_chunks_exactly(tmp_path):
    big = np.random.default_rng(0).normal(size=3 * 2**18 + 5)  # 6 MiB: several chunks and a remainder
    path = tmp_path / "m.npz"
    nn.save({"big": big}, path)
    assert np.array_equal(nn.load(path)["big"], big)
