import random
from pathlib import Path

from sitegen.content.markdown import _MD, body_links, render_markdown


def test_raw_html_is_text():
    html = render_markdown("<script>alert(1)</script>\n\n<img src=x onerror=alert(1)> **ok**", lambda h: None)
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "<strong>ok</strong>" in html


def test_links_are_resolved_or_dropped_to_text():
    text = "[内部](other.md) [网站](https://example.com/a) [脚本](javascript:alert(1)) ![图](x.jpg)"
    assert body_links(text) == ["other.md", "https://example.com/a"]  # markdown-it refuses javascript:
    html = render_markdown(text, lambda href: "../x/other.html" if href == "other.md" else None)
    assert '<a href="../x/other.html">内部</a>' in html
    assert html.count("<a ") == 1 and 'href="https' not in html and 'href="javascript' not in html
    assert "<img" not in html and "〔图〕" in html


def test_tables_and_masking():
    html = render_markdown("| 姓名 | 电话 |\n|---|---|\n| 张三 | 13812345678 |\n\n`320281195803121234`", lambda h: None)
    assert "<table>" in html and "138****5678" in html and "3202**********1234" in html


def _parsed_links(text: str) -> list[str]:
    """body_links as first written: every body parsed (the reference for its fast path)."""
    return [
        str(child.attrs.get("href", ""))
        for token in _MD.parse(text)
        for child in token.children or ()
        if child.type == "link_open"
    ]


def test_body_links_fast_path_agrees_with_the_parser():
    """A body without `[` or `<` is not parsed: the same answer as parsing it, on every body of the sample and on
    random texts of link-like fragments (autolinks, references, entities, escapes), with and without the marks."""
    bodies = [p.read_text(encoding="utf-8") for p in sorted(Path("content").rglob("*.md"))]
    pieces = [
        "[",
        "]",
        "(",
        ")",
        "<",
        ">",
        "x.md",
        "https://a.cn/b",
        "mailto:a@b.cn",
        "&#91;",
        "&lt;",
        "&#60;",
        "\\[",
        "`",
        "*",
        "!",
        ":",
        "\n",
        "\n\n",
        "    ",
        "| a |",
        "\n|---|\n",
        "文字",
        " ",
        "#",
        "www.a.cn",
        "a@b.cn",
    ]
    rng = random.Random(14)
    texts = bodies + ["<https://a.cn>", "<a@b.cn>", "[a]\n\n[a]: x.md", "[a][]\n\n[a]: <x.md>", "x ![i](y.jpg)"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 30))) for _ in range(3000)]
    without = [t for t in texts if "[" not in t and "<" not in t]
    assert len(without) > 100 and any(_parsed_links(t) for t in texts)
    for text in texts:
        assert body_links(text) == _parsed_links(text), text
