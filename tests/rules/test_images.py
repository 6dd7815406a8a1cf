"""FM401-FM407: image URLs, schemes, hosts, local files, alt text, references."""

from __future__ import annotations

import builtins
import io
import json
import os
import random
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from conftest import example_text, lint, where

from linter.config import Config
from linter.findings import Finding, Severity
from linter.registry import load_registry
from linter.rules.base import DOC_SECTIONS, RunContext
from linter.rules.images import (
    ImageOutsideRoot,
    LocalImageMissing,
    analyse_url,
    host_matches,
    locate,
)

CODES = ("FM401", "FM402", "FM403", "FM404", "FM405", "FM406", "FM407")
GOOD = "https://github.com/user-attachments/assets/4881ba3a-0982-4063-9b11-aa48e5b15dc6"


def article(*body: str, image: str | None = None, extra: Sequence[str] = ()) -> str:
    """Front matter on lines 1-3 (`image:` on line 3 when given, then `extra`),
    the closing fence, a blank line and the body, one argument per line."""
    head = ["---", 'title: "A title"']
    if image is not None:
        head.append(f"image: {image}")
    head += [*extra, "---", ""]
    return "\n".join([*head, *body]) + "\n"


def image_findings(text: str, **kwargs: Any) -> list[Finding]:
    return [f for f in lint(text, select=["FM4"], **kwargs) if f.rule.startswith("FM4")]


def codes(text: str, **kwargs: Any) -> list[tuple[int, int, str]]:
    return where(image_findings(text, **kwargs))


# ------------------------------------------------------------------ the rules


def test_rules_are_registered_with_docs() -> None:
    registry = load_registry()
    expected = {
        "FM401": ("image-url-malformed", Severity.ERROR),
        "FM402": ("image-scheme-not-allowed", Severity.ERROR),
        "FM403": ("image-host-not-allowed", Severity.ERROR),
        "FM404": ("local-image-missing", Severity.ERROR),
        "FM405": ("image-outside-root", Severity.ERROR),
        "FM406": ("image-alt-missing", Severity.WARNING),
        "FM407": ("image-reference-undefined", Severity.ERROR),
    }
    for code, (name, severity) in expected.items():
        rule = registry.rules[code]
        assert (rule.name, rule.severity) == (name, severity)
        docs = rule.docs()
        assert docs.summary
        assert list(docs.sections) == list(DOC_SECTIONS), code
        assert all(docs.sections.values()), code


# ------------------------------------------------------------------ the example


def test_example_has_only_the_lead_image_alt_warning() -> None:
    findings = [f for f in lint(example_text()) if f.rule.startswith("FM4")]
    assert where(findings) == [(15, 1, "FM406")]
    assert findings[0].severity is Severity.WARNING
    assert findings[0].subject.startswith("https://github.com/user-attachments/")


def test_example_lead_image_warning_suppressed() -> None:
    lines = example_text().split("\n")
    assert lines[14].startswith("![](")
    lines.insert(14, "<!-- fmlint-disable-next-line FM406 -->")
    findings = lint("\n".join(lines))
    assert where(findings, "FM4") == []
    assert where(findings, "FM002") == []  # the suppression was used


def test_unused_fm406_suppression_is_reported() -> None:
    text = article("<!-- fmlint-disable-next-line FM406 -->", f"![A photo]({GOOD})")
    assert where(lint(text, select=["FM4", "FM002"])) == [(5, 1, "FM002")]


# ------------------------------------------------------------------ FM401


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("https:/github.com/a.jpg", ["one slash", "did you mean `https://github.com/a.jpg`"]),
        ("htps://github.com/a.jpg", ["unknown scheme `htps:`", "`https://github.com/a.jpg`"]),
        ("https:github.com/a.jpg", ["no `//`", "`https://github.com/a.jpg`"]),
        ("https:///a.jpg", ["slashes", "no host"]),
        ("https://", ["no host"]),
        ("https://exa..mple.com/a.jpg", ["empty label"]),
        ("https://example.com:port/a.jpg", ["port"]),
        ("https://[nope]/a.jpg", ["invalid"]),
        ("/assets/a%zzb.jpg", ["bad percent-escape `%zz`"]),
        ("/assets/100%.jpg", ["bad percent-escape"]),
        ("C:\\images\\a.jpg", ["Windows drive path"]),
        ("assets\\a.jpg", ["backslash"]),
        ("#top", ["no path"]),
        ("//", ["no host"]),
        ("foo:bar.jpg", ["unknown scheme `foo:`"]),
    ],
)
def test_malformed_body_urls(url: str, words: list[str], tmp_path: Path) -> None:
    findings = image_findings(article(f"![A photo]({url})"), site_root=tmp_path)
    malformed = [f for f in findings if f.rule == "FM401"]
    assert where(malformed) == [(5, 12, "FM401")]  # at the URL, after "![A photo]("
    message = malformed[0].message
    assert "expected an absolute https:// URL or a path" in message
    for word in words:
        assert word in message
    assert malformed[0].subject == url
    assert malformed[0].severity is Severity.ERROR


def test_malformed_space_empty_and_whitespace(tmp_path: Path) -> None:
    text = article(
        "![Spaced](<https://github.com/a b.jpg>)",
        "",
        "![Empty]()",
        "",
        '<img src="" alt="Nothing">',
        "",
        '<img src="https://github.com/a\tb.jpg" alt="Tab">',
    )
    findings = image_findings(text, site_root=tmp_path)
    assert where(findings) == [
        (5, 12, "FM401"),
        (7, 10, "FM401"),
        (9, 11, "FM401"),
        (11, 11, "FM401"),
    ]
    assert "contains a space at character 21" in findings[0].message
    assert "`%20`" in findings[0].message
    assert "is empty" in findings[1].message and "is empty" in findings[2].message
    assert "control character U+0009" in findings[3].message


def test_malformed_front_matter_image_points_at_the_value() -> None:
    text = article("Text.", image='"https:/github.com/a.jpg"')
    findings = image_findings(text)
    assert where(findings) == [(3, 8, "FM401")]
    assert (findings[0].end_line, findings[0].end_column) == (
        3,
        8 + len('"https:/github.com/a.jpg"'),
    )
    assert findings[0].message.startswith("`image` URL `https:/github.com/a.jpg`")
    # the schema's pattern catches it too, independently
    assert "FM206" in {f.rule for f in lint(text, select=["FM206"])}


def test_well_formed_urls_pass(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "a.jpg").write_bytes(b"GIF89a")
    text = article(
        f"![One]({GOOD})",
        "",
        "![Two](HTTPS://GitHub.com/a.jpg?size=2#x)",
        "",
        "![Three](https://[::1]:8443/a.jpg)",
        "",
        "![Four](https://例子.测试/图.jpg)",
        "",
        "![Five](/assets/a.jpg)",
        "",
        "![Six](//cdn.example.com/a.jpg)",
        "",
        "![Seven](<https://github.com/a%20b.jpg>)",
        image=f'"{GOOD}"',
    )
    assert codes(text, site_root=tmp_path) == []


def test_liquid_urls_are_skipped(tmp_path: Path) -> None:
    text = article(
        "![Logo]({{site.baseurl}}/assets/missing.jpg)",
        "",
        '<img src="{% link assets/missing.png %}" alt="Logo">',
        "",
        "![]({{page.image}})",
        image='"{{ site.url }}/x.jpg"',
    )
    # nothing about the URLs; the empty alt is still reported
    assert codes(text, site_root=tmp_path) == [(10, 1, "FM406")]


def test_fields_option_nested_and_lists() -> None:
    text = article(
        "Text.",
        image=f'"{GOOD}"',
        extra=[
            'thumbnail: "htps://github.com/t.jpg"',
            "header:",
            '  image: "https:/github.com/h.jpg"',
            "gallery:",
            f'  - "{GOOD}"',
            '  - "htps:/github.com/g.jpg"',
            "count: 3",
        ],
    )
    fields = ["image", "thumbnail", "header.image", "gallery", "count", "absent"]
    found = codes(text, rules={"FM401": {"fields": fields}})
    assert found == [(4, 12, "FM401"), (6, 10, "FM401"), (9, 5, "FM401")]
    assert codes(text) == []  # by default only `image`


# ------------------------------------------------------------------ FM402


def test_http_image_is_mixed_content() -> None:
    url = "http://github.com/user-attachments/assets/1aa854d9.jpg"
    findings = image_findings(article(f"![A photo]({url})"))
    assert where(findings) == [(5, 12, "FM402")]
    message = findings[0].message
    assert "mixed content" in message
    assert "use `https://github.com/user-attachments/assets/1aa854d9.jpg`" in message
    assert findings[0].subject == url


def test_http_front_matter_image() -> None:
    findings = image_findings(article("Text.", image='"http://github.com/a.jpg"'))
    assert where(findings) == [(3, 8, "FM402")]
    assert "`https://github.com/a.jpg`" in findings[0].message


@pytest.mark.parametrize(
    ("line", "scheme"),
    [
        ("![x](javascript:alert(1))", "javascript"),
        ("![x](JaVaScRiPt:alert(1))", "javascript"),
        ("![x](&#106;avascript:alert(1))", "javascript"),
        ('<img src="&#106;avascript:alert(1)" alt="x">', "javascript"),
        ('<img src="&#x6A;avascript&#x3A;alert(1)" alt="x">', "javascript"),
        ('<img src=" JaVaScRiPt:alert(1)" alt="x">', "javascript"),
        ('<img src="java&#x09;script:alert(1)" alt="x">', "javascript"),
        ('<img src="java&#x0A;script:alert(1)" alt="x">', "javascript"),
        ('<img src="&#0000106avascript:alert(1)" alt="x">', "javascript"),
        ('<img src="javascript&colon;alert(1)" alt="x">', "javascript"),
        ('<img src="\x01javascript:alert(1)" alt="x">', "javascript"),
        ("<img src=vbscript:msgbox(1) alt=x>", "vbscript"),
        ("![x](data:image/png;base64,iVBORw0KGgo=)", "data"),
        ("![x](DATA:image/svg+xml,%3Csvg%3E)", "data"),
        ("![x](file:///etc/passwd)", "file"),
        ("![x](file://C:/Users/me/a.jpg)", "file"),
    ],
)
def test_dangerous_schemes(line: str, scheme: str) -> None:
    findings = image_findings(article(line))
    assert [f.rule for f in findings] == ["FM402"]  # and not FM401
    assert findings[0].line == 5
    assert f"`{scheme}:`" in findings[0].message
    assert findings[0].severity is Severity.ERROR


def test_disguised_scheme_is_named_as_such() -> None:
    findings = image_findings(article('<img src="&#106;avascript:alert(1)" alt="x">'))
    assert "HTML entities" in findings[0].message
    plain = image_findings(article('<img src="javascript:alert(1)" alt="x">'))
    assert "HTML entities" not in plain[0].message


def test_schemes_option() -> None:
    text = article(
        "![A](http://github.com/a.jpg)",
        "",
        "![B](data:image/png;base64,AAAA)",
        "",
        "![C](javascript:alert(1))",
        "",
        "![D](ftp://github.com/d.jpg)",
        "",
        "![E](mailto:a@example.com)",
    )
    assert codes(text) == [
        (5, 6, "FM402"),
        (7, 6, "FM402"),
        (9, 6, "FM402"),
        (11, 6, "FM402"),
        (13, 6, "FM402"),
    ]
    relaxed = {"FM402": {"schemes": ["https", "HTTP", "data:", "javascript"]}}
    # javascript: is never allowed
    assert codes(text, rules=relaxed) == [(9, 6, "FM402"), (11, 6, "FM402"), (13, 6, "FM402")]
    ftp = next(f for f in image_findings(text) if f.line == 11)
    assert "`ftp:`" in ftp.message and "allowed: https:" in ftp.message


def test_scheme_relative_urls() -> None:
    text = article("![A](//cdn.example.com/a.jpg)")
    assert codes(text) == []
    strict = {"FM402": {"allow-scheme-relative": False}}
    findings = image_findings(text, rules=strict)
    assert where(findings) == [(5, 6, "FM402")]
    assert "`https://cdn.example.com/a.jpg`" in findings[0].message
    # the host is still checked
    hosts = {"FM403": {"allowed-hosts": ["github.com"]}}
    assert codes(text, rules=hosts) == [(5, 6, "FM403")]


def test_typo_scheme_is_fm401_not_fm402() -> None:
    assert codes(article("![A](htps://github.com/a.jpg)")) == [(5, 6, "FM401")]
    # a known scheme written with one slash: both the slash and the scheme
    assert codes(article("![A](http:/github.com/a.jpg)")) == [(5, 6, "FM401"), (5, 6, "FM402")]


# ------------------------------------------------------------------ FM403


HOSTS_TEXT = article(
    "![A](https://github.com/a.jpg)",
    "",
    "![B](https://avatars.GitHub.com./b.jpg)",
    "",
    "![C](https://evil-github.com/c.jpg)",
    "",
    "![D](https://github.com.evil.net/d.jpg)",
    "",
    "![E](http://i.imgur.com/e.jpg)",
    "",
    "![F](/assets/local.jpg)",
    image='"https://cdn.example.org/lead.jpg"',
)


def test_hosts_any_by_default(tmp_path: Path) -> None:
    assert [c for c in codes(HOSTS_TEXT, site_root=tmp_path) if c[2] == "FM403"] == []


def test_allowed_hosts_with_subdomains(tmp_path: Path) -> None:
    rules = {"FM403": {"allowed-hosts": ["github.com"]}}
    found = [c for c in codes(HOSTS_TEXT, rules=rules, site_root=tmp_path) if c[2] == "FM403"]
    assert found == [(3, 8, "FM403"), (10, 6, "FM403"), (12, 6, "FM403"), (14, 6, "FM403")]
    findings = image_findings(HOSTS_TEXT, rules=rules, site_root=tmp_path)
    message = next(f.message for f in findings if f.rule == "FM403" and f.line == 10)
    assert (
        "`evil-github.com`" in message and "allowed-hosts" in message and "`github.com`" in message
    )


def test_denied_hosts_win(tmp_path: Path) -> None:
    rules = {
        "FM403": {"allowed-hosts": ["github.com", "imgur.com"], "denied-hosts": ["i.imgur.com"]}
    }
    findings = [
        f for f in image_findings(HOSTS_TEXT, rules=rules, site_root=tmp_path) if f.rule == "FM403"
    ]
    assert [(f.line, f.column) for f in findings] == [(3, 8), (10, 6), (12, 6), (14, 6)]
    assert "denied-hosts" in findings[-1].message and "`i.imgur.com`" in findings[-1].message


def test_host_patterns() -> None:
    assert host_matches("cdn.example.com", ["example.com"]) == "example.com"
    assert host_matches("EXAMPLE.com.", ["example.com"]) == "example.com"
    assert host_matches("badexample.com", ["example.com"]) is None
    assert host_matches("example.com", ["*.example.com"]) is None
    assert host_matches("a.example.com", ["*.example.com"]) == "*.example.com"
    assert host_matches("a.example.com", ["=example.com"]) is None
    assert host_matches("example.com", ["=example.com"]) == "=example.com"
    assert host_matches("cdn.example.com", ["https://example.com/"]) == "https://example.com/"
    assert host_matches("xn--fsqu00a.xn--0zwm56d", ["例子.测试"]) == "例子.测试"


# ------------------------------------------------------------------ FM404


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A site root with assets/images/photo.gif, a post folder and a file
    outside the root."""
    root = tmp_path / "site"
    (root / "assets" / "images").mkdir(parents=True)
    (root / "assets" / "images" / "photo.gif").write_bytes(b"GIF89a")
    (root / "assets" / "images" / "my photo.gif").write_bytes(b"GIF89a")
    (root / "_posts" / "2024").mkdir(parents=True)
    (root / "_posts" / "2024" / "pic.png").write_bytes(b"PNG")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.jpg").write_bytes(b"secret")
    return root


def test_site_absolute_paths_against_site_root(site: Path) -> None:
    text = article(
        "![A](/assets/images/photo.gif)",
        "",
        "![B](/assets/images/missing.jpg)",
        "",
        "![C](/assets/images/photo.gif?v=2#frag)",
        "",
        "![D](/assets/images/my%20photo.gif)",
        "",
        "![E](/assets/images)",
        "",
        "![F](relative/only-with-a-file.jpg)",
        image='"/assets/images/lead-missing.jpg"',
    )
    findings = image_findings(text, site_root=site)
    assert where(findings) == [(3, 8, "FM404"), (8, 6, "FM404"), (14, 6, "FM404")]
    assert "`/assets/images/lead-missing.jpg` does not exist" in findings[0].message
    assert "site root" in findings[0].message
    assert findings[1].subject == "/assets/images/missing.jpg"
    assert "folder" in findings[2].message
    # against another root, the present images are missing too
    other = site / "assets"
    assert [c[0] for c in codes(text, site_root=other)] == [3, 6, 8, 10, 12, 14]


def test_front_matter_relative_path_is_site_relative(site: Path) -> None:
    text = article("Text.", image='"assets/images/photo.gif"')
    assert codes(text, site_root=site) == []
    text = article("Text.", image='"assets/images/nope.gif"')
    assert codes(text, site_root=site) == [(3, 8, "FM404")]


def _lint_files(
    site: Path, files: dict[str, str], select: Sequence[str] = ("FM4",)
) -> list[Finding]:
    from linter.api import lint_paths

    for name, text in files.items():
        path = site / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    config = Config(root=site, site_root=site, select=tuple(select), collection_roots=(site,))
    result = lint_paths([site / name for name in files], config)
    return result.findings


def test_relative_paths_against_the_file(site: Path) -> None:
    text = article(
        "![A](pic.png)",
        "",
        "![B](./pic.png)",
        "",
        "![C](../2024/pic.png)",
        "",
        "![D](../../assets/images/photo.gif)",
        "",
        "![E](missing.png)",
        "",
        "![F](pic.png/deeper.png)",
    )
    findings = _lint_files(site, {"_posts/2024/post.md": text})
    assert where(findings) == [(13, 6, "FM404"), (15, 6, "FM404")]
    assert "file's folder" in findings[0].message


# ------------------------------------------------------------------ FM405


def test_traversal_is_outside_root_not_missing(site: Path) -> None:
    text = article(
        "![A](../../../outside/secret.jpg)",  # exists, but outside the root
        "",
        "![B](../../../../../../../../etc/passwd)",
        "",
        "![C](/../outside/secret.jpg)",
        "",
        "![D](/assets/%2E%2E/%2E%2E/outside/secret.jpg)",
        "",
        "![E](../../assets/../../outside/secret.jpg)",
    )
    findings = _lint_files(site, {"_posts/2024/post.md": text})
    assert where(findings) == [
        (5, 6, "FM405"),
        (7, 6, "FM405"),
        (9, 6, "FM405"),
        (11, 6, "FM405"),
        (13, 6, "FM405"),
    ]
    assert "outside the site root" in findings[0].message
    assert "was not read" in findings[0].message


def test_symlink_escapes(site: Path) -> None:
    outside = site.parent / "outside"
    (site / "assets" / "rel-link").symlink_to(Path("..") / ".." / "outside")
    (site / "assets" / "abs-link").symlink_to(outside)
    (site / "assets" / "inner-link").symlink_to(site / "assets" / "images")
    (site / "assets" / "file-link.gif").symlink_to(Path("images") / "photo.gif")
    (site / "assets" / "loop").symlink_to("loop")
    text = article(
        "![A](/assets/rel-link/secret.jpg)",
        "",
        "![B](/assets/abs-link/secret.jpg)",
        "",
        "![C](/assets/inner-link/photo.gif)",
        "",
        "![D](/assets/file-link.gif)",
        "",
        "![E](/assets/loop/x.gif)",
    )
    findings = image_findings(text, site_root=site)
    assert where(findings) == [(5, 6, "FM405"), (7, 6, "FM405"), (13, 6, "FM404")]
    assert "symbolic link `assets/rel-link`" in findings[0].message
    assert "symbolic link `assets/abs-link`" in findings[1].message


class _Recorder:
    """Records every path the file-system functions are asked about."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.paths: list[str] = []
        for module, name in [
            (os, "stat"),
            (os, "lstat"),
            (os, "readlink"),
            (os, "open"),
            (os, "listdir"),
            (os, "scandir"),
            (builtins, "open"),
            (io, "open"),
        ]:
            monkeypatch.setattr(module, name, self._wrap(getattr(module, name)))

    def _wrap(self, real: object) -> object:
        def spy(*args: object, **kwargs: object) -> object:
            if args and isinstance(args[0], (str, os.PathLike)):
                self.paths.append(os.path.abspath(os.fspath(args[0])))
            return real(*args, **kwargs)  # type: ignore[operator]

        return spy


def test_paths_outside_the_root_are_never_touched(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from linter.document import read_document

    (site / "assets" / "rel-link").symlink_to(Path("..") / ".." / "outside")
    post = site / "_posts" / "2024" / "post.md"
    post.write_text(
        article(
            "![A](../../../outside/secret.jpg)",
            "",
            "![B](/assets/rel-link/secret.jpg)",
            "",
            "![C](../../assets/images/photo.gif)",
            "",
            "![D](/assets/images/missing.gif)",
        ),
        encoding="utf-8",
    )
    doc = read_document(post, "post.md")
    assert len(doc.structure.images) == 4  # parsed before recording
    context = RunContext(site_root=site, config_root=site)
    outside_rule, missing_rule = ImageOutsideRoot({}, context), LocalImageMissing({}, context)
    recorder = _Recorder(monkeypatch)
    outside = list(outside_rule.check(doc))
    missing = list(missing_rule.check(doc))
    monkeypatch.undo()
    assert [(p.line, p.column) for p in outside] == [(5, 6), (7, 6)]
    assert [(p.line, p.column) for p in missing] == [(11, 6)]
    assert recorder.paths, "the rules looked at the images inside the root"
    root = str(site) + os.sep
    assert [p for p in recorder.paths if not p.startswith(root)] == []
    secret = str(site.parent / "outside")
    assert not any(p.startswith(secret) for p in recorder.paths)


@pytest.mark.parametrize(
    ("parts", "kind"),
    [
        ("assets/images/photo.gif", "file"),
        ("assets/images", "folder"),
        ("assets/images/none.gif", "missing"),
        ("assets/images/photo.gif/x", "missing"),
        ("../outside/secret.jpg", "outside"),
        ("assets/../../outside/secret.jpg", "outside"),
        ("assets/./images/../images/photo.gif", "file"),
        ("", "folder"),
    ],
)
def test_locate(site: Path, parts: str, kind: str) -> None:
    assert locate(str(site), parts.split("/")).kind == kind


def test_relative_paths_need_a_file(site: Path) -> None:
    # lint_text has no file: relative body paths are not checked (nor escapes)
    text = article("![A](missing.png)", "", "![B](../../../etc/passwd)")
    assert codes(text, site_root=site) == []


# ------------------------------------------------------------------ FM406


def test_missing_alt_variants() -> None:
    text = article(
        f"![]({GOOD})",
        "",
        f"![   ]({GOOD})",
        "",
        "Text with an inline ![](https://github.com/i.jpg) image.",
        "",
        f'<img src="{GOOD}">',
        "",
        f'<p>Inline <img src="{GOOD}" alt=""> and <img alt="  " src="{GOOD}"></p>',
        "",
        "![][photo]",
        "",
        f"![A described photo]({GOOD})",
        "",
        f'<img src="{GOOD}" alt="A described photo">',
        "",
        f"[photo]: {GOOD}",
        image=f'"{GOOD}"',
    )
    findings = image_findings(text)
    assert where(findings) == [
        (6, 1, "FM406"),
        (8, 1, "FM406"),
        (10, 21, "FM406"),
        (12, 1, "FM406"),
        (14, 11, "FM406"),
        (14, 114, "FM406"),
        (16, 1, "FM406"),
    ]
    assert all(f.severity is Severity.WARNING for f in findings)
    assert "alt=" in findings[3].message
    assert findings[0].subject == GOOD


def test_alt_severity_can_be_raised() -> None:
    findings = image_findings(article(f"![]({GOOD})"), rules={"FM406": {"severity": "error"}})
    assert [(f.rule, f.severity) for f in findings] == [("FM406", Severity.ERROR)]


def test_alt_suppression_by_name_and_range() -> None:
    text = article(
        "<!-- fmlint-disable-next-line image-alt-missing -->",
        f"![]({GOOD})",
        "",
        "<!-- fmlint-disable FM406 -->",
        f"![]({GOOD})",
        "<!-- fmlint-enable FM406 -->",
        "",
        f"![]({GOOD})",
    )
    assert where(lint(text, select=["FM4", "FM002"])) == [(12, 1, "FM406")]


def test_images_in_code_are_not_images() -> None:
    text = article("```markdown", "![](http://x)", "```", "", "`![](javascript:x)`")
    assert codes(text) == []


# ------------------------------------------------------------------ FM407 and references


def test_reference_images() -> None:
    text = article(
        "![Defined][photo]",
        "",
        "![Undefined][phota]",
        "",
        "![Shortcut]",
        "",
        "![Collapsed][]",
        "",
        f"[photo]: {GOOD}",
        f"[collapsed]: {GOOD}",
    )
    findings = image_findings(text)
    assert where(findings) == [(7, 1, "FM407"), (9, 1, "FM407")]
    assert "`[phota]`" in findings[0].message and "did you mean `[photo]`" in findings[0].message
    assert findings[1].subject == "shortcut"
    assert findings[0].severity is Severity.ERROR


def test_reference_definition_url_checked_once_at_the_definition() -> None:
    text = article(
        "![One][bad]",
        "",
        "![Two][bad]",
        "",
        "![Three][js]",
        "",
        "[bad]: http://github.com/a.jpg",
        "[js]: <&#106;avascript:alert(1)>",
        "[unused]: htps://not-an-image.example",
    )
    findings = image_findings(text)
    # one finding per definition used by images, at the definition's URL
    assert where(findings) == [(11, 8, "FM402"), (12, 8, "FM402")]


# ------------------------------------------------------------------ analysis helpers


@pytest.mark.parametrize(
    ("url", "kind", "scheme", "problem"),
    [
        (GOOD, "remote", "https", False),
        ("//cdn.example.com/a.jpg", "scheme-relative", "", False),
        ("/assets/a.jpg", "local", "", False),
        ("a.jpg", "local", "", False),
        ("{{ site.baseurl }}/a.jpg", "liquid", "", False),
        ("&#x6A;avascript:x", "remote", "javascript", False),
        (" \x00JAVASCRIPT:x", "remote", "javascript", False),
        ("htps://x.com", "remote", "htps", True),
        ("https:/x.com", "remote", "https", True),
    ],
)
def test_analyse_url(url: str, kind: str, scheme: str, problem: bool) -> None:
    info = analyse_url(url)
    assert (info.kind, info.scheme, info.problem is not None) == (kind, scheme, problem)


# ------------------------------------------------------------------ the corpus


IMAGE_KINDS = ("bad_image_url", "missing_local_image", "empty_image_alt")


def _corpus_findings(corpus: Path) -> Iterator[tuple[str, Finding]]:
    from linter.api import lint_paths

    config = Config(root=corpus, site_root=corpus, select=("FM4",), collection_roots=(corpus,))
    result = lint_paths([corpus], config)
    for finding in result.findings:
        path = Path(os.path.abspath(finding.path)).relative_to(corpus.resolve())
        yield path.as_posix(), finding


def test_corpus_recall(corpus: Path) -> None:
    truth = json.loads((corpus / "defects.json").read_text(encoding="utf-8"))["defects"]
    corpus = corpus.resolve()
    found: dict[str, list[Finding]] = {}
    for path, finding in _corpus_findings(corpus):
        found.setdefault(path, []).append(finding)

    expected_errors: set[tuple[str, int, str]] = set()
    image_defects = [d for d in truth if d["kind"] in IMAGE_KINDS]
    assert {d["kind"] for d in image_defects} == set(IMAGE_KINDS)
    for defect in image_defects:
        if defect["kind"] == "bad_image_url":
            code = "FM402" if defect["detail"].startswith("http://") else "FM401"
        elif defect["kind"] == "missing_local_image":
            code = "FM404"
        else:
            code = "FM406"
        hits = [
            f for f in found.get(defect["path"], []) if f.rule == code and f.line == defect["line"]
        ]
        assert hits, f"{defect} not found by {code}"
        if code != "FM406":
            assert hits[0].subject == defect["detail"]
            expected_errors.add((defect["path"], defect["line"], code))

    errors = {
        (path, f.line, f.rule)
        for path, findings in found.items()
        for f in findings
        if f.severity is Severity.ERROR
    }
    # no FM4xx error anywhere but at the injected image defects
    assert errors == expected_errors
    warnings = {
        f.rule for findings in found.values() for f in findings if f.severity is Severity.WARNING
    }
    assert warnings <= {"FM406"}


def _url_variants(rng: random.Random) -> list[str]:
    parts = [
        "http",
        "https",
        "HTTPS",
        "ftp",
        "",
        ":",
        "//",
        "///",
        "/",
        "example.com",
        "Example.COM",
        "a-b.example.com",
        "-bad.com",
        "bad-.com",
        "a..b",
        "under_score.com",
        "1.2.3.4",
        "[::1]",
        "host.",
        ":8080",
        ":99999",
        "user@",
        "/path/img.jpg",
        "?w=1&h=2",
        "#frag",
        "%20",
        "%zz",
        " ",
        "\t",
        "\\",
        "{{ site.url }}",
        "é",
        "\u200b",
        "!$'()*+,;=:@",
        "~._-",
        "..",
        "|",
        "^",
    ]
    found = [
        "https://www.khmertimeskh.com/wp-content/uploads/2024/10/a.jpg",
        "http://example.com",
        "https://example.com?x",
        "https://example.com#x",
        "https://EXAMPLE.com/A.JPG",
    ]
    for _ in range(3000):
        found.append("".join(rng.choice(parts) for _ in range(rng.randint(1, 6))))
        scheme = rng.choice(["http", "https"])
        found.append(
            f"{scheme}://" + "".join(rng.choice(parts[9:]) for _ in range(rng.randint(1, 4)))
        )
        host = rng.choice(["example.com", "a-b.example.com", "x1.y2", "localhost", "1.2.3.4"])
        tail = "".join(
            rng.choice(["/", "img.jpg", "?w=1", "#f", "~._-", "!$'()*+,;=:@"]) for _ in range(3)
        )
        found.append(f"{scheme}://{host}{tail}")
    return found


def test_plain_urls_get_the_answer_of_every_check() -> None:
    """The fast path for plain http(s) URLs answers exactly what the full
    analysis answers, and does serve the common shapes."""
    from linter.rules.images import _PLAIN_URL, _analyse_url, analyse_url

    served = 0
    for url in _url_variants(random.Random(11)):
        assert analyse_url(url) == _analyse_url(url), url
        served += _PLAIN_URL.fullmatch(url) is not None
    assert served > 500
    assert _PLAIN_URL.fullmatch("https://www.khmertimeskh.com/wp-content/uploads/2024/10/a.jpg")
