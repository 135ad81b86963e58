"""The control panel: one widget per configuration trait, named and explained in Keras' terms.

The panel is built from the state's configuration traits: each trait's type and tags (section, group,
choices, maximum, enabled_by) say which widget shows it and where, so a new control is one trait in
state.py and its tooltip in the catalog. Each control is `ui.bind(widget, state, name, parse, fmt)`: it writes
to the state (which validates and recomputes) and shows the state's value back, so a value the state refuses
snaps back to the last valid one while the status line says why. Number fields take integer arithmetic as
Python writes it (`10*10*256`), parsed by `expr` (never eval).
"""
import html

import ipywidgets as widgets

from . import presets
from .catalog import EXPLAINER_TOOLTIPS, Translated
from ..i18n import N_, _
from traitlets import Bool, Float, Tuple

from .expr import describe
from .parsing import dims, format_dims, text_formatter, text_parser
from .state import NONE
from .ui import bind, button, heading, preset_menu

TIPS = Translated(EXPLAINER_TOOLTIPS)  # each tooltip translated on lookup, in the language of the moment
STYLE = {"description_width": "130px"}
ADVANCED_STYLE = {"description_width": "136px"}  # longer Keras names
FULL = {"width": "100%"}
# A menu (a native <select>) shows one line, and ipywidgets writes its labels with non-breaking spaces: a long
# preset name ("The question: Dense(10*10*256, …)") is cut off there, so its whole text is written under it.
WRAP_AFTER = 40  # a name longer than this may not fit on one line of the menu (332 px at 13 px)



parse_leading_dims, format_leading_dims = dims("leading_dims"), format_dims


def _options(names):
    """Dropdown options [(label, value)] from an engine list ('none' stays the value NONE)."""
    labels = {NONE: N_("none"), "uploaded": N_("uploaded (your own batch)")}
    return [(_(labels[name]) if name in labels else name, name) for name in names]


class ControlsPanel(widgets.VBox):
    """All configuration controls of the explainer, bound two-way to an ExplainerState (`.controls`)."""

    def __init__(self, state):
        super().__init__(layout=widgets.Layout(width="340px", min_width="340px", padding="0 8px 0 0"))
        self.state = state
        self.add_class("dv-controls")
        self.controls = {}   # trait name -> its widget (also 'preset' and 'new_weights')

        self._preset = self.controls["preset"] = preset_menu(state, presets.BOOK, "dv-preset",
                                                             EXPLAINER_TOOLTIPS["preset"],
                                                             on_choose=self._remember_preset)
        self._preset_name = widgets.HTML(layout=widgets.Layout(margin="0 0 2px 8px"))
        self._preset_name.add_class("dv-preset-name")
        self._preset.observe(self._show_preset_name, "index")
        self._show_preset_name()
        self.chosen_preset = self._preset.value  # what Reset returns to: the last preset chosen
        self._reset = button(N_("↺ Reset"), "dv-reset", EXPLAINER_TOOLTIPS["reset"], self.reset, state, width="auto", min_width="96px",
                             margin="2px 0 2px 8px")
        self.controls["reset"] = self._reset

        sections = {"layer": [], "batch": [], "advanced": []}
        traits = state.traits()
        for name in state.config_names():
            meta = traits[name].metadata
            rows = sections[meta["section"]]
            if "group" in meta:
                rows.append(heading(meta["group"]))
            rows.append(self._control(name, traits[name], meta))
            if name == "kernel_initializer":
                rows.append(self._new_weights_button())
        self._advanced = widgets.Accordion(children=[widgets.VBox(sections["advanced"])], titles=(_("Advanced"),),
                                           selected_index=None)
        self._advanced.add_class("dv-advanced")
        for widget in self.controls.values():  # inside the accordion's padding: longer labels, a little narrower
            if widget in sections["advanced"] and hasattr(widget, "style"):
                widget.style.description_width = ADVANCED_STYLE["description_width"]
                widget.layout.width = "97%"
        self.children = [heading(N_("Preset")), self._preset, widgets.HBox([self._preset_name, self._reset]),
                         heading(N_("Layer: keras.layers.Dense(...)")), *sections["layer"],
                         heading(N_("Input batch x")), *sections["batch"], self._advanced]

    # -- one control per configuration trait, from its type and its tags ----------------------------------
    def _control(self, name, trait, meta):
        """The widget for trait `name`, bound to the state; returns what goes into the panel."""
        tip = TIPS[name]  # translated now: the panel is rebuilt after a language switch
        common = {"description": name, "tooltip": tip, "style": STYLE, "layout": FULL}
        if "choices" in meta:
            widget = bind(widgets.Dropdown(options=_options(meta["choices"]), **common), self.state, name)
        elif isinstance(trait, Bool):
            widget = bind(widgets.Checkbox(indent=True, **common), self.state, name)
        elif isinstance(trait, Float):
            common["description"] = _("factor")
            widget = bind(widgets.FloatText(step=0.001, continuous_update=False, **common), self.state, name,
                          parse=text_parser(name, trait))
        elif isinstance(trait, Tuple):
            common["description"] = name.replace("_", " ")
            widget = bind(widgets.Text(placeholder=_("e.g. 5 or 5,3 (empty: none)"), continuous_update=False,
                                       **common), self.state, name, parse=text_parser(name, trait),
                          fmt=text_formatter(trait))
        else:  # Int: typed integer arithmetic, e.g. 10*10*256
            high = meta.get("maximum")
            if high:
                common["tooltip"] = _("{tip} Type an integer from 1 to {high} (arithmetic such as 10*10*256 "
                                      "works), then Enter.").format(tip=tip, high=high)
            widget = bind(widgets.Text(continuous_update=False, **common), self.state, name,
                          parse=text_parser(name, trait), fmt=str)
            self.controls[name] = widget
            # overflow visible: the field (width 100% plus its margins) keeps its right border in the column
            return widgets.VBox([widget, self._expression_note(name, widget)],
                                layout=widgets.Layout(overflow="visible"))
        self.controls[name] = widget
        if "enabled_by" in meta:
            self._enable_with(widget, meta["enabled_by"])
        return widget

    def _expression_note(self, name, widget):
        """Under a number field that holds arithmetic: its value ('10*10*256 = 25600'); hidden otherwise."""
        note = widgets.HTML(layout=widgets.Layout(margin="-2px 0 2px 134px"))
        note.add_class(f"dv-{name.replace('_', '-')}-expression")

        def show(_change=None):
            shown = describe(widget.value, getattr(self.state, name))
            note.value = "" if shown == str(getattr(self.state, name)) else \
                f"<span style='font-size:12px;color:#556'>{html.escape(shown)}</span>"
        widget.observe(show, "value")
        self.state.observe(show, name)
        show()
        return note

    def _enable_with(self, widget, menu_name):
        """Disable `widget` while the dropdown `menu_name` says none (a factor without its regularizer)."""
        def enable(_change=None):
            widget.disabled = getattr(self.state, menu_name) == NONE
        enable()
        self.state.observe(enable, menu_name)

    def _new_weights_button(self):
        """'New weights': the next seed."""
        widget = button(N_("New weights"), "dv-new-weights", EXPLAINER_TOOLTIPS["new_weights"],
                        self.state.new_weights, self.state, width="auto", margin="2px 0 2px 134px")
        self.controls["new_weights"] = widget
        return widget

    # -- presets -------------------------------------------------------------------------------------------
    def reset(self):
        """Back to the settings of the last preset chosen (or the defaults, if none was)."""
        if self.chosen_preset:
            presets.BOOK.apply(self.state, self.chosen_preset)
        else:
            self.state.update(**presets.BOOK.defaults())

    def _remember_preset(self, key):
        self.chosen_preset = key

    def _show_preset_name(self, change=None):
        """Under the menu, the rest of a preset name too long for it: the code after 'name: ', in monospace."""
        label = self._preset.label or ""
        if len(label) <= WRAP_AFTER:
            self._preset_name.value = ""
            return
        head, _, code = label.partition(": ")
        text = html.escape(code or head)
        style = "font-size:12px;line-height:1.4;color:#334;font-family:var(--jp-code-font-family, monospace)"
        self._preset_name.value = f"<div style='{style}'>{text}</div>"

