"""Helpers for laomo's tests: waiting on conditions, databases on both engines."""
import time

import eventlet


def wait_for(condition, timeout=10.0, interval=0.02, message="condition"):
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {message}")
        eventlet.sleep(interval)
