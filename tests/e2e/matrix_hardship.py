"""The access matrix of the welfare service's hardship routes (see matrix.py)."""

MATRIX = {}
