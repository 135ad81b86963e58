"""Keras 3 optimizers (SGD, Adam, RMSprop) updating NumPy weights in place.

Update rules, defaults and names follow keras/src/optimizers/{sgd,adam,rmsprop}.py. As in Keras,
each update runs in the weight's dtype (float32 stays float32), the learning rate is held as a
float32 (Keras keeps it in a floatx() variable) and then cast to the weight's dtype, `iterations`
counts apply() calls, and constraints are applied after the update.
"""
import numpy as np

from ._util import Configurable, resolve


def _checked(argname, value, expected, is_valid):
    """float(value) if it is a finite real number passing is_valid, else a Keras-style ValueError."""
    is_real = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not (is_real and np.isfinite(value) and is_valid(float(value))):
        raise ValueError(
            f"Received an invalid value for `{argname}`, expected {expected}. Received: {argname}={value!r}"
        )
    return float(value)


def _in_unit_interval(argname, value):
    """A float in [0, 1]."""
    return _checked(argname, value, "a float in [0, 1]", lambda v: 0.0 <= v <= 1.0)


def _below_one(argname, value):
    """A float in [0, 1)."""
    return _checked(argname, value, "a float in [0, 1)", lambda v: 0.0 <= v < 1.0)


def _positive(argname, value):
    """A float > 0."""
    return _checked(argname, value, "a positive float", lambda v: v > 0.0)


def _as_gradient(param, grad):
    """grad as an array in param's dtype, checked against param's shape."""
    grad = np.asarray(grad)
    if grad.shape != param.shape:
        raise ValueError(
            "Each gradient must have the shape of its variable. "
            f"Received: gradient.shape={grad.shape}, variable.shape={param.shape}"
        )
    return grad.astype(param.dtype, copy=False)


def _check_float_param(param):
    """Only floating ndarrays can be updated in place."""
    if not isinstance(param, np.ndarray) or not np.issubdtype(param.dtype, np.floating):
        raise ValueError(
            f"Expected each variable to be a floating-point numpy array. Received: {type(param).__name__} "
            f"with dtype={getattr(param, 'dtype', None)}"
        )


def _layer_entries(layer):
    """[(name, weight, gradient)] for a layer's trainable arrays: kernel and bias (LoRA: bias, A and B)."""
    names = getattr(layer, "trainable_weight_names", None)
    if names is None:
        names = ["kernel"] + (["bias"] if getattr(layer, "bias", None) is not None else [])
    grads = getattr(layer, "grads", None) or {}
    missing = [name for name in names if name not in grads]
    if missing:
        raise ValueError(
            f"The layer has no gradient for {missing}; run a backward pass before step(). "
            f"Received: grads with keys {sorted(grads)}"
        )
    return [(name, getattr(layer, name), grads[name]) for name in names]


class Optimizer(Configurable):
    """Base: `apply(params, grads)` updates arrays in place; `step(layers)` does so for Dense-like layers."""

    name = "optimizer"

    def __init__(self, learning_rate):
        self.learning_rate = learning_rate
        self.reset()

    @property
    def learning_rate(self):
        """The learning rate (a positive float)."""
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        self._learning_rate = _positive("learning_rate", value)

    def reset(self):
        """Forget all slots (momenta, moments) and set iterations back to 0."""
        self.iterations = 0
        self._slots = {}  # key -> {slot name: ndarray like the variable}
        self._owners = {}  # id -> object, kept alive so its id is not reused while we hold its slots

    def _key(self, owner, name=""):
        """A stable state key for (owner, name); keeps owner alive."""
        self._owners[id(owner)] = owner
        return (id(owner), name)

    def _slots_for(self, key, param):
        """The slot arrays for one variable, created as zeros of its shape and dtype on first use."""
        if key not in self._slots:
            self._slots[key] = {name: np.zeros_like(param) for name in self._slot_names()}
        slots = self._slots[key]
        if any(s.shape != param.shape or s.dtype != param.dtype for s in slots.values()):
            raise ValueError(
                "A variable changed shape or dtype since this optimizer last updated it; call reset(). "
                f"Received: variable.shape={param.shape}, variable.dtype={param.dtype}"
            )
        return slots

    def _lr(self, dtype):
        """The learning rate as Keras uses it: a float32 variable cast to the weight's dtype."""
        return dtype.type(np.float32(self.learning_rate))

    def apply(self, params, grads, keys=None):
        """One iteration: update each float ndarray in `params` in place from the same-shape `grads`."""
        params, grads = list(params), list(grads)
        if len(params) != len(grads):
            raise ValueError(
                f"Expected one gradient per variable. Received: {len(grads)} gradients for {len(params)} variables"
            )
        if not params:
            return
        keys = [self._key(p) for p in params] if keys is None else list(keys)
        for param in params:
            _check_float_param(param)
        work = [(p, _as_gradient(p, g), self._slots_for(k, p)) for p, g, k in zip(params, grads, keys)]
        for param, grad, slots in work:  # validated everything first: no half-applied step
            self._update(param, grad, slots)
        self.iterations += 1

    def step(self, layers):
        """Update every layer's kernel (and bias) in place from layer.grads, then apply its constraints."""
        layers = [layers] if hasattr(layers, "kernel") else list(layers)
        entries = [(layer, name, w, g) for layer in layers for name, w, g in _layer_entries(layer)]
        self.apply(
            [w for _, _, w, _ in entries],
            [g for _, _, _, g in entries],
            keys=[self._key(layer, name) for layer, name, _, _ in entries],
        )
        for layer in layers:
            layer.apply_constraints()

    def _slot_names(self):
        """Names of the per-variable state arrays."""
        return ()

    def _update(self, w, g, slots):
        """Update w (and slots) in place from gradient g, both in w's dtype."""
        raise NotImplementedError

    def get_config(self):
        """The constructor arguments plus the name, as plain values."""
        return {"name": self.name, "learning_rate": self.learning_rate}


class SGD(Optimizer):
    """w -= lr·g; with momentum: m = momentum·m - lr·g, w += m (nesterov: w += momentum·m - lr·g)."""

    name = "SGD"

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False):
        self.momentum = _in_unit_interval("momentum", momentum)
        self.nesterov = bool(nesterov)
        super().__init__(learning_rate)

    def _slot_names(self):
        return ("momentum",) if self.momentum != 0 else ()

    def _update(self, w, g, slots):
        lr = self._lr(w.dtype)
        if self.momentum == 0:
            w -= g * lr
            return
        m, momentum = slots["momentum"], w.dtype.type(self.momentum)
        m[...] = m * momentum - g * lr
        w += (m * momentum - g * lr) if self.nesterov else m

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    """m += (g-m)(1-β1); v += (g²-v)(1-β2); w -= lr·√(1-β2ᵗ)/(1-β1ᵗ) · m/(√v + ε), t = iterations + 1."""

    name = "adam"

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False):
        self.beta_1 = _below_one("beta_1", beta_1)
        self.beta_2 = _below_one("beta_2", beta_2)
        self.epsilon = _positive("epsilon", epsilon)
        self.amsgrad = bool(amsgrad)
        super().__init__(learning_rate)

    def _slot_names(self):
        return ("momentum", "velocity") + (("velocity_hat",) if self.amsgrad else ())

    def _update(self, w, g, slots):
        cast = w.dtype.type
        t = cast(self.iterations + 1)
        alpha = self._lr(w.dtype) * np.sqrt(1 - cast(self.beta_2) ** t) / (1 - cast(self.beta_1) ** t)
        m, v = slots["momentum"], slots["velocity"]
        m += (g - m) * (1 - self.beta_1)
        v += (np.square(g) - v) * (1 - self.beta_2)
        if self.amsgrad:
            np.maximum(slots["velocity_hat"], v, out=slots["velocity_hat"])
            v = slots["velocity_hat"]
        w -= (m * alpha) / (np.sqrt(v) + self.epsilon)

    def get_config(self):
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
            "amsgrad": self.amsgrad,
        }


class RMSprop(Optimizer):
    """v = ρv + (1-ρ)g²; w -= lr·g/√(v + ε) (centered: √(v - ḡ² + ε)); optional momentum on the increment."""

    name = "rmsprop"

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
        self.rho = _in_unit_interval("rho", rho)
        self.momentum = _in_unit_interval("momentum", momentum)
        self.epsilon = _positive("epsilon", epsilon)
        self.centered = bool(centered)
        super().__init__(learning_rate)

    def _slot_names(self):
        return (
            ("velocity",)
            + (("momentum",) if self.momentum > 0 else ())
            + (("average_gradient",) if self.centered else ())
        )

    def _update(self, w, g, slots):
        velocity, rho = slots["velocity"], self.rho
        velocity[...] = rho * velocity + (1 - rho) * np.square(g)
        if self.centered:
            average = slots["average_gradient"]
            average[...] = rho * average + (1 - rho) * g
            denominator = velocity - np.square(average) + self.epsilon
        else:
            denominator = velocity + self.epsilon
        increment = self._lr(w.dtype) * g / np.sqrt(denominator)
        if self.momentum > 0:
            momentum = slots["momentum"]
            momentum[...] = self.momentum * momentum + increment
            increment = momentum
        w -= increment

    def get_config(self):
        return {
            **super().get_config(),
            "rho": self.rho,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "centered": self.centered,
        }


_CLASSES = (SGD, Adam, RMSprop)
REGISTRY = {cls.__name__.lower(): cls for cls in _CLASSES}
NAMES = tuple(REGISTRY)


def get(identifier):
    """Resolve a name ('sgd', 'adam', 'rmsprop'; any case, as Keras) or an Optimizer instance."""
    if isinstance(identifier, str) and identifier.lower() in REGISTRY:
        identifier = identifier.lower()
    return resolve(identifier, REGISTRY, "optimizer", "optimizer", Optimizer)
