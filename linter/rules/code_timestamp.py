"""FM503: the timestamp embedded in an article code must be a real moment.

A per-document rule kept with the collection rules (FM5xx) because the code
is the article's identity in the collection.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, ClassVar

from linter.findings import Problem
from linter.rules.base import Option, Rule

if TYPE_CHECKING:
    from linter.document import Document

_STAMP = re.compile(r"[0-9]{10}")


def timestamp_errors(stamp: str) -> list[str]:
    """What is wrong with a ``yyMMddHHmm`` timestamp (years 2000-2099)."""
    yy, month, day, hour, minute = (int(stamp[i : i + 2]) for i in range(0, 10, 2))
    year = 2000 + yy
    errors = []
    if not 1 <= month <= 12:
        errors.append(f"month {month:02d} does not exist")
    elif day == 0:
        errors.append("day 00 does not exist")
    else:
        days = calendar.monthrange(year, month)[1]
        if day > days:
            errors.append(f"{calendar.month_name[month]} {year} has {days} days, not {day}")
    if hour > 23:
        errors.append(f"hour {hour:02d} does not exist (00-23)")
    if minute > 59:
        errors.append(f"minute {minute:02d} does not exist (00-59)")
    return errors


class CodeTimestampInvalid(Rule):
    """The timestamp in the article code is not a real date and time.

    ## What it does
    Article codes are `ART` + `yyMMddHHmm` + a suffix.  This rule reads the
    ten digits after the prefix (options `prefix`, default `"ART"`, and
    `field`, default `"code"`) and reports a month, day, hour or minute that
    does not exist: February 30, April 31, hour 24, minute 60.  The century is
    20yy.  A code that does not start with the prefix followed by ten digits is
    left to the schema's pattern (FM206).

    The bundled schema's pattern already rejects month 13 or day 32, but not
    a day the month does not have; this rule checks the calendar.

    ## Why is this bad?
    The code's timestamp is when the article was crawled; downstream tools
    parse it, and an impossible date fails there, far from the article.  It
    usually means the code was typed or edited by hand.

    ## Example
    ```yaml
    code: "ART2402301545HNYP99"   # 30 February 2024
    ```

    ## Use instead
    ```yaml
    code: "ART2402291545HNYP99"
    ```
    """

    code = "FM503"
    name = "code-timestamp-invalid"
    options: ClassVar[Mapping[str, Option]] = {
        "field": Option("str", "code", "the top-level field holding the code"),
        "prefix": Option("str", "ART", "what comes before the yyMMddHHmm timestamp"),
    }

    def check(self, doc: Document) -> Iterable[Problem]:
        fm = doc.front_matter
        field: str = self.config["field"]
        prefix: str = self.config["prefix"]
        if fm is None or fm.data is None:
            return ()
        value = fm.data.get(field)
        position = fm.positions.get((field,))
        if not isinstance(value, str) or position is None:
            return ()
        text = value.strip()
        if not text.startswith(prefix):
            return ()
        stamp = text[len(prefix) : len(prefix) + 10]
        if not _STAMP.fullmatch(stamp):
            return ()
        errors = timestamp_errors(stamp)
        if not errors:
            return ()
        shown = f"{stamp[0:2]}-{stamp[2:4]}-{stamp[4:6]} {stamp[6:8]}:{stamp[8:10]}"
        return [
            Problem.at(
                position.value,
                f'{field} "{text}" embeds the timestamp {stamp} (yyMMddHHmm: {shown}), which '
                f"is not a real date and time: {'; '.join(errors)}",
                subject=field,
            )
        ]
