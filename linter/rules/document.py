"""FM1xx: the file and its YAML front matter.

These problems are found while loading a document (``linter.document`` and
``linter.yaml_loader``); the classes below hold their codes, names and docs so
they can be selected, ignored, re-levelled and explained like any rule.
"""

from __future__ import annotations

from linter.rules.base import CoreRule


class UnreadableFile(CoreRule):
    """The file cannot be read.

    ## What it does
    Reports paths that cannot be read as a file: permission denied, a directory
    named like a Markdown file, a broken symbolic link.

    ## Why is this bad?
    The site generator will fail or skip the file, and nothing in it can be
    checked.

    ## Example
    ```text
    _posts/2024-10-25-asean.md -> ../missing.md   (a broken symlink)
    ```

    ## Use instead
    Fix the link or the permissions, or exclude the path in the config.
    """

    code = "FM101"
    name = "unreadable-file"


class NotText(CoreRule):
    """The file is not UTF-8 text.

    ## What it does
    Reports files with bytes that are not valid UTF-8 (at the line and column
    of the first bad byte) and binary files (NUL bytes).  A UTF-8 byte order
    mark and CRLF line endings are fine.

    ## Why is this bad?
    Jekyll and most databases expect UTF-8; a Latin-1 or UTF-16 file renders
    as mojibake or breaks the build.

    ## Example
    ```text
    title: "Caf\\xe9"   (saved as Latin-1)
    ```

    ## Use instead
    ```text
    title: "Café"       (saved as UTF-8)
    ```
    """

    code = "FM102"
    name = "not-text"


class FileTooLarge(CoreRule):
    """The file is larger than `limits.max-file-size`.

    ## What it does
    Reports files over the configured size limit (default 2 MiB) without
    reading them.

    ## Why is this bad?
    An article of several megabytes is almost always a mistake (an embedded
    data URI, a committed export) and reading it would slow every run.

    ## Example
    ```text
    _posts/dump.md   (40 MB)
    ```

    ## Use instead
    Move the data out of the article, or raise `limits.max-file-size`.
    """

    code = "FM103"
    name = "file-too-large"


class MissingFrontMatter(CoreRule):
    """The file does not start with YAML front matter.

    ## What it does
    Requires the first line to be `---`, opening a YAML front-matter block.
    TOML (`+++`) and JSON headers are named as such.

    ## Why is this bad?
    Without front matter Jekyll copies the file as a static asset instead of
    rendering it as a post, and every required field is missing.

    ## Example
    ```markdown
    # What makes South Korea a great partner of ASEAN?
    ```

    ## Use instead
    ```markdown
    ---
    title: "What makes South Korea a great partner of ASEAN?"
    ---
    # What makes South Korea a great partner of ASEAN?
    ```
    """

    code = "FM104"
    name = "missing-front-matter"


class UnclosedFrontMatter(CoreRule):
    """The front matter is never closed.

    ## What it does
    Reports a front matter opened by `---` with no later line `---` or `...`.

    ## Why is this bad?
    The whole file would be read as YAML (or as body, depending on the tool),
    so every field or the whole article is lost.

    ## Example
    ```markdown
    ---
    title: "A title"

    # A title
    ```

    ## Use instead
    ```markdown
    ---
    title: "A title"
    ---

    # A title
    ```
    """

    code = "FM105"
    name = "unclosed-front-matter"


class EmptyFrontMatter(CoreRule):
    """The front matter holds nothing.

    ## What it does
    Reports a front-matter block with no keys (empty or only comments).

    ## Why is this bad?
    Every required field is missing; usually the fields were deleted by
    mistake or written below the closing fence.

    ## Example
    ```markdown
    ---
    ---
    ```

    ## Use instead
    ```markdown
    ---
    layout: post
    title: "A title"
    ---
    ```
    """

    code = "FM106"
    name = "empty-front-matter"


class YamlSyntaxError(CoreRule):
    """The front matter is not valid YAML.

    ## What it does
    Reports the line and column where the YAML parser failed, in plain words
    (an unterminated quote, a tab used for indentation, `: ` inside an
    unquoted value, an unclosed `[`).

    ## Why is this bad?
    The site build stops, or the front matter is silently dropped.

    ## Example
    ```yaml
    description: Breaking: the minister resigns
    ```

    ## Use instead
    ```yaml
    description: "Breaking: the minister resigns"
    ```
    """

    code = "FM107"
    name = "yaml-syntax-error"


class FrontMatterNotMapping(CoreRule):
    """The front matter is a list or a single value, not a mapping.

    ## What it does
    Requires the top level of the front matter to be `key: value` pairs.

    ## Why is this bad?
    Jekyll and every downstream consumer expect named fields.

    ## Example
    ```yaml
    - title
    - date
    ```

    ## Use instead
    ```yaml
    title: "A title"
    date: 2024-10-25T08:24:49Z
    ```
    """

    code = "FM108"
    name = "front-matter-not-mapping"


class DuplicateKey(CoreRule):
    """A key is given twice in one mapping.

    ## What it does
    Reports the second occurrence of a key and names the line of the first.

    ## Why is this bad?
    YAML loaders silently keep the last value, so the first one (often the
    right one) is lost without a word.

    ## Example
    ```yaml
    title: "What makes South Korea a great partner of ASEAN?"
    title: "Untitled"
    ```

    ## Use instead
    ```yaml
    title: "What makes South Korea a great partner of ASEAN?"
    ```
    """

    code = "FM109"
    name = "duplicate-key"


class UnsafeYamlTag(CoreRule):
    """The front matter uses a YAML tag fmlint does not construct.

    ## What it does
    Reports explicit tags outside YAML's plain data types, such as
    `!!python/object/apply:os.system`, `!!set` or a custom `!include`.  The
    tagged value is never constructed.

    ## Why is this bad?
    Such tags run code or build objects in unsafe loaders and mean nothing to
    Jekyll; in front matter they are an attack or a mistake.

    ## Example
    ```yaml
    title: !!python/object/apply:os.system ["rm -rf ~"]
    ```

    ## Use instead
    ```yaml
    title: "A plain string"
    ```
    """

    code = "FM110"
    name = "unsafe-yaml-tag"


class YamlTooComplex(CoreRule):
    """The YAML exceeds the alias, depth or size limits.

    ## What it does
    Stops reading YAML that uses more aliases (`limits.max-aliases`), deeper
    nesting (`limits.max-depth`) or more nodes (`limits.max-nodes`) than
    allowed.

    ## Why is this bad?
    Alias expansion ("billion laughs") and deep nesting make a small file take
    gigabytes of memory or crash a parser; real front matter never needs them.

    ## Example
    ```yaml
    a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]
    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
    ```

    ## Use instead
    Write the values out, or raise the limits in `[tool.fmlint.limits]` if
    the YAML is legitimate.
    """

    code = "FM111"
    name = "yaml-too-complex"
