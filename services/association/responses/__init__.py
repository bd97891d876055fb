"""The association service's replies, one module per part of the work."""
