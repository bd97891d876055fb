"""The access matrix of the welfare service's cards routes (see matrix.py)."""

MATRIX = {}
