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
from ..i18n import _

EXPLAINER_TOOLTIPS = {
    "preset": "A ready-made configuration. Everything stays editable; after a change the menu shows "
              "'custom'.",
    "units": "Dense(units): the number of output neurons. The kernel W has shape (input_dim, units); "
             "the output's last axis has size units.",
    "activation": "Dense(activation=...): the function applied elementwise to z = x·W + b. "
                  "Keras' default is None, i.e. 'linear'.",
    "use_bias": "Dense(use_bias=...): add a bias vector b (units,) to x·W. False leaves z = x·W.",
    "kernel_initializer": "Dense(kernel_initializer=...): how W is drawn when the layer is built. "
                          "Keras' default is glorot_uniform.",
    "new_weights": "Draw new weights (and a new batch): the next seed.",
    "input_dim": "Size of the input's last axis: keras.Input((..., input_dim)). Rows of W.",
    "leading_dims": "Axes between the batch and the features, e.g. 5 for a sequence of 5 steps "
                    "(input (B, 5, input_dim)) or 5,3. Empty for a plain (B, input_dim) input. "
                    "Dense acts on the last axis only, with the same W at every position.",
    "batch_size": "B: how many examples the batch x holds. Not part of the layer: Keras writes it as None.",
    "bias_initializer": "Dense(bias_initializer=...): how b is drawn. Keras' default is zeros.",
    "kernel_regularizer": "Dense(kernel_regularizer=...): a penalty on W added to the loss, "
                          "e.g. keras.regularizers.L2(0.01) adds 0.01·Σw².",
    "bias_regularizer": "Dense(bias_regularizer=...): a penalty on b added to the loss.",
    "activity_regularizer": "Dense(activity_regularizer=...): a penalty on the output y added to the loss "
                            "(divided by the batch size, as Keras does).",
    "kernel_regularizer_factor": "The regularization factor (l1 and/or l2), e.g. 0.01. A non-negative number.",
    "bias_regularizer_factor": "The regularization factor (l1 and/or l2), e.g. 0.01. A non-negative number.",
    "activity_regularizer_factor": "The regularization factor (l1 and/or l2), e.g. 0.01. A non-negative number.",
    "kernel_constraint": "Dense(kernel_constraint=...): a projection of W applied after each optimizer "
                         "step (e.g. max_norm keeps each unit's weight vector at norm ≤ 2). "
                         "It does not change freshly initialized weights.",
    "bias_constraint": "Dense(bias_constraint=...): a projection of b applied after each optimizer step.",
    "seed": "Seed of the weights and of the batch: the same seed gives the same numbers.",
    "input_data": "What the batch x contains: random normal N(0, 1), uniform U(-1, 1), all ones, "
                  "or one-hot rows.",
    "loss": "The loss L whose gradients the Gradients tab shows: mean squared error against a seeded "
            "random target, categorical cross-entropy against seeded random one-hot classes (for softmax "
            "outputs), or the sum of all outputs (then ∂L/∂y = 1).",
}

TRAINING_TOOLTIPS = {
    "preset": "A ready-made lesson. Everything stays editable; after a change the menu shows 'custom'.",
    "dataset": "The toy data set (seeded): 2-D points in two or three classes, or 1-D regression (sine). The "
               "output layer and the loss follow the task.",
    "noise": "Standard deviation of the Gaussian jitter on the inputs (sine: on the targets).",
    "train_fraction": "Share of the points used for training; the rest is the test set.",
    "seed": "Seed of the data, the initial weights and the batch order: the same seed, the same run.",
    "optimizer": "keras.optimizers.<name>(learning_rate=…), other arguments at Keras' defaults. Changing it "
                 "starts a fresh optimizer (empty moments) on the current weights.",
    "learning_rate": "The optimizer's learning rate; takes effect from the next step.",
    "batch_size": "Examples per step (Keras' fit: reshuffled every epoch, the last batch partial). ≥ the "
                  "training set means full batch.",
    "units": "Dense(units) of this hidden layer (1–256).",
    "activation": "Dense(activation=…) of this hidden layer.",
    "kernel_initializer": "Dense(kernel_initializer=…) of this hidden layer.",
    "stddev": "stddev of keras.initializers.RandomNormal / TruncatedNormal (Keras' default: 0.05).",
    "play": "Train continuously (the views refresh 10 times a second); press again to pause.",
    "step": "One optimizer step on the next mini-batch (pauses first).",
    "reset": "Rebuild the network from its seed: step 0, the initial weights, the history cleared.",
    "l2": "kernel_regularizer=keras.regularizers.L2(l2) of this hidden layer: adds l2·Σw² to the loss (0: none). "
          "Against overfitting try 0.001–0.01.",
    "speed": "Training steps per second. At 4 or fewer every step is drawn and the gradient bars move in slow "
             "motion; max trains as fast as the machine can.",
    "early_stopping_patience": "keras.callbacks.EarlyStopping(monitor='val_loss', patience=…), counted in steps: "
                               "pause when the test loss has not improved for that many steps. 0: off.",
    "restore_best_weights": "EarlyStopping(restore_best_weights=…): when it stops, go back to the weights of the "
                            "step with the lowest test loss (Keras' default is False).",
}


def tooltip(table, name):
    """The translated tooltip of control `name` in `table` (EXPLAINER_TOOLTIPS or TRAINING_TOOLTIPS)."""
    return _(table[name])


ACTIVATIONS = {
    "celu": {"formula": "z if z > 0 else exp(z) − 1", "torch": "F.celu(z)"},
    "elu": {"formula": "z if z > 0 else exp(z) − 1", "torch": "F.elu(z)"},
    "exponential": {"formula": "exp(z)", "torch": "torch.exp(z)"},
    "gelu": {"formula": "z·Φ(z)", "torch": "F.gelu(z)"},
    "glu": {"formula": "a·σ(b), a and b the two halves of z", "torch": "F.glu(z, dim=-1)"},
    "hard_shrink": {"formula": "z if |z| > 0.5 else 0", "torch": "F.hardshrink(z, lambd=0.5)"},
    "hard_sigmoid": {"formula": "clip((z + 3) / 6, 0, 1)", "torch": "F.hardsigmoid(z)"},
    "hard_silu": {"formula": "z·clip((z + 3) / 6, 0, 1)", "torch": "F.hardswish(z)"},
    "hard_swish": {"formula": "z·clip((z + 3) / 6, 0, 1)", "torch": "F.hardswish(z)"},
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
    "soft_shrink": {"formula": "z − clip(z, −0.5, 0.5)", "torch": "F.softshrink(z, lambd=0.5)"},
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
    "swish": {"formula": "z·sigmoid(z)", "torch": "F.silu(z)"},
    "tanh": {"formula": "tanh(z)", "torch": "torch.tanh(z)"},
    "tanh_shrink": {"formula": "z − tanh(z)", "torch": "F.tanhshrink(z)"},
}

LOSSES = {
    "mean_squared_error": {"note": "MSE vs a random target",
                           "formula": "L = (1/N) Σ (y − t)², t a seeded random target"},
    "categorical_crossentropy": {"note": "cross-entropy vs random classes",
                                 "formula": "L = −(1/N) Σ t·log(p), p = y / Σy clipped to [1e−7, 1 − 1e−7], "
                                            "t seeded random one-hot classes"},
    "sum": {"note": "L = Σ y", "formula": "L = Σ y, the sum of every output"},
}


def activation_formula(name):
    """The translated formula f(z) of activation `name` ('' for a name the catalog does not know)."""
    entry = ACTIVATIONS.get(name)
    return _(entry["formula"]) if entry else ""


def torch_activation(name):
    """(PyTorch source of y from z, note for its comment: '' if none) for activation `name` (code, not translated)."""
    expr, _sep, note = ACTIVATIONS[name]["torch"].partition("  # ")
    return expr, note


def loss_text(name, field):
    """The translated `field` ('note' or 'formula') of loss `name` (the name itself if the catalog lacks it)."""
    entry = LOSSES.get(name)
    return _(entry[field]) if entry else name
