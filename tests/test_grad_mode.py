"""Grad mode is per thread and per asyncio task: no_grad in one never stops another's graph."""

from __future__ import annotations

import asyncio
import threading

import numpy as np

import nn
from autodiff import Tensor, Value, enable_grad, is_grad_enabled, no_grad


def test_no_grad_in_one_thread_leaves_another_thread_recording() -> None:
    inside, release = threading.Event(), threading.Event()

    def predictor() -> None:
        with no_grad():
            inside.set()
            release.wait(5)

    t = threading.Thread(target=predictor)
    t.start()
    inside.wait(5)
    try:
        assert is_grad_enabled()
        x = Value(3.0)
        y = x * x
        y.backward()
        assert y.parents and x.grad == 6.0
        w = Tensor([1.0, 2.0], requires_grad=True)
        (w * w).sum().backward()
        np.testing.assert_array_equal(w.grad, [2.0, 4.0])
    finally:
        release.set()
        t.join()


def test_overlapping_no_grad_blocks_in_two_threads_restore_recording() -> None:
    # thread A enters, B enters, A leaves, B leaves: the old global flag stayed off after this
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

    def a() -> None:
        with no_grad():
            a_in.set()
            b_in.wait(5)
        a_out.set()

    def b() -> None:
        a_in.wait(5)
        with no_grad():
            b_in.set()
            a_out.wait(5)

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert is_grad_enabled()
    x = Value(2.0)
    assert (x * x).parents


def test_enable_grad_inside_no_grad_and_nesting() -> None:
    with no_grad():
        assert not is_grad_enabled()
        assert not (Value(1.0) * 2).parents
        with enable_grad():
            assert is_grad_enabled()
            assert (Value(1.0) * 2).parents
        with no_grad():
            assert not is_grad_enabled()
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_no_grad_in_one_asyncio_task_leaves_another_task_recording() -> None:
    async def predict(started: asyncio.Event, go: asyncio.Event) -> bool:
        with no_grad():
            started.set()
            await go.wait()
            return bool((Value(1.0) * 2).parents)

    async def train(started: asyncio.Event, go: asyncio.Event) -> bool:
        await started.wait()
        recorded = bool((Value(1.0) * 2).parents)
        go.set()
        return recorded

    async def main() -> tuple:
        started, go = asyncio.Event(), asyncio.Event()
        return await asyncio.gather(predict(started, go), train(started, go))

    predicted_with_graph, trained_with_graph = asyncio.run(main())
    assert not predicted_with_graph
    assert trained_with_graph


def _train(model, X, y, steps, predict_alongside: bool) -> list:
    opt = nn.SGD(model.parameters(), lr=0.1)
    stop = threading.Event()

    def predict_forever() -> None:
        while not stop.is_set():
            nn.predict(model, X)

    helper = threading.Thread(target=predict_forever) if predict_alongside else None
    if helper:
        helper.start()
    losses = []
    try:
        for _ in range(steps):
            opt.zero_grad()
            loss = nn.mse(model(Tensor(X)), y)
            loss.backward()
            assert all(p.grad is not None for p in model.parameters()), "a step got no gradient"
            opt.step()
            losses.append(loss.item())
    finally:
        stop.set()
        if helper:
            helper.join()
    return losses


def test_training_while_another_thread_predicts_gives_the_single_threaded_losses() -> None:
    X, y = nn.noisy_sine(64, seed=0)
    alone = _train(nn.TensorMLP(1, [8, 1], activation="tanh", seed=1), X, y, 60, False)
    together = _train(nn.TensorMLP(1, [8, 1], activation="tanh", seed=1), X, y, 60, True)
    assert together == alone
