"""Publication dates: parse them, order two of them, place one on a time axis.

Both the graphs (which way an edge points) and the reports (a claim's
timeline) order documents by these rules, so they never disagree: a date
with a time of day is an instant (offsets honoured), a bare date is a day,
and a day and an instant on that day have no known order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

__all__ = ["Moment", "moment", "earlier", "publication_order", "publication_days"]


@dataclass(frozen=True, slots=True)
class Moment:
    """When a document was published: the day, and the instant when the date carried a time of day."""

    day: date
    at: datetime | None  # naive UTC when the date carried a time of day


def moment(published: str | None) -> Moment | None:
    """An ISO 8601 date or date-time as a :class:`Moment` (``None`` when missing or not a date)."""
    if not published:
        return None
    try:
        dt = datetime.fromisoformat(published)
    except ValueError:
        return None
    has_time = len(published) > 10
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
    return Moment(dt.date() if has_time else date.fromisoformat(published[:10]), dt if has_time else None)


def publication_order(a: str | None, b: str | None) -> int:
    """-1 if ISO date ``a`` is earlier than ``b``, 1 if later, 0 if unknown or the same moment.

    Dates with a time of day compare as instants (offsets honoured); a date
    without one compares by day only, so "2017-01-15" and
    "2017-01-15T08:00:00+00:00" have no known order.

    >>> publication_order("2017-01-15T08:00:00+00:00", "2017-01-15T11:30:00+02:00")
    -1
    >>> publication_order("2017-01-15", "2017-01-15T08:00:00+00:00"), publication_order(None, "2017-01-15")
    (0, 0)
    """
    return earlier(moment(a), moment(b))


def publication_days(published: str | None) -> float | None:
    """An ISO date as days since 1970-01-01 (UTC), for placing it on a time axis; ``None`` if unknown.

    A date without a time of day sits at the start of its day. Only for
    drawing: to order two dates, use :func:`publication_order`, which does not
    pretend that a bare date is midnight.

    >>> publication_days("1970-01-02"), publication_days("1970-01-01T12:00:00+00:00"), publication_days("soon")
    (1.0, 0.5, None)
    """
    m = moment(published)
    if m is None:
        return None
    at = m.at if m.at is not None else datetime(m.day.year, m.day.month, m.day.day)
    return (at - datetime(1970, 1, 1)).total_seconds() / 86400


def earlier(a: Moment | None, b: Moment | None) -> int:
    """-1 if a was published first, 1 if b was, 0 if unknown or simultaneous."""
    if a is None or b is None:
        return 0
    if a.at is not None and b.at is not None:
        x, y = a.at, b.at
    else:  # a date without a time of day is only comparable by day
        x, y = a.day, b.day  # type: ignore[assignment]
    return -1 if x < y else (1 if x > y else 0)
