"""Opening hours in UK local time.

Hours are a list of periods such as {"days": ["mon", "tue"], "opens": "09:00", "closes": "17:00"}.
A period that runs past midnight is marked {"overnight": true} and closes the next day: {"days": ["fri"],
"opens": "20:00", "closes": "08:00", "overnight": true} is Friday 8pm to Saturday 8am. The content rules
refuse a closing time before the opening time without the mark (09:00-05:00 is a mistake for 09:00-17:00);
periods stored before the mark existed are read the old way (closing not after opening: overnight).
The browser repeats this logic (static/js/components/open-now.js) so cached pages stay right offline.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask_babel import format_time, get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from .i18n import N_
from .response_cache import asked_the_time

UK = ZoneInfo("Europe/London")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = dict(zip(DAYS, (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"),
                            N_("Sunday"))))


def minutes(hhmm: str) -> int:
    hours, mins = hhmm.split(":")
    return int(hours) * 60 + int(mins)


def is_open(open_24_hours: bool, hours: list[dict], now: datetime | None = None) -> bool | None:
    """True or False, or None when the hours are not known."""
    if now is None:
        asked_the_time()  # a response built with this answer is right until the next minute (response_cache)
    if open_24_hours:
        return True
    if not hours:
        return None
    local = (now or datetime.now(UK)).astimezone(UK)
    today = DAYS[local.weekday()]
    yesterday = DAYS[(local.weekday() - 1) % 7]
    now_min = local.hour * 60 + local.minute
    for period in hours:
        opens, closes = minutes(period["opens"]), minutes(period["closes"])
        overnight = period.get("overnight", False) or closes <= opens
        if today in period["days"]:
            if opens <= now_min < (closes if not overnight else 24 * 60):
                return True
        if overnight and yesterday in period["days"] and now_min < closes:
            return True
    return False


def describe(open_24_hours: bool, hours: list[dict], isolate: Callable[[str], Markup] | None = None) -> list[str]:
    """Human-readable lines such as "Monday to Friday, 9am to 5pm".

    With `isolate` (bidi.ltr), each line is Markup with every clock time isolated left to right, so that
    "9:00 AM" keeps its order in Urdu; the words around them (and "midnight") follow the page's direction.
    """
    if open_24_hours:
        return [_("24 hours a day, every day")]
    return [_period_text(p, isolate) for p in hours]


def _period_text(period: dict, isolate=None) -> str:
    days, opens, closes = _days_text(period["days"]), _clock(period["opens"]), _clock(period["closes"])
    if isolate:
        days = escape(days)
        opens, closes = (clock if clock == _("midnight") else isolate(clock) for clock in (opens, closes))
    if _closes_next_day(period):
        text = _("%(days)s, %(opens)s to %(closes)s the next day", days=days, opens=opens, closes=closes)
    else:
        text = _("%(days)s, %(opens)s to %(closes)s", days=days, opens=opens, closes=closes)
    return Markup(text) if isolate else text  # the translation is trusted, the days escaped, as Jinja's trans does


def _closes_next_day(period: dict) -> bool:
    closes = period["closes"]
    overnight = period.get("overnight") or minutes(closes) <= minutes(period["opens"])
    return bool(overnight) and closes not in ("00:00", "24:00")


def _days_text(days: list[str]) -> str:
    indexes = sorted(DAYS.index(d) for d in days)
    if len(indexes) == 7:
        return _("Every day")
    names = [_(DAY_NAMES[DAYS[i]]) for i in indexes]
    if len(indexes) > 2 and indexes == list(range(indexes[0], indexes[-1] + 1)):
        return _("%(first)s to %(last)s", first=names[0], last=names[-1])
    return ", ".join(names)


def _clock(hhmm: str) -> str:
    if hhmm in ("00:00", "24:00"):
        return _("midnight")
    t = time(*(int(x) for x in hhmm.split(":")))
    locale = get_locale()  # None outside a request: the command line stays in English
    if locale is not None and locale.language != "en":
        return format_time(t, "short", rebase=False)  # the language's own way: "17:00" in Welsh and Polish
    # British English in GOV.UK's style, "9am" and "5:30pm" (CLDR's en_GB would say "09:00" or "9 am").
    suffix = "am" if t.hour < 12 else "pm"
    hour = t.hour % 12 or 12
    return f"{hour}{suffix}" if t.minute == 0 else f"{hour}:{t.minute:02d}{suffix}"
