"""The fast scanner against the markdown-it-py reference parser.

* differential: ``scan(body, n) == parse(body, n)`` field by field on the
  fixtures, on generated corpora and on a large set of tricky hand-written
  bodies, plus a seeded fuzz test over random combinations of lines;
* which bodies the scanner handles itself (``try_scan`` is not ``None``) and
  which it hands to the reference parser;
* unit tests of the reference parser's records and positions.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from linter.body import (
    Block,
    BodyStructure,
    Comment,
    EmphasisParagraph,
    Heading,
    Image,
    ReferenceDefinition,
)
from linter.markdown_ref import parse
from linter.markdown_scan import scan, try_scan

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
MAKE_CORPUS = HERE.parents[1] / "shared" / "bench" / "make_corpus.py"
FIELDS = ("headings", "images", "definitions", "emphasis_paragraphs", "comments", "first_block")


def split_front_matter(text: str) -> tuple[str, int]:
    """(body, file line of the body's first line) of a Jekyll-style file."""
    lines = text.split("\n")
    if lines and lines[0].rstrip("\r") == "---":
        for index in range(1, len(lines)):
            if lines[index].rstrip("\r") in ("---", "..."):
                return "\n".join(lines[index + 1 :]), index + 2
    return text, 1


def differences(body: str, first_line: int = 1) -> list[str]:
    """The fields on which scan() and parse() disagree, with both values."""
    got, want = scan(body, first_line), parse(body, first_line)
    return [
        f"{name}:\n  scan : {getattr(got, name)!r}\n  parse: {getattr(want, name)!r}"
        for name in FIELDS
        if getattr(got, name) != getattr(want, name)
    ]


def assert_same(body: str, first_line: int = 1) -> None:
    diff = differences(body, first_line)
    assert not diff, f"body {body!r}\n" + "\n".join(diff)


# ------------------------------------------------------------------ fixtures


def _fixture_files() -> list[Path]:
    return sorted(FIXTURES.rglob("*.md")) if FIXTURES.is_dir() else []


@pytest.mark.parametrize("path", _fixture_files(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture_files(path: Path) -> None:
    text = path.read_bytes().decode("utf-8", errors="replace")
    body, first_line = split_front_matter(text)
    assert_same(body, first_line)


# ------------------------------------------------------------------ generated corpora


def _corpus(tmp_path_factory: pytest.TempPathFactory, *args: str) -> list[tuple[str, str, int]]:
    if not MAKE_CORPUS.is_file():
        pytest.skip(f"{MAKE_CORPUS} not found")
    out = tmp_path_factory.mktemp("corpus")
    subprocess.run(
        [sys.executable, str(MAKE_CORPUS), "--out", str(out), *args],
        check=True,
        capture_output=True,
    )
    files = []
    for path in sorted(out.rglob("*.md")):
        body, first_line = split_front_matter(path.read_text(encoding="utf-8"))
        files.append((str(path.relative_to(out)), body, first_line))
    assert files
    return files


@pytest.mark.parametrize(
    "args",
    [
        ("--count", "300", "--seed", "7"),
        ("--count", "300", "--seed", "8"),
        ("--count", "150", "--seed", "9", "--defect-rate", "1"),
    ],
    ids=["seed7", "seed8", "seed9-all-defective"],
)
def test_generated_corpus(tmp_path_factory: pytest.TempPathFactory, args: tuple[str, ...]) -> None:
    files = _corpus(tmp_path_factory, *args)
    failures = []
    native = 0
    for name, body, first_line in files:
        diff = differences(body, first_line)
        if diff:
            failures.append(f"{name} (body line {first_line}):\n" + "\n".join(diff))
        native += try_scan(body, first_line) is not None
    assert not failures, "\n\n".join(failures[:5])
    # the scanner must handle the realistic corpus itself, not delegate it
    assert native >= 0.98 * len(files), f"only {native}/{len(files)} scanned natively"


def test_example_article() -> None:
    text = (HERE.parent / "examples" / "seed-article.md").read_text(encoding="utf-8")
    body, first_line = split_front_matter(text)
    assert_same(body, first_line)
    result = try_scan(body, first_line)
    assert result is not None
    assert [h.text for h in result.headings] == ["What makes South Korea a great partner of ASEAN?"]
    assert [(p.text[:8], p.strong) for p in result.emphasis_paragraphs] == [
        ("Strategi", True),
        ("**Seun S", False),
    ]


# ------------------------------------------------------------------ tricky bodies

# Bodies the scanner must handle itself (and agree with the reference on).
NATIVE = [
    # --- headings
    "# Title",
    "# Title #",
    "# Title ###   ",
    "# Title#",
    "# Title \\#",
    "## Title ## x",
    "#",
    "# ",
    "#\tTab heading",
    "### ###",
    "#5 bolt",
    "#hashtag",
    "####### seven",
    "   # three spaces",
    "    # four spaces is code",
    "\t# tab is code",
    "text\n# heading interrupts",
    "text\n    # not a heading (continuation)",
    "# A *b* `c` <!-- d -->",
    "# Heading ![img](/a.png)",
    "# Title\nText right after",
    # --- setext and thematic breaks
    "Title\n=====",
    "Title\n---",
    "Title\n-",
    "Title\n= =",
    "Title\n  ===  ",
    "Title\n    ===",
    "Two\nlines\n===",
    "Two\n  indented\n---",
    "text\n\n---",
    "---",
    "***",
    "___",
    "- - -",
    " * * *",
    "text\n***",
    "text\n___",
    "===",
    "\n===\n",
    "**Bold**\n---",
    "# H\n===",
    "\u3000\nTitle\n===",
    "[ref]: /url\nTitle\n===",
    "[ref]: /url\n===",
    # --- fences
    "```\n# not a heading\n![x](y)\n<!-- no -->\n```\n# after",
    "~~~\n```\n# inside\n```\n~~~\n# out",
    "```\n~~~\n# inside\n~~~\n```",
    "````\n```\n# inside\n````",
    "```\n# unclosed\n![x](y)",
    "```js\ncode\n```",
    "``` js ```\n# heading: not a fence",
    "~~~ a`b\n# in\n~~~",
    "```\ncode\n   ```\n# out",
    "```\ncode\n    ```\n# still in",
    "```\ncode\n``` x\n# still in",
    "```\ncode\n````  \n# out",
    "~~~\ncode\n```\n# in",
    "para\n```\nfenced\n```",
    "  ```\n  # x\n  ```\n# y",
    "```\n\n\n```\n\n# after blank lines",
    # --- indented code
    "    # code\n    ![x](y)",
    "para\n    ![lazy](cont.png)",
    "    code\n\n    more\n# h",
    "\t![tab](code.png)",
    "   ![three spaces](ok.png)",
    # --- HTML blocks
    "<!-- # not a heading -->\n# heading",
    "<!--\n# in comment\n-->\n# out",
    "<!-- unclosed\n# in comment",
    "<!-- a --> <!-- b -->",
    "<!-->\n# after",
    "<!--->\n# after",
    "<div>\n# in html\n\n# out",
    '<div>\n<!-- c -->\n<img src="a.png" alt="A">\n</div>',
    "<DIV class=x>\n*not emphasis*\n</DIV>",
    "<script>\n# x\n\n# still script\n</script>\n# out",
    "<pre>\n![x](y)\n</pre>",
    "<style>p{}</style>\n# after",
    "<textarea>\n\n# t\n</textarea>",
    "<?php echo 1; ?>\n# after",
    "<!DOCTYPE html>\n# after",
    "<![CDATA[\n# x\n]]>\n# y",
    '<img src="a.png">',
    "<img src='b.png' alt='B' title='T'>",
    "<img src=c.png alt=C>",
    '<img alt="no src">',
    "<img src>",
    '<IMG SRC="UPPER.PNG" ALT="U">',
    '<img src="&#106;avascript:alert(1)" alt="x &amp; y">',
    '<img\n  src="multi.png"\n  alt="line">',
    '<img src="a.png" src="b.png">',
    'text\n<img src="in-para.png">',
    "text\n<div>interrupts</div>",
    "<span>type seven</span>\n# next",
    "text\n<span>no interrupt</span>",
    '<a href="x">\n![img](y)\n</a>',
    "<div><!-- c1 --><!-- c2 --></div>",
    '<div>\n<!-- <img src="hidden.png"> -->\n</div>',
    '<div>\n<img src="broken\n</div>',
    "  <!-- indented comment -->",
    "<!-- x -->trailing text\n# h",
    # --- inline images
    "![alt](url)",
    "![](https://example.com/a.png)",
    '![alt](url "title")',
    "![alt](url 'title')",
    "![alt](url (title))",
    '![alt](url "")',
    '![alt](<url with spaces> "t")',
    "![alt](<>)",
    "![alt]()",
    "![alt]( url )",
    '![alt](\n  url\n  "title"\n)',
    '![alt](url"no space title")',
    '![alt](url "unclosed)',
    "![alt](url) trailing ![two](u2)",
    "![a [nested] b](url)",
    "![a [b [c]] d](url)",
    "![a ![inner](i.png) b](outer.png)",
    "![a `]` b](url)",
    "![a \\] b](url)",
    "![a](url(with)parens)",
    "![a](url(unbalanced)",
    "![a](url\\)esc)",
    "![a](\\(x)",
    "![a](u&amp;v)",
    "![a](&#106;avascript:alert(1))",
    "![a](javascript:alert(1))",
    "![a](<a&gt;b>)",
    '![a](%20 "t&quot;")',
    "![*emph* alt](u)",
    '![alt](url "t" extra)',
    "\\![x](y)",
    "\\\\![x](y)",
    "!\\[x](y)",
    "`![x](y)`",
    "``![x](y)``",
    "`` ` ![x](y) ` ``",
    "`unclosed ![x](y)",
    "```![x](y)``",
    "<http://a.com/![x](y)>",
    '<span title="![x](y)">t</span>',
    "[link ![img](i.png)](href)",
    "[![badge](b.svg)](https://ci)",
    "[a](![x](y))",
    '[a](u "![x](y)")',
    "[link](<a b>) ![x](y)",
    "[not a link] ![x](y)",
    "[a]![x](y)",
    "![x](y)[a]",
    "!![x](y)",
    "![x](y)!",
    "![",
    "![]",
    "![x",
    "![x]",
    "![x](",
    "text ![multi\nline alt](url) more",
    "line one\n![second line](url)",
    "![a](b)\n![c](d)",
    "   ![indent](u)",
    "![a](u)  \n![b](v)",
    "*![em](u)*",
    "**![strong](u)**",
    "![über](ü.png)",
    "Ⅻ ![x](y)",
    # --- reference images and definitions
    "![alt][ref]\n\n[ref]: /url",
    '![alt][REF]\n\n[ref]: /url "Title"',
    "![alt][]\n\n[alt]: /url",
    "![alt]\n\n[alt]: /url",
    "![Alt  Text]\n\n[alt text]: /url",
    "![alt][ref]",
    "![alt][]",
    "![alt]",
    "![alt] [ref]\n\n[ref]: /u",
    "![alt][ref] ![b][ref]\n\n[ref]: /u",
    "![a][x]\n\n[x]: /first\n[x]: /second",
    "[ref]: /url",
    "[ref]: <url with space>",
    "[ref]: /url 'single'",
    "[ref]: /url (paren)",
    "[ref]:/url",
    "   [ref]: /url",
    '[ref]: /url "t" garbage',
    "[ref]: /url garbage",
    '[ref]: "not a url"',
    "[ref]: /url\n# heading",
    "[ref]: /url\nparagraph text",
    "[a]: /1\n[b]: /2\n\n![x][a] ![y][b]",
    "[ ]: /url",
    "[a\\]b]: /url\n\n![x][a\\]b]",
    "[a[b]: /url",
    "[ref] : /url",
    "[ref]",
    "[ref]\n\ntext",
    "[ref] no\nlabel",
    "text\n[ref]: /not-a-definition\n\n![x][ref]",
    "[ref]: &#106;avascript:x\n\n![i][ref]",
    "[ref]: /u\\_v\n\n![i][ref]",
    "![x][ref]\n\n[REF]: /u",
    "[link][ref] ![img][ref]\n\n[ref]: /u",
    "[![img][i]][l]\n\n[i]: /i.png\n[l]: /l",
    "![a][b][c]\n\n[c]: /u",
    "![a][b [c]]",
    "![a][]\n\n[ a ]: /u",
    "![a\nb][]\n\n[a b]: /u",
    "[ref]: /url\n\n# after",
    "# H\n[ref]: /url",
    # --- comments
    "text <!-- inline --> text",
    "text <!-- multi\nline --> text",
    "<!-- a -->",
    "<!---->",
    "text <!--> x",
    "text <!---> x",
    "text <!-- a -- b --> x",
    "text <!-- a --->",
    "text <!-- unclosed",
    "`<!-- in code -->`",
    "\\<!-- escaped -->",
    "text <img src=\"x.png\" alt='y'> text",
    "text <img src=x.png> and <IMG SRC='y'>",
    'text <img/> <img src="a"/>',
    'text <imgx src="no">',
    "<!-- fmlint-disable FM301 -->\n# H",
    "# H <!-- fmlint-disable-line -->",
    # --- emphasis paragraphs
    "**Bold**",
    "__Bold__",
    "*Em*",
    "_Em_",
    "**Bold.**",
    '**"Quoted"**',
    "_**Seun Sam is an analyst.** The views are his own._",
    "**a _b_ c**",
    "__init__",
    "**Multi\nline**",
    "**Bold**  ",
    "  **Bold**",
    "**Bold**\nText on the next line",
    "Text\n**Bold**",
    "** spaced **",
    "**spaced **",
    "** spaced**",
    "*a *",
    "**",
    "_",
    "__",
    "**Bold** text",
    "text **Bold**",
    "**Bold** ![i](u)",
    "**![i](u)**",
    "*`code`*",
    "_a*b_",
    "*a_b*",
    "\u00a0**nbsp**",
    "**tab\t**",
    "**a**\n\n__b__\n\n*c*\n\n_d_",
    # --- first block
    "",
    "\n\n",
    "   \n\t\n",
    "[ref]: /url\n\n# H",
    "[ref]: /url\n\ntext",
    "\n\n<!-- c -->\n# H",
    "\n    code\n# H",
    "---\n# H",
    "```\n```",
    # --- line endings and odd characters
    "# Title\r\n\r\n![a](b)\r\n",
    "Title\r\n===\r\n\r\n**Bold**\r\n",
    "Text <!-- a\r\nb -->\r\n",
    "# Title\rtext\r![a](b)",
    "a\0b ![x\0](y)",
    "trailing spaces   \n\n   \n",
    "text\n \n# h",
    "\u2028# not a line break",
    "| a | b |\n|---|---|\n| ![x](y) | c |",
    "Text with `code` and [link](u) and ![img](v) and <b>bold</b> &amp; done.",
    "text & more &amp; ![x](a&b) &#x26;",
]

# Bodies the scanner hands to the reference parser (containers, lists,
# multi-line definitions, ambiguous emphasis...), still compared.
FALLBACK = [
    "> # quoted heading",
    "> ![q](u)",
    "> quote\nlazy continuation",
    "- item",
    "* item",
    "+ item",
    "1. item",
    "2) item",
    "-",
    "- # heading in list\n- ![img](u)",
    "text\n- list interrupts",
    "text\n2. no interrupt",
    "* * x",
    "[ref]:\n/url\n\n![x][ref]",
    '[ref]: /url\n"title on next line"\n\n![x][ref]',
    '[ref]: /url "unclosed\ntitle"\n\n![x][ref]',
    "[multi\nline]: /url\n\n![x][multi line]",
    "*a* b *c*",
    "**a** and **b**",
    "***strong em***",
    "**a*",
    "*a **b** c*",
    "**a\\**",
    "_a_b_",
    "> - [ref]: /u\n\n![x][ref]",
    "1. **Bold**",
    "- **Bold**",
    "> **Bold**",
]


@pytest.mark.parametrize("body", NATIVE)
def test_native_bodies(body: str) -> None:
    assert_same(body, 5)
    assert try_scan(body, 5) is not None, "the scanner should handle this body itself"


@pytest.mark.parametrize("body", FALLBACK)
def test_fallback_bodies(body: str) -> None:
    assert_same(body, 5)
    assert try_scan(body, 5) is None, "the scanner should delegate this body"


def test_scan_falls_back_to_parse() -> None:
    body = "> # Quoted\n\n![a](b)"
    assert try_scan(body, 3) is None
    assert scan(body, 3) == parse(body, 3)


# ------------------------------------------------------------------ fuzz

PIECES = [
    "",
    "",
    "",
    "   ",
    "Plain paragraph text.",
    "More text, with words",
    "# Heading",
    "## Heading ##",
    "### ",
    "#5 bolt",
    "#",
    "Setext",
    "===",
    "---",
    "***",
    "- - -",
    "**Bold pseudo-heading**",
    "__Bold__",
    "*Em*",
    "_**Author** is someone._",
    "** not bold **",
    "**a** b",
    "![alt](https://example.com/a.png)",
    "![](/assets/images/photo-01.gif)",
    '![alt [nested]](<u v> "title")',
    "![alt](u 'title') and ![b](c)",
    "![ref image][ref]",
    "![Ref]",
    "![undefined][nope]",
    "![collapsed][]",
    '[ref]: /ref.png "Ref title"',
    "[ref]: /other.png",
    "[other]: <a b> 'x'",
    "[nope]:",
    "\\![escaped](x)",
    "`code ![x](y)`",
    "``` ",
    "```python",
    "~~~",
    "````",
    "    indented ![c](d)",
    "\tTabbed ![e](f)",
    "<!-- comment -->",
    "<!-- multi",
    "line -->",
    "<!-->",
    'text <!-- inline --> <img src="i.png" alt="I">',
    "<div>",
    "</div>",
    "<img src='b.png' alt=B>",
    "<pre>",
    "</pre>",
    "<script>",
    "</script>",
    "<span>x</span>",
    "[link ![in](link.png)](href)",
    "[a](b) [c][ref]",
    "<http://auto.link/![x](y)>",
    "&#35; entity &amp; ![x](a&amp;b)",
    "text with trailing spaces   ",
    "  two-space indent",
    "> quote",
    "- list",
    "1. list",
    "| a | b |",
    "<?x ?>",
    "\u00a0**nbsp**",
    "ខ្មែរ ![រូប](u.png)",
]


def _fuzz_body(rng: random.Random) -> str:
    lines = [rng.choice(PIECES) for _ in range(rng.randint(1, 12))]
    if rng.random() < 0.3:
        i, j = rng.randrange(len(lines)), rng.randrange(len(PIECES))
        lines[i] = lines[i] + " " + PIECES[j]
    newline = "\r\n" if rng.random() < 0.1 else "\n"
    return newline.join(lines) + (newline if rng.random() < 0.5 else "")


def test_fuzz_scan_against_parse() -> None:
    rng = random.Random(20241025)
    deadline = time.monotonic() + 20.0
    checked = native = 0
    for _ in range(3000):
        if time.monotonic() > deadline:
            break
        body = _fuzz_body(rng)
        first_line = rng.randint(1, 40)
        diff = differences(body, first_line)
        assert not diff, f"body {body!r}\n" + "\n".join(diff)
        checked += 1
        native += try_scan(body, first_line) is not None
    assert checked >= 300
    assert native >= checked // 2  # most random bodies stay on the fast path


# ------------------------------------------------------------------ reference positions


def test_parse_atx_and_setext_headings() -> None:
    body = "# One #\n\n  ## Two\n\nThree\n  and more  \n---\n\n> ### Four"
    assert parse(body, 10).headings == [
        Heading(1, "One", 10, 1, 10),
        Heading(2, "Two", 12, 3, 12),
        Heading(2, "Three\nand more", 14, 1, 16, setext=True),
        Heading(3, "Four", 18, 3, 18),
    ]


def test_parse_headings_not_in_code_html_or_comments() -> None:
    body = "```\n# a\n```\n\n    # b\n\n<!--\n# c\n-->\n\n<div>\n# d\n</div>\n\n#e\n\n# f"
    assert [(h.text, h.line) for h in parse(body, 1).headings] == [("f", 17)]


def test_parse_inline_image_positions() -> None:
    body = 'Intro\nSee ![An *alt*](<a b.png> "T") and\n![x](\n  y.png)'
    assert parse(body, 3).images == [
        Image("a b.png", "An *alt*", 4, 5, "inline", "T", url_line=4, url_column=18),
        Image("y.png", "x", 5, 1, "inline", url_line=6, url_column=3),
    ]


def test_parse_image_url_decoding() -> None:
    body = "![a](&#106;avascript:x) ![b](a\\_b%20c) ![c](<&amp;>)"
    assert [i.url for i in parse(body, 1).images] == ["javascript:x", "a_b%20c", "&"]


def test_parse_reference_images_and_definitions() -> None:
    body = "![A][Logo] ![Logo] ![b][]\n![u][missing]\n\n  [logo]: /logo.png 'L'\n[LOGO]: /dup.png"
    result = parse(body, 7)
    assert result.definitions == [
        ReferenceDefinition("logo", "/logo.png", 10, 3),
        ReferenceDefinition("logo", "/dup.png", 11, 1),
    ]

    def logo(alt: str, column: int) -> Image:
        return Image("/logo.png", alt, 7, column, "reference", "L", "logo", True, 10, 11)

    assert result.images == [
        logo("A", 1),
        logo("Logo", 12),
        Image("", "b", 7, 20, "reference", reference="b", defined=False),
        Image("", "u", 8, 1, "reference", reference="missing", defined=False),
    ]


def test_parse_multiline_definition_position() -> None:
    body = '[Foo  Bar]:\n   <the url>\n  "title"\n\n![x][foo bar]'
    result = parse(body, 2)
    assert result.definitions == [ReferenceDefinition("foo bar", "the url", 2, 1)]
    assert result.images[0].url_line == 3 and result.images[0].url_column == 5
    assert result.images[0].title == "title"
    assert result.first_block == Block("paragraph", 6)


def test_parse_html_images_and_comments() -> None:
    body = (
        "Text <!-- one --> and <img alt=\"A &amp; B\" src='p&amp;q.png'>.\n\n"
        "<div>\n  <!-- two\n  lines -->\n<IMG SRC=r.png>\n</div>"
    )
    result = parse(body, 1)
    assert result.comments == [
        Comment("one", 1, 6, 1),
        Comment("two\n  lines", 4, 3, 5),
    ]
    assert result.images == [
        Image("p&q.png", "A & B", 1, 23, "html", url_line=1, url_column=49),
        Image("r.png", "", 6, 1, "html", url_line=6, url_column=10),
    ]


def test_parse_comment_first_block_is_html() -> None:
    result = parse("\n<!-- fmlint-disable -->\n# Title", 4)
    assert result.first_block == Block("html", 5)
    assert result.comments == [Comment("fmlint-disable", 5, 1, 5)]
    assert result.headings == [Heading(1, "Title", 6, 1, 6)]


def test_parse_emphasis_paragraphs() -> None:
    body = "**Strong**\n\n_**Seun** is here._\n\n*a* b\n\n  __multi\nline__\n\n- **in list**"
    assert parse(body, 1).emphasis_paragraphs == [
        EmphasisParagraph("Strong", 1, 1, True),
        EmphasisParagraph("**Seun** is here.", 3, 1, False),
        EmphasisParagraph("multi\nline", 7, 3, True),
    ]


def test_parse_positions_in_containers() -> None:
    body = "> Quote ![q](q.png)\n> <!-- c -->\n\n- item\n  ![i](i.png)"
    result = parse(body, 1)
    assert [(i.url, i.line, i.column, i.url_column) for i in result.images] == [
        ("q.png", 1, 9, 14),
        ("i.png", 5, 3, 8),
    ]
    assert result.comments == [Comment("c", 2, 3, 2)]
    assert result.first_block == Block("blockquote", 1)


def test_parse_crlf_columns_and_first_line() -> None:
    body = "\r\n# T\r\n\r\ntext ![a](b)\r\n"
    result = parse(body, 20)
    assert result.headings == [Heading(1, "T", 21, 1, 21)]
    assert result.images[0].line == 23 and result.images[0].column == 6
    assert result.first_block == Block("heading", 21)


def test_parse_empty_body() -> None:
    assert parse("", 1) == BodyStructure()
    assert parse("\n  \n[x]: /y\n", 1).first_block is None
