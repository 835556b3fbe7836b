"""我有疑问 (feedback): a reference code and a 我有疑问 panel on the page of every item, voucher and scan.

Part of the link stage, run right after `links.plan`. A villager who doubts a payment, an invoice or a project
presses the page's 我有疑问 button, which opens a panel within the page (its `#ask`, shown by `:target` without
JavaScript; tv.js opens it in place and Back closes it): the thing's reference code (refcode.py), the city hotline
to call and, when site.yaml names a `feedback_url`, a way to ask online with the code filled in: on a TV (and on
paper) a QR code for the phone to scan, on the phone itself a link to tap. The panel is part of the page it is
about, so the questions cost no pages of their own. The planner records what each page is about (`Page.subject`,
plan.py); nothing here guesses it from template names. The panel is the page's `ask`, a ledger's codes its `refs`
(pages.Ask, typed fields of every page).
The QR is drawn at build time (segno makes the matrix, Pillow a 1-bit PNG: old set-top boxes may lack SVG), one
file per reference code, beside the page of its subject; it is data in an image, not a link.
"""

from __future__ import annotations

import functools
import io
import posixpath
from urllib.parse import quote

import segno
from PIL import Image as PILImage

from sitegen.content.model import City, Voucher
from sitegen.images.drawn import Drawing
from sitegen.oversight import refcode
from sitegen.site.pages import Ask, Subject
from sitegen.site.plan import Site

QR_SCALE = 8  # pixels per module: a version-4 code is 33 modules, 328 px with its border, readable at 3 m
QR_BORDER = 4  # the quiet zone the standard asks for
QR_MASK = 2  # fixed, so the build does not try all eight (4 ms a code); any mask reads equally well here


QR_BYTES = QR_SCALE // 8  # a module is whole bytes of a 1-bit row: the PNG's rows are packed here directly
assert QR_SCALE % 8 == 0, "a QR module must be whole bytes of a 1-bit row"
MODULES = bytes.maketrans(b"\x00\x01", b"\xff\x00")  # segno's matrix (1: dark) to 1-bit pixels (1: white)


@functools.lru_cache(maxsize=4096)  # rebuilds in one process (tests, `sitegen serve`) draw each code once
def qr_png(text: str) -> bytes:
    """A QR code as a deterministic 1-bit PNG, black on white, QR_SCALE pixels a module with a QR_BORDER quiet zone.
    The 1-bit rows are packed from segno's matrix (each module row once, repeated QR_SCALE times): the pixels
    Pillow made by scaling an 8-bit image up and converting it, so the same bytes, without the scaling."""
    qr = segno.make_qr(text, error="m", mask=QR_MASK, boost_error=False)
    side = len(qr.matrix) + 2 * QR_BORDER  # in modules
    quiet = b"\xff" * (QR_BORDER * QR_BYTES)
    blank = b"\xff" * (side * QR_BYTES * QR_SCALE * QR_BORDER)
    rows = [quiet + _widened(bytes(row).translate(MODULES)) + quiet for row in qr.matrix]
    data = b"".join([blank, *(row * QR_SCALE for row in rows), blank])
    im = PILImage.frombytes("1", (side * QR_SCALE, side * QR_SCALE), data)
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def _widened(modules: bytes) -> bytes:
    """A row of one byte a module, QR_BYTES bytes a module."""
    return modules if QR_BYTES == 1 else bytes(b for b in modules for _ in range(QR_BYTES))


def qr_drawing(text: str) -> Drawing:
    """The QR code of `text` as a drawing cached by its text (drawn.py): the same code is not drawn again by the
    next cold build. Its key holds everything that decides the bytes (segno's version: it picks the encoding)."""
    key = f"qr1|segno{segno.__version__}|m|mask{QR_MASK}|x{QR_SCALE}|border{QR_BORDER}|{text}"
    return Drawing(key, functools.partial(qr_png, text))


def feedback_address(template: str, code: str) -> str:
    return template.replace("{code}", quote(code, safe=""))


def ask_for(subject: Subject, page: str, codes: dict[int, str], feedback_url: str) -> Ask | None:
    """The panel of a page about `subject`: an item or a voucher with its own code; a viewer of one scan with the
    scan's code (V-XXXX-XXXX-3, which the hotline files under its voucher); a viewer of several scans with the
    voucher's. None for what has no code (a draft shown only in --preview has one too; refcode.assign)."""
    thing = subject.thing
    code = codes.get(id(thing))
    if code is None:
        return None
    if not isinstance(thing, Voucher):
        about = thing.title
    elif not subject.scans:
        about = f"凭证 {thing.month} {thing.label}：{thing.summary}"
    else:
        first, last = subject.scans[0], subject.scans[-1]
        about = f"凭证 {thing.month} {thing.label} " + (
            f"第{first}张扫描件" if first == last else f"第{first}–{last}张扫描件"
        )
        code = refcode.scan_code(code, first) if first == last else code
    if not feedback_url:
        return Ask(code, about, page)
    return Ask(
        code,
        about,
        page,
        posixpath.join(posixpath.dirname(page), f"ask-{code}.png"),
        feedback_address(feedback_url, code),
    )


def plan(site: Site, city: City, codes: dict[int, str] | None = None) -> dict[int, str]:
    """Give every page the planner gave a subject its `ask` (the 我有疑问 panel), and a page listing vouchers (a
    ledger) `refs`: voucher key -> the voucher page's Ask (a ledger line is its voucher's money movement).
    Registers one QR image per code. Returns the reference codes the pages show: `codes` when the caller has
    assigned them already (refcode.assign of the whole city: a collision lengthens a code in another village,
    so they are the city's even when `site` plans only some villages), else refcode.assign(city)."""
    codes = refcode.assign(city) if codes is None else codes
    by_voucher: dict[int, Ask] = {}
    for page in site.pages:
        if page.subject is None:
            continue
        ask = ask_for(page.subject, page.path, codes, city.feedback_url)
        if ask is None:
            continue
        page.ask = ask
        if isinstance(page.subject.thing, Voucher) and not page.subject.scans:
            by_voucher[id(page.subject.thing)] = ask
        if ask.qr and ask.address and ask.qr not in site.generated:  # a viewer of several scans shares its QR
            site.generated[ask.qr] = qr_drawing(ask.address)
    for page in site.pages:
        if page.listed:
            page.refs = {v.key: by_voucher[id(v)] for v in page.listed if id(v) in by_voucher}
    return codes
