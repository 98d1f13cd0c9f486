"""Benchmark the function transforms against torch.func (1 thread) and HIPS autograd.

    python benchmarks/bench_transforms.py            # full run (~1 min)
    python benchmarks/bench_transforms.py --quick    # smoke run

One process, the same digits-sized network for everyone: an MLP 64-100-30-10 with tanh hidden
units and a softmax cross-entropy over a batch of 32 (labels 0..9), float64, the same weights.
Rows, each a call of the library's own transform on the loss L(W1, b1, W2, b2, W3, b3):

  grad      ∇L w.r.t. all six parameters (one reverse sweep)
  jvp       (L, ∇L·v) along a random direction v in all six (one forward sweep)
  hvp       H·v w.r.t. all six (forward over reverse)
  hessian   the Hessian of L w.r.t. b2 (30×30: forward over reverse, one sweep per entry)

Before timing, every library's results are asserted equal to ours to 1e-8. Times are medians
of repetitions after a warm-up; the ratio column is the peer's time over ours (> 1: we are faster).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import autodiff as ad  # noqa: E402
from autodiff import Tensor  # noqa: E402

SIZES = [64, 100, 30, 10]
BATCH = 32


def problem(seed: int = 0):
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in zip(SIZES, SIZES[1:]):
        params += [rng.normal(0, 1 / np.sqrt(n_in), (n_in, n_out)), rng.normal(0, 0.1, n_out)]
    X = rng.normal(size=(BATCH, SIZES[0]))
    y = rng.integers(0, SIZES[-1], BATCH)
    v = [rng.normal(size=p.shape) for p in params]
    return params, X, y, v


# --- ours ---------------------------------------------------------------------------------------
def ours(params, X, y, v):
    Xt = Tensor(X)

    def loss(W1, b1, W2, b2, W3, b3):
        h = ad.affine(ad.affine(Xt, W1, b1).tanh(), W2, b2).tanh()
        return ad.softmax_cross_entropy(ad.affine(h, W3, b3), y)

    all6 = tuple(range(6))
    grad = ad.grad(loss, all6)
    p = list(params)

    def hess_b2(b2):
        return loss(p[0], p[1], p[2], b2, p[4], p[5])

    hessian = ad.hessian(hess_b2)
    return {
        "grad": lambda: grad(*params),
        "jvp": lambda: ad.jvp(loss, params, v)[1],
        "hvp": lambda: ad.hvp(loss, params, v),
        "hessian": lambda: hessian(params[3]),
    }


# --- torch.func ---------------------------------------------------------------------------------
def torch_func(params, X, y, v):
    import torch
    from torch.func import grad, hessian, jvp

    torch.set_num_threads(1)
    tp = [torch.tensor(p) for p in params]
    tX, ty = torch.tensor(X), torch.tensor(y)
    tv = [torch.tensor(a) for a in v]

    def loss(W1, b1, W2, b2, W3, b3):
        h = torch.tanh(torch.tanh(tX @ W1 + b1) @ W2 + b2)
        return torch.nn.functional.cross_entropy(h @ W3 + b3, ty)

    all6 = tuple(range(6))
    g = grad(loss, all6)

    def hvp():
        return jvp(lambda *ps: g(*ps), tuple(tp), tuple(tv))[1]

    h = hessian(lambda b2: loss(tp[0], tp[1], tp[2], b2, tp[4], tp[5]))
    return {
        "grad": lambda: [t.numpy() for t in g(*tp)],
        "jvp": lambda: jvp(loss, tuple(tp), tuple(tv))[1].numpy(),
        "hvp": lambda: [t.numpy() for t in hvp()],
        "hessian": lambda: h(tp[3]).numpy(),
    }


# --- HIPS autograd ------------------------------------------------------------------------------
def hips_autograd(params, X, y, v):
    import autograd.numpy as anp
    from autograd import grad, hessian, make_jvp

    def loss(ps):
        W1, b1, W2, b2, W3, b3 = ps
        z = anp.tanh(anp.tanh(X @ W1 + b1) @ W2 + b2) @ W3 + b3
        z = z - anp.max(z, axis=1, keepdims=True)
        logp = z - anp.log(anp.sum(anp.exp(z), axis=1, keepdims=True))
        return -anp.mean(logp[np.arange(BATCH), y])

    g = grad(loss)
    hv = make_jvp(g)  # its hessian_vector_product takes one array, not a tuple of parameters
    h = hessian(lambda b2: loss((params[0], params[1], params[2], b2, params[4], params[5])))
    ps, vs = tuple(params), tuple(v)
    return {
        "grad": lambda: g(ps),
        "jvp": lambda: make_jvp(loss)(ps)(vs)[1],
        "hvp": lambda: hv(ps)(vs)[1],
        "hessian": lambda: h(params[3]),
    }


def as_list(x) -> list:
    return [np.asarray(a) for a in x] if isinstance(x, (list, tuple)) else [np.asarray(x)]


def check(name: str, got, want) -> None:
    for a, b in zip(as_list(got), as_list(want)):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-10, err_msg=f"{name} differs from ours")


def median_time(fn, reps: int) -> float:
    fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    args = ap.parse_args(argv)
    data = problem()
    libs = {"ours": ours(*data)}
    for name, make in (("torch.func", torch_func), ("autograd", hips_autograd)):
        try:
            libs[name] = make(*data)
        except ImportError as e:
            print(f"{name}: not installed ({e}); skipped")
    for name, rows in libs.items():
        for row, fn in rows.items():
            check(f"{name} {row}", fn(), libs["ours"][row]())
    print(f"MLP {'-'.join(map(str, SIZES))}, tanh, softmax CE, batch {BATCH}, float64; all results equal to 1e-8")
    reps = {"grad": 30, "jvp": 30, "hvp": 20, "hessian": 3} if not args.quick else dict.fromkeys(
        ("grad", "jvp", "hvp", "hessian"), 2)
    peers = [n for n in libs if n != "ours"]
    print(f"{'':10}{'ours':>12}" + "".join(f"{p:>14}{'ratio':>8}" for p in peers))
    for row in ("grad", "jvp", "hvp", "hessian"):
        t_ours = median_time(libs["ours"][row], reps[row])
        line = f"{row:10}{t_ours * 1e3:>10.2f}ms"
        for p in peers:
            t = median_time(libs[p][row], reps[row])
            line += f"{t * 1e3:>12.2f}ms{t / t_ours:>7.2f}x"
        print(line)
    print("ratio = the peer's time / ours (> 1: ours is faster)")


if __name__ == "__main__":
    main()
