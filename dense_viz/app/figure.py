"""The one base of every figure view of both apps: a figure built once, an Image showing it, one PNG path.

A view subclasses FigureView, builds its figure (plots.*_figure) and passes it up; `draw()` puts the state's
numbers into the artists (set_data / set_text), `caption()` writes the HTML around the image. `refresh()`
always redraws: the app alone decides what is stale (from each view's `depends`) and what is visible.
"""
import html

import ipywidgets as widgets
import numpy as np
from ipyevents import Event

from ..i18n import _
from ..plots.render import FrameCache
from .ui import guarded

CLICKABLE = "dv-clickable"  # DOM class of an image whose cells can be clicked: the pointer cursor says so
CLICK_STYLE = f"<style>.{CLICKABLE} {{cursor: pointer}}</style>"


def figure_image(width_px, css=None):
    """An Image widget for a `width_px` wide PNG: 1:1 pixels, scaled down in a narrower window."""
    image = widgets.Image(format="png", layout=widgets.Layout(width=f"{width_px}px", max_width="100%",
                                                              height="auto"))
    if css:
        image.add_class(css)
    return image


def event_pixels(event, size):
    """Figure pixel (px, py) of an ipyevents mouse event on an Image showing a PNG of `size` (width, height).

    ipyevents 2.0 sends `dataX`/`dataY` for an Image: the click in the PNG's own pixels (it scales by the
    displayed size itself); without them, `relativeX`/`relativeY` are scaled by the displayed bounding box.
    """
    if "dataX" in event and "dataY" in event:
        return float(event["dataX"]), float(event["dataY"])
    width, height = size
    shown_w, shown_h = event.get("boundingRectWidth") or width, event.get("boundingRectHeight") or height
    return float(event["relativeX"]) * width / shown_w, float(event["relativeY"]) * height / shown_h


def redraw_toggle(view, css, description, choices, button_width="150px"):
    """ToggleButtons of a figure view's own display option that redraws `view` at once: `choices` is
    [(value, label, tooltip)] (English, translated here), the first one chosen."""
    widget = widgets.ToggleButtons(options=[(_(label), value) for value, label, _tip in choices],
                                   value=choices[0][0], description=_(description),
                                   tooltips=[_(tip) for _v, _l, tip in choices], style={"button_width": button_width})
    widget.add_class(css)
    widget.observe(lambda change: view.refresh(), names="value")
    return widget


def click_hint(text):
    """The HTML of a hint next to a clickable image (with the rule that gives it the pointer cursor)."""
    return f"{CLICK_STYLE}<span style='color:#556;font-size:12px'>{html.escape(text)}</span>"


class FigureView(widgets.VBox):
    """A VBox around one figure: `frames` (the FrameCache that renders it) and `image` (the Image showing it).

    Class attributes: `css`, the view's DOM class; `depends`, the state counters whose change makes the view
    stale ('weights', 'arrays', 'selection' in the explainer; 'model', 'arrays' in the training panel);
    `needs`, the state attribute that must not be None before anything can be drawn.
    """

    css = ""
    depends = ()
    needs = None

    def __init__(self, state, fig, width_px, image_css=None):
        """The view of `state` showing `fig` (a Figure with an Agg canvas) in an Image `width_px` wide."""
        super().__init__()
        if self.css:
            self.add_class(self.css)
        self.state = state
        self.frames = FrameCache(fig)
        self.image = figure_image(width_px, image_css)
        self.children = [self.image]

    def refresh(self):
        """Redraw from the state now: artists (draw), then the PNG into the image, then the texts (caption)."""
        if self.needs and getattr(self.state, self.needs) is None:
            return
        with np.errstate(all="ignore"):  # nan / inf in the state are drawn as such, not warned about
            shown = self.draw()
        if shown is not False:
            self.image.value = self.frames.render()
        self.caption()  # after the image: a caption showing the new state means the image is there too

    def clickable(self, image, fig, on_cell):
        """Let clicks on `image` (showing `fig`) call on_cell(px, py) in figure pixels; errors go to the status
        line. Adds the pointer cursor and keeps the ipyevents.Event (`self.events`, tests send clicks to it)."""
        image.add_class(CLICKABLE)
        event = Event(source=image, watched_events=["click"])
        event.on_dom_event(guarded(lambda e: on_cell(*event_pixels(e, (fig.bbox.width, fig.bbox.height))),
                                   self.state.report))   # the figure's size now: a view may resize it
        self.events = [*getattr(self, "events", []), event]
        return event

    def draw(self):
        """Put the state's numbers into the figure's artists; return False when the figure is hidden."""
        raise NotImplementedError

    def caption(self):
        """Write the texts around the figure (none by default)."""
