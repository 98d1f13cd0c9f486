"""Rebuild the notebooks: each percent-format ``NN_name.py`` becomes ``NN_name.ipynb``, executed.

    python notebooks/run.py                 # every notebook, in parallel (one kernel per core)
    python notebooks/run.py 10 41_problem   # the ones whose name starts with 10 or 41_problem
    python notebooks/run.py --jobs 1        # one at a time

The ``.py`` files are the source of truth (edit them, review them as text); the ``.ipynb`` files
are what a code host shows, so they are committed with fresh outputs. Each notebook is read with
jupytext, executed by nbclient with ``notebooks/`` as the working directory and this checkout's
``autodiff``/``nn`` first on the kernel's path, and written back with everything that would churn
a diff taken out: execution timestamps, how printed text was split into messages, memory
addresses in object reprs, the Python version in the metadata, random cell ids (an id here is a
hash of the cell's source). The time each notebook took is printed.

tests/test_notebooks.py loads this file to execute the notebooks the same way.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TIMEOUT = 300  # seconds per cell; every notebook is meant to run in well under a minute
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def sources(names: list[str] | None = None) -> list[Path]:
    """The notebook sources ``notebooks/NN_*.py``, all of them or those whose name starts with
    one of ``names`` (``10``, ``10_activations``, ``10_activations_costs.py`` all work)."""
    found = sorted(HERE.glob("[0-9][0-9]_*.py"))
    if not names:
        return found
    prefixes = [Path(n).name.removesuffix(".py").removesuffix(".ipynb") for n in names]
    chosen = [p for p in found if any(p.stem.startswith(pre) for pre in prefixes)]
    missing = [pre for pre in prefixes if not any(p.stem.startswith(pre) for p in found)]
    if missing:
        raise SystemExit(f"no notebook source notebooks/{missing[0]}*.py "
                         f"(there are: {', '.join(p.stem for p in found)})")
    return chosen


def read(source: Path) -> nbformat.NotebookNode:
    """The notebook of a percent-format ``.py``, its outputs empty, its metadata stable."""
    nb = jupytext.read(source)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    return tidy(nb)


def tidy(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop what changes on every run or machine: timings, the Python version, random cell ids
    (each id becomes a hash of the cell's type and source, numbered if two cells are the same)."""
    jt = nb.metadata.get("jupytext", {})
    nb.metadata["jupytext"] = {"formats": jt.get("formats", "ipynb,py:percent")}
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata.pop("widgets", None)
    seen: dict[str, int] = {}
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if "outputs" in cell:
            cell.outputs = _merged_streams(cell.outputs)
        digest = hashlib.sha1(f"{cell.cell_type}\n{cell.source}".encode()).hexdigest()[:8]
        seen[digest] = seen.get(digest, 0) + 1
        cell["id"] = digest if seen[digest] == 1 else f"{digest}-{seen[digest]}"
    nb.nbformat, nb.nbformat_minor = 4, 5
    return nb


def _merged_streams(outputs: list) -> list:
    """Consecutive stdout (or stderr) chunks as one output: how a print loop's text was split
    into messages depends on timing, not on what it printed. An object's memory address in a
    result's text (``<… Picture at 0x7f…>``, the text beside a picture) is dropped too."""
    merged: list = []
    for out in outputs:
        if "text/plain" in out.get("data", {}):
            text = out.data["text/plain"]
            out.data["text/plain"] = ADDRESS.sub("", "".join(text) if isinstance(text, list) else text)
        last = merged[-1] if merged else None
        if (out.output_type == "stream" and last is not None and last.output_type == "stream"
                and last.name == out.name):
            last.text = "".join(last.text) + "".join(out.text)
        else:
            merged.append(out)
    return merged


def kernel_env() -> dict[str, str]:
    """The kernel's environment: this checkout first on PYTHONPATH (an installed copy of the
    package elsewhere must not be what the notebook imports), a fixed hash seed."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in [env.get("PYTHONPATH")] if p])
    env["PYTHONHASHSEED"] = "0"
    env["OPENBLAS_NUM_THREADS"] = env["OMP_NUM_THREADS"] = "1"  # one kernel per core already
    env.pop("MPLBACKEND", None)  # the kernel's inline backend draws real images, never 'Agg'
    return env


def execute(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Run every cell in a fresh kernel (cwd ``notebooks/``), outputs stored in ``nb``.
    Raises nbclient's CellExecutionError at the first failing cell."""
    client = NotebookClient(nb, timeout=TIMEOUT, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(HERE)}},
                            extra_arguments=["--IPKernelApp.log_level=40"])  # no "TCP without encryption"
    client.execute(env=kernel_env())
    return tidy(nb)


def build(source: Path) -> tuple[nbformat.NotebookNode, float]:
    """(the executed notebook of ``source``, seconds it took)."""
    start = time.perf_counter()
    nb = execute(read(source))
    return nb, time.perf_counter() - start


def _build_and_write(source: Path) -> tuple[Path, float, str | None]:
    try:
        nb, seconds = build(source)
    except CellExecutionError as e:
        return source, 0.0, str(e)
    nbformat.write(nb, source.with_suffix(".ipynb"))
    return source, seconds, None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="notebook names or prefixes (default: all)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="kernels at once")
    args = parser.parse_args(argv)
    todo = sources(args.names)
    failed = 0
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for source, seconds, error in pool.map(_build_and_write, todo):
            if error:
                failed += 1
                print(f"FAILED {source.stem}: not written\n{error}", file=sys.stderr)
            else:
                print(f"{seconds:6.1f} s  {source.with_suffix('.ipynb').name}")
    print(f"{time.perf_counter() - start:6.1f} s  in all ({len(todo)} notebooks, {args.jobs} at once)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
