"""我有疑问 (feedback.py): a reference code and a 我有疑问 page for every item, voucher, ledger line and scan; the
hotline; a QR code that a phone reads as the configured address with the code filled in; no external link."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image as PILImage

from sitegen.site import feedback
from sitegen.oversight import refcode
from sitegen.content.config import parse_site_config
from sitegen.content.errors import Location, Report
from sitegen.build.pipeline import build, check
from tests.built_sample import sample_output

URL = "https://12345.example.gov.cn/ask?code={code}"


class Tags(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data):
        self.text.append(data)


def page(path: Path) -> Tags:
    return Tags(path.read_text(encoding="utf-8"))


def asks(tags: Tags) -> list[str]:
    return [a["href"] for t, a in tags.tags if t == "a" and "ask" in a.get("class", "").split()]


def read_qr(path: Path) -> str:
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp reads the QR code back (pip install -e .[test])")
    (code,) = zxingcpp.read_barcodes(PILImage.open(path))
    return code.text


def test_feedback_url_is_checked_strictly():
    for bad in ["ftp://x.example/{code}", "https://x.example/ask", "https://x.example/{code}/{code}",
                "https://x.example/{id}{code}", "12345.example.gov.cn/{code}"]:
        report = Report()
        config = parse_site_config({"city": "测试市", "feedback_url": bad}, Location("site.yaml"), report)
        assert config.feedback_url == "" and [p.code for p in report.errors] == ["bad-value"], bad
    report = Report()
    config = parse_site_config({"city": "测试市", "feedback_url": URL}, Location("site.yaml"), report)
    assert config.feedback_url == URL and not report.problems
    assert parse_site_config({"city": "测试市"}, Location("site.yaml"), Report()).feedback_url == ""


def test_qr_code_reads_back_as_the_address_with_the_code(tmp_path):
    address = feedback.feedback_address(URL, "V-7K3Q-9TX2-3")
    assert address == "https://12345.example.gov.cn/ask?code=V-7K3Q-9TX2-3"
    png = feedback.qr_png(address)
    assert png == feedback.qr_png.__wrapped__(address)  # deterministic bytes, cached or not
    (tmp_path / "qr.png").write_bytes(png)
    with PILImage.open(tmp_path / "qr.png") as im:
        assert im.format == "PNG" and im.mode == "1" and im.width == im.height >= 29 * feedback.QR_SCALE
    assert read_qr(tmp_path / "qr.png") == address


@pytest.fixture(scope="module")
def mini_site(tmp_path_factory):
    """The mini fixture twice: with a feedback_url, and as shipped (none)."""
    import shutil
    from tests.conftest import FIXTURES
    sites = {}
    for name, extra in [("with", f'feedback_url: "{URL}"\n'), ("without", "")]:
        content = tmp_path_factory.mktemp(name) / "content"
        shutil.copytree(FIXTURES / "mini", content)
        with open(content / "site.yaml", "a", encoding="utf-8") as fh:
            fh.write(extra)
        build(content, content.parent / "out")
        sites[name] = (content, content.parent / "out")
    return sites


@pytest.mark.parametrize("theme", ["tv", "mobile"])
def test_every_item_voucher_line_and_scan_has_its_code_and_button(mini_site, theme):
    content, out = mini_site["with"]
    city, _ = check(content)
    assert city is not None
    codes = refcode.assign(city)
    root = out / theme
    village = city.villages[0]
    expected: dict[str, str] = {}  # page -> code
    for item in village.items:
        (path,) = [p for p in root.rglob(f"{item.slug}.html") if "ask-" not in p.name]
        expected[path.relative_to(root).as_posix()] = codes[id(item)]
    for v in village.vouchers:
        base = f"{village.town_slug}/{village.slug}/finance/vouchers/{v.key}"
        expected[f"{base}.html"] = codes[id(v)]
        for n in range(1, len(v.scans) + 1):
            expected[f"{base}-{n}.html"] = refcode.scan_code(codes[id(v)], n)
    for rel, code in expected.items():
        tags = page(root / rel)
        assert code in "".join(tags.text), rel
        (href,) = asks(tags)
        target = (root / rel).parent / href
        assert target.name == f"ask-{code}.html" and target.is_file()
        ask = page(target)
        text = "".join(ask.text)
        assert code in text and "12345" in text
        # the QR: an image in the page, the address only inside it; the page links nowhere outside
        (src,) = [a["src"] for t, a in ask.tags if t == "img"]
        assert read_qr(target.parent / src) == URL.replace("{code}", code)
        assert not any(re.match(r"(?i)^(https?:|//)", a.get("href", "") + a.get("src", "")) for _, a in ask.tags)
        assert "example.gov.cn" not in target.read_text(encoding="utf-8")
        back = [a["href"] for t, a in ask.tags if t == "a" and "data-autofocus" in a]
        assert back and (target.parent / back[0]).resolve() == (root / rel).resolve()
    # every ledger line: its voucher's code, and a button to the same page the voucher's button opens; on TV a line
    # is one row and its 我有疑问 is on the voucher page, one OK away (checked above for every voucher)
    (ledger,) = root.glob(f"{village.town_slug}/{village.slug}/finance/ledger-*.html")
    tags = page(ledger)
    lines = [a["href"] for t, a in tags.tags if t == "a" and a.get("href", "").startswith("vouchers/2")]
    if theme == "tv":
        assert lines and asks(tags) == []
        return
    assert lines and len(asks(tags)) == len(lines)
    for line, asked in zip(lines, asks(tags)):
        code = expected[f"{village.town_slug}/{village.slug}/finance/{line}"]
        assert asked == f"vouchers/ask-{code}.html" and f"查询码 {code}" in "".join(tags.text)


def test_without_feedback_url_only_the_code_and_hotline(mini_site):
    _, out = mini_site["without"]
    pages = sorted((out / "tv").rglob("ask-*.html"))
    assert pages and not list((out / "tv").rglob("ask-*.png"))
    for path in pages[:5]:
        tags = page(path)
        assert not [a for t, a in tags.tags if t == "img"] and "12345" in "".join(tags.text)


def test_sample_site_every_code_has_one_page(tmp_path_factory):
    """On the built sample: every 我有疑问 button leads to a page showing the code it was pressed for."""
    root = sample_output(tmp_path_factory) / "tv"
    buttons = 0
    for path in root.rglob("*.html"):
        if path.name.startswith("ask-"):
            continue
        for href in asks(page(path)):
            target = path.parent / href
            code = target.stem.removeprefix("ask-")
            assert target.is_file() and code in "".join(page(target).text)
            buttons += 1
    codes = {p.stem for p in root.rglob("ask-*.html")}
    assert buttons >= len(codes) > 500
    for qr in sorted(root.rglob("ask-*.png"))[:3]:
        assert read_qr(qr).endswith("code=" + qr.stem.removeprefix("ask-"))
