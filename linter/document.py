"""Bytes to a document: decoded text, the front matter with positions, the body.

The loader never raises on file content: whatever a file holds, the result is
a :class:`Document` whose ``core_problems`` say what is wrong with it (codes
FM1xx).  python-frontmatter is used only to recognise headers fmlint does not
read (JSON); positions and strictness come from :mod:`linter.yaml_loader`.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from linter.body import MAX_CONSTRUCTS, BodyStructure
from linter.findings import Problem

if TYPE_CHECKING:
    from linter.yaml_loader import PositionMap, YamlLimits

_CLOSING_FENCE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_OPENING_FENCE = re.compile(r"---[ \t]*$")
_TOML_FENCE = re.compile(r"\+\+\+[ \t]*$")


@dataclass(frozen=True)
class Limits:
    """Bounds that keep hostile input cheap (config table ``[limits]``)."""

    max_file_size: int = 2 * 1024 * 1024
    max_aliases: int = 100
    max_depth: int = 50
    max_nodes: int = 10_000
    max_body_constructs: int = MAX_CONSTRUCTS

    def yaml(self) -> YamlLimits:
        from linter.yaml_loader import YamlLimits

        return YamlLimits(
            max_aliases=self.max_aliases, max_depth=self.max_depth, max_nodes=self.max_nodes
        )


@dataclass
class FrontMatter:
    data: dict[str, Any] | None  # None when the YAML could not be used
    positions: PositionMap
    start_line: int  # the opening '---'
    end_line: int  # the closing '---' or '...'
    text: str  # the YAML between the fences


@dataclass
class Document:
    """One Markdown file as rules see it.  ``path`` is the display path
    (relative to the current directory, '/' separators)."""

    path: str
    file: Path | None = None
    text: str | None = None
    front_matter: FrontMatter | None = None
    body: str = ""
    body_line: int = 1  # file line on which ``body`` starts
    core_problems: list[Problem] = field(default_factory=list)
    limits: Limits = Limits()
    #: other paths the rules' verdicts depend on (local images); the cache
    #: re-checks them before trusting a stored result
    watched: set[str] = field(default_factory=set)

    #: what rules derive from the document and share (several image rules read the
    #: same analysed URLs); keys are chosen by the rules
    memo: dict[object, Any] = field(default_factory=dict)

    def watch(self, path: str) -> None:
        self.watched.add(path)

    @property
    def data(self) -> dict[str, Any]:
        """The front-matter mapping, or an empty one when there is none."""
        fm = self.front_matter
        return fm.data if fm is not None and fm.data is not None else {}

    @cached_property
    def structure(self) -> BodyStructure:
        """The body's headings, images, comments... scanned once, on first use."""
        from linter.markdown_scan import scan

        return scan(self.body, self.body_line, self.limits.max_body_constructs)

    @cached_property
    def lines(self) -> list[str]:
        return (self.text or "").split("\n")

    @property
    def front_matter_line(self) -> int:
        return self.front_matter.start_line if self.front_matter else 1


def read_document(file: Path, display_path: str, limits: Limits = Limits()) -> Document:
    """Read and parse one file; unreadable files give a document with FM101/FM103."""
    try:
        # lstat first: a broken symlink or a directory is reported, not followed into errors
        info = os.stat(file)
        if stat.S_ISDIR(info.st_mode):
            return _unreadable(display_path, file, "is a directory, not a Markdown file")
        if not stat.S_ISREG(info.st_mode):
            return _unreadable(display_path, file, "is not a regular file")
        if info.st_size > limits.max_file_size:
            return Document(
                display_path,
                file,
                core_problems=[
                    Problem(
                        1,
                        1,
                        f"file is {info.st_size:,} bytes, over the limit of "
                        f"{limits.max_file_size:,} (`limits.max-file-size`); it was not read",
                        code="FM103",
                    )
                ],
            )
        with open(file, "rb") as handle:
            # sized by stat: a read(limit) would allocate the whole limit for every file
            data = handle.read(info.st_size + 1)
            if len(data) > info.st_size:  # it grew since: read on, but never past the limit
                data += handle.read(limits.max_file_size + 1 - len(data))
    except OSError as error:
        return _unreadable(display_path, file, _describe_os_error(file, error))
    if len(data) > limits.max_file_size:  # grew between stat and read
        return Document(
            display_path,
            file,
            core_problems=[
                Problem(1, 1, "file is over `limits.max-file-size`; it was not read", code="FM103")
            ],
        )
    return parse_document(data, display_path, file, limits)


def _describe_os_error(file: Path, error: OSError) -> str:
    if error.errno == errno.ENOENT and os.path.islink(file):
        return f"is a broken symbolic link (to {os.readlink(file)!r})"
    if error.errno == errno.ENOENT:
        return "does not exist"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "cannot be read: permission denied"
    if error.errno == errno.EISDIR:
        return "is a directory, not a Markdown file"
    return f"cannot be read: {error.strerror or error}"


def _unreadable(display_path: str, file: Path, why: str) -> Document:
    return Document(display_path, file, core_problems=[Problem(1, 1, f"file {why}", code="FM101")])


def parse_document(
    data: bytes | str, display_path: str, file: Path | None = None, limits: Limits = Limits()
) -> Document:
    """Split decoded text into front matter and body, parsing the YAML."""
    if isinstance(data, bytes):
        text_or_problem = _decode(data)
        if isinstance(text_or_problem, Problem):
            return Document(display_path, file, core_problems=[text_or_problem])
        text = text_or_problem
    else:
        text = data[1:] if data.startswith("\ufeff") else data
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    doc = Document(display_path, file, text=text, limits=limits)
    first_end = text.find("\n")
    first = text if first_end < 0 else text[:first_end]
    if not _OPENING_FENCE.match(first):
        doc.core_problems.append(_missing_front_matter(text, first))
        doc.body = text
        return doc
    if first_end < 0:
        doc.core_problems.append(_unclosed())
        return doc
    closing = _CLOSING_FENCE.search(text, first_end + 1)
    if closing is None:
        doc.core_problems.append(_unclosed())
        return doc
    yaml_text = text[first_end + 1 : closing.start()]
    end_line = yaml_text.count("\n") + 2
    body_start = text.find("\n", closing.end())
    doc.body = "" if body_start < 0 else text[body_start + 1 :]
    doc.body_line = end_line + 1
    # imported on first use: PyYAML is 25 ms of a warm run, which reads no YAML
    from linter.yaml_loader import load_front_matter

    result = load_front_matter(yaml_text, 2, limits.yaml())
    doc.core_problems.extend(result.problems)
    data_ok = result.data if isinstance(result.data, dict) else None
    doc.front_matter = FrontMatter(data_ok, result.positions, 1, end_line, yaml_text)
    if result.data is None and not result.problems:
        doc.core_problems.append(
            Problem(1, 1, "front matter is empty: expected keys such as `title`", code="FM106")
        )
    return doc


def _decode(data: bytes) -> str | Problem:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    nul = data.find(b"\x00")
    if nul >= 0:
        line, column = _byte_position(data, nul)
        return Problem(
            line,
            column,
            "file contains NUL bytes: it looks binary, not a UTF-8 Markdown file",
            code="FM102",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _byte_position(data, error.start)
        return Problem(
            line,
            column,
            f"file is not valid UTF-8: byte 0x{data[error.start]:02x} cannot be decoded "
            "(save the file as UTF-8)",
            code="FM102",
        )


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    line_start = data.rfind(b"\n", 0, offset) + 1
    prefix = data[line_start:offset].decode("utf-8", errors="replace")
    return line, len(prefix) + 1


def _unclosed() -> Problem:
    return Problem(
        1,
        1,
        "front matter is never closed: expected a line `---` (or `...`) after the YAML",
        code="FM105",
    )


def _missing_front_matter(text: str, first_line: str) -> Problem:
    stripped = first_line.strip()
    if _TOML_FENCE.match(first_line):
        why = "found a TOML header (`+++`); fmlint reads YAML front matter between `---` lines"
    elif stripped.startswith("{") and _looks_like_json_header(text):
        why = "found a JSON header; fmlint reads YAML front matter between `---` lines"
    elif not text.strip():
        why = "the file is empty; expected YAML front matter between `---` lines"
    elif stripped == "---":
        why = "the opening `---` must be the very first line, without indentation"
    else:
        why = "expected the file to start with a `---` line opening YAML front matter"
    return Problem(1, 1, f"no front matter: {why}", code="FM104")


def _looks_like_json_header(text: str) -> bool:
    # python-frontmatter's own detector, so fmlint names the headers it accepts
    from frontmatter.default_handlers import JSONHandler

    return bool(JSONHandler().detect(text))


def path_kind(path: str) -> str:
    """What is at ``path`` now: "file", "folder" or "missing"."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return "missing"
    return "folder" if stat.S_ISDIR(mode) else "file"
