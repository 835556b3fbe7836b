"""我有疑问 (feedback): a reference code and a "我有疑问" page for every item, voucher (and its ledger line) and scan.

Part of the link stage, run right after `links.plan`. A villager who doubts a payment, an invoice or a project
presses 我有疑问 and gets a page with the thing's reference code (refcode.py), the city hotline to call and,
when site.yaml names a `feedback_url`, a QR code that opens that address on a phone with the code filled in.
The QR is drawn at build time (segno makes the matrix, Pillow a 1-bit PNG: old set-top boxes may lack SVG);
it is data in an image, not a link, so the site itself still links nowhere outside.
"""
from __future__ import annotations

import functools
import io
import posixpath
from dataclasses import dataclass
from urllib.parse import quote

import segno
from PIL import Image as PILImage

from sitegen.oversight import refcode
from sitegen.site.plan import Page, Site
from sitegen.content.model import City

QR_SCALE = 8    # pixels per module: a version-4 code is 33 modules, 328 px with its border, readable at 3 m
QR_BORDER = 4   # the quiet zone the standard asks for
QR_MASK = 2     # fixed, so the build does not try all eight (4 ms a code); any mask reads equally well here


@dataclass(frozen=True)
class Ask:
    """我有疑问 What a page needs for its 我有疑问 button: the thing's reference code and the page about it."""

    code: str
    path: str              # the 我有疑问 page
    qr: str | None = None  # its QR image, when site.yaml has a feedback_url


@functools.lru_cache(maxsize=4096)  # rebuilds in one process (tests, `sitegen serve`) draw each code once
def qr_png(text: str) -> bytes:
    """A QR code as a deterministic 1-bit PNG, black on white."""
    qr = segno.make_qr(text, error="m", mask=QR_MASK, boost_error=False)
    rows = [bytes(0 if dark else 255 for dark in row) for row in qr.matrix]
    n = len(rows)
    side = n + 2 * QR_BORDER
    im = PILImage.new("L", (side, side), 255)
    im.paste(PILImage.frombytes("L", (n, n), b"".join(rows)), (QR_BORDER, QR_BORDER))
    im = im.resize((side * QR_SCALE, side * QR_SCALE), PILImage.Resampling.NEAREST)
    buf = io.BytesIO()
    im.convert("1", dither=PILImage.Dither.NONE).save(buf, "PNG")
    return buf.getvalue()


def feedback_address(template: str, code: str) -> str:
    return template.replace("{code}", quote(code, safe=""))


def plan(site: Site, city: City) -> dict[int, str]:
    """Add a 我有疑问 page next to every item, voucher and scan page; give those pages `ref` (an Ask), and
    ledger pages `refs` (voucher key -> Ask, the voucher's: a ledger line is its voucher's money movement).
    Returns the reference codes the pages show (refcode.assign)."""
    codes = refcode.assign(city)
    asks: list[tuple[Page, Ask, str]] = []  # (the page asked about, its Ask, what it is in words)
    by_voucher: dict[int, Ask] = {}
    for page in site.pages:
        data = page.data
        if page.template == "item.html":
            code, about = codes.get(id(data["item"])), data["item"].title
        elif page.template == "voucher.html":
            code = codes.get(id(data["voucher"]))
            about = f"凭证 {data['voucher'].month} {data['voucher'].label}：{data['voucher'].summary}"
        elif page.template == "scan.html":
            parent = codes.get(id(data["voucher"]))
            code = refcode.scan_code(parent, data["n"]) if parent else None
            about = f"凭证 {data['voucher'].month} {data['voucher'].label} 第{data['n']}张扫描件"
        else:
            continue
        if code is None:
            continue
        folder = posixpath.dirname(page.path)
        ask = Ask(code, posixpath.join(folder, f"ask-{code}.html"),
                  posixpath.join(folder, f"ask-{code}.png") if city.feedback_url else None)
        data["ref"] = ask
        if page.template == "voucher.html":
            by_voucher[id(data["voucher"])] = ask
        asks.append((page, ask, about))
    for page in site.pages:
        if page.template == "ledger.html":
            page.data["refs"] = {line.voucher.key: by_voucher[id(line.voucher)]
                                 for month in page.data["ledger"].months for line in month.lines
                                 if id(line.voucher) in by_voucher}
    for page, ask, about in asks:
        site.pages.append(Page(ask.path, "ask.html", "我有疑问", page.crumbs + [(page.title, page.path)], page.path,
                               {"ask": ask, "about": about, "origin": page.title}))
        if ask.qr:
            site.generated[ask.qr] = functools.partial(qr_png, feedback_address(city.feedback_url, ask.code))
    return codes
