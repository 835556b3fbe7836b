"""我有疑问 (feedback.py): a reference code and a 我有疑问 panel inside the page of every item, voucher and scan
viewer (no page of its own), a ledger line's opening its voucher's; the hotline; on TV a QR code that a phone reads
as the configured address with the code filled in (one image per code); on the phone a link to that address and a
tel: link instead, no QR code; no other external link."""

from __future__ import annotations

import io
import posixpath
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
import segno
from PIL import Image as PILImage

from sitegen.build.pipeline import build
from sitegen.content.config import parse_site_config
from sitegen.content.errors import Location, Report
from sitegen.oversight import refcode
from sitegen.site import feedback
from sitegen.site import plan as links
from sitegen.site.pages import ItemPage, ListPage, ScanPage, VoucherPage
from tests.built_sample import sample_output
from tests.checked import check
from tests.conftest import FIXTURES

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
    for bad in [
        "ftp://x.example/{code}",
        "https://x.example/ask",
        "https://x.example/{code}/{code}",
        "https://x.example/{id}{code}",
        "12345.example.gov.cn/{code}",
    ]:
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
    sites = {}
    for name, extra in [("with", f'feedback_url: "{URL}"\n'), ("without", "")]:
        content = tmp_path_factory.mktemp(name) / "content"
        shutil.copytree(FIXTURES / "mini", content)
        with open(content / "site.yaml", "a", encoding="utf-8") as fh:
            fh.write(extra)
        build(content, content.parent / "out")
        sites[name] = (content, content.parent / "out")
    return sites


class Panel(HTMLParser):
    """The tags and text inside section#ask."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.depth, self.found = 0, 0
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if self.depth:
            self.tags.append((tag, a))
            self.depth += tag == "section"
        elif tag == "section" and a.get("id") == "ask":
            self.depth, self.found = 1, self.found + 1

    def handle_endtag(self, tag):
        if self.depth and tag == "section":
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)


@pytest.mark.parametrize("theme", ["tv", "mobile"])
def test_every_item_voucher_line_and_scan_has_its_code_and_panel(mini_site, theme):
    content, out = mini_site["with"]
    city, _ = check(content)
    assert city is not None
    codes = refcode.assign(city)
    root = out / theme
    village = city.villages[0]
    expected: dict[str, str] = {}  # page -> code
    for item in village.items:
        (path,) = root.rglob(f"{item.slug}.html")
        expected[path.relative_to(root).as_posix()] = codes[id(item)]
    for v in village.vouchers:
        base = f"{village.town_slug}/{village.slug}/finance/vouchers/{v.key}"
        expected[f"{base}.html"] = codes[id(v)]
        if v.scans:
            expected[f"{base}-1.html"] = refcode.scan_code(codes[id(v)], 1)  # the 记账凭证 alone: its own code
    assert not list(root.rglob("ask-*.html"))  # no 我有疑问 pages: the panel is in the page
    for rel, code in expected.items():
        tags = page(root / rel)
        assert code in "".join(tags.text), rel
        assert asks(tags)[0] == "#ask", rel  # the button opens the page's own panel
        box = Panel((root / rel).read_text(encoding="utf-8"))
        text = "".join(box.text)
        assert box.found == 1 and code in text and "12345" in text, rel
        imgs = [a["src"] for t, a in box.tags if t == "img"]
        hrefs = [a["href"] for t, a in box.tags if t == "a"]
        closes = [a["href"] for t, a in box.tags if t == "a" and "data-ask-close" in a]
        assert closes == ["#ask-open"] and any(a.get("id") == "ask-open" for _, a in tags.tags)
        outside = [h for h in hrefs if re.match(r"(?i)^(https?:|//)", h)]
        if theme == "tv":  # the QR for the phone to scan: the address only inside it, no link outside
            (src,) = imgs
            assert read_qr((root / rel).parent / src) == URL.replace("{code}", code)
            assert Path(src).name == f"ask-{code}.png" and not outside
            assert "example.gov.cn" not in (root / rel).read_text(encoding="utf-8")
        else:  # the phone itself: a link to tap and the hotline to dial, no QR
            assert imgs == [] and outside == [URL.replace("{code}", code)] and "tel:12345" in hrefs
    # every ledger line: its voucher's code, and a button to the voucher page's panel; on TV a line is one row and
    # its 我有疑问 is on the voucher page, one OK away (checked above for every voucher)
    ledgers = sorted(root.glob(f"{village.town_slug}/{village.slug}/finance/ledger-*.html"))
    assert ledgers
    for ledger in ledgers:
        tags = page(ledger)
        lines = [
            a["href"]
            for t, a in tags.tags
            if t == "a" and a.get("href", "").startswith("vouchers/2") and "ask" not in a.get("class", "")
        ]
        if theme == "tv":
            assert lines and asks(tags) == []
            continue
        assert lines and len(asks(tags)) == len(lines)
        for line, ask in zip(lines, asks(tags)):
            code = expected[f"{village.town_slug}/{village.slug}/finance/{line}"]
            assert ask == f"{line}#ask" and f"查询码 {code}" in "".join(tags.text)


def test_a_viewer_of_several_scans_asks_about_its_voucher(tmp_path):
    """A voucher's second viewer holds all its other scans: its panel names them and shows the voucher's code, with
    the voucher's one QR image (one per code)."""
    site_, city = planned_with_feedback(tmp_path)
    codes = refcode.assign(city)
    several = [p for p in site_.pages if p.subject and len(p.subject.scans) > 1]
    single = [p for p in site_.pages if p.subject and len(p.subject.scans) == 1]
    assert several and single
    for p in several:
        ask = p.ask
        assert ask is not None
        assert ask.code == codes[id(p.subject.thing)] and f"第{p.subject.scans[0]}–{p.subject.scans[-1]}张" in ask.about
        assert ask.qr == posixpath.join(posixpath.dirname(p.path), f"ask-{ask.code}.png") and ask.qr in site_.generated
    for p in single:
        assert p.ask.code == refcode.scan_code(codes[id(p.subject.thing)], p.subject.scans[0])
    qrs = [p.ask.qr for p in site_.pages if p.ask]
    assert len(set(qrs)) == len({p.ask.code for p in site_.pages if p.ask})  # one image per code


def test_pages_get_their_panel_from_the_planner_not_the_template(tmp_path):
    """The planner records each page's subject; feedback.plan follows that and nothing else: a page planned with a
    subject gets its panel whatever its kind, one without gets none."""
    site_, city = planned_with_feedback(tmp_path)
    with_ask = [p for p in site_.pages if p.ask]
    assert with_ask and all(p.subject is not None for p in with_ask)
    assert {type(p) for p in with_ask} == {ItemPage, VoucherPage, ScanPage}
    site2 = links.plan(city)
    item_page = next(p for p in site2.pages if isinstance(p, ItemPage))
    voucher_page = next(p for p in site2.pages if isinstance(p, VoucherPage))
    other = next(p for p in site2.pages if isinstance(p, ListPage))
    other.subject = item_page.subject  # a kind that never has a panel: asked about all the same
    voucher_page.subject = None  # a voucher page with no subject: no panel
    feedback.plan(site2, city)
    assert item_page.ask and other.ask and other.ask.code == item_page.ask.code and other.ask.page == other.path
    assert voucher_page.ask is None


def planned_with_feedback(root: Path):
    """The mini fixture planned with a feedback_url, its first voucher scanned in three pages (two viewers)."""
    content = root / "content"
    shutil.copytree(FIXTURES / "mini", content)
    scans = content / "xg/cs/scans/2026-09/1"
    shutil.copy(scans / "02.jpg", scans / "03.jpg")
    city, report = check(content)
    assert city is not None
    assert not report.errors
    city.feedback_url = URL
    site_ = links.plan(city)
    feedback.plan(site_, city)
    return site_, city


def test_without_feedback_url_only_the_code_and_hotline(mini_site):
    _, out = mini_site["without"]
    assert not list((out / "tv").rglob("ask-*.png"))
    pages = [p for p in sorted((out / "tv").rglob("*.html")) if Panel(p.read_text(encoding="utf-8")).found]
    assert len(pages) > 5
    for path in pages[:5]:
        box = Panel(path.read_text(encoding="utf-8"))
        assert not [a for t, a in box.tags if t == "img"] and "12345" in "".join(box.text)
    for path in sorted((out / "mobile").rglob("*.html"))[:40]:
        box = Panel(path.read_text(encoding="utf-8"))
        assert not [a for t, a in box.tags if t == "a" and a["href"].startswith("http")]


def test_sample_site_every_page_has_one_panel_with_its_code(tmp_path_factory):
    """On the built sample: every 我有疑问 button opens its page's panel, which shows the code of the page; one QR
    image per code, each reading back as the address with that code."""
    root = sample_output(tmp_path_factory) / "tv"
    buttons, codes = 0, set()
    assert not list(root.rglob("ask-*.html"))
    for path in root.rglob("*.html"):
        tags = page(path)
        for href in asks(tags):
            assert href == "#ask"
            box = Panel(path.read_text(encoding="utf-8"))
            code = "".join(box.text).split("查询码", 1)[1].split()[0]
            assert box.found == 1 and code in "".join(tags.text)
            codes.add(code)
            buttons += 1
    assert buttons >= len(codes) > 500
    for qr in sorted(root.rglob("ask-*.png"))[:3]:
        assert read_qr(qr).endswith("code=" + qr.stem.removeprefix("ask-"))


# ---- h39: QR codes packed from the matrix, and cached by their text (drawn.py) --------------------------------------


def _scaled_by_pillow(text: str) -> bytes:
    """The QR code drawn as before h39 (an 8-bit image scaled up by Pillow, then made 1-bit): the reference."""
    qr = segno.make_qr(text, error="m", mask=feedback.QR_MASK, boost_error=False)
    rows = [bytes(0 if dark else 255 for dark in row) for row in qr.matrix]
    n, side = len(rows), len(rows) + 2 * feedback.QR_BORDER
    im = PILImage.new("L", (side, side), 255)
    im.paste(PILImage.frombytes("L", (n, n), b"".join(rows)), (feedback.QR_BORDER, feedback.QR_BORDER))
    im = im.resize((side * feedback.QR_SCALE,) * 2, PILImage.Resampling.NEAREST)
    buf = io.BytesIO()
    im.convert("1", dither=PILImage.Dither.NONE).save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize("length", [1, 20, 50, 62, 63, 100, 200, 400])  # versions 1 to 13, across their limits
def test_qr_png_is_byte_for_byte_the_pillow_scaled_code(length):
    base = feedback.feedback_address(URL, "V-7K3Q-9TX2-3")
    text = base[:length] if length <= len(base) else base + "x" * (length - len(base))
    assert feedback.qr_png.__wrapped__(text) == _scaled_by_pillow(text)


def test_a_qr_codes_cache_entry_is_its_text_and_how_it_is_drawn(monkeypatch):
    a, b = feedback.feedback_address(URL, "V-7K3Q-9TX2-3"), feedback.feedback_address(URL, "V-7K3Q-9TX2")
    assert feedback.qr_drawing(a).entry == feedback.qr_drawing(a).entry != feedback.qr_drawing(b).entry
    assert feedback.qr_drawing(a)() == feedback.qr_png(a)
    entry = feedback.qr_drawing(a).entry
    for name, value in [("QR_SCALE", 16), ("QR_BORDER", 2), ("QR_MASK", 5)]:
        with monkeypatch.context() as m:
            m.setattr(feedback, name, value)
            assert feedback.qr_drawing(a).entry != entry, name
    monkeypatch.setattr(segno, "__version__", "0.0.1")  # another encoder may choose another encoding
    assert feedback.qr_drawing(a).entry != entry
