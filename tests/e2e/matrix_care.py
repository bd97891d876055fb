"""The access matrix of the welfare service's care routes (see matrix.py)."""

MATRIX = {}
