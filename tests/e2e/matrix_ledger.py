"""The access matrix of the welfare service's ledger routes (see matrix.py)."""

MATRIX = {}
