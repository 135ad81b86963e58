"""Fuzz tests (hypothesis) over the engine's public API and the app states' `update()` (issue 11).

Every call gives a valid result (finite where Keras is finite) or a clear refusal: a ValueError/TypeError whose
message says what was expected or received, in Keras' words. Never an IndexError, AttributeError, KeyError,
ZeroDivisionError, a NumPy-internal error, a hang (hypothesis' deadline), or a silent NaN from finite inputs.
The states never let an exception (traitlets' TraitError included) out of `update()`: they return False and say
why in `status`.

Profiles: the default `dv-fuzz-ci` is derandomized and small (the whole file in ≈ 20 s); `DV_FUZZ=long`
(`dev.py fuzz`) runs `dv-fuzz-long`: many more examples, random seeds, a longer deadline.
"""
import inspect
import math
import os
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from dense_viz import Dense, Sequential
from dense_viz.app.state import ExplainerState
from dense_viz.app.training.state import TrainingState
from dense_viz.engine import activations, constraints, initializers, losses, optimizers, regularizers

settings.register_profile("dv-fuzz-ci", max_examples=60, deadline=3000, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("dv-fuzz-long", max_examples=600, deadline=20000,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FUZZ = settings.get_profile(f"dv-fuzz-{os.environ.get('DV_FUZZ', 'ci')}")
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # overflow in a formula is a value, not a bug

REFUSED = object()
# What Keras' refusals say (what was expected, what was received); Python's own TypeErrors ("'NoneType' object is
# not iterable", "unsupported operand type(s)") say none of it.
KERAS_WORDS = ("expected", "expecting", "received", "must", "invalid", "could not interpret", "cannot",
               "incompatible", "not compatible", "only instances", "unrecognized")
UNCLEAR = (IndexError, AttributeError, KeyError, ZeroDivisionError, np.exceptions.AxisError, AssertionError,
           NotImplementedError, RecursionError)


def outcome(fn, *args, **kwargs):
    """fn's result, or REFUSED for a clear ValueError/TypeError; anything else fails the test with its story."""
    try:
        return fn(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - classifying every exception is the point
        message = str(error)
        clear = (isinstance(error, (ValueError, TypeError)) and not isinstance(error, UNCLEAR)
                 and not type(error).__module__.startswith("numpy")
                 and any(word in message.lower() for word in KERAS_WORDS))
        if not clear:
            raise AssertionError(f"unclear error from {getattr(fn, '__qualname__', fn)}{args!r:.200}: "
                                 f"{type(error).__module__}.{type(error).__name__}: {message}") from error
        return REFUSED


# -- strategies ------------------------------------------------------------------------------------------------
junk = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.integers(-10**5, 10**5),  # sizes stay allocatable
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=4), st.binary(max_size=3),
    st.lists(st.integers(-2, 5), max_size=3), st.tuples(st.integers(-1, 4)), st.complex_numbers(max_magnitude=5),
    st.just(object()), st.just(np.float32(0.5)), st.just(np.int64(2)), st.just(np.array([1.0, 2.0])),
    st.just({"a": 1}),
)


def names_or_junk(names):
    """A valid registry name, a near miss (case, snake/camel), or junk."""
    names = sorted(names)
    return st.one_of(st.sampled_from(names), st.sampled_from(names).map(str.upper), junk)


def real_arrays(shape, low=-5.0, high=5.0):
    """Finite float arrays of `shape` in [low, high]."""
    return hnp.arrays(np.float64, shape, elements=st.floats(low, high, allow_nan=False, allow_infinity=False))


batch_shapes = hnp.array_shapes(min_dims=2, max_dims=4, min_side=0, max_side=4).map(
    lambda s: s[:-1] + (max(1, s[-1]),))  # an empty batch or leading axis is allowed; the feature axis is not

dense_kwargs = st.fixed_dictionaries({}, optional={
    "activation": st.one_of(st.sampled_from(activations.NAMES), junk),
    "use_bias": st.one_of(st.booleans(), junk),
    "kernel_initializer": names_or_junk(initializers.NAMES),
    "bias_initializer": st.one_of(st.sampled_from(("zeros", "ones", "random_normal", "constant")), junk),
    "kernel_regularizer": names_or_junk(regularizers.NAMES),
    "bias_regularizer": names_or_junk(regularizers.NAMES),
    "activity_regularizer": names_or_junk(regularizers.NAMES),
    "kernel_constraint": names_or_junk(constraints.NAMES),
    "bias_constraint": names_or_junk(constraints.NAMES),
    "lora_rank": st.one_of(st.none(), st.integers(1, 3), junk),
    "lora_alpha": st.one_of(st.none(), st.floats(0.5, 4), junk),
    "seed": st.one_of(st.none(), st.integers(0, 2**32), junk),
    "dtype": st.one_of(st.sampled_from(("float32", "float64", np.float32)), junk),
    "name": st.one_of(st.none(), st.text(max_size=5), junk),
})


def n_parameters(cls):
    """How many arguments cls() takes (Python's own TypeError for too many is not the engine's business)."""
    return len(inspect.signature(cls).parameters)


def finite(*arrays):
    return all(np.all(np.isfinite(a)) for a in arrays)


# -- Dense ------------------------------------------------------------------------------------------------------
@FUZZ
@given(units=st.one_of(st.integers(-2, 9), junk), kwargs=dense_kwargs, shape=batch_shapes, data=st.data())
def test_dense_construct_build_call_backward(units, kwargs, shape, data):
    layer = outcome(Dense, units, **kwargs)
    if layer is REFUSED:
        return
    assert outcome(layer.build, shape) is None or not layer.built
    if not layer.built:
        return
    assert layer.kernel.shape == (shape[-1], layer.units) and finite(*layer.weights)
    x = data.draw(real_arrays(shape))
    y = outcome(layer, x)
    if y is REFUSED:
        return
    assert y.shape == layer.compute_output_shape(shape)
    # exponential can overflow float32 from finite inputs, exactly as Keras' does; everything else stays finite
    if layer.activation.name != "exponential":
        assert finite(y), (layer, x, y)
    dy = data.draw(real_arrays(y.shape, -1, 1))
    dx = outcome(layer.backward, dy)
    assert dx is not REFUSED and dx.shape == x.shape
    if finite(y):
        assert finite(dx, *layer.grads.values()), layer
        assert all(math.isfinite(v) for v in layer.losses)


@FUZZ
@given(shape=st.one_of(st.lists(st.integers(-2, 4), max_size=4).map(tuple), junk),
       x=st.one_of(junk, st.lists(st.one_of(st.none(), st.floats(), st.text(max_size=1)), max_size=4)))
def test_dense_shapes_and_inputs_that_are_not_shapes_or_numbers(shape, x):
    layer = Dense(2, seed=0)
    outcome(layer.build, shape)
    outcome(layer.compute_output_shape, shape)
    y = outcome(Dense(2, seed=0), x)
    if y is not REFUSED:
        assert np.asarray(x, dtype=float).ndim >= 2 and finite(y) == finite(np.asarray(x, dtype=float))


@FUZZ
@given(weights=st.one_of(junk, st.lists(st.one_of(junk, real_arrays((3, 2)), real_arrays((2,)),
                                                   real_arrays((2, 3))), max_size=3)),
       built=st.booleans(), lora=st.booleans(), quantize=st.booleans())
def test_set_weights_and_get_weights(weights, built, lora, quantize):
    layer = Dense(2, seed=0, lora_rank=1 if lora else None)
    if built:
        layer.build((None, 3))
        if quantize:
            layer.quantize("int8")
    before = [w.copy() for w in layer.get_weights()]
    if outcome(layer.set_weights, weights) is REFUSED:
        assert all(np.array_equal(a, b) for a, b in zip(before, layer.get_weights()))  # nothing half-set
        return
    again = layer.get_weights()
    assert len(again) == len(layer.weights) and all(isinstance(w, np.ndarray) for w in again)


# -- the registries and their objects ----------------------------------------------------------------------------
@FUZZ
@given(identifier=names_or_junk(activations.NAMES), z=real_arrays(hnp.array_shapes(min_dims=0, max_dims=3,
                                                                                     min_side=0, max_side=4)))
def test_activations(identifier, z):
    act = outcome(activations.get, identifier)
    if act is REFUSED:
        return
    z = z.astype(np.float32)
    y = outcome(act, z)
    if y is REFUSED or act.name == "exponential":
        return
    assert finite(y)
    if z.ndim:
        d = outcome(act.backward, z, y, np.ones_like(y))
        assert d is REFUSED or (d.shape == z.shape and finite(d))


init_args = st.lists(st.one_of(junk, st.floats(-3, 3)), max_size=3)


@FUZZ
@given(identifier=names_or_junk(initializers.NAMES), args=init_args,
       shape=st.one_of(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5), junk),
       dtype=st.one_of(st.sampled_from(("float32", "float64", "float16")), junk), seed=st.integers(0, 99))
def test_initializers(identifier, args, shape, dtype, seed):
    init = outcome(initializers.get, identifier)
    if init is REFUSED:
        return
    if args and isinstance(init, initializers.Initializer):
        init = outcome(type(init), *args[:n_parameters(type(init))])
        if init is REFUSED:
            return
    w = outcome(init, shape, dtype, np.random.default_rng(seed))
    if w is not REFUSED:
        assert w.shape == tuple(shape) and w.dtype == np.dtype(dtype) and finite(w)
        if isinstance(init, initializers.Initializer) and w.ndim >= 1:
            outcome(init.theory, w.shape)


@FUZZ
@given(identifier=names_or_junk(regularizers.NAMES), args=init_args,
       w=st.one_of(real_arrays(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)), junk))
def test_regularizers(identifier, args, w):
    reg = outcome(regularizers.get, identifier)
    if reg in (REFUSED, None):
        return
    if args:
        reg = outcome(type(reg), *args[:n_parameters(type(reg))])
        if reg is REFUSED:
            return
    penalty = outcome(reg, w)
    grad = outcome(reg.gradient, w)
    if penalty is not REFUSED:
        assert math.isfinite(penalty) and grad is not REFUSED and np.shape(grad) == np.shape(w) and finite(grad)


@FUZZ
@given(identifier=names_or_junk(constraints.NAMES), kwargs=st.dictionaries(
           st.sampled_from(("max_value", "min_value", "rate", "axis")), st.one_of(junk, st.integers(-3, 3)),
           max_size=3),
       w=st.one_of(real_arrays(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)), junk))
def test_constraints(identifier, kwargs, w):
    con = outcome(constraints.get, identifier)
    if con in (REFUSED, None):
        return
    takes = inspect.signature(type(con)).parameters
    con = outcome(type(con), **{k: v for k, v in kwargs.items() if k in takes})
    if con is REFUSED:
        return
    out = outcome(con, w)
    if out is not REFUSED:
        assert np.shape(out) == np.shape(w) and (finite(out) or not finite(w))  # inf in, inf out: fine


@st.composite
def loss_inputs(draw):
    """(name, y_true, y_pred): shapes from scalars to rank 3, empty batches included; valid or junk values."""
    name = draw(names_or_junk(losses.NAMES + ("mse", "bce")))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
    y_pred = draw(st.one_of(real_arrays(shape, 0.01, 1.0), junk))
    if isinstance(name, str) and name == "sparse_categorical_crossentropy" and shape:
        y_true = draw(st.one_of(hnp.arrays(np.int64, shape[:-1], elements=st.integers(0, max(shape[-1] - 1, 0))),
                                junk))
    else:
        y_true = draw(st.one_of(real_arrays(shape, 0.0, 1.0), junk, real_arrays((2, 5))))
    return name, y_true, y_pred


@FUZZ
@given(inputs=loss_inputs())
def test_losses(inputs):
    name, y_true, y_pred = inputs
    loss = outcome(losses.get, name)
    if loss is REFUSED:
        return
    value = outcome(loss, y_true, y_pred)
    grad = outcome(loss.gradient, y_true, y_pred)
    assert (value is REFUSED) == (grad is REFUSED), (value, grad)
    if value is not REFUSED:
        assert np.shape(grad) == np.shape(y_pred)
        # NaN in Keras too: a mean over an empty class axis, or categorical p / Σp with Σp = 0
        if (np.ndim(y_pred) == 0 or np.shape(y_pred)[-1] > 0) and np.all(np.asarray(y_pred) > 0):
            assert math.isfinite(value) and finite(grad), (name, y_true, y_pred, value)


@FUZZ
@given(identifier=names_or_junk(optimizers.NAMES + ("SGD", "Adam")),
       kwargs=st.dictionaries(st.sampled_from(("learning_rate", "momentum", "beta_1", "beta_2", "epsilon", "rho",
                                               "nesterov", "amsgrad", "centered")),
                              st.one_of(junk, st.floats(0, 1)), max_size=3),
       params=st.lists(st.one_of(real_arrays((2, 3)), junk), max_size=2),
       grads=st.lists(st.one_of(real_arrays((2, 3)), real_arrays((3,)), junk), max_size=2))
def test_optimizers(identifier, kwargs, params, grads):
    opt = outcome(optimizers.get, identifier)
    if opt is REFUSED:
        return
    opt = outcome(type(opt), **kwargs)
    if opt is REFUSED:
        return
    params = [p.copy() if isinstance(p, np.ndarray) else p for p in params]
    if outcome(opt.apply, params, grads) is not REFUSED:
        assert all(finite(p) for p in params if isinstance(p, np.ndarray) and p.dtype.kind == "f")


@FUZZ
@given(layers=st.one_of(junk, st.lists(st.one_of(st.builds(Dense, st.sampled_from((2, 4)),
                                                            activation=st.sampled_from(("relu", "tanh", "glu"))),
                                                  junk), max_size=3)),
       input_shape=st.one_of(st.none(), st.tuples(st.integers(1, 4)), junk), data=st.data())
def test_sequential(layers, input_shape, data):
    model = outcome(Sequential, layers, input_shape=input_shape)
    if model is REFUSED or not model.layers:
        return
    x = data.draw(st.one_of(real_arrays((3, 2)), real_arrays((0, 2)), real_arrays((2,)), junk))
    y = outcome(model, x)
    if y is not REFUSED:
        assert finite(y)
        outcome(model.backward, np.ones_like(y))
        outcome(model.summary)


# -- the app states' update() ------------------------------------------------------------------------------------
def state_values(trait_name, valid):
    """Right-type values (in range or out of it), wrong types, None, nan, inf, strings, lists."""
    return st.one_of(valid, junk, st.just(math.nan), st.just(math.inf), st.just(-1), st.just(""), st.just([1, 2]))


EXPLAINER_VALID = {
    "units": st.integers(1, 70000), "activation": st.sampled_from(activations.NAMES), "use_bias": st.booleans(),
    "kernel_initializer": st.sampled_from(initializers.NAMES), "input_dim": st.integers(0, 5000),
    "leading_dims": st.lists(st.integers(0, 2000), max_size=3).map(tuple), "batch_size": st.integers(0, 600),
    "bias_initializer": st.sampled_from(initializers.NAMES), "seed": st.integers(-1, 2**33),
    "kernel_regularizer_factor": st.floats(-1, 1), "bias_regularizer_factor": st.floats(-1, 1),
    "activity_regularizer_factor": st.floats(-1, 1),
    "kernel_regularizer": st.sampled_from(("none", *regularizers.NAMES)),
    "bias_regularizer": st.sampled_from(("none", *regularizers.NAMES)),
    "activity_regularizer": st.sampled_from(("none", *regularizers.NAMES)),
    "kernel_constraint": st.sampled_from(("none", *constraints.NAMES)),
    "bias_constraint": st.sampled_from(("none", *constraints.NAMES)),
    "input_data": st.sampled_from(("random_normal", "uniform", "ones", "one_hot")),
    "loss": st.sampled_from(("mean_squared_error", "categorical_crossentropy", "sum")),
    "sample": st.integers(-1, 10), "unit": st.integers(-1, 10), "position": st.integers(-1, 10),
}
_STATES = {}


def explainer():
    """One small ExplainerState shared by the examples (a fresh one costs a recompute)."""
    if "explainer" not in _STATES:
        _STATES["explainer"] = ExplainerState(max_bytes=64 * 2**20)
    return _STATES["explainer"]


def check_update(state, config):
    """update() returns a bool, never raises; a refusal leaves the configuration as it was and says why."""
    before = state.config()
    ok = state.update(**config)
    assert isinstance(ok, bool)
    if not ok:
        assert state.status_level == "error" and state.status, config
        assert "Error:" not in state.status.split(" ")[0], state.status  # not "IndexError: …" (a bug's report)
        assert state.config() == before, (config, state.status)
    return ok


@FUZZ
@given(config=st.dictionaries(st.sampled_from(sorted(EXPLAINER_VALID)),
                              st.sampled_from(sorted(EXPLAINER_VALID)).flatmap(lambda n: state_values(n, EXPLAINER_VALID[n])),
                              min_size=1, max_size=3))
def test_explainer_state_update(config):
    state = explainer()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ok = check_update(state, config)
    if ok:
        assert state.layer.built and finite(state.x) and state.y.shape[0] == state.batch_size
        if state.activation != "exponential":
            assert math.isfinite(state.loss_value), config
    state.update(**{k: v for k, v in ExplainerState().config().items() if k in config})  # back to small


@FUZZ
@given(name=st.sampled_from(sorted(EXPLAINER_VALID)), data=st.data())
def test_explainer_state_one_trait_of_any_value(name, data):
    state = explainer()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_update(state, {name: data.draw(state_values(name, EXPLAINER_VALID[name]))})
        state.update(**{k: v for k, v in ExplainerState().config().items() if k == name})


TRAINING_VALID = {
    "dataset": st.sampled_from(("circle", "xor", "moons", "spiral", "blobs", "sine", "bogus")),
    "n_samples": st.integers(-1, 3000), "noise": st.floats(-1, 3), "train_fraction": st.floats(-0.5, 1.5),
    "hidden_layers": st.lists(st.fixed_dictionaries({}, optional={
        "units": st.one_of(st.integers(-1, 300), junk), "activation": names_or_junk(activations.NAMES),
        "kernel_initializer": names_or_junk(initializers.NAMES), "stddev": st.one_of(st.floats(-1, 2), junk)}),
        max_size=9),
    "optimizer": st.sampled_from(("adam", "SGD", "rmsprop", "adagrad")), "learning_rate": st.floats(-1, 10),
    "batch_size": st.integers(-1, 5000), "seed": st.integers(-1, 2**33),
    "dtype": st.sampled_from(("float32", "float64", "int32", "foo")),
}


@FUZZ
@given(config=st.dictionaries(st.sampled_from(sorted(TRAINING_VALID)),
                              st.sampled_from(sorted(TRAINING_VALID)).flatmap(lambda n: state_values(n, TRAINING_VALID[n])),
                              min_size=1, max_size=3))
def test_training_state_update(config):
    if "training" not in _STATES:
        _STATES["training"] = TrainingState()
    state = _STATES["training"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if check_update(state, config):
            state.train(steps=2)
            assert state.step >= 1
    state.update(**{k: v for k, v in TrainingState().config().items() if k in config})
