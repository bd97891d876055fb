"""The association service's input schemas, one module per part of the work."""
