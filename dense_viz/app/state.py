"""The one model of the explainer: configuration traits (Keras names) and the numbers derived from them.

Controls bind to the configuration traits (tagged config=True). After every successful recompute the
state bumps `arrays_version` (and `weights_version` when kernel and bias are new arrays); a new sample,
unit, position or input feature bumps `selection_version`. The app alone decides from these counters which view is
stale. Every array comes from the engine's `Dense`: `x`, `z`, `y` and `dz` are the layer's own. A
configuration the engine refuses, or one above the size guard, leaves the last valid state in place: the
offending traits are reverted and `status` says what was expected and received. Never imports ipywidgets.
"""
import math
from collections import namedtuple

import numpy as np
from traitlets import Bool, Float, Instance, Int, TraitError, Tuple, Unicode, observe, validate

from ..engine import Dense, activations, constraints, initializers, losses, regularizers
from .base import AppState
from ..engine.layers import format_shape
from ..i18n import N_, _
from ..engine.quantize import dequantize


UPLOADED = "uploaded"  # x is the user's own batch (use_input)
INPUT_DATA = ("random_normal", "uniform", "ones", "one_hot", UPLOADED)
# The loss whose gradients the app shows: MSE against a seeded random target, cross-entropy against seeded
# random one-hot classes (Keras normalises and clips y first), or L = Σ y.
LOSSES = ("mean_squared_error", "categorical_crossentropy", "sum")
NONE = "none"  # the dropdown value for "no regularizer / constraint"
DEFAULT_MAX_KERNEL_ENTRIES = 20_000_000
# One budget for every array a recompute allocates (see memory_parts); the question preset needs about 39 MB.
DEFAULT_MAX_BYTES = 256 * 2**20
# The views' pooled images are bounded by the screen, not by the layer: a constant share of the budget.
IMAGE_BYTES = 16 * 2**20
ITEMSIZE = np.dtype("float32").itemsize  # the explainer's layers are float32 (Dense's default)

# What the views look at: sample i, unit j, the position in the leading dims, input feature k (the term
# x[i, k]·W[k, j] of the sum). Set after the configuration; each one bumps selection_version.
SELECTION_TRAITS = ("sample", "unit", "position", "feature")


def _size(n_bytes):
    """Bytes for a person: '3.7 GB', '256 MB', '820 KB' (1024-based, as Keras' summary)."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n_bytes < 1024 or unit == "TB":
            return f"{n_bytes:.3g} {unit}" if unit != "B" else f"{n_bytes} B"
        n_bytes /= 1024


def make_regularizer(name, factor):
    """A Keras regularizer object from a dropdown name and its factor ('l1l2' gets the factor for both)."""
    if name in (None, NONE):
        return None
    cls = regularizers.REGISTRY.get(name)
    if cls is None:
        return regularizers.get(name)  # raises the Keras-style error listing the valid names
    return cls(factor, factor) if cls is regularizers.L1L2 else cls(factor)


def make_input(kind, shape, rng, dtype):
    """The input batch x of `shape` (B, …, in): random normal, uniform(-1, 1), ones, or one-hot rows."""
    if kind == "random_normal":
        return rng.standard_normal(shape).astype(dtype)
    if kind == "uniform":
        return rng.uniform(-1.0, 1.0, shape).astype(dtype)
    if kind == "ones":
        return np.ones(shape, dtype)
    if kind == "one_hot":
        x = np.zeros(shape, dtype)
        hot = rng.integers(0, shape[-1], size=shape[:-1])
        np.put_along_axis(x, hot[..., None], 1.0, axis=-1)
        return x
    raise ValueError(f"Received an invalid value for `input_data`, expected one of {INPUT_DATA}. "
                     f"Received: input_data={kind!r}")


def config(default, weights=False, **ui):
    """A configuration trait; `weights=True`: changing it needs a new kernel and bias. `ui`: how the control
    panel shows it (section, group, choices, maximum, enabled_by), so a new control is one trait here."""
    return default.tag(config=True, weights=weights, **ui)


REGULARIZERS, CONSTRAINTS = (NONE, *regularizers.NAMES), (NONE, *constraints.NAMES)
_REGULARIZERS = N_("Regularizers (added to the loss)")  # control-panel headings (translated where shown)
_CONSTRAINTS = N_("Constraints (after optimizer steps)")
_DATA = N_("Data and loss")
_ADAPT = N_("Adapt & compress (LoRA, int8)")
QUANTIZATION = (NONE, "int8")
ADAPTER_TRAITS = frozenset({"lora_rank", "lora_alpha", "quantization"})  # change the layer, keep its weights


# A learning step: η, the loss before and after, ΔW/Δb and the entries a constraint clipped ({'kernel': …}).
LearningStep = namedtuple("LearningStep", "learning_rate loss_before loss_after delta clipped weights_version")
# weights for the next recompute, the step's record, and the applied kernel before it (for ΔW)
Stepped = namedtuple("Stepped", "weights record effective_before")


class ExplainerState(AppState):
    """Configuration of one Dense layer plus its batch, and every derived array the views show."""

    # -- configuration: Keras' argument names, plus the batch the layer is applied to, in panel order --------
    units = config(Int(3), weights=True, section="layer", maximum=65536)
    activation = config(Unicode("relu"), section="layer", choices=activations.NAMES)
    use_bias = config(Bool(True), weights=True, section="layer")
    kernel_initializer = config(Unicode("glorot_uniform"), weights=True, section="layer",
                                choices=initializers.NAMES)
    input_dim = config(Int(4), weights=True, section="batch", maximum=4096)
    leading_dims = config(Tuple(), section="batch")  # axes between batch and features, e.g. (5,) or (5, 3)
    batch_size = config(Int(8), section="batch", maximum=512)
    bias_initializer = config(Unicode("zeros"), weights=True, section="advanced", choices=initializers.NAMES)
    kernel_regularizer = config(Unicode(NONE), section="advanced", group=_REGULARIZERS, choices=REGULARIZERS)
    kernel_regularizer_factor = config(Float(0.01), section="advanced", enabled_by="kernel_regularizer",
                                    non_negative=True)
    bias_regularizer = config(Unicode(NONE), section="advanced", choices=REGULARIZERS)
    bias_regularizer_factor = config(Float(0.01), section="advanced", enabled_by="bias_regularizer",
                                    non_negative=True)
    activity_regularizer = config(Unicode(NONE), section="advanced", choices=REGULARIZERS)
    activity_regularizer_factor = config(Float(0.01), section="advanced", enabled_by="activity_regularizer",
                                    non_negative=True)
    kernel_constraint = config(Unicode(NONE), section="advanced", group=_CONSTRAINTS, choices=CONSTRAINTS)
    bias_constraint = config(Unicode(NONE), section="advanced", choices=CONSTRAINTS)
    seed = config(Int(0), weights=True, section="advanced", group=_DATA)
    input_data = config(Unicode("random_normal"), section="advanced", choices=INPUT_DATA)
    loss = config(Unicode("mean_squared_error"), section="advanced", choices=LOSSES)
    lora_rank = config(Int(0), section="advanced", group=_ADAPT)  # 0: no LoRA (Keras' lora_rank=None)
    lora_alpha = config(Float(0.0), section="advanced", non_negative=True)  # 0: Keras' default, alpha = rank
    quantization = config(Unicode(NONE), section="advanced", choices=QUANTIZATION)

    # -- what the Forward view looks at: sample i, unit j, flat index into the leading dims, input k ------------
    sample = Int(0)
    unit = Int(0)
    position = Int(0)
    feature = Int(0)

    # -- the learning step's η (not configuration: it changes nothing until a step is taken) ---------------------
    learning_rate = Float(0.1)

    # -- limits -----------------------------------------------------------------------------------------
    max_kernel_entries = Int(DEFAULT_MAX_KERNEL_ENTRIES)  # input_dim × units (explain()'s knob)
    max_bytes = Int(DEFAULT_MAX_BYTES)  # every array of a recompute together, checked before allocating

    # -- derived: the built layer (its cache holds x, z, y; dz after backward) and three counters ----------
    layer = Instance(Dense, allow_none=True)
    weights_version = Int(0)    # +1 when kernel and bias are new arrays
    arrays_version = Int(0)     # +1 after every successful recompute (x, z, y, loss, gradients)
    selection_version = Int(0)  # +1 when sample, unit, position or feature changed

    def __init__(self, layer=None, max_kernel_entries=DEFAULT_MAX_KERNEL_ENTRIES, max_bytes=DEFAULT_MAX_BYTES,
                 **config):
        """A state for `layer` (a dense_viz.Dense; its built weights are kept) and/or configuration traits."""
        super().__init__(max_kernel_entries=max_kernel_entries, max_bytes=max_bytes)
        self.target = self.dy = self.dx = None  # the loss's target, ∂L/∂y and ∂L/∂x of the last recompute
        self.loss_value = 0.0
        self.last_step, self._stepped = None, None  # the last learning step (sgd_step), one pending
        self._kept, self._pending = {}, None  # float weights kept across recomputes; ones to use next
        self.user_input = None  # the user's own batch x (B, …, input_dim), when input_data is 'uploaded'
        selection = {name: config.pop(name) for name in SELECTION_TRAITS if name in config}
        if layer is not None:
            config = {**self.config_from_layer(layer), **config}
        if not super().update(**config):  # an invalid initial configuration is the caller's error: say so loudly
            raise ValueError(self.status)
        if layer is not None and not self.use_layer(layer):
            raise ValueError(self.status)
        for name, value in selection.items():
            setattr(self, name, value)

    def use_layer(self, layer, **config):
        """Show `layer` (a dense_viz.Dense): its configuration, `config` over it, and — when it is built with the
        resulting shape — its own weights (and LoRA's A, B) instead of the initializer's draw. True on success."""
        config = {**self.config_from_layer(layer), **config}
        shape = (config.get("input_dim", self.input_dim), config.get("units", self.units))
        if layer.built and layer.kernel.shape == shape:
            kept = self._kept
            self._keep(layer)
            self._pending, self._kept = self._kept, kept
        ok = self.update(**config)
        self._pending = None
        return ok

    def use_input(self, x):
        """Make x (B, …, input_dim) — the user's own batch — the input: batch_size and leading_dims follow it.
        True on success; a batch whose last axis is not input_dim is refused in Keras' words."""
        previous = self.user_input
        self.user_input = x = np.asarray(x)
        if x.ndim < 2 or self.update(input_data=UPLOADED, batch_size=int(x.shape[0]),
                                     leading_dims=tuple(int(d) for d in x.shape[1:-1])) is False:
            self.user_input = previous
            if x.ndim < 2:
                self.report(f'Input 0 of layer "dense" is incompatible with the layer: expected min_ndim=2, found '
                            f"ndim={x.ndim}. Full shape received: {format_shape(x.shape)}")
            return False
        return True

    def update(self, **config):
        """Set configuration traits (one recompute) and then the selection (SELECTION_TRAITS); on a refusal nothing changes
        and the status line says why. Returns True when the state took every value."""
        selection = {name: config.pop(name) for name in SELECTION_TRAITS if name in config}
        before_config = {name: getattr(self, name) for name in config}
        if config and not super().update(**config):
            return False
        before = {name: getattr(self, name) for name in selection}
        try:
            for name, value in selection.items():
                setattr(self, name, value)
        except TraitError as error:
            self._revert(before)
            if before_config:  # the configuration part took: put it back too, so nothing changes
                super().update(**before_config)
            self.report(error)
            return False
        return True

    # -- the layer's own arrays --------------------------------------------------------------------------------
    @property
    def x(self):
        """The input batch (B, …, input_dim)."""
        return self.layer.cache.x

    @property
    def z(self):
        """The pre-activation x·W + b (B, …, units)."""
        return self.layer.cache.z

    @property
    def y(self):
        """The output activation(z) (B, …, out)."""
        return self.layer.cache.y

    @property
    def applied_kernel(self):
        """The matrix the layer multiplies x by (input_dim, units): W, W + (α/r)·A·B under LoRA, dequantized int8."""
        return self.layer.effective_kernel

    @property
    def kernel_gradient(self):
        """∂L/∂W (input_dim, units): the kernel's gradient; under LoRA or int8 (W frozen) the gradient of the
        applied matrix, xᵀδ, from which A and B learn."""
        grads = self.layer.grads
        if "kernel" in grads:
            return grads["kernel"]
        return self.x.reshape(-1, self.input_dim).T @ self.dz.reshape(-1, self.units)

    @property
    def float_kernel(self):
        """The float kernel W (input_dim, units) the layer keeps: before int8, without LoRA's (α/r)·A·B."""
        return self._kept["kernel"]

    @property
    def dz(self):
        """δ = ∂L/∂z (B, …, units)."""
        return self.layer.dz

    # -- public API ----------------------------------------------------------------------------------------
    @staticmethod
    def config_from_layer(layer):
        """The configuration traits that reproduce a dense_viz.Dense (its weights are copied separately)."""
        config = {"units": layer.units, "activation": layer.activation.name, "use_bias": layer.use_bias}
        for arg in ("kernel_initializer", "bias_initializer"):
            init = getattr(layer, arg)
            config[arg] = getattr(init, "name", "glorot_uniform")
        for kind in ("kernel", "bias", "activity"):
            reg = getattr(layer, f"{kind}_regularizer")
            if reg is not None:
                config[f"{kind}_regularizer"] = reg.name
                config[f"{kind}_regularizer_factor"] = max(getattr(reg, "l1", 0.0), getattr(reg, "l2", 0.0))
        for kind in ("kernel", "bias"):
            con = getattr(layer, f"{kind}_constraint")
            if con is not None:
                config[f"{kind}_constraint"] = getattr(con, "name", NONE)
        if layer.seed is not None:
            config["seed"] = layer.seed
        if layer.built:
            config["input_dim"] = layer.kernel.shape[0]
        if layer.lora_enabled or layer.lora_rank:
            config["lora_rank"], config["lora_alpha"] = int(layer.lora_rank), float(layer.lora_alpha)
        if layer.quantization_mode:
            config["quantization"] = layer.quantization_mode
        return config

    def new_weights(self):
        """Draw new weights: the next seed."""
        self.update(seed=self.seed + 1)

    # -- one learning step: SGD on this layer with the gradients the Gradients view shows ------------------------
    def sgd_step(self):
        """W ← W − η·∂L/∂W and b ← b − η·∂L/∂b (η = learning_rate), then the layer's constraints; recompute.

        `last_step` records what changed: ΔW, Δb, the loss before and after, and which entries a constraint
        clipped (their value differs from the plain SGD result). Returns True when the state took the step.
        """
        layer = self.layer
        if not (math.isfinite(self.learning_rate) and self.learning_rate > 0):
            self.report(f"Received an invalid value for `learning_rate`, expected a positive number such as 0.1. "
                        f"Received: learning_rate={self.learning_rate}")
            return False
        names = list(layer.trainable_weight_names)  # kernel and bias; bias, A and B under LoRA; bias under int8
        before = {name: getattr(layer, name) for name in names}
        sgd = {name: w - np.asarray(self.learning_rate * layer.grads[name], w.dtype) for name, w in before.items()}
        after = dict(sgd)
        for name, constraint in (("kernel", layer.kernel_constraint), ("bias", layer.bias_constraint)):
            if constraint is not None and name in after:  # what Keras does after each optimizer step
                after[name] = np.asarray(constraint(after[name]), layer.dtype)
        record = LearningStep(self.learning_rate, self.loss_value, None,
                              {name: after[name] - before[name] for name in names},
                              {name: ~np.isclose(after[name], sgd[name], rtol=1e-5, atol=1e-8)  # Keras' max_norm
                               for name in names},  # rescales everything by 1 - 1e-7: that is no clip
                              None)
        self._stepped = Stepped(after, record, layer.effective_kernel)
        return self.apply(set())

    def reset_weights(self):
        """Back to the initializer's draw for this seed (undoes every learning step)."""
        return self.apply({"seed"})

    @property
    def kernel_entries(self):
        """input_dim × units."""
        return self.input_dim * self.units

    @property
    def output_units(self):
        """Size of the output's last axis (units, or units/2 for glu)."""
        return self.layer.activation.output_units(self.units)

    @property
    def input_shape(self):
        """Keras' input shape with the batch axis as None: (None, …, in)."""
        return (None, *self.leading_dims, self.input_dim)

    @property
    def output_shape(self):
        """Keras' output shape with the batch axis as None: (None, …, units)."""
        return self.layer.compute_output_shape(self.input_shape)

    @property
    def batch_shape(self):
        """Concrete input shape of the current batch (B, …, in)."""
        return (self.batch_size, *self.leading_dims, self.input_dim)

    @property
    def param_count(self):
        """in·units + units (no bias term without use_bias)."""
        return self.layer.count_params()

    @property
    def param_formula(self):
        """e.g. '100 × 25600 + 0'."""
        return f"{self.input_dim} × {self.units} + {self.units if self.use_bias else 0}"

    @property
    def param_bytes(self):
        """Memory of kernel and bias in bytes (float32: 4 per weight)."""
        return sum(w.nbytes for w in self.layer.weights)

    @property
    def madds_per_example(self):
        """Multiply–adds for one example: in·units per position of the leading dims."""
        return self.input_dim * self.units * math.prod(self.leading_dims)

    def position_index(self):
        """The leading-dims index tuple of `position` (empty without leading dims)."""
        return np.unravel_index(self.position, self.leading_dims) if self.leading_dims else ()

    # -- the pipeline ------------------------------------------------------------------------------------------
    @validate(*SELECTION_TRAITS)
    def _valid_selection(self, proposal):
        name, value = proposal["trait"].name, proposal["value"]
        limit = {"sample": self.batch_size, "unit": self.units, "position": max(1, math.prod(self.leading_dims)),
                 "feature": self.input_dim}[name]
        if not 0 <= value < limit:
            raise TraitError(f"Received an invalid value for `{name}`, expected an integer in [0, {limit - 1}]. "
                             f"Received: {name}={value}")
        return value

    @observe(*SELECTION_TRAITS)
    def _selection_changed(self, change):
        self.selection_version += 1

    def _check_limits(self):
        """Refuse configurations too large to show (the size guard) or ill-formed batch shapes."""
        for name in ("input_dim", "batch_size"):
            if isinstance(getattr(self, name), bool) or getattr(self, name) < 1:  # traitlets' Int takes True
                raise ValueError(f"Received an invalid value for `{name}`, expected a positive integer. "
                                 f"Received: {name}={getattr(self, name)}")
        if any(isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1 for d in self.leading_dims):
            raise ValueError("Received an invalid value for `leading_dims`, expected positive integers such as "
                             f"(5,) or (5, 3). Received: leading_dims={self.leading_dims}")
        if self.kernel_entries > self.max_kernel_entries:
            raise ValueError(f"Refused: a kernel of {self.input_dim:,} × {self.units:,} = {self.kernel_entries:,} "
                             f"entries is above this app's limit of {self.max_kernel_entries:,}. Expected "
                             "input_dim × units at most that; raise `max_kernel_entries` in explain() to allow it.")
        parts = self.memory_parts()
        total = sum(parts.values())
        if total > self.max_bytes:
            listed = ", ".join(f"{name} {_size(n)}" for name, n in sorted(parts.items(), key=lambda p: -p[1])
                               if n >= total / 100)
            raise ValueError(f"Refused: this configuration needs about {_size(total)} ({listed}); this app's "
                             f"limit is {_size(self.max_bytes)}. Choose a smaller batch_size, leading_dims, "
                             "input_dim or units.")
        if self.input_data == UPLOADED:
            if self.user_input is None:
                raise ValueError("Received an invalid value for `input_data`, expected a batch of your own first "
                                 "(upload an .npy or .csv file). Received: input_data='uploaded'")
            if self.user_input.shape != self.batch_shape:
                raise ValueError(f'Input 0 of layer "dense" is incompatible with the layer: expected axis -1 of input '
                                 f"shape to have value {self.input_dim}, but received input with shape "
                                 f"{format_shape(self.user_input.shape)}" if self.user_input.shape[-1] != self.input_dim
                                 else f"Expected batch_size and leading_dims of your batch "
                                      f"{format_shape(self.user_input.shape)}. Received: "
                                      f"{format_shape(self.batch_shape)}")
        elif self.input_data not in INPUT_DATA:
            make_input(self.input_data, (1, 1), None, "float32")  # raises the Keras-style message
        if self.loss not in LOSSES:
            raise ValueError(f"Received an invalid value for `loss`, expected one of {LOSSES}. "
                             f"Received: loss={self.loss!r}")

    def memory_parts(self):
        """{part: bytes} a recompute of this configuration allocates, estimated from the shapes before allocating:
        the input batch (drawn in float64, then cast) and dx; kernel and bias, their draw (orthogonal's QR runs
        in float64) and gradients; z, y and δ with the activation's temporaries (gelu's erfc makes several); the
        loss target and dy; the views' pooled images (a constant: they are pooled to the screen)."""
        s, positions = ITEMSIZE, self.batch_size * math.prod(self.leading_dims)
        n_in, n_out, n_kernel = positions * self.input_dim, positions * self.units, self.input_dim * self.units
        drawn = 8 if self.input_data in ("random_normal", "uniform") else 0  # float64 draw before the cast
        draw = {"orthogonal": 4 * 8 * n_kernel, "truncated_normal": 2 * n_kernel}  # QR in float64; |w| > 2 masks
        kernel_draw = draw.get(self.kernel_initializer, 2 * n_kernel if "normal" in self.kernel_initializer else 0)
        target = {"mean_squared_error": n_out * (s + 8), "categorical_crossentropy": n_out * s + positions * 8,
                  "sum": 0}.get(self.loss, 0)
        return {"input batch": n_in * (s + drawn), "dx": n_in * s,
                "kernel and bias with gradients": 2 * (n_kernel + self.units) * s + kernel_draw,
                "z, y and dz": 8 * n_out * s,  # three arrays plus the temporaries of the activation's formula
                "loss target and dy": target + 3 * n_out * s, "images": IMAGE_BYTES}

    def _make_layer(self, draw, new_adapters):
        """A Dense with the current configuration: weights drawn from the initializers (`draw`) or the kept float
        kernel and bias with any pending ones (a learning step's, a user's layer's); then LoRA and int8."""
        layer = Dense(self.units, activation=self.activation, use_bias=self.use_bias,
                      kernel_initializer=self.kernel_initializer, bias_initializer=self.bias_initializer,
                      kernel_regularizer=make_regularizer(self.kernel_regularizer, self.kernel_regularizer_factor),
                      bias_regularizer=make_regularizer(self.bias_regularizer, self.bias_regularizer_factor),
                      activity_regularizer=make_regularizer(self.activity_regularizer,
                                                            self.activity_regularizer_factor),
                      kernel_constraint=None if self.kernel_constraint == NONE else self.kernel_constraint,
                      bias_constraint=None if self.bias_constraint == NONE else self.bias_constraint,
                      seed=self.seed, name="dense")
        pending = self._pending or {}
        kept = {**({} if draw else self._kept), **pending}
        if "kernel" in kept:
            layer.set_weights([kept["kernel"], kept["bias"]] if self.use_bias else [kept["kernel"]])
        else:
            layer.build(self.input_shape)
        if self.lora_rank:
            layer.enable_lora(self.lora_rank, self.lora_alpha or None)
            adapters = pending if "lora_kernel_a" in pending else {} if new_adapters else kept
            if "lora_kernel_a" in adapters:
                layer.lora_kernel_a, layer.lora_kernel_b = adapters["lora_kernel_a"], adapters["lora_kernel_b"]
        self._float_kernel = layer.kernel  # kept as it is: int8 is a view of it, turned off again at will
        if self.quantization == "int8":
            layer.quantize("int8")
        return layer

    def _keep(self, layer):
        """Remember the layer's float weights (kernel before int8, bias, LoRA's A and B) for the next recompute."""
        if layer.quantization_mode is None:
            kernel = layer.kernel
        elif layer is self.layer or getattr(self, "_float_kernel", None) is None:  # a user's int8 layer: no float
            kernel = dequantize(layer.kernel, layer.kernel_scale)  # kernel to go back to; int8 of it is the same
        else:
            kernel = self._float_kernel
        self._kept = {"kernel": kernel, "bias": layer.bias}
        if layer.lora_enabled:
            self._kept.update(lora_kernel_a=layer.lora_kernel_a, lora_kernel_b=layer.lora_kernel_b)

    def _apply(self, names):
        """Rebuild (or reuse) the layer, run forward and backward on the batch; bump the counters."""
        self._check_limits()
        draw = self.layer is None or any(self.trait_metadata(name, "weights") for name in names)
        new_adapters = draw or bool(set(names) & {"lora_rank", "lora_alpha"})
        stepped, self._stepped = self._stepped, None  # a learning step's result (sgd_step)
        self._pending = stepped.weights if stepped is not None else self._pending
        try:
            layer = self._make_layer(draw and stepped is None, new_adapters and stepped is None)
        finally:
            pending, self._pending = self._pending, None
        new_weights = draw or bool(pending) or bool(set(names) & ADAPTER_TRAITS)
        data_rng, target_rng = np.random.default_rng([self.seed, 1]).spawn(2)
        x = (self.user_input.astype(layer.dtype) if self.input_data == UPLOADED
             else make_input(self.input_data, self.batch_shape, data_rng, layer.dtype))
        y = layer(x)
        if self.loss == "sum":
            target, dy = None, np.ones_like(y)
            loss_value = float(y.sum(dtype=np.float64))
        else:
            if self.loss == "mean_squared_error":
                target = target_rng.standard_normal(y.shape).astype(y.dtype)
            else:  # one-hot classes over the output's last axis
                target = losses.one_hot(target_rng.integers(0, y.shape[-1], y.shape[:-1]), y.shape[-1], y.dtype)
            loss = losses.get(self.loss)
            loss_value, dy = float(loss(target, y)), loss.gradient(target, y)
        loss_value += sum(layer.losses)
        dx = layer.backward(dy)
        self._keep(layer)
        with self.hold_trait_notifications():
            self.layer = layer
            self.target, self.loss_value, self.dy, self.dx = target, loss_value, dy, dx
            self._clamp_selection()
            self.set_status("ok", self.summary_line())
            self.last_step = None if new_weights and stepped is None else self.last_step
            if stepped is not None:  # before the counters move, so the views that redraw see it; ΔW is the change
                before = stepped.effective_before  # of the matrix the layer applies (W + s·AB under LoRA)
                delta = {**stepped.record.delta, "kernel": layer.effective_kernel - before}
                clipped = {"kernel": np.zeros(before.shape, bool), **stepped.record.clipped}
                self.last_step = stepped.record._replace(loss_after=loss_value, delta=delta, clipped=clipped,
                                                         weights_version=self.weights_version + 1)
            if new_weights:  # inside the hold: observers hear of every counter at once, after all moved
                self.weights_version += 1
            self.arrays_version += 1

    def _clamp_selection(self):
        """Keep sample/unit/position/feature inside the current shapes after a shape change."""
        self.sample = min(self.sample, self.batch_size - 1)
        self.unit = min(self.unit, self.units - 1)
        self.feature = min(self.feature, self.input_dim - 1)
        self.position = min(self.position, max(1, math.prod(self.leading_dims)) - 1)

    def summary_line(self):
        """The status line after a good recompute."""
        return _("OK: Dense({units}) on input {input_shape} → {output_shape}, {params} parameters.").format(
            units=f"{self.units:,}", input_shape=format_shape(self.input_shape),
            output_shape=format_shape(self.output_shape), params=f"{self.param_count:,}")
