"""The backward stepper in a real browser (headless Chromium, driven by Playwright).

Loaded as a person would see it: ``steps.html`` opened as a file; a notebook with two steppers,
executed and exported to HTML by nbconvert; and the stepper's HTML put into a page the way
JupyterLab (innerHTML, then each script re-created in place) and the classic Notebook (scripts
run before the output is on the page) put an output there. Each test clicks through, checks that
the frame shown changes, that a stepper's frames fit the viewport's width, that two steppers on
a page do not move each other, and that the page logs no error.

Needs the ``playwright`` package and a Chromium (Debian's ``chromium``; the system browser is used,
never one downloaded at run time): the tests skip, saying which is missing, where they are not.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import autodiff as ad
from autodiff import Value

sync_api = pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright: pip install playwright")
CHROMIUM = os.environ.get("AUTODIFF_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium: apt-get install chromium (or set AUTODIFF_CHROMIUM)"),
    pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz's dot program is not installed"),
]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
WIDTH = 800  # pixels: narrower than most pictures' natural width, so frames must scale down


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A page that records its errors and fetches nothing from the network."""
    pg = browser.new_page(viewport={"width": WIDTH, "height": 900})
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    # nbconvert's page asks a CDN for require.js and MathJax, which a stepper does not need
    pg.route(lambda url: url.startswith("http"),
             lambda route: route.fulfill(status=200, body="", content_type="text/javascript"))
    yield pg
    pg.close()


def neuron(seed: float = 2.0):
    x1, x2 = Value(seed, label="x1"), Value(0.0, label="x2")
    w1, w2, b = Value(-3.0, label="w1"), Value(1.0, label="w2"), Value(6.88, label="b")
    return (x1 * w1 + x2 * w2 + b).tanh()


def shown(page, stepper: int = 0) -> list[int]:
    """The indices of the frames of the stepper-th stepper on the page that are visible."""
    return page.evaluate("""k => {
        const root = document.querySelectorAll('.autodiff-stepper')[k];
        return [...root.querySelectorAll('.adstep-frame')].map((f, i) => [f, i])
            .filter(([f]) => f.getBoundingClientRect().height > 0).map(([, i]) => i);
    }""", stepper)


def click(page, stepper: int, button: str) -> None:
    page.locator(".autodiff-stepper").nth(stepper).locator(f".adstep-{button}").click()


def frame_width(page, stepper: int = 0) -> float:
    return page.evaluate("""k => {
        const root = document.querySelectorAll('.autodiff-stepper')[k];
        const f = [...root.querySelectorAll('.adstep-frame')].find(f => f.getBoundingClientRect().height > 0);
        return f.querySelector('svg').getBoundingClientRect().width;
    }""", stepper)


def test_steps_html_steps_through_backward_and_its_frames_fit_the_window(page, tmp_path):
    paths = ad.save_steps(neuron(), tmp_path)
    steps = len(paths) - 1
    page.goto((tmp_path / "steps.html").as_uri())
    assert shown(page) == [0] and page.locator(".adstep-pos").inner_text() == f"step 1 of {steps}"
    click(page, 0, "next")
    click(page, 0, "next")
    assert shown(page) == [2]
    click(page, 0, "prev")
    assert shown(page) == [1]
    page.locator(".adstep-slider").fill(str(steps - 1))  # the slider jumps to the last step
    assert shown(page) == [steps - 1]
    page.locator(".autodiff-stepper").focus()
    page.keyboard.press("ArrowLeft")
    assert shown(page) == [steps - 2]
    assert 0 < frame_width(page) <= WIDTH
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH  # no sideways scrolling
    assert page.errors == []


def notebook_with_two_steppers(tmp_path: Path) -> Path:
    """A notebook with two stepper cells, executed by a kernel and exported to HTML by nbconvert."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nbconvert = pytest.importorskip("nbconvert", reason="exporting a notebook needs nbconvert")
    root = Path(__file__).resolve().parent.parent
    cells = [nbformat.v4.new_code_cell(f"import sys; sys.path.insert(0, {str(root)!r})\n"
                                       "import autodiff as ad\nfrom autodiff import Value"),
             nbformat.v4.new_code_cell("a = Value(0.5, label='a')\nad.stepper((a * a).exp())"),
             nbformat.v4.new_code_cell("x, w = Value(2.0, label='x'), Value(-3.0, label='w')\n"
                                       "ad.stepper(((x * w).tanh() + x) * w)")]
    nb = nbformat.v4.new_notebook(cells=cells)
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    html, _ = nbconvert.HTMLExporter().from_notebook_node(nb)
    path = tmp_path / "two_steppers.html"
    path.write_text(html, encoding="utf-8")
    return path


def test_two_steppers_in_a_notebook_exported_to_html_step_independently(page, tmp_path):
    page.goto(notebook_with_two_steppers(tmp_path).as_uri())
    assert page.locator(".autodiff-stepper").count() == 2
    assert shown(page, 0) == [0] and shown(page, 1) == [0]
    click(page, 1, "next")
    click(page, 1, "next")
    assert shown(page, 0) == [0] and shown(page, 1) == [2]  # the first did not move
    click(page, 0, "next")
    assert shown(page, 0) == [1] and shown(page, 1) == [2]
    for k in (0, 1):
        assert 0 < frame_width(page, k) <= WIDTH
    assert page.errors == []


INSERT = {
    # JupyterLab: the output's HTML is set with innerHTML (scripts do not run), then each script
    # is replaced by a fresh copy, which runs in place
    "jupyterlab": """html => { const host = document.createElement('div'); document.body.appendChild(host);
        host.innerHTML = html;
        for (const old of host.querySelectorAll('script')) {
            const s = document.createElement('script'); s.textContent = old.textContent;
            old.parentNode.replaceChild(s, old); } }""",
    # the classic Notebook (jQuery): the scripts run while the output is not on the page yet,
    # and the output is attached afterwards
    "classic notebook": """html => { const host = document.createElement('div'); host.innerHTML = html;
        for (const s of host.querySelectorAll('script')) { (0, eval)(s.textContent); }
        setTimeout(() => document.body.appendChild(host), 100); }""",
}


@pytest.mark.parametrize("where", list(INSERT))
def test_steppers_work_as_jupyter_inserts_outputs(page, where):
    page.set_content("<!doctype html><html><body></body></html>")
    for root in (neuron(), neuron(1.0)):
        page.evaluate(INSERT[where], ad.stepper(root).html())
    page.wait_for_function("document.querySelectorAll('.autodiff-stepper[data-ready]').length === 2")
    assert page.locator(".adstep-controls").first.is_visible()
    click(page, 0, "next")
    assert shown(page, 0) == [1] and shown(page, 1) == [0]
    assert page.errors == []


def test_without_scripts_every_step_is_shown(browser, tmp_path):
    paths = ad.save_steps(neuron(), tmp_path)
    pg = browser.new_page(viewport={"width": WIDTH, "height": 900}, java_script_enabled=False)
    pg.goto((tmp_path / "steps.html").as_uri())
    frames = pg.locator(".adstep-frame")
    assert frames.count() == len(paths) - 1 and all(frames.nth(k).is_visible() for k in range(frames.count()))
    assert pg.locator(".adstep-static").is_visible() and not pg.locator(".adstep-controls").is_visible()
    pg.close()
