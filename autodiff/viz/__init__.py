"""Pictures of a computation graph: every node's data and grad, every edge's local derivative.

    draw(root)              a graphviz.Digraph fitted to a notebook's page (shows inline in Jupyter)
    save(picture, path)     render to .svg / .png / .pdf (or .dot), format from the extension
    explain(x, root)        the chain-rule sum behind x.grad, with the numbers
    stepper(root)           backward one step at a time, inline in Jupyter (previous/next, slider)
    draw_steps(root)        one picture per step of backward, in the engine's real order
    trace_backward(root)    the same steps as records: node, grad, contributions in and out
    save_steps(root, dir)   the step pictures as files, steps.html to click through, a GIF

The modules, each one thing: ``picture`` (boxes, ops, edges: draw), ``fit`` (fitting a picture
to the page), ``select`` (which nodes are drawn when not all are), ``views`` (several outputs,
stopping at inputs, the lecture's chain for an n-ary node), ``text`` (numbers and node names),
``edges`` (what travels on each edge), ``steps`` and ``stepper`` (backward step by step),
``explain``, ``options`` and ``dot`` (running graphviz's dot: time limits, file formats).
Pictures of whole networks (one box per layer, one node per neuron) are ``nn.draw_network``.
"""

from .dot import (
    DOT_TIMEOUT,
    FORMATS,
    INSTALL_HINT,
    RASTER_INCHES,
    GraphvizError,
    GraphvizNotFoundError,
    GraphvizTimeoutError,
    new_picture,
    render,
    save,
)
from .explain import explain
from .fit import MAX_HEIGHT, MIN_SCALE, PAGE_SIZE, PAGE_WIDTH
from .picture import BLUE, COLOURS, PENDING, RED, draw
from .select import MAX_LAYOUT, layout_size
from .stepper import Stepper, save_steps, stepper
from .steps import TraceStep, draw_steps, trace_backward

__all__ = [
    "draw", "save", "render", "explain", "stepper", "Stepper", "draw_steps", "trace_backward", "TraceStep",
    "save_steps", "layout_size", "new_picture", "COLOURS", "RED", "BLUE", "PENDING", "MAX_LAYOUT",
    "DOT_TIMEOUT", "FORMATS", "INSTALL_HINT", "RASTER_INCHES", "PAGE_WIDTH", "PAGE_SIZE", "MIN_SCALE",
    "MAX_HEIGHT", "GraphvizError", "GraphvizNotFoundError", "GraphvizTimeoutError",
]
