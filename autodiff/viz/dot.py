"""Running graphviz's ``dot``: a picture's DOT source in, its SVG/PNG/PDF bytes out.

Every rendering the library does goes through ``render``: ``save``, the step pictures, the
Jupyter display of a picture (``Picture.pipe``) and the stepper. dot runs in a process group of
its own with a time limit, and a raster picture is scaled down to at most RASTER_INCHES, so a
picture too large to lay out stops with a clear error instead of hanging a notebook.

The graphviz Python package is imported only when a picture is made, so ``import autodiff``
works without it; the ``dot`` program is needed only to render (``graph.source`` is the DOT text).
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import re
import signal
import subprocess
import threading
from pathlib import Path

from ..errors import AutodiffError

FORMATS = ("svg", "png", "pdf", "jpg", "jpeg", "gif", "dot", "gv")
"""File extensions ``save`` understands (``dot``/``gv`` write the DOT source, no rendering)."""
DOT_TIMEOUT = 60.0
"""Seconds ``save``, ``render`` and a picture's display let graphviz's dot run before stopping it."""
RASTER_FORMATS = ("png", "jpg", "jpeg", "gif")
RASTER_INCHES = "50,50"
"""Largest raster picture, in inches at 96 dpi (4 800 pixels a side); a larger drawing is scaled
down to fit (to the graph's own ``size`` attribute if that is smaller). A 150-node chain is 18 000 × 4 000 pixels
at full size, and drawing those took seconds; nobody can read it as one image anyway."""

INSTALL_HINT = ("install graphviz's dot program: apt-get install graphviz (Debian/Ubuntu), "
                "brew install graphviz (macOS), conda install -c conda-forge graphviz, "
                "or choco install graphviz (Windows)")


class GraphvizNotFoundError(AutodiffError, RuntimeError):
    """graphviz's ``dot`` program is not installed, so a picture cannot be rendered.

    The DOT source is kept on the exception (``err.source``) and on the graph (``graph.source``).
    """

    def __init__(self, source: str) -> None:
        super().__init__(
            "graphviz's 'dot' program was not found on PATH, so the picture cannot be rendered; "
            f"{INSTALL_HINT}. The DOT source is still available as graph.source "
            "(or save it with a .dot extension)."
        )
        self.source = source


class GraphvizTimeoutError(AutodiffError, TimeoutError):
    """graphviz's ``dot`` took longer than the time allowed to lay out a picture and was stopped."""


class GraphvizError(AutodiffError, RuntimeError):
    """graphviz's ``dot`` program failed; the message carries what it said."""


def graphviz_package():
    """The graphviz Python package, or an ImportError that says how to install it."""
    try:
        import graphviz
    except ImportError as e:
        raise ImportError(
            "drawing a graph needs the graphviz Python package: pip install graphviz "
            f"(and, to render pictures, {INSTALL_HINT})"
        ) from e
    return graphviz


@functools.cache
def picture_class():
    """graphviz.Digraph, rendered through ``render``: a time limit, a raster cap, and a clear
    GraphvizNotFoundError when dot is missing."""
    graphviz = graphviz_package()

    class Picture(graphviz.Digraph):
        """A graphviz.Digraph whose display in Jupyter and ``pipe`` run dot through
        ``autodiff.viz.render`` (stopped after DOT_TIMEOUT seconds, rasters capped);
        ``autodiff.save(picture, path)`` writes it to a file."""

        def pipe(self, format=None, renderer=None, formatter=None, neato_no_op=None, quiet=False, *,
                 engine=None, encoding=None):
            if renderer or formatter or neato_no_op or engine not in (None, "dot"):
                try:  # another engine or renderer: graphviz's own runner
                    return super().pipe(format, renderer, formatter, neato_no_op, quiet,
                                        engine=engine, encoding=encoding)
                except graphviz.ExecutableNotFound as e:
                    raise GraphvizNotFoundError(self.source) from e
            out = render(self.source, format or self.format, DOT_TIMEOUT)  # read now: a test may change it
            return out.decode(encoding) if encoding else out

        def render(self, *args, cleanup: bool = True, **kwargs):
            # cleanup: no stray DOT file beside the picture (autodiff.save writes only the picture)
            try:
                return super().render(*args, cleanup=cleanup, **kwargs)
            except graphviz.ExecutableNotFound as e:
                raise GraphvizNotFoundError(self.source) from e

    return Picture


def new_picture(graph_attr: dict, node_attr: dict | None = None, edge_attr: dict | None = None):
    """An empty picture (``picture_class()``) with these graph, node and edge attributes."""
    return picture_class()(name="autodiff", graph_attr=graph_attr, node_attr=node_attr or {},
                           edge_attr=edge_attr or {})


def save(graph, path, *, timeout: float | None = DOT_TIMEOUT) -> Path:
    """Write graph to path, the format taken from the extension: svg, png, pdf, jpg, gif, or
    dot/gv (the DOT source, which needs no graphviz program). Returns the path.

    dot is stopped after ``timeout`` seconds (None: no limit) with GraphvizTimeoutError."""
    path = Path(path)
    ext = path.suffix.lower().lstrip(".")
    if ext not in FORMATS:
        raise ValueError(f"cannot tell the picture format from {str(path)!r}: "
                         f"use one of .{', .'.join(FORMATS)}")
    if not hasattr(graph, "source"):
        raise TypeError(f"save needs a picture (from autodiff.draw or nn.draw_network), got "
                        f"{type(graph).__name__}")
    if ext in ("dot", "gv"):
        path.write_text(graph.source, encoding="utf-8")
        return path
    path.write_bytes(render(graph.source, ext, timeout))
    return path


def render(source: str, fmt: str, timeout: float | None = DOT_TIMEOUT) -> bytes:
    """The picture of DOT ``source`` in format ``fmt`` (svg, png, …), made by graphviz's dot.

    dot runs in a process group of its own, killed (with any children) when ``timeout``
    seconds pass (GraphvizTimeoutError) or the caller is interrupted (KeyboardInterrupt, or
    any exception a signal handler raises), and on POSIX it also gets a CPU-time limit, so it
    dies even if this process is killed first."""
    command = ["dot", f"-T{fmt}"] + ([f"-Gsize={_raster_size(source)}"] if fmt in RASTER_FORMATS else [])
    return _run(source, command, timeout)


def natural_size(source: str, timeout: float = 10.0) -> tuple[float, float] | None:
    """(width, height) in points of the picture of DOT ``source`` at its natural size (its own
    ``size`` attribute ignored), as dot lays it out; None where dot is missing or fails."""
    try:
        out = _run(source, ["dot", "-Tplain", "-Gsize=1000,1000"], timeout)
    except (GraphvizNotFoundError, GraphvizError, GraphvizTimeoutError):
        return None
    words = out.split(b"\n", 1)[0].split()  # "graph <scale> <width> <height>", in inches
    return float(words[2]) * 72 + 8, float(words[3]) * 72 + 8  # and the SVG's 4-point margins


def _run(source: str, command: list[str], timeout: float | None) -> bytes:
    """dot's output for ``source`` (see ``render``)."""
    proc = None
    try:
        with _signals_held() as mask:  # no interrupt between the fork and having proc to kill
            proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, start_new_session=os.name == "posix",
                                    preexec_fn=_child_setup(mask, timeout))
        out, err = proc.communicate(source.encode("utf-8"), timeout=timeout)
    except FileNotFoundError:
        raise GraphvizNotFoundError(source) from None
    except subprocess.TimeoutExpired:
        _kill(proc)
        raise GraphvizTimeoutError(
            f"graphviz's dot took more than {timeout:.3g} s to lay out the picture and was stopped: "
            "the graph is too large to draw; draw fewer nodes (max_nodes) or one path (focus)"
        ) from None
    except BaseException:  # KeyboardInterrupt above all: dot must not outlive us
        if proc is not None:
            _kill(proc)
        raise
    if proc.returncode != 0:
        said = err.decode("utf-8", "replace").strip().splitlines()
        raise GraphvizError(f"graphviz's dot failed (exit code {proc.returncode})"
                            + (f": {said[0]}" if said else ""))
    return out


_SIZE = re.compile(r'\bsize="?(\d+(?:\.\d*)?),(\d+(?:\.\d*)?)')


def _raster_size(source: str) -> str:
    """The DOT size a raster picture is drawn at: the graph's own size (dot's command line would
    override it), no larger than RASTER_INCHES."""
    cap = [float(v) for v in RASTER_INCHES.split(",")]
    line = next((ln for ln in source.splitlines()[:3] if ln.lstrip().startswith("graph [")), "")
    own = _SIZE.search(line)
    if own:
        cap = [min(c, float(v)) for c, v in zip(cap, own.groups())]
    return f"{cap[0]:g},{cap[1]:g}"


@contextlib.contextmanager
def _signals_held():
    """Hold SIGINT and SIGTERM back (POSIX, main thread) while the block runs; yields the
    signal mask to restore, or None where nothing is held."""
    if os.name != "posix" or threading.current_thread() is not threading.main_thread():
        yield None
        return
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield mask
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _child_setup(mask, timeout: float | None):
    """What dot's process does before it starts (POSIX): take back the signals the parent held,
    and limit its CPU time to the timeout and a second."""
    if os.name != "posix":
        return None
    import resource

    def setup() -> None:
        if mask is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        if timeout is not None:
            seconds = math.ceil(timeout) + 1
            resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))

    return setup


def _kill(proc: subprocess.Popen) -> None:
    """Kill proc and its process group (dot may start helpers), and reap it."""
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except OSError:  # already gone
        pass
    proc.wait()
    for pipe in (proc.stdin, proc.stdout, proc.stderr):
        pipe.close()
