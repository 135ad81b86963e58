"""What a refusal means, in the learner's language: regex patterns of the engine's and the states' messages →
explanation templates.

The messages themselves stay in Keras' exact English (they are what a learner searches for); in a UI language
that has a table here, the status line shows the explanation beside them (`ui.status_html`). A pattern's named
groups fill its template (`{name}`, `{limit}`, …). `explain(message)` returns every explanation whose pattern
occurs in the message (a link's warnings are several messages in one line), each once, in table order.
Only languages other than English have a table; English messages explain themselves.
"""
import re

# What each argument is, for "Received an invalid value for `name`" (Keras' and the app's parsers' wording).
ARGUMENTS = {
    "ru": {
        "units": "units — число нейронов (выходов) слоя: целое положительное число, не больше предела приложения",
        "input_dim": "input_dim — размер последней оси входа (число признаков): целое положительное число",
        "batch_size": "batch_size — сколько примеров в батче: целое положительное число",
        "leading_dims": "leading_dims — оси между батчем и признаками: целые положительные числа через запятую, "
                        "например 5 или 5,3; пустое поле — таких осей нет",
        "seed": "seed — зерно генератора случайных чисел: целое неотрицательное число",
        "kernel_regularizer_factor": "коэффициент регуляризатора ядра: неотрицательное число, например 0.01",
        "bias_regularizer_factor": "коэффициент регуляризатора смещения: неотрицательное число, например 0.01",
        "activity_regularizer_factor": "коэффициент регуляризатора активаций: неотрицательное число, "
                                       "например 0.01",
        "lora_rank": "lora_rank — ранг LoRA: целое неотрицательное число (0 — без LoRA)",
        "lora_alpha": "lora_alpha — масштаб LoRA: неотрицательное число (0 — по умолчанию Keras, α = r)",
        "learning_rate": "learning_rate — скорость обучения: положительное число, например 0.1",
        "sample": "номер примера в батче: от 0 до batch_size − 1",
        "unit": "номер нейрона: от 0 до units − 1",
        "position": "номер позиции ведущих осей: в пределах leading_dims",
        "tab": "tab — вкладка приложения: одно из перечисленных имён",
        "lang": "lang — язык интерфейса: en или ru",
        "preset": "preset — готовая настройка: один из перечисленных ключей",
        "activation": "activation — функция активации: одно из имён Keras",
        "kernel_initializer": "kernel_initializer — инициализатор ядра: одно из имён Keras",
        "bias_initializer": "bias_initializer — инициализатор смещения: одно из имён Keras",
        "input_data": "input_data — содержимое входного батча: одно из перечисленных значений",
        "loss": "loss — функция потерь: одна из перечисленных",
        "max_kernel_entries": "max_kernel_entries — предел размера ядра: целое положительное число",
        "dataset": "dataset — учебный набор данных: одно из перечисленных имён",
        "noise": "noise — уровень шума: неотрицательное число",
        "train_fraction": "train_fraction — доля обучающей выборки: число больше 0 и не больше 1",
        "n_samples": "n_samples — число точек набора данных: целое число не меньше 4",
        "optimizer": "optimizer — оптимизатор: одно из имён Keras",
        "hidden_layers": "hidden_layers — скрытые слои: список слоёв units:activation:initializer",
        "stddev": "stddev — стандартное отклонение инициализатора: положительное число",
        "dtype": "dtype — тип чисел: float32 или float64",
    },
}

# (pattern, template) per language; a pattern is searched for (re.search) in the message.
EXPLANATIONS = {
    "ru": [
        (r"Received an invalid value for `(?P<name>\w+)`",
         "Недопустимое значение параметра {name!s}. {argument} В сообщении Keras «expected» — что ожидалось, "
         "«Received» — что получено; поле вернуло прежнее значение."),
        (r"Refused: a kernel of (?P<entries>[\d,]+ × [\d,]+ = [\d,]+) entries is above this app's limit of "
         r"(?P<limit>[\d,]+)",
         "Отказ: ядро W из {entries} элементов больше предела приложения ({limit}). Уменьшите input_dim или units "
         "либо увеличьте max_kernel_entries в explain()."),
        (r"Refused: a batch output of .*? is above this app's limit of (?P<limit>[\d,]+)",
         "Отказ: выход батча содержит больше чисел, чем допускает приложение ({limit}). Уменьшите batch_size, "
         "leading_dims или units."),
        (r"Refused: an input batch of .*? is above this app's limit of (?P<limit>[\d,]+)",
         "Отказ: входной батч содержит больше чисел, чем допускает приложение ({limit}). Уменьшите batch_size, "
         "leading_dims или input_dim."),
        (r"Could not interpret activation function identifier",
         "Keras не знает функции активации с таким именем; выберите одно из перечисленных после «Expected one of»."),
        (r"Could not interpret (?P<kind>initializer|regularizer|constraint|loss|optimizer) identifier",
         "Keras не знает такого имени ({kind}); выберите одно из перечисленных после «Expected one of»."),
        (r"halves the last axis, so `units` must be divisible by 2",
         "Функция активации glu делит последнюю ось z пополам (половина — значения, половина — «ворота»), "
         "поэтому units должно быть чётным."),
        (r"axis size must be divisible by 2",
         "Последняя ось должна делиться на 2: glu делит её пополам."),
        (r"Lora is incompatible with kernel constraints",
         "Keras не совмещает LoRA с ограничением (constraint) ядра: уберите kernel_constraint (none) или "
         "поставьте lora_rank = 0."),
        (r"lora is already enabled",
         "LoRA уже включена для этого слоя; включить её можно только один раз."),
        (r"Cannot (?:enable lora on|quantize) a layer that isn't yet built",
         "Слой ещё не построен (build): у него пока нет ядра, которое можно изменить."),
        (r"is already quantized",
         "Слой уже квантован в int8; повторное квантование Keras запрещает."),
        (r"Invalid quantization mode|implements Keras' int8 quantization only",
         "Поддерживается только квантование int8."),
        (r"\(empty\)",
         "Поле пустое: введите число."),
        (r"not readable as arithmetic",
         "Текст не читается как целочисленная арифметика: допустимы цифры, + - * // ** и скобки, например "
         "10*10*256."),
        (r"has a negative exponent, so it is not an integer",
         "Отрицательная степень даёт дробь, а нужно целое число."),
        (r"is too large(?: to compute)?: every step must stay below (?P<limit>\S+)",
         "Слишком большое число: каждый промежуточный результат должен быть меньше {limit}."),
        (r"is not an integer\)",
         "Результат не целый: нужно целое число."),
        (r"divides by zero",
         "Деление на ноль."),
        (r"is not allowed: / makes fractions",
         "Знак / даёт дробь; для деления нацело используйте //."),
        (r"is not allowed\)",
         "Такая операция не разрешена: допустимы + - * // ** и скобки."),
        (r"\((?P<length>[\d,]+) characters; at most (?P<limit>[\d,]+) are read\)",
         "Слишком длинный текст: {length} символов, читается не больше {limit}."),
        (r"is below (?P<minimum>-?\d+)\)",
         "Одно из чисел меньше допустимого минимума ({minimum})."),
        (r"The link is [\d,]+ characters long; at most (?P<limit>[\d,]+) are read",
         "Ссылка слишком длинная (читается не больше {limit} символов), поэтому она не применена."),
        (r"`(?P<key>\w+)` appears twice in the link",
         "Ключ {key} встречается в ссылке дважды; использовано первое значение."),
        (r"Unknown key `(?P<key>[^`]+)` in the link was ignored",
         "Неизвестный ключ {key} в ссылке пропущен; допустимые ключи перечислены после «Expected some of»."),
        (r"`(?P<key>\w+)` from the link was not applied",
         "Значение {key} из ссылки не применено: причина — в сообщении после двоеточия."),
        (r"Received an invalid value for `preset`, expected one of the keys",
         "Такой готовой настройки (preset) нет; допустимые ключи перечислены в сообщении."),
        (r"Unrecognized keyword arguments passed to (?P<where>\S+)",
         "{where} не знает таких аргументов; допустимые перечислены после «Expected some of»."),
        (r"is incompatible with the layer: expected axis -1 of input shape",
         "Размер последней оси входа не совпадает с числом строк ядра (input_dim)."),
        (r"Invalid dtype",
         "Недопустимый тип чисел (dtype)."),
        # your own files (dense_viz.io): model files, an input batch, the training panel's points
        (r"The file is too large",
         "Файл слишком велик: приложение читает файлы не больше указанного размера."),
        (r"Expected a path to an existing file",
         "Файл по этому пути не найден."),
        (r"Expected a file ending in one of|Expected a Keras \(\.keras, \.h5\), PyTorch",
         "Такой формат не читается: нужен файл Keras (.keras, .h5, .weights.h5), PyTorch (.pt, .pth), "
         ".safetensors или .npz."),
        (r"The file's name says",
         "Расширение файла не совпадает с его содержимым: файл переименован, повреждён или другого формата."),
        (r"Expected a readable zip archive",
         "Архив повреждён или обрезан, прочитать его нельзя."),
        (r"Refusing the archive",
         "Архив выглядит опасным (пути за пределы архива, шифрование, «zip-бомба» или слишком много файлов), "
         "поэтому приложение его не распаковывает."),
        (r"Expected a Keras 3 \.keras archive|Expected a Keras weights file",
         "Это не файл Keras ожидаемого вида: в нём нет конфигурации или весов слоёв там, где их кладёт Keras."),
        (r"Refusing the HDF5 file",
         "HDF5-файл ссылается на другие файлы или содержит необычные объекты; такие файлы не читаются."),
        (r"pickled",
         "Файл хранит объекты pickle; dense_viz их никогда не распаковывает: это может выполнить чужой код."),
        (r"needs torch",
         "Файлы PyTorch (.pt, .pth) читаются только через torch (torch.load с weights_only=True), а он не "
         "установлен; или сохраните веса в .safetensors."),
        (r"needs the `(?P<module>[\w-]+)` package",
         "Для чтения этого формата нужен пакет {module}: установите дополнение dense_viz[import]."),
        (r"Could not read .+? as .+?: it is malformed or truncated",
         "Файл повреждён или обрезан: прочитать его не удалось."),
        (r"its arrays would take more memory than max_bytes allows",
         "Массивы из файла заняли бы больше памяти, чем разрешено приложению."),
        (r"Expected JSON in|Expected a JSON object in",
         "Конфигурация в файле — не корректный JSON."),
        (r"Layer '[^']*': expected \d+ arrays",
         "Число массивов весов у слоя не то, что ожидается для Dense (ядро и, если есть, смещение)."),
        (r"Expected numeric arrays in|Expected a numeric array|Expected numeric arrays\. Received",
         "В файле должны быть числовые массивы."),
        (r"Expected an \.npy array or CSV text|Expected rows of comma-separated numbers",
         "Нужен CSV-файл с числами через запятую (первая строка может быть заголовком) или массив .npy."),
        (r"Expected every CSV row to have the same number of columns",
         "Во всех строках CSV должно быть одинаковое число столбцов."),
        (r"Expected numbers in every CSV cell",
         "В каждой ячейке CSV должно быть число; в сообщении указаны строка и столбец, где это не так."),
        (r"Expected at most (?P<limit>[\d,]+) rows",
         "Слишком много строк: не больше {limit}."),
        (r"Expected finite numbers",
         "Все числа должны быть конечными: NaN и бесконечность не допускаются."),
        (r"Expected a CSV of 2-D points and a label",
         "Нужны 3 столбца (x1, x2 и номер класса) или 2 столбца (x, y) для регрессии."),
        (r"Expected from (?P<low>[\d,]+) to (?P<high>[\d,]+) points",
         "Число точек должно быть от {low} до {high}."),
        (r"Expected at least two classes",
         "Для классификации нужны хотя бы два разных класса."),
        (r"Expected class numbers from 0 to (?P<top>\d+)",
         "Номера классов должны быть целыми числами от 0 до {top}."),
        (r"Expected 2-D points and a '[^']*' column of class numbers",
         "Последний столбец — номер класса: целые числа 0, 1, …; для регрессии нужны только два столбца x, y."),
    ],
}


def explain(message, lang):
    """The explanations of `message` in `lang` (a list; empty for English or a message no pattern knows)."""
    arguments = ARGUMENTS.get(lang, {})
    found = []
    for pattern, template in EXPLANATIONS.get(lang, ()):
        for match in re.finditer(pattern, message):
            groups = match.groupdict()
            name = groups.get("name")
            argument = arguments.get(name, "") if name else ""
            if name and name.endswith("_factor") and not argument:
                argument = arguments.get("kernel_regularizer_factor", "")
            text = template.format(argument=f"{argument}." if argument else "",
                                   **groups).replace("  ", " ")
            if text not in found:
                found.append(text)
    return found
