"""FM502: the date in a post's file name must be the date of its ``date`` field.

A per-document rule kept with the collection rules (FM5xx) because it is
about how the file sits in the collection (Jekyll's ``_posts`` naming).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import zoneinfo
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from linter.findings import Problem
from linter.rules.base import Option, Rule, RunContext

if TYPE_CHECKING:
    from linter.document import Document

# Jekyll's post names: YYYY-MM-DD-slug.md
_FILE_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-.+\.(?:md|markdown)$")
# RFC 3339, YAML 1.1 timestamps and Jekyll's "YYYY-MM-DD HH:MM:SS +/-TTTT" (time,
# seconds and offset optional)
_DATE = re.compile(
    r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    r"(?:(?:[Tt]|[ \t]+)(?P<hour>\d{1,2}):(?P<minute>\d{2})"
    r"(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?"
    r"[ \t]*(?P<offset>[Zz]|(?P<sign>[-+])(?P<oh>\d{1,2})(?::?(?P<om>\d{2}))?)?)?$"
)


def parse_date(value: Any) -> dt.date | dt.datetime | None:
    """A front-matter date as a date (no time), a naive datetime (a time
    without offset) or an aware datetime; None when it is not a date."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value
    if not isinstance(value, str):
        return None
    match = _DATE.match(value.strip())
    if match is None:
        return None
    g = match.groupdict()
    try:
        day = dt.date(int(g["year"]), int(g["month"]), int(g["day"]))
        if g["hour"] is None:
            return day
        tz: dt.tzinfo | None = None
        if g["offset"] in ("Z", "z"):
            tz = dt.timezone.utc
        elif g["offset"] is not None:
            minutes = int(g["oh"]) * 60 + int(g["om"] or 0)
            tz = dt.timezone(dt.timedelta(minutes=-minutes if g["sign"] == "-" else minutes))
        micro = int((g["fraction"] or "0")[:6].ljust(6, "0"))
        return dt.datetime(
            day.year,
            day.month,
            day.day,
            int(g["hour"]),
            int(g["minute"]),
            int(g["second"] or 0),
            micro,
            tzinfo=tz,
        )
    except ValueError:  # Feb 30, hour 25, an offset of a day or more...
        return None


def load_timezone(name: str) -> dt.tzinfo:
    """The IANA time zone ``name``; raises ValueError with a suggestion."""
    if name == "UTC":
        return dt.timezone.utc  # no time zone database needed
    try:
        return zoneinfo.ZoneInfo(name)
    except (KeyError, ValueError, OSError):
        pass
    known = zoneinfo.available_timezones()
    if not known:
        raise ValueError(f"no time zone database to look up {name!r}: install the `tzdata` package")
    by_lower = {k.lower(): k for k in known}
    close = [by_lower[k] for k in difflib.get_close_matches(name.lower(), list(by_lower), n=1)]
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise ValueError(
        f'unknown time zone {name!r}: expected an IANA name such as "UTC" or '
        f'"Asia/Phnom_Penh"{hint}'
    )


class FilenameDateMismatch(Rule):
    """The date in a post's file name differs from its front-matter `date`.

    ## What it does
    For files named like Jekyll posts, `YYYY-MM-DD-slug.md` (or `.markdown`),
    checks that the file name's date is the calendar date of the front-matter
    `date` in the site's time zone (option `timezone`, an IANA name, default
    `"UTC"`).  A date with an offset (`2024-10-25T23:30:00-05:00`) is converted
    to that time zone first; a date or time without an offset is taken as
    local time there, as Jekyll does.  Dates that cannot be read are left to
    the schema rules (FM205), and files named otherwise are not checked.

    An unknown `timezone` is a configuration error (exit status 2), reported
    before any file is read.

    ## Why is this bad?
    Jekyll builds the post's URL and its place in listings from the front
    matter date, while people (and scripts) find the file by its name: when
    they disagree, links break and the post appears on a different day than
    its file says.

    ## Example
    ```yaml
    # _posts/2024/2024-10-24-asean.md
    date: 2024-10-25T08:24:49.057Z
    ```

    ## Use instead
    ```yaml
    # _posts/2024/2024-10-25-asean.md
    date: 2024-10-25T08:24:49.057Z
    ```
    """

    code = "FM502"
    name = "filename-date-mismatch"
    options: ClassVar[Mapping[str, Option]] = {
        "timezone": Option(
            "str", "UTC", "the IANA time zone in which dates are compared (Jekyll's `timezone`)"
        ),
    }

    def __init__(self, options: Mapping[str, Any], context: RunContext) -> None:
        super().__init__(options, context)
        try:
            self.timezone = load_timezone(self.config["timezone"])
        except ValueError as error:
            from linter.runner import UsageError

            raise UsageError(f"`rules.{self.code}.timezone` ({self.name}): {error}") from None

    def check(self, doc: Document) -> Iterable[Problem]:
        name = _FILE_NAME.match(doc.path.rpartition("/")[2])  # display paths use "/"
        fm = doc.front_matter
        if name is None or fm is None or fm.data is None or "date" not in fm.data:
            return ()
        written = fm.data["date"]
        when = parse_date(written)
        position = fm.positions.get(("date",))
        if when is None or position is None:
            return ()
        name_text = f"{name[1]}-{name[2]}-{name[3]}"
        zone = self.config["timezone"]
        shown = position.source.strip() or str(written)
        if isinstance(when, dt.datetime):
            if when.tzinfo is not None:
                local = when.astimezone(self.timezone).date()
                falls = f"falls on {local.isoformat()} in {zone}"
            else:
                local = when.date()
                falls = f"falls on {local.isoformat()} ({zone} local time)"
        else:
            local = when
            falls = f"is {local.isoformat()}"
        try:
            named: dt.date | None = dt.date(int(name[1]), int(name[2]), int(name[3]))
        except ValueError:
            named = None
        if named == local:
            return ()
        if named is None:
            says = f"the file name starts with {name_text}, which is not a real date"
        else:
            says = f"the file name says {name_text}"
        return [
            Problem.at(
                position.value,
                f"date {shown} {falls}, but {says}: rename the file to start with "
                f"{local.isoformat()} or fix the date",
                subject="date",
            )
        ]
