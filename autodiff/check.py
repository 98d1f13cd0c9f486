"""gradcheck: compare backward()'s gradients with central finite differences.

    ∂f/∂x ≈ (f(x + h) − f(x − h)) / 2h,   h = eps · max(1, |x|)

The truncation error is O(h²) and the rounding error O(ε_machine/h), so with eps = 1e-6 the
estimate is good to about 1e-9 relative for smooth f: far tighter than any real bug.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .errors import AutodiffError, GradError
from .grad_mode import no_grad


class GradcheckError(AutodiffError, AssertionError):
    """Analytic and numerical gradients disagree beyond tolerance."""


@dataclass
class GradcheckRow:
    name: str
    index: tuple
    analytic: float
    numeric: float
    abs_err: float
    rel_err: float
    ok: bool


@dataclass
class GradcheckReport:
    """One row per input element: analytic, numeric, absolute and relative error.

    Truthy when every row is within tolerance; ``print(report)`` shows the table."""

    rows: list[GradcheckRow] = field(default_factory=list)
    atol: float = 0.0
    rtol: float = 0.0

    @property
    def passed(self) -> bool:
        return all(r.ok for r in self.rows)

    def __bool__(self) -> bool:
        return self.passed

    @property
    def max_abs_err(self) -> float:
        return max((r.abs_err for r in self.rows), default=0.0)

    def __str__(self) -> str:
        head = f"{'input':<12}{'index':<10}{'analytic':>16}{'numeric':>16}{'abs err':>11}{'rel err':>11}"
        lines = [head, "-" * len(head)]
        for r in self.rows:
            idx = ",".join(map(str, r.index)) or "-"
            flag = "" if r.ok else "   <-- FAIL"
            lines.append(f"{r.name:<12.12}{idx:<10}{r.analytic:>16.9g}{r.numeric:>16.9g}"
                         f"{r.abs_err:>11.2e}{r.rel_err:>11.2e}{flag}")
        verdict = "passed" if self.passed else "FAILED"
        lines.append(f"gradcheck {verdict}: {len(self.rows)} partial derivatives, "
                     f"max abs err {self.max_abs_err:.2e} (atol={self.atol:g}, rtol={self.rtol:g})")
        return "\n".join(lines)


def _scalar_of(out) -> float:
    data = getattr(out, "data", out)
    arr = np.asarray(data, dtype=float)
    if arr.size != 1:
        raise GradError(f"gradcheck needs f to return a scalar, got shape {arr.shape}: "
                        "reduce it first, e.g. return f(x).sum()")
    return float(arr.reshape(()))


def gradcheck(f: Callable, inputs: Sequence, *, eps: float = 1e-6, atol: float = 1e-6,
              rtol: float = 1e-5, raise_exception: bool = False) -> GradcheckReport:
    """Check ``f(*inputs).backward()`` against central differences, for every input element.

    ``inputs`` are Values or Tensors (leaves); ``f`` returns a scalar node. The inputs' ``grad``
    are restored afterwards. A row passes when |analytic − numeric| ≤ atol + rtol·|numeric|.
    Returns a report (falsy on failure); with ``raise_exception`` a failure raises
    ``GradcheckError`` carrying the table.
    """
    inputs = list(inputs)
    saved = [x.grad for x in inputs]
    for x in inputs:
        x.grad = 0.0 if isinstance(x.data, float) else None
    try:
        out = f(*inputs)
        _scalar_of(out)
        out.backward()
        analytic = [x.grad for x in inputs]
    finally:
        for x, g in zip(inputs, saved):
            x.grad = g

    report = GradcheckReport(atol=atol, rtol=rtol)
    for k, x in enumerate(inputs):
        name = getattr(x, "label", "") or f"input{k}"
        if isinstance(x.data, float):
            indices, get, put = [()], (lambda i, x=x: x.data), (lambda i, v, x=x: setattr(x, "data", v))
            grads = [analytic[k]]
        else:
            arr = x.data
            indices = list(np.ndindex(arr.shape))
            get = (lambda i, arr=arr: float(arr[i]))
            put = (lambda i, v, arr=arr: arr.__setitem__(i, v))
            g = analytic[k]
            grads = [0.0 if g is None else float(g[i]) for i in indices]
        for i, a in zip(indices, grads):
            x0 = get(i)
            h = eps * max(1.0, abs(x0))
            try:
                with no_grad():
                    put(i, x0 + h)
                    fp = _scalar_of(f(*inputs))
                    put(i, x0 - h)
                    fm = _scalar_of(f(*inputs))
            finally:
                put(i, x0)
            num = (fp - fm) / (2 * h)
            err = abs(a - num)
            rel = err / max(abs(num), abs(a), 1e-300)
            ok = bool(err <= atol + rtol * abs(num))
            report.rows.append(GradcheckRow(name, tuple(i), float(a), num, err, rel, ok))
    if raise_exception and not report.passed:
        raise GradcheckError("analytic and numerical gradients disagree:\n" + str(report))
    return report
