"""A bounded per-step log: every step is kept until `capacity`, then every other one, and so on.

Plots of a long run stay at most `capacity` points per line and cost the same after 100 or 100,000 steps;
step 0 is always kept. Recording is decided before a step's extra work (`due(step)`), so a thinned-out
stretch costs nothing to measure.
"""
import numpy as np


class History:
    """Records (step, values…) at steps divisible by `stride`; when more than `capacity`, stride doubles."""

    def __init__(self, capacity=512):
        if capacity < 2:
            raise ValueError(f"Received an invalid value for `capacity`, expected an integer >= 2. "
                             f"Received: capacity={capacity!r}")
        self.capacity = int(capacity)
        self.stride = 1
        self._steps = []
        self._columns = {}  # name -> list of scalars or (n_layers,) arrays, one per kept step

    def __len__(self):
        return len(self._steps)

    def due(self, step):
        """True when `step` would be kept (a multiple of the current stride)."""
        return step % self.stride == 0

    def append(self, step, **values):
        """Add one record; every column must be given each time (floats or equal-length arrays)."""
        if self._steps and set(values) != set(self._columns):
            raise ValueError(f"Expected the columns {sorted(self._columns)}. Received: {sorted(values)}")
        if self._steps and step == self._steps[-1]:  # the same step again (e.g. re-measured): replace it
            self._steps.pop()
            for column in self._columns.values():
                column.pop()
        self._steps.append(int(step))
        for name, value in values.items():
            self._columns.setdefault(name, []).append(value)
        if len(self._steps) > self.capacity:
            self._thin()

    def _thin(self):
        """Double the stride and drop the records that are no longer on it."""
        self.stride *= 2
        keep = [i for i, step in enumerate(self._steps) if step % self.stride == 0]
        self._steps = [self._steps[i] for i in keep]
        self._columns = {name: [column[i] for i in keep] for name, column in self._columns.items()}

    @property
    def steps(self):
        """The kept steps, (n,) int array."""
        return np.asarray(self._steps, dtype=np.int64)

    def __getitem__(self, name):
        """Column `name` as an array: (n,) for scalars, (n, n_layers) for per-layer values."""
        column = self._columns.get(name, [])
        return np.asarray(column, dtype=np.float64)

    def last(self, name, default=np.nan):
        """The latest value of column `name` (default when empty)."""
        column = self._columns.get(name)
        return column[-1] if column else default

    @property
    def names(self):
        """The column names."""
        return tuple(self._columns)


OVERFIT_RISE = 0.25      # the test loss must be this much (relative) above its minimum …
OVERFIT_WINDOW = 5       # … on average over the last records, with at least this many records after the minimum
OVERFIT_MIN_RISE = 0.02  # … and by at least this much in absolute terms (tiny losses wobble by large ratios)


def overfitting_since(steps, train_loss, test_loss, rise=OVERFIT_RISE, window=OVERFIT_WINDOW,
                      min_rise=OVERFIT_MIN_RISE):
    """The step N of the lowest test loss if the model overfits since then, else None; arrays (n,).

    The rule: at least `window` records after step N; the mean test loss of the last `window` records exceeds
    the minimum by more than `rise` of it (and by more than `min_rise`); and the train loss is lower now than
    at step N (it kept falling). Non-finite values are skipped."""
    steps, train, test = (np.asarray(a, dtype=np.float64) for a in (steps, train_loss, test_loss))
    keep = np.isfinite(train) & np.isfinite(test)
    steps, train, test = steps[keep], train[keep], test[keep]
    if len(test) <= window:
        return None
    best = int(np.argmin(test))
    if len(test) - 1 - best < window:
        return None
    recent = float(np.mean(test[-window:]))
    if recent - test[best] <= max(rise * test[best], min_rise) or not train[-1] < train[best]:
        return None
    return int(steps[best])
