"""Initializers: Keras' formulas checked by the statistics of a large kernel."""
import math

import numpy as np
import pytest

from dense_viz import initializers

SHAPE = (400, 600)
FAN_IN, FAN_OUT = SHAPE
FAN_AVG = (FAN_IN + FAN_OUT) / 2


def draw(name, shape=SHAPE, seed=0):
    return initializers.get(name)(shape, "float64", np.random.default_rng(seed))


@pytest.mark.parametrize("name,limit", [
    ("glorot_uniform", math.sqrt(6 / (FAN_IN + FAN_OUT))),
    ("he_uniform", math.sqrt(6 / FAN_IN)),
    ("lecun_uniform", math.sqrt(3 / FAN_IN)),
    ("random_uniform", 0.05), ("uniform", 0.05),
])
def test_uniform_bounds_and_std(name, limit):
    w = draw(name)
    assert w.min() >= -limit and w.max() <= limit
    assert w.min() < -0.99 * limit and w.max() > 0.99 * limit
    assert w.std() == pytest.approx(limit / math.sqrt(3), rel=0.01)
    assert abs(w.mean()) < 0.01 * limit


@pytest.mark.parametrize("name,std", [
    ("glorot_normal", math.sqrt(1 / FAN_AVG)),
    ("he_normal", math.sqrt(2 / FAN_IN)),
    ("lecun_normal", math.sqrt(1 / FAN_IN)),
])
def test_truncated_variance_scaling(name, std):
    """Keras draws N(0, (std/0.8796)^2) cut at 2σ: the cut keeps the target variance."""
    w = draw(name)
    sigma = std / 0.87962566103423978
    assert np.abs(w).max() <= 2 * sigma
    assert np.abs(w).max() > 1.98 * sigma
    assert w.std() == pytest.approx(std, rel=0.01)


@pytest.mark.parametrize("name", ["random_normal", "normal"])
def test_random_normal(name):
    w = draw(name)
    assert w.std() == pytest.approx(0.05, rel=0.01)
    assert np.abs(w).max() > 0.2  # not truncated: 4σ values occur among 240,000 draws


def test_truncated_normal():
    w = draw("truncated_normal")
    assert np.abs(w).max() <= 0.1 and np.abs(w).max() > 0.099
    # a N(0, 0.05²) cut at 2σ has stddev 0.05·0.8796
    assert w.std() == pytest.approx(0.05 * 0.87962566103423978, rel=0.01)


def test_variance_scaling_default_and_modes():
    vs = initializers.get("variance_scaling")
    assert vs.get_config() == {"scale": 1.0, "mode": "fan_in", "distribution": "truncated_normal"}
    w = initializers.VarianceScaling(3.0, "fan_out", "untruncated_normal")(SHAPE, "float64", np.random.default_rng(1))
    assert w.std() == pytest.approx(math.sqrt(3.0 / FAN_OUT), rel=0.01)
    with pytest.raises(ValueError, match="Received: mode=fan_x"):
        initializers.VarianceScaling(mode="fan_x")
    with pytest.raises(ValueError, match="Received: scale=0"):
        initializers.VarianceScaling(scale=0)


@pytest.mark.parametrize("shape", [(30, 50), (50, 30), (40, 40)])
def test_orthogonal(shape):
    w = draw("orthogonal", shape)
    small = w.T @ w if shape[0] >= shape[1] else w @ w.T
    np.testing.assert_allclose(small, np.eye(min(shape)), atol=1e-10)


def test_identity_constant_zeros_ones():
    np.testing.assert_array_equal(draw("identity", (3, 4)), np.eye(3, 4))
    np.testing.assert_array_equal(draw("zeros", (2, 2)), 0)
    np.testing.assert_array_equal(draw("zero", (2, 2)), 0)
    np.testing.assert_array_equal(draw("ones", (2, 2)), 1)
    np.testing.assert_array_equal(draw("one", (2, 2)), 1)
    np.testing.assert_array_equal(initializers.Constant(0.3)((2,), "float64"), 0.3)
    assert draw("constant", (2,)).tolist() == [0.0, 0.0]


@pytest.mark.parametrize("name", initializers.NAMES)
def test_seeded_and_dtype(name):
    shape = (6, 6)
    a = initializers.get(name)(shape, "float32", np.random.default_rng(5))
    b = initializers.get(name)(shape, "float32", np.random.default_rng(5))
    assert a.dtype == np.float32 and a.shape == shape
    np.testing.assert_array_equal(a, b)


def test_names_and_errors():
    assert initializers.get("GlorotUniform").name == "glorot_uniform"
    assert isinstance(initializers.get("he_normal"), initializers.VarianceScaling)
    with pytest.raises(ValueError, match=r"Could not interpret initializer identifier: 'foo'.*glorot_uniform"):
        initializers.get("foo")
