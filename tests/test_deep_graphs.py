"""Graphs a million nodes deep: backward is iterative, so no RecursionError, and exact grads.

The values are chosen so every intermediate sum is exactly representable: the expected
gradients are exact, not approximate. The cyclic garbage collector is paused while these tests
build millions of nodes (a Value graph holds no reference cycles, so it has nothing to find and
only costs time); reference counting still frees every graph.
"""

from __future__ import annotations

import gc
import math
import sys

import pytest

from autodiff import Value, topological_order

N = 10 ** 6

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _no_cycle_collector():
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def test_chain_a_million_nodes_deep():
    """y₀ = x, y_{k+1} = y_k·c + s with c = −1, s = 2⁻²⁰, K = N/2 steps of two nodes each (a path
    of N nodes from root to x): y_k alternates between x and s − x.

    ∂y_K/∂x = (−1)^K, ∂y_K/∂s = Σ_{k=1..K} (−1)^{K−k} = 0 for even K, and
    ∂y_K/∂c = Σ_k y_k·(−1)^{K−1−k} = (K/2)·(s − 2x) for even K."""
    steps = N // 2
    assert sys.getrecursionlimit() < N
    x, c, s = Value(0.5, "x"), Value(-1.0, "c"), Value(2.0 ** -20, "s")
    y = x
    for _ in range(steps):
        y = y * c + s
    assert y.data == 0.5
    y.backward()
    assert x.grad == 1.0
    assert s.grad == 0.0
    assert c.grad == (steps // 2) * (2.0 ** -20 - 1.0)
    order = topological_order(y)
    assert len(order) == 2 * steps + 3                    # every * and + node, then x, c, s
    assert order[0] is y and order[2 * steps - 1].parents[0] is x


def test_python_sum_of_a_million_products_is_a_deep_chain():
    """sum(w_i·x) builds a chain N additions deep; ∂/∂w_i = x and ∂/∂x = Σ w_i."""
    ws = [Value(float(i % 7 - 3)) for i in range(N)]
    x = Value(2.0, "x")
    total = sum(w * x for w in ws)
    assert total.data == 2.0 * sum(i % 7 - 3 for i in range(N))
    total.backward()
    assert x.grad == float(sum(i % 7 - 3 for i in range(N)))
    assert all(w.grad == 2.0 for w in ws[:1000]) and ws[-1].grad == 2.0
    assert sum(w.grad for w in ws) == 2.0 * N


def test_value_sum_of_a_million_terms_is_one_node():
    xs = [Value(float(i % 5)) for i in range(N)]
    s = Value.sum(xs)
    assert len(s.parents) == N and s.local_grads == (1.0,) * N
    assert s.data == float(sum(i % 5 for i in range(N)))
    y = s * s                                       # ∂y/∂x_i = 2s
    y.backward()
    assert s.grad == 2 * s.data
    assert all(x.grad == 2 * s.data for x in xs)
    order = topological_order(y)
    assert order[:2] == [y, s] and len(order) == 2 + N


def test_backward_allocates_nothing_per_node_so_the_collector_never_runs():
    """The engine's sort and the chain-rule pass create no garbage-collected object per node (the
    collector runs after every 700 such allocations and would scan the whole graph on its older
    generations): with the collector on, a 200,000-node backward triggers no collection."""
    x = Value(0.5)
    y, v, expected = x, 0.5, 1.0
    for _ in range(100_000):
        y = (y * 1.0).tanh()
        v = math.tanh(v)
        expected *= 1.0 - v * v
    collections = []

    def count(phase, info):
        if phase == "start":
            collections.append(info["generation"])

    gc.enable()
    gc.collect()
    gc.callbacks.append(count)
    try:
        y.backward()
    finally:
        gc.callbacks.remove(count)
    assert collections == []
    assert x.grad == pytest.approx(expected, rel=1e-9)
