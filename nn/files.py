"""Files that must not be lost or trusted: an atomic write, and an .npz read that checks before it reads.

``atomic_write(path, write)`` replaces ``path`` all at once: ``write`` fills a fresh temporary file
in the same directory (a unique name, so concurrent writers never share one), the file is flushed
and fsync'ed, then ``os.replace`` swaps it in and the directory is fsync'ed. At every moment the
path holds either the whole old file or the whole new one, whatever crashes or runs alongside.

``NpzReader(path)`` opens an .npz (a zip of .npy members) and reads only each member's header —
its shape and dtype — checking that it is a plain array whose declared size is exactly what the
zip member holds. The caller decides from those headers what to read (and whether the sizes are
acceptable) before a single byte of array data is read: a small crafted file cannot make us
allocate gigabytes, and nothing is ever unpickled.
"""

from __future__ import annotations

import errno
import math
import os
import secrets
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, NamedTuple

import numpy as np

__all__ = ["atomic_write", "write_target", "NpzReader", "NpzMember", "BadArchive"]

_CHUNK = 2**20  # bytes read at a time: the array's own buffer is the only large allocation


# --- writing ---------------------------------------------------------------------------------------------
def write_target(path: Path) -> Path:
    """The file a write to ``path`` replaces: ``path`` itself, or the file its symlinks lead to.

    Writing *through* a symlink keeps the link (``latest.npz -> runs/epoch-10.npz`` still points
    there and the target gets the new contents), as ``open(path, "w")`` would; a dangling link
    creates its target. A loop of links is an OSError (ELOOP)."""
    if not path.is_symlink():
        return path
    target = Path(os.path.realpath(path))
    if target.is_symlink():  # realpath stops at a loop and returns one of its links
        raise OSError(errno.ELOOP, f"cannot write {str(path)!r}: its symbolic links form a loop", str(path))
    return target


def _check_writable(path: Path, target: Path) -> None:
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, f"cannot write {str(path)!r}: it is a directory", str(path))
    if not target.parent.is_dir():
        raise FileNotFoundError(errno.ENOENT, f"cannot write {str(path)!r}: the directory "
                                f"{str(target.parent)!r} does not exist", str(target.parent))


def _create_temporary(path: Path, target: Path) -> tuple[int, Path]:
    """A new, empty, uniquely named file next to ``target`` (hidden; mode 0o666 less the umask)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:  # a clash of 64 random bits is all but impossible; O_EXCL makes it safe anyway
        tmp = target.with_name(f".{target.name[:180]}.{secrets.token_hex(8)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
        except OSError as e:  # name the user's path and directory, not our temporary file
            raise type(e)(e.errno, f"cannot write {str(path)!r}: cannot create a file in "
                          f"{str(target.parent)!r}: {e.strerror}", str(target.parent)) from None


def _fsync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable (POSIX); a no-op where directories cannot be opened."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems refuse fsync on a directory; the rename itself is done
        pass
    finally:
        os.close(fd)


def atomic_write(path: str | os.PathLike, write: Callable[[IO[bytes]], None]) -> Path:
    """Replace the file at ``path`` (through symlinks) with what ``write(binary_file)`` writes.

    Steps: a uniquely named temporary file in the target's directory; ``write``; flush and
    fsync; the old file's permission bits copied (a new file gets 0o666 less the umask); then
    ``os.replace`` (atomic) and an fsync of the directory. If anything fails the temporary file
    is removed and the old file is left exactly as it was. Returns the file written."""
    path = Path(path)
    target = write_target(path)
    _check_writable(path, target)
    fd, tmp = _create_temporary(path, target)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        if target.exists():
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_directory(target.parent)
    return target


# --- reading -----------------------------------------------------------------------------------------------
class BadArchive(ValueError):
    """An .npz that is not a plain archive of .npy arrays (the message says which entry and why)."""


class NpzMember(NamedTuple):
    """One array of an .npz, from its header alone: no data has been read."""

    name: str                  # the array's name (the member's name without ".npy")
    shape: tuple[int, ...]
    dtype: np.dtype
    fortran_order: bool
    nbytes: int                # bytes of data the header declares (and the member holds)
    header_size: int           # bytes before the data
    info: zipfile.ZipInfo


def _read_header(f: IO[bytes], member: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    version = np.lib.format.read_magic(f)
    if version == (1, 0):
        shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(f)
    elif version == (2, 0):
        shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(f)
    else:  # numpy writes 3.0 only for structured dtypes with non-latin-1 field names
        raise BadArchive(f"entry {member!r} is a .npy of version {version}, which plain arrays never need")
    if dtype.hasobject:
        raise BadArchive(f"entry {member!r} holds Python objects (a pickle), which are never loaded: "
                         "a data file must hold plain arrays")
    return shape, fortran_order, dtype


class NpzReader:
    """The arrays of an .npz, headers first: ``members`` (name -> NpzMember), then ``read(name)``.

    Opening reads and checks every member's header (a .npy name, a readable header, no object
    dtype, declared data size = the member's size). Raises ``BadArchive`` for those, and lets
    ``zipfile.BadZipFile`` and OSError through. Use it as a context manager."""

    def __init__(self, path: str | os.PathLike) -> None:
        self._zip = zipfile.ZipFile(path)
        try:
            self.members: dict[str, NpzMember] = {}
            for info in self._zip.infolist():
                self._add(info)
        except BaseException:
            self._zip.close()
            raise

    def _add(self, info: zipfile.ZipInfo) -> None:
        if not info.filename.endswith(".npy"):
            raise BadArchive(f"entry {info.filename!r} is not a .npy array")
        name = info.filename[:-4]
        if name in self.members:
            raise BadArchive(f"entry {info.filename!r} appears twice")
        with self._zip.open(info) as f:
            try:
                shape, fortran_order, dtype = _read_header(f, name)
            except (ValueError, EOFError) as e:
                raise BadArchive(f"entry {name!r} is not a readable .npy array: {e}") from None
            header_size = f.tell()
        nbytes = math.prod(shape) * dtype.itemsize
        if header_size + nbytes != info.file_size:
            raise BadArchive(f"entry {name!r} declares shape {shape} of {dtype} ({nbytes:,} bytes of data), "
                             f"but the zip member holds {info.file_size - header_size:,} bytes")
        self.members[name] = NpzMember(name, shape, dtype, fortran_order, nbytes, header_size, info)

    def read(self, name: str) -> np.ndarray:
        """The array ``name``: exactly the bytes its checked header declares, read in chunks into
        one buffer (never more memory than the array), the zip member's CRC checked at its end."""
        m = self.members[name]
        buf = np.empty(m.nbytes, dtype=np.uint8)
        with self._zip.open(m.info) as f:
            f.read(m.header_size)
            done = 0
            while done < m.nbytes:
                chunk = f.read(min(_CHUNK, m.nbytes - done))
                if not chunk:
                    raise EOFError(f"entry {name!r} ends after {done:,} of its {m.nbytes:,} bytes")
                buf[done:done + len(chunk)] = np.frombuffer(chunk, dtype=np.uint8)
                done += len(chunk)
            if f.read(1):  # also reaches the end of the member, where zipfile checks the CRC
                raise BadArchive(f"entry {name!r} has data after its array")
        return buf.view(m.dtype).reshape(m.shape, order="F" if m.fortran_order else "C")

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> NpzReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
