"""The access matrix of the welfare service's recuperation routes (see matrix.py)."""

MATRIX = {}
