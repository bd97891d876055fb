"""The access matrix of the welfare service's health routes (see matrix.py)."""

MATRIX = {}
