"""The association service's entrypoints, one mixin per part of the work; ``service.py`` composes them.

Each mixin uses the dependencies the service declares (``db``, ``registry``, ``clock``) and holds
entrypoints only: the rules live in the sibling domain modules.
"""
