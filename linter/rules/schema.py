"""FM2xx: the front matter validated against a JSON Schema.

``linter.schema`` validates each document once and tags every error with one
of these codes; the classes hold their names and documentation.
"""

from __future__ import annotations

from linter.rules.base import CoreRule


class MissingRequiredField(CoreRule):
    """A field the schema requires is missing.

    ## What it does
    Reports each name in the schema's `required` list that the front matter
    lacks, at the front matter's first line.

    ## Why is this bad?
    A missing `code`, `date` or `origin_url` breaks the site build or leaves a
    hole in the downstream database.

    ## Example
    ```yaml
    layout: post
    title: "A title"
    ```

    ## Use instead
    ```yaml
    layout: post
    code: "ART2410171545HNYP99"
    title: "A title"
    ```
    """

    code = "FM201"
    name = "missing-required-field"


class UnknownField(CoreRule):
    """The front matter has a field the schema does not know.

    ## What it does
    Reports keys not allowed by the schema (`additionalProperties: false`),
    suggesting the closest known key.

    ## Why is this bad?
    An unknown key is almost always a typo (`tilte`), and the real field is
    then missing or left at its default.

    ## Example
    ```yaml
    tilte: "A title"
    ```

    ## Use instead
    ```yaml
    title: "A title"
    ```
    """

    code = "FM202"
    name = "unknown-field"


class WrongType(CoreRule):
    """A field has the wrong type.

    ## What it does
    Reports values whose JSON type differs from the schema's `type` (a string
    where a list is expected, a list where a string is expected...).

    ## Why is this bad?
    Templates and importers expecting a string get a list or a number and fail
    or print garbage.

    ## Example
    ```yaml
    tags: "politics"
    ```

    ## Use instead
    ```yaml
    tags: ["politics"]
    ```
    """

    code = "FM203"
    name = "wrong-type"


class YamlTypeCoercion(CoreRule):
    """YAML turned an unquoted value into a boolean, number or null.

    ## What it does
    When the schema expects a string and an unquoted YAML 1.1 scalar was read
    as something else (`no` → false, `0123` → 83, `1:20` → 80, `null` → no
    value), says what YAML read and asks to quote the value.

    ## Why is this bad?
    Jekyll reads front matter with YAML 1.1 rules: `language: no` (Norwegian)
    becomes `false`, and a code with a leading zero becomes an octal number.

    ## Example
    ```yaml
    language: no
    ```

    ## Use instead
    ```yaml
    language: "no"
    ```
    """

    code = "FM204"
    name = "yaml-type-coercion"


class InvalidFormat(CoreRule):
    """A value does not match its `format` (uri, date-time, date, email...).

    ## What it does
    Asserts the schema's `format` keywords, which JSON Schema validators
    otherwise ignore: URLs must be absolute URIs, dates real RFC 3339 dates.

    ## Why is this bad?
    `2024-02-30` or `www.example.com/page` look plausible but break sorting,
    feeds and links.

    ## Example
    ```yaml
    date: 2024-13-45T08:24:49Z
    ```

    ## Use instead
    ```yaml
    date: 2024-10-25T08:24:49Z
    ```
    """

    code = "FM205"
    name = "invalid-format"


class PatternMismatch(CoreRule):
    """A value does not match the schema's `pattern`.

    ## What it does
    Reports strings that do not match the property's regular expression,
    explaining the expected shape with the property's description.

    ## Why is this bad?
    Identifiers such as `code` are parsed downstream; a malformed one breaks
    lookups and de-duplication.

    ## Example
    ```yaml
    code: "art2410171545hnyp99"
    ```

    ## Use instead
    ```yaml
    code: "ART2410171545HNYP99"
    ```
    """

    code = "FM206"
    name = "pattern-mismatch"


class InvalidValue(CoreRule):
    """A value is not one of the allowed values (`enum`, `const`).

    ## What it does
    Reports values outside the schema's list, suggesting the closest allowed
    value (`opinion` → `OPINION`, `kh` → `km`).

    ## Why is this bad?
    Categories and languages drive navigation and translation; an unknown one
    makes the article disappear from its section.

    ## Example
    ```yaml
    category: "Opinion"
    ```

    ## Use instead
    ```yaml
    category: "OPINION"
    ```
    """

    code = "FM207"
    name = "invalid-value"


class SchemaViolation(CoreRule):
    """A value breaks another schema constraint.

    ## What it does
    Reports every other JSON Schema keyword failure: empty strings
    (`minLength`), duplicate list items (`uniqueItems`), sizes, ranges.

    ## Why is this bad?
    The schema is the contract with the site and the database; any violation
    is a value they may not handle.

    ## Example
    ```yaml
    tags: ["trade", "trade"]
    ```

    ## Use instead
    ```yaml
    tags: ["trade"]
    ```
    """

    code = "FM208"
    name = "schema-violation"
