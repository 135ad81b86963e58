"""Your own layer and your own data in the explainer: a live Keras / PyTorch object, a model file, an input batch.

`layers_from(source, layer_name)` turns what `explain()` was given into ({name: Dense}, chosen name, notes);
`OwnLayerPanel` (`dv-upload`, `dv-layer-picker`) takes a file in the web app, lists its Dense-like layers and
explains the chosen one, or takes an .npy / .csv batch as x. Every refusal (a wrong format, a truncated or
malicious file, a batch whose last axis is not input_dim) goes to the status line in the reader's words; the
layer on screen stays. Files are read in memory (never written to disk), up to `max_bytes`.
"""
import html
import os

import ipywidgets as widgets

from ..engine import Dense
from ..i18n import _
from ..io import MAX_BYTES, FileRefused, from_framework, read_batch, read_layers
from .ui import guarded, on_upload

MODEL_FILES = (".keras", ".h5", ".pt", ".pth", ".safetensors", ".npz")
BATCH_FILES = (".npy", ".csv")


def describe(name, layer):
    """'dense_2 (128 → 10, relu)': a picker's label for a layer."""
    return f"{name} ({layer.input_dim} → {layer.units}, {layer.activation.name})"


def layers_from(source, layer_name=None, max_bytes=MAX_BYTES):
    """({name: Dense}, the chosen name, notes) from a dense_viz.Dense, a Keras / torch object or a model file
    (str or pathlib.Path). `layer_name` picks one (default: the first Dense-like layer, in model order)."""
    if isinstance(source, (str, os.PathLike)):
        layers, notes = read_layers(source, max_bytes=max_bytes), None
        notes = list(layers.notes)
    else:
        found, notes = from_framework(source)
        layers = {getattr(found, "name", "dense"): found} if isinstance(found, Dense) else found
        notes = list(notes)
    if not layers:
        raise ValueError("Expected at least one Dense or Linear layer. Received: none" +
                         (f" ({'; '.join(notes)})" if notes else ""))
    if layer_name is None:
        return dict(layers), next(iter(layers)), notes
    if layer_name not in layers:
        raise ValueError(f"Received an invalid value for `layer_name`, expected one of {tuple(layers)}. "
                         f"Received: layer_name={layer_name!r}")
    return dict(layers), layer_name, notes


class OwnLayerPanel(widgets.VBox):
    """Upload a model file or an input batch; pick one of the file's Dense layers. Shown under the controls."""

    depends = ()  # nothing to redraw from the state's counters: it changes when the user acts

    def __init__(self, state, layers=None, chosen=None, notes=(), max_bytes=MAX_BYTES):
        super().__init__()
        self.add_class("dv-own-layer")
        self.state, self.max_bytes, self.layers = state, max_bytes, dict(layers or {})
        self.upload = widgets.FileUpload(accept=",".join(MODEL_FILES + BATCH_FILES), multiple=False,
                                         description=_("Upload a file"), layout=widgets.Layout(width="auto"),
                                         tooltip=_("A model (.keras, .h5, .pt, .safetensors, .npz) to explain "
                                                   "one of its Dense layers, or an .npy / .csv batch as x"))
        self.upload.add_class("dv-upload")
        on_upload(self.upload, self._uploaded, state.report)
        self.picker = widgets.Dropdown(description=_("layer"), layout=widgets.Layout(width="100%"),
                                       style={"description_width": "60px"})
        self.picker.add_class("dv-layer-picker")
        self.picker.observe(guarded(self._picked, state.report), "value")
        self.note = widgets.HTML()
        self.note.add_class("dv-own-layer-note")
        limit = _("Files up to {size} MB, read in memory; nothing is stored.").format(size=max_bytes // 2 ** 20)
        self.children = [widgets.HTML(f"<div style='font-size:12px;color:#556'>{html.escape(limit)}</div>"),
                         self.upload, self.picker, self.note]
        self._show_layers(chosen)
        if notes:
            self._say_notes(notes)

    def refresh(self):
        """Nothing to redraw (the panel changes when a file comes in)."""

    def _show_layers(self, chosen=None):
        """The picker lists the layers (hidden when there are none or one)."""
        options = [(describe(name, layer), name) for name, layer in self.layers.items()]
        self._syncing = True
        try:
            self.picker.options = options
            if chosen is not None:
                self.picker.value = chosen
        finally:
            self._syncing = False
        self.picker.layout.display = None if len(options) > 1 else "none"

    def _picked(self, change):
        if self._syncing or change["new"] is None:
            return
        self.show(change["new"])

    def show(self, name):
        """Explain layer `name` of the uploaded file (its configuration and weights)."""
        if self.state.use_layer(self.layers[name]):
            self.note.value = self._line(_("Showing {layer}.").format(layer=describe(name, self.layers[name])))

    def _uploaded(self, name, data):
        try:
            if name.lower().endswith(BATCH_FILES):
                self._take_batch(name, data)
            else:
                self._take_model(name, data)
        except (FileRefused, ValueError) as error:
            self.state.report(error)

    def _take_model(self, name, data):
        layers = read_layers(data, name=name, max_bytes=self.max_bytes)
        self.layers = dict(layers)
        first = next(iter(self.layers))
        self._show_layers(first)
        self.show(first)
        if layers.notes:
            self._say_notes(layers.notes)

    def _take_batch(self, name, data):
        x = read_batch(data, self.state.input_dim, name=name, max_bytes=self.max_bytes)
        if self.state.use_input(x):
            self.note.value = self._line(_("x is now your batch {name}: {shape}.").format(
                name=name, shape=tuple(x.shape)))

    def _say_notes(self, notes):
        """What the file had that the engine cannot show: in the status line (a warning) and under the picker."""
        text = "; ".join(notes)
        self.state.set_status("warning", _("Shown, except: {notes}").format(notes=text))
        self.note.value = self._line(text)

    @staticmethod
    def _line(text):
        return f"<div style='font-size:12px;color:#445;line-height:1.4'>{html.escape(text)}</div>"
