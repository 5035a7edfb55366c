from datetime import datetime

import pytest

from pwa.hours import UK, describe, is_open

WEEKDAYS = [{"days": ["mon", "tue", "wed", "thu", "fri"], "opens": "09:00", "closes": "17:00"}]
OVERNIGHT = [{"days": ["fri"], "opens": "20:00", "closes": "08:00"}]  # stored before the overnight mark
OVERNIGHT_MARKED = [{"days": ["fri"], "opens": "20:00", "closes": "08:00", "overnight": True}]


def uk(*args):
    return datetime(*args, tzinfo=UK)


@pytest.mark.parametrize("when, expected", [
    (uk(2026, 11, 23, 8, 59), False),   # Monday before opening
    (uk(2026, 11, 23, 9, 0), True),
    (uk(2026, 11, 27, 16, 59), True),   # Friday
    (uk(2026, 11, 27, 17, 0), False),   # closing time is exclusive
    (uk(2026, 11, 28, 12, 0), False),   # Saturday
])
def test_weekday_hours(when, expected):
    assert is_open(False, WEEKDAYS, when) is expected


@pytest.mark.parametrize("when, expected", [
    (uk(2026, 11, 27, 19, 59), False),
    (uk(2026, 11, 27, 23, 0), True),
    (uk(2026, 11, 28, 7, 59), True),    # Saturday morning, carried over from Friday night
    (uk(2026, 11, 28, 8, 0), False),
    (uk(2026, 11, 28, 23, 0), False),   # Saturday night is not in the period
])
def test_overnight_hours(when, expected):
    assert is_open(False, OVERNIGHT, when) is expected


def test_uses_uk_time_not_utc():
    # 08:30 UTC in July is 09:30 British Summer Time.
    from datetime import timezone
    assert is_open(False, WEEKDAYS, datetime(2026, 7, 6, 8, 30, tzinfo=timezone.utc)) is True
    assert is_open(False, WEEKDAYS, datetime(2026, 1, 5, 8, 30, tzinfo=timezone.utc)) is False


def test_unknown_hours_and_24_hours():
    assert is_open(False, []) is None
    assert is_open(True, []) is True


def test_describe():
    assert describe(False, WEEKDAYS) == ["Monday to Friday, 9am to 5pm"]
    assert describe(False, [{"days": ["sat", "sun"], "opens": "10:30", "closes": "24:00"}]) == [
        "Saturday, Sunday, 10:30am to midnight"]
    assert describe(True, []) == ["24 hours a day, every day"]


def test_an_overnight_period_says_it_ends_the_next_day():
    assert describe(False, OVERNIGHT_MARKED) == ["Friday, 8pm to 8am the next day"]
    assert describe(False, [{"days": ["sat"], "opens": "20:00", "closes": "00:00"}]) == ["Saturday, 8pm to midnight"]


@pytest.mark.parametrize("when, expected", [
    (uk(2026, 11, 27, 23, 0), True),
    (uk(2026, 11, 28, 7, 59), True),    # Saturday morning, carried over from Friday night
    (uk(2026, 11, 28, 8, 0), False),
])
def test_marked_overnight_hours(when, expected):
    assert is_open(False, OVERNIGHT_MARKED, when) is expected
