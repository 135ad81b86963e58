#!/usr/bin/env python3
"""One-command set-up and tasks for dense_viz, using only the Python standard library.

    python3 dev.py app      # set up .venv if needed, serve the explainer (`dense-viz app`) on http://localhost:8866
    python3 dev.py app training   # the same for the training panel (a stack of Dense layers learning live)
    python3 dev.py lab      # the same set-up, then JupyterLab (`dense-viz lab`) on a scratch copy of the notebooks
    python3 dev.py test     # set up .venv and a headless Chromium if needed, run the whole test suite
    python3 dev.py test --lowest   # the same in .venv-lowest: oldest supported Python, every declared lower bound
    python3 dev.py test --newest   # the same in .venv-newest: newest supported Python, newest releases
    python3 dev.py bench    # run the benchmarks in bench/ (they print; they do not assert)
    python3 dev.py bench compare [REV] [--bench app|training|browser]   # before / after, interleaved in one run
    python3 dev.py parity   # opt-in: compare against real Keras 3 (torch backend) in .venv-keras
    python3 dev.py parity --tf-keras   # opt-in: the same against tf.keras 2.15 (TensorFlow 2.15) in .venv-tf-keras
    python3 dev.py fuzz     # the fuzz tests with the long hypothesis profile (≈ 1–2 min)
    python3 dev.py catalog  # re-extract the UI strings, merge them into the Russian .po, compile its .mo

Each command is quick when already set up: installs are skipped while pyproject.toml is unchanged.
"""
import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

if sys.version_info < (3, 11):
    sys.exit(f"dev.py: dense_viz needs Python >= 3.11 (this is {sys.version.split()[0]}); run it with python3.11 or newer.")
import tomllib

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
HUB_TOOLS = ROOT / ".hub-tools"  # configurable-http-proxy from npm, for tests/test_hub.py (JupyterHub's own proxy)
CHP_VERSION = "5.3.0"


def run(*cmd, **kw):
    """Run a command, echoing it; exit with its code on failure."""
    print("+", " ".join(str(c) for c in cmd), flush=True)
    code = subprocess.call([str(c) for c in cmd], **kw)
    if code:
        sys.exit(code)


def is_root():
    """True when running as root (allowed to apt-get)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def apt_install(*packages):
    """Install Debian packages as root; exit with a clear message otherwise."""
    if not (is_root() and shutil.which("apt-get")):
        sys.exit(f"dev.py: needs the system packages {' '.join(packages)}; install them (sudo apt-get install "
                 f"{' '.join(packages)}) and run again.")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run("apt-get", "update", "-qq", env=env)
    run("apt-get", "install", "-y", "-qq", *packages, env=env)


def pyproject():
    """pyproject.toml, parsed."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def lower_bounds():
    """`name==X` for every `name>=X` the project declares (build system, dependencies, every extra)."""
    meta = pyproject()
    reqs = meta["build-system"]["requires"] + meta["project"]["dependencies"]
    reqs += [r for extra in meta["project"]["optional-dependencies"].values() for r in extra]
    return [f"{m[1]}=={m[2]}" for r in reqs if (m := re.match(r"^([A-Za-z0-9_.-]+)\s*>=\s*([^,;\s]+)", r))]


def supported_pythons():
    """(oldest, newest) supported minor versions, e.g. ("3.11", "3.13"), from pyproject's classifiers."""
    minors = sorted(int(c.rsplit(".", 1)[1]) for c in pyproject()["project"]["classifiers"]
                    if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c))
    return f"3.{minors[0]}", f"3.{minors[-1]}"


def find_python(minor):
    """An interpreter of Python `minor` ("3.11"): this one, pyenv's, or python3.X on PATH; else exit saying so."""
    if f"{sys.version_info[0]}.{sys.version_info[1]}" == minor:
        return sys.executable
    pyenv_root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    if shutil.which("pyenv"):
        pyenv_root = subprocess.run(["pyenv", "root"], capture_output=True, text=True).stdout.strip() or pyenv_root
    found = sorted(glob.glob(f"{pyenv_root}/versions/{minor}.*/bin/python{minor}"),
                   key=lambda p: [int(x) for x in re.findall(r"\d+", Path(p).parents[1].name)])
    for path in [*found[::-1], f"/usr/bin/python{minor}", shutil.which(f"python{minor}")]:
        if path and Path(path).exists() and subprocess.call([path, "-c", "import venv"]) == 0:
            return path
    sys.exit(f"dev.py: needs Python {minor} for this run; install it (pyenv install {minor}, or apt-get install "
             f"python{minor}-venv) and run again.")


class Env:
    """A virtual environment of the project: its folder, the Python that creates it, and pip constraints (or none)."""

    def __init__(self, venv=VENV, python=sys.executable, constraints=()):
        self.venv, self.python, self.constraints = venv, python, list(constraints)
        self.bin = venv / ("Scripts" if os.name == "nt" else "bin")
        self.py = self.bin / "python"


def variant(args):
    """(Env, remaining args) for `test [--lowest|--newest] ...`: the main .venv, or one of the two CI variants."""
    oldest, newest = supported_pythons()
    if "--lowest" in args:
        return Env(ROOT / ".venv-lowest", find_python(oldest), lower_bounds()), [a for a in args if a != "--lowest"]
    if "--newest" in args:
        return Env(ROOT / ".venv-newest", find_python(newest)), [a for a in args if a != "--newest"]
    return Env(), args


def ensure_venv(extras, env=None):
    """Create the venv and install the package with `extras`, unless already done for this pyproject.toml."""
    env = env or Env()
    if not env.py.exists():
        if subprocess.call([env.python, "-m", "venv", str(env.venv)]) != 0:
            shutil.rmtree(env.venv, ignore_errors=True)  # Debian ships venv without ensurepip: add it and retry
            apt_install(f"python3.{sys.version_info.minor}-venv")
            run(env.python, "-m", "venv", env.venv)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + "\n".join(env.constraints).encode()).hexdigest()
    stamp = env.venv / ".dense_viz-installed"  # "<pyproject digest> <extras installed, comma-separated>"
    have_digest, _, have_extras = (stamp.read_text() if stamp.exists() else "").partition(" ")
    wanted = set(extras.split(","))
    if have_digest == digest and wanted <= set(have_extras.split(",")):
        return
    if have_digest == digest:  # same project, more extras: keep what is there and add the rest
        wanted |= set(have_extras.split(","))
    extras = ",".join(sorted(wanted - {""}))
    pip_env = dict(os.environ)
    if env.constraints:  # PIP_CONSTRAINT reaches pip's isolated build environment too (setuptools' lower bound)
        constraints = env.venv / "constraints-lowest.txt"
        constraints.write_text("\n".join(env.constraints) + "\n")
        print(f"dev.py: lower bounds ({constraints}): {' '.join(env.constraints)}", flush=True)
        pip_env["PIP_CONSTRAINT"] = str(constraints)
    run(env.py, "-m", "pip", "install", "-q", "--upgrade", "pip")
    run(env.py, "-m", "pip", "install", "-q", "-e", f".[{extras}]", cwd=ROOT, env=pip_env)
    stamp.write_text(f"{digest} {extras}")


def ensure_nbstripout(env):
    """Strip notebook outputs at `git add` (.gitattributes names the filter; this sets it up in .git/config).
    Skipped in a linked worktree, whose config is its main repository's."""
    git = lambda *a: subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    if not shutil.which("git") or not git("rev-parse", "--git-dir"):
        return
    if Path(git("rev-parse", "--absolute-git-dir")) != Path(ROOT, git("rev-parse", "--git-common-dir")).resolve():
        return
    if git("config", "--get", "filter.nbstripout.clean") != f"'{env.py}' -m nbstripout":
        run("git", "config", "filter.nbstripout.clean", f"'{env.py}' -m nbstripout", cwd=ROOT)
        run("git", "config", "filter.nbstripout.smudge", "cat", cwd=ROOT)
        run("git", "config", "diff.ipynb.textconv", f"'{env.py}' -m nbstripout -t", cwd=ROOT)


def find_chromium():
    """Path of a Chromium the browser tests can drive, or None."""
    for path in [os.environ.get("DV_CHROMIUM")] + list(CHROMIUM_CANDIDATES):
        if path and Path(path).exists():
            return path
    return None


def ensure_chromium(env):
    """The OS package when root, else Playwright's own download; the tests find it either way."""
    if find_chromium():
        return
    if is_root() and shutil.which("apt-get"):
        apt_install("chromium")
    else:
        run(env.py, "-m", "playwright", "install", "chromium")


def ensure_hub():
    """configurable-http-proxy (npm) in .hub-tools/, where tests/test_hub.py looks; JupyterHub itself is the `hub` extra."""
    if (HUB_TOOLS / "node_modules" / ".bin" / "configurable-http-proxy").exists():
        return
    if not shutil.which("npm"):
        apt_install("nodejs", "npm")
    run("npm", "install", "--prefix", HUB_TOOLS, "--no-audit", "--no-fund", "--loglevel=error",
        f"configurable-http-proxy@{CHP_VERSION}")


def jupyter_env(env=None):
    """Environment with Jupyter's paths inside the project, so nothing is written into the home folder."""
    bin_dir = (env or Env()).bin
    base = ROOT / ".jupyter-local"
    env = dict(os.environ)
    for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                     ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython"), ("MPLCONFIGDIR", "mpl")):
        env.setdefault(var, str(base / sub))
    # share/jupyter holds the app's Voila template (the lab template, offline) for tests that start Voila themselves.
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(ROOT / "share" / "jupyter"), env.get("JUPYTER_PATH")) if p)
    # One BLAS thread per process: the app's matrices are small, and threads that wait for a busy core on a
    # shared machine (a classroom server, CI) stalled a 3 ms backward for 300-480 ms.
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return env


def cmd_app(args):
    ensure_venv("app,import")
    run(BIN / "dense-viz", "app", *args, cwd=ROOT, env=jupyter_env())


def cmd_lab(args):
    """JupyterLab on a scratch copy of the notebooks (.jupyter-local/notebooks), so autosave never writes outputs
    into the committed ones; `python3 dev.py lab notebooks` opens those (nbstripout cleans them at `git add`)."""
    ensure_venv("app,import")
    if not args or args[0].startswith("-"):
        args = [str(ROOT / ".jupyter-local" / "notebooks"), *args]
    run(BIN / "dense-viz", "lab", *args, cwd=ROOT, env=jupyter_env())


def cmd_test(args):
    env, args = variant(args)
    ensure_venv("app,import,hub,test", env)
    ensure_nbstripout(env)
    ensure_chromium(env)
    ensure_hub()
    start = time.monotonic()
    try:  # --durations: the slowest tests, so a CI run that grows says where its time went
        run(env.py, "-m", "pytest", "--durations=12", *args, cwd=ROOT, env=jupyter_env(env))
    finally:
        print(f"dev.py: test run in {env.venv.name}: {time.monotonic() - start:.0f} s", flush=True)


def cmd_bench(args):
    ensure_venv("app,import,test")
    if args[:1] == ["compare"]:  # before / after in one run: bench/compare.py [REV] [--bench ...] [--rounds N]
        run(PY, ROOT / "bench" / "compare.py", *args[1:], cwd=ROOT, env=jupyter_env())
        return
    for script in sorted((ROOT / "bench").glob("bench_*.py")):
        if not args or any(a in script.name for a in args):
            run(PY, script, cwd=ROOT, env=jupyter_env())


TF_KERAS = ("tensorflow-cpu==2.15.*", "matplotlib>=3.11", "ipywidgets>=8.1", "ipyevents>=2.0.2", "pytest")


def cmd_parity_tf_keras(args):
    """tf.keras 2.x: TensorFlow 2.15 (Keras 2.15) in its own venv on Python 3.11 (its newest). TensorFlow 2.15 needs
    NumPy 1.x, below the project's numpy>=2: dense_viz goes in with --no-deps (the engine runs on NumPy 1.26)."""
    venv = ROOT / ".venv-tf-keras"
    py = venv / "bin" / "python"
    if not py.exists():
        run(find_python("3.11"), "-m", "venv", venv)
        run(py, "-m", "pip", "install", "-q", *TF_KERAS)
        run(py, "-m", "pip", "install", "-q", "--no-deps", "-e", ".", cwd=ROOT)
    env = dict(os.environ, DV_PARITY="1", TF_CPP_MIN_LOG_LEVEL="2")
    run(py, "-m", "pytest", "-p", "no:cacheprovider", "tests/parity_tf_keras.py", *args, cwd=ROOT, env=env)


def cmd_parity(args):
    """Real Keras 3 with the torch backend in its own venv; the project itself never needs them.
    `--tf-keras`: tf.keras 2.15 instead (cmd_parity_tf_keras)."""
    if "--tf-keras" in args:
        return cmd_parity_tf_keras([a for a in args if a != "--tf-keras"])
    venv = ROOT / ".venv-keras"
    py = venv / "bin" / "python"
    if not py.exists():
        run(sys.executable, "-m", "venv", venv)
        run(py, "-m", "pip", "install", "-q", "torch==2.13.0", "keras", "pytest", "hypothesis")
        run(py, "-m", "pip", "install", "-q", "-e", ".", cwd=ROOT)
    env = dict(os.environ, KERAS_BACKEND="torch", DV_PARITY="1")
    run(py, "-m", "pytest", "-p", "no:cacheprovider", "tests/parity_keras.py", *args, cwd=ROOT, env=env)


def cmd_fuzz(args):
    """The fuzz tests with the long hypothesis profile (tests/test_fuzz.py: dv-fuzz-long)."""
    ensure_venv("app,import,test")
    run(PY, "-m", "pytest", "-q", "-p", "no:randomly", "tests/test_fuzz.py", *args, cwd=ROOT,
        env=dict(jupyter_env(), DV_FUZZ="long"))


def cmd_catalog(args):
    """gettext catalogs with Babel: extract _() and N_() (babel.cfg) into dense_viz/locale/dense_viz.pot, merge
    it into each language's .po (translate the new, empty messages there), compile the .mo files."""
    ensure_venv("app,import,test")
    locale = "dense_viz/locale"
    run(BIN / "pybabel", "extract", "-F", "babel.cfg", "-k", "_", "-k", "N_", "--no-location", "--sort-output",
        "--project=dense_viz", "--copyright-holder=dense_viz maintainers", "-o", f"{locale}/dense_viz.pot", ".",
        cwd=ROOT)
    run(BIN / "pybabel", "update", "-i", f"{locale}/dense_viz.pot", "-d", locale, "-D", "dense_viz",
        "--no-fuzzy-matching", cwd=ROOT)
    run(BIN / "pybabel", "compile", "-d", locale, "-D", "dense_viz", cwd=ROOT)


COMMANDS = {"app": cmd_app, "lab": cmd_lab, "test": cmd_test, "bench": cmd_bench, "parity": cmd_parity,
            "fuzz": cmd_fuzz, "catalog": cmd_catalog}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]](sys.argv[2:])
