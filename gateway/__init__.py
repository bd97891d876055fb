"""The gateway: the one HTTP entry to laomo."""
import services  # noqa: F401 - its warning filters apply before eventlet is imported
