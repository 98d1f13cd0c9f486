"""Scalar ``Value`` against micrograd and a plain-float floor, in one process, with ratios.

    python benchmarks/bench_value.py            # full run (a few minutes)
    python benchmarks/bench_value.py --quick    # smoke run (well under a minute)
    python benchmarks/bench_value.py --profile  # also cProfile a few of our demo steps

Workloads (each printed with its target and PASS/MISS):

1. micrograd's own demo: MLP 2→16→16→1 (ReLU hidden, linear output) on 100 two-moons
   points, mean hinge loss + 1e-4·Σp², full-batch SGD (lr 0.1). Seconds per training step
   (zero grads, forward, backward, update) with the garbage collector left on, for us,
   micrograd (its own ``micrograd.nn.MLP``; also with gc off, for context) and a hand-written
   plain-float MLP with no graph at all (the floor). All three start from the same weights,
   so their loss curves must agree: the script checks they do. Also our step traced once with
   ``autodiff.trace`` and replayed (straight-line code, no graph), parameters updated in place:
   targets within 2x of the floor and >= 200x micrograd.
2. Engine cost per node: the same expression code run with each library's ``Value``.
3. Our backward cost per node from 10^3 to 10^6 nodes (a deep chain and a wide sum).
4. Bytes per node of a built graph (tracemalloc), us against micrograd.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import math
import platform
import pstats
import random
import statistics
import sys
import time
import tracemalloc
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from operator import mul
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, no install

import nn
from autodiff import Value, topological_order, trace  # noqa: E402

try:
    from micrograd.engine import Value as MGValue
    from micrograd.nn import MLP as MGMLP
except ImportError:  # pragma: no cover - the bench extra is missing
    sys.exit("micrograd is not installed: pip install -e '.[bench]'  (or pip install micrograd==0.1.0)")

# CPU time of this process (all timings): unlike wall-clock time it does not count the time other
# processes on a busy machine take from us. The timed code is single-threaded pure Python.
clock = time.process_time

# ----------------------------------------------------------------------------------------------
# Targets
# ----------------------------------------------------------------------------------------------
TARGET_DEMO_SPEEDUP = 20.0   # demo step, ours vs micrograd (gc on): at least this many times faster
TARGET_FLOOR_RATIO = 5.0     # demo step, ours / plain-float floor: at most this (aim)
TARGET_TRACED_FLOOR = 2.0    # demo step traced once (autodiff.trace) and replayed / floor: at most this
TARGET_TRACED_SPEEDUP = 200.0  # the traced step vs micrograd: at least this many times faster
TARGET_ENGINE_SPEEDUP = 3.0  # forward+backward per node, ours vs micrograd (gc on)
TARGET_BYTES_PER_NODE = 250  # built graph, tracemalloc
TARGET_FLAT = 2.0            # backward per node: slowest size / fastest size at most this


@dataclass(frozen=True)
class Config:
    demo_warmup: int
    demo_steps: int            # ours, floor
    demo_steps_mg: int         # micrograd (gc on and gc off)
    engine_sizes: tuple        # ((N pairs, repetitions), ...): the expression has 10·N − 1 nodes
    scale_sizes: tuple
    scale_work: int            # node visits per timed batch (small graphs loop backward)
    scale_reps: int
    memory_pairs: int


FULL = Config(demo_warmup=2, demo_steps=30, demo_steps_mg=15,
              engine_sizes=((1_000, 15), (10_000, 7), (100_000, 3)),
              scale_sizes=(10**3, 10**4, 10**5, 10**6), scale_work=10**6, scale_reps=3,
              memory_pairs=20_000)
QUICK = Config(demo_warmup=1, demo_steps=5, demo_steps_mg=2,
               engine_sizes=((1_000, 5), (10_000, 2)),
               scale_sizes=(10**3, 10**4, 10**5, 10**6), scale_work=5 * 10**5, scale_reps=1,
               memory_pairs=5_000)

SEED = 1337
N_POINTS = 100
NOISE = 0.1
LR = 0.1
ALPHA = 1e-4
LAYERS = (2, [16, 16, 1])


# ----------------------------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------------------------
@contextmanager
def gc_mode(enabled: bool):
    """Run the body with the cycle collector on or off, restoring the previous state."""
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        yield
    finally:
        (gc.enable if was else gc.disable)()


def _version(dist: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:
        return "?"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def fmt_time(seconds: float) -> str:
    if seconds >= 1.0:
        return f"{seconds:.3f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


def count_nodes_mg(root) -> int:
    """Nodes reachable from a micrograd root (iteratively: its graphs can be deep)."""
    seen = {id(root)}
    stack = [root]
    while stack:
        for child in stack.pop()._prev:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen)


def count_nodes_ours(root) -> int:
    return len(topological_order(root))


def tree_sum(terms: list):
    """Σ terms combined pairwise: depth log2(n), so micrograd's recursive backward survives."""
    while len(terms) > 1:
        paired = [a + b for a, b in zip(terms[0::2], terms[1::2])]
        if len(terms) % 2:
            paired.append(terms[-1])
        terms = paired
    return terms[0]


def make_moons(n: int = N_POINTS, noise: float = NOISE, seed: int = SEED):
    """Two interleaving half circles (as sklearn.datasets.make_moons), labels ±1, plain floats."""
    rng = np.random.default_rng(seed)
    n_out, n_in = n // 2, n - n // 2
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.vstack([np.column_stack([np.cos(t_out), np.sin(t_out)]),
                   np.column_stack([1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5])])
    X += rng.normal(scale=noise, size=X.shape)
    y = np.hstack([-np.ones(n_out), np.ones(n_in)])
    perm = rng.permutation(n)
    return X[perm].tolist(), y[perm].tolist()


# ----------------------------------------------------------------------------------------------
# Our model: nn.MLP (nn/scalar.py), micrograd's shape — ReLU hidden layers, linear output, each
# neuron one Value.dot node, parameters() ordered neuron by neuron as [w..., b] like micrograd's.
# ----------------------------------------------------------------------------------------------
def OurMLP(nin: int, nouts: list):  # noqa: N802 (stands where micrograd's MLP class stands)
    return nn.MLP(nin, nouts, activation="relu", output_activation="linear", seed=SEED)


def _scalar(out):
    """A one-output model may return a Value or a one-element list: accept both."""
    return out if isinstance(out, Value) else out[0]


def load_params(params: list, values: list) -> None:
    if len(params) != len(values):
        raise ValueError(f"model has {len(params)} parameters, expected {len(values)}")
    for p, v in zip(params, values):
        p.data = float(v)


# ----------------------------------------------------------------------------------------------
# Workload 1: the demo training step, three ways
# ----------------------------------------------------------------------------------------------
def ours_loss(model, X, Y) -> Value:
    inputs = [list(map(Value, row)) for row in X]
    scores = [_scalar(model(x)) for x in inputs]
    losses = [(1 + -yi * si).relu() for yi, si in zip(Y, scores)]
    data_loss = Value.sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * Value.sum([p * p for p in model.parameters()])
    return data_loss + reg_loss


def ours_step(model, X, Y) -> float:
    params = model.parameters()
    for p in params:
        p.grad = 0.0
    loss = ours_loss(model, X, Y)
    loss.backward()
    for p in params:
        p.data -= LR * p.grad
    return loss.data


def ours_step_phases(model, X, Y) -> tuple:
    """ours_step, timing its phases: (forward = build the loss graph, backward, zero grads + update)."""
    t0 = clock()
    params = model.parameters()
    for p in params:
        p.grad = 0.0
    t1 = clock()
    loss = ours_loss(model, X, Y)
    t2 = clock()
    loss.backward()
    t3 = clock()
    for p in params:
        p.data -= LR * p.grad
    del loss  # freeing the graph counts with the update
    t4 = clock()
    return t2 - t1, t3 - t2, (t1 - t0) + (t4 - t3)


def traced_step(program, params) -> float:
    """The demo step replayed from a traced program: no graph; the parameters updated in place."""
    loss, grads = program(*[p.data for p in params])
    for p, g in zip(params, grads):
        p.data -= LR * g
    return loss


def mg_loss(model, X, Y, pairwise: bool):
    """micrograd's demo loss, written as its README/demo notebook writes it."""
    total = tree_sum if pairwise else sum
    inputs = [list(map(MGValue, row)) for row in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * si).relu() for yi, si in zip(Y, scores)]
    data_loss = total(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * total([p * p for p in model.parameters()])
    return data_loss + reg_loss


def mg_step(model, X, Y, pairwise: bool) -> float:
    model.zero_grad()
    loss = mg_loss(model, X, Y, pairwise)
    loss.backward()
    for p in model.parameters():
        p.data -= LR * p.grad
    return loss.data


class FloatMLP:
    """The floor: plain Python floats, hand-written forward and backward, no graph at all.

    Same model, loss and update as the others; a competent hand-written loop (list
    comprehensions, ``sum(map(mul, ...))``, skipping zero deltas behind a ReLU)."""

    def __init__(self, sizes: list, values: list) -> None:
        it = iter(values)
        self.W, self.B = [], []
        for nin, nout in zip(sizes, sizes[1:]):
            W, B = [], []
            for _ in range(nout):  # micrograd's order: each neuron's weights, then its bias
                W.append([float(next(it)) for _ in range(nin)])
                B.append(float(next(it)))
            self.W.append(W)
            self.B.append(B)

    def step(self, X, Y) -> float:
        Ws, Bs = self.W, self.B
        nl = len(Ws)
        gW = [[[0.0] * len(row) for row in W] for W in Ws]
        gB = [[0.0] * len(B) for B in Bs]
        inv_n = 1.0 / len(X)
        data_loss = 0.0
        for x, y in zip(X, Y):
            acts = [x]
            a = x
            for l in range(nl):
                z = [sum(map(mul, row, a), b) for row, b in zip(Ws[l], Bs[l])]
                a = [v if v > 0.0 else 0.0 for v in z] if l < nl - 1 else z
                acts.append(a)
            margin = 1.0 - y * a[0]
            if not margin > 0.0:  # relu'(0) = 0: no gradient from this point
                continue
            data_loss += margin
            d = [-y * inv_n]  # ∂loss/∂score
            for l in range(nl - 1, -1, -1):
                a_in, gWl, gBl = acts[l], gW[l], gB[l]
                for j, dj in enumerate(d):
                    if dj != 0.0:
                        gWl[j] = [g + dj * ak for g, ak in zip(gWl[j], a_in)]
                        gBl[j] += dj
                if l:
                    da = [0.0] * len(a_in)
                    for dj, wrow in zip(d, Ws[l]):
                        if dj != 0.0:
                            da = [g + dj * w for g, w in zip(da, wrow)]
                    d = [g if ak > 0.0 else 0.0 for g, ak in zip(da, a_in)]  # through the ReLU
        reg = 0.0
        for W, B in zip(Ws, Bs):
            for row in W:
                reg += sum(map(mul, row, row))
            reg += sum(map(mul, B, B))
        two_alpha = 2.0 * ALPHA
        for W, B, gWl, gBl in zip(Ws, Bs, gW, gB):
            for j, row in enumerate(W):
                W[j] = [w - LR * (g + two_alpha * w) for w, g in zip(row, gWl[j])]
            B[:] = [b - LR * (g + two_alpha * b) for b, g in zip(B, gBl)]
        return data_loss * inv_n + ALPHA * reg


def time_steps(step, warmup: int, steps: int, gc_on: bool):
    """Per-step seconds of ``step()`` and the loss after every step (warm-up included).

    gc on: nothing else is done, so freeing the previous step's graph (by refcount, or by the
    cycle collector for micrograd's closures) is paid inside the steps, as a user pays it.
    gc off: the collector is off during each step and the garbage is collected between steps,
    untimed (otherwise micrograd's cyclic graphs would pile up in memory)."""
    gc.collect()
    times, losses = [], []
    for i in range(warmup + steps):
        if not gc_on:
            gc.collect()
        with gc_mode(gc_on):
            t0 = clock()
            loss = step()
            t = clock() - t0
        losses.append(float(loss))
        if i >= warmup:
            times.append(t)
    gc.collect()
    return times, losses


def mg_needs_pairwise(init_values, X, Y) -> bool:
    """Does micrograd's recursive backward overflow on the demo loss built with Python's sum()?"""
    random.seed(SEED)
    model = MGMLP(*LAYERS)
    load_params(model.parameters(), init_values)
    try:
        mg_loss(model, X, Y, pairwise=False).backward()
    except RecursionError:
        return True
    return False


def bench_demo(cfg: Config) -> dict:
    X, Y = make_moons()
    random.seed(SEED)
    init_values = [p.data for p in MGMLP(*LAYERS).parameters()]  # micrograd's own init
    sizes = [LAYERS[0]] + LAYERS[1]

    def fresh_ours():
        model = OurMLP(*LAYERS)
        load_params(model.parameters(), init_values)
        return model

    def fresh_mg():
        model = MGMLP(*LAYERS)
        load_params(model.parameters(), init_values)
        return model

    pairwise = mg_needs_pairwise(init_values, X, Y)
    r = {"pairwise": pairwise, "n_params": len(init_values)}
    r["nodes_ours"] = count_nodes_ours(ours_loss(fresh_ours(), X, Y))
    r["nodes_mg"] = count_nodes_mg(mg_loss(fresh_mg(), X, Y, pairwise))

    m = fresh_ours()
    r["ours"], loss_ours = time_steps(lambda: ours_step(m, X, Y), cfg.demo_warmup, cfg.demo_steps, True)
    m = fresh_ours()
    r["ours_nogc"], _ = time_steps(lambda: ours_step(m, X, Y), cfg.demo_warmup, cfg.demo_steps, False)
    m = fresh_ours()
    params = m.parameters()
    t0 = clock()
    program = trace(lambda *ps: ours_loss(m, X, Y), *params)  # once: its graph is m's, its inputs params
    r["trace_time"] = clock() - t0
    r["traced_counts"] = program.counts
    r["traced"], loss_traced = time_steps(lambda: traced_step(program, params), cfg.demo_warmup,
                                          cfg.demo_steps, True)
    f = FloatMLP(sizes, init_values)
    r["floor"], loss_floor = time_steps(lambda: f.step(X, Y), cfg.demo_warmup, cfg.demo_steps, True)
    g = fresh_mg()
    r["mg"], loss_mg = time_steps(lambda: mg_step(g, X, Y, pairwise), cfg.demo_warmup,
                                  cfg.demo_steps_mg, True)
    g = fresh_mg()
    r["mg_nogc"], _ = time_steps(lambda: mg_step(g, X, Y, pairwise), cfg.demo_warmup,
                                 cfg.demo_steps_mg, False)
    m = fresh_ours()
    gc.collect()
    phases = [ours_step_phases(m, X, Y) for _ in range(cfg.demo_warmup + cfg.demo_steps)]
    r["phases"] = [statistics.median(p[i] for p in phases[cfg.demo_warmup:]) for i in range(3)]
    k = min(len(loss_ours), len(loss_mg), len(loss_floor))
    r["loss_steps"] = k
    r["loss_first"], r["loss_last"] = loss_ours[0], loss_ours[k - 1]
    r["loss_diff_mg"] = max(abs(a - b) for a, b in zip(loss_ours[:k], loss_mg[:k]))
    r["loss_diff_floor"] = max(abs(a - b) for a, b in zip(loss_ours[:k], loss_floor[:k]))
    r["loss_diff_traced"] = max(abs(a - b) for a, b in zip(loss_ours, loss_traced))
    return r


# ----------------------------------------------------------------------------------------------
# Workload 2: engine cost per node, the same expression code for both Value classes
# ----------------------------------------------------------------------------------------------
def expression(xs: list, ws: list):
    """Σ over pairs of (x·w + 1).relu()·x + w², summed pairwise. Nine nodes per pair with either
    library (x, w, x·w, the constant 1, +, relu, ·x, w², +) plus one + per pairwise sum."""
    return tree_sum([(x * w + 1.0).relu() * x + w**2 for x, w in zip(xs, ws)])


def expression_leaves(cls, n: int, seed: int = SEED):
    rng = random.Random(seed)
    xs = [cls(rng.uniform(-1.0, 1.0)) for _ in range(n)]
    ws = [cls(rng.uniform(-1.0, 1.0)) for _ in range(n)]
    return xs, ws


def bench_engine(cls, count, n: int, reps: int, gc_on: bool) -> dict:
    xs, ws = expression_leaves(cls, n)
    nodes = None
    fwd, bwd = [], []
    for _ in range(reps):
        gc.collect()  # each repetition starts with no garbage; freeing the graph is not timed
        with gc_mode(gc_on):
            t0 = clock()
            root = expression(xs, ws)
            t1 = clock()
            root.backward()
            t2 = clock()
        fwd.append(t1 - t0)
        bwd.append(t2 - t1)
        if nodes is None:
            nodes = count(root)  # untimed
        del root
    gc.collect()
    fwd_m, bwd_m = statistics.median(fwd), statistics.median(bwd)
    return {"nodes": nodes, "fwd": fwd_m / nodes, "bwd": bwd_m / nodes, "total": (fwd_m + bwd_m) / nodes}


# ----------------------------------------------------------------------------------------------
# Workload 3: our backward per node as graphs grow (gc on)
# ----------------------------------------------------------------------------------------------
def deep_chain(n: int):
    """y ← y·a + b, repeated: a path about n nodes long (a, b shared leaves; a = 1, b = 0 keep
    the numbers ordinary, no subnormals)."""
    x, a, b = Value(0.5), Value(1.0), Value(0.0)
    y = x
    for _ in range((n - 3) // 2):
        y = y * a + b
    return y, 2 * ((n - 3) // 2) + 3


def wide_sum(n: int):
    """Σ tanh(xᵢ) as one n-ary sum node over about n/2 tanh nodes over n/2 leaves."""
    rng = random.Random(SEED)
    k = (n - 1) // 2
    return Value.sum([Value(rng.uniform(-1.0, 1.0)).tanh() for _ in range(k)]), 2 * k + 1


def bench_scaling(cfg: Config) -> list:
    """(shape, nodes, seconds per backward with gc on, with gc off) for each size."""
    rows = []
    for shape, build in (("deep chain", deep_chain), ("wide sum", wide_sum)):
        for n in cfg.scale_sizes:
            gc.collect()
            root, nodes = build(n)
            inner = max(1, cfg.scale_work // nodes)
            root.backward()  # warm-up (the timed calls below reset the root's grad first, as a
            # fresh graph's is: otherwise each call would also scan the leaves for the
            # RepeatedBackwardWarning, which is not the engine's cost)
            medians = []
            for gc_on in (True, False):
                per_call = []
                for _ in range(cfg.scale_reps):
                    gc.collect()
                    with gc_mode(gc_on):
                        t0 = clock()
                        for _ in range(inner):
                            root.grad = 0.0  # a fresh root: no repeated-backward check (one store)
                            root.backward()
                        per_call.append((clock() - t0) / inner)
                medians.append(statistics.median(per_call))
            rows.append((shape, nodes, *medians))
            del root
    gc.collect()
    return rows


# ----------------------------------------------------------------------------------------------
# Workload 4: bytes per node (tracemalloc)
# ----------------------------------------------------------------------------------------------
def bench_memory(cls, count, n: int) -> dict:
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        xs, ws = expression_leaves(cls, n)
        root = expression(xs, ws)
        del xs, ws  # the root keeps every leaf alive; the lists are not part of the graph
        gc.collect()
        built = tracemalloc.get_traced_memory()[0] - before
        root.backward()
        gc.collect()
        after = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    nodes = count(root)
    del root
    gc.collect()
    return {"nodes": nodes, "built": built / nodes, "after_backward": after / nodes}


# ----------------------------------------------------------------------------------------------
# Profile (optional): where our demo step spends its time
# ----------------------------------------------------------------------------------------------
def profile_demo(steps: int = 5, top: int = 15) -> str:
    X, Y = make_moons()
    random.seed(SEED)
    model = OurMLP(*LAYERS)
    ours_step(model, X, Y)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(steps):
        ours_step(model, X, Y)
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


# ----------------------------------------------------------------------------------------------
# Report
# ----------------------------------------------------------------------------------------------
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repetitions: a smoke run under a minute")
    ap.add_argument("--profile", action="store_true", help="also cProfile our demo step (top functions)")
    args = ap.parse_args(argv)
    cfg = QUICK if args.quick else FULL
    start = time.perf_counter()

    print(f"bench_value{' --quick' if args.quick else ''}: Python {platform.python_version()} "
          f"({platform.python_implementation()}), {platform.machine()}, gc thresholds {gc.get_threshold()}, "
          f"numpy {np.__version__}, micrograd {_version('micrograd')};\n"
          "times are this process's CPU time (time.process_time), so other load on the machine does not count")
    print("model: nn.MLP (Value.dot neurons, ReLU hidden, linear output)")
    print()

    # 1 ---------------------------------------------------------------------------------------
    d = bench_demo(cfg)
    med = {k: statistics.median(d[k]) for k in ("ours", "ours_nogc", "traced", "floor", "mg", "mg_nogc")}
    mean = {k: statistics.fmean(d[k]) for k in med}
    speedup = med["mg"] / med["ours"]
    floor_ratio = med["ours"] / med["floor"]
    traced_floor, traced_speedup = med["traced"] / med["floor"], med["mg"] / med["traced"]
    print("1. micrograd's demo: MLP 2-16-16-1 (ReLU, linear out), 100 moons, mean hinge + 1e-4*sum p^2,")
    print(f"   full-batch SGD lr {LR}; seconds per step (zero grad + forward + backward + update), "
          f"{d['n_params']} parameters")
    print(f"   {'implementation':<36}{'median':>11}{'mean':>11}{'steps':>7}{'nodes/step':>12}")
    rows = [("ours, gc on", "ours", d["nodes_ours"], cfg.demo_steps),
            ("ours, gc off (context)", "ours_nogc", d["nodes_ours"], cfg.demo_steps),
            ("ours traced (autodiff.trace), gc on", "traced", None, cfg.demo_steps),
            ("micrograd, gc on", "mg", d["nodes_mg"], cfg.demo_steps_mg),
            ("micrograd, gc off (context)", "mg_nogc", d["nodes_mg"], cfg.demo_steps_mg),
            ("plain floats, hand-written (floor)", "floor", None, cfg.demo_steps)]
    for name, key, nodes, steps in rows:
        print(f"   {name:<36}{fmt_time(med[key]):>11}{fmt_time(mean[key]):>11}{steps:>7}"
              f"{(str(nodes) if nodes else '-'):>12}")
    how = ("pairwise (tree) sums for micrograd only: its recursive backward hit RecursionError with "
           "Python's sum()" if d["pairwise"] else
           "micrograd sums with Python's sum() as its demo does (no RecursionError at this size)")
    print(f"   micrograd: {how}")
    print(f"   same start, same losses: step 1..{d['loss_steps']} loss {d['loss_first']:.6f} -> "
          f"{d['loss_last']:.6f}; max |ours - micrograd| = {d['loss_diff_mg']:.1e}, "
          f"max |ours - floor| = {d['loss_diff_floor']:.1e}")
    fw, bw, other = d["phases"]
    print(f"   where our step goes (gc on, medians): forward/graph build {fmt_time(fw)}, backward {fmt_time(bw)}, "
          f"zero grads + update + free {fmt_time(other)}")
    print(f"   nodes per step: ours {d['nodes_ours']}, micrograd {d['nodes_mg']} "
          f"({d['nodes_mg'] / d['nodes_ours']:.1f}x as many)")
    print(f"   speedup ours vs micrograd (gc on, median): {speedup:6.1f}x   target >= {TARGET_DEMO_SPEEDUP:.0f}x  "
          f"{verdict(speedup >= TARGET_DEMO_SPEEDUP)}   (by mean {mean['mg'] / mean['ours']:.1f}x; "
          f"gc off both: {med['mg_nogc'] / med['ours_nogc']:.1f}x)")
    print(f"   ours / floor (gc on, median):              {floor_ratio:6.1f}x   target <= {TARGET_FLOOR_RATIO:.0f}x   "
          f"{verdict(floor_ratio <= TARGET_FLOOR_RATIO)}   (micrograd / floor {med['mg'] / med['floor']:.0f}x)")
    c = d["traced_counts"]
    print(f"   traced once ({fmt_time(d['trace_time'])}: {c.forward} forward and {c.adjoint_lines} adjoint lines "
          f"compiled), replayed each step: same losses as ours, max |traced - ours| = {d['loss_diff_traced']:.1e}")
    print(f"   traced / floor (gc on, median):            {traced_floor:6.2f}x   target <= {TARGET_TRACED_FLOOR:.0f}x   "
          f"{verdict(traced_floor <= TARGET_TRACED_FLOOR)}")
    print(f"   speedup traced vs micrograd (gc on):       {traced_speedup:6.0f}x   target >= {TARGET_TRACED_SPEEDUP:.0f}x "
          f"{verdict(traced_speedup >= TARGET_TRACED_SPEEDUP)}   (traced vs ours untraced {med['ours'] / med['traced']:.1f}x)")
    print()

    # 2 ---------------------------------------------------------------------------------------
    print("2. engine cost per node: sum over N pairs of (x*w + 1.0).relu()*x + w**2, summed pairwise; the same")
    print("   code run with each library's Value (identical graphs: 10N - 1 nodes, leaves included);")
    print("   µs per graph node, median of the repetitions; leaves built and graph freed untimed")
    print(f"   {'nodes':>9}  {'':<18}{'forward':>9}{'backward':>10}{'total':>9}   micrograd/ours (fwd, bwd, total)")
    eng_by_size = []
    for n, reps in cfg.engine_sizes:
        e = {}
        for lib, cls, count in (("ours", Value, count_nodes_ours), ("mg", MGValue, count_nodes_mg)):
            for gc_on in (True, False):
                e[lib, gc_on] = bench_engine(cls, count, n, reps, gc_on)
        assert e["ours", True]["nodes"] == e["mg", True]["nodes"], "the two graphs should match"
        for gc_on in (True, False):
            for lib, name in (("ours", "ours"), ("mg", "micrograd")):
                r = e[lib, gc_on]
                label = f"{name}, gc {'on' if gc_on else 'off'}"
                ratio = ""
                if lib == "mg":
                    o = e["ours", gc_on]
                    ratio = (f"   {r['fwd'] / o['fwd']:.1f}x, {r['bwd'] / o['bwd']:.1f}x, "
                             f"{r['total'] / o['total']:.1f}x")
                print(f"   {r['nodes']:>9}  {label:<18}{r['fwd'] * 1e6:>9.3f}{r['bwd'] * 1e6:>10.3f}"
                      f"{r['total'] * 1e6:>9.3f}{ratio}")
        eng = e["mg", True]["total"] / e["ours", True]["total"]
        eng_by_size.append((e["ours", True]["nodes"], eng))
    for nodes, eng in eng_by_size:
        print(f"   engine speedup per node at {nodes:>7} nodes (gc on, forward+backward): {eng:4.1f}x   "
              f"target >= {TARGET_ENGINE_SPEEDUP:.0f}x  {verdict(eng >= TARGET_ENGINE_SPEEDUP)}")
    eng = min(x for _, x in eng_by_size)
    print()

    # 3 ---------------------------------------------------------------------------------------
    rows = bench_scaling(cfg)
    print(f"3. our backward cost per node as the graph grows (median of {cfg.scale_reps}; small graphs "
          f"loop backward() to ~{cfg.scale_work:.0e} node visits); target on gc on, gc off for context")
    print(f"   {'graph':<12}{'nodes':>10}{'backward':>12}{'ns/node':>10}{'ns/node gc off':>16}")
    spreads = {}
    for shape in ("deep chain", "wide sum"):
        per = [r for r in rows if r[0] == shape]
        for _, nodes, t_on, t_off in per:
            print(f"   {shape:<12}{nodes:>10}{fmt_time(t_on):>12}{t_on / nodes * 1e9:>10.0f}"
                  f"{t_off / nodes * 1e9:>16.0f}")
        on = [r[2] / r[1] for r in per]
        off = [r[3] / r[1] for r in per]
        spreads[shape] = max(on) / min(on)
        print(f"   {shape}: slowest / fastest per node = {spreads[shape]:.2f} (gc off {max(off) / min(off):.2f})")
    worst = max(spreads.values())
    flat_ok = worst <= TARGET_FLAT
    top = max(cfg.scale_sizes)
    print(f"   flat per-node backward up to 10^{round(math.log10(top))}: worst spread {worst:.2f}   "
          f"target <= {TARGET_FLAT:.1f}  {verdict(flat_ok)}")
    print()

    # 4 ---------------------------------------------------------------------------------------
    m = cfg.memory_pairs
    mo = bench_memory(Value, count_nodes_ours, m)
    mm = bench_memory(MGValue, count_nodes_mg, m)
    print(f"4. bytes per node (tracemalloc), the expression graph of workload 2 with {m} pairs "
          f"({mo['nodes']} nodes), leaves included")
    print(f"   {'':<14}{'built':>10}{'after backward':>16}")
    print(f"   {'ours':<14}{mo['built']:>10.0f}{mo['after_backward']:>16.0f}")
    print(f"   {'micrograd':<14}{mm['built']:>10.0f}{mm['after_backward']:>16.0f}")
    print(f"   ours {mo['built']:.0f} B/node built (micrograd {mm['built'] / mo['built']:.1f}x as much)   "
          f"target <= {TARGET_BYTES_PER_NODE}  {verdict(mo['built'] <= TARGET_BYTES_PER_NODE)}")
    print()

    # summary ---------------------------------------------------------------------------------
    print("summary")
    top_exp = round(math.log10(top))
    summary = [
        (f"demo step >= {TARGET_DEMO_SPEEDUP:.0f}x faster than micrograd (gc on, median)", f"{speedup:.1f}x",
         speedup >= TARGET_DEMO_SPEEDUP),
        (f"demo step within {TARGET_FLOOR_RATIO:.0f}x of the plain-float floor (aim)", f"{floor_ratio:.1f}x",
         floor_ratio <= TARGET_FLOOR_RATIO),
        (f"traced demo step within {TARGET_TRACED_FLOOR:.0f}x of the floor", f"{traced_floor:.2f}x",
         traced_floor <= TARGET_TRACED_FLOOR),
        (f"traced demo step >= {TARGET_TRACED_SPEEDUP:.0f}x faster than micrograd", f"{traced_speedup:.0f}x",
         traced_speedup >= TARGET_TRACED_SPEEDUP),
        (f"engine >= {TARGET_ENGINE_SPEEDUP:.0f}x faster per node (gc on, worst size)", f"{eng:.1f}x",
         eng >= TARGET_ENGINE_SPEEDUP),
        (f"<= {TARGET_BYTES_PER_NODE} bytes per node (built graph)", f"{mo['built']:.0f} B",
         mo["built"] <= TARGET_BYTES_PER_NODE),
        (f"flat backward per node up to 10^{top_exp} (spread <= {TARGET_FLAT:.0f})", f"{worst:.2f}", flat_ok),
    ]
    for what, value, ok in summary:
        print(f"   {what:<58}{value:>9}  {verdict(ok)}")
    print(f"   total time {time.perf_counter() - start:.0f} s (wall clock)")

    if args.profile:
        print()
        print("cProfile of 5 of our demo steps (gc on), by own time:")
        print(profile_demo())
    return 0


if __name__ == "__main__":
    sys.exit(main())
