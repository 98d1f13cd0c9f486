"""autodiff: reverse-mode automatic differentiation you can read and look at.

    >>> from autodiff import Value
    >>> x = Value(0.5, label="x"); w = Value(-1.5, label="w"); b = Value(2.0, label="b")
    >>> y = (x * w + b).tanh(); y.backward()
    >>> round(w.grad, 6)   # ∂y/∂w = (1 − y²)·x
    0.140207
"""

from .check import GradcheckReport, gradcheck
from .creation import (
    arange,
    default_generator,
    full,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    randn,
    zeros,
    zeros_like,
)
from .custom_op import define_op
from .engine import BackwardStep, backward_steps, topological_order
from .errors import (
    AutodiffError,
    DomainError,
    GradError,
    NonFiniteError,
    RepeatedBackwardWarning,
    ShapeError,
    TensorIndexError,
    TraceError,
)
from .forward import OpCounts, count_ops
from .functional import (
    abs,
    bce_with_logits,
    clip,
    cos,
    elu,
    exp,
    leaky_relu,
    log,
    maximum,
    minimum,
    relu,
    sigmoid,
    sin,
    sqrt,
    step,
    tanh,
    where,
)
from .grad_mode import enable_grad, is_grad_enabled, no_grad
from .ops import OPS
from .tangent_trace import TangentTrace, tangent_trace
from .tensor import Tensor
from .tensor_functions import (
    affine,
    broadcast_to,
    cat,
    concatenate,
    scatter_add,
    softmax_cross_entropy,
    stack,
)
from .tracing import Program, TraceCounts, trace
from .transforms import grad, hessian, hvp, jacfwd, jacobian, jacrev, jvp, value_and_grad, vjp
from .value import Value
from .viz import Stepper, draw, draw_steps, explain, save, save_steps, stepper, trace_backward

__version__ = "0.1.0"

__all__ = [
    "Value", "Tensor", "grad", "value_and_grad", "vjp", "jvp", "jacrev", "jacfwd", "jacobian", "hessian",
    "hvp", "count_ops", "OpCounts", "define_op", "manual_seed", "default_generator", "zeros", "ones", "full",
    "arange", "linspace", "rand", "randn", "zeros_like", "ones_like", "tangent_trace", "TangentTrace",
    "trace", "Program", "TraceCounts", "TraceError", "affine", "softmax_cross_entropy", "concatenate", "cat", "stack", "maximum", "minimum", "no_grad", "backward_steps", "BackwardStep", "enable_grad", "is_grad_enabled", "topological_order",
    "gradcheck", "GradcheckReport", "OPS",
    "AutodiffError", "RepeatedBackwardWarning", "DomainError", "GradError", "NonFiniteError", "ShapeError", "TensorIndexError",
    "exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "relu", "leaky_relu", "elu", "step",
    "clip", "bce_with_logits", "where", "broadcast_to", "scatter_add", "draw", "draw_steps", "explain", "save_steps", "trace_backward",
    "save", "stepper", "Stepper",
]
