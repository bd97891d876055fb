"""The injectable clock. Every date rule asks it, never ``datetime.now()``.

Production uses the system clock. Setting ``CLOCK_FILE`` in config makes the
clock read an offset from that file, so tests (and rehearsals) can move time
in running processes: the file holds a number of seconds to add to real time,
or an ISO-8601 instant at which the clock stands still.
"""
import os
from datetime import datetime, timedelta, timezone

from nameko.extensions import DependencyProvider

# Beijing time: the programme's dates (birthdays, notice windows, years) are local dates.
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


class SystemClock:
    def now(self):
        """The current instant, timezone-aware UTC."""
        return datetime.now(timezone.utc)

    def today(self):
        """Today's date in Beijing."""
        return self.now().astimezone(BEIJING).date()


class FrozenClock(SystemClock):
    """A clock that stands at one instant until moved; for in-process tests."""

    def __init__(self, at=None):
        self.at = at or datetime.now(timezone.utc)

    def now(self):
        return self.at

    def set(self, at):
        self.at = at

    def advance(self, **delta):
        self.at += timedelta(**delta)


class FileClock(SystemClock):
    """Real time shifted, or frozen, by the contents of a file (re-read when it changes)."""

    def __init__(self, path):
        self.path = path
        self._stamp = None
        self._rule = (0.0, None)

    def _read_rule(self):
        try:
            stamp = os.stat(self.path).st_mtime_ns
        except FileNotFoundError:
            return (0.0, None)
        if stamp != self._stamp:
            with open(self.path, encoding="utf-8") as f:
                text = f.read().strip()
            self._stamp = stamp
            self._rule = parse_clock_rule(text)
        return self._rule

    def now(self):
        offset, frozen = self._read_rule()
        if frozen is not None:
            return frozen
        return datetime.now(timezone.utc) + timedelta(seconds=offset)

    # writers, used by tests and the `laomo-clock` rehearsal command
    def shift(self, seconds):
        write_clock_rule(self.path, repr(float(seconds)))

    def freeze(self, at):
        write_clock_rule(self.path, at.astimezone(timezone.utc).isoformat())

    def reset(self):
        write_clock_rule(self.path, "0")


def parse_clock_rule(text):
    if not text:
        return (0.0, None)
    try:
        return (float(text), None)
    except ValueError:
        at = datetime.fromisoformat(text)
        if at.tzinfo is None:
            at = at.replace(tzinfo=timezone.utc)
        return (0.0, at)


def write_clock_rule(path, text):
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)  # readers never see half a file


def clock_from_config(config):
    path = config.get("CLOCK_FILE")
    return FileClock(path) if path else SystemClock()


class Clock(DependencyProvider):
    """Injects the service's clock; ``worker_factory(..., clock=FrozenClock())`` in unit tests."""

    def setup(self):
        self.clock = clock_from_config(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.clock
