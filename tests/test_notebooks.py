"""The committed notebooks are fresh, clean and reproducible.

Each notebook's source is ``notebooks/NN_name.py`` (jupytext, percent format) and its committed,
executed copy ``notebooks/NN_name.ipynb`` (what a code host shows). The fast tests read the
committed copy only; the ``slow`` ones execute every ``.py`` again (all of them at once, one
kernel per core, exactly as ``python notebooks/run.py`` does) and compare.

A committed notebook fails when
  (a) an output is an error (a traceback was committed),
  (b) an output shows a local path (/work/…, /root/…, /tmp/…, /home/…, C:\\…),
  (c) a figure cell has no image: a cell that calls ``plt.show()``, ``.plot(``, ``draw(``,
      ``draw_steps(`` or ``SVG(`` must have an image/png or image/svg+xml output (and no output may
      be matplotlib's ``<Figure size …>`` text or an object's repr ``<….Picture>`` without its picture),
  (d) its cells (type and source) differ from its ``.py``: edited one, forgot to rebuild,
  (e) its text outputs differ from a fresh execution's, compared after this normalisation:
      every number is rounded to 6 significant digits (``f"{x:.6g}"``), a number with
      |x| < 1e-9 counts as 0 (round-off such as a 1e-17 difference depends on the BLAS), object
      addresses ``0x…`` are dropped and runs of whitespace become one space (numpy pads columns
      to the widest number). Text outputs are stdout, stderr and every text/plain result; images
      are compared by their kind only, not their bytes.
"""

from __future__ import annotations

import importlib.util
import math
import os
import re
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("jupytext")

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def _load_runner():
    spec = importlib.util.spec_from_file_location("notebooks_run", NOTEBOOKS / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


run = _load_runner()
SOURCES = run.sources()
IDS = [p.stem for p in SOURCES]
OPTIONAL = ("torch",)  # a notebook importing one of these runs only where it is installed (CI has it)

LOCAL_PATH = re.compile(r"(?<![\w.])(?:/work|/root|/tmp|/home)/|\b[A-Za-z]:\\")
FIGURE_CALL = re.compile(r"\bplt\.show\(|\.plot\(|\bdraw\(|\bdraw_steps\(|\bSVG\(")
IMAGE = ("image/png", "image/svg+xml")
# what a figure or a graph picture shows as text when its image is missing: "<Figure size 640x480
# with 1 Axes>", or an object's repr such as "<autodiff.viz._picture_class.<locals>.Picture>"
PLACEHOLDER = re.compile(r"^<(?:Figure size .*|[\w.]+(?:\.<locals>\.[\w.]+)?(?: object)?(?: at 0x[0-9a-fA-F]+)?)>$")
NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w.])")
ADDRESS = run.ADDRESS


def _committed(source: Path):
    path = source.with_suffix(".ipynb")
    assert path.exists(), f"{source.name} has no executed {path.name}: run python notebooks/run.py {source.stem}"
    return nbformat.read(path, as_version=4)


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _code_cells(nb):
    return [(i, cell) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]


def problems(nb) -> list[str]:
    """What is wrong with a notebook's outputs: errors (a), local paths (b), figures without an image (c)."""
    found = []
    for i, cell in _code_cells(nb):
        where = f"cell {i} ({cell.source.strip().splitlines()[0][:50] if cell.source.strip() else 'empty'})"
        if cell.get("execution_count") is None and cell.source.strip():
            found.append(f"{where}: never executed")
        outputs = cell.get("outputs", [])
        for out in outputs:
            if out.output_type == "error":
                found.append(f"{where}: error output {out.ename}: {out.evalue}")
            texts = [_text(out.get(k, "")) for k in ("text", "evalue", "traceback")]
            texts += [_text(v) for k, v in out.get("data", {}).items() if k != "image/png"]
            if any(LOCAL_PATH.search(t) for t in texts):
                found.append(f"{where}: a local path in an output")
            data = out.get("data", {})
            if PLACEHOLDER.match(_text(data.get("text/plain", ""))) and not any(k in data for k in IMAGE):
                found.append(f"{where}: a figure's text {_text(data['text/plain'])[:40]!r} without its image")
        if FIGURE_CALL.search(cell.source) and not any(k in out.get("data", {}) for out in outputs for k in IMAGE):
            found.append(f"{where}: a figure cell without an image output")
    return found


def _number(match: re.Match) -> str:
    x = float(match.group())
    if not math.isfinite(x) or abs(x) < 1e-9:
        return "0" if math.isfinite(x) else match.group()
    return f"{x:.6g}"


def normalise(text: str) -> str:
    """Numbers to 6 significant digits (|x| < 1e-9 → 0), no object addresses, single spaces."""
    text = ADDRESS.sub("", text)
    return " ".join(NUMBER.sub(_number, text).split())


def text_outputs(nb) -> list[tuple[int, str, str]]:
    """(cell index, kind, normalised text) for every text output; an image counts by its kind."""
    rows = []
    for i, cell in _code_cells(nb):
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                rows.append((i, out.name, normalise(_text(out.text))))
            elif out.output_type in ("execute_result", "display_data"):
                data = out.get("data", {})
                images = "+".join(k for k in IMAGE if k in data)
                rows.append((i, f"{out.output_type} {images}".strip(),
                             normalise(_text(data.get("text/plain", "")))))
            else:
                rows.append((i, out.output_type, normalise(_text(out.get("evalue", "")))))
    return rows


def test_normalise_rounds_numbers_to_six_significant_digits():
    assert normalise("E = 0.12345678 at step 3, diff 1.2e-17") == normalise("E = 0.123456779  at step 3, diff -3e-16")
    assert normalise("[ 1.5  -2.  ]") == "[ 1.5 -2 ]"
    assert normalise("W1 x0 <graphviz.graphs.Digraph at 0x7f3a2b>") == "W1 x0 <graphviz.graphs.Digraph>"
    for shown in ["<Figure size 640x480 with 1 Axes>", "<autodiff.viz._picture_class.<locals>.Picture>",
                  "<graphviz.graphs.Digraph at 0x7f3a2b>", "<IPython.core.display.SVG object>"]:
        assert PLACEHOLDER.match(shown), shown
    assert not PLACEHOLDER.match("[<Value data=1>]")
    assert normalise("0.1234561") != normalise("0.1234581")


def test_problems_finds_errors_paths_and_missing_images():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("plt.show()", execution_count=1),
                nbformat.v4.new_code_cell("open('x')", execution_count=2)]
    nb.cells[0].outputs = [nbformat.v4.new_output("display_data", data={"text/plain": "<Figure size 640x480>"})]
    nb.cells[1].outputs = [nbformat.v4.new_output("error", ename="OSError", evalue="/tmp/x", traceback=[]),
                           nbformat.v4.new_output("stream", name="stderr", text="C:\\Users\\me")]
    found = "\n".join(problems(nb))
    assert "without its image" in found and "figure cell without an image" in found
    assert "error output OSError" in found and found.count("local path") == 2


def test_there_are_notebooks():
    assert len(SOURCES) >= 3
    assert not [p for p in NOTEBOOKS.glob("*.ipynb") if not p.with_suffix(".py").exists()], \
        "every notebook has its .py source"


def _missing_optional(source: Path) -> str | None:
    text = source.read_text(encoding="utf-8")
    for name in OPTIONAL:
        if re.search(rf"^\s*(?:import|from) {name}\b", text, re.M) and importlib.util.find_spec(name) is None:
            return name
    return None


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_committed_notebook_is_clean(source):
    """(a), (b), (c) on the committed .ipynb: no error, no local path, every figure an image."""
    assert problems(_committed(source)) == []


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_committed_notebook_has_the_cells_of_its_source(source):
    """(d): the .ipynb was built from the .py as it is now."""
    expected = [(c.cell_type, c.source) for c in run.read(source).cells]
    committed = [(c.cell_type, c.source) for c in _committed(source).cells]
    assert committed == expected, f"{source.stem}.ipynb is stale: run python notebooks/run.py {source.stem}"


# --- execution: every notebook at once, one kernel per core ---------------------------------------
@pytest.fixture(scope="module")
def executions(request) -> dict[Path, Future]:
    """source → Future of its executed notebook, started together for the selected tests only."""
    wanted = {item.callspec.params["source"] for item in request.session.items
              if item.originalname == "test_notebook_reexecutes_to_its_committed_outputs"
              and hasattr(item, "callspec")}
    pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1)
    futures = {source: pool.submit(run.build, source) for source in SOURCES
               if source in wanted and not _missing_optional(source)}
    yield futures
    pool.shutdown(wait=True, cancel_futures=True)


@pytest.mark.slow
@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_notebook_reexecutes_to_its_committed_outputs(source, executions):
    """Its asserts hold when run again (a), the fresh outputs are clean (b, c), and the text
    outputs equal the committed ones after normalisation (e)."""
    if missing := _missing_optional(source):
        pytest.skip(f"{source.stem} compares with {missing}, which is not installed (CI installs it)")
    fresh, seconds = executions[source].result()
    print(f"{source.stem}: {seconds:.1f} s")
    assert problems(fresh) == []
    committed = text_outputs(_committed(source))
    now = text_outputs(fresh)
    assert committed == now, f"{source.stem}.ipynb has stale outputs: {first_difference(committed, now)}; " \
                             f"rebuild it with: python notebooks/run.py {source.stem}"


def first_difference(committed: list, now: list) -> str:
    """Where two output lists first differ: the cell, and the text around the first differing character."""
    for (c_cell, c_kind, c_text), (n_cell, n_kind, n_text) in zip(committed, now):
        if (c_cell, c_kind) != (n_cell, n_kind):
            return f"cell {c_cell} {c_kind!r} output is now cell {n_cell} {n_kind!r}"
        if c_text != n_text:
            i = next((k for k, (a, b) in enumerate(zip(c_text, n_text)) if a != b), min(len(c_text), len(n_text)))
            return f"cell {c_cell} {c_kind}: committed …{c_text[max(0, i - 60):i + 60]!r}… now …{n_text[max(0, i - 60):i + 60]!r}…"
    return f"{len(committed)} outputs committed, {len(now)} now"

