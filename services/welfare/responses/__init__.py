"""The welfare service's responses, one module per part of the work."""
