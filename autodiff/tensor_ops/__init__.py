"""The tensor registry ``TENSOR_OPS``: every tensor op once, with its forward rule, its
vector-Jacobian product (reverse mode) and its Jacobian-vector product (forward mode).

Two sections. The elementwise section is the op table of ``ops.py`` itself, not written again
(``elementwise.py`` turns each local-derivative rule into both products). The structural
section holds the ops with no scalar counterpart, one module per family:

    linalg.py    @ (matmul), affine (X @ W + b)
    shape.py     transpose, reshape, broadcast_to, getitem and scatter_add, concatenate, stack, where
    reduce.py    sum, mean, max, min, var, std
    softmax.py   softmax, log_softmax, logsumexp, softmax_cross_entropy (fused)

``registry.TensorOp`` states the rule signatures. Every rule is written against a namespace
``m``: ``mathns.ARRAY`` runs it on numpy arrays (a gradient), ``nodens.NODES`` on graph nodes (a
gradient that is itself a graph, for derivatives of derivatives). A rule that needs something
from its forward pass declares ``saves=True``: its forward returns ``(y, saved)`` and the rules
get ``saved`` back (None on nodes, where a rule recomputes it differentiably).

A VJP may return g itself, a view of it, or fresh arrays, but never one fresh array for two
inputs: the engine copies g and views before a leaf keeps them, and lets a leaf keep a fresh
array as it is.
"""

from .elementwise import elementwise
from .linalg import AFFINE, MATMUL
from .reduce import MAX, MEAN, MIN, STD, SUM, VAR, all_axes, count, degrees_of_freedom, norm_axes
from .registry import TENSOR_OPS, TensorOp
from .shape import BROADCAST_TO, CONCATENATE, GETITEM, RESHAPE, SCATTER_ADD, STACK, TRANSPOSE, WHERE
from .softmax import LOG_SOFTMAX, LOGSUMEXP, SOFTMAX, SOFTMAX_CROSS_ENTROPY, label_range_message

__all__ = [
    "TENSOR_OPS", "TensorOp", "elementwise",
    "MATMUL", "AFFINE", "TRANSPOSE", "RESHAPE", "BROADCAST_TO", "GETITEM", "SCATTER_ADD", "CONCATENATE",
    "STACK", "WHERE", "SUM", "MEAN", "MAX", "MIN", "VAR", "STD", "SOFTMAX", "LOG_SOFTMAX", "LOGSUMEXP",
    "SOFTMAX_CROSS_ENTROPY", "norm_axes", "all_axes", "count", "degrees_of_freedom", "label_range_message",
]
