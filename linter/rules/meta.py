"""FM0xx: findings about fmlint itself (rule crashes, suppression comments).

The engine produces these; the classes hold their codes and documentation.
"""

from __future__ import annotations

from linter.findings import Severity
from linter.rules.base import Rule


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
