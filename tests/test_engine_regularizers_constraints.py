"""Regularizers and constraints: Keras 3's defaults, values and projections."""
import numpy as np
import pytest

from dense_viz import constraints, regularizers
from dense_viz.engine.constraints import EPSILON

W = np.array([[3.0, 0.0, -1.0], [4.0, 0.5, 2.0]])  # column norms 5, 0.5, sqrt(5)


def test_regularizer_defaults_and_values():
    assert regularizers.get("l1")(W) == pytest.approx(0.01 * 10.5)
    assert regularizers.get("l2")(W) == pytest.approx(0.01 * 30.25)
    assert regularizers.get("l1l2")(W) == 0.0  # Keras 3: the bare string means L1L2(l1=0, l2=0)
    assert regularizers.L1L2(0.1, 0.2)(W) == pytest.approx(0.1 * 10.5 + 0.2 * 30.25)
    np.testing.assert_allclose(regularizers.L1L2(0.1, 0.2).gradient(W), 0.1 * np.sign(W) + 0.4 * W)
    assert regularizers.get(None) is None
    assert regularizers.L1(0.5).formula() == "0.5·Σ|w|"


def test_regularizer_errors():
    with pytest.raises(ValueError, match="Received: l1=-1$"):  # Keras echoes the value as given
        regularizers.L1(-1)
    with pytest.raises(ValueError, match=r"Could not interpret regularizer identifier: 'l3'.*l1, l1_l2, l1l2, l2"):
        regularizers.get("l3")


def test_max_norm():
    out = constraints.get("max_norm")(W)  # max_value=2, axis=0
    norms = np.linalg.norm(out, axis=0)
    np.testing.assert_allclose(norms, [2.0 * 5 / (5 + EPSILON), 0.5 * 0.5 / (0.5 + EPSILON), 2.0 * np.sqrt(5) / (np.sqrt(5) + EPSILON)])


def test_min_max_norm():
    out = constraints.get("min_max_norm")(W)  # min 0, max 1, rate 1
    np.testing.assert_allclose(np.linalg.norm(out, axis=0), [1.0, 0.5, 1.0], rtol=1e-6)
    half = constraints.MinMaxNorm(0.0, 1.0, rate=0.5)(W)
    np.testing.assert_allclose(np.linalg.norm(half, axis=0), [3.0, 0.5, (1 + np.sqrt(5)) / 2], rtol=1e-6)


def test_non_neg_and_unit_norm():
    np.testing.assert_array_equal(constraints.get("non_neg")(W), np.maximum(W, 0))
    np.testing.assert_allclose(np.linalg.norm(constraints.get("unit_norm")(W), axis=0), 1.0, rtol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(constraints.UnitNorm(axis=1)(W), axis=1), 1.0, rtol=1e-6)


def test_constraint_dtype_and_errors():
    w32 = W.astype(np.float32)
    for name in constraints.NAMES:
        assert constraints.get(name)(w32).dtype == np.float32
    assert constraints.get("MaxNorm").get_config() == {"max_value": 2, "axis": 0}
    with pytest.raises(ValueError, match=r"Could not interpret constraint identifier: 'foo'.*max_norm"):
        constraints.get("foo")
