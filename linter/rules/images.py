"""FM4xx: images in the front matter and in the body.

An *image* is one of:

* a front-matter field that holds an image URL (the rules' `fields` option,
  default `["image"]`; a dotted name such as `header.image` reaches into a
  mapping, and a list of URLs is checked item by item), positioned at the
  value;
* an inline image `![alt](url)`, a reference image `![alt][label]` (its URL
  is the definition's) or an HTML `<img src="...">` in the body, positioned
  at the URL when the scanner knows where it is written, else at the `!` or
  `<img`.

Decisions shared by the rules (also stated in their docs):

* URLs holding Liquid (`{{ site.baseurl }}/...`, `{% link ... %}`) are not
  checked: fmlint does not render templates.  Their alt text still is.
* A scheme-relative URL (`//cdn.example.com/a.jpg`) is read as https, the
  scheme an https site loads it with; FM402's `allow-scheme-relative` option
  turns it into an error.
* `javascript:` and `vbscript:` are always errors, whatever `schemes` says;
  schemes are recognised the way browsers read them: after HTML entities are
  decoded and ASCII whitespace and control characters are dropped, without
  regard to case (`&#106;avascript:`, ` JaVaScRiPt:`, `java\\tscript:`).
* Local paths: the query and fragment are dropped and the rest is
  percent-decoded.  `/x` is resolved against the site root; a relative path
  in the body against the Markdown file's folder (not checked when the text
  has no file, as with `lint_text`); a relative path in a front-matter field
  against the site root, as `jekyll-seo-tag`'s `absolute_url` does.
* A local path is resolved *confined to the site root*: `..` is applied
  lexically first and an escape is reported (FM405) without touching the
  file system; then the path is walked from the root one component at a
  time with `lstat`, following symbolic links by reading them, so nothing
  outside the root is ever stat'ed or opened (``Path.resolve`` would stat the
  link's target).  A Markdown file outside the site root has its relative
  paths confined to its own folder.
* No network access, ever.
"""

from __future__ import annotations

import contextlib
import difflib
import html
import ipaddress
import os
import re
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, ClassVar, Literal
from urllib.parse import unquote, urlsplit

from linter.findings import Problem, Severity, Span
from linter.rules.base import Option, Rule

if TYPE_CHECKING:
    from linter.document import Document

__all__ = [
    "ImageAltMissing",
    "ImageHostNotAllowed",
    "ImageOutsideRoot",
    "ImageReferenceUndefined",
    "ImageSchemeNotAllowed",
    "ImageUrlMalformed",
    "LocalImageMissing",
    "UrlInfo",
    "analyse_url",
    "host_matches",
    "locate",
]

# --------------------------------------------------------------------------- URLs

_LIQUID = re.compile(r"\{\{|\{%")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
# what browsers ignore when they read a scheme: ASCII tab/newline anywhere,
# leading C0 controls and spaces; fmlint drops every C0 control and space
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]")
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")
_DRIVE = re.compile(r"^[A-Za-z]:(?:[\\/]|$)")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_HOST_LABEL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?$")

#: schemes that are never an image, reported by FM402 even when disguised
SCRIPT_SCHEMES = frozenset({"javascript", "vbscript"})
#: schemes with a sentence of their own in FM402
_DANGEROUS = frozenset({*SCRIPT_SCHEMES, "data", "file"})
#: schemes that need `//host`
_HIERARCHICAL = frozenset({"http", "https", "ftp", "ftps", "sftp", "ws", "wss"})
#: schemes fmlint knows; any other is a typo (FM401), not a policy matter (FM402)
KNOWN_SCHEMES = frozenset(
    {
        *_HIERARCHICAL,
        *_DANGEROUS,
        "about",
        "blob",
        "chrome",
        "chrome-extension",
        "cid",
        "git",
        "gs",
        "ipfs",
        "ipns",
        "irc",
        "mailto",
        "moz-extension",
        "news",
        "s3",
        "sms",
        "ssh",
        "tel",
        "urn",
    }
)

UrlKind = Literal["liquid", "remote", "scheme-relative", "local"]


@dataclass(frozen=True)
class UrlInfo:
    """What fmlint makes of one image URL.

    ``scheme`` is the lower-cased scheme as a browser reads it (entities
    decoded, invisible characters dropped), ``""`` for local and
    scheme-relative URLs; ``disguised`` says the scheme is written otherwise
    than plainly.  ``problem`` is why the URL is malformed (FM401), with a
    corrected URL in ``suggestion`` when one is obvious."""

    url: str
    kind: UrlKind
    scheme: str = ""
    disguised: bool = False
    host: str = ""
    problem: str | None = None
    suggestion: str | None = None
    target: str = ""  # the URL without surrounding whitespace


# An http(s) URL with nothing to look at twice: a host of plain labels, then path,
# query and fragment of unreserved and sub-delimiter characters only (no `%`, `&`,
# `{`, space, backslash, port, user or non-ASCII).  Most image URLs are like this;
# `analyse_url` answers them without the checks below (a differential test keeps
# the two answers the same).
_PLAIN_URL = re.compile(
    r"(https?)://((?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)*"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:[/?#][A-Za-z0-9\-._~!$'()*+,;=:@/?#]*)?",
    re.ASCII,
)


@lru_cache(maxsize=4096)
def analyse_url(url: str) -> UrlInfo:
    """Classify ``url`` and say what, if anything, is malformed in it."""
    plain = _PLAIN_URL.fullmatch(url)
    if plain is not None:
        return UrlInfo(url, "remote", plain.group(1), False, plain.group(2).lower(), target=url)
    return _analyse_url(url)


def _analyse_url(url: str) -> UrlInfo:
    if _LIQUID.search(url):
        return UrlInfo(url, "liquid")
    decoded = html.unescape(url) if "&" in url else url
    squashed = _INVISIBLE.sub("", decoded)
    seen = _SCHEME.match(squashed)
    if seen is not None and seen.group(1).lower() in _DANGEROUS:
        scheme = seen.group(1).lower()
        return UrlInfo(
            url, "remote", scheme, not url.strip().startswith(scheme + ":"), target=url.strip()
        )

    target = url.strip()
    if not target:
        return UrlInfo(url, "local", problem="is empty")
    written = _SCHEME.match(target)
    kind: UrlKind
    if written is not None:
        kind, scheme = "remote", written.group(1).lower()
    elif target.startswith("//"):
        kind, scheme = "scheme-relative", ""
    else:
        kind, scheme = "local", ""
    problem, suggestion = _malformed(url)
    if problem is None:
        problem, suggestion = _malformed_parts(target, written)
    host = ""
    if problem is None and (kind == "scheme-relative" or scheme in _HIERARCHICAL):
        host, problem = _host(target if kind == "remote" else "https:" + target)
    return UrlInfo(url, kind, scheme, False, host, problem, suggestion, target)


def _malformed(url: str) -> tuple[str | None, str | None]:
    """Characters that have no place in a URL, wherever they are."""
    odd = _SPACE_OR_CONTROL.search(url)
    if odd is not None:
        char = odd.group()
        where = (
            "at the start"
            if odd.start() == 0
            else ("at the end" if odd.end() == len(url) else f"at character {odd.start() + 1}")
        )
        if char == " ":
            return f"contains a space {where} (percent-encode spaces as `%20`)", None
        return f"contains the control character U+{ord(char):04X} {where}", None
    drive = _DRIVE.match(url.strip())
    if drive is not None:
        return f"looks like a Windows drive path (`{drive.group()}`)", None
    if "\\" in url:
        return "contains a backslash (URLs and site paths use `/`)", url.replace("\\", "/")
    bad = _BAD_PERCENT.search(url)
    if bad is not None:
        escape = url[bad.start() : bad.start() + 3]
        return (
            f"has a bad percent-escape `{escape}` (`%` must be followed by two hex digits; "
            "write `%25` for a literal `%`)",
            None,
        )
    return None, None


def _malformed_parts(url: str, written: re.Match[str] | None) -> tuple[str | None, str | None]:
    """The scheme, slashes and path of a URL without odd characters."""
    if written is None:
        if url.startswith("//") and len(url) == 2:
            return "has no host after `//`", None
        if url[0] in "#?":
            return "has no path: it points at the page itself, not at an image", None
        return None, None
    scheme, rest = written.group(1).lower(), url[written.end() :]
    if len(scheme) == 1:
        return f"looks like a Windows drive path (`{written.group(0)}`)", None
    if scheme not in KNOWN_SCHEMES:
        close = difflib.get_close_matches(scheme, ["https", "http"], n=1, cutoff=0.6)
        if close:
            return (
                f"has the unknown scheme `{written.group(1)}:`",
                f"{close[0]}://{rest.lstrip('/')}",
            )
        return f"has the unknown scheme `{written.group(1)}:`", None
    if scheme in _HIERARCHICAL:
        slashes = len(rest) - len(rest.lstrip("/"))
        fixed = f"{written.group(1)}://{rest.lstrip('/')}"
        if slashes == 0:
            return f"has no `//` after `{written.group(0)}`", fixed
        if slashes == 1:
            return f"has one slash after `{written.group(0)}` instead of two", fixed
        if slashes > 2:
            return f"has {slashes} slashes after `{written.group(0)}`, so no host", fixed
    return None, None


def _host(url: str) -> tuple[str, str | None]:
    """The lower-cased host of a hierarchical URL, or why it is bad."""
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
        _ = parts.port  # raises ValueError for a bad port
    except ValueError as error:
        return "", f"has an invalid host or port ({error})"
    if not hostname:
        return "", "has no host"
    if "[" in parts.netloc:
        try:
            ipaddress.IPv6Address(hostname.split("%", 1)[0])
        except ValueError:
            return "", f"has an invalid IPv6 address `{hostname}`"
        return hostname, None
    labels = hostname[:-1].split(".") if hostname.endswith(".") else hostname.split(".")
    for label in labels:
        if not label:
            return "", f"has an empty label in the host `{hostname}`"
        if label.isascii() and not _HOST_LABEL.match(label):
            return "", f"has an invalid host `{hostname}`"
    return hostname.rstrip("."), None


def _show(url: str, limit: int = 80) -> str:
    """A URL short enough for a message."""
    if len(url) <= limit:
        return url
    half = (limit - 1) // 2
    return url[:half] + "…" + url[-half:]


def host_matches(host: str, patterns: Iterable[str]) -> str | None:
    """The first pattern matching ``host``: `example.com` matches the host
    and its subdomains, `*.example.com` only its subdomains, `=example.com`
    only the host itself.  Case and a trailing dot do not matter."""
    host = _normal_host(host)
    for pattern in patterns:
        exact = pattern.startswith("=")
        subdomains_only = pattern.startswith("*.")
        name = _normal_host(pattern[1:] if exact else pattern[2:] if subdomains_only else pattern)
        if not name:
            continue
        if host == name and not subdomains_only:
            return pattern
        if host.endswith("." + name) and not exact:
            return pattern
    return None


def _normal_host(host: str) -> str:
    host = host.strip()
    if "://" in host:
        host = urlsplit(host).hostname or ""
    host = host.lower().rstrip(".")
    if not host.isascii():
        with contextlib.suppress(UnicodeError):
            host = host.encode("idna").decode("ascii")
    return host


# --------------------------------------------------------------------- local paths

LocationKind = Literal["file", "folder", "missing", "outside"]


@dataclass(frozen=True)
class Location:
    """Where a local path leads inside the site root.  ``path`` is the
    absolute path for ``file``/``folder``/``missing``; for ``outside``,
    ``via`` names the symbolic link that leads out (empty for `..`)."""

    kind: LocationKind
    path: str = ""
    via: str = ""


_MAX_LINKS = 40


def locate(root: str, parts: Sequence[str]) -> Location:
    """Resolve ``parts`` (components relative to ``root``, may hold `..`)
    without ever looking outside ``root``.

    `..` is applied lexically first: a path that climbs out is ``outside``
    before the file system is touched.  Then the components are walked from
    ``root`` with ``os.lstat``; a symbolic link is read with ``os.readlink``
    and its target spliced in, so a link leading out is ``outside`` without
    its target being stat'ed.  Only paths inside ``root`` are ever stat'ed."""
    root = os.path.abspath(root)
    depth = 0
    for part in parts:
        if part == "..":
            depth -= 1
            if depth < 0:
                return Location("outside")
        elif part not in ("", "."):
            depth += 1
    stack: list[str] = []
    pending = [p for p in parts if p not in ("", ".")]
    links = 0
    exists = True  # every component so far exists (and is a folder, but the last)
    last_mode = stat.S_IFDIR
    while pending:
        part = pending.pop(0)
        if part == "..":
            if not stack:
                return Location("outside")
            stack.pop()
            continue
        if not exists:  # below a missing component everything is lexical
            stack.append(part)
            continue
        candidate = os.path.join(root, *stack, part)
        try:
            mode = os.lstat(candidate).st_mode
        except (OSError, ValueError):
            exists = False
            stack.append(part)
            continue
        if stat.S_ISLNK(mode):
            links += 1
            if links > _MAX_LINKS:
                return Location("missing", candidate)
            try:
                target = os.readlink(candidate)
            except OSError:
                exists = False
                stack.append(part)
                continue
            link_name = os.path.join(*stack, part)
            last_mode = stat.S_IFDIR  # the link's folder, should nothing follow
            if os.path.isabs(target):
                inside = _inside(os.path.normpath(target), root)
                if inside is None:
                    # the root may itself be reached through links (/tmp -> /private/tmp)
                    inside = _inside(os.path.normpath(target), os.path.realpath(root))
                if inside is None:
                    return Location("outside", via=link_name)
                stack = []
                pending = [p for p in inside.split(os.sep) if p not in ("", ".")] + pending
            else:
                spliced = [p for p in re.split(r"[/\\]", target) if p not in ("", ".")]
                climb = len(stack)
                for p in spliced:
                    climb += -1 if p == ".." else 1
                    if climb < 0:
                        return Location("outside", via=link_name)
                pending = spliced + pending
            continue
        if pending and not stat.S_ISDIR(mode):
            exists = False
        last_mode = mode
        stack.append(part)
    path = os.path.join(root, *stack)
    if not exists:
        return Location("missing", path)
    return Location("folder" if stat.S_ISDIR(last_mode) else "file", path)


def _inside(path: str, root: str) -> str | None:
    """``path`` relative to ``root`` when it is inside it (lexically), else None."""
    if path == root:
        return ""
    prefix = root.rstrip(os.sep) + os.sep
    return path[len(prefix) :] if path.startswith(prefix) else None


def _split(path: str) -> list[str]:
    return [p for p in re.split(r"[/\\]" if os.sep == "\\" else "/", path) if p]


# --------------------------------------------------------------------- the images

ImageOrigin = Literal["front-matter", "inline", "reference", "html"]


@dataclass(frozen=True)
class ImageRef:
    """One image as the FM4xx rules see it."""

    url: str
    origin: ImageOrigin
    span: Span  # where URL problems are reported
    mark: Span  # where the image starts ("!" or "<img"; the value for front matter)
    alt: str = ""
    label: str | None = None
    defined: bool = True
    field: str = ""  # the front-matter field, dotted

    @property
    def in_body(self) -> bool:
        return self.origin != "front-matter"


def front_matter_images(doc: Document, fields: Iterable[str]) -> Iterator[ImageRef]:
    fm = doc.front_matter
    if fm is None or fm.data is None:
        return
    for field in fields:
        path: tuple[str | int, ...] = tuple(field.split("."))
        value: Any = fm.data
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        items: list[tuple[tuple[str | int, ...], Any]]
        if isinstance(value, list):
            items = [((*path, i), v) for i, v in enumerate(value)]
        else:
            items = [(path, value)]
        for where, item in items:
            if not isinstance(item, str):
                continue
            position = fm.positions.get(where)
            span = position.value if position is not None else Span.point(fm.start_line)
            yield ImageRef(item, "front-matter", span, span, field=field)


def body_images(doc: Document) -> Iterator[ImageRef]:
    for image in doc.structure.images:
        mark = Span.point(image.line, image.column)
        if image.url_line > 0 and image.url_column > 0:
            span = Span.point(image.url_line, image.url_column)
        else:
            span = mark
        yield ImageRef(image.url, image.kind, span, mark, image.alt, image.reference, image.defined)


_FIELDS = Option(
    "list[str]",
    ["image"],
    "front-matter fields holding an image URL (dotted names reach into mappings; "
    "a list value is checked item by item)",
)


class _ImageUrlRule(Rule):
    """What the URL rules share: the images they look at, once per URL."""

    def urls(self, doc: Document) -> list[tuple[ImageRef, UrlInfo]]:
        """Each image with a URL, with its analysis; a reference definition
        used by several images is seen once, Liquid is skipped.  Computed
        once per document and set of fields, for all the URL rules."""
        fields = tuple(self.config.get("fields", ()))
        memo_key = ("image-urls", fields)
        cached: list[tuple[ImageRef, UrlInfo]] | None = doc.memo.get(memo_key)
        if cached is not None:
            return cached
        found: list[tuple[ImageRef, UrlInfo]] = []
        seen: set[tuple[int, int, str]] = set()
        for image in (*front_matter_images(doc, fields), *body_images(doc)):
            if image.origin == "reference" and not image.defined:
                continue  # FM407
            key = (image.span.line, image.span.column, image.url)
            if key in seen:
                continue
            seen.add(key)
            info = analyse_url(image.url)
            if info.kind != "liquid":
                found.append((image, info))
        doc.memo[memo_key] = found
        return found

    @staticmethod
    def problem(image: ImageRef, message: str) -> Problem:
        return Problem.at(image.span, message, subject=image.url)


def _written_plainly(doc: Document, image: ImageRef, scheme: str) -> bool:
    """Whether the file shows ``scheme:`` as such where the URL is written
    (the scanner hands over URLs with entities already decoded)."""
    if image.span == image.mark and image.in_body:
        return True  # the URL's own position is unknown
    lines = doc.lines
    if not 0 < image.span.line <= len(lines):
        return True
    text = lines[image.span.line - 1][image.span.column - 1 :]
    if not image.in_body:
        text = text.lstrip("\"'")
    return text.startswith(scheme + ":")


def _what(image: ImageRef) -> str:
    if image.origin == "front-matter":
        return f"`{image.field}` URL"
    if image.origin == "html":
        return "`<img>` src"
    return "image URL"


# ------------------------------------------------------------------------ rules


class ImageUrlMalformed(_ImageUrlRule):
    """An image URL is not well-formed.

    ## What it does
    Checks every image URL (front-matter `fields`, `![alt](url)`, reference
    definitions used by images, `<img src>`) for what browsers and the site
    build get wrong: an empty URL, spaces or control characters, a backslash,
    a `%` not followed by two hex digits, a scheme typo (`htps://`), a
    missing or extra slash (`https:/host`), a missing or invalid host, a
    Windows drive path (`C:\\`), a URL that is only `#fragment`.  A corrected
    URL is suggested when it is obvious.  URLs holding Liquid
    (`{{ site.baseurl }}`) are not checked; `javascript:`, `data:`, `file:`
    and `vbscript:` URLs are left to FM402.

    ## Why is this bad?
    A malformed URL is a broken image: browsers read `https:/host/a.jpg` as
    a path on the article's own site and `htps://...` as an unknown
    protocol, and readers see an empty box.

    ## Example
    ```markdown
    ![Hun Manet and Yoon Suk-yeol](https:/github.com/user-attachments/assets/4881ba3a.jpg)
    ```

    ## Use instead
    ```markdown
    ![Hun Manet and Yoon Suk-yeol](https://github.com/user-attachments/assets/4881ba3a.jpg)
    ```
    """

    code = "FM401"
    name = "image-url-malformed"
    options: ClassVar[dict[str, Option]] = {"fields": _FIELDS}

    def check(self, doc: Document) -> Iterable[Problem]:
        for image, info in self.urls(doc):
            if info.problem is None:
                continue
            shown = f" `{_show(image.url)}`" if image.url.strip() else ""
            message = (
                f"{_what(image)}{shown} {info.problem}: expected an absolute https:// URL or a path"
            )
            if info.suggestion is not None:
                message += f"; did you mean `{_show(info.suggestion)}`?"
            yield self.problem(image, message)


class ImageSchemeNotAllowed(_ImageUrlRule):
    """An image URL uses a scheme other than those allowed (https).

    ## What it does
    Reports image URLs whose scheme is not in `schemes` (default `https`):
    `http:` (mixed content), `data:` and `file:`, and always `javascript:`
    and `vbscript:`.  Schemes are read as browsers read them: HTML entities
    decoded, whitespace and control characters dropped, any case, so
    `&#106;avascript:` and ` JaVaScRiPt:` are caught.  A scheme-relative URL
    (`//cdn.example.com/a.jpg`) is loaded with the page's scheme, https on an
    https site, and is accepted unless `allow-scheme-relative = false`.
    Unknown schemes (`htps:`) are typos, reported by FM401.

    ## Why is this bad?
    An `http:` image on an https page is blocked or silently upgraded as
    mixed content, and marks the page "not secure".  A `data:` URI bloats the
    article and is refused by content-security policies, a `file:` URL points
    at the author's own computer, and a `javascript:` URL is an attack.

    ## Example
    ```markdown
    ![The meeting in Jakarta](http://github.com/user-attachments/assets/4881ba3a.jpg)
    <img src="&#106;avascript:alert(1)" alt="x">
    ```

    ## Use instead
    ```markdown
    ![The meeting in Jakarta](https://github.com/user-attachments/assets/4881ba3a.jpg)
    ```
    """

    code = "FM402"
    name = "image-scheme-not-allowed"
    options: ClassVar[dict[str, Option]] = {
        "fields": _FIELDS,
        "schemes": Option(
            "list[str]",
            ["https"],
            "URL schemes allowed for images (javascript: and vbscript: never are)",
        ),
        "allow-scheme-relative": Option(
            "bool", True, "accept `//host/path` URLs (loaded with the page's scheme)"
        ),
    }

    def check(self, doc: Document) -> Iterable[Problem]:
        allowed = {s.lower().rstrip(":") for s in self.config["schemes"]}
        for image, info in self.urls(doc):
            what = f"{_what(image)} `{_show(image.url)}`"
            if info.kind == "scheme-relative":
                if not self.config["allow-scheme-relative"]:
                    yield self.problem(
                        image,
                        f"{what} is scheme-relative: it loads over whatever the page uses "
                        f"(http, or file: in a saved copy); write `{_show('https:' + image.url)}`",
                    )
                continue
            scheme = info.scheme
            if info.kind != "remote" or scheme not in KNOWN_SCHEMES:
                continue  # a local path, or a typo for FM401
            if scheme in allowed and scheme not in SCRIPT_SCHEMES:
                continue
            if not info.disguised and scheme in _DANGEROUS:
                info = replace(info, disguised=not _written_plainly(doc, image, scheme))
            yield self.problem(image, self._message(image, info, what, allowed))

    @staticmethod
    def _message(image: ImageRef, info: UrlInfo, what: str, allowed: set[str]) -> str:
        scheme = info.scheme
        disguise = (
            " (written with HTML entities, odd case or hidden characters, which browsers "
            "still read as `" + scheme + ":`)"
            if info.disguised
            else ""
        )
        if scheme == "http":
            fixed = "https" + info.target[len("http") :]
            return (
                f"{what} uses http: an http image on an https site is blocked or upgraded as "
                f"mixed content; use `{_show(fixed)}`"
            )
        if scheme in SCRIPT_SCHEMES:
            return (
                f"{_what(image)} uses the `{scheme}:` scheme{disguise}: a script URL runs code "
                "in readers' browsers and is never an image; remove it"
            )
        if scheme == "data":
            return (
                f"{_what(image)} is an inline `data:` URI{disguise}: it bloats the article, "
                "cannot be cached and is refused by content-security policies; upload the "
                "image and use an https:// URL"
            )
        if scheme == "file":
            return (
                f"{what} uses `file:`{disguise}: it points at a file on the author's computer "
                "that readers cannot load; use an https:// URL or a site path"
            )
        expected = ", ".join(f"{s}:" for s in sorted(allowed)) or "none"
        return f"{what} uses the scheme `{scheme}:`, which is not allowed (allowed: {expected})"


class ImageHostNotAllowed(_ImageUrlRule):
    """An image is served from a host that is not allowed.

    ## What it does
    Checks the host of absolute and scheme-relative image URLs against
    `denied-hosts` (reported when it matches) and, when `allowed-hosts` is not
    empty, against `allowed-hosts` (reported when nothing matches).  An entry
    `example.com` matches that host and all its subdomains
    (`cdn.example.com`, but not `badexample.com`), `*.example.com` only the
    subdomains and `=example.com` only the host itself; case, ports and a
    trailing dot do not matter.  A denied host is reported even when it is
    also allowed.  With both lists empty (the default) the rule reports
    nothing.

    ## Why is this bad?
    Images hot-linked from other sites disappear or change without notice,
    leak readers' visits to third parties and may break licences; a site
    usually serves images from its own CDN only.

    ## Example
    ```toml
    [tool.fmlint.rules.FM403]
    allowed-hosts = ["github.com"]
    ```
    ```markdown
    ![A chart](https://i.imgur.com/8dTqz2B.png)
    ```

    ## Use instead
    ```markdown
    ![A chart](https://github.com/user-attachments/assets/8dTqz2B.png)
    ```
    """

    code = "FM403"
    name = "image-host-not-allowed"
    options: ClassVar[dict[str, Option]] = {
        "fields": _FIELDS,
        "allowed-hosts": Option(
            "list[str]",
            [],
            "hosts images may come from, with their subdomains (empty: any host)",
        ),
        "denied-hosts": Option(
            "list[str]", [], "hosts images must not come from, with their subdomains"
        ),
    }

    def check(self, doc: Document) -> Iterable[Problem]:
        allowed: Sequence[str] = self.config["allowed-hosts"]
        denied: Sequence[str] = self.config["denied-hosts"]
        if not allowed and not denied:
            return
        for image, info in self.urls(doc):
            if not info.host or info.problem is not None:
                continue
            what = f"{_what(image)} `{_show(image.url)}`"
            hit = host_matches(info.host, denied)
            if hit is not None:
                yield self.problem(
                    image,
                    f"{what} is served from `{info.host}`, which `denied-hosts` forbids "
                    f"(entry `{hit}`); host the image on an allowed server",
                )
            elif allowed and host_matches(info.host, allowed) is None:
                shown = ", ".join(f"`{h}`" for h in allowed[:5]) + (
                    ", ..." if len(allowed) > 5 else ""
                )
                yield self.problem(
                    image,
                    f"{what} is served from `{info.host}`, which is not in `allowed-hosts` "
                    f"(expected {shown})",
                )


class _LocalImageRule(_ImageUrlRule):
    """Local paths resolved inside the site root."""

    @cached_property
    def _root(self) -> str:
        return os.path.abspath(self.context.site_root)

    def local(self, doc: Document) -> Iterator[tuple[ImageRef, str, Location]]:
        """Each local image with its decoded path and where it leads."""
        for image, info in self.urls(doc):
            if info.kind != "local" or not info.target:
                continue
            raw = re.split(r"[?#]", info.target, maxsplit=1)[0]
            if not raw:
                continue
            path = unquote(raw)
            place = self._place(doc, image, path)
            if place is None:
                continue
            root, parts = place
            location = locate(root, parts)
            if location.path:
                doc.watch(location.path)  # a cached result is stale once this path changes
            yield image, path, location

    def _place(self, doc: Document, image: ImageRef, path: str) -> tuple[str, list[str]] | None:
        """The root that confines ``path`` and its components relative to it."""
        if path.startswith("/") or not image.in_body:
            return self._root, _split(path)
        if doc.file is None:
            return None
        folder = os.path.abspath(os.path.dirname(doc.file))
        inside = _inside(folder, self._root)
        if inside is None:
            real_root = os.path.realpath(self._root)
            inside = _inside(os.path.realpath(folder), real_root)
            if inside is None:
                return folder, _split(path)  # a file outside the site: its own folder
            return real_root, [*_split(inside), *_split(path)]
        return self._root, [*_split(inside), *_split(path)]

    def where(self, image: ImageRef, path: str) -> str:
        if path.startswith("/") or not image.in_body:
            return "the site root"
        return "the file's folder"


class LocalImageMissing(_LocalImageRule):
    """A local image file does not exist.

    ## What it does
    Resolves local image paths and reports those that are not a file: a
    site path (`/assets/images/a.jpg`) against the site root (`site-root`
    in the config, else the config's folder, else the git repository), a
    relative path in the body against the Markdown file's folder, a relative
    path in a front-matter field against the site root.  The query and
    fragment are dropped and `%xx` escapes decoded first.  Relative body paths
    are not checked when the text has no file (`lint_text`); URLs holding
    Liquid (`{{ site.baseurl }}/...`) are not checked.  Paths leading out of
    the site root are FM405 and never looked at.

    ## Why is this bad?
    A missing file is a broken image on the published page; a typo in a
    file name or an image that was never committed is easy to miss in
    review.

    ## Example
    ```markdown
    ![The new terminal](/assets/images/terminal-2024.jpg)   (no such file)
    ```

    ## Use instead
    ```markdown
    ![The new terminal](/assets/images/terminal-2024.jpeg)
    ```
    """

    code = "FM404"
    name = "local-image-missing"
    options: ClassVar[dict[str, Option]] = {"fields": _FIELDS}

    def check(self, doc: Document) -> Iterable[Problem]:
        for image, path, location in self.local(doc):
            if location.kind == "missing":
                yield self.problem(
                    image,
                    f"local image `{_show(path)}` does not exist (resolved against "
                    f"{self.where(image, path)}): expected an existing image file",
                )
            elif location.kind == "folder":
                yield self.problem(
                    image,
                    f"local image `{_show(path)}` is a folder, not an image file",
                )


class ImageOutsideRoot(_LocalImageRule):
    """A local image path leads outside the site root.

    ## What it does
    Reports local image paths that climb out of the site root with `..`
    (`../../../../etc/passwd`) or through a symbolic link whose target is
    outside it.  The check is made on the normalised path and by reading
    links inside the root only: the file outside is never opened or
    stat'ed.

    ## Why is this bad?
    Jekyll does not publish files outside the site, so the image is broken;
    a path like this in a contributed article is also a probe for files the
    build machine should not expose.

    ## Example
    ```markdown
    ![Logo](../../../../etc/passwd)
    ```

    ## Use instead
    ```markdown
    ![Logo](/assets/images/logo.png)
    ```
    """

    code = "FM405"
    name = "image-outside-root"
    options: ClassVar[dict[str, Option]] = {"fields": _FIELDS}

    def check(self, doc: Document) -> Iterable[Problem]:
        for image, path, location in self.local(doc):
            if location.kind != "outside":
                continue
            how = f" through the symbolic link `{location.via}`" if location.via else ""
            yield self.problem(
                image,
                f"local image `{_show(path)}` leads outside the site root{how}; it was not "
                "read: expected an image inside the site, such as /assets/images/...",
            )


class ImageAltMissing(Rule):
    """A body image has no alt text.

    ## What it does
    Reports inline, reference and HTML images whose alt text is missing or
    only whitespace: `![](a.jpg)`, `![ ][ref]`, `<img src="a.jpg">`,
    `<img src="a.jpg" alt="">`.  It is a warning by default; a lead image
    whose caption follows can be silenced with
    `<!-- fmlint-disable-next-line FM406 -->` on the line before.

    ## Why is this bad?
    Screen readers announce an unlabelled image or read its file name, and
    search engines and text-only readers learn nothing from it; an empty alt
    is also shown when the image fails to load.

    ## Example
    ```markdown
    ![](https://github.com/user-attachments/assets/4881ba3a.jpg)
    ```

    ## Use instead
    ```markdown
    ![Hun Manet and Yoon Suk-yeol at their first meeting, in Indonesia in 2023](https://github.com/user-attachments/assets/4881ba3a.jpg)
    ```
    """

    code = "FM406"
    name = "image-alt-missing"
    severity = Severity.WARNING

    def check(self, doc: Document) -> Iterable[Problem]:
        for image in body_images(doc):
            if image.alt.strip():
                continue
            shown = f" `{_show(image.url)}`" if image.url else ""
            if image.origin == "html":
                message = (
                    f'`<img>`{shown} has no alt text: add `alt="..."` describing the image '
                    "for screen readers"
                )
            else:
                message = (
                    f"image{shown} has no alt text: describe the image for screen readers "
                    "between `![` and `]`"
                )
            yield Problem.at(image.mark, message, subject=image.url)


class ImageReferenceUndefined(Rule):
    """A reference-style image has no definition.

    ## What it does
    Reports `![alt][label]` (and `![label][]`, `![label]`) images whose
    `[label]: url` definition is missing from the file, suggesting the
    closest defined label.

    ## Why is this bad?
    Without the definition the image is not rendered: the reader sees the
    literal text `![alt][label]`.

    ## Example
    ```markdown
    ![The meeting][meeting-photo]

    [meeting]: https://github.com/user-attachments/assets/4881ba3a.jpg
    ```

    ## Use instead
    ```markdown
    ![The meeting][meeting-photo]

    [meeting-photo]: https://github.com/user-attachments/assets/4881ba3a.jpg
    ```
    """

    code = "FM407"
    name = "image-reference-undefined"

    def check(self, doc: Document) -> Iterable[Problem]:
        labels = sorted({d.label for d in doc.structure.definitions})
        for image in body_images(doc):
            if image.origin != "reference" or image.defined:
                continue
            label = image.label or image.alt
            message = (
                f"reference image `[{label}]` has no definition: expected a line "
                f"`[{label}]: https://...` in the file"
            )
            close = difflib.get_close_matches(label, labels, n=1)
            if close:
                message += f"; did you mean `[{close[0]}]`?"
            yield Problem.at(image.mark, message, subject=label)
