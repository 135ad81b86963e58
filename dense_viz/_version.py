"""The one version: the installed package metadata's, which setuptools takes from pyproject.toml."""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dense_viz")
except PackageNotFoundError:  # imported from a checkout that was never installed
    __version__ = "0+unknown"
