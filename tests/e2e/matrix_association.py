"""The access matrix of the association service's routes (see matrix.py)."""

MATRIX = {}
