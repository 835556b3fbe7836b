from sitegen.content.markdown import body_links, render_markdown


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
