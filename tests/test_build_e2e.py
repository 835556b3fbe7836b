"""End to end: build the sample city in content/, follow every ledger line to its voucher and its scans."""

from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image as PILImage

from sitegen.build.pipeline import build
from sitegen.content.errors import Report
from sitegen.content.model import Image
from sitegen.content.privacy import find_unmasked
from sitegen.images import renditions as assets
from tests import built_sample
from tests.checked import check
from tests.conftest import REPO, snapshot

CONTENT = REPO / "content"


class Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def tags(path: Path) -> list[tuple[str, dict[str, str]]]:
    parser = Anchors()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.tags


def follow(page: Path, href: str) -> Path:
    return (page.parent / href.split("#")[0]).resolve()


@pytest.fixture
def sample(sample_site) -> Path:
    """The session's build of the sample city (conftest.sample_site), made with a cold image cache."""
    return sample_site


@pytest.fixture(scope="module")
def checked():
    """check(CONTENT) once for the module: (the city's model, the report). A check of the sample costs seconds (every
    scan is opened); the tests below only read what it found."""
    return check(CONTENT)


def test_sample_content_is_clean(checked):
    city, report = checked
    assert not report.errors, "\n".join(p.format() for p in report.errors)
    assert len(city.towns) >= 2 and all(len(t.villages) >= 2 for t in city.towns)
    for v in city.villages:
        assert len(v.vouchers) >= 30 and len({x.month for x in v.vouchers}) >= 3
        for board_items in (v.items,):
            categories = {(i.board.name, i.category.name) for i in board_items if i.category}
            assert len(categories) == 21, f"{v.name} lacks categories"


@pytest.mark.parametrize("theme", ["tv", "mobile"])
def test_every_ledger_line_reaches_its_voucher_and_scans(sample, checked, theme):
    city, _ = checked
    root = sample / theme
    for village in city.villages:
        home = root / village.town_slug / village.slug / "index.html"
        ledgers = sorted(home.parent.glob("finance/ledger-*.html"))
        assert ledgers, f"no ledger for {village.name}"
        reached: set[str] = set()
        for ledger in ledgers:
            ledger_tags = tags(ledger)  # read once: each of its lines' anchors is looked up in it
            ids = {x.get("id") for _, x in ledger_tags}
            rows = [
                a
                for t, a in ledger_tags
                if t == "a" and "vouchers/" in a.get("href", "") and "ask" not in a.get("class", "").split()
            ]  # the line itself, not its 我有疑问 button
            assert rows
            for a in rows:
                voucher_page = follow(ledger, a["href"])
                assert voucher_page.is_file()
                reached.add(voucher_page.stem)
                vtags = tags(voucher_page)
                back = [
                    x
                    for t, x in vtags  # its line on its month's ledger page (ledger-2026-08.html, parts -2 …)
                    if t == "a" and re.match(r"\.\./ledger-\d+(-\d+)*\.html#v-", x.get("href", ""))
                ]
                assert back and follow(voucher_page, back[0]["href"]) == ledger.resolve()
                anchor = back[0]["href"].split("#")[1]
                assert anchor in ids
                thumbs = [x for t, x in vtags if t == "a" and "scan-thumb" in x.get("class", "")]
                # the thumbnails (the 我有疑问 panel's QR code, ask-CODE.png, is tests/test_feedback.py's)
                imgs = [x["src"] for t, x in vtags if t == "img" and not x["src"].startswith("ask-")]
                assert thumbs and len(imgs) == len(thumbs)
                for src in imgs:
                    with PILImage.open(follow(voucher_page, src)) as im:
                        assert im.width <= 1280
                for thumb in thumbs:
                    viewer = follow(voucher_page, thumb["href"])
                    # the scan's tiles, top to bottom (later TV tiles load lazily: data-src, <noscript> src)
                    tiles = [x.get("src") or x["data-src"] for t, x in tags(viewer) if t == "img"]
                    assert tiles and all(follow(viewer, img).is_file() for img in tiles)
        money_vouchers = {v.key for v in village.vouchers if any(ln.account.is_money for ln in v.lines)}
        assert money_vouchers <= reached


def test_no_external_urls_and_only_relative_links(sample):
    # the one exception: on the phone, the 我有疑问 panel's link to site.yaml's feedback_url (its code filled in)
    ask_online = re.compile(
        r'<a class="ask-web" href="https://12345\.jiangyin\.example/ask\?code=[0-9A-Z-]+" '
        r'rel="external noopener">'
    )
    online = 0
    for path in sample.rglob("*"):
        if path.suffix in (".html", ".css", ".js"):
            text = path.read_text(encoding="utf-8")
            if path.suffix == ".html" and sample / "mobile" in path.parents:
                text, n = ask_online.subn("", text)
                online += n
            assert not re.search(r"""(href|src)\s*=\s*["']?(https?:|//|/)""", text), path
            assert not re.search(r"url\(\s*['\"]?(https?:|//)", text), path
            assert "@import" not in text and "@font-face" not in text, path
    assert online > 500  # every item, voucher and scan viewer of the phone site


def test_no_personal_data_ships_unmasked(sample):
    raw = [m for p in CONTENT.rglob("*.md") for m in find_unmasked(p.read_text(encoding="utf-8"))]
    assert raw, "the sample content should carry raw identifiers so masking is exercised"
    for path in sample.rglob("*.html"):
        assert not find_unmasked(path.read_text(encoding="utf-8")), path


def test_builds_are_byte_identical(sample, tmp_path_factory, tmp_path, monkeypatch):
    """Same content, same bytes: the pages and every image. The sample is built again (the shared build was made
    cold, often by the other xdist worker: another process, another hash seed) with a cache holding only the JPEG
    scans' renditions of the shared build (built_sample.jpeg_renditions): every village validated, planned and
    rendered anew, every source hashed, probed and decode-checked, every QR code, chart and line-art rendition
    made anew. The JPEG renditions (most of a cold build's CPU: ~2,600 files) are then made cold again for one
    source of each kind (format, mode, size, the renditions planned for it: tiles, enlargements, thumbnails,
    whole pages), each as the cold build made it (all its files in one job), and compared with the shared
    build's, file by file."""
    planned: list[dict] = []
    real = assets.renditions

    def recorded(images, *args, **kwargs):
        planned.append(dict(images))
        return real(images, *args, **kwargs)

    again = tmp_path / "again"
    with monkeypatch.context() as patch:
        patch.setattr(assets, "renditions", recorded)  # (the build calls it as assets.renditions)
        build(CONTENT, again, cache=built_sample.jpeg_renditions(tmp_path_factory, tmp_path / "jpeg-cache"))
    assert snapshot(again) == snapshot(sample)

    by_source: dict[Path, dict[str, assets.Rendition | Image]] = {}
    for images in planned:
        for path, r in images.items():
            source = (r.image if isinstance(r, assets.Rendition) else r).source
            by_source.setdefault(source, {})[path] = r
    kinds: dict[tuple, Path] = {}
    for source, plan in sorted(by_source.items()):
        with PILImage.open(source) as im:
            shape = (im.format, im.mode, im.size)
        made = sorted(
            {(r.kind, r.scaled, r.height) if isinstance(r, assets.Rendition) else ("whole",) for r in plan.values()}
        )
        kinds.setdefault((shape, tuple(made)), source)
    chosen = sorted(set(kinds.values()))
    assert len(by_source) > 400 and 10 < len(chosen) < 60  # the sample's sources, and a sample of them
    cold, report = tmp_path / "cold-cache", Report()
    files = assets.renditions({p: r for s in chosen for p, r in by_source[s].items()}, cold, report)
    assert not report.problems and len(files) > 100
    shared = built_sample.shared_cache(tmp_path_factory)
    for path, file in sorted(files.items()):
        assert file.read_bytes() == (shared / file.name).read_bytes(), path
    # one of each kind covers: grey and colour scans, line art, pages enlarged (sharpened) and reduced (thumbnails),
    # tall pages cut into several tiles; and (from the pixels) faded pages (tone curve) and crisp ones
    shapes = {shape for shape, _ in kinds}
    assert {(f, m) for f, m, _ in shapes} >= {("JPEG", "L"), ("JPEG", "RGB"), ("PNG", "P")}
    tiled = [r for s in chosen for r in by_source[s].values() if isinstance(r, assets.Rendition) and r.tile]
    enlarged = [w * assets.SHARPEN_FROM < assets.TV_WIDTH for _, _, (w, _) in shapes]
    assert tiled and any(enlarged)
    faded = [assets._contrast(assets._load(s, 0, (1 << 16, 1 << 16))) is not None for s in chosen]
    assert any(faded) and not all(faded)


def test_every_page_has_a_title_and_back_target(sample):
    for path in (sample / "tv").rglob("*.html"):
        body = [a for t, a in tags(path) if t == "body"][0]
        target = posixpath.normpath(posixpath.join(path.parent.as_posix(), body["data-back"]))
        assert Path(target).is_file(), path
