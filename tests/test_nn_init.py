"""nn.init: every initialiser's distribution, shape, fans and exact reproducibility for a seed."""

import functools
import math

import numpy as np
import pytest

from autodiff import ShapeError
from nn import init

RANDOM = [init.uniform, init.normal, init.xavier_uniform, init.xavier_normal,
          init.kaiming_uniform, init.kaiming_normal]


# --- seeds and generators ------------------------------------------------------------------------
def test_rng_from_int_is_default_rng_of_that_seed():
    assert np.array_equal(init.rng_from(3).random(5), np.random.default_rng(3).random(5))


def test_rng_from_generator_is_returned_as_is_and_none_gives_a_fresh_one():
    g = np.random.default_rng(0)
    assert init.rng_from(g) is g
    assert isinstance(init.rng_from(None), np.random.Generator)


@pytest.mark.parametrize("bad", [1.5, "3", True, [1]])
def test_rng_from_rejects_what_is_not_a_seed(bad):
    with pytest.raises(TypeError, match="seed must be an int"):
        init.rng_from(bad)


def test_rng_from_rejects_a_negative_seed():
    with pytest.raises(ValueError, match="non-negative"):
        init.rng_from(-1)


@pytest.mark.parametrize("f", RANDOM, ids=lambda f: f.__name__)
def test_same_seed_same_numbers_bit_for_bit(f):
    a, b = f((20, 30), rng=123), f((20, 30), rng=123)
    assert a.shape == (20, 30) and a.dtype == np.float64
    assert np.array_equal(a, b)
    assert not np.array_equal(a, f((20, 30), rng=124))


@pytest.mark.parametrize("f", RANDOM, ids=lambda f: f.__name__)
def test_a_generator_continues_one_stream(f):
    g = np.random.default_rng(5)
    first, second = f((4, 3), rng=g), f((4, 3), rng=g)
    assert not np.array_equal(first, second)
    g2 = np.random.default_rng(5)
    assert np.array_equal(first, f((4, 3), rng=g2)) and np.array_equal(second, f((4, 3), rng=g2))


def test_uniform_draws_exactly_numpys_uniform_stream():
    # seed 002: V = np.random.uniform(-0.1, 0.1, size=(1 + 1, nHiddens)), from a seeded generator
    assert np.array_equal(init.uniform((2, 20), -0.1, 0.1, rng=7),
                          np.random.default_rng(7).uniform(-0.1, 0.1, size=(2, 20)))


# --- fans --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape, expected", [((3, 5), (3, 5)), ((7,), (7, 1)), (7, (7, 1)),
                                             ((), (1, 1)), ((2, 3, 4), (2, 12))])
def test_fans_of_a_nin_by_nout_weight_array(shape, expected):
    assert init.fans(shape) == expected


@pytest.mark.parametrize("bad", [(-1, 2), (2.5, 3), "ab", None])
def test_a_bad_shape_raises_shape_error(bad):
    with pytest.raises(ShapeError, match="shape"):
        init.uniform(bad, rng=0)


def test_scaling_by_a_zero_fan_is_refused():
    with pytest.raises(ShapeError, match="fan"):
        init.xavier_uniform((0, 0), rng=0)


# --- statistics on a large sample --------------------------------------------------------------------
N = (1000, 1000)  # 10⁶ draws: sample moments are within ~0.3 % of the true ones


def test_uniform_minus_one_one_seed004():
    w = init.uniform(N, rng=1)
    assert -1.0 <= w.min() and w.max() < 1.0
    assert abs(w.mean()) < 0.005
    assert w.var() == pytest.approx(4 / 12, rel=0.01)  # (b − a)²/12


def test_uniform_small_range_seed002():
    w = init.uniform(N, -0.1, 0.1, rng=2)
    assert -0.1 <= w.min() and w.max() < 0.1
    assert w.var() == pytest.approx(0.04 / 12, rel=0.01)


def test_normal_mean_and_std():
    w = init.normal(N, mean=0.5, std=2.0, rng=3)
    assert w.mean() == pytest.approx(0.5, abs=0.01)
    assert w.std() == pytest.approx(2.0, rel=0.01)


def test_glorot_uniform_bound_and_variance_seed003():
    w = init.xavier_uniform((400, 600), rng=4)
    bound = math.sqrt(6 / 1000)
    assert np.abs(w).max() <= bound
    assert np.abs(w).max() > 0.99 * bound
    assert w.var() == pytest.approx(2 / 1000, rel=0.01)


def test_glorot_normal_std_seed003():
    w = init.xavier_normal((400, 600), rng=5)
    assert w.mean() == pytest.approx(0.0, abs=0.001)
    assert w.std() == pytest.approx(math.sqrt(2 / 1000), rel=0.01)


def test_he_uniform_bound_and_variance():
    w = init.kaiming_uniform((500, 2000), rng=6)
    bound = math.sqrt(6 / 500)
    assert np.abs(w).max() <= bound
    assert w.var() == pytest.approx(2 / 500, rel=0.01)


def test_he_normal_std_fan_in_and_fan_out():
    assert init.kaiming_normal((500, 2000), rng=7).std() == pytest.approx(math.sqrt(2 / 500), rel=0.01)
    w = init.kaiming_normal((500, 2000), mode="fan_out", rng=7)
    assert w.std() == pytest.approx(math.sqrt(2 / 2000), rel=0.01)


def test_gain_scales_the_spread():
    a = init.xavier_uniform((30, 40), rng=8)
    b = init.xavier_uniform((30, 40), gain=2.0, rng=8)
    np.testing.assert_allclose(b, 2.0 * a, rtol=1e-15)


def test_aliases_are_the_same_functions():
    assert init.glorot_uniform is init.xavier_uniform and init.glorot_normal is init.xavier_normal
    assert init.he_uniform is init.kaiming_uniform and init.he_normal is init.kaiming_normal


# --- constants ----------------------------------------------------------------------------------------
def test_constant_one_for_biases_seed001():
    assert np.array_equal(init.constant((3,), 1.0), np.ones(3))
    assert np.array_equal(init.ones(4), np.ones(4))
    assert np.array_equal(init.zeros((2, 2)), np.zeros((2, 2)))
    assert init.constant((2,), 1.0, rng=5).dtype == np.float64  # rng accepted, unused


# --- lookup and errors ---------------------------------------------------------------------------------
def test_get_by_name_number_or_callable():
    assert init.get("he_normal") is init.kaiming_normal
    assert np.array_equal(init.get(0.5)((2, 2), rng=0), np.full((2, 2), 0.5))
    small = functools.partial(init.uniform, a=-0.1, b=0.1)
    assert init.get(small) is small
    assert np.abs(small((50,), rng=0)).max() < 0.1


def test_get_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match="xavier_uniform"):
        init.get("glorious")


def test_bad_parameters_raise():
    with pytest.raises(ValueError, match="a <= b"):
        init.uniform(3, 1.0, -1.0)
    with pytest.raises(ValueError, match="std must be a finite number >= 0"):
        init.normal(3, std=-1.0)
    with pytest.raises(ValueError, match="mode"):
        init.kaiming_uniform((3, 3), mode="fan_avg")


@pytest.mark.parametrize("call, match", [
    (lambda: init.uniform(3, a=-math.inf), "uniform: a must be a finite number"),
    (lambda: init.uniform(3, b=math.nan), "uniform: b must be a finite number"),
    (lambda: init.normal(3, std=math.inf), "normal: std must be a finite number >= 0"),
    (lambda: init.normal(3, mean=math.nan), "normal: mean must be a finite number"),
    (lambda: init.xavier_uniform((2, 2), gain=math.nan), "xavier_uniform: gain must be"),
    (lambda: init.kaiming_normal((2, 2), gain=-1.0), "kaiming_normal: gain must be"),
    (lambda: init.constant(2, value=math.inf), "constant: value must be a finite number"),
    (lambda: init.get(math.nan), "a constant initialiser must be a finite number"),
])
def test_initialisers_refuse_parameters_that_would_give_nan_or_inf_weights(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_initialiser_parameters_must_be_numbers_and_numpy_scalars_are_fine():
    with pytest.raises(TypeError, match="kaiming_uniform: gain must be a real number"):
        init.kaiming_uniform((2, 2), gain="relu")
    with pytest.raises(TypeError, match="uniform: a must be a real number"):
        init.uniform(3, a=True)
    assert np.array_equal(init.uniform(4, a=np.float32(-0.5), b=np.int64(0), rng=0),
                          init.uniform(4, a=-0.5, b=0.0, rng=0))
