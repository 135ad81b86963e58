"""The catalog: what the app says about each engine name and each control, in one table keyed by those names.

Keras keeps one registry of its objects (ALL_OBJECTS_DICT); this is the app's registry of words about them.
Every text here is English source text; it reaches the screen through `i18n._()`, so a second language is
a translation catalog, not an edit of the views. A test checks that the tables cover every name the
engine's registries hold.

Tables:
- EXPLAINER_TOOLTIPS / TRAINING_TOOLTIPS: each control's tooltip, keyed by the state trait it sets.
- ACTIVATIONS: per engine activation name (activations.NAMES, aliases included): its formula y = f(z) and its
  PyTorch equivalent (source for y from z = linear(x); after "  # " a note for the code's comment).
- LOSSES: per loss the explainer offers (state.LOSSES): a short note (the readout) and its formula.
"""
from collections.abc import Mapping

from ..engine import activations
from ..i18n import N_, _

EXPLAINER_TOOLTIPS = {
    "preset": N_("A ready-made configuration. Everything stays editable; after a change the menu shows "
                 "'custom'."),
    "units": N_("Dense(units): the number of output neurons. The kernel W has shape (input_dim, units); "
                "the output's last axis has size units."),
    "activation": N_("Dense(activation=...): the function applied elementwise to z = x·W + b. "
                     "Keras' default is None, i.e. 'linear'."),
    "use_bias": N_("Dense(use_bias=...): add a bias vector b (units,) to x·W. False leaves z = x·W."),
    "kernel_initializer": N_("Dense(kernel_initializer=...): how W is drawn when the layer is built. "
                             "Keras' default is glorot_uniform."),
    "reset": N_("Back to the preset's settings (the last preset chosen), or to the defaults."),
    "lora_rank": N_("Dense(lora_rank=r) / layer.enable_lora(r): freeze W and learn a low-rank change (α/r)·A·B with "
                    "A (input_dim, r) and B (r, units). 0: no LoRA. Keras refuses LoRA with a kernel constraint."),
    "lora_alpha": N_("Dense(lora_alpha=α): the scale of the low-rank change is α/r. 0: Keras' default, α = r."),
    "quantization": N_("layer.quantize('int8'): the kernel becomes int8 with one float scale per unit (abs-max); "
                       "inputs are quantized per row on every call, as Keras does."),
    "new_weights": N_("Draw new weights (and a new batch): the next seed."),
    "input_dim": N_("Size of the input's last axis: keras.Input((..., input_dim)). Rows of W."),
    "leading_dims": N_("Axes between the batch and the features, e.g. 5 for a sequence of 5 steps "
                       "(input (B, 5, input_dim)) or 5,3. Empty for a plain (B, input_dim) input. "
                       "Dense acts on the last axis only, with the same W at every position."),
    "batch_size": N_("B: how many examples the batch x holds. Not part of the layer: Keras writes it as None."),
    "bias_initializer": N_("Dense(bias_initializer=...): how b is drawn. Keras' default is zeros."),
    "kernel_regularizer": N_("Dense(kernel_regularizer=...): a penalty on W added to the loss, "
                             "e.g. keras.regularizers.L2(0.01) adds 0.01·Σw²."),
    "bias_regularizer": N_("Dense(bias_regularizer=...): a penalty on b added to the loss."),
    "activity_regularizer": N_("Dense(activity_regularizer=...): a penalty on the output y added to the loss "
                               "(divided by the batch size, as Keras does)."),
    "kernel_regularizer_factor": N_("The regularization factor (l1 and/or l2), e.g. 0.01. A non-negative number."),
    "bias_regularizer_factor": N_("The regularization factor (l1 and/or l2), e.g. 0.01. A non-negative number."),
    "activity_regularizer_factor": N_("The regularization factor (l1 and/or l2), e.g. 0.01. A non-negative number."),
    "kernel_constraint": N_("Dense(kernel_constraint=...): a projection of W applied after each optimizer "
                            "step (e.g. max_norm keeps each unit's weight vector at norm ≤ 2). "
                            "It does not change freshly initialized weights."),
    "bias_constraint": N_("Dense(bias_constraint=...): a projection of b applied after each optimizer step."),
    "seed": N_("Seed of the weights and of the batch: the same seed gives the same numbers."),
    "input_data": N_("What the batch x contains: random normal N(0, 1), uniform U(-1, 1), all ones, "
                     "or one-hot rows."),
    "loss": N_("The loss L whose gradients the Gradients tab shows: mean squared error against a seeded "
               "random target, categorical cross-entropy against seeded random one-hot classes (for softmax "
               "outputs), or the sum of all outputs (then ∂L/∂y = 1)."),
}

TRAINING_TOOLTIPS = {
    "preset": N_("A ready-made lesson. Everything stays editable; after a change the menu shows 'custom'."),
    "dataset": N_("The toy data set (seeded): 2-D points in two or three classes, or 1-D regression (sine). The "
                  "output layer and the loss follow the task."),
    "upload": N_("A CSV of your own points becomes the data set: columns x1, x2, label (classes 0, 1, …; a header "
                 "row may name them) or x, y for regression. The output layer and the loss follow from it."),
    "noise": N_("Standard deviation of the Gaussian jitter on the inputs (sine: on the targets)."),
    "train_fraction": N_("Share of the points used for training; the rest is the test set."),
    "seed": N_("Seed of the data, the initial weights and the batch order: the same seed, the same run."),
    "optimizer": N_("keras.optimizers.<name>(learning_rate=…), other arguments at Keras' defaults. Changing it "
                    "starts a fresh optimizer (empty moments) on the current weights."),
    "learning_rate": N_("The optimizer's learning rate; takes effect from the next step."),
    "batch_size": N_("Examples per step (Keras' fit: reshuffled every epoch, the last batch partial). ≥ the "
                     "training set means full batch."),
    "units": N_("Dense(units) of this hidden layer (1–256)."),
    "activation": N_("Dense(activation=…) of this hidden layer."),
    "kernel_initializer": N_("Dense(kernel_initializer=…) of this hidden layer."),
    "stddev": N_("stddev of keras.initializers.RandomNormal / TruncatedNormal (Keras' default: 0.05)."),
    "play": N_("Train continuously (the views refresh 10 times a second); press again to pause."),
    "step": N_("One optimizer step on the next mini-batch (pauses first)."),
    "reset": N_("Rebuild the network from its seed: step 0, the initial weights, the history cleared."),
    "l2": N_("kernel_regularizer=keras.regularizers.L2(l2) of this hidden layer: adds l2·Σw² to the loss (0: "
             "none). Against overfitting try 0.001–0.01."),
    "speed": N_("Training steps per second. At 4 or fewer every step is drawn and the gradient bars move in slow "
                "motion; max trains as fast as the machine can."),
    "early_stopping_patience": N_("keras.callbacks.EarlyStopping(monitor='val_loss', patience=…), counted in steps: "
                                  "pause when the test loss has not improved for that many steps. 0: off."),
    "restore_best_weights": N_("EarlyStopping(restore_best_weights=…): when it stops, go back to the weights of the "
                               "step with the lowest test loss (Keras' default is False)."),
}


class Translated(Mapping):
    """A read-only view of a table of English texts that translates each on lookup (so a language switch
    applies to every widget built after it): `Translated(TRAINING_TOOLTIPS)["seed"]`."""

    def __init__(self, table):
        self._table = table

    def __getitem__(self, name):
        return _(self._table[name])

    def __iter__(self):
        return iter(self._table)

    def __len__(self):
        return len(self._table)


# The training tasks (engine.datasets' task kinds), as the training panel names them.
TASKS = {"binary": N_("binary"), "multiclass": N_("multiclass"), "regression": N_("regression")}


def tooltip(table, name):
    """The translated tooltip of control `name` in `table` (EXPLAINER_TOOLTIPS or TRAINING_TOOLTIPS)."""
    return _(table[name])


ACTIVATIONS = {
    "celu": {"formula": "z if z > 0 else α·(exp(z/α) − 1), α = 1 (Keras' default: the same curve as elu)",
             "torch": "F.celu(z)"},
    "elu": {"formula": "z if z > 0 else exp(z) − 1", "torch": "F.elu(z)"},
    "exponential": {"formula": "exp(z)", "torch": "torch.exp(z)"},
    "gelu": {"formula": "z·Φ(z)", "torch": "F.gelu(z)"},
    "glu": {"formula": N_("a·σ(b), a and b the two halves of z"), "torch": "F.glu(z, dim=-1)"},
    "hard_shrink": {"formula": "z if |z| > 0.5 else 0", "torch": "F.hardshrink(z, lambd=0.5)"},
    "hard_sigmoid": {"formula": "clip((z + 3) / 6, 0, 1)", "torch": "F.hardsigmoid(z)"},
    "hard_silu": {"formula": "z·clip((z + 3) / 6, 0, 1)", "torch": "F.hardswish(z)"},
    "hard_swish": {"formula": "z·clip((z + 3) / 6, 0, 1) (hard_swish is an alias of hard_silu)",
                   "torch": "F.hardswish(z)"},
    "hard_tanh": {"formula": "clip(z, −1, 1)", "torch": "F.hardtanh(z)"},
    "leaky_relu": {"formula": "z if z > 0 else 0.2·z",
                   "torch": "F.leaky_relu(z, negative_slope=0.2)  # Keras' default slope 0.2 (PyTorch's: 0.01)"},
    "linear": {"formula": "z", "torch": "z"},
    "log_sigmoid": {"formula": "−log(1 + exp(−z))", "torch": "F.logsigmoid(z)"},
    "log_softmax": {"formula": "z_j − log Σ_m exp(z_m)", "torch": "torch.log_softmax(z, dim=-1)"},
    "mish": {"formula": "z·tanh(softplus(z))", "torch": "F.mish(z)"},
    "relu": {"formula": "max(0, z)", "torch": "torch.relu(z)"},
    "relu6": {"formula": "min(max(0, z), 6)", "torch": "F.relu6(z)"},
    "selu": {"formula": "1.0507·(z if z > 0 else 1.6733·(exp(z) − 1))", "torch": "F.selu(z)"},
    "sigmoid": {"formula": "1 / (1 + exp(−z))", "torch": "torch.sigmoid(z)"},
    "silu": {"formula": "z·sigmoid(z)", "torch": "F.silu(z)"},
    "soft_shrink": {"formula": "z − 0.5 if z > 0.5, z + 0.5 if z < −0.5, else 0 (= z − clip(z, −0.5, 0.5))",
                    "torch": "F.softshrink(z, lambd=0.5)"},
    "softmax": {"formula": "exp(z_j) / Σ_m exp(z_m)", "torch": "torch.softmax(z, dim=-1)"},
    "softplus": {"formula": "log(1 + exp(z))", "torch": "F.softplus(z)"},
    "softsign": {"formula": "z / (1 + |z|)", "torch": "F.softsign(z)"},
    "sparse_plus": {"formula": "z if z ≥ 1 else (clip(z, −1, 1) + 1)² / 4",
                    "torch": "torch.where(z >= 1, z, 0.25 * (z.clamp(-1, 1) + 1) ** 2)  # no built-in"},
    "sparse_sigmoid": {"formula": "(clip(z, −1, 1) + 1) / 2", "torch": "0.5 * (z.clamp(-1, 1) + 1)  # no built-in"},
    "sparsemax": {"formula": "max(z_j − τ, 0), τ such that Σ_j y_j = 1",
                  "torch": "sparsemax(z, dim=-1)  # no built-in: e.g. the `entmax` package"},
    "squareplus": {"formula": "(z + √(z² + 4)) / 2",
                   "torch": "0.5 * (z + torch.sqrt(z * z + 4))  # no built-in (b = 4)"},
    "swish": {"formula": "z·sigmoid(z) (swish is an alias of silu)", "torch": "F.silu(z)"},
    "tanh": {"formula": "tanh(z)", "torch": "torch.tanh(z)"},
    "tanh_shrink": {"formula": "z − tanh(z)", "torch": "F.tanhshrink(z)"},
}

LOSSES = {
    "mean_squared_error": {"note": N_("MSE vs a random target"),
                           "formula": N_("L = (1/N) Σ (y − t)², t a seeded random target")},
    "categorical_crossentropy": {"note": N_("cross-entropy vs random classes"),
                                 "formula": N_("L = −(1/N) Σ t·log(p), p = y / Σy clipped to [1e−7, 1 − 1e−7], "
                                               "t seeded random one-hot classes")},
    "sum": {"note": "L = Σ y", "formula": N_("L = Σ y, the sum of every output")},
}


def alias_note(name):
    """'swish is another name for silu: Keras maps both to the same function.' for an alias; '' otherwise."""
    target = activations.ALIASES.get(name)
    return _("{name} is another name for {target}: Keras maps both to the same function.").format(
        name=name, target=target) if target else ""


def activation_formula(name):
    """The translated formula f(z) of activation `name` ('' for a name the catalog does not know)."""
    formula = ACTIVATIONS.get(name, {}).get("formula")
    return _(formula) if formula else ""  # (not _(entry["formula"]): older Babel would extract "formula")


def torch_activation(name):
    """(PyTorch source of y from z, note for its comment: '' if none) for activation `name` (code, not translated)."""
    expr, _sep, note = ACTIVATIONS[name]["torch"].partition("  # ")
    return expr, note


def loss_text(name, field):
    """The translated `field` ('note' or 'formula') of loss `name` (the name itself if the catalog lacks it)."""
    entry = LOSSES.get(name)
    return _(entry[field]) if entry else name


# -- a guide beside every preset: what to look at, and a prediction to make before pressing Enter -------------
# {preset key: (what to look at, the prediction prompt, its answer)}; "" is the guide for custom settings.
PRESET_GUIDES = {
    "question": (
        N_("This is the first layer of a DCGAN generator: 100 random numbers in, 25,600 out, which the next "
           "layer, Reshape((10, 10, 256)), folds into a 10 × 10 image with 256 channels. use_bias=False because "
           "BatchNormalization follows and would cancel any bias; input_shape=(100,) is the old spelling of "
           "keras.Input((100,)). The batch axis is None: the same W (100 × 25600) multiplies every example in "
           "one matrix product, x (B, 100) · W = y (B, 25600) — the network is not run N times."),
        N_("Before you press Enter: set leading_dims to 5 (the input becomes (None, 5, 100)). What are the "
           "output shape and the parameter count?"),
        N_("(None, 5, 25600) and still 2,560,000: Keras' docs say an input of rank > 2 is flattened first, but "
           "Keras 3 applies the same W on the last axis at every position; nothing is flattened and the "
           "parameter count does not change.")),
    "tiny": (
        N_("Small enough to see every number: 4 examples of 3 inputs, 2 units. In Forward, pick a sample and a "
           "unit and follow y[i, j] = relu(Σₖ x[i, k]·W[k, j] + b[j]) term by term."),
        N_("Before you press Enter: with units = 5, how many parameters does the layer have?"),
        N_("3 × 5 + 5 = 20: one weight per input and unit, plus one bias per unit.")),
    "logistic": (
        N_("One unit with a sigmoid is logistic regression: y = σ(x·w + b), a probability per example. Look at "
           "Forward's activation curve: the batch's z values sit on the S-curve, and σ′(z) ≤ 1/4 everywhere."),
        N_("Before you press Enter: switch use_bias off. What happens to the parameter count?"),
        N_("It drops from 9 to 8: the bias was one number for the single unit.")),
    "softmax": (
        N_("A 784 → 10 classifier, like an MNIST digit's pixels to 10 class scores. softmax makes each row of y "
           "sum to 1; the loss is cross-entropy against random classes, so its gradient ∂L/∂z is simply y − t."),
        N_("Before you look: what is the sum of each row of y?"),
        N_("1, always: softmax divides every exp(z) by the row's total (see Forward).")),
    "sequence": (
        N_("A batch of 32 sequences of 5 steps with 8 features each: input (32, 5, 8). Dense works on the last "
           "axis only, with the same W at every one of the 5 steps, so the output is (32, 5, 4)."),
        N_("Before you press Enter: set leading_dims to 5,3. What is the output shape, and the parameter count?"),
        N_("(None, 5, 3, 4) and still 8 × 4 + 4 = 36: the extra axes only repeat the same W.")),
    "dead_relu": (
        N_("One-hot inputs and he_normal weights: a unit whose weights are all ≤ 0 never has z > 0, so relu′(z) "
           "= 0 on every example and no gradient reaches it — a dead unit. Gradients shows which ones."),
        N_("Before you look: if a unit is dead, what is its column of ∂L/∂W?"),
        N_("All zeros: ∂L/∂W = xᵀδ and δ = 0 for that unit on every example.")),
    "saturated_sigmoid": (
        N_("4096 inputs and weights of 1: every z is a sum of 4096 numbers, far out on the sigmoid's flat "
           "tails, where σ′(z) < 10⁻⁴. The gradients are tiny — compare their colour scale with a healthy "
           "layer's."),
        N_("Before you press Enter: switch kernel_initializer to glorot_uniform. Will the gradients grow?"),
        N_("Yes: glorot scales the weights by √(6 / (fan_in + fan_out)), so z stays near 0 where σ′ ≈ 1/4.")),
    "": (
        N_("Your own settings. The readouts above answer the first questions: the output shape, the parameter "
           "count input_dim × units + units, and the memory. Every tab reads the same numbers."),
        N_("Before you press Enter on a change: predict the output shape and the parameter count."),
        N_("Output (None, …, units); parameters input_dim × units, plus units when use_bias is on.")),
}


def preset_guide(key):
    """(what to look at, prediction prompt, answer) of preset `key`, translated (the custom guide otherwise)."""
    return tuple(_(text) for text in PRESET_GUIDES.get(key, PRESET_GUIDES[""]))
