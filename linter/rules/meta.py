"""FM0xx: findings about fmlint itself (rule crashes, suppression comments,
a body too complex to examine in full).

The engine produces the first three; the classes hold their codes and
documentation.  FM004 is reported from the body's structure, which is scanned
on first use.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from linter.findings import Problem, Severity
from linter.rules.base import Rule

if TYPE_CHECKING:
    from linter.document import Document


class RuleError(Rule):
    """A rule or plugin failed on this file; the other rules still ran.

    ## What it does
    Reports an unexpected exception raised by a rule (built-in or plugin), or a
    plugin that could not be loaded, naming the rule and the exception.

    ## Why is this bad?
    A crashing rule checked nothing, so the file may have problems that were
    not reported.  fmlint keeps going with the other rules and files instead of
    stopping with a traceback.

    ## Example
    ```text
    post.md:1:1: FM001 rule FM900 (my-plugin-rule) failed: KeyError: 'title'
    ```

    ## Use instead
    Report the message to the rule's author; disable the rule with
    `--ignore CODE` until it is fixed.
    """

    code = "FM001"
    name = "rule-error"


class UnusedSuppression(Rule):
    """A suppression comment that suppressed nothing.

    ## What it does
    Flags `<!-- fmlint-disable CODE -->`, `<!-- fmlint-disable-next-line CODE -->`
    and front-matter `# fmlint: disable CODE` comments that did not hide any
    finding in this run.

    ## Why is this bad?
    Stale suppressions hide future problems: once the original problem is
    fixed, the comment silently disables the check for whatever comes next.

    ## Example
    ```markdown
    <!-- fmlint-disable-next-line FM406 -->
    ![A photo of the meeting](https://example.com/a.jpg)
    ```

    ## Use instead
    ```markdown
    ![A photo of the meeting](https://example.com/a.jpg)
    ```
    """

    code = "FM002"
    name = "unused-suppression"
    severity = Severity.WARNING


class InvalidSuppression(Rule):
    """A suppression comment naming a code or rule that does not exist.

    ## What it does
    Flags suppression comments whose codes match no known rule code, prefix or
    name.

    ## Why is this bad?
    A typo in a suppression (`FM40G`) suppresses nothing and the real finding
    is still reported, or worse, the intent is lost.

    ## Example
    ```markdown
    <!-- fmlint-disable-next-line FM4O6 -->
    ```

    ## Use instead
    ```markdown
    <!-- fmlint-disable-next-line FM406 -->
    ```
    """

    code = "FM003"
    name = "invalid-suppression"
    severity = Severity.WARNING


class BodyTooComplex(Rule):
    """The body holds more Markdown constructs than `limits.max-body-constructs`.

    ## What it does
    Reports where fmlint stopped examining a Markdown body that holds more
    constructs than the limit (default 10,000): lines that start with a block
    marker (headings, fences, reference definitions...), and pieces of inline
    markup (`[`, `![`, `<`, backticks, backslashes).  Bodies with lists or
    block quotes are read by the slower reference parser, for which every line
    break and every markup character (`*`, `_`, `-`, `[`, `<`, `!`, `.`...)
    counts.  Headings, images and comments from that point on are not checked.

    ## Why is this bad?
    No article needs that many: such a body is generated data, a broken export
    or hostile input (hundreds of thousands of `![a](`, `[` or `#` lines), and
    examining all of it would slow every run.

    ## Example
    ```markdown
    ![a](![a](![a](![a](![a](![a](![a](![a](   ... repeated 400,000 times
    ```

    ## Use instead
    Move the data out of the article, split it, or raise
    `limits.max-body-constructs` if the article is legitimate.
    """

    code = "FM004"
    name = "body-too-complex"

    def check(self, doc: Document) -> Iterable[Problem]:
        cut = doc.structure.cut
        if cut is None:
            return ()
        limit = doc.limits.max_body_constructs
        return [
            Problem(
                cut.line,
                cut.column,
                f"the body holds more than {limit:,} Markdown constructs "
                "(`limits.max-body-constructs`); it was checked up to here: headings, "
                "images and comments from here on are not",
                subject="limits.max-body-constructs",
            )
        ]
