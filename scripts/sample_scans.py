"""Drawing for scripts/make_sample.py: fonts, a page to draw on, the "scanner" that makes a drawn page look
scanned, the voucher sheets and their attachments (invoices, receipts, bank slips, lists, contracts …), and the
pictures items rest on (basis scans, photos, a chart).

Every picture draws from its own generator seeded by its file's name, so a change to one leaves the others'
bytes alone; JPEGs are baseline with fixed settings and no metadata.
"""

from __future__ import annotations

import csv
import glob
import io
import math
import os
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont
from sample_items import Item
from sample_journal import ASSET_DOC, BUDGET_DOC, lot_contract, month_balances
from sample_world import (
    BANK,
    CITY,
    FINANCE,
    VILLAGES,
    YEAR,
    ZERO,
    D,
    LandLot,
    Line,
    PeopleFactory,
    Village,
    Voucher,
    comma,
    masked_card,
    rmb_upper,
)

# ================================================================================================================
# Fonts
# ================================================================================================================

# Where Debian/Ubuntu (fonts-noto-cjk), Fedora and Arch put the Noto CJK collections, then other CJK fonts.
_FONT_DIRS = (
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/noto-cjk",
    "/usr/share/fonts/google-noto-cjk",
    "/usr/share/fonts/opentype/noto-cjk",
    "/usr/share/fonts/noto",
)
_FONT_FILES = {
    "sans": ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf", "NotoSansSC-Regular.otf"),
    "bold": ("NotoSansCJK-Bold.ttc", "NotoSansCJKsc-Bold.otf", "NotoSansSC-Bold.otf"),
    "serif": ("NotoSerifCJK-Regular.ttc", "NotoSerifCJKsc-Regular.otf", "NotoSerifSC-Regular.otf"),
    "serifbold": ("NotoSerifCJK-Bold.ttc", "NotoSerifCJKsc-Bold.otf", "NotoSerifSC-Bold.otf"),
}
_FALLBACK_GLOBS = (
    "/usr/share/fonts/**/NotoSansCJK*.tt[cf]",
    "/usr/share/fonts/**/NotoSerifCJK*.tt[cf]",
    "/usr/share/fonts/**/wqy-zenhei.tt[cf]",
    "/usr/share/fonts/**/wqy-microhei.tt[cf]",
    "/usr/share/fonts/**/uming.tt[cf]",
    "/usr/share/fonts/**/ukai.tt[cf]",
    "/usr/share/fonts/**/DroidSansFallback*.ttf",
)


def find_cjk_fonts() -> dict[str, str] | None:
    """Paths of a CJK font for each role (sans, bold, serif, serifbold), or None if no CJK font is installed.

    SITEGEN_CJK_FONT=/path/to/font.ttc forces one font for every role.
    """
    forced = os.environ.get("SITEGEN_CJK_FONT")
    if forced:
        return {role: forced for role in _FONT_FILES} if Path(forced).is_file() else None
    found: dict[str, str] = {}
    for role, names in _FONT_FILES.items():
        for folder in _FONT_DIRS:
            hit = next((str(Path(folder) / n) for n in names if (Path(folder) / n).is_file()), None)
            if hit:
                found[role] = hit
                break
    if not found:
        for pattern in _FALLBACK_GLOBS:
            hits = sorted(glob.glob(pattern, recursive=True))
            if hits:
                found["sans"] = hits[0]
                break
    if not found:
        return None
    base = found.get("sans") or found.get("serif") or next(iter(found.values()))
    found.setdefault("sans", base)
    found.setdefault("bold", found["sans"])
    found.setdefault("serif", found["sans"])
    found.setdefault("serifbold", found.get("bold") if "serif" not in found else found["serif"])
    return found


class Fonts:
    """Pillow fonts by role and pixel size; the Simplified Chinese face of a .ttc collection."""

    def __init__(self, paths: dict[str, str]):
        self._ImageFont = ImageFont
        self.paths = paths
        self._index: dict[str, int] = {}
        self._cache: dict[tuple[str, int], object] = {}

    def _face(self, path: str) -> int:
        if path not in self._index:
            self._index[path] = 0
            if path.lower().endswith(".ttc"):
                for i in range(12):
                    try:
                        name = self._ImageFont.truetype(path, 12, index=i).getname()[0]
                    except OSError:
                        break
                    if " SC" in name or name.endswith("SC"):
                        self._index[path] = i
                        break
        return self._index[path]

    def get(self, role: str, size: int):
        key = (role, size)
        if key not in self._cache:
            path = self.paths[role]
            self._cache[key] = self._ImageFont.truetype(
                path, size, index=self._face(path), layout_engine=self._ImageFont.Layout.BASIC
            )
        return self._cache[key]


# ================================================================================================================
# Drawing: a page to draw on, and the "scanner" that makes it look scanned
# ================================================================================================================

A4 = (840, 1188)  # pages are drawn at this size ...
A4_OUT = 800  # ... and delivered this wide (about 96 dpi), like an office scanner's "document" setting
INK = 28  # printed text on grey pages
LINE = 70  # printed form lines
RED = (196, 48, 40)
BLUE_INK = (40, 60, 140)


class Page:
    """A white sheet with drawing helpers; colour pages take RGB inks, grey pages turn them grey."""

    def __init__(self, fonts: Fonts, w: int, h: int, color: bool = False):
        self.fonts = fonts
        self.w, self.h = w, h
        self.color = color
        self.img = Image.new("RGB" if color else "L", (w, h), (255, 255, 255) if color else 255)
        self.d = ImageDraw.Draw(self.img)

    def ink(self, c):
        if isinstance(c, int):
            return (c, c, c) if self.color else c
        if self.color:
            return c
        return int(0.3 * c[0] + 0.59 * c[1] + 0.11 * c[2]) * 7 // 10  # coloured ink scans darker in grey

    def font(self, size: int, role: str = "sans"):
        return self.fonts.get(role, size)

    def tw(self, s: str, size: int, role: str = "sans") -> float:
        return self.d.textlength(s, font=self.font(size, role))

    def text(self, x, y, s: str, size: int = 16, role: str = "sans", fill=INK, anchor: str = "la"):
        self.d.text((x, y), s, font=self.font(size, role), fill=self.ink(fill), anchor=anchor)

    def center(self, y, s: str, size: int, role: str = "sans", fill=INK, cx=None):
        self.text(self.w / 2 if cx is None else cx, y, s, size, role, fill, anchor="ma")

    def spaced(self, y, s: str, size: int, role: str = "serifbold", fill=INK, gap: float = 0.6, cx=None):
        """A title with letter spacing, like 记 账 凭 证."""
        widths = [self.tw(ch, size, role) for ch in s]
        total = sum(widths) + gap * size * (len(s) - 1)
        x = (self.w / 2 if cx is None else cx) - total / 2
        for ch, w in zip(s, widths):
            self.text(x, y, ch, size, role, fill)
            x += w + gap * size

    def wrap(
        self, x, y, width, s: str, size: int = 16, role: str = "sans", fill=INK, lh: float = 1.7, indent: int = 0
    ) -> float:
        """Paragraph text wrapped character by character (CJK has no spaces); returns the y below it."""
        line, first = "", True
        step = size * lh
        for ch in s:
            limit = width - (indent * size if first else 0)
            if ch == "\n" or self.tw(line + ch, size, role) > limit:
                self.text(x + (indent * size if first else 0), y, line, size, role, fill)
                y += step
                line, first = ("" if ch == "\n" else ch), False
            else:
                line += ch
        if line:
            self.text(x + (indent * size if first else 0), y, line, size, role, fill)
            y += step
        return y

    def line(self, x1, y1, x2, y2, fill=LINE, width: int = 1):
        self.d.line((x1, y1, x2, y2), fill=self.ink(fill), width=width)

    def rect(self, x1, y1, x2, y2, outline=LINE, width: int = 1, fill=None):
        self.d.rectangle(
            (x1, y1, x2, y2), outline=self.ink(outline), width=width, fill=None if fill is None else self.ink(fill)
        )

    def table(
        self,
        x,
        y,
        widths,
        rows,
        size: int = 15,
        rh: int = 34,
        aligns: str = "",
        line=LINE,
        fill=INK,
        header_fill=None,
        bold_header: bool = True,
    ) -> float:
        """A ruled table; rows[0] is the header. aligns: one of l/c/r per column. Returns the bottom y."""
        total = sum(widths)
        for r, row in enumerate(rows):
            top = y + r * rh
            if r == 0 and header_fill is not None:
                self.rect(x, top, x + total, top + rh, outline=line, fill=header_fill)
            cx = x
            for c, (wd, cell) in enumerate(zip(widths, row)):
                cell = "" if cell is None else str(cell)
                a = "c" if r == 0 else (aligns[c] if c < len(aligns) else "l")
                role = "bold" if r == 0 and bold_header else "sans"
                fs = size
                while fs > 9 and self.tw(cell, fs, role) > wd - 8:
                    fs -= 1
                ty = top + (rh - fs) / 2 - fs * 0.12
                if a == "c":
                    self.text(cx + wd / 2, ty, cell, fs, role, fill, anchor="ma")
                elif a == "r":
                    self.text(cx + wd - 6, ty, cell, fs, role, fill, anchor="ra")
                else:
                    self.text(cx + 6, ty, cell, fs, role, fill)
                cx += wd
        bottom = y + rh * len(rows)
        for r in range(len(rows) + 1):
            self.line(x, y + r * rh, x + total, y + r * rh, fill=line)
        cx = x
        for wd in list(widths) + [0]:
            self.line(cx, y, cx, bottom, fill=line)
            cx += wd
        return bottom

    def stamp(self, cx, cy, r: int, top: str, bottom: str = "", color=RED, oval: bool = False):
        """A round (or oval) red seal: ring, star, name along the ring, purpose below."""
        ink = self.ink(color)
        rx, ry = (r * 1.35, r) if oval else (r, r)
        self.d.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), outline=ink, width=max(2, r // 18))
        if not oval:
            pts = []
            for k in range(10):
                ang = -math.pi / 2 + k * math.pi / 5
                rad = r * (0.28 if k % 2 == 0 else 0.11)
                pts.append((cx + rad * math.cos(ang), cy + rad * math.sin(ang)))
            self.d.polygon(pts, fill=ink)
        size = max(9, int(r * 0.26))
        font = self.font(size, "bold")
        n = len(top)
        if oval:
            self.d.text((cx, cy - size * 1.1), top, font=font, fill=ink, anchor="mm")
        else:
            span = min(math.pi * 1.25, n * size * 1.05 / (r * 0.76))
            for k, ch in enumerate(top):
                ang = -math.pi / 2 - span / 2 + span * (k + 0.5) / n
                self.d.text(
                    (cx + r * 0.74 * math.cos(ang), cy + r * 0.74 * math.sin(ang)), ch, font=font, fill=ink, anchor="mm"
                )
        if bottom:
            self.d.text(
                (cx, cy + (r * 0.52 if not oval else size * 0.6)),
                bottom,
                font=self.font(size, "bold"),
                fill=ink,
                anchor="mm",
            )

    def signature(self, x, y, name: str, size: int = 20, color=BLUE_INK):
        """A hand-signed name: slanted serif in ballpoint blue."""
        self.text(x, y, name, size, "serifbold", color)


@dataclass
class ScanLook:
    fade: bool = False
    angle: float = 0.0
    width: int | None = None  # downscale to this width (a low-resolution scan)
    quality: int = 65
    yellow: bool = False  # aged paper
    blur: float = 0.9  # soft focus of a 100-150 dpi office scanner


def scan_look(rng: random.Random, small: bool = False, allow_rotate: bool = True) -> ScanLook:
    """About 15 % rotated 1-3°, 15 % faded, 10 % low resolution; JPEG quality 60-70."""
    look = ScanLook(quality=60)
    if allow_rotate and rng.random() < 0.15:
        look.angle = rng.choice((-1, 1)) * rng.uniform(1.0, 3.0)
    look.fade = rng.random() < 0.15
    if small or rng.random() < 0.25:
        look.width = 420
        look.quality = rng.choice((65, 68, 70))  # small scans are cheap; keep them legible
    look.yellow = rng.random() < 0.2
    look.blur = rng.choice((1.1, 1.2, 1.3))
    return look


class Scanner:
    """Turns a clean drawn page into a plausible scan: paper tone and shading, specks, soft focus, sensor noise,
    fading, skew, down-sampling; then saves a baseline JPEG with fixed settings and no metadata."""

    def __init__(self):
        self.Image, self.ImageChops, self.ImageDraw, self.ImageFilter = Image, ImageChops, ImageDraw, ImageFilter
        rng = random.Random("sample:noise")
        size = 512
        raw = Image.frombytes("L", (size, size), rng.randbytes(size * size))
        self.noise = raw.point([v * 5 // 256 for v in range(256)])  # 0..4, centred on 2 below

    def _tile(self, w: int, h: int, ox: int, oy: int):
        out = self.Image.new("L", (w, h))
        n = self.noise.size[0]
        for y in range(-oy, h, n):
            for x in range(-ox, w, n):
                out.paste(self.noise, (x, y))
        return out

    def process(self, img, rng: random.Random, look: ScanLook):
        Image, ImageChops = self.Image, self.ImageChops
        w, h = img.size
        if look.fade:
            lo = rng.randint(70, 110)
            img = img.point([lo + v * (250 - lo) // 255 for v in range(256)] * (3 if img.mode == "RGB" else 1))
        # paper: a few shades blown up smoothly
        cols, rows = 4, max(4, round(4 * h / w))
        base = rng.randint(232, 246)
        shade = Image.frombytes(
            "L", (cols, rows), bytes(max(200, min(255, base + rng.randint(-8, 6))) for _ in range(cols * rows))
        )
        shade = shade.resize((w, h), Image.BICUBIC)
        if img.mode == "RGB":
            tint = (255, 250, 232) if look.yellow else (252, 252, 248)
            paper = Image.merge("RGB", [shade.point([v * t // 255 for v in range(256)]) for t in tint])
        else:
            paper = shade
        img = ImageChops.multiply(img, paper)
        draw = self.ImageDraw.Draw(img)
        for _ in range(rng.randint(4, 18)):  # dust and specks
            x, y, r = rng.randrange(w), rng.randrange(h), rng.choice((1, 1, 1, 2))
            g = rng.randint(90, 180)
            draw.ellipse((x, y, x + r, y + r), fill=(g, g, g) if img.mode == "RGB" else g)
        img = img.filter(self.ImageFilter.GaussianBlur(look.blur))
        noise = self._tile(w, h, rng.randrange(512), rng.randrange(512))
        if img.mode == "RGB":
            noise = Image.merge("RGB", (noise, noise, noise))
        img = ImageChops.add(img, noise, 1.0, -2)
        if look.angle:
            edge = (205, 205, 200) if img.mode == "RGB" else 205
            img = img.rotate(look.angle, resample=Image.BICUBIC, expand=False, fillcolor=edge)
        width = look.width or (A4_OUT if (w, h) == A4 else None)  # A4 drawn at 840 px, delivered at 800 px
        if width and width < w:
            img = img.resize((width, round(h * width / w)), Image.BILINEAR)
        return img

    def save(self, img, path: Path, rng: random.Random, look: ScanLook) -> None:
        img = self.process(img, rng, look)
        path.parent.mkdir(parents=True, exist_ok=True)
        buf = io.BytesIO()
        kw = {"subsampling": 2} if img.mode == "RGB" else {}
        img.save(buf, "JPEG", quality=look.quality, optimize=True, progressive=False, **kw)
        path.write_bytes(buf.getvalue())


def finance_documents(fonts: Fonts, scanner: Scanner, v: Village, files: Path, renderer: ScanRenderer) -> None:
    """The documents the finance tables name for figures no voucher stands behind: a page of the fixed-asset
    register (assets from before the journal), the budget as adopted by the villagers' representatives, and the
    land contracts (the first is an item's basis scan already)."""
    for n, lot in enumerate(v.lots[1:], start=2):
        page, _ = renderer.draw_contract(
            None, {"kind": "land", "lot": lot, "number": ""}, random.Random(f"sample:{v.slug}:{lot_contract(n)}")
        )
        renderer.save(page, files / lot_contract(n), f"{v.slug}:{lot_contract(n)}")
    tables = files.parent / "finance" / "tables"
    enc = v.spec.encoding
    read = lambda name: list(csv.reader(io.StringIO((tables / name).read_bytes().decode(enc).lstrip("\ufeff"))))  # noqa: E731
    assets = [r for r in read("资产.csv")[1:] if not r[6]]
    budget = read("预算.csv")[1:]
    for name, title, head, rows, widths, note, day in (
        (
            ASSET_DOC,
            "固定资产登记簿（摘页）",
            ("编号", "名称", "原值（元）", "购建日期", "状态"),
            [(r[0], r[1], comma(D(r[3])), r[4], r[5]) for r in assets],
            (80, 290, 150, 130, 70),
            f"以上资产于{YEAR}年6月30日清产核资核实无误，原值合计{comma(sum((D(r[3]) for r in assets), ZERO))}元。",
            f"{YEAR}年7月1日",
        ),
        (
            BUDGET_DOC,
            f"{v.name}{YEAR}年度收支预算",
            ("预算项目", "科目编码", "预算数（元）"),
            [(r[1], r[2], comma(D(r[3]))) for r in budget],
            (300, 160, 260),
            f"经{YEAR}年1月村民代表会议讨论通过。",
            f"{YEAR}年1月20日",
        ),
    ):
        rng = random.Random(f"sample:doc:{v.slug}:{name}")
        p = Page(fonts, 840, 1188)
        p.center(90, title, 28, "serifbold")
        p.center(140, v.committee, 16)
        y = p.table(60, 190, widths, [head] + rows, 15)
        y = p.wrap(60, y + 30, 720, note, 16)
        p.text(840 - 110, y + 80, day, 16, anchor="ra")
        p.stamp(840 - 220, y + 70, 62, v.committee.replace(f"{CITY}{v.town.name}", "")[:12], "")
        scanner.save(p.img, files / name, rng, scan_look(rng))


# ================================================================================================================
# Scans of vouchers and their attachments
# ================================================================================================================


def split_amount(rng: random.Random, total: Decimal, parts: int) -> list[Decimal]:
    """Split a total into positive parts (cents) that add up exactly."""
    if parts <= 1:
        return [total]
    weights = [rng.uniform(0.6, 1.6) for _ in range(parts)]
    out = [D(total * Decimal(str(w / sum(weights)))) for w in weights[:-1]]
    out.append(total - sum(out, ZERO))
    return out


GOODS = {kind: tuple(tuple(g) for g in goods) for kind, goods in FINANCE["goods"].items()}  # name, spec, unit


def sheet_detail(ln: Line, x: Voucher) -> str:
    """What a clerk writes in the 明细科目 column when the journal has no sub-account code."""
    if ln.role == "payable":
        return (
            "代扣社会保险费"
            if "社保" in ln.summary
            else ("工程质保金" if "质保金" in ln.summary else x.counterparty[:12])
        )
    if ln.role == "wages":
        return "村干部报酬"
    if ln.role == "special":
        return "临时救助资金"
    if ln.role == "tax":
        return "应交增值税"
    if ln.role in ("cip", "fixed"):
        return "村道修缮工程"
    return ""


def goods_lines(v: Village, x: Voucher, kind: str, total: Decimal) -> list[tuple[str, str, str, str, Decimal]]:
    """The goods on an invoice (and on the matching purchase list): name, spec, unit, quantity, amount incl. tax."""
    rng = random.Random(f"sample:{v.slug}:{x.month}:{x.day}:{kind}:goods")
    if kind == "power":
        return [("*供电*电费", "", "千瓦时", str(int(total / Decimal("0.6534"))), total)]
    if kind == "water":
        return [("*水冰雪*自来水", "", "吨", str(int(total / Decimal("3.85"))), total)]
    if kind == "works":
        return [("*建筑服务*道路修缮工程", "", "项", "1", total)]
    if kind == "meal":
        return [("*餐饮服务*餐费", "", "次", "1", total)]
    if kind == "rent":
        return [("*经营租赁*厂房租金", f"{v.tenant_area}㎡", "季", "1", total)]
    pool = GOODS[kind]
    k = min(len(pool), 2 if kind == "gifts" else rng.randint(2, 3))
    picked = pool[:k]
    parts = split_amount(rng, total, k)
    return [
        (n, spec, unit, str(rng.randint(2, 12) if kind != "gifts" else len(v.festival)), amt)
        for (n, spec, unit), amt in zip(picked, parts)
    ]


class ScanRenderer:
    """Draws one village's voucher sheets and attachments and saves them under scans/."""

    A4 = A4

    def __init__(self, fonts: Fonts, scanner: Scanner, v: Village):
        self.fonts, self.scanner, self.v = fonts, scanner, v

    # -- plumbing ------------------------------------------------------------------------------------------------
    def page(self, w: int, h: int, color: bool = False, bg=None) -> Page:
        p = Page(self.fonts, w, h, color)
        if bg is not None:
            p.rect(0, 0, w, h, outline=bg, fill=bg)
        return p

    def save(
        self, page: Page, path: Path, key: str, small: bool = False, rotate: bool = True, keep_size: bool = False
    ) -> None:
        rng = random.Random(f"sample:scan:{key}")
        look = scan_look(rng, small=small, allow_rotate=rotate)
        if keep_size:
            look.width = None
        self.scanner.save(page.img, path, rng, look)

    def write_voucher(self, x: Voucher, folder: Path) -> None:
        key = f"{self.v.slug}:{x.month}:{x.no}"
        rng = random.Random(f"sample:draw:{key}")
        sheet = self.voucher_sheet(x, rng)
        self.save(sheet, folder / "01.jpg", key + ":1", keep_size=True)  # the voucher itself stays legible
        for i, att in enumerate(x.atts + x.extra, start=2):
            page, small = getattr(self, "draw_" + att.kind)(x, att.data, rng)
            tall = page.h > 2 * page.w
            self.save(page, folder / f"{i:02d}.jpg", f"{key}:{i}", small=small, rotate=not tall, keep_size=tall)

    def header(self, p: Page, y: int, title: str, size: int = 28, sub: str | None = None) -> int:
        p.spaced(y, title, size, "serifbold", gap=0.25 if len(title) > 6 else 0.5)
        y += int(size * 1.5)
        if sub:
            p.center(y, sub, 15)
            y += 30
        return y

    def signatures(
        self, p: Page, y: int, pairs: list[tuple[str, str]], x0: int = 50, x1: int | None = None, size: int = 15
    ) -> None:
        x1 = x1 or p.w - 50
        step = (x1 - x0) / len(pairs)
        for k, (label, name) in enumerate(pairs):
            x = x0 + k * step
            p.text(x, y, f"{label}：", size)
            if name:
                p.signature(x + p.tw(f"{label}：", size) + 4, y - 4, name, size + 4)

    # -- the voucher sheet -------------------------------------------------------------------------------------
    def voucher_sheet(self, x: Voucher, rng: random.Random) -> Page:
        v = self.v
        color = rng.random() < 0.1  # a few pre-printed forms with green rules
        form = (60, 130, 90) if color else LINE
        w, h = self.A4
        p = self.page(w, h, color)
        p.spaced(60, "记账凭证", 34, "serifbold", fill=form if color else INK, gap=0.8)
        p.line(w / 2 - 120, 108, w / 2 + 120, 108, fill=form, width=2)
        p.line(w / 2 - 120, 113, w / 2 + 120, 113, fill=form)
        p.text(48, 140, f"核算单位：{v.org}", 15)
        p.text(w / 2, 170, f"{YEAR} 年 {x.month:02d} 月 {x.day:02d} 日", 16, anchor="ma")
        p.text(w - 48, 170, f"记 字第 {x.no} 号", 16, anchor="ra")
        widths = (236, 150, 142, 110, 110)
        rows = [("摘  要", "总账科目", "明细科目", "借方金额", "贷方金额")]
        for ln in x.lines:
            main, _, detail = ln.name.partition("—")
            rows.append(
                (
                    ln.summary,
                    f"{ln.code[:3]} {main}",
                    detail or sheet_detail(ln, x),
                    comma(ln.debit) if ln.debit else "",
                    comma(ln.credit) if ln.credit else "",
                )
            )
        while len(rows) < 5:
            rows.append(("", "", "", "", ""))
        rows.append(("合    计", "", "", f"¥{comma(x.total)}", f"¥{comma(x.total)}"))
        bottom = p.table(48, 205, widths, rows, size=15, rh=46, aligns="lllrr", line=form)
        # 附件 n 张, written down the right margin
        for k, ch in enumerate(f"附件{len(x.atts)}张"):
            p.text(w - 26, 240 + k * 24, ch, 16, anchor="ma")
        p.line(w - 40, 205, w - 40, bottom, fill=form)
        handler = {"cash": v.off("出纳"), "land": v.off("出纳"), "rent": v.off("出纳")}.get(
            x.tag, v.off("副书记") if x.tag.startswith("works") else v.off("委员")
        )
        self.signatures(
            p,
            bottom + 34,
            [
                ("会计", v.off("会计")),
                ("出纳", v.off("出纳") if x.money(v.accounts) else ""),
                ("审核", v.off("监委会主任")),
                ("经手人", handler),
            ],
            x0=48,
            size=15,
        )
        if x.money(v.accounts):
            p.stamp(w - 170, bottom + 150, 44, "E银通", "已支付" if x.money(v.accounts) < 0 else "已入账", oval=True)
        # where the originals are glued
        top = bottom + 230
        for xx in range(48, w - 48, 16):
            p.line(xx, top, xx + 8, top, fill=190)
        p.text(w / 2, top + 14, "原始凭证粘贴线（附件另页扫描）", 13, fill=150, anchor="ma")
        return p

    # -- attachments ---------------------------------------------------------------------------------------------
    def draw_invoice(self, x: Voucher, d: dict, rng: random.Random):
        v = self.v
        w, h = 900, 600
        p = self.page(w, h, color=True)
        brown, dark = (165, 95, 60), (40, 40, 40)
        p.center(26, "电子发票（普通发票）", 28, "serifbold", fill=(150, 70, 40))
        p.line(w / 2 - 170, 66, w / 2 + 170, 66, fill=brown, width=2)
        p.line(w / 2 - 170, 71, w / 2 + 170, 71, fill=brown)
        number = "26322000000" + "".join(str(rng.randint(0, 9)) for _ in range(9))
        p.text(620, 26, f"发票号码：{number}", 13, fill=dark)
        p.text(620, 50, f"开票日期：{YEAR}年{x.month:02d}月{max(1, x.day - rng.randint(0, 3)):02d}日", 13, fill=dark)
        for i in range(9):  # a little code block where the QR code sits
            for j in range(9):
                if rng.random() < 0.5:
                    p.rect(40 + i * 7, 16 + j * 7, 46 + i * 7, 22 + j * 7, outline=dark, fill=dark)
        seller = d["seller"]
        buyer = d.get("buyer", v.org)
        buyer_code = (
            v.credit_code
            if buyer == v.org
            else "91320281" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(10))
        )
        seller_code = (
            v.credit_code
            if seller == v.org
            else "91320281" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(10))
        )
        X0, X1, Y0 = 30, w - 30, 96
        p.rect(X0, Y0, X1, 560, outline=brown)
        mid = w / 2
        p.line(mid, Y0, mid, Y0 + 86, fill=brown)
        for k, (label, name, code) in enumerate(
            (("购买方信息", buyer, buyer_code), ("销售方信息", seller, seller_code))
        ):
            bx = X0 if k == 0 else mid
            p.line(bx + 30, Y0, bx + 30, Y0 + 86, fill=brown)
            for j, ch in enumerate(label):
                p.text(bx + 15, Y0 + 4 + j * 16, ch, 13, fill=brown, anchor="ma")
            p.text(bx + 40, Y0 + 14, "名称：", 13, fill=brown)
            p.text(bx + 84, Y0 + 12, name if p.tw(name, 15) < mid - X0 - 100 else name[:22], 15, fill=dark)
            p.text(bx + 40, Y0 + 50, "统一社会信用代码/纳税人识别号：", 12, fill=brown)
            p.text(bx + 40, Y0 + 66, code, 14, fill=dark)
        p.line(X0, Y0 + 86, X1, Y0 + 86, fill=brown)
        rate = Decimal(d["rate"].rstrip("%")) / 100
        goods = goods_lines(v, x, d["kind"], d["amount"])
        rows = [("项目名称", "规格型号", "单位", "数量", "单价", "金额", "税率/征收率", "税额")]
        amt_total = tax_total = ZERO
        for name, spec, unit, qty, incl in goods:
            excl = D(incl / (1 + rate))
            tax = incl - excl
            amt_total += excl
            tax_total += tax
            price = (excl / Decimal(qty)).quantize(Decimal("0.000001")) if qty not in ("", "0") else excl
            rows.append((name, spec, unit, qty, f"{price.normalize():f}", comma(excl), d["rate"], comma(tax)))
        while len(rows) < 5:
            rows.append(("",) * 8)
        rows.append(("合    计", "", "", "", "", f"¥{comma(amt_total)}", "", f"¥{comma(tax_total)}"))
        by = p.table(
            X0,
            Y0 + 86,
            (230, 90, 60, 80, 100, 110, 90, 80),
            rows,
            size=13,
            rh=40,
            aligns="llcrrrcr",
            line=brown,
            fill=dark,
            bold_header=False,
        )
        p.text(X0 + 10, by + 14, "价税合计（大写）", 14, fill=brown)
        p.text(X0 + 150, by + 12, f"ⓧ{rmb_upper(d['amount'])}", 16, fill=dark)
        p.text(X1 - 240, by + 14, "（小写）", 14, fill=brown)
        p.text(X1 - 170, by + 12, f"¥{comma(d['amount'])}", 16, fill=dark)
        p.line(X0, by + 46, X1, by + 46, fill=brown)
        note = {
            "works": f"建筑服务发生地：{CITY}{v.town.name}；项目名称：{v.spec.project}",
            "rent": f"不动产地址：{CITY}{v.town.name}{v.name}工业集中区；租赁期：{YEAR}年7月1日至9月30日",
            "power": f"户号：{rng.randint(10**9, 10**10 - 1)}；电费所属期：{YEAR}年{x.month - 1:02d}月",
            "water": f"户号：{rng.randint(10**7, 10**8 - 1)}；水费所属期：{YEAR}年{x.month - 1:02d}月",
        }.get(d["kind"], "")
        p.text(X0 + 10, by + 56, "备注", 14, fill=brown)
        p.text(X0 + 60, by + 56, note, 13, fill=dark)
        p.text(X0 + 10, 570, f"开票人：{rng.choice(('王丽', '陈静', '张敏', '刘芳', '周婷', '黄蕾'))}", 14, fill=dark)
        if seller != v.org:
            p.stamp(X1 - 120, 520, 42, seller[3:13] if len(seller) > 13 else seller, "发票专用章", oval=True)
        return p, bool(d.get("small"))

    def draw_receipt(self, x: Voucher, d: dict, rng: random.Random):
        v = self.v
        w, h = 760, 400
        p = self.page(w, h, color=True, bg=(250, 232, 232))
        red = (180, 50, 50)
        p.spaced(24, "收据", 30, "serifbold", fill=red, gap=1.2)
        p.line(w / 2 - 70, 66, w / 2 + 70, 66, fill=red, width=2)
        p.text(w - 40, 30, f"No. {rng.randint(10**6, 10**7 - 1)}", 16, fill=red, anchor="ra")
        p.center(80, f"{YEAR}年{x.month}月{x.day}日", 15, fill=INK)
        rows = (("今收到", d["payer"]), ("交  来", d["purpose"]), ("人民币（大写）", rmb_upper(d["amount"])))
        y = 122
        for label, value in rows:
            p.text(50, y, label, 16, fill=red)
            p.text(50 + p.tw(label, 16) + 14, y - 3, value, 18, "serif", fill=BLUE_INK)
            p.line(50 + p.tw(label, 16) + 8, y + 24, w - 50, y + 24, fill=red)
            y += 48
        p.text(w - 260, y - 6, f"¥ {comma(d['amount'])}", 20, "serif", fill=BLUE_INK)
        y += 40
        p.text(50, y, "收款单位（盖章）", 15, fill=red)
        p.stamp(230, y + 10, 46, v.org[len(CITY) + len(v.town.name) :], "财务专用章")
        self.signatures(p, y, [("会计", v.off("会计")), ("出纳", v.off("出纳"))], x0=380, x1=w - 20)
        return p, True

    def draw_bankslip(self, x: Voucher, d: dict, rng: random.Random):
        v = self.v
        w, h = 800, 440
        p = self.page(w, h)
        p.center(22, f"{BANK}", 20, "bold")
        p.center(52, "电 子 回 单", 18)
        p.text(40, 90, f"回单编号：{x.month:02d}{x.day:02d}{rng.randint(10**7, 10**8 - 1)}", 13)
        p.text(w - 40, 90, f"记账日期：{YEAR}-{x.month:02d}-{x.day:02d}", 13, anchor="ra")
        ours = f"{v.bank_account[:4]} {v.bank_account[4:8]} {v.bank_account[8:12]} {v.bank_account[12:16]} {v.bank_account[16:]}"
        payer_acct = ours if d["payer"] == v.org else "—"
        payee_acct = (
            ours
            if d["payee"] == v.org
            else ("—" if "批量" in d["payee"] else f"{rng.randint(1000, 9999)} **** {rng.randint(1000, 9999)}")
        )
        rows = [
            ("付款人户名", d["payer"], "收款人户名", d["payee"]),
            ("付款人账号", payer_acct, "收款人账号", payee_acct),
            ("金额（大写）", rmb_upper(d["amount"]), "金额（小写）", f"¥{comma(d['amount'])}"),
            ("用途", d["purpose"], "交易渠道", "E银通" if d["payer"] == v.org else "柜面/网银"),
        ]
        p.table(30, 116, (110, 260, 110, 260), rows, size=13, rh=48, aligns="llll", bold_header=False)
        p.text(40, 330, f"交易流水号：{rng.randint(10**11, 10**12 - 1)}    打印次数：1", 13)
        p.stamp(w - 150, 360, 40, "江阴农商银行", "电子回单专用章", oval=True)
        return p, rng.random() < 0.7

    def draw_cheque(self, x: Voucher, d: dict, rng: random.Random):
        v = self.v
        w, h = 420, 720
        p = self.page(w, h)
        p.center(26, BANK, 15, "bold")
        p.center(54, "现金支票存根", 22, "serifbold")
        p.center(90, f"{rng.randint(31400000, 31409999)}  {rng.randint(10**7, 10**8 - 1)}", 14)
        y = 130
        for label, value in (
            ("附加信息", ""),
            ("出票日期", f"{YEAR}年{x.month}月{x.day}日"),
            ("收款人", "本单位"),
            ("金  额", f"¥{comma(d['amount'])}"),
            ("用  途", d["purpose"]),
        ):
            p.text(40, y, f"{label}：", 16)
            p.text(140, y - 2, value, 18, "serif", fill=INK)
            p.line(136, y + 26, w - 40, y + 26)
            y += 70
        p.text(40, y + 20, "单位主管", 15)
        p.signature(120, y + 16, v.off("书记"), 18)
        p.text(230, y + 20, "会计", 15)
        p.signature(280, y + 16, v.off("会计"), 18)
        return p, True

    def draw_notice(self, x: Voucher, d: dict, rng: random.Random):
        v, town = self.v, self.v.town
        w, h = self.A4
        color = rng.random() < 0.5
        p = self.page(w, h, color)
        issuer = town.finance_office if d["kind"] == "subsidy" else town.gov
        head = issuer.replace(CITY, "") if len(issuer) > 12 else issuer
        p.center(70, head + ("文件" if d["kind"] != "subsidy" else ""), 34, "serifbold", fill=RED)
        number = (
            f"{town.short}财〔{YEAR}〕{rng.randint(20, 68)}号"
            if d["kind"] == "subsidy"
            else f"{town.short}政发〔{YEAR}〕{rng.randint(30, 90)}号"
        )
        p.center(140, number, 16)
        p.line(60, 172, w - 60, 172, fill=RED, width=3)
        title = {
            "subsidy": f"关于下达{d.get('name', '')}的通知",
            "relief": f"关于拨付{YEAR}年8月困难群众临时救助资金的通知",
        }[d["kind"]]
        y = p.wrap(90, 200, w - 180, title, 22, "serifbold", lh=1.5)
        y = p.wrap(60, y + 16, w - 120, "各村（社区）：", 16)
        body = (
            {
                "subsidy": f"根据市有关文件精神和年度预算安排，现将{d.get('name', '')}下达给你们（具体金额见下表）。"
                "请各村严格按照规定用途使用，专款专用，纳入村级财务统一核算，并在“三务”公开户户通平台及时公开，"
                "接受群众监督。",
                "relief": "经村（社区）申请、民政办审核、公示无异议，现将困难群众临时救助资金拨付到各村账户，"
                "请在收到资金后五个工作日内通过银行代发到户，严禁截留挪用，发放名单在户户通平台公开。",
            }
        )[d["kind"]]
        y = p.wrap(60, y + 4, w - 120, body, 16, indent=2)
        siblings = [s for s in VILLAGES if s.town == town.slug]
        rows = [("序号", "村（社区）", "金额（元）", "备注")]
        for k, s in enumerate(siblings, start=1):
            amt = d["amount"] if s.slug == v.slug else D(round(float(d["amount"]) * rng.uniform(0.7, 1.3), -2))
            rows.append((str(k), s.name, comma(amt), ""))
        y = p.table(100, y + 14, (70, 240, 170, 160), rows, size=15, rh=38, aligns="clr") + 30
        y = p.wrap(60, y, w - 120, "特此通知。", 16, indent=2)
        p.text(w - 120, y + 40, issuer.replace(CITY, ""), 16, anchor="ra")
        p.text(w - 150, y + 70, f"{YEAR}年{x.month}月{max(1, x.day - 3)}日", 16, anchor="ra")
        p.stamp(w - 240, y + 50, 62, issuer.replace(CITY, "")[:10], "")
        return p, False

    def draw_contract(self, x: Voucher, d: dict, rng: random.Random):
        v = self.v
        w, h = self.A4
        p = self.page(w, h)
        if d["kind"] == "works":
            y = self.header(p, 80, v.spec.project + "施工合同", 24)
            p.text(w - 80, y, f"合同编号：{v.project_no}", 14, anchor="ra")
            y += 40
            clauses = (
                f"发包人（甲方）：{v.org}",
                f"承包人（乙方）：{v.contractor}",
                f"依照《中华人民共和国民法典》《中华人民共和国建筑法》及有关法律规定，遵循平等、自愿、公平和诚信原则，"
                f"经{v.name}村民代表会议决议通过，按比选结果，双方就{v.spec.project}有关事项协商一致，订立本合同。",
                f"一、工程概况。工程名称：{v.spec.project}；工程地点：{v.spec.project_place}；工程内容：原路面破损修补、"
                f"沥青混凝土加铺约{rng.randint(28, 60) * 100}平方米、排水沟清淤及护坡修复；资金来源：村集体自筹及上级奖补资金。",
                f"二、合同工期。计划开工日期{YEAR}年7月20日，计划竣工日期{YEAR}年9月10日，工期总日历天数53天。",
                "三、质量标准。符合国家现行施工验收规范，一次性验收合格。",
                f"四、合同价款。本合同价款为人民币{rmb_upper(v.contract_amount)}（¥{comma(v.contract_amount)}），"
                "采用固定单价合同，工程量按实结算，最终以审计结果为准。",
                "五、付款方式。合同签订后支付合同价的30%作为预付款；工程完成过半支付40%进度款；竣工验收合格、审计后"
                "付至结算价的95%；余款5%作为质量保证金，保修期满一年无质量问题后无息付清。所有款项通过“E银通”系统"
                "转账支付，乙方须提供合规发票。",
                "六、安全文明施工。乙方负责施工期间交通疏导和安全防护，因施工造成的损失由乙方承担。",
            )
        else:
            lot: LandLot = d["lot"]
            y = self.header(p, 80, "农村集体土地承包合同", 26)
            p.text(
                w - 80,
                y,
                f"合同编号：{d.get('number') or v.spec.short + '发〔' + str(YEAR) + '〕1号'}",
                14,
                anchor="ra",
            )
            y += 40
            pid = lot.contact.id_no
            clauses = (
                f"发包方（甲方）：{v.org}",
                f"承包方（乙方）：{lot.holder}    负责人：{lot.contact.name}    身份证号：{pid[:6]}********{pid[-4:]}",
                "为稳定和完善农村土地承包关系，根据《中华人民共和国农村土地承包法》《江苏省农村集体资产管理条例》，"
                f"经{v.name}村民代表会议讨论通过并公开招标，甲乙双方订立本合同。",
                f"一、承包地块：{lot.place}，面积{lot.mu}亩，四至以附图为准。",
                f"二、承包期限：自{YEAR}年1月1日起至{YEAR + 2}年12月31日止，共三年。",
                f"三、承包费：每亩每年{comma(lot.price)}元，年承包费{comma(lot.amount)}元（{rmb_upper(lot.amount)}），"
                "乙方于每年7月15日前一次性交清，甲方开具收据。",
                "四、乙方须从事粮食等农业生产，不得改变土地农业用途，不得建设永久性建筑物，不得转包。",
                "五、承包期内如遇国家征收，地上附着物及青苗补偿费归乙方，土地补偿费归甲方。",
            )
        for c in clauses:
            y = p.wrap(70, y, w - 140, c, 16, indent=2 if c[0] in "依为一二三四五六" else 0) + 6
        p.center(h - 60, "第 1 页  共 6 页", 13)
        return p, False

    def draw_list(self, x: Voucher, d: dict, rng: random.Random):
        v = self.v
        kind = d["kind"]
        sig = str  # the 签名/签到/签收 cells hold the signer's name, drawn below in "handwriting"
        if kind == "cadre_pay":
            title = f"{v.name}{d['month']}月份村干部报酬发放表"
            head = ("序号", "姓名", "职务", "基本报酬", "代扣社保", "实发金额", "工资卡号", "签名")
            widths = (46, 76, 176, 90, 80, 92, 150, 70)
            body = [
                (
                    str(k),
                    c.person.name,
                    c.role,
                    comma(c.base),
                    comma(c.insurance),
                    comma(c.base - c.insurance),
                    masked_card(c.person.card),
                    sig(c.person.name),
                )
                for k, c in enumerate(v.cadres, 1)
            ]
            tb = sum((c.base for c in v.cadres), ZERO)
            ti = sum((c.insurance for c in v.cadres), ZERO)
            body.append(("合计", "", "", comma(tb), comma(ti), comma(tb - ti), "", ""))
        elif kind == "cleaners":
            title = f"{v.name}{d['month']}月份保洁员工资发放清单"
            head = ("序号", "姓名", "组别", "保洁区域", "出勤", "工资（元）", "银行卡号", "签名")
            widths = (46, 76, 60, 200, 60, 90, 150, 92)
            body = [
                (
                    str(k),
                    p_.name,
                    f"{p_.group}组",
                    f"{p_.group}组村道及河塘",
                    "满勤",
                    comma(wg),
                    masked_card(p_.card),
                    sig(p_.name),
                )
                for k, (p_, wg) in enumerate(v.cleaners, 1)
            ]
            body.append(("合计", "", "", "", "", comma(sum((wg for _, wg in v.cleaners), ZERO)), "", ""))
        elif kind == "meal":
            title = "公务用餐审批及清单"
            n = rng.randint(6, 9)
            head = ("日期", "事由", "来客单位", "就餐人数", "陪同人数", "金额（元）")
            widths = (110, 250, 160, 80, 80, 100)
            body = [
                (
                    f"{x.month}月{max(1, x.day - 2)}日",
                    "检查防汛防台及汛期安全工作",
                    f"{v.town.name}防汛办",
                    str(n),
                    "2",
                    comma(x.total),
                )
            ]
            body.append(("合计", "", "", str(n), "2", comma(x.total)))
        elif kind == "signin":
            title = "“七一”主题党日活动签到表"
            head = ("序号", "姓名", "签到", "序号", "姓名", "签到")
            widths = (60, 130, 180, 60, 130, 180)
            pf = PeopleFactory(random.Random(f"sample:{v.slug}:signin"), v.spec.groups)
            pf.used = set(v.people.used)
            names = [pf.person(born=(1950, 1998)).name for _ in range(32)]
            body = [
                (str(k + 1), names[k], sig(names[k]), str(k + 17), names[k + 16], sig(names[k + 16])) for k in range(16)
            ]
        elif kind == "meeting_pay":
            title = "村民小组长会议误工补贴签领单"
            head = ("序号", "组别", "姓名", "金额（元）", "签名")
            widths = (70, 100, 160, 160, 220)
            chosen = [ld for ld in v.leaders if ld[1] == "组长"][: d["n"]]
            body = [(str(k), f"{p_.group}组", p_.name, "100.00", sig(p_.name)) for k, (p_, _) in enumerate(chosen, 1)]
            body.append(("合计", "", "", comma(D(100 * len(chosen))), ""))
        elif kind == "relief":
            title = "困难群众临时救助金发放清单"
            head = ("序号", "姓名", "组别", "救助原因", "金额（元）", "银行卡号")
            widths = (50, 80, 60, 290, 100, 180)
            body = [
                (str(k), p_.name, f"{p_.group}组", why, comma(a), masked_card(p_.card))
                for k, (p_, a, why) in enumerate(v.relief, 1)
            ]
            body.append(("合计", "", "", "", comma(sum((a for _, a, _ in v.relief), ZERO)), ""))
        elif kind == "leaders":
            title = f"{v.name}{YEAR}年第三季度村民小组长误工补贴发放表"
            head = ("序号", "组别", "职务", "姓名", "月标准", "季度金额", "银行卡号")
            widths = (56, 70, 110, 100, 90, 110, 190)
            body = [
                (str(k), f"{p_.group}组", role, p_.name, "200.00", comma(d["each"]), masked_card(p_.card))
                for k, (p_, role) in enumerate(v.leaders, 1)
            ]
            body.append(("合计", "", "", "", "", comma(d["each"] * len(v.leaders)), ""))
        elif kind == "festival":
            title = f"{YEAR}年中秋节困难群众慰问品发放名单"
            head = ("序号", "姓名", "组别", "类别", "慰问品", "折合金额", "签收")
            widths = (50, 90, 60, 130, 200, 100, 110)
            body = [
                (str(k), p_.name, f"{p_.group}组", why, "月饼、食用油" if a >= 500 else "月饼", comma(a), sig(p_.name))
                for k, (p_, a, why) in enumerate(v.festival, 1)
            ]
            body.append(("合计", "", "", "", "", comma(sum((a for _, a, _ in v.festival), ZERO)), ""))
        else:
            raise ValueError(kind)
        rh = 44 if kind == "leaders" else 40
        total_w = sum(widths)
        w = max(800, total_w + 60) if kind == "leaders" else max(840, total_w + 60)
        need = 230 + rh * (len(body) + 1) + 150
        h = need if need > 1188 else 1188
        p = self.page(w, h, color=rng.random() < 0.25)
        y = self.header(p, 60, title, 24 if len(title) < 18 else 21)
        p.text(50, y, f"单位：{v.org}", 14)
        p.text(w - 50, y, f"{YEAR}年{x.month}月{x.day}日", 14, anchor="ra")
        sig_cols = {i for i, hd in enumerate(head) if hd in ("签名", "签到", "签收")}
        rows = [head] + [tuple("" if c in sig_cols else cell for c, cell in enumerate(row)) for row in body]
        x0 = (w - total_w) / 2
        aligns = "".join(
            "r" if any(k in hd for k in ("金额", "工资", "报酬", "社保", "标准", "实发")) else ("c" if i == 0 else "l")
            for i, hd in enumerate(head)
        )
        bottom = p.table(x0, y + 30, widths, rows, size=14, rh=rh, aligns=aligns)
        for r, row in enumerate(body, start=1):  # handwritten names in the 签名/签到/签收 columns
            for c in sorted(sig_cols):
                if row[c]:
                    p.signature(x0 + sum(widths[:c]) + 8 + rng.randint(0, 10), y + 30 + r * rh + 7, row[c], 16)
        self.signatures(
            p,
            bottom + 40,
            [("制表", v.off("会计")), ("审核", v.off("书记")), ("村监委会", v.off("监委会主任"))],
            x0=60,
            x1=w - 40,
        )
        return p, False

    def draw_table(self, x: Voucher, d: dict, rng: random.Random):
        v = self.v
        w, h = self.A4
        p = self.page(w, h)
        kind = d["kind"]
        if kind == "accrual":
            y = self.header(p, 70, f"{d['month']}月份村干部报酬计提表", 24)
            rows = [("序号", "姓名", "职务", "基本报酬", "本月计提")]
            rows += [(str(k), c.person.name, c.role, comma(c.base), comma(c.base)) for k, c in enumerate(v.cadres, 1)]
            tot = sum((c.base for c in v.cadres), ZERO)
            rows.append(("合计", "", "", comma(tot), comma(tot)))
            bottom = p.table(60, y + 40, (60, 110, 250, 150, 150), rows, size=15, rh=42, aligns="cllrr")
            p.wrap(
                60,
                bottom + 20,
                w - 120,
                f"说明：按{v.town.name}村干部报酬管理办法及{YEAR}年度考核方案，基本报酬按月计提，"
                "绩效报酬年终考核后另行发放。",
                15,
            )
        elif kind == "depreciation":
            y = self.header(p, 70, f"{d['month']}月份固定资产折旧计算表", 24)
            a, b = d["a"], d["b"]
            a1 = D(a * Decimal("0.7"))
            rows = [("资产类别", "使用部门", "原值（元）", "月折旧率", "本月折旧额", "记入科目")]
            rows += [
                ("村委会办公楼", "村委会", comma(D(a1 / Decimal("0.003958"))), "0.3958%", comma(a1), "管理费用"),
                ("办公设备", "村委会", comma(D((a - a1) / Decimal("0.015833"))), "1.5833%", comma(a - a1), "管理费用"),
                ("标准厂房", "出租", comma(D(b / Decimal("0.003958"))), "0.3958%", comma(b), "经营支出"),
                ("合计", "", "", "", comma(a + b), ""),
            ]
            p.table(40, y + 40, (170, 110, 150, 110, 130, 90), rows, size=15, rh=44, aligns="llrrrl")
        elif kind in ("progress", "settlement"):
            title = "工程进度款支付确认单" if kind == "progress" else "工程结算审核单"
            y = self.header(p, 70, title, 24)
            paid_before = D(v.contract_amount * Decimal("0.30")) + (
                D(v.contract_amount * Decimal("0.40")) if kind == "settlement" else ZERO
            )
            rows = [
                ("项目", "内容"),
                ("工程名称", v.spec.project),
                ("施工单位", v.contractor),
                ("合同编号", v.project_no),
                ("合同价（元）", comma(v.contract_amount)),
            ]
            if kind == "progress":
                rows += [
                    ("完成工程量", f"约{rng.randint(62, 70)}%（现场核实）"),
                    ("已付款（元）", comma(paid_before)),
                    ("本期支付（元）", comma(x.total)),
                    ("累计支付比例", "70%"),
                ]
            else:
                rows += [
                    ("送审金额（元）", comma(D(v.contract_amount * Decimal("1.043")))),
                    ("审定金额（元）", comma(v.contract_amount)),
                    ("核减金额（元）", comma(D(v.contract_amount * Decimal("1.043")) - v.contract_amount)),
                    ("已付款（元）", comma(paid_before)),
                    ("本次支付（元）", comma(x.total)),
                    ("质保金5%（元）", comma(v.contract_amount - paid_before - x.total)),
                ]
            bottom = p.table(60, y + 40, (200, 520), rows, size=15, rh=46, aligns="ll")
            self.signatures(
                p, bottom + 50, [("施工单位", ""), ("村监委会", v.off("监委会主任")), ("村书记", v.off("书记"))], x0=60
            )
            p.stamp(200, bottom + 130, 54, v.contractor[3:13], "合同专用章")
        elif kind == "acceptance":
            y = self.header(p, 70, "村级工程竣工验收单", 24)
            rows = [
                ("项目", "内容"),
                ("工程名称", v.spec.project),
                ("施工单位", v.contractor),
                ("开工日期", f"{YEAR}年7月20日"),
                ("竣工日期", f"{YEAR}年9月8日"),
                ("合同价（元）", comma(v.contract_amount)),
                ("验收意见", "工程按合同完成，路面平整、排水通畅，资料齐全，同意验收。"),
                ("验收结论", "合格"),
            ]
            bottom = p.table(60, y + 40, (180, 540), rows, size=15, rh=50, aligns="ll")
            self.signatures(
                p,
                bottom + 50,
                [("村书记", v.off("书记")), ("村监委会", v.off("监委会主任")), ("农经站", v.town.agri_reviewer)],
                x0=60,
            )
        else:
            raise ValueError(kind)
        return p, False

    def draw_approval(self, x: Voucher, d: dict, rng: random.Random):
        v = self.v
        w, h = self.A4
        p = self.page(w, h)
        y = self.header(p, 70, "村级资金支付审批单", 26, sub="（E银通 线上支付）")
        rows = [
            ("申请事项", d["summary"]),
            ("收款单位", d["payee"]),
            ("支付金额", f"{rmb_upper(d['amount'])}  ¥{comma(d['amount'])}"),
            ("支付依据", f"施工合同（{v.project_no}）、村民代表会议决议"),
            ("经办人", ""),
            ("证明人", ""),
            ("村审批人", ""),
            ("村监委会审核", "同意支付。"),
            ("镇农经站审核", "同意。"),
        ]
        bottom = p.table(60, y + 30, (180, 540), rows, size=15, rh=56, aligns="ll")
        for r, name in (
            (4, v.off("副书记")),
            (5, v.off("委员")),
            (6, v.off("书记")),
            (7, v.off("监委会主任")),
            (8, v.town.agri_reviewer),
        ):
            p.signature(60 + 180 + 260, y + 30 + r * 56 + 14, name, 18)
        p.text(60, bottom + 30, f"单笔支付超过5万元，已按规定报{v.town.name}农经站线上审核。", 14)
        return p, False

    def draw_tickets(self, x: Voucher, d: dict, rng: random.Random):
        w, h = 800, 560
        p = self.page(w, h)
        p.center(24, "费用报销粘贴单", 20, "bold")
        parts = split_amount(rng, d["amount"], 3)
        for k, amt in enumerate(parts):
            x0, y0 = 40 + k * 250, 90 + (k % 2) * 40
            p.rect(x0, y0, x0 + 220, y0 + 300)
            p.center(y0 + 14, "江苏省出租汽车统一发票" if k == 1 else "公路汽车客票", 13, "bold", cx=x0 + 110)
            for j, line in enumerate(
                (
                    f"日期 {YEAR}-{x.month:02d}-{x.day - 1:02d}",
                    "江阴—南京" if k != 1 else "南京站—市政务中心",
                    f"票价 ¥{comma(amt)}",
                    f"No.{rng.randint(10**6, 10**7 - 1)}",
                )
            ):
                p.text(x0 + 16, y0 + 60 + j * 44, line, 15)
        p.text(
            40, 480, f"报销人：{self.v.off('副书记')}    合计：¥{comma(d['amount'])}（{rmb_upper(d['amount'])}）", 15
        )
        return p, rng.random() < 0.5


# ================================================================================================================
# Pictures for items: basis scans, photos, a chart
# ================================================================================================================


def strip_markdown(text: str) -> list[str]:
    """Paragraphs of an item body as plain text, for drawing a scan of the document it rests on."""
    out = []
    for raw in text.split("\n\n"):
        lines = [ln.strip() for ln in raw.strip().split("\n")]
        if not lines or not lines[0] or lines[0].startswith("|"):
            continue
        para = "".join(
            ln.lstrip("#-*0123456789. ").replace("**", "") if ln.startswith(("#", "-", "*")) else ln.replace("**", "")
            for ln in lines
        )
        if "](" in para:
            continue
        out.append(para)
    return out


class PictureRenderer:
    """Draws the pictures items show: scans of the documents they rest on, meeting and site photos, a chart."""

    def __init__(self, fonts: Fonts, scanner: Scanner):
        self.fonts, self.scanner = fonts, scanner

    def item_pictures(self, v: Village, it: Item, files: Path, renderer: ScanRenderer) -> None:
        """The scan of the document an item rests on (once per document: several items may rest on it) and its
        photos or chart, into the village's files/."""
        if it.basis and it.basis.get("scan"):
            name, pic = it.basis["scan"]
            target = files / name
            if not target.exists():
                if pic["kind"] == "contract":
                    data = {"kind": pic["contract"], "lot": v.lots[0], "number": it.basis.get("number", "")}
                    page, _ = renderer.draw_contract(None, data, random.Random(f"sample:{v.slug}:{name}"))
                    renderer.save(page, target, f"{v.slug}:{name}")
                else:
                    self.basis_scan(v, it, target)
        for name, pic in it.images:
            if pic["kind"] == "chart":
                self.chart(v, files / name)
            else:
                self.photo(pic, files / name, f"{v.slug}:{name}")

    def basis_scan(self, v: Village, it: Item, path: Path) -> None:
        rng = random.Random(f"sample:basis:{v.slug}:{it.basis['scan'][0]}")
        number = it.basis.get("number", "")
        if "党" in number:
            issuer = v.party_org
        elif number.startswith(v.town.short):
            issuer = v.town.gov
        else:
            issuer = v.committee
        w, h = 840, 1188
        p = Page(self.fonts, w, h, color=rng.random() < 0.4)
        head = issuer.replace(f"{CITY}{v.town.name}", "")
        p.center(70, head, 30 if len(head) < 14 else 24, "serifbold", fill=RED)
        if number:
            p.center(130, number, 16)
        p.line(60, 162, w - 60, 162, fill=RED, width=3)
        y = p.wrap(
            90, 190, w - 180, it.basis["title"] if it.basis["title"] != it.title else it.title, 22, "serifbold", lh=1.5
        )
        y = p.wrap(90, y, w - 180, f"（{it.title}）" if it.basis["title"] != it.title else "", 16) + 10
        for para in strip_markdown(it.body):
            if y > h - 520:
                break
            y = p.wrap(64, y, w - 128, para, 16, indent=2) + 6
        p.text(w - 110, h - 190, head, 16, anchor="ra")
        p.text(w - 130, h - 158, f"{YEAR}年{it.day.month}月{it.day.day}日", 16, anchor="ra")
        p.stamp(w - 220, h - 180, 62, head[:12] if len(head) > 3 else head, "")
        look = scan_look(rng)
        self.scanner.save(p.img, path, rng, look)

    def photo(self, spec: dict, path: Path, key: str) -> None:
        rng = random.Random(f"sample:photo:{key}")
        w, h = 720, 486
        p = Page(self.fonts, w, h, color=True)
        dr = p.d
        if spec["kind"] == "meeting":
            dr.rectangle((0, 0, w, h), fill=(228, 222, 206))
            dr.rectangle((0, int(h * 0.72), w, h), fill=(150, 118, 88))
            dr.rectangle((60, 28, w - 60, 92), fill=(188, 32, 30))
            banner = spec["banner"]
            size = 26 if len(banner) < 22 else 20
            dr.text((w / 2, 60), banner, font=p.font(size, "bold"), fill=(250, 222, 120), anchor="mm")
            dr.rectangle((w / 2 - 150, 110, w / 2 + 150, 230), fill=(236, 238, 240), outline=(90, 90, 90))
            dr.text((w / 2, 170), "学习 · 决策 · 公开", font=p.font(22, "bold"), fill=(150, 40, 40), anchor="mm")
            dr.rectangle((40, 250, w - 40, 290), fill=(120, 70, 40))  # the front table
            clothes = ((40, 60, 110), (60, 60, 60), (230, 230, 230), (110, 40, 40), (50, 90, 70), (200, 170, 120))
            for y0, size, count in ((300, 34, 9), (360, 38, 8), (425, 44, 7)):
                step = (w - 80) / count
                for k in range(count):
                    cx = 40 + step * (k + 0.5) + rng.randint(-8, 8)
                    col = clothes[rng.randrange(len(clothes))]
                    dr.rounded_rectangle(
                        (cx - size * 0.95, y0 + size * 0.8, cx + size * 0.95, y0 + size * 2.6),
                        radius=int(size * 0.5),
                        fill=col,
                    )
                    dr.ellipse((cx - size * 0.45, y0, cx + size * 0.45, y0 + size), fill=(226, 190, 160))
                    hair = (30, 30, 30) if rng.random() < 0.7 else (150, 150, 150)
                    dr.chord((cx - size * 0.47, y0 - 2, cx + size * 0.47, y0 + size * 0.8), 180, 360, fill=hair)
        else:
            for y in range(int(h * 0.45)):
                t = y / (h * 0.45)
                dr.line((0, y, w, y), fill=(int(150 + 80 * t), int(190 + 50 * t), int(235 + 10 * t)))
            dr.rectangle((0, int(h * 0.40), w, int(h * 0.47)), fill=(70, 120, 60))
            dr.rectangle((0, int(h * 0.47), w, h), fill=(120, 150, 80))
            road = (58, 58, 62) if spec.get("done") else (110, 105, 100)
            dr.polygon(((w * 0.42, h * 0.47), (w * 0.58, h * 0.47), (w * 0.95, h), (w * 0.05, h)), fill=road)
            if spec.get("done"):
                for k in range(6):
                    y0 = h * 0.5 + k * k * 9 + k * 12
                    dr.line((w / 2, y0, w / 2, y0 + 8 + k * 5), fill=(240, 240, 240), width=2 + k)
            else:
                dr.rectangle((w * 0.55, h * 0.55, w * 0.78, h * 0.72), fill=(235, 180, 30))  # a roller
                dr.ellipse((w * 0.52, h * 0.66, w * 0.62, h * 0.80), fill=(60, 60, 60))
                dr.ellipse((w * 0.72, h * 0.66, w * 0.80, h * 0.78), fill=(60, 60, 60))
                dr.rectangle((w * 0.62, h * 0.48, w * 0.72, h * 0.56), fill=(60, 80, 100))
            for _ in range(rng.randint(3, 5)):
                cx, cy = rng.uniform(w * 0.2, w * 0.5), rng.uniform(h * 0.62, h * 0.82)
                dr.rectangle((cx - 10, cy, cx + 10, cy + 40), fill=(240, 120, 30))
                dr.ellipse((cx - 8, cy - 18, cx + 8, cy - 2), fill=(220, 185, 150))
                dr.chord((cx - 10, cy - 22, cx + 10, cy - 6), 180, 360, fill=(250, 220, 40))
        dr.rectangle((0, h - 40, w, h), fill=(30, 30, 30))
        dr.text((16, h - 20), spec["caption"], font=p.font(18), fill=(245, 245, 245), anchor="lm")
        img = p.img.filter(ImageFilter.GaussianBlur(0.7))
        img = self.scanner.Image.blend(
            img,
            self.scanner.Image.merge(
                "RGB",
                [self.scanner._tile(w, h, rng.randrange(512), rng.randrange(512)).point(lambda v: 128 + (v - 3) * 6)]
                * 3,
            ),
            0.06,
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=65, optimize=True, progressive=False, subsampling=2)
        path.write_bytes(buf.getvalue())

    def chart(self, v: Village, path: Path) -> None:
        w, h = 720, 420
        p = Page(self.fonts, w, h, color=True)
        dr = p.d
        p.center(16, f"{v.name}{YEAR}年第三季度资金收支（元）", 20, "bold", fill=(30, 30, 30))
        bal = month_balances(v)
        top = max(max(i, e) for _, _, i, e, _ in bal)
        scale = 260 / float(top)
        base_y = 350
        dr.line((70, base_y, w - 30, base_y), fill=(80, 80, 80), width=2)
        for k in range(5):
            y = base_y - k * 65
            dr.line((70, y, w - 30, y), fill=(215, 215, 215))
            dr.text(
                (64, y), f"{float(top) * k * 65 / 260 / 10000:.0f}万", font=p.font(12), fill=(90, 90, 90), anchor="rm"
            )
        for k, (m, _, inc, exp, _) in enumerate(bal):
            x0 = 120 + k * 190
            for j, (amt, col) in enumerate(((inc, (60, 140, 90)), (exp, (220, 120, 40)))):
                hh = float(amt) * scale
                dr.rectangle((x0 + j * 60, base_y - hh, x0 + j * 60 + 50, base_y), fill=col)
                dr.text(
                    (x0 + j * 60 + 25, base_y - hh - 4),
                    f"{float(amt) / 10000:.1f}万",
                    font=p.font(12),
                    fill=(40, 40, 40),
                    anchor="mb",
                )
            dr.text((x0 + 55, base_y + 10), f"{m}月", font=p.font(15), fill=(40, 40, 40), anchor="ma")
        for j, (label, col) in enumerate((("收入", (60, 140, 90)), ("支出", (220, 120, 40)))):
            dr.rectangle((w - 170 + j * 80, 56, w - 156 + j * 80, 70), fill=col)
            dr.text((w - 150 + j * 80, 63), label, font=p.font(14), fill=(40, 40, 40), anchor="lm")
        img = p.img.quantize(colors=24, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        path.parent.mkdir(parents=True, exist_ok=True)
        buf = io.BytesIO()
        img.save(buf, "PNG", optimize=True)
        path.write_bytes(buf.getvalue())
