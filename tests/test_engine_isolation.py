"""The engine is pure NumPy: importing it must not load matplotlib or ipywidgets (checked in a subprocess)."""
import subprocess
import sys


def test_engine_import_loads_no_ui_library():
    code = ("import sys, dense_viz, dense_viz.engine\n"
            "from dense_viz import Dense, Sequential\n"
            "Dense(3)(__import__('numpy').ones((2, 4)))\n"
            "bad = [m for m in ('matplotlib', 'ipywidgets', 'ipympl', 'traitlets') if m in sys.modules]\n"
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_module_aliases():
    import dense_viz
    import dense_viz.activations as acts
    assert acts is dense_viz.engine.activations
    assert dense_viz.activations.get("relu").name == "relu"
