"""Exercise checkers for the lessons (notebooks/lesson_dense.ipynb, lesson_dense_ru.ipynb), against the engine.

    check = Checker(lang="ru")
    check.param_count(param_count)    # runs the learner's function on a few cases, compares with dense_viz.Dense

Each checker prints one friendly message (✓, or what was expected, what was received and a nudge; "not done
yet" for an unfilled stub) and returns True or False: a wrong or unfinished answer never raises. EXERCISES holds
each exercise's signature and reference body (REFERENCE[name]); `check.solution(name)` prints it. Pure NumPy and
the engine: no widgets. Every message is a whole sentence in MESSAGES, one table per language.
"""
from collections import namedtuple

import numpy as np

from .engine import Dense, activations, initializers

Exercise = namedtuple("Exercise", "signature body")

# name -> (the stub's `def` line without `def` and colon, the reference body). The notebooks' stubs use these.
EXERCISES = {
    "one_output": Exercise("one_output(x, kernel, i, j)",
                           "return sum(x[i, k] * kernel[k, j] for k in range(kernel.shape[0]))"),
    "param_count": Exercise("param_count(input_dim, units, use_bias)",
                            "return input_dim * units + (units if use_bias else 0)"),
    "forward_loop": Exercise("forward_loop(x, kernel, bias)",
                             "return np.stack([x[i] @ kernel + bias for i in range(x.shape[0])])"),
    "dense_relu": Exercise("dense_relu(x, kernel, bias)",
                           "z = x @ kernel\n"
                           "if bias is not None:\n"
                           "    z = z + bias\n"
                           "return np.maximum(z, 0.0)"),
    "output_shape": Exercise("output_shape(input_shape, units)",
                             "return tuple(input_shape[:-1]) + (units,)"),
    "glorot_limit": Exercise("glorot_limit(fan_in, fan_out)",
                             "return np.sqrt(6.0 / (fan_in + fan_out))"),
    "gradients": Exercise("gradients(x, kernel, delta)",
                          "x2 = x.reshape(-1, x.shape[-1])              # (B·…, input_dim)\n"
                          "d2 = delta.reshape(-1, delta.shape[-1])      # (B·…, units)\n"
                          "return x2.T @ d2, d2.sum(axis=0), delta @ kernel.T"),
    "sigmoid_prime": Exercise("sigmoid_prime(z)",
                              "s = 1.0 / (1.0 + np.exp(-z))\n"
                              "return s * (1.0 - s)"),
    "vanishing_bound": Exercise("vanishing_bound(n_layers)",
                                "return 0.25 ** n_layers"),
}
REFERENCE = {name: exercise.body for name, exercise in EXERCISES.items()}
STUB = "...  # your code"  # the body of every unfilled exercise in the notebooks


def reference_source(name):
    """The reference solution of exercise `name` as Python source: `def signature:` and its body."""
    exercise = EXERCISES[name]
    body = "\n".join("    " + line for line in exercise.body.splitlines())
    return f"def {exercise.signature}:\n{body}\n"


def reference(name):
    """The reference solution of exercise `name` as a function (its source is `reference_source(name)`)."""
    namespace = {"np": np}
    exec(reference_source(name), namespace)  # noqa: S102  (our own source text, not user input)
    return namespace[name]


MESSAGES = {
    "en": {
        "ok": "✓ {name}: correct — all {n} cases match the engine. {note}",
        "not_done": "… {name}: not done yet. Replace the `...` with your code and `return` the result.",
        "not_callable": "{name}: pass the function itself, e.g. `check.{name}({name})` (no parentheses after "
                        "the name). Received: {received}.",
        "raised": "✗ {name}: for {case} your function raised {error}. {nudge}",
        "wrong": "✗ {name}: for {case} the engine gives {expected}, your function returned {received}. {nudge}",
        "not_number": "a number",
        "not_array": "an array",
        "not_shape": "a tuple of sizes",
        "not_triple": "three arrays (dW, db, dx)",
        "wrong_type": "something that is not {what}: {received}",
        "wrong_shape": "an array of shape {shape}",
        "max_diff": "values off by up to {diff:.3g} (at index {index})",
        "unknown_solution": "There is no exercise called {name!r}. The exercises are: {names}.",
        "solution": "One solution of {name}:",
        # per exercise: the nudge after a wrong answer, and the note after a right one
        "one_output.nudge": "Output j of example i is a sum over the input index k: x[i, k] · kernel[k, j] for "
                            "k = 0 … input_dim−1 (the kernel's rows are inputs, its columns are units).",
        "one_output.note": "Each of the question's 25,600 outputs is such a sum of 100 products.",
        "param_count.nudge": "The kernel has input_dim × units entries; the bias adds one number per unit, and "
                             "only when use_bias is True.",
        "param_count.nudge_bias": "Close: that is the kernel alone. With use_bias=True each unit also has one bias.",
        "param_count.nudge_no_bias": "With use_bias=False there is no bias vector at all: only the kernel counts.",
        "param_count.note": "Dense(25600, use_bias=False) on 100 inputs: 100 × 25,600 = 2,560,000 parameters.",
        "forward_loop.nudge": "For each example i, compute x[i] @ kernel + bias (a vector of `units` numbers), "
                              "then stack the rows: np.stack([...]).",
        "forward_loop.note": "Your loop and the engine's single matrix product give the same numbers: one kernel "
                             "serves every example of the batch.",
        "dense_relu.nudge": "z = x @ kernel, plus the bias when it is not None, then relu: np.maximum(z, 0).",
        "dense_relu.nudge_none": "With use_bias=False the layer has no bias: here bias is None, so add it only "
                                 "when `bias is not None`.",
        "dense_relu.note": "That is Keras' call(): matmul, bias, activation.",
        "output_shape.nudge": "Dense replaces only the last axis (input_dim) with units; the batch axis and any "
                              "leading axes stay as they are.",
        "output_shape.note": "(None, 100) → (None, 25600), and (32, 5, 8) → (32, 5, 4): the kernel acts on the "
                             "last axis, nothing is flattened.",
        "glorot_limit.nudge": "glorot_uniform draws from U(−limit, limit) with limit = sqrt(6 / (fan_in + "
                              "fan_out)); for a kernel, fan_in = input_dim and fan_out = units.",
        "glorot_limit.note": "For (100, 25600) the limit is {limit:.5f}, and the engine's drawn kernel stays "
                             "inside it: max |W| = {drawn:.5f}.",
        "gradients.nudge_dW": "∂L/∂W = xᵀ · δ: it has the kernel's shape (input_dim, units).",
        "gradients.nudge_db": "∂L/∂b = Σ δ over the batch (and every leading axis): one number per unit.",
        "gradients.nudge_dx": "∂L/∂x = δ · Wᵀ: it has the input's shape.",
        "gradients.nudge_leading": "This input has a leading axis (B, T, input_dim): sum over every position. "
                                   "Flatten first: x.reshape(-1, x.shape[-1]) and delta.reshape(-1, units).",
        "gradients.note": "The same three products are what the engine's backward() computes — and what Keras' "
                          "autodiff finds.",
        "sigmoid_prime.nudge": "σ(z) = 1 / (1 + e^(−z)), and σ'(z) = σ(z) · (1 − σ(z)).",
        "sigmoid_prime.note": "Its largest value is σ'(0) = {peak:.2f}: a sigmoid never passes more than a quarter "
                              "of the gradient back.",
        "vanishing_bound.nudge": "Each sigmoid layer multiplies the backward signal by σ' ≤ 1/4 (times the "
                                 "weights): after n layers at most 0.25 ** n.",
        "vanishing_bound.note": "After 8 sigmoid layers: 0.25⁸ = {bound:.2e} — the first layers barely learn.",
        "case.one_output": "x of shape {x}, i={i}, j={j}",
        "case.param_count": "input_dim={input_dim}, units={units}, use_bias={use_bias}",
        "case.arrays": "x of shape {x}, kernel {kernel}, bias {bias}",
        "case.output_shape": "input_shape={input_shape}, units={units}",
        "case.glorot_limit": "fan_in={fan_in}, fan_out={fan_out}",
        "case.gradients": "x of shape {x}, kernel {kernel}, delta {delta}",
        "case.sigmoid_prime": "z of shape {z}",
        "case.vanishing_bound": "n_layers={n}",
        "grad.dW": "∂L/∂W", "grad.db": "∂L/∂b", "grad.dx": "∂L/∂x",
    },
    "ru": {
        "ok": "✓ {name}: верно — все проверки ({n} из {n}) совпали с движком. {note}",
        "not_done": "… {name}: пока не решено. Замените `...` своим кодом и верните результат через `return`.",
        "not_callable": "{name}: передайте саму функцию, например `check.{name}({name})` (без скобок после "
                        "имени). Получено: {received}.",
        "raised": "✗ {name}: для случая «{case}» функция выбросила исключение {error}. {nudge}",
        "wrong": "✗ {name}: для случая «{case}» движок даёт {expected}, а ваша функция вернула {received}. {nudge}",
        "not_number": "число",
        "not_array": "массив",
        "not_shape": "кортеж размеров",
        "not_triple": "три массива (dW, db, dx)",
        "wrong_type": "не {what}, а {received}",
        "wrong_shape": "массив формы {shape}",
        "max_diff": "значения, отличающиеся до {diff:.3g} (в позиции {index})",
        "unknown_solution": "Упражнения {name!r} нет. Есть такие: {names}.",
        "solution": "Одно из решений {name}:",
        "one_output.nudge": "Выход j примера i — это сумма по входному индексу k: x[i, k] · kernel[k, j] для "
                            "k = 0 … input_dim−1 (строки ядра соответствуют входам, столбцы — нейронам).",
        "one_output.note": "Каждый из 25 600 выходов слоя из вопроса — такая сумма из 100 произведений.",
        "param_count.nudge": "В ядре input_dim × units чисел; смещение добавляет по одному числу на нейрон, и "
                             "только при use_bias=True.",
        "param_count.nudge_bias": "Почти: это одно ядро. При use_bias=True у каждого нейрона есть ещё и смещение.",
        "param_count.nudge_no_bias": "При use_bias=False вектора смещений нет вовсе: считается только ядро.",
        "param_count.note": "Dense(25600, use_bias=False) на 100 входах: 100 × 25 600 = 2 560 000 параметров.",
        "forward_loop.nudge": "Для каждого примера i вычислите x[i] @ kernel + bias (вектор из units чисел), "
                              "а затем сложите строки в матрицу: np.stack([...]).",
        "forward_loop.note": "Ваш цикл и одно матричное произведение движка дают одни и те же числа: одно и то "
                             "же ядро служит каждому примеру батча.",
        "dense_relu.nudge": "z = x @ kernel, плюс смещение, если оно не None, а затем relu: np.maximum(z, 0).",
        "dense_relu.nudge_none": "При use_bias=False смещения у слоя нет: здесь bias равно None, поэтому "
                                 "прибавляйте его, только если `bias is not None`.",
        "dense_relu.note": "Это и есть call() в Keras: умножение на матрицу, смещение, активация.",
        "output_shape.nudge": "Dense заменяет только последнюю ось (input_dim) на units; ось батча и все "
                              "промежуточные оси остаются как были.",
        "output_shape.note": "(None, 100) → (None, 25600), а (32, 5, 8) → (32, 5, 4): ядро действует на "
                             "последнюю ось, ничего не «расплющивается».",
        "glorot_limit.nudge": "glorot_uniform берёт числа из U(−limit, limit), где limit = sqrt(6 / (fan_in + "
                              "fan_out)); для ядра fan_in = input_dim, а fan_out = units.",
        "glorot_limit.note": "Для (100, 25600) граница равна {limit:.5f}, и ядро, которое сгенерировал движок, "
                             "в неё укладывается: max |W| = {drawn:.5f}.",
        "gradients.nudge_dW": "∂L/∂W = xᵀ · δ: форма та же, что у ядра, (input_dim, units).",
        "gradients.nudge_db": "∂L/∂b = Σ δ по батчу (и по всем промежуточным осям): по одному числу на нейрон.",
        "gradients.nudge_dx": "∂L/∂x = δ · Wᵀ: форма та же, что у входа.",
        "gradients.nudge_leading": "У этого входа есть промежуточная ось (B, T, input_dim): суммировать нужно по "
                                   "всем позициям. Сначала вытяните массивы: x.reshape(-1, x.shape[-1]) и "
                                   "delta.reshape(-1, units).",
        "gradients.note": "Ровно эти три произведения вычисляет backward() движка — и их же находит "
                          "автоматическое дифференцирование Keras.",
        "sigmoid_prime.nudge": "σ(z) = 1 / (1 + e^(−z)), а σ'(z) = σ(z) · (1 − σ(z)).",
        "sigmoid_prime.note": "Наибольшее значение — σ'(0) = {peak:.2f}: сигмоида никогда не пропускает назад "
                              "больше четверти градиента.",
        "vanishing_bound.nudge": "Каждый сигмоидный слой умножает обратный сигнал на σ' ≤ 1/4 (и ещё на веса): "
                                 "после n слоёв — не больше 0.25 ** n.",
        "vanishing_bound.note": "После 8 сигмоидных слоёв: 0.25⁸ = {bound:.2e} — первые слои почти не учатся.",
        "case.one_output": "x формы {x}, i={i}, j={j}",
        "case.param_count": "input_dim={input_dim}, units={units}, use_bias={use_bias}",
        "case.arrays": "x формы {x}, kernel {kernel}, bias {bias}",
        "case.output_shape": "input_shape={input_shape}, units={units}",
        "case.glorot_limit": "fan_in={fan_in}, fan_out={fan_out}",
        "case.gradients": "x формы {x}, kernel {kernel}, delta {delta}",
        "case.sigmoid_prime": "z формы {z}",
        "case.vanishing_bound": "n_layers={n}",
        "grad.dW": "∂L/∂W", "grad.db": "∂L/∂b", "grad.dx": "∂L/∂x",
    },
}

Case = namedtuple("Case", "args expected describe")  # describe: (message key, placeholders)


class _Mismatch(Exception):
    """A received value that differs from the expected one: `received` describes it; `nudge` is a message key."""

    def __init__(self, received, nudge=None):
        super().__init__(received)
        self.received, self.nudge = received, nudge


def _shape(a):
    """A shape as text: (4, 3)."""
    return str(tuple(np.shape(a)))


def _short(value, limit=60):
    """repr of a value, cut to `limit` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _dense(kernel, bias, activation=None):
    """A built float64 engine Dense with these weights (bias None: use_bias=False)."""
    layer = Dense(kernel.shape[1], activation, use_bias=bias is not None, dtype="float64")
    layer.set_weights([kernel] if bias is None else [kernel, bias])
    return layer


class Checker:
    """One checker per exercise (`check.param_count(fn)`, …): prints a message in `lang` ('en' or 'ru') and
    returns True/False. `out`: where messages go (default print)."""

    def __init__(self, lang="en", out=print, seed=0):
        if lang not in MESSAGES:
            raise ValueError(f"Received an invalid value for `lang`, expected one of {tuple(MESSAGES)}. "
                             f"Received: lang={lang!r}")
        self.lang, self.out, self.seed = lang, out, seed

    def text(self, key, **values):
        """Message `key` in this checker's language, with its placeholders filled."""
        return MESSAGES[self.lang][key].format(**values)

    def solution(self, name):
        """Print the reference solution of exercise `name` (for a learner who is stuck); returns its source."""
        if name not in EXERCISES:
            self.out(self.text("unknown_solution", name=name, names=", ".join(EXERCISES)))
            return None
        source = reference_source(name)
        self.out(self.text("solution", name=name) + "\n\n" + source)
        return source

    # -- the exercises --------------------------------------------------------------------------------
    def one_output(self, fn):
        """fn(x, kernel, i, j) -> y[i, j] = Σ_k x[i, k]·kernel[k, j], against Dense(use_bias=False)(x)[i, j]."""
        rng = np.random.default_rng(self.seed)
        x, kernel = rng.standard_normal((3, 100)), rng.standard_normal((100, 5))
        y = _dense(kernel, None)(x)
        cases = [Case((x, kernel, i, j), y[i, j], ("case.one_output", {"x": _shape(x), "i": i, "j": j}))
                 for i, j in ((0, 0), (2, 4), (1, 3))]
        return self._run("one_output", fn, cases, self._number, "one_output.nudge", "one_output.note")

    def param_count(self, fn):
        """fn(input_dim, units, use_bias) -> int, against Dense(units, use_bias=…).count_params()."""
        cases = []
        for input_dim, units, use_bias in ((100, 25600, False), (3, 2, True), (784, 10, True), (8, 1, False)):
            layer = Dense(units, use_bias=use_bias, kernel_initializer="zeros")
            layer.build((None, input_dim))
            cases.append(Case((input_dim, units, use_bias), layer.count_params(),
                              ("case.param_count", {"input_dim": input_dim, "units": units, "use_bias": use_bias})))

        def compare(received, expected, args):
            input_dim, units, use_bias = args
            if received != expected and received == input_dim * units:
                raise _Mismatch(_short(received), "param_count.nudge_bias")
            if received != expected and received == input_dim * units + units:
                raise _Mismatch(_short(received), "param_count.nudge_no_bias")
            self._number(received, expected, args)

        return self._run("param_count", fn, cases, compare, "param_count.nudge", "param_count.note")

    def forward_loop(self, fn):
        """fn(x, kernel, bias) -> (B, units), one example at a time, against the engine's single x @ W + b."""
        rng = np.random.default_rng(self.seed + 1)
        cases = []
        for batch, input_dim, units in ((4, 3, 2), (8, 100, 6), (1, 5, 3)):
            x, kernel, bias = (rng.standard_normal((batch, input_dim)), rng.standard_normal((input_dim, units)),
                               rng.standard_normal(units))
            cases.append(Case((x, kernel, bias), _dense(kernel, bias)(x), self._arrays_case(x, kernel, bias)))
        return self._run("forward_loop", fn, cases, self._array, "forward_loop.nudge", "forward_loop.note")

    def dense_relu(self, fn):
        """fn(x, kernel, bias or None) -> relu(x @ kernel + bias), against Dense(activation="relu")."""
        rng = np.random.default_rng(self.seed + 2)
        cases = []
        for batch, input_dim, units, use_bias in ((4, 3, 2, True), (8, 10, 6, True), (4, 3, 2, False)):
            x, kernel = rng.standard_normal((batch, input_dim)), rng.standard_normal((input_dim, units))
            bias = rng.standard_normal(units) if use_bias else None
            cases.append(Case((x, kernel, bias), _dense(kernel, bias, "relu")(x), self._arrays_case(x, kernel, bias)))
        return self._run("dense_relu", fn, cases, self._array, "dense_relu.nudge", "dense_relu.note",
                         raised_nudge=lambda args: "dense_relu.nudge_none" if args[2] is None else None)

    def output_shape(self, fn):
        """fn(input_shape, units) -> tuple, against Dense(units).compute_output_shape(input_shape)."""
        cases = []
        for input_shape, units in (((None, 100), 25600), ((8, 100), 25600), ((32, 5, 8), 4), ((2, 3, 4, 5), 7)):
            cases.append(Case((input_shape, units), Dense(units).compute_output_shape(input_shape),
                              ("case.output_shape", {"input_shape": input_shape, "units": units})))

        def compare(received, expected, args):
            if not isinstance(received, (tuple, list)):
                raise _Mismatch(self.text("wrong_type", what=self.text("not_shape"), received=_short(received)))
            if tuple(received) != expected:
                raise _Mismatch(str(tuple(received)))

        return self._run("output_shape", fn, cases, compare, "output_shape.nudge", "output_shape.note")

    def glorot_limit(self, fn):
        """fn(fan_in, fan_out) -> sqrt(6/(fan_in+fan_out)), against initializers.GlorotUniform().limit(shape)."""
        glorot = initializers.get("glorot_uniform")
        cases = [Case((fan_in, fan_out), glorot.limit((fan_in, fan_out)),
                      ("case.glorot_limit", {"fan_in": fan_in, "fan_out": fan_out}))
                 for fan_in, fan_out in ((100, 25600), (3, 2), (784, 10))]
        layer = Dense(25600, use_bias=False, seed=self.seed)  # the question's kernel, drawn by the engine once
        layer.build((None, 100))
        note = {"limit": glorot.limit((100, 25600)), "drawn": float(np.abs(layer.kernel).max())}
        return self._run("glorot_limit", fn, cases, self._number, "glorot_limit.nudge", "glorot_limit.note", note)

    def gradients(self, fn):
        """fn(x, kernel, delta) -> (dW, db, dx), against the engine's backward (linear: δ = ∂L/∂z = ∂L/∂y)."""
        rng = np.random.default_rng(self.seed + 3)
        cases = []
        for x_shape, units in (((4, 3), 2), ((8, 5), 4), ((2, 3, 4), 2)):
            x, kernel = rng.standard_normal(x_shape), rng.standard_normal((x_shape[-1], units))
            delta = rng.standard_normal(x_shape[:-1] + (units,))
            layer = _dense(kernel, np.zeros(units))
            layer(x)
            dx = layer.backward(delta)
            cases.append(Case((x, kernel, delta), (layer.grads["kernel"], layer.grads["bias"], dx),
                              ("case.gradients", {"x": _shape(x), "kernel": _shape(kernel), "delta": _shape(delta)})))

        def compare(received, expected, args):
            if not isinstance(received, (tuple, list)) or len(received) != 3:
                raise _Mismatch(self.text("wrong_type", what=self.text("not_triple"), received=_short(received)))
            leading = args[0].ndim > 2
            for key, got, want in zip(("dW", "db", "dx"), received, expected):
                try:
                    self._array(got, want, args)
                except _Mismatch as mismatch:
                    nudge = "gradients.nudge_leading" if leading and key != "dx" else f"gradients.nudge_{key}"
                    raise _Mismatch(f"{self.text('grad.' + key)}: {mismatch.received}", nudge) from None

        return self._run("gradients", fn, cases, compare, "gradients.nudge_dW", "gradients.note",
                         raised_nudge=lambda args: "gradients.nudge_leading" if args[0].ndim > 2 else None)

    def sigmoid_prime(self, fn):
        """fn(z) -> σ'(z) elementwise, against the engine's sigmoid derivative."""
        sigmoid = activations.get("sigmoid")
        cases = [Case((z,), sigmoid.derivative(z), ("case.sigmoid_prime", {"z": _shape(z)}))
                 for z in (np.linspace(-6.0, 6.0, 13), np.random.default_rng(self.seed).standard_normal((4, 3)),
                           np.array([[-30.0, 0.0, 30.0]]))]
        note = {"peak": float(sigmoid.derivative(np.zeros(1))[0])}
        return self._run("sigmoid_prime", fn, cases, self._array, "sigmoid_prime.nudge", "sigmoid_prime.note", note)

    def vanishing_bound(self, fn):
        """fn(n_layers) -> (max σ')^n_layers = 0.25^n, max σ' taken from the engine's sigmoid."""
        peak = float(np.max(activations.get("sigmoid").derivative(np.linspace(-4.0, 4.0, 801))))
        cases = [Case((n,), peak ** n, ("case.vanishing_bound", {"n": n})) for n in (1, 2, 8)]
        return self._run("vanishing_bound", fn, cases, self._number, "vanishing_bound.nudge",
                         "vanishing_bound.note", {"bound": peak ** 8})

    # -- shared machinery -------------------------------------------------------------------------------
    def _arrays_case(self, x, kernel, bias):
        return "case.arrays", {"x": _shape(x), "kernel": _shape(kernel), "bias": "None" if bias is None else _shape(bias)}

    def _number(self, received, expected, args=None):
        """Raise _Mismatch unless `received` is a real number within 1e-6 (relative) of `expected`."""
        if isinstance(received, (bool, str)) or np.ndim(received) != 0:
            raise _Mismatch(self.text("wrong_type", what=self.text("not_number"), received=_short(received)))
        try:
            value = float(received)
        except (TypeError, ValueError):
            raise _Mismatch(self.text("wrong_type", what=self.text("not_number"), received=_short(received))) from None
        if not np.isclose(value, expected, rtol=1e-6, atol=1e-12):
            raise _Mismatch(f"{value:.6g}" if isinstance(received, float) else _short(received))

    def _array(self, received, expected, args=None):
        """Raise _Mismatch unless `received` is an array of `expected`'s shape and values (float64, 1e-6)."""
        try:
            value = np.asarray(received, dtype=np.float64)
        except (TypeError, ValueError):
            raise _Mismatch(self.text("wrong_type", what=self.text("not_array"), received=_short(received))) from None
        if value.shape != np.shape(expected):
            raise _Mismatch(self.text("wrong_shape", shape=_shape(value)))
        if not np.allclose(value, expected, rtol=1e-6, atol=1e-9):
            error = np.abs(value - expected)
            index = np.unravel_index(int(np.argmax(error)), error.shape) if error.ndim else ()
            raise _Mismatch(self.text("max_diff", diff=float(error.max()), index=tuple(int(i) for i in index)))

    def _run(self, name, fn, cases, compare, nudge, note, note_values=None, raised_nudge=None):
        """Run fn on every case, compare, print one message; True when every case matches."""
        if not callable(fn):
            return self._say(False, "not_callable", name=name, received=_short(fn))
        for case in cases:
            key, values = case.describe
            where = self.text(key, **values)
            try:
                received = fn(*case.args)
            except NotImplementedError:
                return self._say(False, "not_done", name=name)
            except Exception as error:  # noqa: BLE001  (a learner's bug is a hint, never a traceback)
                hint = (raised_nudge and raised_nudge(case.args)) or nudge
                return self._say(False, "raised", name=name, case=where, nudge=self.text(hint),
                                 error=f"{type(error).__name__}: {error}")
            if received is None or received is Ellipsis:
                return self._say(False, "not_done", name=name)
            try:
                compare(received, case.expected, case.args)
            except _Mismatch as mismatch:
                return self._say(False, "wrong", name=name, case=where, received=mismatch.received,
                                 expected=self._describe(case.expected), nudge=self.text(mismatch.nudge or nudge))
        return self._say(True, "ok", name=name, n=len(cases), note=self.text(note, **(note_values or {})))

    def _describe(self, expected):
        """What the engine gave, briefly: a number, a shape tuple, or an array's shape."""
        if isinstance(expected, tuple) and all(isinstance(e, np.ndarray) for e in expected):
            return ", ".join(f"{self.text('grad.' + k)} {_shape(e)}" for k, e in zip(("dW", "db", "dx"), expected))
        if isinstance(expected, np.ndarray) and expected.ndim:
            return self.text("wrong_shape", shape=_shape(expected))
        if isinstance(expected, tuple):
            return str(expected)
        return f"{float(expected):.6g}" if isinstance(expected, float) else repr(expected)

    def _say(self, passed, key, **values):
        self.out(self.text(key, **values))
        return passed
