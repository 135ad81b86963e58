"""Finding English in a Russian UI: every text a widget tree shows, and the English words among them.

`widget_texts(root)` walks a widget tree (children, Tab and Accordion titles, descriptions, tooltips, placeholders,
HTML and Label values, option labels) and the texts of every figure a view draws; `english_words(text)` strips
markup, code and identifiers and returns the English words left, minus an allowlist of what stays English in the
Russian UI: the engine's names and Keras' argument names, units, product names and math symbols. Used by
tests/test_i18n.py (headless) and tests/test_browser_russian.py (the page's visible text).
"""
import html
import re

import ipywidgets as widgets
from matplotlib.text import Text

from dense_viz.app.state import ExplainerState
from dense_viz.app.training.state import TrainingState
from dense_viz.engine import activations, constraints, datasets, initializers, losses, optimizers, regularizers

# What stays English in the Russian UI (besides every engine name and state trait, added below).
ALLOWED = {
    # products, libraries, formats, units
    "keras", "dense", "numpy", "pytorch", "torch", "tensorflow", "jax", "python", "jupyter", "jupyterlab", "voila",
    "binder", "dcgan", "mnist", "xor", "sgd", "adam", "adamw", "rmsprop", "adagrad", "relu", "relus", "lora", "int8",
    "float32", "float64", "float16", "mse", "mae", "png", "url", "html", "api", "none", "true", "false", "nan", "inf",
    "kb", "mb", "gb", "tb", "kib", "mib", "gib", "ms", "fps", "id", "batchnormalization", "reshape", "input",
    "sequential", "layers", "initializers", "regularizers", "constraints", "activations", "optimizers", "losses",
    "models", "nn", "linear", "fit", "summary", "model", "layer", "kernel", "bias", "lambd", "dim", "min", "max",
    "exp", "log", "ln", "tanh", "sigmoid", "softmax", "softplus", "clip", "abs", "sqrt", "mean", "std", "sum", "argmax",
    "np", "glorot", "he", "lecun", "enable_lora", "quantize", "train_step", "predict", "call", "build", "get_config",
    "dense_viz", "explain", "explain_training", "entmax", "mlp", "backward", "forward", "english", "enter",
    "jupyterhub", "nbgitpuller", "float", "stddev", "preset", "safetensors", "npz", "npy", "csv", "pt", "h5", "abs",
    "pth", "hdf5", "pickle",  # file formats, as the others
    # Keras' class names that a Russian text keeps
    "randomnormal", "truncatednormal", "randomuniform", "variancescaling", "glorotuniform", "henormal", "maxnorm",
    "unitnorm", "nonneg", "minmaxnorm", "l1", "l2", "l1l2", "orthogonal", "identity", "constant", "zeros", "ones",
}
TAGS_WITH_CODE = re.compile(r"<(code|pre|kbd|samp|script|style)\b[^>]*>.*?</\1>"
                            r"|<(span|div)\b[^>]*\blang=['\"]en['\"][^>]*>.*?</\2>", re.S | re.I)
TAG = re.compile(r"<[^>]+>")
BACKTICKS = re.compile(r"`[^`]*`")
# code-like tokens: dotted names, calls, assignments, snake_case, anything with a digit
CODE_TOKEN = re.compile(r"[A-Za-z_][\w.]*\([^()]*\)|[A-Za-z_]\w*(?:\.\w+)+|\w*_\w*|\w*\d\w*|\w+=\S*")
# terms a Russian text keeps: «quoted» words of an English message, one-hot, assignments in formulas (limit = …), shape tuples ((out, in), (B, in))
TERMS = re.compile(r"«[^»]*»|\bone-hot\b|\b[A-Za-z_]\w* = |\((?:[A-Za-z_…][\w…]*, ?)+[A-Za-z_]\w*\)")
WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")


def allowed_words():
    """The lowercase words allowed in a Russian UI: ALLOWED, the engine's registry names and the traits' names."""
    names = set(ALLOWED)
    for registry in (activations.NAMES, constraints.NAMES, datasets.NAMES, tuple(initializers.REGISTRY),
                     tuple(getattr(regularizers, "NAMES", ())), tuple(getattr(losses, "NAMES", ())),
                     tuple(getattr(optimizers, "NAMES", ())), ExplainerState.config_names(),
                     TrainingState.config_names()):
        for name in registry:
            names.add(str(name).lower())
            names.update(part for part in str(name).lower().split("_") if len(part) > 2)
    return names


ALLOWED_WORDS = allowed_words()


def english_words(text):
    """The English words of `text` (markup, code and allowed identifiers removed), in order."""
    text = html.unescape(BACKTICKS.sub(" ", TAG.sub(" ", TAGS_WITH_CODE.sub(" ", text))))
    text = CODE_TOKEN.sub(" ", TERMS.sub(" ", text))
    words = []
    for word in WORD.findall(text):
        if len(word) < 2 or word.lower() in ALLOWED_WORDS:
            continue
        if len(word) == 2 and (word.isupper() or word[0] == "d"):  # MB, dW, dz: units and gradient names
            continue
        words.append(word)
    return words


def _options(widget):
    for option in widget.options:
        yield str(option[0] if isinstance(option, (tuple, list)) else option)


def widget_texts(root, seen=None):
    """(where, text) for every user-visible text under the widget `root`, figures' texts included."""
    seen = set() if seen is None else seen
    if id(root) in seen:
        return
    seen.add(id(root))
    kind = type(root).__name__
    for attr in ("description", "tooltip", "placeholder"):
        value = getattr(root, attr, None)
        if isinstance(value, str) and value:
            yield f"{kind}.{attr}", value
    if isinstance(root, (widgets.HTML, widgets.HTMLMath, widgets.Label)) and root.value:
        yield f"{kind}.value", root.value
    if isinstance(root, (widgets.Dropdown, widgets.ToggleButtons, widgets.Select, widgets.RadioButtons,
                         widgets.SelectMultiple)):
        for label in _options(root):
            yield f"{kind}.option", label
        for tip in getattr(root, "tooltips", None) or ():
            yield f"{kind}.tooltips", tip
    if isinstance(root, (widgets.Tab, widgets.Accordion)):
        for title in root.titles:
            if title:
                yield f"{kind}.title", title
    frames = getattr(root, "frames", None)
    if frames is not None:
        for artist in frames.fig.findobj(Text):
            if artist.get_visible() and artist.get_text().strip():
                yield f"{kind}.figure", artist.get_text()
    for child in getattr(root, "children", ()):
        if isinstance(child, widgets.Widget):
            yield from widget_texts(child, seen)


def english_in(root):
    """{English word: first (where, text) it was seen in} for the widget tree `root`."""
    found = {}
    for where, text in widget_texts(root):
        for word in english_words(text):
            found.setdefault(word, (where, text[:160]))
    return found
