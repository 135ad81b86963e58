"""The one base of every figure view of both apps: a figure built once, an Image showing it, one PNG path.

A view subclasses FigureView, builds its figure (plots.*_figure) and passes it up; `draw()` puts the state's
numbers into the artists (set_data / set_text), `caption()` writes the HTML around the image. `refresh()`
always redraws: the app alone decides what is stale (from each view's `depends`) and what is visible.
"""
import ipywidgets as widgets
import numpy as np

from ..plots.render import FrameCache


def figure_image(width_px, css=None):
    """An Image widget for a `width_px` wide PNG: 1:1 pixels, scaled down in a narrower window."""
    image = widgets.Image(format="png", layout=widgets.Layout(width=f"{width_px}px", max_width="100%",
                                                              height="auto"))
    if css:
        image.add_class(css)
    return image


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

    def draw(self):
        """Put the state's numbers into the figure's artists; return False when the figure is hidden."""
        raise NotImplementedError

    def caption(self):
        """Write the texts around the figure (none by default)."""
