"""The notebooks' two helpers: a hand computation beside autodiff's, asserted.

    compare([(name, by_hand, by_autodiff), ...])   numbers, one row each, |hand − autodiff| ≤ tol·max(1, |hand|)
    same(name, by_hand, by_autodiff)               arrays: same shape, max |hand − autodiff| ≤ tol·max(1, max |hand|)

The tolerance is 1e-12 by default: hand formula and autodiff do the same arithmetic in another order,
so they agree to rounding, on any machine. (Pictures need no helper: ``autodiff.draw`` fits each to
the page.)
"""

from __future__ import annotations

import numpy as np

__all__ = ["compare", "same"]


def compare(rows, tol: float = 1e-12) -> None:
    """Print (quantity, by hand, autodiff) rows side by side and assert each pair agrees to ``tol``."""
    rows = list(rows)
    width = max(len("quantity"), *(len(name) for name, _, _ in rows)) + 2
    print(f"{'quantity':<{width}}{'by hand':>20}{'autodiff':>20}")
    for name, hand, auto in rows:
        print(f"{name:<{width}}{hand:>20.12g}{auto:>20.12g}")
        assert abs(hand - auto) <= tol * max(1.0, abs(hand)), (name, hand, auto)


def same(name: str, hand, auto, tol: float = 1e-12) -> None:
    """Print the largest |hand − autodiff| of two arrays and assert equal shapes and agreement to ``tol``."""
    hand, auto = np.asarray(hand, dtype=float), np.asarray(auto, dtype=float)
    assert hand.shape == auto.shape, (name, hand.shape, auto.shape)
    diff = np.abs(hand - auto).max() if hand.size else 0.0
    print(f"{name:<28} shape {str(hand.shape):<8} max |by hand − autodiff| = {diff:.1e}")
    assert diff <= tol * max(1.0, np.abs(hand).max()), name
