"""The one model of the training panel: a data set, a stack of Dense layers, an optimizer, and their history.

Configuration traits use Keras' names. Changing the data or the architecture (MODEL_TRAITS) rebuilds the
network from `seed` and clears the history (training keeps playing if it was, and the status line says so);
changing the optimizer, learning rate, batch size or early stopping applies from the next step and keeps the
weights; `speed` only paces the runner. Every number comes from the engine:
`Sequential.train_step` (loss, gradients, unit health), `Sequential.evaluate` (train and test loss) and
`statistics.gradient_stats` (the gradients the first step will use, shown before any step), and
`engine.metrics` (accuracy, for the classification tasks). After each chunk the state looks for overfitting
(`history.overfitting_since`) and, with `early_stopping_patience`, stops as Keras'
`EarlyStopping(monitor="val_loss", patience, restore_best_weights)` does. A configuration
the engine refuses is reverted and `status` says what was expected and what was received.

The state never runs by itself: `train(steps, deadline)` trains synchronously; the app's runner calls it in
time-budgeted chunks while `running` is True. `arrays_version` is bumped once per chunk and per rebuild,
`model_version` per rebuild: the app refreshes the views from them. The task, its output activation and loss
follow from the data set (properties). The data set is a seeded toy set by name, or `dataset="uploaded"`: your own
points (`use_points`: a CSV, an .npy or an array, read and checked by dense_viz.io.read_points; a refusal keeps
the data set there was), split by train_fraction and seed like the toy sets. Never imports ipywidgets.
"""
import math
import time

import numpy as np
from traitlets import Any, Bool, Dict, Float, Int, List, TraitError, Unicode, validate

from ...engine import Dense, Sequential, activations, datasets, initializers, optimizers, regularizers
from ...engine.layers import check_dtype
from ...engine.statistics import array_stats, gradient_stats
from ...i18n import _
from ...io import MAX_BYTES, FileRefused, read_points
from ..base import AppState
from ..catalog import TASKS
from ..expr import parse_int
from ..parsing import non_negative, number
from .history import History, overfitting_since


MAX_HIDDEN_LAYERS = 8
MAX_UNITS = 256
STDDEV_INITIALIZERS = ("random_normal", "truncated_normal")  # built with the layer's own `stddev`
LAYER_DEFAULTS = {"units": 8, "activation": "tanh", "kernel_initializer": "glorot_uniform", "stddev": 0.05,
                  "l2": 0.0}  # l2 > 0: kernel_regularizer=keras.regularizers.L2(l2)
LAYER_FIELDS = tuple(LAYER_DEFAULTS)
# task -> (output activation, loss): what Keras users pair with each kind of target
HEADS = {"binary": ("sigmoid", "binary_crossentropy"),
         "multiclass": ("softmax", "sparse_categorical_crossentropy"),
         "regression": ("linear", "mean_squared_error")}
# task -> the Keras metric its accuracy is (regression: none)
METRICS = {"binary": "binary_accuracy", "multiclass": "sparse_categorical_accuracy"}
UPLOADED = "uploaded"  # dataset: the user's own points (use_points)
LARGE_INPUT = 10.0     # your points' |x| above this: the status line suggests rescaling them
HISTORY_CAPACITY = 512
SLOW_MOTION_SPEED = 4.0  # steps/s at or below which the runner redraws after every step and the bars animate
DEFAULT_SPEED = 20.0     # XOR's ~110 steps to loss < 0.1 take ~5.5 s; the vanishing plateau lasts > 10 s
# what a rebuild says it did, by the kind of trait that changed (first match wins)
REBUILT = (({"hidden_layers", "dtype"}, "architecture changed: the network was rebuilt"),
           ({"dataset", "n_samples", "noise", "train_fraction"}, "data set changed: new data and a rebuilt network"),
           ({"seed"}, "back to the initial weights of seed {seed}"))


def parse_speed(text):
    """'20' -> 20.0 steps per second; 'max' (or 'inf') -> inf: as fast as it goes. Positive numbers only."""
    if isinstance(text, str) and text.strip().lower() in ("max", "inf"):
        return math.inf
    value = non_negative("speed")(text)
    if value <= 0:
        raise ValueError(f"Received an invalid value for `speed`, expected a positive number of steps per second "
                         f"or 'max'. Received: speed={text!r}")
    return value


def format_speed(value):
    """inf -> 'max'; 20.0 -> '20'; 0.5 -> '0.5' (the inverse of parse_speed)."""
    return "max" if math.isinf(value) else f"{value:g}"


def layer_spec(spec=None, **fields):
    """A complete hidden-layer dict {units, activation, kernel_initializer, stddev, l2} from a partial one."""
    spec = {**LAYER_DEFAULTS, **(spec or {}), **fields}
    unknown = set(spec) - set(LAYER_FIELDS)
    if unknown:
        raise ValueError(f"Unknown hidden-layer keys: {sorted(unknown)}. Expected some of: {LAYER_FIELDS}")
    return spec


def parse_layers(text):
    """'16:relu:he_normal,8:tanh' -> hidden-layer dicts, one per comma-separated layer written
    units[:activation[:kernel_initializer[:stddev[:l2]]]]. A field left empty takes its default, so
    '16:relu:he_normal::0.01' is 16 relu units, he_normal, L2(0.01) on the kernel, and
    '8:tanh:random_normal:0.5:0.001' adds stddev 0.5. Links written before l2 existed (1–4 fields) read as before."""
    specs = []
    for i, part in enumerate(str(text).split(",")):
        fields = [f.strip() for f in part.split(":")]
        if not 1 <= len(fields) <= len(LAYER_FIELDS) or not fields[0]:
            raise ValueError("Received an invalid value for `layers`, expected comma-separated layers such as "
                             f"16:relu:he_normal,16:relu:he_normal::0.01. Received: layers={text!r}")
        spec = {"units": parse_int(fields[0], f"units of hidden layer {i + 1}")}
        spec.update((name, value) for name, value in zip(("activation", "kernel_initializer"), fields[1:3]) if value)
        for name, value in zip(("stddev", "l2"), fields[3:5]):
            if value:
                spec[name] = number(name)(value)
        specs.append(layer_spec(spec))
    return specs


def format_layers(specs):
    """Hidden-layer dicts -> '16:relu:he_normal,8:tanh:random_normal:0.5,16:relu:he_normal::0.01' (stddev only
    where the initializer uses it, l2 only where it is > 0: the shortest text parse_layers reads back)."""
    def one(spec):
        fields = [str(spec["units"]), spec["activation"], spec["kernel_initializer"],
                  repr(spec["stddev"]) if spec["kernel_initializer"] in STDDEV_INITIALIZERS else ""]
        if spec["l2"]:
            fields.append(repr(spec["l2"]))
        return ":".join(fields).rstrip(":")
    return ",".join(one(spec) for spec in specs)


def make_regularizer(l2):
    """The kernel_regularizer of a hidden layer: keras.regularizers.L2(l2) for l2 > 0, else None."""
    if isinstance(l2, bool) or not isinstance(l2, (int, float)) or not math.isfinite(l2) or l2 < 0:
        raise ValueError(f"Received an invalid value for `l2`, expected a non-negative float. Received: l2={l2!r}")
    return regularizers.L2(float(l2)) if l2 else None


def make_initializer(name, stddev):
    """The kernel initializer of a hidden layer: RandomNormal/TruncatedNormal(stddev=…) or Keras' by name."""
    if name in STDDEV_INITIALIZERS:
        if not (isinstance(stddev, (int, float)) and math.isfinite(stddev) and stddev > 0):
            raise ValueError(f"Received an invalid value for `stddev`, expected a positive float. "
                             f"Received: stddev={stddev!r}")
        return initializers.REGISTRY[name](stddev=float(stddev))
    return initializers.get(name)


def check_layers(specs):
    """Raise a Keras-style ValueError unless 1–8 hidden layers with units 1–256 and known names."""
    if not 1 <= len(specs) <= MAX_HIDDEN_LAYERS:
        raise ValueError(f"Received an invalid value for `hidden_layers`, expected 1 to {MAX_HIDDEN_LAYERS} "
                         f"layers. Received: {len(specs)} layers")
    for i, spec in enumerate(specs):
        units = spec["units"]
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or not 1 <= units <= MAX_UNITS:
            raise ValueError(f"Received an invalid value for `units` of hidden layer {i + 1}, expected an integer "
                             f"from 1 to {MAX_UNITS}. Received: units={units!r}")
        activations.get(spec["activation"])
        make_initializer(spec["kernel_initializer"], spec["stddev"])
        make_regularizer(spec["l2"])


class BatchOrder:
    """Mini-batch indices as Keras' fit draws them: a new seeded permutation each epoch, the last batch partial."""

    def __init__(self, n, rng):
        self.n, self.rng = int(n), rng
        self.epoch, self._position = 0, 0
        self._order = self.rng.permutation(self.n)

    def peek(self, batch_size):
        """The indices (b,) the next call to `next(batch_size)` returns."""
        if batch_size >= self.n:
            return np.arange(self.n)
        return self._order[self._position:self._position + batch_size]

    def next(self, batch_size):
        """The next batch's indices (b,); a full batch (arange) when batch_size ≥ n."""
        index = self.peek(batch_size)
        self._position += len(index)
        if batch_size >= self.n or self._position >= self.n:
            self.epoch += 1
            self._position = 0
            if batch_size < self.n:
                self._order = self.rng.permutation(self.n)
        return index


class TrainingState(AppState):
    """Data set, hidden layers, optimizer, and everything measured while training (per step, bounded)."""

    # -- configuration (Keras names); model=True: changing it rebuilds the network and its data -----------
    dataset = Unicode("circle").tag(config=True, model=True)
    n_samples = Int(200).tag(config=True, model=True)
    noise = Float(0.1).tag(config=True, model=True)
    train_fraction = Float(0.8).tag(config=True, model=True)
    hidden_layers = List(Dict(), default_value=[dict(LAYER_DEFAULTS), dict(LAYER_DEFAULTS)]).tag(
        config=True, model=True, parse=parse_layers, format=format_layers)
    optimizer = Unicode("adam").tag(config=True)
    learning_rate = Float(0.01).tag(config=True)
    batch_size = Int(32).tag(config=True)
    # Keras' EarlyStopping(monitor="val_loss", patience, restore_best_weights), patience counted in steps: stop
    # when the test loss has not improved for that many steps (0: off); then, if asked, the best weights return
    early_stopping_patience = Int(0).tag(config=True)
    restore_best_weights = Bool(True).tag(config=True)  # Keras' default is False; the remedy wants the best
    seed = Int(0).tag(config=True, model=True)
    dtype = Unicode("float32").tag(config=True, model=True)
    # -- pace (run=True: only the runner reads it; presets keep the user's) ---------------------------------
    speed = Float(DEFAULT_SPEED).tag(config=True, run=True, parse=parse_speed, format=format_speed)

    # -- running ------------------------------------------------------------------------------------------
    running = Bool(False)          # the app's runner trains while True; set False to pause
    steps_per_second = Float(0.0)  # achieved rate while playing (written by the runner)

    # -- derived (set by rebuild and the training steps; views read them) -------------------------------
    model = Any(None)    # engine Sequential: hidden Dense layers, then the output layer
    data = Any(None)     # engine Dataset: x_train (n, d), y_train, x_test, y_test, n_classes
    points = Any(None)   # engine Points: your own data set (use_points), trained on while dataset is 'uploaded'
    model_version = Int(0)   # +1 when the network is rebuilt (layer count may change)
    arrays_version = Int(0)  # +1 after every rebuild and every chunk of steps

    def __init__(self, **config):
        super().__init__()
        self._batches = self._optimizer = self.history = self.stats = None
        self._arrays = {}
        self.step = 0  # optimizer steps since the last rebuild
        # the latest step's batch loss (before its update, as Keras logs it), and the train and test loss after it
        self.batch_loss = self.train_loss = self.test_loss = math.nan
        self.train_accuracy = self.test_accuracy = math.nan  # classification only (nan for regression)
        self._stopped_early = False  # early stopping spoke in this chunk (its status stays)
        self.overfit_step = None  # the step since which the test loss rises while the train loss falls, or None
        self._best = None         # early stopping: (test loss, step, weights) of the best record so far
        if not self.update(**config):
            raise ValueError(self.status)

    # -- configuration -------------------------------------------------------------------------------------
    @validate("hidden_layers")
    def _complete_layers(self, proposal):
        """Each hidden layer as a complete dict (partial ones get the defaults); unknown keys are refused."""
        try:
            return [layer_spec(spec) for spec in proposal["value"]]
        except ValueError as error:
            raise TraitError(str(error)) from None

    @property
    def task(self):
        """'binary' | 'multiclass' | 'regression': what the data set asks for."""
        return self.data.task

    @property
    def output_activation(self):
        """The output layer's activation for the task (sigmoid, softmax or linear)."""
        return HEADS[self.task][0]

    @property
    def loss(self):
        """The loss for the task, by its Keras name."""
        return HEADS[self.task][1]

    @property
    def metric(self):
        """The accuracy metric for the task by its Keras name, or None (regression)."""
        return METRICS.get(self.task)

    @property
    def slow_motion(self):
        """True at ≤ SLOW_MOTION_SPEED steps per second: a redraw after every step, the bars animating."""
        return self.speed <= SLOW_MOTION_SPEED

    @validate("speed")
    def _positive_speed(self, proposal):
        value = proposal["value"]
        if not value > 0:  # nan too
            raise TraitError(f"Received an invalid value for `speed`, expected a positive number of steps per "
                             f"second or 'max'. Received: speed={value!r}")
        return value

    @validate("early_stopping_patience")
    def _non_negative_patience(self, proposal):
        if proposal["value"] < 0:
            raise TraitError(f"Received an invalid value for `early_stopping_patience`, expected 0 (off) or a "
                             f"positive number of steps. Received: early_stopping_patience={proposal['value']}")
        return proposal["value"]

    def set_layer(self, index, **fields):
        """Change fields of hidden layer `index` (rebuilds the network)."""
        layers = [dict(spec) for spec in self.hidden_layers]
        layers[index] = layer_spec(layers[index], **fields)
        return self.update(hidden_layers=layers)

    def add_layer(self, **fields):
        """Append a hidden layer like the last one (or with `fields`)."""
        last = self.hidden_layers[-1] if self.hidden_layers else LAYER_DEFAULTS
        return self.update(hidden_layers=[*self.hidden_layers, layer_spec(last, **fields)])

    def remove_layer(self, index=-1):
        """Drop hidden layer `index` (the last by default); at least one stays."""
        layers = list(self.hidden_layers)
        del layers[index]
        return self.update(hidden_layers=layers)

    @staticmethod
    def normalized(config):
        """A copy of `config` with each hidden layer completed by layer_spec (to compare configurations)."""
        config = dict(config)
        if "hidden_layers" in config:
            config["hidden_layers"] = [layer_spec(spec) for spec in config["hidden_layers"]]
        return config

    def _apply(self, names):
        """A model trait (or no network yet): rebuild; else the optimizer settings from the next step
        (`speed` alone changes nothing here: the runner reads it)."""
        if self.model is None or any(self.trait_metadata(name, "model") for name in names):
            self._rebuild(names)
        elif any(not self.trait_metadata(name, "run") for name in names):
            self._apply_training_config()

    # -- building ------------------------------------------------------------------------------------------
    def _rebuild(self, names=()):
        """New data and a new network from the configuration and `seed`; clears the history. Training keeps
        playing if it was; the status line says what changed (`names`) and that training restarts at step 0."""
        specs = self.hidden_layers
        check_layers(specs)
        dtype = check_dtype(self.dtype)
        data = self._make_data()
        model = self._build_model(specs, data, HEADS[data.task][0], dtype)
        optimizer = self._make_optimizer()
        self._check_batch_size()
        self._arrays = {"x_train": data.x_train.astype(dtype), "y_train": data.y_train,
                        "x_test": data.x_test.astype(dtype), "y_test": data.y_test}
        self._batches = BatchOrder(len(data.x_train), np.random.default_rng([self.seed, 2]))
        self._optimizer = optimizer
        trained = self.model is not None and self.step > 0
        with self.hold_trait_notifications():
            self.data, self.model = data, model
            self.history = History(HISTORY_CAPACITY)
            self.step = 0
            self.overfit_step, self._best = None, None
            self._preview()
            self._say_rebuilt(names, trained)
            self.model_version += 1  # inside the hold: observers hear of both counters after both moved
            self.arrays_version += 1

    def _make_data(self):
        """The Dataset to train on: the toy set `dataset`, or your own points split by train_fraction and seed."""
        if self.dataset != UPLOADED:
            return datasets.make(self.dataset, self.n_samples, self.noise, self.train_fraction, self.seed)
        if self.points is None:
            raise ValueError("Received an invalid value for `dataset`, expected a data set of your own first (upload "
                             "a CSV of points). Received: dataset='uploaded'")
        return self.points.split(self.train_fraction, self.seed)

    def use_points(self, source, name=None, max_bytes=MAX_BYTES):
        """Train on your own points from now on: `source` is a CSV or .npy (path, bytes or file object; `name` its
        file name) or an array (n, 3) of x1, x2, label or (n, 2) of x, y. dataset becomes 'uploaded' and the
        network is rebuilt for the task the points ask for. True on success; a refusal (FileRefused, in
        Keras' words) goes to the status line and the data set, the network and training stay as they were."""
        try:
            points = read_points(source, name=name, max_bytes=max_bytes)
        except (FileRefused, ValueError) as error:
            self.report(error)
            return False
        previous = self.points
        self.points = points
        if not self.update(dataset=UPLOADED):
            self.points = previous
            return False
        if points.task == "regression":
            message = _("Your data set {name}: {n} points (x, y), a regression task. Now: {summary}")
        else:
            message = _("Your data set {name}: {n} points in {k} classes, a {task} task. Now: {summary}")
        message = message.format(name=points.name, n=f"{len(points.x):,}", k=points.n_classes,
                                 task=_(TASKS[points.task]), summary=self.summary_line())
        largest = float(np.max(np.abs(points.x)))
        if largest > LARGE_INPUT:  # Keras does not rescale either: say why the first layer may not learn
            hint = _("Its inputs reach {largest}, far from the toy sets' ±1.5: they can saturate the first layer "
                     "(tanh, sigmoid) so that it gets no gradient. Keras users rescale them first "
                     "(keras.layers.Normalization).")
            self.set_status("warning", message + " " + hint.format(largest=f"{largest:.3g}"))
        else:
            self.set_status("ok", message)
        return True

    def dataset_label(self):
        """What the data set menu calls your own points: 'uploaded (moons.csv, 300 points)'; None without any."""
        if self.points is None:
            return None
        return _("uploaded ({name}, {n} points)").format(name=self.points.name, n=f"{len(self.points.x):,}")

    def _say_rebuilt(self, names, trained):
        """The status after a rebuild: the summary, led by what changed when it threw training away."""
        what = next((text for traits, text in REBUILT if traits & set(names)), None)
        if what is None or not (trained or self.running):
            self.set_status("ok", self.summary_line())
            return
        what = _(what).format(seed=self.seed)
        if self.running:
            message = _("{what}; training continues from step 0. Now: {summary}")
        else:
            message = _("{what}; back at step 0 (paused). Now: {summary}")
        self.set_status("warning" if trained else "ok", message.format(what=what, summary=self.summary_line()))

    def reset(self):
        """Back to step 0 with the initial weights of this seed (the same network as after the last rebuild);
        keeps playing if it was."""
        return self.apply({"seed"})

    def _build_model(self, specs, data, output_activation, dtype):
        """Hidden Dense layers from `specs`, then the output layer for the task; built for the data."""
        layers = []
        for i, spec in enumerate(specs):
            layers.append(Dense(spec["units"], activation=spec["activation"],
                                kernel_initializer=make_initializer(spec["kernel_initializer"], spec["stddev"]),
                                kernel_regularizer=make_regularizer(spec["l2"]), seed=self.layer_seed(i), dtype=dtype, name="dense" if i == 0 else f"dense_{i}"))
        units = data.n_classes if data.task == "multiclass" else 1
        n = len(specs)
        layers.append(Dense(units, activation=output_activation, seed=self.layer_seed(n), dtype=dtype,
                            name=f"dense_{n}"))
        return Sequential(layers, input_shape=(data.x_train.shape[1],), name="sequential")

    def layer_seed(self, index):
        """The Dense seed of layer `index` (0 = first hidden layer): distinct per layer and per state seed."""
        return self.seed * (MAX_HIDDEN_LAYERS + 1) + index + 1

    def _make_optimizer(self):
        """A fresh Keras optimizer by name with the learning rate (its other arguments at Keras' defaults)."""
        name = self.optimizer.lower() if isinstance(self.optimizer, str) else self.optimizer
        if name not in optimizers.REGISTRY:
            optimizers.get(name)  # raises the Keras-style error listing the names
        return optimizers.REGISTRY[name](learning_rate=self.learning_rate)

    def _check_batch_size(self):
        if self.batch_size < 1:
            raise ValueError(f"Received an invalid value for `batch_size`, expected a positive integer. "
                             f"Received: batch_size={self.batch_size}")

    def _apply_training_config(self):
        """Optimizer, learning rate, batch size: effective from the next step, weights kept."""
        self._check_batch_size()
        if self._optimizer is None or self._optimizer.name.lower() != self.optimizer.lower():
            self._optimizer = self._make_optimizer()  # a new optimizer starts with empty slots
        else:
            self._optimizer.learning_rate = self.learning_rate
        self.set_status("ok", self.summary_line())
        self.arrays_version += 1

    # -- training ------------------------------------------------------------------------------------------
    def train(self, steps=None, deadline=None):
        """Train now: `steps` steps, or until time.perf_counter() ≥ `deadline` (at least one step), whichever
        comes first; stops early when the loss stops being finite. Returns how many steps ran."""
        done = 0
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # overflow is reported, not warned
            while steps is None or done < steps:
                if not self._train_one():
                    break
                done += 1
                if deadline is not None and time.perf_counter() >= deadline:
                    break
        self._end_chunk()
        return done

    @property
    def optimizer_object(self):
        """The engine optimizer in use (its slots persist across steps)."""
        return self._optimizer

    @property
    def epoch(self):
        """Completed passes over the training set."""
        return self._batches.epoch if self._batches is not None else 0

    def _train_one(self):
        """One engine train_step on the next mini-batch, recorded when due; False once the loss is not finite."""
        if self.model is None:
            return False
        index = self._batches.next(self.batch_size)
        value = self.model.train_step(self._arrays["x_train"][index], self._arrays["y_train"][index],
                                      self.loss, self._optimizer)
        self.step += 1
        self.batch_loss = float(value)
        self.stats = self.model.stats
        finite = math.isfinite(value)
        if not finite or self.history.due(self.step):
            self._record(self.step, value, self.model.stats)
            if finite and self.early_stopping_patience and self._early_stop():
                return False
        if not finite:
            self.running = False
            self.set_status("warning", f"The loss became {value} at step {self.step}: training paused. The "
                                        "weights overflowed; try a smaller learning_rate or initializer stddev, "
                                        "then Reset.")
        return finite

    def _early_stop(self):
        """Keras' EarlyStopping on the test loss just recorded: remember the best weights; after
        `early_stopping_patience` steps without improvement pause (and restore the best weights if asked).
        Returns True when it stopped. Monitoring then starts afresh, as a new `fit` would."""
        loss = self.history.last("test_loss")
        if not math.isfinite(loss):
            return False  # no test set, or a broken one: nothing to monitor
        if self._best is None or loss < self._best[0]:
            weights = [w.copy() for layer in self.model.layers for w in layer.weights] if self.restore_best_weights \
                else None
            self._best = (loss, self.step, weights)
            return False
        best, best_step, weights = self._best
        if self.step - best_step < self.early_stopping_patience:
            return False
        self._best = None
        self.running = False
        self._stopped_early = True  # this chunk's status is the stop's (not overwritten by an overfitting note)
        if weights is not None:
            for w, saved in zip((w for layer in self.model.layers for w in layer.weights), weights):
                np.copyto(w, saved)
            self._record(self.step, self.batch_loss, self.stats)  # this step re-measured with the best weights
            message = _("early stopping at step {step}: the test loss has not improved for {patience} steps "
                        "(best {best:.4g} at step {best_step}); the weights of step {best_step} were restored. "
                        "Play continues from them.")
        else:
            message = _("early stopping at step {step}: the test loss has not improved for {patience} steps "
                        "(best {best:.4g} at step {best_step}). Play continues from here.")
        self.set_status("ok", message.format(step=self.step, patience=self.early_stopping_patience, best=best,
                                             best_step=best_step))
        return True

    def _end_chunk(self):
        """Publish the train and test loss (and accuracy) once per chunk of steps (not per step), look for
        overfitting, and bump `arrays_version`.

        The history keeps every `stride`-th step; the readouts always show the last step (evaluated here
        when the history skipped it), so a single Step always moves them."""
        if self.step and self.history.steps[-1] != self.step:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                (self.train_loss, self.train_accuracy), (self.test_loss, self.test_accuracy) = (
                    self._evaluate("train"), self._evaluate("test"))
        else:
            h = self.history
            self.train_loss, self.test_loss = h.last("train_loss"), h.last("test_loss")
            self.train_accuracy, self.test_accuracy = h.last("train_accuracy"), h.last("test_accuracy")
        self._watch_overfitting(announce=not self._stopped_early)
        self._stopped_early = False
        self.arrays_version += 1

    def _watch_overfitting(self, announce=True):
        """`overfit_step` from the history; the status line says so when it starts (and stops saying it after),
        unless `announce` is False (early stopping spoke in this chunk)."""
        h = self.history
        since = overfitting_since(h.steps, h["train_loss"], h["test_loss"])
        message = _("overfitting: test loss rising since step {step} while train loss falls — try L2 or early "
                    "stopping")
        if since is not None and self.overfit_step is None and announce:
            self.set_status("warning", message.format(step=since))
        elif since is None and self.overfit_step is not None and self.status == message.format(step=self.overfit_step):
            self.set_status("ok", self.summary_line())
        self.overfit_step = since

    def _evaluate(self, split):
        """(loss, accuracy) on the whole train or test split: one prediction through Sequential.evaluate; nan
        for an empty split, accuracy nan for regression."""
        x, y = self._arrays[f"x_{split}"], self._arrays[f"y_{split}"]
        if not len(x):
            return math.nan, math.nan
        if self.metric is None:
            return self.model.evaluate(x, y, self.loss), math.nan
        loss, accuracy = self.model.evaluate(x, y, self.loss, metrics=[self.metric])
        return loss, accuracy

    def _record(self, step, batch_loss, stats):
        """One history row: step k's batch loss and per-layer gradient/unit statistics (measured by the engine
        at the weights step k started from) and the train/test loss, accuracy and kernel norms after step k."""
        (train_loss, train_accuracy), (test_loss, test_accuracy) = self._evaluate("train"), self._evaluate("test")
        self.history.append(
            step,
            batch_loss=batch_loss,
            train_loss=train_loss,
            test_loss=test_loss,
            train_accuracy=train_accuracy,
            test_accuracy=test_accuracy,
            grad_mean=np.array([s["kernel"]["mean_abs"] for s in stats]),
            grad_max=np.array([s["kernel"]["max_abs"] for s in stats]),
            kernel_norm=np.array([array_stats(layer.kernel)["norm"] for layer in self.model.layers]),
            dead=np.array([s["dead_fraction"] for s in stats]),
            saturated=np.array([s["saturated_fraction"] for s in stats]),
        )

    def _preview(self):
        """Step 0: the initial losses, and the gradients the first step will use (same batch, no update)."""
        index = self._batches.peek(self.batch_size)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            value, stats = gradient_stats(self.model, self._arrays["x_train"][index],
                                          self._arrays["y_train"][index], self.loss)
            self._record(0, value, stats)
        self.stats = stats
        self.batch_loss = float(value)
        self.train_loss = float(self.history.last("train_loss"))
        self.test_loss = float(self.history.last("test_loss"))
        self.train_accuracy = float(self.history.last("train_accuracy"))
        self.test_accuracy = float(self.history.last("test_accuracy"))

    # -- queries for the views -------------------------------------------------------------------------------
    def predict(self, x):
        """The network's outputs for x (n, d) through the engine's Sequential.predict: (n, output units)."""
        return self.model.predict(np.asarray(x, dtype=self.model.layers[0].dtype))

    def extent(self, pad=0.1):
        """(xmin, xmax, ymin, ymax) of every data point, padded by `pad` of the span (regression: x and y)."""
        data = self.data
        if data.task == "regression":
            xs = np.concatenate([data.x_train[:, 0], data.x_test[:, 0]])
            ys = np.concatenate([data.y_train[:, 0], data.y_test[:, 0]])
        else:
            points = np.concatenate([data.x_train, data.x_test])
            xs, ys = points[:, 0], points[:, 1]
        (x0, x1), (y0, y1) = (xs.min(), xs.max()), (ys.min(), ys.max())
        dx, dy = (x1 - x0) * pad or 1.0, (y1 - y0) * pad or 1.0
        return float(x0 - dx), float(x1 + dx), float(y0 - dy), float(y1 + dy)

    def layer_labels(self):
        """Short names of the layers in order: '1', '2', …, 'out'."""
        return [str(i + 1) for i in range(len(self.hidden_layers))] + [_("out")]

    def architecture(self):
        """e.g. '2 → 8 tanh → 8 tanh → 1 sigmoid'."""
        parts = [str(self.data.x_train.shape[1])]
        parts += [f"{s['units']} {s['activation']}" for s in self.hidden_layers]
        parts.append(f"{self.model.layers[-1].units} {self.output_activation}")
        return " → ".join(parts)

    def summary_line(self):
        return _("OK: {architecture} · {params} parameters · loss {loss} · {optimizer}(learning_rate={rate}), "
                 "batch_size {batch_size} · {train} train / {test} test points").format(
            architecture=self.architecture(), params=f"{self.model.count_params():,}", loss=self.loss,
            optimizer=self.optimizer, rate=f"{self.learning_rate:g}", batch_size=self.batch_size,
            train=len(self.data.x_train), test=len(self.data.x_test))
