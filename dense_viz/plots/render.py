"""Rendering to PNG fast: a cached static frame (axes, ticks, labels) plus the animated artists drawn over it.

matplotlib 3.11 rasterises text glyph by glyph (≈ 0.1 ms a glyph here), so a fully labelled figure costs
40–50 ms to draw. `FrameCache` draws the static frame once per layout and then only the artists marked
animated (images, histograms, curves, highlights). `png_bytes` writes an unfiltered PNG in ≈ 2 ms where
PIL's adaptive filtering takes ≈ 9 ms.
"""
import functools
import struct
import zlib
from collections import OrderedDict

import numpy as np
from matplotlib import colors as mcolors
from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag
from matplotlib.font_manager import findfont, get_font
from matplotlib.text import Text


def animate(*artists):
    """Mark artists as changing on refresh (drawn over the cached frame); returns the first one."""
    for artist in artists:
        artist.set_animated(True)
    return artists[0]


def _axis_key(axis, lim):
    """What an axis' ticks look like: (limits, tick locations), or () for an axis without ticks."""
    ticks = tuple(axis.get_majorticklocs())
    return (tuple(lim), ticks) if ticks else ()


def frame_key(fig):
    """Everything the static frame shows: axes positions, limits with ticks, labels and static texts."""
    parts = []
    for ax in fig.axes:
        parts.append((ax.get_visible(), ax.get_position().bounds, ax.get_title(), ax.get_xlabel(), ax.get_ylabel(),
                       _axis_key(ax.xaxis, ax.get_xlim()), _axis_key(ax.yaxis, ax.get_ylim())))
        parts += [(t.get_text(), t.get_visible()) for t in ax.texts if not t.get_animated()]
    parts += [(t.get_text(), t.get_visible()) for t in fig.texts if not t.get_animated()]
    return tuple(parts)


def dynamic_artists(fig):
    """The animated artists of `fig`, axes by axes in z-order, then the figure's own."""
    out = []
    for ax in fig.axes:
        out += sorted((a for a in ax.get_children() if a.get_animated()), key=lambda a: a.get_zorder())
    return out + [a for a in fig.get_children() if a.get_animated()]


class FrameCache:
    """Renders a figure to PNG bytes, drawing the static frame only for a `frame_key` it has not seen lately.

    Keeps the last `max_frames` frames, so going back to a layout (relu → tanh → relu, batch 8 → 9 → 8)
    costs a blit, not a full draw.
    """

    def __init__(self, fig, compress_level=1, max_frames=8):
        """Cache for `fig` (a Figure with an Agg canvas); PNGs are written with zlib `compress_level`."""
        self.fig, self.compress_level, self.max_frames = fig, compress_level, max_frames
        self._frames = OrderedDict()  # frame_key -> background (copy_from_bbox), most recent last
        self.full_draws = 0  # how many times the whole figure was drawn (for tests and benchmarks)

    def invalidate(self):
        """Forget every cached frame (the next render draws the whole figure)."""
        self._frames.clear()

    def render(self):
        """PNG bytes of the figure as it is now: cached frame (or a full draw), then the animated artists."""
        canvas, key = self.fig.canvas, frame_key(self.fig)
        if key in self._frames:
            self._frames.move_to_end(key)
            canvas.restore_region(self._frames[key])
        else:
            canvas.draw()  # skips animated artists
            self._frames[key] = canvas.copy_from_bbox(self.fig.bbox)
            if len(self._frames) > self.max_frames:
                self._frames.popitem(last=False)
            self.full_draws += 1
        renderer = canvas.get_renderer()
        for artist in dynamic_artists(self.fig):
            artist.draw(renderer)
        return png_bytes(np.asarray(canvas.buffer_rgba())[..., :3], self.compress_level)  # opaque: drop alpha


def _png_chunk(tag, data):
    """One PNG chunk: length, tag, data, CRC."""
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def png_bytes(rgb, level=1):
    """PNG file bytes of an (h, w, 3) uint8 image: no row filters, zlib `level` (≈ 2 ms for 720 × 260,
    where PIL's adaptive filtering takes ≈ 9 ms and writes a larger file for these plots)."""
    h, w, _ = rgb.shape
    raw = np.zeros((h, 3 * w + 1), np.uint8)  # each row: filter type 0, then the pixels
    raw[:, 1:] = rgb.reshape(h, 3 * w)
    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # 8-bit RGB, deflate, no interlace
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(raw.tobytes(), level)) + _png_chunk(b"IEND", b""))


class QuickText(Text):
    """A Text for short, often-redrawn labels (numbers in cells, norms): one line, no rotation, no box.

    matplotlib 3.11 lays out and rasterises text glyph by glyph in Python (≈ 1 ms for "−0.21"); this draws
    the whole string with FreeType at once (≈ 0.1 ms) and composites it like Agg's own text, at the same
    alignment (the box of "lp", as matplotlib aligns one line). Anything else falls back to Text.draw.
    """

    def draw(self, renderer):
        """Draw with one FreeType bitmap on an Agg renderer; plain Text.draw otherwise."""
        text = self.get_text()
        if not self.get_visible() or not text:
            return
        if (not isinstance(renderer, RendererAgg) or "\n" in text or "$" in text or self.get_rotation()
                or self._bbox_patch or self.get_usetex() or self.get_path_effects()):
            super().draw(renderer)
            return
        try:
            self._draw_bitmap(renderer, text)
        except (AttributeError, TypeError, ValueError):  # matplotlib's private text API moved: draw as Text
            super().draw(renderer)

    def _draw_bitmap(self, renderer, text):
        """The fast path: the whole string as one FreeType bitmap, composited by Agg."""
        prop = self.get_fontproperties()
        fname, size = findfont(prop), prop.get_size_in_points()
        box_h, box_d = _box(fname, size, renderer.dpi)
        image, width, descent, xo, yo = _bitmap(fname, size, renderer.dpi, text, bool(self._antialiased))
        x, y = self.get_transform().transform((float(self.convert_xunits(self._x)),
                                              float(self.convert_yunits(self._y))))
        if not (np.isfinite(x) and np.isfinite(y)):
            return
        x -= {"left": 0.0, "center": width / 2, "right": width}[self.get_horizontalalignment()]
        y += {"baseline": 0.0, "bottom": box_d, "top": box_d - box_h,   # y: the baseline, upwards
              "center": box_d - box_h / 2, "center_baseline": 0.0}[self.get_verticalalignment()]
        gc = renderer.new_gc()
        gc.set_foreground(mcolors.to_rgba(self.get_color()), isRGBA=True)
        gc.set_alpha(self.get_alpha())
        gc.set_antialiased(self._antialiased)
        renderer._renderer.draw_text_image(image, round(x + xo), round(renderer.height - y + yo + descent) + 1, 0,
                                           gc)
        gc.restore()
        self.stale = False


@functools.lru_cache(maxsize=64)
def _box(fname, size, dpi):
    """(height, descent) in pixels of "lp" in this font: the box matplotlib aligns one line of text by."""
    font = get_font(fname)
    font.clear()
    font.set_size(size, dpi)
    font.set_text("lp", 0.0, flags=get_hinting_flag())
    return font.get_width_height()[1] / 64, font.get_descent() / 64


@functools.lru_cache(maxsize=4096)
def _bitmap(fname, size, dpi, text, antialiased):
    """FreeType's bitmap of `text` (h, w) uint8 and its metrics in pixels (width, descent, x and y offset).

    Cached: numbers written with 2–4 significant digits come back often (≈ 0.1 ms saved each time)."""
    font = get_font(fname)
    font.clear()
    font.set_size(size, dpi)
    font.set_text(text, 0.0, flags=get_hinting_flag())
    font.draw_glyphs_to_bitmap(antialiased=antialiased)
    xo, yo = font.get_bitmap_offset()
    image = np.array(font.get_image())
    return image, font.get_width_height()[0] / 64, font.get_descent() / 64, xo / 64, yo / 64


def quick_text(ax, x, y, s="", **kwargs):
    """ax.text(x, y, s, **kwargs) as a QuickText (same arguments, same Text API); returns it."""
    text = QuickText(x, y, s, **kwargs)
    text.set_clip_on(False)
    return ax.add_artist(text)
