"""`dense-viz`: serve the shipped apps with the project's Voila template and production settings, from anywhere.

    dense-viz app [explainer|training] [--port 8866] [--ip 127.0.0.1] [--max-kernels 40] [--browser] [extra Voila options]
    dense-viz lab [DIR] [--port 8888] [--ip 127.0.0.1] [--browser]   # JupyterLab on DIR (default ./dense-viz-notebooks)
    dense-viz install-config [--user]     # put the production settings where Jupyter Server reads them (Binder, Hub)

It works the same after a regular, an editable or a conda install: the notebooks and the template are found in the
source checkout (editable installs) or on Jupyter's data path (regular installs put them in <prefix>/share/jupyter),
and a missing one stops the launcher with a message naming it, instead of a Voila page that never loads.
Only the standard library is imported here; Jupyter's own path lookup is imported when a command runs.
"""
import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parent  # holds pyproject.toml when dense_viz runs from a source tree (an editable install)
CONFIG_DIR = PACKAGE / "jupyter_config"  # voila.json (standalone Voila) + jupyter_server_config.json (server mode)
APPS = ("explainer", "training")
TEMPLATE = "dense_viz"
TEMPLATE_FILE = Path("voila", "templates", TEMPLATE, "index.html.j2")
LAB_DIR = "dense-viz-notebooks"
PRESETS = "question, tiny, logistic, softmax, sequence, dead_relu, saturated_sigmoid, custom"


class LaunchError(SystemExit):
    """A file the app needs is missing; the message says which and where it was looked for."""


def data_roots():
    """Folders laid out like share/jupyter that may hold the app's files: the checkout's first, then Jupyter's path."""
    from jupyter_core.paths import jupyter_path
    checkout = [CHECKOUT / "share" / "jupyter"] if (CHECKOUT / "pyproject.toml").exists() else []
    return checkout + [Path(p) for p in jupyter_path()]


def find(relative, roots, what):
    """The first root that holds `relative`; else a LaunchError naming `what`, the file and every folder searched."""
    for root in roots:
        if (root / relative).is_file():
            return root
    searched = "\n  ".join(str(r) for r in roots) or "(no folder)"
    raise LaunchError(f"dense-viz: {what} is missing: no {relative} in any of\n  {searched}\n"
                      "Reinstall dense_viz (`pip install 'dense_viz[app]'` puts it in <prefix>/share/jupyter), or run "
                      "from a source checkout, or add the folder that holds it to JUPYTER_PATH.")


def template_root(roots=None):
    """The share/jupyter-like folder that holds the dense_viz Voila template."""
    return find(TEMPLATE_FILE, data_roots() if roots is None else roots, f"the Voila template {TEMPLATE!r}")


def notebook_path(app, roots=None):
    """The shipped notebook of `app`: notebooks/ in a checkout, else dense_viz/notebooks/ on Jupyter's data path."""
    name = f"{app}.ipynb"
    if roots is None and (CHECKOUT / "pyproject.toml").exists() and (CHECKOUT / "notebooks" / name).is_file():
        return CHECKOUT / "notebooks" / name
    relative = Path("dense_viz", "notebooks", name)
    return find(relative, data_roots() if roots is None else roots, f"the {app} notebook") / relative


def jupyter_env(template, config=False):
    """os.environ with `template` first on JUPYTER_PATH, and (for Jupyter Server) CONFIG_DIR first on the config path."""
    env = dict(os.environ)
    prepend = {"JUPYTER_PATH": template, **({"JUPYTER_CONFIG_PATH": CONFIG_DIR} if config else {})}
    for var, path in prepend.items():
        env[var] = os.pathsep.join(p for p in (str(path), env.get(var)) if p)
    return env


def is_root():
    """True when running as root (Jupyter Server then refuses to start without --allow-root)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def voila_command(args, extra):
    """(argv, env) that serve `args.app` with the shipped Voila settings (and only those) and the shipped template."""
    argv = [sys.executable, "-m", "voila", str(notebook_path(args.app)), f"--port={args.port}",
            f"--Voila.ip={args.ip}", f"--Voila.config_file_paths={CONFIG_DIR}", *([] if args.browser else ["--no-browser"]),
            *([] if args.max_kernels is None else [f"--ClassroomKernelManager.max_kernels={args.max_kernels}"]),
            *extra]
    return argv, jupyter_env(template_root())


def lab_command(args, extra):
    """(argv, env) for JupyterLab on args.dir (the shipped notebooks are copied in when missing there)."""
    folder = Path(args.dir).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    for app in APPS:
        if not (folder / f"{app}.ipynb").exists():  # never overwrite the user's edits
            shutil.copyfile(notebook_path(app), folder / f"{app}.ipynb")
    argv = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={folder}", f"--ServerApp.port={args.port}",
            f"--ServerApp.ip={args.ip}", *([] if args.browser else ["--no-browser"]),
            *(["--allow-root"] if is_root() else []), *extra]
    return argv, jupyter_env(template_root(), config=True)


def install_config(args):
    """Copy the production settings into a Jupyter config dir: sys.prefix/etc/jupyter, or the user's with --user."""
    from jupyter_core.paths import jupyter_config_dir
    dest = Path(jupyter_config_dir() if args.user else Path(sys.prefix, "etc", "jupyter"))
    (dest / "jupyter_server_config.d").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CONFIG_DIR / "voila.json", dest / "voila.json")
    shutil.copyfile(CONFIG_DIR / "jupyter_server_config.json", dest / "jupyter_server_config.d" / "dense_viz.json")
    print(f"dense-viz: wrote {dest / 'voila.json'} and {dest / 'jupyter_server_config.d' / 'dense_viz.json'}")
    return 0


def parser():
    """The argument parser of `dense-viz`."""
    top = argparse.ArgumentParser(prog="dense-viz", description="Serve the dense_viz apps.")
    sub = top.add_subparsers(dest="command", required=True)
    app = sub.add_parser("app", help="serve an app with Voila (unknown options go to Voila)")
    app.add_argument("app", nargs="?", default="explainer", choices=APPS)
    app.add_argument("--port", type=int, default=8866)
    app.add_argument("--max-kernels", type=int, default=None, metavar="N",
                     help="pages served at once (one kernel each); beyond it a page says the class is full "
                          "(default: voila.json's ClassroomKernelManager.max_kernels, 40; 0: no cap)")
    lab = sub.add_parser("lab", help="JupyterLab on a folder with the notebooks (unknown options go to JupyterLab)")
    lab.add_argument("dir", nargs="?", default=LAB_DIR, help=f"default: ./{LAB_DIR}, created with the notebooks")
    lab.add_argument("--port", type=int, default=8888)
    for command in (app, lab):
        command.add_argument("--ip", default="127.0.0.1", help="address to bind (default: 127.0.0.1, this machine)")
        command.add_argument("--browser", action="store_true", help="open a web browser")
    config = sub.add_parser("install-config", help="install the production settings for Jupyter Server/Hub")
    config.add_argument("--user", action="store_true", help="the user's config dir instead of sys.prefix/etc/jupyter")
    return top


def main(argv=None):
    """Entry point of the `dense-viz` console script."""
    args, extra = parser().parse_known_args(argv)
    if args.command == "install-config":
        return install_config(args)
    if args.command == "app":
        argv, env = voila_command(args, extra)
        host = "localhost" if args.ip in ("127.0.0.1", "localhost") else args.ip
        print(f"dense-viz: serving {argv[3]} at http://{host}:{args.port}/  (Ctrl-C stops it)\n"
              f"           presets in the URL: ?preset=tiny ({PRESETS})", flush=True)
    else:
        argv, env = lab_command(args, extra)
    if os.name == "posix":
        os.execve(sys.executable, argv, env)  # Voila/Jupyter get the signals (Ctrl-C, SIGTERM) themselves
    return subprocess.call(argv, env=env)


if __name__ == "__main__":
    sys.exit(main())
