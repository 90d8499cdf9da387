"""Fixes the tracker's clock for a replay of captures (tests only): ROADMAP_FAKE_NOW."""
import datetime as _dt
import os as _os

_now = _os.environ.get("ROADMAP_FAKE_NOW")
if _now:
    _fixed = _dt.datetime.fromisoformat(_now)

    class _FixedDateTime(_dt.datetime):
        @classmethod
        def now(cls, tz=None):
            value = _fixed if tz is None else _fixed.astimezone(tz)
            return cls(*value.timetuple()[:6], value.microsecond, value.tzinfo)

        @classmethod
        def utcnow(cls):
            value = _fixed.astimezone(_dt.timezone.utc).replace(tzinfo=None)
            return cls(*value.timetuple()[:6], value.microsecond)

        @classmethod
        def today(cls):
            return cls.now()

    class _FixedDate(_dt.date):
        @classmethod
        def today(cls):
            return cls(_fixed.year, _fixed.month, _fixed.day)

    _dt.datetime = _FixedDateTime
    _dt.date = _FixedDate
