"""``python -m bench``: eventlet first, as ``nameko run`` and the tests do."""
import warnings

# eventlet's notice is a plain Warning, so the Makefile's PYTHONWARNINGS does not hide it
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()  # before anything imports socket, threading or pika

import sys  # noqa: E402

from bench.main import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
