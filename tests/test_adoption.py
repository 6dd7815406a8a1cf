"""Adopting fmlint in a repository with its own conventions takes a short config.

The posts below follow public conventions (Jekyll's default `minima` theme,
jekyll-seo-tag fields, a Jekyll date with an offset) rather than the bundled
news-article schema."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli

WELCOME = """\
---
layout: post
title:  "Welcome to Jekyll!"
date:   2015-11-10 20:40:16 +0100
categories: jekyll update
---
You'll find this post in your `_posts` directory. Go ahead and edit it and re-build the site.

{% highlight ruby %}
def print_hi(name)
  puts "Hi, #{name}"
end
{% endhighlight %}
"""

SEO = """\
---
title: "Notes on caching"
date: 2021-03-04
tags: [performance, python]
image:
  path: /assets/img/cache.png
  alt: A diagram of a cache
author:
  name: Ann
published: true
toc: true
---

Some text. ![A chart](/assets/img/chart.png)
"""

SHORT_CONFIG = """\
schema = "jekyll-post"
ignore = ["FM301", "FM303", "FM304", "FM503"]   # the layout prints the title; no ART codes
"""


def make_blog(root: Path) -> None:
    posts = root / "_posts"
    posts.mkdir()
    (posts / "2015-11-10-welcome-to-jekyll.markdown").write_text(WELCOME, encoding="utf-8")
    (posts / "2021-03-04-notes-on-caching.md").write_text(SEO, encoding="utf-8")
    (root / "assets/img").mkdir(parents=True)
    (root / "assets/img/chart.png").write_bytes(b"\x89PNG\r\n")
    (root / ".fmlint.toml").write_text(SHORT_CONFIG, encoding="utf-8")


def findings(root: Path, *args: str) -> tuple[int, list[dict[str, object]]]:
    done = run_cli(["check", ".", "--format", "json", "--no-cache", *args], root)
    assert done.stderr == "", done.stderr
    return done.returncode, json.loads(done.stdout)["findings"]


def test_a_jekyll_blog_is_clean_with_a_short_config(tmp_path: Path) -> None:
    make_blog(tmp_path)
    status, found = findings(tmp_path)
    assert [(f["path"], f["rule"]) for f in found if f["severity"] == "error"] == []
    assert status == 0


def test_the_lenient_schema_still_catches_real_mistakes(tmp_path: Path) -> None:
    make_blog(tmp_path)
    post = tmp_path / "_posts/2021-03-04-notes-on-caching.md"
    post.write_text(
        SEO.replace("published: true", "published: no way")
        .replace("date: 2021-03-04", "date: 2021-03-05")
        .replace('title: "Notes on caching"', "title:"),
        encoding="utf-8",
    )
    status, found = findings(tmp_path)
    rules = sorted(str(f["rule"]) for f in found)
    assert status == 1
    assert "FM203" in rules  # `published` is not a boolean, and the title is empty
    assert "FM502" in rules  # the file name says the 4th, the date the 5th


def test_without_the_config_the_article_schema_applies(tmp_path: Path) -> None:
    make_blog(tmp_path)
    (tmp_path / ".fmlint.toml").unlink()
    status, found = findings(tmp_path)
    assert status == 1
    assert {"FM201", "FM301"} <= {str(f["rule"]) for f in found}
