#!/usr/bin/env python3
"""One-command set-up and tasks for dense_viz, using only the Python standard library.

    python3 dev.py app      # set up .venv if needed, serve the explainer with Voila on http://localhost:8866
    python3 dev.py app training   # the same for the training panel (a stack of Dense layers learning live)
    python3 dev.py lab      # the same set-up, then JupyterLab on notebooks/
    python3 dev.py test     # set up .venv and a headless Chromium if needed, run the whole test suite
    python3 dev.py bench    # run the benchmarks in bench/ (they print; they do not assert)
    python3 dev.py parity   # opt-in: compare against real Keras 3 (torch backend) in .venv-keras

Each command is quick when already set up: installs are skipped while pyproject.toml is unchanged.
"""
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


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


def ensure_venv(extras):
    """Create .venv and install the package with `extras`, unless already done for this pyproject.toml."""
    if not PY.exists():
        if subprocess.call([sys.executable, "-m", "venv", str(VENV)]) != 0:
            shutil.rmtree(VENV, ignore_errors=True)  # Debian ships venv without ensurepip: add it and retry
            apt_install(f"python3.{sys.version_info.minor}-venv")
            run(sys.executable, "-m", "venv", VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    stamp = VENV / ".dense_viz-installed"  # "<pyproject digest> <extras installed, comma-separated>"
    have_digest, _, have_extras = (stamp.read_text() if stamp.exists() else "").partition(" ")
    wanted = set(extras.split(","))
    if have_digest == digest and wanted <= set(have_extras.split(",")):
        return
    if have_digest == digest:  # same project, more extras: keep what is there and add the rest
        wanted |= set(have_extras.split(","))
    extras = ",".join(sorted(wanted - {""}))
    run(PY, "-m", "pip", "install", "-q", "--upgrade", "pip")
    run(PY, "-m", "pip", "install", "-q", "-e", f".[{extras}]", cwd=ROOT)
    stamp.write_text(f"{digest} {extras}")


def find_chromium():
    """Path of a Chromium the browser tests can drive, or None."""
    for path in [os.environ.get("DV_CHROMIUM")] + list(CHROMIUM_CANDIDATES):
        if path and Path(path).exists():
            return path
    return None


def ensure_chromium():
    """The OS package when root, else Playwright's own download; the tests find it either way."""
    if find_chromium():
        return
    if is_root() and shutil.which("apt-get"):
        apt_install("chromium")
    else:
        run(PY, "-m", "playwright", "install", "chromium")


def jupyter_env():
    """Environment with Jupyter's paths inside the project, so nothing is written into the home folder."""
    base = ROOT / ".jupyter-local"
    env = dict(os.environ)
    for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                     ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython"), ("MPLCONFIGDIR", "mpl")):
        env.setdefault(var, str(base / sub))
    # share/jupyter holds the app's Voila template ("dense_viz" in voila.json: the lab template, offline).
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(ROOT / "share" / "jupyter"), env.get("JUPYTER_PATH")) if p)
    # One BLAS thread per process: the app's matrices are small, and threads that wait for a busy core on a
    # shared machine (a classroom server, CI) stalled a 3 ms backward for 300-480 ms.
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def cmd_app(args):
    ensure_venv("app")
    notebook = "notebooks/explainer.ipynb"
    if args and args[0] == "training":
        notebook, args = "notebooks/training.ipynb", args[1:]
    port = next((a.split("=", 1)[1] for a in args if a.startswith("--port=")), None)
    if port is None:
        port, args = "8866", ["--port=8866", *args]
    print(f"\ndense_viz: serving {notebook} at http://localhost:{port}  (Ctrl-C stops it)\n"
          f"           presets in the URL: http://localhost:{port}/?preset=tiny  (question, tiny, logistic, softmax,\n"
          "           sequence, dead_relu, saturated_sigmoid, custom)\n", flush=True)
    run(BIN / "voila", notebook, "--no-browser", *args, cwd=ROOT, env=jupyter_env())


def cmd_lab(args):
    ensure_venv("app")
    run(BIN / "jupyter", "lab", "--no-browser", "notebooks/", *args, cwd=ROOT, env=jupyter_env())


def cmd_test(args):
    ensure_venv("app,test")
    ensure_chromium()
    run(PY, "-m", "pytest", *args, cwd=ROOT, env=jupyter_env())


def cmd_bench(args):
    ensure_venv("app,test")
    for script in sorted((ROOT / "bench").glob("bench_*.py")):
        if not args or any(a in script.name for a in args):
            run(PY, script, cwd=ROOT, env=jupyter_env())


def cmd_parity(args):
    """Real Keras 3 with the torch backend in its own venv; the project itself never needs them."""
    venv = ROOT / ".venv-keras"
    py = venv / "bin" / "python"
    if not py.exists():
        run(sys.executable, "-m", "venv", venv)
        run(py, "-m", "pip", "install", "-q", "torch==2.13.0", "keras", "pytest", "hypothesis")
        run(py, "-m", "pip", "install", "-q", "-e", ".", cwd=ROOT)
    env = dict(os.environ, KERAS_BACKEND="torch", DV_PARITY="1")
    run(py, "-m", "pytest", "-p", "no:cacheprovider", "tests/parity_keras.py", *args, cwd=ROOT, env=env)


COMMANDS = {"app": cmd_app, "lab": cmd_lab, "test": cmd_test, "bench": cmd_bench, "parity": cmd_parity}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]](sys.argv[2:])
