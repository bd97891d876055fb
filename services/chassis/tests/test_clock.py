from datetime import date, datetime, timedelta, timezone

from services.chassis.clock import (
    BEIJING,
    FileClock,
    FrozenClock,
    SystemClock,
    clock_from_config,
)


def test_file_clock_shifts_freezes_and_resets(tmp_path):
    clock = FileClock(str(tmp_path / "clock"))
    real = datetime.now(timezone.utc)
    assert abs((clock.now() - real).total_seconds()) < 5  # no file: real time

    clock.shift(timedelta(days=30).total_seconds())
    assert abs((clock.now() - real - timedelta(days=30)).total_seconds()) < 5

    at = datetime(2026, 2, 16, 15, 59, tzinfo=timezone.utc)  # 23:59 in Beijing
    clock.freeze(at)
    assert clock.now() == at
    assert clock.today() == date(2026, 2, 16)
    clock.freeze(at + timedelta(minutes=2))  # past midnight in Beijing, not yet in UTC
    assert clock.today() == date(2026, 2, 17)

    clock.reset()
    assert abs((clock.now() - datetime.now(timezone.utc)).total_seconds()) < 5


def test_a_second_reader_of_the_same_file_follows_it(tmp_path):
    path = str(tmp_path / "clock")
    writer, reader = FileClock(path), FileClock(path)
    at = datetime(2030, 1, 1, tzinfo=timezone.utc)
    writer.freeze(at)
    assert reader.now() == at


def test_frozen_clock_moves_only_when_told():
    clock = FrozenClock(datetime(2026, 1, 1, tzinfo=timezone.utc))
    clock.advance(days=1, hours=2)
    assert clock.now() == datetime(2026, 1, 2, 2, tzinfo=timezone.utc)
    assert clock.today() == date(2026, 1, 2)
    assert clock.now().astimezone(BEIJING).hour == 10


def test_config_chooses_the_clock(tmp_path):
    assert isinstance(clock_from_config({}), SystemClock)
    assert isinstance(clock_from_config({"CLOCK_FILE": str(tmp_path / "c")}), FileClock)
