"""Sequential: a stack of Dense layers, called in order; backward runs them in reverse."""
import numpy as np

from . import losses as losses_module, metrics as metrics_module, optimizers as optimizers_module
from .layers import Dense, auto_name, format_shape
from .statistics import gradient_stats


def readable_memory_size(n_bytes):
    """Keras' size string: 1024-based units with two decimals, e.g. 10240000 -> '9.77 MB'."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n_bytes / 1024 < 1:
            return f"{n_bytes:.2f} {unit}"
        n_bytes /= 1024
    return f"{n_bytes:.2f} PB"


class Sequential:
    """Layers applied in order: x (batch, …, in) -> y (batch, …, out); `input_shape` excludes the batch axis."""

    def __init__(self, layers=None, input_shape=None, name=None):
        if layers is not None and (isinstance(layers, (str, bytes)) or not hasattr(layers, "__iter__")):
            layers = [layers]  # Keras wraps a single layer; a non-layer is then refused by add()
        self.layers = []
        for layer in [] if layers is None else layers:
            self._check_layer(layer)
            self.layers.append(layer)
        if name is not None and (not isinstance(name, str) or "/" in name):
            raise ValueError("Argument `name` must be a string and cannot contain character `/`. "
                             f"Received: name={name!r} (of type {type(name)})")
        self.name = name or auto_name("sequential")
        self.built = False
        if input_shape is not None:
            if isinstance(input_shape, (str, bytes)) or not hasattr(input_shape, "__iter__"):
                raise ValueError("Expected `input_shape` to be a tuple without the batch axis, such as (4,). "
                                 f"Received: input_shape={input_shape!r}")
            self.build((None,) + tuple(input_shape))

    def add(self, layer):
        """Append a layer (building it if the model is built)."""
        self._check_layer(layer)
        self.layers.append(layer)
        if self.built:
            self.build(self.input_shape)

    @staticmethod
    def _check_layer(layer):
        """Keras' refusal of anything that is not a layer (here: a dense_viz Dense)."""
        if not isinstance(layer, Dense):
            raise ValueError("Only instances of `keras.Layer` can be added to a Sequential model. "
                             f"Received: {layer!r:.80} (of type {type(layer)})")

    def build(self, input_shape):
        """Build every layer in turn from (None, …, in); remembers each layer's output shape."""
        shape = tuple(input_shape)
        self.input_shape, self.output_shapes = shape, []
        for layer in self.layers:
            if not layer.built:
                layer.build(shape)
            shape = layer.compute_output_shape(shape)
            self.output_shapes.append(shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        """The last layer's output shape for `input_shape`."""
        shape = tuple(input_shape)
        for layer in self.layers:
            shape = layer.compute_output_shape(shape)
        return shape

    def forward(self, x):
        """Run every layer; x: (batch, …, in) -> y: (batch, …, out)."""
        if not self.built:
            self.build((None,) + tuple(np.shape(x)[1:]))
        for layer in self.layers:
            x = layer(x)
        return x

    __call__ = forward

    def backward(self, dy):
        """dL/dy -> dL/dx through every layer in reverse; each layer's grads are filled."""
        for layer in reversed(self.layers):
            dy = layer.backward(dy)
        return dy

    def train_step(self, x, y, loss, optimizer):
        """One step on a batch: forward, loss + penalties, backward, optimizer update. Returns the loss value.

        x: (batch, …, in), y: targets for `loss`. Afterwards `self.stats` holds each layer's gradient sizes and
        fraction of dead / saturated units, measured on this step's forward and backward (no extra pass).
        """
        value, self.stats = gradient_stats(self, x, y, loss)
        optimizers_module.get(optimizer).step(self.layers)
        return value

    def evaluate(self, x, y, loss, metrics=()):
        """Loss on a batch plus the weight penalties, leaving every layer's caches and weights as they are.

        With `metrics` (names of engine.metrics, e.g. "binary_accuracy") returns [loss, *metric values] from one
        prediction, as Keras' evaluate does for a model compiled with metrics; without, the loss alone."""
        penalties = sum(v for layer in self.layers for k, v in layer.loss_terms.items() if k != "activity")
        y_pred = self.predict(x)
        value = float(losses_module.get(loss)(y, y_pred)) + float(penalties)
        if not metrics:
            return value
        return [value, *(metrics_module.get(metric)(y, y_pred) for metric in metrics)]

    def predict(self, x):
        """Outputs for x without touching the caches: (batch, …, in) -> (batch, …, out)."""
        for layer in self.layers:
            x = layer.call(x).y
        return x

    @property
    def losses(self):
        """Every layer's penalties, in layer order."""
        return [loss for layer in self.layers for loss in layer.losses]

    def count_params(self):
        """Total number of weights over all layers."""
        return sum(layer.count_params() for layer in self.layers)

    def summary(self):
        """The table Keras' model.summary() prints: Layer (type), Output Shape, Param #, then the totals."""
        if not self.built:
            raise ValueError(f"Sequential model '{self.name}' has not been built yet: pass `input_shape` or call "
                             "`build(input_shape)` before `summary()`.")
        rows = [(f"{layer.name} ({type(layer).__name__})", format_shape(shape), f"{layer.count_params():,}")
                for layer, shape in zip(self.layers, self.output_shapes)]
        widths = [max([31, len("Layer (type)")] + [len(r[0]) for r in rows]),
                  max([22] + [len(r[1]) for r in rows]), max([13] + [len(r[2]) for r in rows])]

        def rule(left, fill, mid, right):
            return left + mid.join(fill * (w + 2) for w in widths) + right

        def line(cells, edge):
            a, b, c = cells
            return f"{edge} {a:<{widths[0]}} {edge} {b:<{widths[1]}} {edge} {c:>{widths[2]}} {edge}"

        body = [rule("┏", "━", "┳", "┓"), line(("Layer (type)", "Output Shape", "Param #"), "┃"),
                rule("┡", "━", "╇", "┩")]
        for i, row in enumerate(rows):
            if i:
                body.append(rule("├", "─", "┼", "┤"))
            body.append(line(row, "│"))
        body.append(rule("└", "─", "┴", "┘"))
        def totals(arrays):
            arrays = list(arrays)
            return f"{sum(w.size for w in arrays):,} ({readable_memory_size(sum(w.nbytes for w in arrays))})"

        body += [f" Total params: {totals(w for layer in self.layers for w in layer.weights)}",
                 f" Trainable params: {totals(w for layer in self.layers for w in layer.trainable_weights)}",
                 f" Non-trainable params: {totals(w for layer in self.layers for w in layer.non_trainable_weights)}"]
        return f'Model: "{self.name}"\n' + "\n".join(body)
