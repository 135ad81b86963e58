"""The catalog: what the app says about each engine name and each control, in one table keyed by those names.

Keras keeps one registry of its objects (ALL_OBJECTS_DICT); this is the app's registry of words about them.
Every text here is English source text; it reaches the screen through `i18n._()`, so a second language is
a translation catalog, not an edit of the views. A test checks that the tables cover every name the
engine's registries hold.

Tables:
- EXPLAINER_TOOLTIPS / TRAINING_TOOLTIPS: each control's tooltip, keyed by the state trait it sets.
"""
from .i18n import _

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
}


def tooltip(table, name):
    """The translated tooltip of control `name` in `table` (EXPLAINER_TOOLTIPS or TRAINING_TOOLTIPS)."""
    return _(table[name])
