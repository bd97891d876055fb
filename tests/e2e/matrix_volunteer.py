"""The access matrix of the volunteer service's routes (see matrix.py)."""

MATRIX = {}
