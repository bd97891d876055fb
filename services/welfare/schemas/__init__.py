"""The welfare service's schemas, one module per part of the work."""
