"""Voila settings for `voila notebooks/<app>.ipynb` run from the repository root (Voila, standalone or under
Jupyter Server, reads ./voila.py): the app's production settings from their one copy,
dense_viz/jupyter_config/voila.json, and the app's template from ./share/jupyter, which an editable install
(`pip install -e .`) does not install. If the template is missing anyway, Voila falls back to its "lab"
template and says so here, rather than answer with a blank page that never loads."""
import os
import sys
from pathlib import Path

from traitlets.config.loader import JSONFileConfigLoader

here = Path(__file__).resolve().parent
c.merge(JSONFileConfigLoader("voila.json", path=str(here / "dense_viz" / "jupyter_config")).load_config())  # noqa: F821
share = here / "share" / "jupyter"
if (share / "voila" / "templates" / "dense_viz" / "index.html.j2").is_file():
    paths = os.environ.get("JUPYTER_PATH", "").split(os.pathsep)
    if str(share) not in paths:
        os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(share), *paths) if p)
else:
    print(f"dense_viz: ERROR: the Voila template 'dense_viz' is missing ({share / 'voila/templates/dense_viz'}); "
          "serving with Voila's 'lab' template instead (it fetches two stylesheets from a CDN).", file=sys.stderr)
    c.VoilaConfiguration.template = "lab"  # noqa: F821
