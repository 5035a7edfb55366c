"""Times as staff read them: UK time (Europe/London), with GMT or BST said."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def in_uk(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UK)


def uk_time(moment: datetime | None) -> str:
    """e.g. "Sun 29 Nov 2026, 21:02 GMT"."""
    if moment is None:
        return ""
    local = in_uk(moment)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M %Z}"


def uk_clock(moment: datetime) -> str:
    """e.g. "21:02 GMT", for a time later today."""
    return f"{in_uk(moment):%H:%M %Z}"


def uk_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants at which a UK calendar day starts and ends (23 or 25 hours on clock-change days)."""
    start = datetime.combine(day, time(), tzinfo=UK)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=UK)
    return start.astimezone(UTC), end.astimezone(UTC)
