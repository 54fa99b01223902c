"""Model descriptions and implementations: one spec, several frameworks."""

from .spec import CELLS, POOLINGS, ModelSpec, parameter_count
from .zoos import ZOOS, zoo

__all__ = ["CELLS", "POOLINGS", "ModelSpec", "ZOOS", "parameter_count", "zoo"]
