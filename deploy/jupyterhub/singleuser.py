"""A learner's single-user server: the spawner starts it as the learner, in their home folder.

It first copies the notebooks that ship with dense_viz (the two apps and the lessons) into ./notebooks, never over a
copy that is already there (a learner's edits survive restarts, and an app notebook changed by an upgrade reaches
only new learners), so that the default URL /voila/render/notebooks/explainer.ipynb and JupyterLab's notebooks/
exist; then it becomes `jupyterhub-singleuser` with the spawner's arguments.
"""
import os
import shutil
import sys
from pathlib import Path

from dense_viz.cli import notebook_path


def copy_notebooks(dest=Path("notebooks")):
    """Copy every shipped notebook that `dest` lacks into it; return the names copied."""
    dest.mkdir(exist_ok=True)
    copied = []
    for source in sorted(notebook_path("explainer").parent.glob("*.ipynb")):
        if not (dest / source.name).exists():
            shutil.copyfile(source, dest / source.name)
            copied.append(source.name)
    return copied


if __name__ == "__main__":
    print(f"dense_viz: notebooks copied into {Path('notebooks').resolve()}: {copy_notebooks() or 'none needed'}",
          flush=True)
    singleuser = shutil.which("jupyterhub-singleuser", path=os.pathsep.join([str(Path(sys.executable).parent),
                                                                             os.environ.get("PATH", "")]))
    os.execv(singleuser, [singleuser, *sys.argv[1:]])
