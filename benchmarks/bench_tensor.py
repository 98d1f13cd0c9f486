"""Benchmark the Tensor node against hand-written numpy, PyTorch, HIPS autograd, MyGrad and JAX.

    python benchmarks/bench_tensor.py            # full run (~2 min on 2 idle cores)
    python benchmarks/bench_tensor.py --quick    # smoke run (< 60 s)
    python benchmarks/bench_tensor.py --profile sine     # cProfile of ours, sorted by tottime
    python benchmarks/bench_tensor.py --profile digits
    options: --only digits,sine,wide,ops   --skip torchN,...   --blas-threads 1   --mallopt

One process, every library on the same data, the same initial weights and the same math (a layer
X@W + b, activation, softmax cross-entropy, (d*d).mean() for MSE). autograd and MyGrad build the
cross-entropy as log_softmax + index + mean; ours and PyTorch use what their users would:
`autodiff.affine` + `autodiff.softmax_cross_entropy` (what nn.Linear and nn.losses call) and
`torch.addmm` + `torch.nn.functional.cross_entropy` (each a fused node),
and the same hand-written optimizer: Adam (PyTorch's formula) on numpy arrays for numpy /
autograd / MyGrad / ours, the same Adam written with in-place torch ops for PyTorch (not
torch.optim.Adam). Before timing, every library's loss at step 1 and after one optimizer step
is asserted equal to the numpy floor's to 1e-8, and its step-1 gradients too, so all do the same
work. Times are medians over repetitions after a warm-up; ratios are to the numpy floor
(forward + backward with explicit delta rules).

Two more rows: ours traced (``autodiff.trace`` once per minibatch shape, then the program
replayed: no graph; targets <= 1.0x numpy on digits and sine) and, where installed, JAX as it is
used (float64, ``jit(value_and_grad(loss))`` and a jitted Adam/SGD of the same formulas, the
parameters kept as JAX arrays; skipped when jax is missing, and in no extra: ``pip install jax
jaxlib``). Neither runs the per-op rows (they time whole programs).

Workloads
  digits   one epoch, MLP 64-100-30-10 ReLU, softmax CE, Adam lr 1e-3, minibatch 32, shuffled,
           8x8 digits 80/20 split (nn.data.digits, else sklearn, else synthetic: printed)
  sine     1000 full-batch SGD steps, MLP 1-20-1 tanh, MSE, 30 noisy points (overhead-bound)
  wide     one forward+backward, MLP 784-256-256-10 ReLU, softmax CE, batch 256 (BLAS-bound)
  per-op   µs per forward+backward of one op, seeded with ones: c = op(a, b); c.backward(ones)
           (autograd: make_vjp(op, argnum=(0, 1))(a, b)[0](ones)); leaf grads reset each time
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from autodiff import Tensor, affine, softmax_cross_entropy, trace  # noqa: E402

TOL = 1e-8
B1, B2, EPS = 0.9, 0.999, 1e-8
ADAM_LR = 1e-3
SINE_LR = 0.01

# targets for ours: ratio to numpy (digits, sine, wide) or absolute µs (add)
TARGETS = {"digits": 1.3, "sine": 3.0, "wide": 1.05}
TRACED_TARGETS = {"digits": 1.0, "sine": 1.0}  # ours traced once and replayed (autodiff.trace)
ADD_TARGET_US = 5.0
PEERS = {
    "digits": "PyTorch 2.5x, MyGrad 1.6-2.0x, autograd 4.1x (numpy ~ 6 ms/epoch)",
    "sine": "PyTorch 6x, MyGrad 4.5-7x, autograd 13x",
    "wide": "PyTorch 0.8x, MyGrad 1.0x",
    "add": "PyTorch 15 us, MyGrad 8-12 us, autograd 43 us",
}


# --- optimizers, written once per array family ------------------------------------------------
class NumpyAdam:
    """Adam with PyTorch's formula, in place on numpy arrays (shared by numpy/autograd/MyGrad/ours)."""

    def __init__(self, params: list) -> None:
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, params: list, grads: list) -> None:
        self.t += 1
        bc1 = 1.0 - B1**self.t
        sqrt_bc2 = math.sqrt(1.0 - B2**self.t)
        step = ADAM_LR / bc1
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= B1
            m += (1.0 - B1) * g
            v *= B2
            v += (1.0 - B2) * (g * g)
            denom = np.sqrt(v)
            denom /= sqrt_bc2
            denom += EPS
            p -= step * (m / denom)


def sgd(params: list, grads: list) -> None:
    for p, g in zip(params, grads):
        p -= SINE_LR * g


# --- the five implementations: fb(X, t) -> loss (forward + backward), then step() --------------
class NumpyUpdates:
    """The shared optimizer steps for libraries whose parameters and grads are numpy arrays:
    ``arrays()`` and ``grads()`` (self.p / self.g unless a node library overrides them)."""

    def __init__(self, params: list, act: str, loss: str) -> None:
        self.p = [q.copy() for q in params]
        self.act, self.loss = act, loss
        self.g: list = []
        self.opt = NumpyAdam(self.p)

    def arrays(self) -> list:
        return self.p

    def grads(self) -> list:
        return self.g

    def adam(self) -> None:
        self.opt.step(self.arrays(), self.grads())

    def sgd(self) -> None:
        sgd(self.arrays(), self.grads())


class NumpyMLP(NumpyUpdates):
    """The floor: hand-written forward and backward with explicit delta rules."""

    name = "numpy (hand-written)"

    def fb(self, X, t) -> float:
        p, n_layers = self.p, len(self.p) // 2
        acts = [X]
        a = X
        for i in range(n_layers):
            z = a @ p[2 * i] + p[2 * i + 1]
            if i < n_layers - 1:
                a = np.maximum(z, 0.0) if self.act == "relu" else np.tanh(z)
                acts.append(a)
        n = len(t)
        if self.loss == "ce":
            mx = z.max(axis=1, keepdims=True)
            e = np.exp(z - mx)
            s = e.sum(axis=1, keepdims=True)
            rows = np.arange(n)
            loss = -(z[rows, t] - mx[:, 0] - np.log(s[:, 0])).mean()
            dz = e / s
            dz[rows, t] -= 1.0
            dz /= n
        else:
            d = z - t
            loss = (d * d).mean()
            dz = d * (2.0 / d.size)
        grads = [None] * len(p)
        for i in range(n_layers - 1, -1, -1):
            a = acts[i]
            grads[2 * i] = a.T @ dz
            grads[2 * i + 1] = dz.sum(axis=0)
            if i:
                da = dz @ p[2 * i].T
                dz = da * (a > 0) if self.act == "relu" else da * (1.0 - a * a)
        self.g = grads
        return float(loss)


def ours_loss(a, t, p, act: str, loss: str):
    """Our forward pass: a Tensor loss of inputs a, targets t (labels or an array) and parameters p."""
    n_layers = len(p) // 2
    for i in range(n_layers):
        z = affine(a, p[2 * i], p[2 * i + 1])  # X @ W + b as one node, as nn.Linear does
        if i < n_layers - 1:
            a = z.relu() if act == "relu" else z.tanh()
    if loss == "ce":
        return softmax_cross_entropy(z, t)  # what nn.losses.cross_entropy_with_logits calls
    d = z - t
    return (d * d).mean()


class OursMLP(NumpyUpdates):
    name = "ours (autodiff.Tensor)"

    def __init__(self, params: list, act: str, loss: str) -> None:
        self.p = [Tensor(q.copy(), requires_grad=True) for q in params]
        self.act, self.loss = act, loss
        self.opt = NumpyAdam([q.data for q in self.p])

    def fb(self, X, t) -> float:
        for q in self.p:
            q.grad = None
        loss = ours_loss(Tensor.from_numpy(X), t, self.p, self.act, self.loss)
        loss.backward()
        return loss.item()

    def arrays(self) -> list:
        return [q.data for q in self.p]

    def grads(self) -> list:
        return [q.grad for q in self.p]


class OursTracedMLP(NumpyUpdates):
    """The same forward pass traced once per minibatch shape (autodiff.trace), then replayed: no
    graph is built, the program's numpy calls run straight."""

    name = "ours, traced (autodiff.trace)"

    def __init__(self, params: list, act: str, loss: str) -> None:
        super().__init__(params, act, loss)
        self.programs: dict = {}

    def fb(self, X, t) -> float:
        program = self.programs.get(X.shape)
        if program is None:  # the last minibatch of an epoch is smaller: a program of its own
            def f(X, t, *p):
                return ours_loss(X, t, p, self.act, self.loss)

            program = self.programs[X.shape] = trace(f, X, t, *(Tensor(q, requires_grad=True) for q in self.p))
        loss, grads = program(X, t, *self.p)
        self.g = grads[2:]
        return float(loss)


class JaxMLP:
    """JAX as it is used: float64, ``jit(value_and_grad(loss))`` and a jitted update (the same
    Adam/SGD formulas), the parameters and Adam's moments kept as JAX arrays between steps."""

    name = "JAX jit"

    def __init__(self, params: list, act: str, loss: str) -> None:
        import jax
        import jax.numpy as jnp

        jax.config.update("jax_enable_x64", True)
        self.p = [jnp.asarray(q) for q in params]
        self.m = [jnp.zeros_like(q) for q in self.p]
        self.v = [jnp.zeros_like(q) for q in self.p]
        self.t, self.g = 0, []
        actf = jax.nn.relu if act == "relu" else jnp.tanh

        def loss_fn(p, X, t):
            n_layers = len(p) // 2
            a = X
            for i in range(n_layers):
                z = a @ p[2 * i] + p[2 * i + 1]
                if i < n_layers - 1:
                    a = actf(z)
            if loss == "ce":
                return -jnp.mean(jax.nn.log_softmax(z)[jnp.arange(z.shape[0]), t])
            d = z - t
            return jnp.mean(d * d)

        def adam(p, m, v, g, t):
            m = [B1 * mi + (1.0 - B1) * gi for mi, gi in zip(m, g)]
            v = [B2 * vi + (1.0 - B2) * (gi * gi) for vi, gi in zip(v, g)]
            step, sqrt_bc2 = ADAM_LR / (1.0 - B1**t), jnp.sqrt(1.0 - B2**t)
            return [pi - step * (mi / (jnp.sqrt(vi) / sqrt_bc2 + EPS)) for pi, mi, vi in zip(p, m, v)], m, v

        self.vg = jax.jit(jax.value_and_grad(loss_fn))
        self._adam = jax.jit(adam)
        self._sgd = jax.jit(lambda p, g: [pi - SINE_LR * gi for pi, gi in zip(p, g)])

    def fb(self, X, t) -> float:
        loss, self.g = self.vg(self.p, X, t)
        return float(loss)

    def grads(self) -> list:
        return [np.asarray(g) for g in self.g]

    def adam(self) -> None:
        self.t += 1
        self.p, self.m, self.v = self._adam(self.p, self.m, self.v, self.g, self.t)

    def sgd(self) -> None:
        self.p = self._sgd(self.p, self.g)


class AutogradMLP(NumpyUpdates):
    name = "HIPS autograd"

    def __init__(self, params: list, act: str, loss: str) -> None:
        import autograd.numpy as anp
        from autograd import value_and_grad
        from autograd.scipy.special import logsumexp

        self.p = [q.copy() for q in params]
        self.g: list = []
        self.opt = NumpyAdam(self.p)

        def loss_fn(p, X, t):
            n_layers = len(p) // 2
            a = X
            for i in range(n_layers):
                z = anp.dot(a, p[2 * i]) + p[2 * i + 1]
                if i < n_layers - 1:
                    a = anp.maximum(z, 0.0) if act == "relu" else anp.tanh(z)
            if loss == "ce":
                lp = z - logsumexp(z, axis=-1, keepdims=True)
                return -anp.mean(lp[np.arange(len(t)), t])
            d = z - t
            return anp.mean(d * d)

        self.vg = value_and_grad(loss_fn)

    def fb(self, X, t) -> float:
        loss, self.g = self.vg(self.p, X, t)
        return float(loss)


class MyGradMLP(NumpyUpdates):
    name = "MyGrad"

    def __init__(self, params: list, act: str, loss: str) -> None:
        import mygrad as mg
        from mygrad.nnet.activations import logsoftmax, relu

        self.mg, self.logsoftmax = mg, logsoftmax
        self.actf = relu if act == "relu" else mg.tanh
        self.p = [mg.Tensor(q.copy()) for q in params]
        self.loss = loss
        self.opt = NumpyAdam([q.data for q in self.p])

    def fb(self, X, t) -> float:
        mg, p = self.mg, self.p
        n_layers = len(p) // 2
        a = X
        for i in range(n_layers):
            z = mg.matmul(a, p[2 * i]) + p[2 * i + 1]
            if i < n_layers - 1:
                a = self.actf(z)
        if self.loss == "ce":
            loss = -self.logsoftmax(z, axis=-1)[np.arange(len(t)), t].mean()
        else:
            d = z - t
            loss = (d * d).mean()
        loss.backward()
        return loss.item()

    def arrays(self) -> list:
        return [q.data for q in self.p]

    def grads(self) -> list:
        return [q.grad for q in self.p]


class TorchMLP:
    """PyTorch eager, float64; Adam written by hand with in-place torch ops (not torch.optim)."""

    threads = 1
    name = "PyTorch"

    def __init__(self, params: list, act: str, loss: str) -> None:
        import torch

        self.torch = torch
        self.p = [torch.tensor(q, dtype=torch.float64, requires_grad=True) for q in params]
        self.actf = torch.relu if act == "relu" else torch.tanh
        self.loss = loss
        self.m = [torch.zeros_like(q) for q in self.p]
        self.v = [torch.zeros_like(q) for q in self.p]
        self.t = 0

    def fb(self, X, t) -> float:
        torch, p = self.torch, self.p
        n_layers = len(p) // 2
        for q in p:
            q.grad = None
        a = torch.from_numpy(X)
        for i in range(n_layers):
            z = torch.addmm(p[2 * i + 1], a, p[2 * i])  # fused X @ W + b
            if i < n_layers - 1:
                a = self.actf(z)
        if self.loss == "ce":
            loss = torch.nn.functional.cross_entropy(z, torch.from_numpy(t))
        else:
            d = z - torch.from_numpy(t)
            loss = (d * d).mean()
        loss.backward()
        return loss.item()

    def grads(self) -> list:
        return [q.grad.numpy() for q in self.p]

    def adam(self) -> None:
        self.t += 1
        bc1 = 1.0 - B1**self.t
        sqrt_bc2 = math.sqrt(1.0 - B2**self.t)
        with self.torch.no_grad():
            for q, m, v in zip(self.p, self.m, self.v):
                g = q.grad
                m.mul_(B1).add_(g, alpha=1.0 - B1)
                v.mul_(B2).addcmul_(g, g, value=1.0 - B2)
                denom = (v.sqrt() / sqrt_bc2).add_(EPS)
                q.addcdiv_(m, denom, value=-ADAM_LR / bc1)

    def sgd(self) -> None:
        with self.torch.no_grad():
            for q in self.p:
                q.sub_(q.grad, alpha=SINE_LR)


# --- the libraries -----------------------------------------------------------------------------
class Lib:
    def __init__(self, key: str, label: str, cls, threads: int | None = None) -> None:
        self.key, self.label, self.cls, self.threads = key, label, cls, threads

    def enter(self) -> None:
        """Set this library's thread count (PyTorch only) before it runs."""
        if self.threads is not None:
            import torch

            torch.set_num_threads(self.threads)

    def make(self, params: list, act: str, loss: str):
        self.enter()
        return self.cls(params, act, loss)


def available_libraries(skip: set) -> tuple[list, list]:
    libs = [Lib("numpy", "numpy (hand-written)", NumpyMLP)]
    missing = []
    try:
        import torch

        default = torch.get_num_threads()
        libs.append(Lib("torch1", "PyTorch 1 thread", TorchMLP, 1))
        libs.append(Lib("torchN", f"PyTorch {default} threads (default)", TorchMLP, default))
    except ImportError:
        missing.append("torch")
    try:
        import autograd  # noqa: F401

        libs.append(Lib("autograd", "HIPS autograd", AutogradMLP))
    except ImportError:
        missing.append("autograd")
    try:
        import mygrad  # noqa: F401

        libs.append(Lib("mygrad", "MyGrad", MyGradMLP))
    except ImportError:
        missing.append("mygrad")
    try:
        import jax  # noqa: F401

        libs.append(Lib("jax", "JAX jit", JaxMLP))
    except ImportError:
        missing.append("jax")
    libs.append(Lib("ours", "ours (autodiff.Tensor)", OursMLP))
    libs.append(Lib("traced", "ours, traced (autodiff.trace)", OursTracedMLP))
    return [lib for lib in libs if lib.key == "numpy" or lib.key not in skip], missing


def run_order(libs: list) -> list:
    """PyTorch with several threads last: its idle OpenMP workers spin for a while after each
    call and would steal the second core from whatever runs next."""
    return sorted(libs, key=lambda lib: lib.key == "torchN")


# --- data --------------------------------------------------------------------------------------
def load_digits() -> tuple[np.ndarray, np.ndarray, str]:
    X = y = None
    try:
        from nn.data import digits

        out = digits()
        X, y = out[0], out[1]
        source = "nn.data.digits()"
    except Exception:  # not there yet, or half-written: fall back
        try:
            from sklearn.datasets import load_digits as sk_digits

            d = sk_digits()
            X, y = d.data, d.target
            source = "sklearn.datasets.load_digits()"
        except ImportError:
            rng = np.random.default_rng(7)
            X = rng.integers(0, 17, size=(1797, 64)).astype(np.float64)
            y = rng.integers(0, 10, size=1797)
            source = "SYNTHETIC random data (no nn.data.digits, no sklearn)"
    X = np.ascontiguousarray(X, dtype=np.float64)
    if X.max() > 1.0:
        X = X / 16.0  # pixel intensities 0..16 -> [0, 1]
    return X, np.asarray(y, dtype=np.int64), source


def init_params(sizes: list, rng, gain: float) -> list:
    params = []
    for m, n in zip(sizes[:-1], sizes[1:]):
        params.append(rng.standard_normal((m, n)) * math.sqrt(gain / m))
        params.append(rng.uniform(-0.1, 0.1, size=n))
    return params


def sine_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    x = np.sort(rng.uniform(-10.0, 10.0, size=30))
    f = 0.2 + 0.05 * (x + 10.0) + 0.4 * np.sin(x + 10.0) + 0.2 * rng.standard_normal(30)
    return x[:, None].copy(), f[:, None].copy()


# --- timing ------------------------------------------------------------------------------------
def round_robin(runners: list, reps: int) -> dict:
    """Time ``fn(i)`` for i in range(reps), library after library within each round, so slow drifts
    in background load hit every library alike. ``runners``: (lib, fn) pairs, already warm."""
    times: dict = {lib.key: [] for lib, _ in runners}
    for i in range(reps):
        for lib, fn in runners:
            lib.enter()
            gc.collect()
            t0 = time.perf_counter()
            fn(i)
            times[lib.key].append(time.perf_counter() - t0)
    return times


def close(a: float, b: float) -> bool:
    return abs(a - b) <= TOL * max(1.0, abs(b))


def check_same_work(libs: list, what: str, params: list, act: str, loss: str, X, t, opt: str) -> str:
    """Loss at step 1, gradients at step 1 and loss after one optimizer step: all equal numpy's."""
    ref = None
    for lib in run_order(libs):
        m = lib.make(params, act, loss)
        l1 = m.fb(X, t)
        g = [np.array(x, dtype=np.float64) for x in m.grads()]
        getattr(m, opt)()
        l2 = m.fb(X, t)
        if ref is None:
            ref = (l1, g, l2)
            continue
        r1, rg, r2 = ref
        gerr = max(float(np.max(np.abs(a - b))) for a, b in zip(g, rg))
        gscale = max(1.0, max(float(np.max(np.abs(b))) for b in rg))
        assert close(l1, r1), f"{what}: {lib.label} loss at step 1 {l1!r} != numpy {r1!r}"
        assert gerr <= TOL * gscale, f"{what}: {lib.label} gradients differ from numpy by {gerr:.3g}"
        assert close(l2, r2), f"{what}: {lib.label} loss after one {opt} step {l2!r} != numpy {r2!r}"
    return f"same work: loss {ref[0]:.10f} at step 1, {ref[2]:.10f} after one {opt} step (all to 1e-8)"


def run_digits(libs, quick, results, notes):
    X, y, source = load_digits()
    rng = np.random.default_rng(0)
    perm = rng.permutation(len(X))
    n_train = int(round(0.8 * len(X)))
    Xtr, ytr = X[perm[:n_train]], y[perm[:n_train]]
    params = init_params([64, 100, 30, 10], np.random.default_rng(2), 2.0)
    warmup, reps = (1, 2) if quick else (1, 7)
    epochs = []  # pre-gathered shuffled minibatches (the shuffle/gather is not timed)
    for e in range(warmup + reps):
        order = np.random.default_rng(100 + e).permutation(n_train)
        epochs.append([(np.ascontiguousarray(Xtr[order[i:i + 32]]), ytr[order[i:i + 32]])
                       for i in range(0, n_train, 32)])
    notes["digits"] = [f"data: {source}, {n_train} train / {len(X) - n_train} test, "
                       f"{len(epochs[0])} minibatches per epoch",
                       check_same_work(libs, "digits", params, "relu", "ce", *epochs[0][0], "adam")]
    runners = []
    for lib in run_order(libs):
        m = lib.make(params, "relu", "ce")

        def epoch(i, m=m):
            for Xb, yb in epochs[warmup + i]:
                m.fb(Xb, yb)
                m.adam()

        for i in range(-warmup, 0):
            epoch(i)
        runners.append((lib, epoch))
    results["digits"] = round_robin(runners, reps)


def run_sine(libs, quick, results, notes):
    X, Y = sine_data()
    params = init_params([1, 20, 1], np.random.default_rng(3), 1.0)
    steps, reps = 1000, (1 if quick else 5)
    notes["sine"] = [check_same_work(libs, "sine", params, "tanh", "mse", X, Y, "sgd")]
    runners = []
    for lib in run_order(libs):
        m = lib.make(params, "tanh", "mse")

        def run(i, m=m, n=steps):
            for _ in range(n):
                m.fb(X, Y)
                m.sgd()

        run(0, n=100)  # warm-up
        runners.append((lib, run))
    results["sine"] = round_robin(runners, reps)


def run_wide(libs, quick, results, notes):
    rng = np.random.default_rng(4)
    X = rng.uniform(0.0, 1.0, size=(256, 784))
    t = rng.integers(0, 10, size=256)
    params = init_params([784, 256, 256, 10], np.random.default_rng(5), 2.0)
    reps = 5 if quick else 100  # 5 ms each and BLAS-threaded: noisy, so many repetitions
    notes["wide"] = [check_same_work(libs, "wide", params, "relu", "ce", X, t, "adam")]
    runners = []
    for lib in run_order(libs):
        m = lib.make(params, "relu", "ce")
        for _ in range(3):
            m.fb(X, t)
        runners.append((lib, lambda i, m=m: m.fb(X, t)))
    results["wide"] = round_robin(runners, reps)


def op_closure(key: str, op, a, b, g):
    """One forward+backward of c = op(a, b) seeded with g; returns (∂/∂a, ∂/∂b)."""
    import operator

    if key == "numpy":
        if op is operator.add:
            def f():
                op(a, b)
                return g.copy(), g.copy()
        else:
            def f():
                op(a, b)
                return g @ b.T, a.T @ g
        return f
    if key == "ours":
        A, B = Tensor(a.copy(), requires_grad=True), Tensor(b.copy(), requires_grad=True)

        def f():
            A.grad = B.grad = None
            op(A, B).backward(g)
            return A.grad, B.grad
        return f
    if key.startswith("torch"):
        import torch

        A = torch.tensor(a, requires_grad=True)
        B = torch.tensor(b, requires_grad=True)
        G = torch.from_numpy(g)

        def f():
            A.grad = B.grad = None
            op(A, B).backward(G)
            return A.grad.numpy(), B.grad.numpy()
        return f
    if key == "mygrad":
        import mygrad as mg

        A, B = mg.Tensor(a.copy()), mg.Tensor(b.copy())

        def f():
            op(A, B).backward(g)
            return A.grad, B.grad
        return f
    if key == "autograd":
        from autograd import make_vjp

        mv = make_vjp(op, argnum=(0, 1))

        def f():
            vjp, _ = mv(a, b)
            return vjp(g)
        return f
    raise KeyError(key)


def run_ops(libs, quick, results, notes):
    import operator

    libs = [lib for lib in libs if lib.key not in ("traced", "jax")]  # one op, no program: not theirs

    rng = np.random.default_rng(6)
    cases = {
        "add": (operator.add, rng.standard_normal((32, 30)), rng.standard_normal((32, 30)),
                np.ones((32, 30))),
        "matmul": (operator.matmul, rng.standard_normal((32, 100)), rng.standard_normal((100, 30)),
                   np.ones((32, 30))),
    }
    n, reps = (100, 3) if quick else (1000, 15)
    notes["add"] = ["c = a + b, a, b 32x30; c.backward(ones) (leaf grads reset to None each time; "
                    "numpy floor: forward + a fresh grad array per input)"]
    notes["matmul"] = ["c = a @ b, 32x100 @ 100x30; c.backward(ones) (numpy floor: a@b, g@b.T, a.T@g)"]
    for name, (op, a, b, g) in cases.items():
        ref = None
        runners = []
        for lib in run_order(libs):
            lib.enter()
            f = op_closure(lib.key, op, a, b, g)
            got = [np.array(x) for x in f()]
            if ref is None:
                ref = got
            err = max(float(np.max(np.abs(x - r))) for x, r in zip(got, ref))
            assert err <= TOL * max(1.0, float(np.max(np.abs(ref[1])))), f"{name}: {lib.label} grads differ"
            for _ in range(n // 10):
                f()

            def block(i, f=f):
                for _ in range(n):
                    f()

            runners.append((lib, block))
        results[name] = {k: [s / n for s in ts] for k, ts in round_robin(runners, reps).items()}


def busy_cpus(seconds: float = 0.5) -> float | None:
    """CPUs' worth of time other processes used over ``seconds`` (Linux /proc/stat), else None."""
    def sample():
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        return sum(fields), fields[3] + fields[4]  # total, idle + iowait

    try:
        t0, i0 = sample()
        time.sleep(seconds)
        t1, i1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    return (1.0 - (i1 - i0) / max(t1 - t0, 1)) * (os.cpu_count() or 1)


def pin_malloc() -> str:
    """glibc serves blocks >= 128 KiB (a 256x256 float64 array is 512 KiB) with mmap and gives them
    back on free, so each such temporary page-faults afresh (~0.5 ms per 1 MB here) unless a larger
    block was freed earlier; which arrays pay depends on the process's history. Pin the thresholds
    (mallopt) so every library allocates from a warm heap. Linux/glibc only."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        ok = libc.mallopt(-3, 64 << 20) == 1 and libc.mallopt(-1, 256 << 20) == 1  # MMAP_ / TRIM_THRESHOLD
    except (OSError, AttributeError):
        ok = False
    return "glibc malloc pinned: mmap threshold 64 MiB, trim threshold 256 MiB" if ok else "mallopt unavailable"


# --- report ------------------------------------------------------------------------------------
TITLES = {
    "digits": "digits: one epoch, MLP 64-100-30-10 ReLU, softmax CE, Adam lr 1e-3, minibatch 32",
    "sine": "sine: 1000 full-batch SGD steps, MLP 1-20-1 tanh, MSE, 30 points (overhead-bound)",
    "wide": "wide: one forward+backward, MLP 784-256-256-10 ReLU, softmax CE, batch 256 (BLAS-bound)",
    "add": "per-op: add 32x30 + 32x30, forward+backward",
    "matmul": "per-op: matmul 32x100 @ 100x30, forward+backward",
}


def verdict(workload: str, ours_s: float, floor_s: float, targets: dict = TARGETS) -> str:
    if workload in targets:
        ok = ours_s / floor_s <= targets[workload]
        return f"target <= {targets[workload]}x numpy: {'PASS' if ok else 'MISS'}"
    if targets is not TARGETS:
        return ""
    if workload == "add":
        ok = ours_s * 1e6 <= ADD_TARGET_US
        return f"target <= {ADD_TARGET_US:g} us: {'PASS' if ok else 'MISS'}"
    return ""


def report(libs, results, notes) -> list:
    summary = []
    for workload, per_lib in results.items():
        if not per_lib:
            continue
        us = workload in ("add", "matmul")
        print(f"\n== {TITLES[workload]}")
        for line in notes.get(workload, []):
            print(f"   {line}")
        unit = "median us" if us else "median s"
        print(f"   {'library':32s} {unit:>12s} {'x numpy':>8s}   {'min .. max':>23s}")
        floor = statistics.median(per_lib["numpy"])
        for lib in libs:
            ts = per_lib.get(lib.key)
            if ts is None:
                continue
            med = statistics.median(ts)
            k = 1e6 if us else 1.0
            fmt = "{:12.2f}" if us else "{:12.5f}"
            spread = f"{fmt.format(min(ts) * k).strip()} .. {fmt.format(max(ts) * k).strip()}"
            extra = ""
            if lib.key in ("ours", "traced"):
                extra = verdict(workload, med, floor, TARGETS if lib.key == "ours" else TRACED_TARGETS)
                if extra:
                    summary.append(f"{workload:7s} {lib.key:6s} {med / floor:6.2f}x numpy"
                                   f" ({med * k:.4g} {'us' if us else 's'})  {extra}")
            elif lib.key == "jax":
                summary.append(f"{workload:7s} JAX    {med / floor:6.2f}x numpy ({med * k:.4g} {'us' if us else 's'})")
            print(f"   {lib.label:32s} {fmt.format(med * k)} {med / floor:8.2f}   {spread:>23s}   {extra}")
        if workload in PEERS:
            print(f"   earlier peer figures: {PEERS[workload]}")
    return summary


def profile(workload: str, rows: int) -> None:
    import cProfile
    import pstats

    ours = Lib("ours", "ours", OursMLP)
    prof = cProfile.Profile()
    if workload == "sine":
        X, Y = sine_data()
        m = ours.make(init_params([1, 20, 1], np.random.default_rng(3), 1.0), "tanh", "mse")
        for _ in range(100):
            m.fb(X, Y)
            m.sgd()
        prof.enable()
        for _ in range(1000):
            m.fb(X, Y)
            m.sgd()
        prof.disable()
    else:
        X, y, source = load_digits()
        print(f"digits data: {source}")
        m = ours.make(init_params([64, 100, 30, 10], np.random.default_rng(2), 2.0), "relu", "ce")
        batches = [(np.ascontiguousarray(X[i:i + 32]), y[i:i + 32]) for i in range(0, 1437, 32)]
        for Xb, yb in batches:
            m.fb(Xb, yb)
            m.adam()
        prof.enable()
        for _ in range(3):
            for Xb, yb in batches:
                m.fb(Xb, yb)
                m.adam()
        prof.disable()
    stats = pstats.Stats(prof).sort_stats("tottime")
    print(f"cProfile of ours, {workload}, sorted by tottime (all functions):")
    pstats.Stats(prof).strip_dirs().sort_stats("tottime").print_stats(rows)
    print("--- only functions inside autodiff/ (sorted by tottime) ---")
    stats.print_stats(r"autodiff[/\\]", rows)
    print("--- who calls the numpy helpers that show up ---")
    pstats.Stats(prof).strip_dirs().sort_stats("tottime").print_callers(
        r"broadcast_to|add.at|'at'|zeros|ones_like|_mean|expand_dims|isfinite", 12)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smoke run (< 60 s): fewer repetitions")
    ap.add_argument("--only", default="digits,sine,wide,ops",
                    help="comma-separated workloads among digits,sine,wide,ops")
    ap.add_argument("--skip", default="", help="comma-separated libraries to skip: "
                    "torch1,torchN,autograd,mygrad")
    ap.add_argument("--blas-threads", type=int, default=None,
                    help="limit numpy's BLAS threads (threadpoolctl); default: numpy's own default")
    ap.add_argument("--mallopt", action="store_true",
                    help="pin glibc's malloc thresholds first, so large temporaries do not page-fault "
                         "afresh on every call (see pin_malloc)")
    ap.add_argument("--profile", choices=["sine", "digits"],
                    help="cProfile ours on one workload (sorted by tottime) instead of benchmarking")
    ap.add_argument("--rows", type=int, default=30, help="rows of profile output")
    args = ap.parse_args(argv)
    if args.blas_threads:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.blas_threads, user_api="blas")
    malloc_note = pin_malloc() if args.mallopt else "glibc malloc: default thresholds (see --mallopt)"
    if args.profile:
        profile(args.profile, args.rows)
        return
    libs, missing = available_libraries(set(filter(None, args.skip.split(","))))
    wanted = set(args.only.split(","))
    print(f"bench_tensor: python {sys.version.split()[0]}, numpy {np.__version__}"
          + (", QUICK smoke run" if args.quick else ""))
    busy = busy_cpus()
    if busy is not None:
        print(f"other processes busy on {busy:.2f} of {os.cpu_count()} CPUs just before the run "
              "(want ~0)")
    try:
        from threadpoolctl import threadpool_info

        blas = ", ".join(f"{i['internal_api']} {i['num_threads']} threads" for i in threadpool_info())
        print(f"numpy BLAS: {blas or 'unknown'}")
    except ImportError:
        pass
    try:
        import torch

        print(f"torch {torch.__version__}, float64 eager, manual Adam with in-place torch ops "
              "(not torch.optim.Adam)")
    except ImportError:
        pass
    if missing:
        print(f"not installed, skipped: {', '.join(missing)}")
    print(malloc_note)
    if busy is not None and busy > 0.3:
        print("WARNING: the machine is busy. Multi-threaded BLAS (numpy, PyTorch default threads) "
              "collapses when a core is taken; BLAS-bound rows (wide, matmul) are then unreliable. "
              "Rerun idle, or with --blas-threads 1.")
    print("all libraries: same data, init and op sequence; loss/grads asserted equal to numpy's "
          "to 1e-8; medians after warm-up")
    results = {k: {} for k in ("digits", "sine", "wide", "add", "matmul")}
    notes: dict = {}
    t0 = time.perf_counter()
    if "digits" in wanted:
        run_digits(libs, args.quick, results, notes)
    if "sine" in wanted:
        run_sine(libs, args.quick, results, notes)
    if "wide" in wanted:
        run_wide(libs, args.quick, results, notes)
    if "ops" in wanted:
        run_ops(libs, args.quick, results, notes)
    summary = report(libs, results, notes)
    print("\n== targets for ours")
    for line in summary:
        print(f"   {line}")
    print(f"\n(total {time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
