"""Optimizers: two hand-computed steps for every rule, the layer interface, dtypes, names and errors.

Learning rates are powers of two, so the float32 learning-rate variable Keras keeps is exact and the
hand arithmetic below (in float64) is the arithmetic the optimizer does.
"""
import math
from types import SimpleNamespace

import numpy as np
import pytest

from dense_viz.engine import optimizers
from dense_viz.engine.optimizers import SGD, Adam, RMSprop

W0 = [1.0, -2.0]
G = [0.5, 1.0]


def two_steps(optimizer, w0=W0, grads=(G, G)):
    """Apply `grads` one after another to a copy of w0; return the weights after each step."""
    w = np.array(w0, dtype=np.float64)
    history = []
    for g in grads:
        optimizer.apply([w], [np.array(g, dtype=np.float64)])
        history.append(w.copy())
    return history


def fake_layer(kernel, bias, grads, constraint=None):
    """A stand-in for Dense: kernel, bias, grads and apply_constraints (counts its calls)."""
    layer = SimpleNamespace(kernel=kernel, bias=bias, grads=grads, constraint_calls=0)

    def apply_constraints():
        layer.constraint_calls += 1
        if constraint is not None:
            layer.kernel = constraint(layer.kernel)

    layer.apply_constraints = apply_constraints
    return layer


# ---------------------------------------------------------------- SGD


def test_sgd_plain_two_steps():
    # w -= lr·g with lr = 0.5, g = [0.5, 1]:
    # step 1: [1 - 0.25, -2 - 0.5] = [0.75, -2.5]; step 2: [0.75 - 0.25, -2.5 - 0.5] = [0.5, -3]
    w1, w2 = two_steps(SGD(learning_rate=0.5))
    np.testing.assert_array_equal(w1, [0.75, -2.5])
    np.testing.assert_array_equal(w2, [0.5, -3.0])


def test_sgd_momentum_two_steps():
    # m = 0.5·m - 0.5·g; w += m
    # step 1: m = [-0.25, -0.5];                                 w = [0.75, -2.5]
    # step 2: m = [0.5·-0.25 - 0.25, 0.5·-0.5 - 0.5] = [-0.375, -0.75]; w = [0.375, -3.25]
    w1, w2 = two_steps(SGD(learning_rate=0.5, momentum=0.5))
    np.testing.assert_array_equal(w1, [0.75, -2.5])
    np.testing.assert_array_equal(w2, [0.375, -3.25])


def test_sgd_nesterov_two_steps():
    # m = 0.5·m - 0.5·g; w += 0.5·m - 0.5·g
    # step 1: m = [-0.25, -0.5];   w = [1 - 0.125 - 0.25, -2 - 0.25 - 0.5] = [0.625, -2.75]
    # step 2: m = [-0.375, -0.75]; w = [0.625 - 0.1875 - 0.25, -2.75 - 0.375 - 0.5] = [0.1875, -3.625]
    w1, w2 = two_steps(SGD(learning_rate=0.5, momentum=0.5, nesterov=True))
    np.testing.assert_array_equal(w1, [0.625, -2.75])
    np.testing.assert_array_equal(w2, [0.1875, -3.625])


def test_sgd_keeps_momentum_per_variable():
    # Two variables updated together must not share a momentum buffer.
    optimizer = SGD(learning_rate=0.5, momentum=0.5)
    a, b = np.array([0.0]), np.array([0.0])
    optimizer.apply([a, b], [np.array([1.0]), np.array([-1.0])])  # m_a = -0.5, m_b = 0.5
    optimizer.apply([a, b], [np.array([0.0]), np.array([0.0])])  # m_a = -0.25, m_b = 0.25
    np.testing.assert_array_equal(a, [-0.75])
    np.testing.assert_array_equal(b, [0.75])


# ---------------------------------------------------------------- Adam


def test_adam_bias_correction_at_t1_and_t2():
    lr, b1, b2, eps, g = 0.125, 0.9, 0.999, 1e-7, 0.5
    # t = 1: m = (1 - b1)·g = 0.05, v = (1 - b2)·g² = 0.00025, alpha = lr·sqrt(1 - b2)/(1 - b1)
    m1 = (g - 0.0) * (1 - b1)
    v1 = (g * g - 0.0) * (1 - b2)
    alpha1 = lr * math.sqrt(1 - b2**1) / (1 - b1**1)
    w1 = 1.0 - alpha1 * m1 / (math.sqrt(v1) + eps)
    # t = 2: m = 0.05 + (0.5 - 0.05)·0.1 = 0.095, v = 0.00025 + (0.25 - 0.00025)·0.001 = 0.00049975
    m2 = m1 + (g - m1) * (1 - b1)
    v2 = v1 + (g * g - v1) * (1 - b2)
    alpha2 = lr * math.sqrt(1 - b2**2) / (1 - b1**2)
    w2 = w1 - alpha2 * m2 / (math.sqrt(v2) + eps)
    assert (m1, m2) == pytest.approx((0.05, 0.095), rel=1e-12)
    assert (v1, v2) == pytest.approx((0.00025, 0.00049975), rel=1e-12)

    result = two_steps(Adam(learning_rate=lr), w0=[1.0], grads=([g], [g]))
    np.testing.assert_allclose(result, [[w1], [w2]], rtol=1e-14)
    # The bias correction makes each of the first steps ≈ lr·sign(g) for a constant gradient.
    np.testing.assert_allclose(result, [[1.0 - lr], [1.0 - 2 * lr]], rtol=1e-5)


def test_adam_counts_iterations_and_reset_restarts_the_bias_correction():
    optimizer = Adam(learning_rate=0.125)
    first = two_steps(optimizer, w0=[1.0], grads=([0.5], [0.5]))
    assert optimizer.iterations == 2
    optimizer.reset()
    assert optimizer.iterations == 0
    np.testing.assert_array_equal(two_steps(optimizer, w0=[1.0], grads=([0.5], [0.5])), first)


def test_adam_amsgrad_keeps_the_largest_second_moment():
    lr, b1, b2, eps = 0.125, 0.9, 0.999, 1e-7
    # step 1 with g = 1, step 2 with g = 0: v shrinks, v_hat keeps v1 = 0.001
    m1, v1 = 0.1, 0.001 * 1.0
    w1 = 1.0 - (lr * math.sqrt(1 - b2) / (1 - b1)) * m1 / (math.sqrt(v1) + eps)
    m2 = m1 + (0.0 - m1) * (1 - b1)
    w2 = w1 - (lr * math.sqrt(1 - b2**2) / (1 - b1**2)) * m2 / (math.sqrt(v1) + eps)
    result = two_steps(Adam(learning_rate=lr, amsgrad=True), w0=[1.0], grads=([1.0], [0.0]))
    np.testing.assert_allclose(result, [[w1], [w2]], rtol=1e-14)


# ---------------------------------------------------------------- RMSprop


def test_rmsprop_two_steps():
    lr, g = 0.125, 0.5
    # v = 0.9·v + 0.1·g²: v1 = 0.025, v2 = 0.0225 + 0.025 = 0.0475; w -= lr·g / sqrt(v + eps)
    w1 = 1.0 - lr * g / math.sqrt(0.025 + 1e-7)
    w2 = w1 - lr * g / math.sqrt(0.0475 + 1e-7)
    result = two_steps(RMSprop(learning_rate=lr), w0=[1.0], grads=([g], [g]))
    np.testing.assert_allclose(result, [[w1], [w2]], rtol=1e-14)


def test_rmsprop_puts_epsilon_inside_the_square_root():
    # With epsilon = 1: inside, 0.0625 / sqrt(0.025 + 1) = 0.06173…; outside it would be 0.0625 / 1.158… = 0.054
    (w1,) = two_steps(RMSprop(learning_rate=0.125, epsilon=1.0), w0=[1.0], grads=([0.5],))
    np.testing.assert_allclose(w1, [1.0 - 0.0625 / math.sqrt(1.025)], rtol=1e-14)


def test_rmsprop_keras_docstring_example():
    # Keras: RMSprop(learning_rate=0.1) minimising var²/2 from var = 10 gives 9.683772 after one step.
    var = np.array(10.0, dtype=np.float32)
    RMSprop(learning_rate=0.1).apply([var], [var.copy()])
    assert float(var) == pytest.approx(9.683772, abs=1e-6)


def test_rmsprop_centered_two_steps():
    lr, g, eps = 0.125, 0.5, 1e-7
    # avg = 0.9·avg + 0.1·g: avg1 = 0.05, avg2 = 0.095; denominator = v - avg² + eps
    w1 = 1.0 - lr * g / math.sqrt(0.025 - 0.05**2 + eps)
    w2 = w1 - lr * g / math.sqrt(0.0475 - 0.095**2 + eps)
    result = two_steps(RMSprop(learning_rate=lr, centered=True), w0=[1.0], grads=([g], [g]))
    np.testing.assert_allclose(result, [[w1], [w2]], rtol=1e-14)


def test_rmsprop_momentum_two_steps():
    lr, g, eps = 0.125, 0.5, 1e-7
    increment1 = lr * g / math.sqrt(0.025 + eps)
    increment2 = lr * g / math.sqrt(0.0475 + eps)
    # buffer = 0.5·buffer + increment; w -= buffer
    w1 = 1.0 - increment1
    w2 = w1 - (0.5 * increment1 + increment2)
    result = two_steps(RMSprop(learning_rate=lr, momentum=0.5), w0=[1.0], grads=([g], [g]))
    np.testing.assert_allclose(result, [[w1], [w2]], rtol=1e-14)


# ---------------------------------------------------------------- layers, dtypes, state


def test_step_updates_kernel_and_bias_in_place_then_applies_constraints():
    kernel, bias = np.array([[1.0, -2.0]]), np.array([0.5])
    layer = fake_layer(kernel, bias, {"kernel": np.array([[0.5, 1.0]]), "bias": np.array([1.0])})
    optimizer = SGD(learning_rate=0.5)
    optimizer.step([layer])
    assert layer.kernel is kernel and layer.bias is bias  # same arrays, new values
    np.testing.assert_array_equal(kernel, [[0.75, -2.5]])
    np.testing.assert_array_equal(bias, [0.0])
    assert layer.constraint_calls == 1
    assert optimizer.iterations == 1


def test_step_counts_one_iteration_for_several_layers_and_accepts_a_single_layer():
    layers = [fake_layer(np.zeros((2, 2)), None, {"kernel": np.ones((2, 2))}) for _ in range(3)]
    optimizer = SGD(learning_rate=0.5)
    optimizer.step(layers)
    optimizer.step(layers[0])
    assert optimizer.iterations == 2
    np.testing.assert_array_equal(layers[0].kernel, np.full((2, 2), -1.0))
    np.testing.assert_array_equal(layers[1].kernel, np.full((2, 2), -0.5))
    assert [layer.constraint_calls for layer in layers] == [2, 1, 1]


def test_step_keeps_momentum_when_a_constraint_replaces_the_kernel_array():
    # The constraint returns a new array each time; the momentum must follow the layer, not the array.
    layer = fake_layer(np.array(W0), None, {"kernel": np.array(G)}, constraint=lambda w: np.minimum(w, 10.0))
    optimizer = SGD(learning_rate=0.5, momentum=0.5)
    optimizer.step([layer])
    optimizer.step([layer])
    np.testing.assert_array_equal(layer.kernel, [0.375, -3.25])  # as in test_sgd_momentum_two_steps


def test_step_requires_gradients_for_every_weight():
    layer = fake_layer(np.zeros((2, 1)), np.zeros(1), {"kernel": np.zeros((2, 1))})
    with pytest.raises(ValueError, match=r"no gradient for \['bias'\]"):
        SGD().step([layer])


@pytest.mark.parametrize("optimizer", [SGD(momentum=0.9, nesterov=True), Adam(amsgrad=True), RMSprop(centered=True)])
def test_float32_weights_stay_float32(optimizer):
    kernel = np.array([[1.0, -2.0]], dtype=np.float32)
    layer = fake_layer(kernel, None, {"kernel": np.array([[0.5, 1.0]])})  # float64 gradient
    optimizer.reset()
    optimizer.step([layer])
    optimizer.step([layer])
    assert layer.kernel.dtype == np.float32
    assert all(slot.dtype == np.float32 for slots in optimizer._slots.values() for slot in slots.values())


def test_float32_adam_matches_float64_closely():
    w32 = np.array([1.0, -2.0], dtype=np.float32)
    w64 = np.array([1.0, -2.0])
    a32, a64 = Adam(learning_rate=0.125), Adam(learning_rate=0.125)
    for _ in range(3):
        a32.apply([w32], [np.array(G, dtype=np.float32)])
        a64.apply([w64], [np.array(G)])
    # Not bit-equal: in float32, 1 - 0.999**t cancels (float32(0.999) = 0.99900001), a ~1e-5 relative
    # error in the bias correction that Keras' float32 weights share.
    np.testing.assert_allclose(w32, w64, rtol=2e-5)
    assert not np.array_equal(w32, w64.astype(np.float32))  # it really computed in float32


def test_a_variable_that_changes_shape_needs_a_reset():
    optimizer = Adam()
    layer = fake_layer(np.zeros((2, 1)), None, {"kernel": np.ones((2, 1))})
    optimizer.step([layer])
    layer.kernel, layer.grads = np.zeros((3, 1)), {"kernel": np.ones((3, 1))}
    with pytest.raises(ValueError, match="call reset"):
        optimizer.step([layer])
    optimizer.reset()
    optimizer.step([layer])
    assert optimizer.iterations == 1


def test_apply_validates_everything_before_updating_anything():
    good, bad = np.zeros(2), np.zeros(2)
    optimizer = SGD()
    with pytest.raises(ValueError, match="shape of its variable"):
        optimizer.apply([good, bad], [np.ones(2), np.ones(3)])
    np.testing.assert_array_equal(good, [0.0, 0.0])
    assert optimizer.iterations == 0


def test_apply_rejects_mismatched_lists_and_integer_variables():
    with pytest.raises(ValueError, match="one gradient per variable"):
        SGD().apply([np.zeros(2)], [])
    with pytest.raises(ValueError, match="floating-point numpy array"):
        SGD().apply([np.zeros(2, dtype=int)], [np.ones(2)])


def test_apply_with_no_variables_is_a_no_op():
    optimizer = SGD()
    optimizer.apply([], [])
    assert optimizer.iterations == 0


# ---------------------------------------------------------------- defaults, names, config, errors


def test_defaults_match_keras():
    assert SGD().get_config() == {"name": "SGD", "learning_rate": 0.01, "momentum": 0.0, "nesterov": False}
    assert Adam().get_config() == {
        "name": "adam", "learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "amsgrad": False,
    }
    assert RMSprop().get_config() == {
        "name": "rmsprop", "learning_rate": 0.001, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-7, "centered": False,
    }


@pytest.mark.parametrize(
    "identifier, cls",
    [("sgd", SGD), ("SGD", SGD), ("adam", Adam), ("Adam", Adam), ("rmsprop", RMSprop), ("RMSprop", RMSprop)],
)
def test_get_resolves_names_case_insensitively(identifier, cls):
    assert type(optimizers.get(identifier)) is cls


def test_get_passes_instances_through_and_names_are_lower_case():
    optimizer = Adam(learning_rate=0.5)
    assert optimizers.get(optimizer) is optimizer
    assert optimizers.NAMES == ("sgd", "adam", "rmsprop")


@pytest.mark.parametrize("identifier", ["adagrad", None, 0.1])
def test_get_rejects_unknown_identifiers(identifier):
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier") as info:
        optimizers.get(identifier)
    assert "adam, rmsprop, sgd" in str(info.value)


def test_invalid_learning_rate_message_is_keras_style():
    with pytest.raises(ValueError) as info:
        SGD(learning_rate=-1)
    assert str(info.value) == (
        "Received an invalid value for `learning_rate`, expected a positive float. Received: learning_rate=-1"
    )


@pytest.mark.parametrize(
    "make, argname",
    [
        (lambda: SGD(learning_rate=0), "learning_rate"),
        (lambda: SGD(learning_rate="0.1"), "learning_rate"),
        (lambda: SGD(learning_rate=True), "learning_rate"),
        (lambda: SGD(learning_rate=float("nan")), "learning_rate"),
        (lambda: SGD(momentum=1.5), "momentum"),
        (lambda: SGD(momentum=-0.1), "momentum"),
        (lambda: Adam(beta_1=1.0), "beta_1"),
        (lambda: Adam(beta_2=-0.5), "beta_2"),
        (lambda: Adam(epsilon=0), "epsilon"),
        (lambda: RMSprop(rho=1.1), "rho"),
        (lambda: RMSprop(momentum=2), "momentum"),
        (lambda: RMSprop(epsilon=-1e-7), "epsilon"),
    ],
)
def test_invalid_hyperparameters_raise(make, argname):
    with pytest.raises(ValueError, match=rf"Received an invalid value for `{argname}`.*Received: {argname}="):
        make()


def test_learning_rate_can_be_changed_between_steps_and_is_validated():
    optimizer = SGD(learning_rate=0.5)
    optimizer.learning_rate = 0.25
    (w1,) = two_steps(optimizer, grads=(G,))
    np.testing.assert_array_equal(w1, [1.0 - 0.125, -2.0 - 0.25])
    with pytest.raises(ValueError, match="learning_rate"):
        optimizer.learning_rate = -0.1
