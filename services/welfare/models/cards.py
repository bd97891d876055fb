"""(to be written)"""
from . import Base  # noqa: F401
