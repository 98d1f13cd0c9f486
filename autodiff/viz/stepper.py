"""Backward one step at a time in a web page: the Jupyter stepper and ``steps.html``.

``stepper(root)`` runs backward and shows its steps (``draw_steps``) inline in a notebook with
previous/next buttons, a slider and the arrow keys (once the stepper has focus). The HTML is
self-contained (every frame an inline SVG, one small script), so it works in JupyterLab, the
classic Notebook, a notebook exported to HTML and a file opened on its own, and several steppers
on one page are independent: each finds its own elements by a ``data-adstep`` key unique to it,
its SVG ids are prefixed with that key, and it reacts to keys only when it has focus. Where
scripts do not run (an untrusted notebook), every step is shown, one below the other.
Frames scale down to the width of the page or window.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import re
import time
from pathlib import Path

from .dot import DOT_TIMEOUT, render, save
from .steps import draw_steps

_COUNTER = itertools.count(1)  # one key per stepper made in this process: never two alike on a page
_COMMENT = re.compile(r"<!--.*?-->\s*", re.S)

_SCRIPT = """(function () {
  var key = "%(key)s", tries = 0;
  function setup(root) {
    if (root.getAttribute("data-ready")) return;
    root.setAttribute("data-ready", "1");
    var frames = root.querySelectorAll(".adstep-frame"), i = 0;
    var slider = root.querySelector(".adstep-slider"), pos = root.querySelector(".adstep-pos");
    function show(k) {
      i = Math.max(0, Math.min(frames.length - 1, k));
      for (var j = 0; j < frames.length; j++) frames[j].style.display = j === i ? "" : "none";
      slider.value = String(i);
      pos.textContent = "step " + (i + 1) + " of " + frames.length;
    }
    root.querySelector(".adstep-prev").addEventListener("click", function () { show(i - 1); });
    root.querySelector(".adstep-next").addEventListener("click", function () { show(i + 1); });
    slider.addEventListener("input", function () { show(parseInt(slider.value, 10)); });
    root.addEventListener("keydown", function (e) {
      if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
      show(i + (e.key === "ArrowRight" ? 1 : -1));
      e.preventDefault();
      e.stopPropagation();
    });
    root.querySelector(".adstep-controls").style.display = "";
    root.querySelector(".adstep-static").style.display = "none";
    show(0);
  }
  function start() {  // the classic Notebook runs a script before its output is on the page: wait
    var roots = document.querySelectorAll('[data-adstep="' + key + '"]');
    for (var k = 0; k < roots.length; k++) setup(roots[k]);
    if (!roots.length && tries++ < 200) setTimeout(start, 25);
  }
  start();
})();"""


class Stepper:
    """The steps of one backward pass as a self-contained piece of HTML (see the module
    docstring): shown inline by Jupyter, ``save(path)`` writes it as a page of its own."""

    def __init__(self, svgs: list[str], name: str = "the output", shown_of: int | None = None) -> None:
        self.svgs = list(svgs)
        self.name = name
        self.total = shown_of or len(self.svgs)
        digest = hashlib.sha1("".join(self.svgs).encode("utf-8")).hexdigest()[:10]
        self.key = f"adstep-{digest}-{next(_COUNTER)}"

    def __len__(self) -> int:
        return len(self.svgs)

    def __repr__(self) -> str:
        return f"<autodiff stepper: {len(self)} steps of backward from {self.name}>"

    def html(self) -> str:
        """The stepper as an HTML fragment (what a notebook shows)."""
        k, n = self.key, len(self.svgs)
        if not n:
            return (f'<p class="autodiff-stepper" data-adstep="{k}">no backward steps: '
                    f"{html.escape(self.name)} is not computed from anything</p>")
        more = (f" (the first {n} of {self.total} steps)" if self.total > n else "")
        frames = "\n".join(f'<div class="adstep-frame" data-step="{i}">{_inline(svg, f"{k}-{i}")}</div>'
                           for i, svg in enumerate(self.svgs))
        return (f'<div class="autodiff-stepper" data-adstep="{k}" tabindex="0" '
                'style="max-width:100%;outline:none;font-family:sans-serif">\n'
                f'<div class="adstep-controls" style="display:none;margin:4px 0">'
                '<button type="button" class="adstep-prev">&#9664; previous</button> '
                f'<input type="range" class="adstep-slider" min="0" max="{max(n - 1, 0)}" value="0" step="1" '
                'style="width:40%;vertical-align:middle" aria-label="step"> '
                '<button type="button" class="adstep-next">next &#9654;</button> '
                f'<span class="adstep-pos">step 1 of {n}</span>{html.escape(more)}</div>\n'
                '<p class="adstep-static" style="color:#707070">backward, step by step: every step is '
                f'shown below, one under the other (scripts are off here){html.escape(more)}</p>\n'
                f"{frames}\n<script>{_SCRIPT % {'key': k}}</script>\n</div>")

    def _repr_html_(self) -> str:
        return self.html()

    def page(self) -> str:
        """The stepper as a whole HTML page (steps.html): nothing beside it is needed."""
        return ('<!doctype html>\n<html><head><meta charset="utf-8"><meta name="viewport" '
                'content="width=device-width, initial-scale=1"><title>backward, step by step</title>'
                f"</head>\n<body>\n{self.html()}\n</body></html>\n")

    def save(self, path) -> Path:
        """Write ``page()`` to path (an .html file)."""
        path = Path(path)
        path.write_text(self.page(), encoding="utf-8")
        return path


def _inline(svg: str, key: str) -> str:
    """dot's SVG ready to sit in a page: no XML prolog or comments, ids prefixed with ``key``,
    scaled down to the width it is given."""
    svg = _COMMENT.sub("", svg[svg.find("<svg"):])
    svg = re.sub(r'\bid="', f'id="{key}-', svg)
    svg = re.sub(r'(href="#|url\(#)', lambda m: f"{m.group(1)}{key}-", svg)
    return svg.replace("<svg ", '<svg style="max-width:100%;height:auto" ', 1)


def stepper(root, seed=None, *, max_steps: int | None = 100, timeout: float | None = DOT_TIMEOUT,
            **options) -> Stepper:
    """Run backward on root and return a Stepper: its steps inline in Jupyter (previous/next,
    a slider, the arrow keys), one picture per step as ``draw_steps`` makes them (``options``
    are draw's). Only the first ``max_steps`` steps are drawn (None: all); dot gets ``timeout``
    seconds for all the pictures together. Like ``trace_backward`` this runs backward itself."""
    deadline = None if timeout is None else time.monotonic() + timeout
    svgs, count = [], 0
    for picture in draw_steps(root, seed, **options):  # the whole backward pass runs, drawn or not
        count += 1
        if max_steps is None or count <= max_steps:
            svgs.append(render(picture.source, "svg", _left(deadline)).decode("utf-8"))
    name = root.label or "the output"
    return Stepper(svgs, name, count)


def _left(deadline: float | None) -> float | None:
    return None if deadline is None else max(deadline - time.monotonic(), 0.001)


def save_steps(root, directory, *, seed=None, ext: str = "svg", html_page: bool = True,
               gif: bool = False, gif_ms: int = 1200, timeout: float | None = DOT_TIMEOUT,
               **options) -> list[Path]:
    """Run backward on root and write one picture per step to ``directory`` (step_000.svg, ...;
    ``ext`` is any extension ``save`` understands).

    With ``html_page`` also writes steps.html (the stepper: previous/next, a slider, the arrow
    keys; frames scale to the window); with ``gif`` also an animated steps.gif (needs Pillow).
    Returns the paths written. ``timeout`` bounds the seconds dot may take for all the pictures.
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    ext = ext.lower().lstrip(".")
    frames = list(draw_steps(root, seed, **options))
    deadline = None if timeout is None else time.monotonic() + timeout
    paths = [save(g, out / f"step_{i:03d}.{ext}", timeout=_left(deadline)) for i, g in enumerate(frames)]
    if html_page and frames:
        svgs = [p.read_text(encoding="utf-8") if ext == "svg"
                else render(g.source, "svg", _left(deadline)).decode("utf-8") for p, g in zip(paths, frames)]
        paths.append(Stepper(svgs, root.label or "the output").save(out / "steps.html"))
    if gif and frames:
        pngs = [render(g.source, "png", _left(deadline)) for g in frames]
        paths.append(_write_gif(pngs, out / "steps.gif", gif_ms))
    return paths


def _write_gif(pngs: list[bytes], path: Path, ms: int) -> Path:
    try:
        from PIL import Image
    except ImportError as e:
        raise ImportError("an animated GIF needs Pillow: pip install pillow "
                          "(the frames and steps.html need nothing more)") from e
    import io

    images = [Image.open(io.BytesIO(b)).convert("RGB") for b in pngs]
    # frames differ in size as labels grow; paste each on a common white canvas
    w = max(im.width for im in images)
    h = max(im.height for im in images)
    canvases = []
    for im in images:
        canvas = Image.new("RGB", (w, h), "white")
        canvas.paste(im, (0, 0))
        canvases.append(canvas)
    canvases[0].save(path, save_all=True, append_images=canvases[1:], duration=ms, loop=0)
    return path
