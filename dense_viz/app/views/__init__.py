"""The explainer's tabs, one module each (shapes, weights, forward, gradients, code, graph).

Each view is `class <Name>View(ipywidgets.VBox)` with `__init__(state)` and `refresh()`; the app decides
when to refresh. Nothing is imported here, so loading one view never loads the others.
"""
