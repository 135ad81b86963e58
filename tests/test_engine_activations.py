"""Tests for dense_viz.engine.activations: values, gradients, dtypes, stability and get()."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dense_viz.engine import activations as A
from dense_viz.engine.activations import NAMES, Activation, get

EXPECTED_NAMES = (
    "celu", "elu", "exponential", "gelu", "glu", "hard_shrink", "hard_sigmoid", "hard_silu",
    "hard_swish", "hard_tanh", "leaky_relu", "linear", "log_sigmoid", "log_softmax", "mish", "relu",
    "relu6", "selu", "sigmoid", "silu", "soft_shrink", "softmax", "softplus", "softsign",
    "sparse_plus", "sparse_sigmoid", "sparsemax", "squareplus", "swish", "tanh", "tanh_shrink",
)
NOT_ELEMENTWISE = {"softmax", "log_softmax", "sparsemax", "glu"}
KINKS = np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 6.0])
SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def away_from_kinks(rng, shape, lo=-4.0, hi=7.0, gap=1e-3):
    """Uniform draws in [lo, hi) at least `gap` from every kink point."""
    z = rng.uniform(lo, hi, size=shape)
    while True:
        bad = np.min(np.abs(z[..., None] - KINKS), axis=-1) < gap
        if not bad.any():
            return z
        z[bad] = rng.uniform(lo, hi, size=int(bad.sum()))


def draw_z(name, shape, seed):
    """Random pre-activations for `name` where it is differentiable (sparsemax: no tie at tau)."""
    rng = np.random.default_rng(seed)
    while True:
        z = away_from_kinks(rng, shape)
        if name != "sparsemax":
            return z
        y = get(name)(z)
        tau = np.max(z - y, axis=-1, keepdims=True)      # z - y = tau on the support
        if np.min(np.abs(z - tau)) > 1e-3:
            return z


def numeric_grad(f, z, eps=1e-6):
    """Centred finite differences of the scalar f at z, elementwise."""
    g = np.empty_like(z)
    for i in np.ndindex(z.shape):
        zp, zm = z.copy(), z.copy()
        zp[i] += eps
        zm[i] -= eps
        g[i] = (f(zp) - f(zm)) / (2 * eps)
    return g


def rel_err(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b), 1e-12)


# ---------------------------------------------------------------- registry
def test_names_are_every_keras_name_sorted():
    assert NAMES == EXPECTED_NAMES
    assert list(NAMES) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_every_name_resolves_to_its_canonical_activation(name):
    act = get(name)
    assert isinstance(act, Activation)
    assert act.name == A.ALIASES.get(name, name)
    assert act.elementwise == (name not in NOT_ELEMENTWISE)
    assert repr(act) == f"<Activation {act.name}>"


def test_aliases_are_the_same_object_as_keras_does():
    assert A.ALIASES == {"hard_swish": "hard_silu", "swish": "silu"}
    assert get("swish") is get("silu")
    assert get("hard_swish") is get("hard_silu")


# ---------------------------------------------------------------- gradients
@pytest.mark.parametrize("shape", [(4, 6), (2, 3, 6)])
@pytest.mark.parametrize("name", NAMES)
def test_backward_matches_finite_differences(name, shape):
    act = get(name)
    z = draw_z(name, shape, seed=sum(map(ord, name)) * 10 + len(shape))
    y = act(z)
    dy = np.random.default_rng(1).normal(size=y.shape)
    z0, y0, dy0 = z.copy(), y.copy(), dy.copy()
    dz = act.backward(z, y, dy)
    assert dz.shape == z.shape and dz.dtype == np.float64
    np.testing.assert_array_equal(z, z0)                 # inputs untouched
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(dy, dy0)
    num = numeric_grad(lambda v: np.sum(dy * act(v)), z)
    assert rel_err(dz, num) < 1e-6


@pytest.mark.parametrize("name", NAMES)
def test_derivative_is_the_jacobian_diagonal(name):
    act = get(name)
    z = draw_z(name, (3, 6), seed=7)
    y = act(z)
    d = act.derivative(z, y)
    assert d.shape == y.shape
    np.testing.assert_allclose(act.derivative(z), d)      # y=None recomputes it
    num = np.empty_like(y)
    eps = 1e-6
    for i in np.ndindex(y.shape):                        # glu: y_i against its a_i = z_i
        zp, zm = z.copy(), z.copy()
        zp[i] += eps
        zm[i] -= eps
        num[i] = (act(zp)[i] - act(zm)[i]) / (2 * eps)
    np.testing.assert_allclose(d, num, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", sorted(set(NAMES) - NOT_ELEMENTWISE))
def test_elementwise_backward_is_dy_times_derivative(name):
    act = get(name)
    z = draw_z(name, (5, 4), seed=3)
    y = act(z)
    dy = np.random.default_rng(2).normal(size=y.shape)
    np.testing.assert_allclose(act.backward(z, y, dy), dy * act.derivative(z, y), rtol=1e-14, atol=0)


@pytest.mark.parametrize(
    "name, z, expected",
    [
        ("relu", [0.0], [0.0]),
        ("relu6", [0.0, 6.0], [0.0, 0.0]),
        ("leaky_relu", [0.0], [0.2]),
        ("hard_tanh", [-1.0, 1.0], [0.0, 0.0]),
        ("hard_sigmoid", [-3.0, 3.0], [0.0, 0.0]),
        ("hard_silu", [-3.0, 3.0], [-0.5, 1.5]),            # PyTorch's hardswish_backward
        ("hard_shrink", [-0.5, 0.5], [0.0, 0.0]),
        ("soft_shrink", [-0.5, 0.5], [0.0, 0.0]),
        ("sparse_sigmoid", [-1.0, 1.0], [0.0, 0.0]),
        ("sparse_plus", [-1.0, 1.0], [0.0, 1.0]),           # C1: no kink at all
        ("elu", [0.0], [1.0]),
        ("celu", [0.0], [1.0]),
        ("selu", [0.0], [SELU_SCALE * SELU_ALPHA]),         # PyTorch takes the negative branch at 0
        ("linear", [0.0], [1.0]),
    ],
)
def test_subgradients_at_kinks_follow_pytorch(name, z, expected):
    np.testing.assert_allclose(get(name).derivative(np.array(z)), expected, rtol=1e-15)


# ---------------------------------------------------------------- known values
E = math.e
KNOWN = [
    ("celu", [-1.0, 2.0], [math.expm1(-1), 2.0]),
    ("elu", [-1.0, 0.5], [-0.6321205588285577, 0.5]),
    ("exponential", [0.0, 1.0], [1.0, E]),
    ("gelu", [-1.0, 0.0, 1.0, 2.0], [-0.15865525393145707, 0.0, 0.8413447460685429, 1.9544997361036416]),
    ("glu", [[1.0, 2.0, 0.0, 3.0]], [[0.5, 1.9051482536448667]]),
    ("hard_shrink", [-0.6, -0.5, 0.3, 0.5, 0.7], [-0.6, 0.0, 0.0, 0.0, 0.7]),
    ("hard_sigmoid", [-4.0, -3.0, 0.0, 1.5, 3.0, 4.0], [0.0, 0.0, 0.5, 0.75, 1.0, 1.0]),
    ("hard_silu", [-4.0, -1.5, 0.0, 1.5, 4.0], [0.0, -0.375, 0.0, 1.125, 4.0]),
    ("hard_swish", [-1.5, 1.5], [-0.375, 1.125]),
    ("hard_tanh", [-2.0, -0.5, 0.5, 2.0], [-1.0, -0.5, 0.5, 1.0]),
    ("leaky_relu", [-1.0, 0.0, 2.0], [-0.2, 0.0, 2.0]),
    ("linear", [-1.5, 2.0], [-1.5, 2.0]),
    ("log_sigmoid", [0.0, -100.0, 100.0], [-math.log(2), -100.0, -3.720075976020836e-44]),
    ("log_softmax", [[1.0, 2.0, 3.0]], [[-2.40760596444438, -1.40760596444438, -0.40760596444438]]),
    ("mish", [-1.0, 0.0, 1.0], [-0.30340146137410895, 0.0, 0.8650983882673103]),
    ("relu", [-1.0, 0.0, 2.0], [0.0, 0.0, 2.0]),
    ("relu6", [-1.0, 3.0, 7.0], [0.0, 3.0, 6.0]),
    ("selu", [-1.0, 1.0], [-1.1113307378125625, 1.0507009873554805]),
    ("sigmoid", [0.0, 2.0], [0.5, 0.8807970779778823]),
    ("silu", [0.0, 1.0], [0.0, 0.7310585786300049]),
    ("swish", [1.0], [0.7310585786300049]),
    ("soft_shrink", [-2.0, -0.3, 0.3, 1.0], [-1.5, 0.0, 0.0, 0.5]),
    ("softmax", [[1.0, 2.0, 3.0]], [[0.09003057317038046, 0.24472847105479764, 0.6652409557748219]]),
    ("softplus", [0.0, 100.0, -100.0], [math.log(2), 100.0, 3.720075976020836e-44]),
    ("softsign", [-3.0, 1.0], [-0.75, 0.5]),
    ("sparse_plus", [-2.0, -1.0, 0.0, 0.5, 1.0, 2.0], [0.0, 0.0, 0.25, 0.5625, 1.0, 2.0]),
    ("sparse_sigmoid", [-2.0, -1.0, 0.0, 0.5, 1.0, 2.0], [0.0, 0.0, 0.5, 0.75, 1.0, 1.0]),
    ("sparsemax", [[1.0, 0.5, -1.0], [0.0, 0.0, 0.0], [3.0, 0.0, 0.0]],
     [[0.75, 0.25, 0.0], [1 / 3, 1 / 3, 1 / 3], [1.0, 0.0, 0.0]]),
    ("squareplus", [-1.5, 0.0, 1.5], [0.5, 1.0, 2.0]),
    ("tanh", [1.0], [0.7615941559557649]),
    ("tanh_shrink", [1.0], [0.23840584404423515]),
]


def test_known_values_cover_every_name():
    assert {name for name, _, _ in KNOWN} == set(NAMES)


@pytest.mark.parametrize("name, z, expected", KNOWN, ids=[k[0] for k in KNOWN])
def test_known_values(name, z, expected):
    np.testing.assert_allclose(get(name)(np.array(z)), expected, rtol=1e-13, atol=1e-300)


@pytest.mark.parametrize("name", ["softmax", "sparsemax"])
def test_rows_sum_to_one(name):
    y = get(name)(np.random.default_rng(0).normal(size=(5, 7)) * 3)
    np.testing.assert_allclose(y.sum(-1), 1.0, rtol=1e-14)
    assert (y >= 0).all()


# ---------------------------------------------------------------- dtypes and stability
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", NAMES)
def test_dtype_is_preserved(name, dtype):
    act = get(name)
    z = draw_z(name, (3, 4), seed=5).astype(dtype)
    y = act(z)
    dy = np.ones_like(y)
    assert y.dtype == dtype
    assert act.derivative(z, y).dtype == dtype
    assert act.backward(z, y, dy).dtype == dtype


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "name", ["sigmoid", "softplus", "softmax", "log_softmax", "log_sigmoid", "mish", "silu", "gelu"]
)
def test_no_nan_or_inf_for_large_inputs(name, dtype):
    act = get(name)
    z = np.array([[-100.0, -50.0, -1.0, 0.0, 1.0, 50.0, 100.0, -100.0]], dtype=dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = act(z)
        d = act.derivative(z, y)
        g = act.backward(z, y, np.ones_like(y))
    assert np.isfinite(y).all() and np.isfinite(d).all() and np.isfinite(g).all()


@pytest.mark.parametrize("name", sorted(set(NAMES) - NOT_ELEMENTWISE - {"exponential"}))
def test_elementwise_ones_are_overflow_free(name):
    z = np.array([-1e4, -100.0, 100.0, 1e4], dtype=np.float32)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        act = get(name)
        y = act(z)
        assert np.isfinite(act.backward(z, y, np.ones_like(y))).all()


def test_linear_is_free():
    lin = get("linear")
    z, dy = np.ones((3, 2), np.float32), np.ones((3, 2), np.float32)
    assert lin(z) is z
    assert lin.backward(z, z, dy) is dy


def test_scalars_lists_and_ints_are_accepted():
    assert get("relu")(-2.0) == 0.0
    np.testing.assert_allclose(get("sigmoid")([0, 0]), [0.5, 0.5])
    assert get("tanh")(np.array([1, 2])).dtype == np.float64
    assert get("gelu")(np.float32(1.0)).dtype == np.float32


# ---------------------------------------------------------------- erf
def test_erf_matches_math_erf_on_a_dense_grid():
    x = np.concatenate([np.linspace(-8, 8, 200_001), [0.0, 0.46875, -0.46875, 4.0, -4.0, 30.0, 1e300]])
    ref = np.array([math.erf(v) for v in x])
    assert np.max(np.abs(A.erf(x) - ref)) < 1e-14


def test_erfc_is_relatively_accurate_in_the_tails():
    x = np.linspace(-6, 26, 100_001)
    ref = np.array([math.erfc(v) for v in x])
    assert np.max(np.abs(A.erfc(x) - ref) / ref) < 1e-14
    assert A.erfc(np.array([40.0, -40.0])).tolist() == [0.0, 2.0]


def test_erf_float32():
    x = np.linspace(-6, 6, 10_001, dtype=np.float32)
    e = A.erf(x)
    assert e.dtype == np.float32
    ref = np.array([math.erf(float(v)) for v in x])
    assert np.max(np.abs(e - ref)) < 1e-6


@settings(max_examples=200, deadline=None)
@given(st.floats(-1e6, 1e6, allow_nan=False))
def test_erf_property(x):
    assert abs(float(A.erf(x)) - math.erf(x)) <= 2e-16 * max(1.0, abs(math.erf(x)))


@settings(max_examples=100, deadline=None)
@given(arrays(np.float64, (3, 5), elements=st.floats(-50, 50, allow_nan=False)))
def test_simplex_outputs(z):
    for name in ("softmax", "sparsemax"):
        y = get(name)(z)
        assert (y >= 0).all()
        np.testing.assert_allclose(y.sum(-1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(get("sparsemax")(z + 10.0), get("sparsemax")(z), atol=1e-12)


# ---------------------------------------------------------------- get() and glu
def test_get_none_is_linear():
    assert get(None) is get("linear")
    assert get(None).name == "linear"


def test_get_activation_is_identity():
    act = get("tanh")
    assert get(act) is act


@pytest.mark.parametrize("bad", ["foo", "ReLU", "Relu", "threshold", 42, 1.5, ["relu"]])
def test_get_unknown_raises_keras_style(bad):
    with pytest.raises(ValueError) as err:
        get(bad)
    msg = str(err.value)
    assert msg.startswith(f"Could not interpret activation function identifier: {bad!r}.")
    assert "Expected one of: celu, elu, exponential, gelu, glu," in msg and "tanh_shrink" in msg
    assert msg.endswith(f"Received: activation={bad!r}")


def test_get_wraps_a_callable_with_numeric_derivatives():
    def cube(x):
        return x ** 3

    act = get(cube)
    assert isinstance(act, Activation) and act.name == "cube" and act.elementwise
    assert repr(act) == "<Activation cube>"
    assert act.output_units(5) == 5
    z = np.array([[-2.0, -0.5, 0.0, 1.0, 3.0]])
    y = act(z)
    np.testing.assert_allclose(y, z ** 3)
    np.testing.assert_allclose(act.derivative(z, y), 3 * z ** 2, rtol=1e-8, atol=1e-9)
    dy = np.array([[1.0, 2.0, 3.0, 4.0, 5.0]])
    np.testing.assert_allclose(act.backward(z, y, dy), dy * 3 * z ** 2, rtol=1e-8, atol=1e-9)
    assert get(lambda x: 2 * x).name == "<lambda>"
    np.testing.assert_allclose(get(np.sin).derivative(z), np.cos(z), rtol=1e-8)


def test_wrapped_callable_keeps_float32():
    act = get(lambda x: x * x)
    z = np.linspace(-2, 2, 9, dtype=np.float32)
    d = act.derivative(z)
    assert d.dtype == np.float32
    np.testing.assert_allclose(d, 2 * z, atol=1e-2)


def test_glu_odd_last_dim_raises():
    glu = get("glu")
    with pytest.raises(ValueError, match=r"divisible by 2. Received: x.shape=\(2, 5\)"):
        glu(np.ones((2, 5)))
    with pytest.raises(ValueError, match="Received: units=5"):
        glu.output_units(5)


def test_glu_shapes_and_derivative_meaning():
    glu = get("glu")
    z = np.random.default_rng(4).normal(size=(2, 3, 8))
    y = glu(z)
    assert y.shape == (2, 3, 4)
    np.testing.assert_allclose(glu.derivative(z, y), 1 / (1 + np.exp(-z[..., 4:])))
    assert glu.backward(z, y, np.ones_like(y)).shape == z.shape


@pytest.mark.parametrize("name", NAMES)
def test_output_units(name):
    expected = (3, 4) if name == "glu" else (6, 8)
    assert (get(name).output_units(6), get(name).output_units(8)) == expected
