"""The exceptions autodiff raises. Each message says what was wrong and what to do."""

from __future__ import annotations


class AutodiffError(Exception):
    """Base class of every error this library raises on purpose."""


class DomainError(AutodiffError, ValueError):
    """An op was applied outside its mathematical domain, e.g. log(-1) or sqrt(-4)."""


class ShapeError(AutodiffError, ValueError):
    """Operand shapes do not fit, e.g. ``(32, 64) @ (100, 30)``."""


class TensorIndexError(ShapeError, IndexError):
    """An index does not fit a tensor, e.g. ``t[5]`` on a tensor of length 3 (an IndexError, as
    Python expects of ``[]``, and a ShapeError)."""


class GradError(AutodiffError, RuntimeError):
    """backward() cannot run as asked, e.g. a non-scalar output without a seed gradient."""


class NonFiniteError(AutodiffError, FloatingPointError):
    """A value or gradient became NaN or infinite where finite numbers were required."""


class RepeatedBackwardWarning(UserWarning):
    """backward() ran again on a graph it already ran on: the leaves' gradients accumulate (are
    now doubled). Silence it with ``warnings.simplefilter("ignore", RepeatedBackwardWarning)``."""


class TraceError(AutodiffError, ValueError):
    """``autodiff.trace`` cannot record f as asked, e.g. f returned a vector, or a value it uses
    would be baked into the program where it must vary (a tensor that requires grad but is not
    an input)."""
