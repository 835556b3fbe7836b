#!/usr/bin/env python3
"""Generate the sample content folder for sitegen: a fictional but realistic 江阴市 "三务公开户户通" site.

    python scripts/make_sample.py [OUT_DIR]        (default: the repository's content/)

OUT_DIR is deleted and written again. The output is byte-for-byte the same on every run (fixed seeds, fixed
dates, sorted iteration, no timestamps, no image metadata), so it can be checked in and diffed.

What it writes (see docs/content-format.md for the format):

* site.yaml, city-wide policies/ (政策法规) and rules/ (制度建设);
* two towns (夏港街道, 祝塘镇), each with town.yaml, policies/ and rules/, and two villages;
* per village: items for all 21 categories of 党务/村务/财务, village rules/, a quarter's journal
  (journal/2026-07.csv .. 2026-09.csv, one village in UTF-8 with BOM, one in GB18030 as Excel saves it),
  voucher scans (scans/2026-MM/<n>/01.jpg = the 记账凭证 sheet, 02.jpg.. = invoices, receipts, lists,
  contracts) and files/ (basis scans, meeting and site photos, a chart).

The people, ID numbers, phone and bank card numbers are invented (check digits are valid so that masking is
exercised); any likeness to real persons is accidental.

Needs Pillow, PyYAML and a CJK font (Debian: fonts-noto-cjk). Without a CJK font it stops with an error,
because the scans would show empty boxes instead of Chinese text.
"""
from __future__ import annotations

import csv
import glob
import io
import math
import os
import random
import shutil
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "content"
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
SYSTEM = "2024"  # 《农村集体经济组织会计制度》财会〔2023〕14号, applies to 2026

# ================================================================================================================
# Fonts
# ================================================================================================================

# Where Debian/Ubuntu (fonts-noto-cjk), Fedora and Arch put the Noto CJK collections, then other CJK fonts.
_FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/noto-cjk", "/usr/share/fonts/google-noto-cjk",
              "/usr/share/fonts/opentype/noto-cjk", "/usr/share/fonts/noto")
_FONT_FILES = {
    "sans": ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf", "NotoSansSC-Regular.otf"),
    "bold": ("NotoSansCJK-Bold.ttc", "NotoSansCJKsc-Bold.otf", "NotoSansSC-Bold.otf"),
    "serif": ("NotoSerifCJK-Regular.ttc", "NotoSerifCJKsc-Regular.otf", "NotoSerifSC-Regular.otf"),
    "serifbold": ("NotoSerifCJK-Bold.ttc", "NotoSerifCJKsc-Bold.otf", "NotoSerifSC-Bold.otf"),
}
_FALLBACK_GLOBS = ("/usr/share/fonts/**/NotoSansCJK*.tt[cf]", "/usr/share/fonts/**/NotoSerifCJK*.tt[cf]",
                   "/usr/share/fonts/**/wqy-zenhei.tt[cf]", "/usr/share/fonts/**/wqy-microhei.tt[cf]",
                   "/usr/share/fonts/**/uming.tt[cf]", "/usr/share/fonts/**/ukai.tt[cf]",
                   "/usr/share/fonts/**/DroidSansFallback*.ttf")


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
        from PIL import ImageFont
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
            self._cache[key] = self._ImageFont.truetype(path, size, index=self._face(path),
                                                        layout_engine=self._ImageFont.Layout.BASIC)
        return self._cache[key]


# ================================================================================================================
# Small helpers: money, Chinese amounts, identifiers
# ================================================================================================================

def D(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def s2(amount: Decimal) -> str:
    """'1200.00' as in the journal."""
    return f"{amount.quantize(CENT):.2f}"


def comma(amount: Decimal) -> str:
    """'12,345.60' as printed on forms."""
    return f"{amount.quantize(CENT):,.2f}"


_UPPER = "零壹贰叁肆伍陆柒捌玖"


def _upper_int(n: int) -> str:
    units = ("", "万", "亿", "万亿")
    groups = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    out = ""
    pending_zero = False
    for gi in range(len(groups) - 1, -1, -1):
        g = groups[gi]
        if g == 0:
            pending_zero = bool(out)
            continue
        if out and (pending_zero or g < 1000):
            out += "零"
        part, zero = "", False
        for digit, unit in zip(f"{g:04d}", ("仟", "佰", "拾", "")):
            d = int(digit)
            if d == 0:
                zero = bool(part)
            else:
                if zero:
                    part += "零"
                    zero = False
                part += _UPPER[d] + unit
        out += part + units[gi]
        pending_zero = False
    return out


def rmb_upper(amount: Decimal) -> str:
    """人民币大写: Decimal('12004.50') -> '壹万贰仟零肆元伍角整'."""
    cents = int((amount.quantize(CENT) * 100).to_integral_value())
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    out = _upper_int(yuan) + "元" if yuan else ""
    if jiao == 0 and fen == 0:
        return (out or "零元") + "整"
    if jiao:
        out += _UPPER[jiao] + "角"
    elif yuan:
        out += "零"
    out += _UPPER[fen] + "分" if fen else "整"
    return out


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_check(first17: str) -> str:
    """GB 11643 check character of a citizen identity number."""
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS)) % 11]


def luhn_complete(prefix: str) -> str:
    """Append the Luhn check digit."""
    total = 0
    for i, ch in enumerate(reversed(prefix)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return prefix + str((10 - total % 10) % 10)


def luhn_ok(number: str) -> bool:
    return luhn_complete(number[:-1]) == number


_MOBILE_PREFIXES = ("133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "157", "158", "159",
                    "177", "180", "181", "182", "187", "188", "189", "195", "199")
_CARD_BINS = (("622848", 19), ("621700", 19), ("622848", 19), ("622823", 16), ("621799", 19))

SURNAMES = "徐陈周张王黄缪薛夏顾吴钱陆朱沈蒋承季邢贡蔡范刘杨奚龚许郁曹孙赵袁"
GIVEN_M = ("建华", "国平", "志刚", "永良", "金宝", "福根", "荣生", "炳元", "根生", "伟", "勇", "小平", "洪兴",
           "卫东", "建新", "国良", "雪明", "正清", "志明", "文彬", "兴国", "春林", "海峰", "俊", "阿三", "仁元",
           "云龙", "锡生", "德兴", "秋林")
GIVEN_F = ("秀英", "桂英", "金娣", "彩娣", "杏娣", "美娟", "小妹", "红英", "丽娟", "雪芬", "菊芬", "美华",
           "玉珍", "凤英", "惠娟", "晓燕", "月琴", "素琴", "建芬", "亚萍", "丽萍", "霞", "敏", "春芳", "梅英")


@dataclass
class Person:
    name: str
    sex: str  # 男 / 女
    born: date
    id_no: str
    mobile: str
    card: str
    group: int  # 村民小组

    @property
    def age(self) -> int:
        return 2026 - self.born.year - ((self.born.month, self.born.day) > (9, 1))


class PeopleFactory:
    """Invented villagers with valid-looking (check-digit-correct) identifiers, unique names per village."""

    def __init__(self, rng: random.Random, groups: int):
        self.rng = rng
        self.groups = groups
        self.used: set[str] = set()
        self.seq = 0

    def person(self, sex: str | None = None, born: tuple[int, int] = (1940, 1990), name: str | None = None,
               group: int | None = None) -> Person:
        rng = self.rng
        sex = sex or rng.choice("男女")
        while name is None or name in self.used:
            name = rng.choice(SURNAMES) + rng.choice(GIVEN_M if sex == "男" else GIVEN_F)
        self.used.add(name)
        birth = date(rng.randint(*born), rng.randint(1, 12), rng.randint(1, 28))
        seq = rng.randint(10, 99) * 10 + rng.choice((1, 3, 5, 7, 9) if sex == "男" else (0, 2, 4, 6, 8))
        first17 = f"320281{birth:%Y%m%d}{seq:03d}"
        mobile = rng.choice(_MOBILE_PREFIXES) + f"{rng.randint(0, 99999999):08d}"
        bin_, length = rng.choice(_CARD_BINS)
        card = luhn_complete(bin_ + "".join(str(rng.randint(0, 9)) for _ in range(length - len(bin_) - 1)))
        return Person(name, sex, birth, first17 + id_check(first17), mobile, card,
                      group if group is not None else rng.randint(1, self.groups))


def masked_card(card: str) -> str:
    """How a careful clerk prints a card number on a paper list (the scans are not masked by sitegen)."""
    return card[:4] + "*" * (len(card) - 8) + card[-4:]


# ================================================================================================================
# Drawing: a page to draw on, and the "scanner" that makes it look scanned
# ================================================================================================================

INK = 28          # printed text on grey pages
LINE = 70         # printed form lines
RED = (196, 48, 40)
BLUE_INK = (40, 60, 140)


class Page:
    """A white sheet with drawing helpers; colour pages take RGB inks, grey pages turn them grey."""

    def __init__(self, fonts: Fonts, w: int, h: int, color: bool = False):
        from PIL import Image, ImageDraw
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

    def wrap(self, x, y, width, s: str, size: int = 16, role: str = "sans", fill=INK, lh: float = 1.7,
             indent: int = 0) -> float:
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
        self.d.rectangle((x1, y1, x2, y2), outline=self.ink(outline), width=width,
                         fill=None if fill is None else self.ink(fill))

    def table(self, x, y, widths, rows, size: int = 15, rh: int = 34, aligns: str = "", line=LINE,
              fill=INK, header_fill=None, bold_header: bool = True) -> float:
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
                self.d.text((cx + r * 0.74 * math.cos(ang), cy + r * 0.74 * math.sin(ang)), ch, font=font,
                            fill=ink, anchor="mm")
        if bottom:
            self.d.text((cx, cy + (r * 0.52 if not oval else size * 0.6)), bottom, font=self.font(size, "bold"),
                        fill=ink, anchor="mm")

    def signature(self, x, y, name: str, size: int = 20, color=BLUE_INK):
        """A hand-signed name: slanted serif in ballpoint blue."""
        self.text(x, y, name, size, "serifbold", color)


@dataclass
class ScanLook:
    fade: bool = False
    angle: float = 0.0
    width: int | None = None  # downscale to this width (a low-resolution scan)
    quality: int = 65
    yellow: bool = False      # aged paper


def scan_look(rng: random.Random, small: bool = False, allow_rotate: bool = True) -> ScanLook:
    """About 15 % rotated 1-3°, 15 % faded, 10 % low resolution; JPEG quality 60-70."""
    look = ScanLook(quality=rng.choice((60, 62, 65, 68, 70)))
    if allow_rotate and rng.random() < 0.15:
        look.angle = rng.choice((-1, 1)) * rng.uniform(1.0, 3.0)
    look.fade = rng.random() < 0.15
    if small or rng.random() < 0.10:
        look.width = 420
    look.yellow = rng.random() < 0.2
    return look


class Scanner:
    """Turns a clean drawn page into a plausible scan: paper tone and shading, specks, soft focus, sensor noise,
    fading, skew, down-sampling; then saves a baseline JPEG with fixed settings and no metadata."""

    def __init__(self):
        from PIL import Image, ImageChops, ImageDraw, ImageFilter
        self.Image, self.ImageChops, self.ImageDraw, self.ImageFilter = Image, ImageChops, ImageDraw, ImageFilter
        rng = random.Random("sample:noise")
        size = 512
        raw = Image.frombytes("L", (size, size), rng.randbytes(size * size))
        self.noise = raw.point([v * 7 // 256 for v in range(256)])  # 0..6, centred on 3 below

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
        shade = Image.frombytes("L", (cols, rows), bytes(max(200, min(255, base + rng.randint(-8, 6)))
                                                       for _ in range(cols * rows)))
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
        img = img.filter(self.ImageFilter.GaussianBlur(0.55))
        noise = self._tile(w, h, rng.randrange(512), rng.randrange(512))
        if img.mode == "RGB":
            noise = Image.merge("RGB", (noise, noise, noise))
        img = ImageChops.add(img, noise, 1.0, -3)
        if look.angle:
            edge = (205, 205, 200) if img.mode == "RGB" else 205
            img = img.rotate(look.angle, resample=Image.BICUBIC, expand=False, fillcolor=edge)
        if look.width and look.width < w:
            img = img.resize((look.width, round(h * look.width / w)), Image.LANCZOS)
        return img

    def save(self, img, path: Path, rng: random.Random, look: ScanLook) -> None:
        img = self.process(img, rng, look)
        path.parent.mkdir(parents=True, exist_ok=True)
        buf = io.BytesIO()
        kw = {"subsampling": 2} if img.mode == "RGB" else {}
        img.save(buf, "JPEG", quality=look.quality, optimize=True, progressive=False, **kw)
        path.write_bytes(buf.getvalue())
