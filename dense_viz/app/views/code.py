"""The Code tab: the same layer written in Keras and in PyTorch, always in sync with the controls.

`keras_code(state)` and `torch_code(state)` are pure functions of the configuration (and the engine's
initializer formulas), so they are tested as strings; the view shows them HTML-escaped in <pre> blocks.
"""
import html
import math

import ipywidgets as widgets

from ...engine import constraints, initializers
from ...engine.layers import format_shape
from ...engine.sequential import readable_memory_size
from ...i18n import _
from ..catalog import torch_activation
from ..state import NONE

MAX_LINE = 88
REGULARIZER_CLASSES = {"l1": "L1", "l2": "L2", "l1l2": "L1L2"}

def _call(head, args, indent):
    """'head(a, b)' on one line if it fits, else one argument per line (Black style)."""
    one = f"{indent}{head}({', '.join(args)})"
    if len(one) <= MAX_LINE:
        return one
    inner = "".join(f"{indent}    {arg},\n" for arg in args)
    return f"{indent}{head}(\n{inner}{indent})"


def _regularizer(name, factor):
    """'keras.regularizers.L2(0.01)' from a dropdown name and its factor."""
    cls = REGULARIZER_CLASSES[name]
    value = repr(float(factor))
    args = f"l1={value}, l2={value}" if name == "l1l2" else value
    return f"keras.regularizers.{cls}({args})"


def dense_arguments(state):
    """The Keras Dense arguments that differ from Keras' defaults, as source strings."""
    args = [str(state.units)]
    if state.activation != "linear":
        args.append(f'activation="{state.activation}"')
    if not state.use_bias:
        args.append("use_bias=False")
    if state.kernel_initializer != "glorot_uniform":
        args.append(f'kernel_initializer="{state.kernel_initializer}"')
    if state.use_bias and state.bias_initializer != "zeros":
        args.append(f'bias_initializer="{state.bias_initializer}"')
    for kind in ("kernel", "bias", "activity"):
        name = getattr(state, f"{kind}_regularizer")
        if name != NONE and not (kind == "bias" and not state.use_bias):
            args.append(f"{kind}_regularizer={_regularizer(name, getattr(state, f'{kind}_regularizer_factor'))}")
    for kind in ("kernel", "bias"):
        name = getattr(state, f"{kind}_constraint")
        if name != NONE and not (kind == "bias" and not state.use_bias):
            args.append(f"{kind}_constraint=keras.constraints.{constraints.REGISTRY[name].__name__}()")
    return args


# A batch like the app's, per input_data: (Keras source, PyTorch source); {shape} the batch shape, {dims} the
# same as arguments, {lead} the shape without the features, {n} input_dim.
DATA_SOURCES = {
    "random_normal": ("keras.random.normal({shape})", "torch.randn({dims})"),
    "uniform": ("keras.random.uniform({shape}, minval=-1.0, maxval=1.0)", "torch.rand({dims}) * 2 - 1"),
    "ones": ("keras.ops.ones({shape})", "torch.ones({dims})"),
    "one_hot": ("keras.ops.one_hot(keras.random.randint({lead}, 0, {n}), {n})",
                "F.one_hot(torch.randint(0, {n}, {lead}), {n}).float()"),
    "uploaded": ('np.load("your_batch.npy")  # your own batch {shape}', 'torch.from_numpy(np.load("your_batch.npy"))'),
}


def data_source(state, library):
    """Source of a batch like the app's in `library` ('keras' or 'torch')."""
    keras_src, torch_src = DATA_SOURCES[state.input_data]
    return (keras_src if library == "keras" else torch_src).format(
        shape=format_shape(state.batch_shape), dims=", ".join(str(d) for d in state.batch_shape),
        lead=format_shape(state.batch_shape[:-1]), n=state.input_dim)


def keras_code(state):
    """Keras 3 source building this layer (only non-default arguments), its summary and a forward call."""
    feature_shape = format_shape((*state.leading_dims, state.input_dim))
    weights = "kernel and bias" if state.use_bias else "kernel"
    lines = [
        *(["import numpy as np"] if state.input_data == "uploaded" else []),
        "import keras",
        "from keras import layers",
        "",
        "model = keras.Sequential([",
        f"    keras.Input({feature_shape}),",
        _call("layers.Dense", dense_arguments(state), "    ") + ",",
        "])",
        *adapter_calls(state),
        f"model.summary()  # Total params: {state.param_count:,} ({readable_memory_size(state.param_bytes)})",
        "",
        f"x = {data_source(state, 'keras')}",
        f"y = model(x)  # {format_shape(state.y.shape)}",
        "",
        f"# Random weights differ between libraries. To load this app's {weights}",
        "# (app = dense_viz.explain(...)): model.layers[0].set_weights(app.state.layer.get_weights())",
    ]
    return "\n".join(lines) + "\n"


def adapter_calls(state):
    """The Keras calls that add LoRA and int8 to the built layer, as the app shows them (none without)."""
    lines = []
    if state.lora_rank:
        alpha = f", lora_alpha={state.lora_alpha:g}" if state.lora_alpha else ""
        lines.append(f"model.layers[0].enable_lora({state.lora_rank}{alpha})  # freeze W; learn (α/r)·A·B, "
                     f"A ({state.input_dim}, {state.lora_rank}), B ({state.lora_rank}, {state.units})")
    if state.quantization == "int8":
        lines.append('model.layers[0].quantize("int8")  # int8 kernel, one float32 scale per unit')
    return lines


def _fmt(value):
    """A number for source code: 4 significant digits."""
    return f"{value:.4g}"


def torch_init(name, target, shape):
    """(source line, note) initialising `target` like Keras' initializer `name` for a Keras `shape`."""
    init = initializers.get(name)
    keras_arg = f'"{name}"'
    if name in ("glorot_uniform", "he_uniform") and len(shape) == 2:  # PyTorch has these exact formulas
        code = (f"nn.init.xavier_uniform_({target})" if name == "glorot_uniform"
                else f'nn.init.kaiming_uniform_({target}, nonlinearity="relu")')
        return code, f"{keras_arg}: U(±{_fmt(init.limit(shape))})"
    if isinstance(init, initializers.VarianceScaling):
        if init.distribution == "uniform":
            limit = _fmt(init.limit(shape))
            return f"nn.init.uniform_({target}, -{limit}, {limit})", keras_arg
        if init.distribution == "truncated_normal":
            std = init.stddev(shape) / initializers.TRUNCATION_STDDEV_CORRECTION
            return (f"nn.init.trunc_normal_({target}, std={_fmt(std)}, a=-{_fmt(2 * std)}, b={_fmt(2 * std)})",
                    keras_arg)
        return f"nn.init.normal_({target}, std={_fmt(init.stddev(shape))})", keras_arg
    if isinstance(init, initializers.TruncatedNormal):
        return (f"nn.init.trunc_normal_({target}, mean={init.mean:g}, std={init.stddev:g}, "
                f"a={init.mean - 2 * init.stddev:g}, b={init.mean + 2 * init.stddev:g})", keras_arg)
    if isinstance(init, initializers.RandomNormal):
        return f"nn.init.normal_({target}, mean={init.mean:g}, std={init.stddev:g})", keras_arg
    if isinstance(init, initializers.RandomUniform):
        return f"nn.init.uniform_({target}, {init.minval:g}, {init.maxval:g})", keras_arg
    if isinstance(init, initializers.Zeros):
        return f"nn.init.zeros_({target})", keras_arg
    if isinstance(init, initializers.Ones):
        return f"nn.init.ones_({target})", keras_arg
    if isinstance(init, initializers.Constant):
        return f"nn.init.constant_({target}, {init.value:g})", keras_arg
    if isinstance(init, initializers.Orthogonal):
        return f"nn.init.orthogonal_({target}, gain={init.gain:g})", keras_arg
    if isinstance(init, initializers.Identity):
        return f"nn.init.eye_({target})  # (out, in) eye = transposed (in, out) eye", keras_arg
    return f"# no PyTorch equivalent written for {name!r}", keras_arg


def _torch_constraint(name, target, per_unit):
    """Lines projecting `target` as Keras' constraint `name` does (per unit's weight row, or the whole bias)."""
    norm = f"{target}.norm(dim=1, keepdim=True)" if per_unit else f"{target}.norm()"
    con = constraints.REGISTRY[name]()
    if name == "non_neg":
        return [f"    {target}.clamp_(min=0.0)"]
    if name == "unit_norm":
        return [f"    {target}.div_({norm} + 1e-7)"]
    if name == "max_norm":
        clamp = f"n.clamp(max={con.max_value:g})"
    elif con.rate == 1:  # min_max_norm with Keras' default rate
        clamp = f"n.clamp({con.min_value:g}, {con.max_value:g})"
    else:
        clamp = f"({con.rate:g} * n.clamp({con.min_value:g}, {con.max_value:g}) + {1 - con.rate:g} * n)"
    return [f"    n = {norm}", f"    {target}.mul_({clamp} / (n + 1e-7))"]


def torch_code(state):
    """PyTorch source for the same layer: nn.Linear (weight (out, in) = kernel.T), Keras' init, activation."""
    n_in, units = state.input_dim, state.units
    bias_arg = "" if state.use_bias else ", bias=False"
    default_limit = _fmt(1 / math.sqrt(n_in))
    lines = [
        *(["import numpy as np"] if state.input_data == "uploaded" else []),
        "import torch",
        "import torch.nn.functional as F",
        "from torch import nn",
        "",
        f"linear = nn.Linear({n_in}, {units}{bias_arg})  # weight: ({units}, {n_in}) = kernel.T, stored (out, in)",
        f"# PyTorch's default init differs: weight ~ U(±1/√in) = U(±{default_limit}) (kaiming_uniform_, a=√5)"
        + (", bias too." if state.use_bias else "."),
        "# Keras' init instead:",
    ]
    code, note = torch_init(state.kernel_initializer, "linear.weight", (n_in, units))
    lines.append(f"{code}  # kernel_initializer={note}")
    if state.use_bias:
        code, note = torch_init(state.bias_initializer, "linear.bias", (units,))
        lines.append(f"{code}  # bias_initializer={note}")
    lines += ["", f"x = {data_source(state, 'torch')}"]
    out = format_shape(state.y.shape)
    if state.activation == "linear":
        lines.append(f"y = linear(x)  # {out}")
    else:
        expr, note = torch_activation(state.activation)
        lines += [f"z = linear(x)  # {format_shape(state.z.shape)}",
                  f"y = {expr}  # {out}" + (f"; {note}" if note else "")]
    penalties = _torch_penalties(state)
    if penalties:
        lines += ["", "# Regularizers are not layer arguments in PyTorch: add the penalties to your loss:"]
        lines += ["penalty = 0.0"] + [f"penalty += {term}" for term in penalties]
    for kind, target, per_unit in (("kernel", "linear.weight", True), ("bias", "linear.bias", False)):
        name = getattr(state, f"{kind}_constraint")
        if name == NONE or (kind == "bias" and not state.use_bias):
            continue
        lines += ["", f"# {kind}_constraint={name!r}: after every optimizer.step(), project by hand:",
                  "with torch.no_grad():", *_torch_constraint(name, target, per_unit)]
    if state.lora_rank or state.quantization != NONE:
        lines += ["", "# LoRA and int8 are not nn.Linear options: peft.LoraConfig(r=…, lora_alpha=…) adds LoRA, and",
                  "# torch.ao.quantization quantizes, with other rules than Keras' (the numbers will differ)."]
    shapes = f"kernel ({n_in}, {units})" + (f", bias ({units},)" if state.use_bias else "")
    lines += ["", f"# Copy Keras weights ({shapes}) into PyTorch: transpose the kernel.",
              ("kernel, bias" if state.use_bias else "(kernel,)")
              + " = model.layers[0].get_weights()  # or app.state.layer.get_weights()",
              "with torch.no_grad():",
              "    linear.weight.copy_(torch.from_numpy(kernel.T))"]
    if state.use_bias:
        lines.append("    linear.bias.copy_(torch.from_numpy(bias))")
    return "\n".join(lines) + "\n"


def _torch_penalties(state):
    """['0.01 * linear.weight.abs().sum()', …] for the active regularizers."""
    targets = {"kernel": "linear.weight", "bias": "linear.bias", "activity": "y"}
    terms = []
    for kind, target in targets.items():
        name = getattr(state, f"{kind}_regularizer")
        if name == NONE or (kind == "bias" and not state.use_bias):
            continue
        f = repr(float(getattr(state, f"{kind}_regularizer_factor")))
        parts = []
        if name in ("l1", "l1l2"):
            parts.append(f"{f} * {target}.abs().sum()")
        if name in ("l2", "l1l2"):
            parts.append(f"{f} * {target}.pow(2).sum()")
        term = " + ".join(parts)
        terms.append(f"({term}) / y.shape[0]" if kind == "activity" else term)
    return terms


def _pre(title, code, css):
    """A titled, HTML-escaped <pre> block."""
    return (f"<div class='{css}' style='margin:4px 0 10px'>"
            f"<div style='font-weight:600;margin-bottom:2px'>{html.escape(title)}</div>"
            "<pre style='background:#f6f8fa;border:1px solid #d8dde6;border-radius:4px;padding:8px 10px;"
            "font:12.5px/1.35 ui-monospace,DejaVu Sans Mono,Menlo,Consolas,monospace;overflow-x:auto;"
            "white-space:pre;margin:0'>"
            f"{html.escape(code, quote=False)}</pre></div>")


class CodeView(widgets.VBox):
    """Keras and PyTorch source for the current layer, side by side in the Code tab."""


    depends = ("arrays",)
    def __init__(self, state):
        super().__init__()
        self.state = state
        self.add_class("dv-code-view")
        self._keras = widgets.HTML()
        self._keras.add_class("dv-code-keras")
        self._torch = widgets.HTML()
        self._torch.add_class("dv-code-torch")
        note = _("The same layer in Keras 3 and in PyTorch. Keras stores the kernel as (input_dim, units) and "
                 "computes x·W; PyTorch's nn.Linear stores weight as (out, in) = Wᵀ and computes x·weightᵀ: the "
                 "same numbers, transposed.")
        self._note = widgets.HTML("<div style='color:#445;font-size:12.5px;line-height:1.5;margin:2px 0 6px'>"
                                  f"{html.escape(note)}</div>")
        self.children = [self._note, self._keras, self._torch]

    def refresh(self):
        """Regenerate both listings from the state."""
        self._keras.value = _pre("Keras 3", keras_code(self.state), "dv-code-keras-pre")
        self._torch.value = _pre("PyTorch", torch_code(self.state), "dv-code-torch-pre")
