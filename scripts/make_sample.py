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
* oversight: registries/ (bad enterprises, 失信 persons, death register), feedback/ (12345 hotline records), and per
  village cadres and 低保 recipients in village.yaml, reviews.yaml, acknowledgements.yaml, payee IDs and approval
  trails in the journal, payments that trip every warning rule, and two drafts (see "Oversight" below).

The people, ID numbers, phone and bank card numbers are invented (check digits are valid so that masking is
exercised); any likeness to real persons is accidental. Account codes come from sitegen/content/accounts.py (the 2024
chart, looked up by name); one village (河湘村) writes sub-account codes such as 10201 银行存款—基本户.

The scans are tuned so that the whole folder stays under 12 MB (du): A4 pages are drawn at 840 px and delivered
800 px wide, JPEG quality 60 (65-70 for the 420 px low-resolution ones), baseline, no EXIF. Identical bytes are
guaranteed for the same Pillow/libjpeg/FreeType and font files; another Pillow build may encode slightly
differently, which is why the test compares two runs rather than fixed checksums.

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

A4 = (840, 1188)  # pages are drawn at this size ...
A4_OUT = 800      # ... and delivered this wide (about 96 dpi), like an office scanner's "document" setting
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
    blur: float = 0.9         # soft focus of a 100-150 dpi office scanner


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
        from PIL import Image, ImageChops, ImageDraw, ImageFilter
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


# ================================================================================================================
# The sample world: city, towns, villages
# ================================================================================================================

CITY = "江阴市"
TITLE = "江阴市“三务”公开户户通"
YEAR = 2026
MONTHS = (7, 8, 9)
BANK = "江苏江阴农村商业银行"


@dataclass
class Town:
    slug: str
    name: str
    short: str           # 夏港 / 祝塘, used in document numbers (澄夏发〔2026〕…)
    gov: str             # 江阴市人民政府夏港街道办事处
    party: str           # 中共江阴市夏港街道工作委员会
    org_reviewer: str    # 组织办
    civil_reviewer: str  # 民政办
    agri_reviewer: str   # 农经站
    finance_office: str  # 财政所 (pays subsidies)

    def dept(self, board: str) -> str:
        return self.name + {"党务": "组织办", "村务": "民政办", "财务": "农经站"}[board]

    def reviewer(self, board: str) -> str:
        return {"党务": self.org_reviewer, "村务": self.civil_reviewer, "财务": self.agri_reviewer}[board]


TOWNS = (
    Town("xiagang", "夏港街道", "夏", "江阴市人民政府夏港街道办事处", "中共江阴市夏港街道工作委员会",
         "王建华", "陈晓燕", "张永刚", "江阴市夏港街道财政所"),
    Town("zhutang", "祝塘镇", "祝", "江阴市祝塘镇人民政府", "中共江阴市祝塘镇委员会",
         "钱立新", "孙丽萍", "周海峰", "江阴市祝塘镇财政所"),
)


@dataclass
class VillageSpec:
    town: str
    slug: str
    name: str
    short: str               # one character for document numbers: 长党〔2026〕5号
    encoding: str            # journal CSV encoding: utf-8, utf-8-sig or gb18030
    officials: dict          # role -> name
    groups: int
    households: int
    population: int
    area_km2: str
    farmland_mu: int
    party_members: int
    reps: int                # 村民代表
    intro: str
    project: str             # this quarter's road works
    project_place: str
    detail_codes: bool = False  # write sub-account codes (10201 …) in the journal


VILLAGES = (
    VillageSpec(
        "xiagang", "changshou", "长寿村", "长", "utf-8",
        {"书记": "徐建明", "副书记": "陈志刚", "副主任": "周红英", "委员": "黄伟", "会计": "缪丽娟",
         "出纳": "夏玉珍", "监委会主任": "夏国平"},
        18, 1126, 3958, "4.6", 2150, 186, 45,
        "长寿村位于夏港街道西北部，北临长江、南接滨江西路，全村面积4.6平方公里，辖18个村民小组，"
        "1126户、3958人，党员186名。村内有标准厂房2.1万平方米，集体耕地2150亩以优质水稻和葡萄种植为主。"
        "近年来村里推进“三务”公开户户通，每一笔收支、每一份合同都能在电视上查看。",
        "三组至五组村道修缮工程", "三组至五组之间的长寿中心路"),
    VillageSpec(
        "xiagang", "jiangtou", "江头村", "江", "utf-8-sig",
        {"书记": "顾卫东", "副书记": "陆建新", "副主任": "吴雪芬", "委员": "钱勇", "会计": "朱晓燕",
         "出纳": "沈惠娟", "监委会主任": "沈福良"},
        14, 862, 2975, "3.2", 1380, 131, 36,
        "江头村地处夏港街道东部沿江地带，面积3.2平方公里，辖14个村民小组，862户、2975人，党员131名。"
        "村集体收入主要来自沿江物流仓储用房出租和土地发包，村里建有老年活动中心和便民服务站。",
        "江头河沿河便道拓宽工程", "江头河东岸七组至九组段"),
    VillageSpec(
        "zhutang", "wenlin", "文林村", "文", "gb18030",
        {"书记": "蒋国华", "副书记": "承志强", "副主任": "季美华", "委员": "邢俊", "会计": "贡晓红",
         "出纳": "蔡凤英", "监委会主任": "蔡永良"},
        22, 1305, 4410, "5.8", 3600, 214, 52,
        "文林村位于祝塘镇南部，全村面积5.8平方公里，辖22个村民小组，1305户、4410人，党员214名。"
        "村里针织、服装小微企业较多，集体耕地3600亩实行规模经营，种植稻麦和特色蔬菜。",
        "文林路至十二组机耕路硬化工程", "文林路至十二组"),
    VillageSpec(
        "zhutang", "hexiang", "河湘村", "湘", "utf-8",
        {"书记": "刘建国", "副书记": "范小平", "副主任": "杨丽萍", "委员": "奚伟", "会计": "周敏",
         "出纳": "郁亚萍", "监委会主任": "王金荣"},
        16, 980, 3302, "4.1", 2460, 158, 40,
        "河湘村位于祝塘镇东北部，面积4.1平方公里，辖16个村民小组，980户、3302人，党员158名。"
        "村内河网密布，苗木和水产养殖是主要产业，村集体拥有标准厂房和沿街门面房。",
        "河湘桥至八组道路及排水沟修缮工程", "河湘桥至八组", detail_codes=True),
)

TOWN_BY_SLUG = {t.slug: t for t in TOWNS}

CONTRACTORS = ("江阴市恒通市政工程有限公司", "江阴市澄东建设工程有限公司", "江阴市夏港建筑安装工程有限公司",
               "江阴市华祝路桥工程有限公司")
RESTAURANTS = ("江阴市夏港农家乐饭店", "江阴市长江渔港餐饮有限公司", "江阴市祝塘镇老街饭店", "江阴市文林土菜馆")
TENANTS = ("江阴市长运物流仓储有限公司", "江阴市江腾精密机械有限公司", "江阴市祝塘宏达针织有限公司",
           "江阴市湘源纺织品有限公司")
FARMS = ("江阴市长寿葡萄专业合作社", "江阴市江头稻香家庭农场", "江阴市文林粮食种植家庭农场", "江阴市河湘苗木专业合作社")
POWER = "国网江苏省电力有限公司江阴市供电分公司"
WATER = "江阴市水务集团有限公司"
GIFT_SHOPS = ("江阴市华润万家超市夏港店", "江阴市苏果超市祝塘店")


# ================================================================================================================
# Accounts: codes come from sitegen.accounts (the 2024 chart), looked up by official name
# ================================================================================================================

ROLE_NAMES = {
    "cash": "库存现金", "bank": "银行存款", "fixed": "固定资产", "depr": "累计折旧", "cip": "在建工程",
    "payable": "应付款", "wages": "应付工资", "tax": "应交税费", "special": "专项应付款",
    "income": "经营收入", "subsidy": "补助收入", "other_income": "其他收入", "op_cost": "经营支出",
    "admin": "管理费用", "public": "公益支出",
}

# Sub-accounts (明细科目) used by the village that writes detail codes.
DETAILS = {
    ("bank", "基本户"): "01", ("admin", "办公费"): "01", ("admin", "水电费"): "02", ("admin", "干部报酬"): "03",
    ("admin", "误工补贴"): "04", ("admin", "党建活动经费"): "05", ("admin", "业务招待费"): "06",
    ("admin", "差旅费"): "07", ("admin", "折旧费"): "08", ("admin", "其他"): "99",
    ("public", "环境卫生"): "01", ("public", "路灯电费"): "02", ("public", "慰问救助"): "03",
    ("public", "绿化养护"): "04", ("income", "发包收入"): "01", ("income", "租赁收入"): "02",
}


def load_accounts() -> dict[str, tuple[str, str]]:
    """role -> (code, official name) from sitegen.accounts; fails loudly if the chart lacks a name."""
    sys.path.insert(0, str(REPO))
    try:
        from sitegen.content.accounts import by_name
    finally:
        sys.path.pop(0)
    out = {}
    for role, name in ROLE_NAMES.items():
        account = by_name(SYSTEM, name)
        if account is None:
            raise SystemExit(f"make_sample: the {SYSTEM} chart in sitegen/content/accounts.py has no account named {name}")
        out[role] = (account.code, account.name)
    return out


# ================================================================================================================
# Journal
# ================================================================================================================

@dataclass
class Line:
    code: str
    name: str
    debit: Decimal
    credit: Decimal
    summary: str
    role: str


@dataclass
class Attachment:
    kind: str   # invoice, receipt, list, contract, bankslip, notice, cheque, table, approval, tickets
    data: dict


@dataclass
class Voucher:
    month: int
    day: int
    summary: str
    counterparty: str
    lines: list[Line]
    atts: list[Attachment]
    extra: list[Attachment] = field(default_factory=list)  # scans beyond 附件张数 (e.g. the E银通 slip)
    no: int = 0
    tag: str = ""
    payee_id: str = ""               # 收款人证件号 (oversight: matched against registries and cadres)
    trail_gap: tuple[str, ...] = ()  # approval steps left out on purpose (trail_cells)

    @property
    def date(self) -> date:
        return date(YEAR, self.month, self.day)

    @property
    def total(self) -> Decimal:
        return sum((ln.debit for ln in self.lines), ZERO)

    def money(self, accounts) -> Decimal:
        codes = (accounts["cash"][0], accounts["bank"][0])
        return sum((ln.debit - ln.credit for ln in self.lines if ln.code[:3] in codes), ZERO)


@dataclass
class Cadre:
    person: Person
    role: str
    base: Decimal        # monthly basic pay
    insurance: Decimal   # personal social insurance withheld monthly


@dataclass
class Household:
    person: Person
    members: int
    monthly: Decimal
    kind: str            # 低保 / 特困 / 低保边缘


@dataclass
class LandLot:
    holder: str          # farm or person
    contact: Person
    place: str
    mu: Decimal
    price: Decimal
    due_month: int

    @property
    def amount(self) -> Decimal:
        return D(self.mu * self.price)


@dataclass
class Village:
    spec: VillageSpec
    town: Town
    rng: random.Random
    people: PeopleFactory
    accounts: dict
    org: str = ""
    committee: str = ""
    party_org: str = ""
    cadres: list[Cadre] = field(default_factory=list)
    cleaners: list[tuple[Person, Decimal]] = field(default_factory=list)
    leaders: list[tuple[Person, str]] = field(default_factory=list)  # 小组长 with their group
    households: list[Household] = field(default_factory=list)
    relief: list[tuple[Person, Decimal, str]] = field(default_factory=list)
    festival: list[tuple[Person, Decimal, str]] = field(default_factory=list)
    lots: list[LandLot] = field(default_factory=list)
    tenant: str = ""
    tenant_area: int = 0
    quarter_rent: Decimal = ZERO
    contractor: str = ""
    contract_amount: Decimal = ZERO
    project_no: str = ""
    opening_cash: Decimal = ZERO
    opening_bank: Decimal = ZERO
    vouchers: list[Voucher] = field(default_factory=list)
    credit_code: str = ""
    bank_account: str = ""
    supervisor: Person | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def slug(self) -> str:
        return self.spec.slug

    @property
    def full(self) -> str:
        return f"{CITY}{self.town.name}{self.spec.name}"

    def off(self, role: str) -> str:
        return self.spec.officials[role]

    def acct(self, role: str, detail: str | None = None) -> tuple[str, str]:
        code, name = self.accounts[role]
        if self.spec.detail_codes and detail and (role, detail) in DETAILS:
            return code + DETAILS[(role, detail)], f"{name}—{detail}"
        if self.spec.detail_codes and role == "bank":
            return code + "01", f"{name}—基本户"
        return code, name

    def dr(self, role: str, amount: Decimal, summary: str, detail: str | None = None) -> Line:
        code, name = self.acct(role, detail)
        return Line(code, name, D(amount), ZERO, summary, role)

    def cr(self, role: str, amount: Decimal, summary: str, detail: str | None = None) -> Line:
        code, name = self.acct(role, detail)
        return Line(code, name, ZERO, D(amount), summary, role)


def _cents(rng: random.Random, lo: float, hi: float) -> Decimal:
    return D(rng.randint(int(lo * 100), int(hi * 100)) / 100)


def build_village(spec: VillageSpec, accounts: dict) -> Village:
    """Everything about one village that the items, the journal and the scans share."""
    rng = random.Random(f"sample:{spec.slug}:people")
    v = Village(spec, TOWN_BY_SLUG[spec.town], rng, PeopleFactory(rng, spec.groups), accounts)
    town = v.town
    v.org = f"{CITY}{town.name}{spec.name}股份经济合作社"
    v.committee = f"{CITY}{town.name}{spec.name}村民委员会"
    v.party_org = f"中共{CITY}{town.name}{spec.name}委员会"
    v.credit_code = "N2320281MF" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    v.bank_account = "3202810" + "".join(str(rng.randint(0, 9)) for _ in range(12))
    idx = [s.slug for s in VILLAGES].index(spec.slug)

    roles = (("书记", "党委书记、村委会主任", 9800, 1052), ("副书记", "党委副书记、村委会副主任", 7800, 842),
             ("副主任", "村委会副主任、妇联主席", 6900, 745), ("委员", "村委委员、网格长", 6300, 680),
             ("会计", "村会计（报账员）", 6100, 659), ("出纳", "出纳、便民服务员", 5200, 562))
    for key, title, base, ins in roles:
        name = spec.officials[key]
        sex = "女" if name[-1] in "英娟芬华燕红敏萍珍" or key in ("副主任", "出纳") else "男"
        p = v.people.person(sex=sex, born=(1968, 1990), name=name)
        v.cadres.append(Cadre(p, title, D(base + rng.choice((0, 100, 200))), D(ins)))
    v.supervisor = v.people.person(sex="男", born=(1955, 1965), name=spec.officials["监委会主任"])

    for _ in range(rng.randint(8, 11)):
        v.cleaners.append((v.people.person(born=(1956, 1970)), D(rng.choice((2300, 2350, 2400, 2450, 2500)))))
    v.cleaners.sort(key=lambda c: c[0].group)
    for g in range(1, spec.groups + 1):
        v.leaders.append((v.people.person(sex="男", born=(1955, 1975), group=g), "组长"))
        v.leaders.append((v.people.person(sex="女", born=(1958, 1980), group=g), "妇女小组长"))
    for _ in range(rng.randint(6, 8)):
        kind = rng.choice(("低保", "低保", "低保", "特困", "低保边缘"))
        members = 1 if kind == "特困" else rng.randint(1, 4)
        monthly = {"低保": members * rng.choice((960, 1040, 1085)), "特困": 1410, "低保边缘": members * 270}[kind]
        v.households.append(Household(v.people.person(born=(1940, 1975)), members, D(monthly), kind))
    v.households.sort(key=lambda h: (h.person.group, h.person.name))
    reasons = ("因病住院，自付医疗费用较高", "家中房屋漏雨维修", "子女就学困难", "突发意外受伤", "配偶重病长期治疗")
    for _ in range(rng.randint(4, 6)):
        v.relief.append((v.people.person(born=(1945, 1985)), D(rng.choice((1000, 1500, 2000, 3000))), rng.choice(reasons)))
    fest = [(h.person, D(500), f"{h.kind}户") for h in v.households]
    for _ in range(rng.randint(3, 5)):
        fest.append((v.people.person(born=(1940, 1950)), D(300), "高龄独居老人"))
    v.festival = fest

    places = ("北圩", "南荡", "东横头", "西沙田", "中心圩", "后塘")
    for i in range(3):
        holder = FARMS[idx] if i == 0 else None
        contact = v.people.person(sex="男", born=(1962, 1985))
        lot = LandLot(holder or contact.name, contact, f"{rng.randint(1, spec.groups)}组{places[(idx + i) % len(places)]}",
                      D(rng.choice((128, 156.5, 210, 96.8, 88, 132.4, 305))), D(rng.choice((900, 950, 1000, 1050))),
                      7 if i < 2 else 9)
        v.lots.append(lot)
    v.tenant = TENANTS[idx]
    v.tenant_area = rng.choice((2400, 3200, 3600, 4800))
    v.quarter_rent = D(v.tenant_area * rng.choice((15, 16, 18)) * 3)
    v.contractor = CONTRACTORS[idx]
    v.contract_amount = D(rng.randrange(1580, 2860) * 100)
    v.project_no = f"{town.short}{spec.short}工〔2026〕{rng.randint(2, 6)}号"
    v.opening_cash = _cents(rng, 2300, 4800)
    v.opening_bank = D(rng.randrange(420, 980) * 1000 + rng.randint(0, 99999) / 100)
    return v


def build_journal(v: Village) -> None:
    """A quarter of vouchers (at least 12 a month), numbered 记-1.. per month in date order, all balanced."""
    rng = random.Random(f"sample:{v.slug}:journal")
    out: list[Voucher] = []
    town = v.town
    gross = sum((c.base for c in v.cadres), ZERO)
    insurance = sum((c.insurance for c in v.cadres), ZERO)
    cleaners_total = sum((w for _, w in v.cleaners), ZERO)
    pay_plan = {7: Decimal("0.30"), 8: Decimal("0.40"), 9: Decimal("0.25")}
    level = "街道" if town.name.endswith("街道") else "镇"
    subsidy = {7: (f"{YEAR}年下半年村级组织运转经费", rng.randrange(8, 13) * 10000),
               8: (f"{YEAR}年度党组织服务群众专项经费", rng.choice((50000, 60000))),
               9: ("农村人居环境长效管护奖补资金", rng.randrange(30, 61) * 1000)}

    def V(month, day, summary, cp, lines, atts, extra=(), tag=""):
        out.append(Voucher(month, day, summary, cp, lines, list(atts), list(extra), tag=tag))

    for m in MONTHS:
        prev = m - 1
        # 提取备用金: bank -> cash, once this quarter (the petty cash limit is 5000)
        amt = D(rng.choice((3000, 4000, 5000)))
        if m == 7:
            V(m, rng.randint(1, 3), "提取备用金", "", [v.dr("cash", amt, "提取备用金"), v.cr("bank", amt, "提取备用金", "基本户")],
              [Attachment("cheque", {"amount": amt, "purpose": "备用金"})], tag="cash")
        # 上级补助
        name, value = subsidy[m]
        text = f"收到{level}拨付{name}"
        amt = D(value)
        V(m, rng.randint(4, 7), text, town.finance_office,
          [v.dr("bank", amt, text, "基本户"), v.cr("subsidy", amt, text)],
          [Attachment("notice", {"kind": "subsidy", "name": name, "amount": amt})] if m != 8 else
          [Attachment("bankslip", {"amount": amt, "payer": town.finance_office, "payee": v.org, "purpose": name})],
          tag="subsidy")
        # 发放上月干部工资 (withholding personal social insurance)
        text = f"发放{prev}月份村干部报酬"
        net = gross - insurance
        V(m, rng.randint(8, 10), text, f"{v.name}村干部（{len(v.cadres)}人）",
          [v.dr("wages", gross, text), v.cr("bank", net, text, "基本户"), v.cr("payable", insurance, f"代扣{prev}月个人社保")],
          [Attachment("list", {"kind": "cadre_pay", "month": prev})] + (
              [Attachment("bankslip", {"amount": net, "payer": v.org, "payee": f"批量代发 共{len(v.cadres)}笔", "purpose": f"{prev}月工资代发"})]
              if m == 7 else []),
          tag="wages")
        # 保洁员工资
        text = f"支付{prev}月份保洁员工资"
        V(m, rng.randint(10, 12), text, f"保洁员{len(v.cleaners)}人",
          [v.dr("public", cleaners_total, text, "环境卫生"), v.cr("bank", cleaners_total, text, "基本户")],
          [Attachment("list", {"kind": "cleaners", "month": prev})], tag="cleaners")
        # 工程款 / 结算
        if m in pay_plan:
            part = D(v.contract_amount * pay_plan[m])
            text = {7: f"支付{v.spec.project}预付款", 8: f"支付{v.spec.project}进度款",
                    9: f"支付{v.spec.project}结算款"}[m]
            atts = [Attachment("invoice", {"kind": "works", "seller": v.contractor, "amount": part, "rate": "9%"}),
                    Attachment("contract" if m == 7 else "table", {"kind": "works" if m == 7 else ("progress" if m == 8 else "settlement"), "amount": part})]
            V(m, rng.randint(14, 17), text, v.contractor, [v.dr("cip", part, text), v.cr("bank", part, text, "基本户")],
              atts, extra=[Attachment("approval", {"summary": text, "amount": part, "payee": v.contractor})] if m == 8 else [],
              tag=f"works{m}")
        # 电费、水费
        a1, a2, a3 = _cents(rng, 420, 980), _cents(rng, 1800, 3600), _cents(rng, 160, 420)
        text = f"支付{prev}月份电费、水费"
        lines = [v.dr("admin", a1, "村委会办公用电", "水电费"), v.dr("public", a2, "村内路灯用电", "路灯电费"),
                 v.dr("admin", a3, "村委会用水", "水电费")]
        tot = a1 + a2 + a3
        lines.append(v.cr("bank", tot, text, "基本户"))
        V(m, rng.randint(16, 19), text, f"{POWER}、{WATER}",
          lines, [Attachment("invoice", {"kind": "power", "seller": POWER, "amount": a1 + a2, "rate": "13%", "small": m != 7}),
                  Attachment("invoice", {"kind": "water", "seller": WATER, "amount": a3, "rate": "3%", "small": True})], tag="utility")
        # 村务卡: a working meal in August (the 七一 activity in July is below)
        if m == 8:
            amt = D(rng.randrange(6, 15) * 100 + rng.choice((0, 20, 50, 80)))
            seller = RESTAURANTS[rng.randrange(len(RESTAURANTS))]
            text = "村务卡支付上级检查防汛工作用餐费"
            V(m, rng.randint(20, 23), text, seller, [v.dr("admin", amt, text, "业务招待费"), v.cr("bank", amt, text, "基本户")],
              [Attachment("invoice", {"kind": "meal", "seller": seller, "amount": amt, "rate": "1%"}),
               Attachment("list", {"kind": "meal", "amount": amt})], tag="meal")
        # 计提当月干部报酬; 计提折旧 (no money moves)
        text = f"计提{m}月份村干部报酬"
        V(m, 30 if m != 7 else 31, text, "", [v.dr("admin", gross, text, "干部报酬"), v.cr("wages", gross, text)],
          [Attachment("table", {"kind": "accrual", "month": m})], tag="accrual")
        d1, d2 = _cents(rng, 1800, 2600), _cents(rng, 5200, 8800)
        text = f"计提{m}月份固定资产折旧"
        V(m, 30 if m != 7 else 31, text, "",
          [v.dr("admin", d1, "办公用房及设备折旧", "折旧费"), v.dr("op_cost", d2, "出租厂房折旧"), v.cr("depr", d1 + d2, text)],
          [Attachment("table", {"kind": "depreciation", "month": m, "a": d1, "b": d2})], tag="depr")

    # --- July ---
    for lot in v.lots:
        if lot.due_month != 7:
            continue
        text = "收到2026年度土地承包费"
        atts = [Attachment("receipt", {"payer": lot.holder, "amount": lot.amount, "purpose": f"2026年度土地承包费（{lot.place}{lot.mu}亩）"})]
        if lot is v.lots[0]:
            atts.append(Attachment("contract", {"kind": "land", "lot": lot}))
        V(7, rng.randint(11, 14), text, lot.holder, [v.dr("bank", lot.amount, text, "基本户"), v.cr("income", lot.amount, f"{lot.holder}土地承包费", "发包收入")],
          atts, tag="land")
    rent = v.quarter_rent
    base = D(rent / Decimal("1.05"))
    text = "收到标准厂房第三季度租金"
    V(7, rng.randint(18, 21), text, v.tenant,
      [v.dr("bank", rent, text, "基本户"), v.cr("income", base, text, "租赁收入"), v.cr("tax", rent - base, "应交增值税（简易计税5%）")],
      [Attachment("invoice", {"kind": "rent", "seller": v.org, "buyer": v.tenant, "amount": rent, "rate": "5%"})], tag="rent")
    amt = D(rng.randrange(98, 240) * 10)
    text = "村务卡支付“七一”主题党日活动费用"
    V(7, 1, text, "江阴市澄江广告印务有限公司", [v.dr("admin", amt, text, "党建活动经费"), v.cr("bank", amt, text, "基本户")],
      [Attachment("invoice", {"kind": "party", "seller": "江阴市澄江广告印务有限公司", "amount": amt, "rate": "1%"}),
       Attachment("list", {"kind": "signin"})], tag="party")

    # --- August ---
    relief_total = sum((a for _, a, _ in v.relief), ZERO)
    text = f"收到{level}拨付困难群众临时救助资金"
    V(8, rng.randint(11, 13), text, town.finance_office, [v.dr("bank", relief_total, text, "基本户"), v.cr("special", relief_total, text)],
      [Attachment("notice", {"kind": "relief", "summary": text, "amount": relief_total})], tag="relief_in")
    text = "发放困难群众临时救助金"
    V(8, rng.randint(14, 15), text, f"救助对象{len(v.relief)}户", [v.dr("special", relief_total, text), v.cr("bank", relief_total, text, "基本户")],
      [Attachment("list", {"kind": "relief"}),
       Attachment("bankslip", {"amount": relief_total, "payer": v.org, "payee": f"批量代发 共{len(v.relief)}笔", "purpose": "临时救助金"})], tag="relief_out")
    tax = rent - base
    text = "缴纳7月份增值税"
    V(8, rng.randint(12, 15), text, "国家税务总局江阴市税务局", [v.dr("tax", tax, text), v.cr("bank", tax, text, "基本户")],
      [Attachment("bankslip", {"amount": tax, "payer": v.org, "payee": "国家税务总局江阴市税务局", "purpose": "增值税（7月）"})], tag="taxpay")
    n = rng.randint(8, 12)
    amt = D(n * 100)
    text = "支付村民小组长防汛会议误工补贴"
    V(8, rng.randint(26, 28), text, f"村民小组长{n}人", [v.dr("admin", amt, text, "误工补贴"), v.cr("cash", amt, text)],
      [Attachment("list", {"kind": "meeting_pay", "n": n})], tag="meeting")

    # --- September ---
    q = D(200 * 3)
    leaders_total = q * len(v.leaders)
    text = "支付第三季度村民小组长误工补贴"
    V(9, rng.randint(11, 13), text, f"村民小组长{len(v.leaders)}人",
      [v.dr("admin", leaders_total, text, "误工补贴"), v.cr("bank", leaders_total, text, "基本户")],
      [Attachment("list", {"kind": "leaders", "each": q}),
       Attachment("bankslip", {"amount": leaders_total, "payer": v.org, "payee": f"批量代发 共{len(v.leaders)}笔", "purpose": "三季度误工补贴"})],
      tag="leaders")
    retain = v.contract_amount - sum((D(v.contract_amount * p) for p in pay_plan.values()), ZERO)
    text = f"{v.spec.project}竣工验收，转入固定资产"
    V(9, rng.randint(18, 20), text, v.contractor,
      [v.dr("fixed", v.contract_amount, text), v.cr("cip", v.contract_amount - retain, f"结转{v.spec.project}已付工程款"),
       v.cr("payable", retain, "工程质保金（5%）")],
      [Attachment("table", {"kind": "acceptance"})], tag="transfer")
    fest_total = sum((a for _, a, _ in v.festival), ZERO)
    shop = GIFT_SHOPS[0 if town.slug == "xiagang" else 1]
    text = "购买中秋节困难群众慰问品"
    V(9, rng.randint(21, 23), text, shop, [v.dr("public", fest_total, text, "慰问救助"), v.cr("bank", fest_total, text, "基本户")],
      [Attachment("invoice", {"kind": "gifts", "seller": shop, "amount": fest_total, "rate": "13%"}),
       Attachment("list", {"kind": "festival"})], tag="festival")
    for lot in v.lots:
        if lot.due_month == 9:
            text = "收到2026年度土地承包费（补交）"
            V(9, rng.randint(24, 26), text, lot.holder, [v.dr("bank", lot.amount, text, "基本户"), v.cr("income", lot.amount, f"{lot.holder}土地承包费", "发包收入")],
              [Attachment("receipt", {"payer": lot.holder, "amount": lot.amount, "purpose": f"2026年度土地承包费（{lot.place}{lot.mu}亩）"})], tag="land")
    amt = _cents(rng, 186, 620)
    text = "报销村干部赴市农业农村局参加培训交通费"
    V(9, rng.randint(26, 28), text, v.off("副书记"), [v.dr("admin", amt, text, "差旅费"), v.cr("cash", amt, text)],
      [Attachment("tickets", {"amount": amt})], tag="travel")
    out += oversight_vouchers(v, out)  # payments that trip the warning rules (own random stream)

    # number per month in date order (stable: same-day vouchers keep their creation order)
    for m in MONTHS:
        month = sorted((x for x in out if x.month == m), key=lambda x: x.day)
        for n, x in enumerate(month, start=1):
            x.no = n
        if len(month) < 12:
            raise AssertionError(f"{v.slug} {m}: only {len(month)} vouchers")
    out.sort(key=lambda x: (x.month, x.no))
    # sanity: balanced, and cash / bank never negative
    cash, bank = v.opening_cash, v.opening_bank
    cash_code, bank_code = v.accounts["cash"][0], v.accounts["bank"][0]
    for x in out:
        assert sum((ln.debit for ln in x.lines), ZERO) == sum((ln.credit for ln in x.lines), ZERO), x.summary
        assert 2 <= len(x.lines) <= 4 and 1 <= len(x.atts) <= 3, x.summary
        for ln in x.lines:
            if ln.code.startswith(cash_code):
                cash += ln.debit - ln.credit
            elif ln.code.startswith(bank_code):
                bank += ln.debit - ln.credit
        assert cash >= 0 and bank >= 0, (v.slug, x.summary, cash, bank)
    v.vouchers = out


def month_balances(v: Village) -> list[tuple[int, Decimal, Decimal, Decimal, Decimal]]:
    """(month, opening, income, expense, closing) of cash + bank, as the ledger computes it."""
    out = []
    bal = v.opening_cash + v.opening_bank
    for m in MONTHS:
        inc = exp = ZERO
        for x in v.vouchers:
            if x.month != m:
                continue
            net = x.money(v.accounts)
            if net > 0:
                inc += net
            elif net < 0:
                exp -= net
        out.append((m, bal, inc, exp, bal + inc - exp))
        bal = bal + inc - exp
    return out


JOURNAL_HEADER = ("日期", "凭证字号", "摘要", "科目编码", "科目名称", "借方金额", "贷方金额", "往来单位", "附件张数")


def write_journal(v: Village, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    excel = v.spec.encoding == "gb18030"   # Excel "另存为 CSV": GB18030, CRLF, dates as 2026/7/5
    for m in MONTHS:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n" if v.spec.encoding != "utf-8" else "\n")
        w.writerow(JOURNAL_HEADER + TRAIL_HEADER)  # + payee ID and approval trail (oversight, below)
        for x in (x for x in v.vouchers if x.month == m):
            day = f"{YEAR}/{m}/{x.day}" if excel else x.date.isoformat()
            for ln in x.lines:
                w.writerow((day, f"记-{x.no}", ln.summary, ln.code, ln.name,
                            s2(ln.debit) if ln.debit else "", s2(ln.credit) if ln.credit else "",
                            x.counterparty, len(x.atts)) + trail_cells(v, x, day))
        (folder / f"{YEAR}-{m:02d}.csv").write_bytes(buf.getvalue().encode(v.spec.encoding))


ASSET_DOC, BUDGET_DOC = "doc-zichan-taizhang.jpg", "doc-yusuan-jueyi.jpg"


def lot_contract(n: int) -> str:
    return f"doc-tudi-hetong-{n}.jpg"


def finance_documents(fonts: Fonts, scanner: "Scanner", v: Village, files: Path, renderer: "ScanRenderer") -> None:
    """The documents the finance tables name for figures no voucher stands behind: a page of the fixed-asset
    register (assets from before the journal), the budget as adopted by the villagers' representatives, and the
    land contracts (the first is an item's basis scan already)."""
    for n, lot in enumerate(v.lots[1:], start=2):
        page, _ = renderer.draw_contract(None, {"kind": "land", "lot": lot, "number": ""},
                                         random.Random(f"sample:{v.slug}:{lot_contract(n)}"))
        renderer.save(page, files / lot_contract(n), f"{v.slug}:{lot_contract(n)}")
    tables = files.parent / "finance" / "tables"
    enc = v.spec.encoding
    read = lambda name: list(csv.reader(io.StringIO((tables / name).read_bytes().decode(enc).lstrip("\ufeff"))))  # noqa: E731
    assets = [r for r in read("资产.csv")[1:] if not r[6]]
    budget = read("预算.csv")[1:]
    for name, title, head, rows, widths, note, day in (
            (ASSET_DOC, "固定资产登记簿（摘页）", ("编号", "名称", "原值（元）", "购建日期", "状态"),
             [(r[0], r[1], comma(D(r[3])), r[4], r[5]) for r in assets], (80, 290, 150, 130, 70),
             f"以上资产于{YEAR}年6月30日清产核资核实无误，原值合计{comma(sum((D(r[3]) for r in assets), ZERO))}元。",
             f"{YEAR}年7月1日"),
            (BUDGET_DOC, f"{v.name}{YEAR}年度收支预算", ("预算项目", "科目编码", "预算数（元）"),
             [(r[1], r[2], comma(D(r[3]))) for r in budget], (300, 160, 260),
             f"经{YEAR}年1月村民代表会议讨论通过。", f"{YEAR}年1月20日")):
        rng = random.Random(f"sample:doc:{v.slug}:{name}")
        p = Page(fonts, 840, 1188)
        p.center(90, title, 28, "serifbold")
        p.center(140, v.committee, 16)
        y = p.table(60, 190, widths, [head] + rows, 15)
        y = p.wrap(60, y + 30, 720, note, 16)
        p.text(840 - 110, y + 80, day, 16, anchor="ra")
        p.stamp(840 - 220, y + 70, 62, v.committee.replace(f"{CITY}{v.town.name}", "")[:12], "")
        scanner.save(p.img, files / name, rng, scan_look(rng))


def write_finance_tables(v: Village, folder: Path) -> None:
    """finance/tables/: asset register, leases, project, budget and payout lists (sitegen/finance/tables.py), each naming
    the vouchers behind its figures. The lists carry raw ID, card and mobile numbers and addresses, as a clerk's
    export would: sitegen must drop them."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"sample:{v.slug}:finance")
    ref = lambda x: f"{YEAR}-{x.month:02d} 记-{x.no}"  # noqa: E731
    tagged = lambda tag: [x for x in v.vouchers if x.tag == tag]  # noqa: E731
    enc, nl = v.spec.encoding, "\n" if v.spec.encoding == "utf-8" else "\r\n"

    def write(name: str, header: tuple, rows: list[tuple]) -> None:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator=nl)
        w.writerow(header)
        w.writerows(rows)
        (folder / name).write_bytes(buf.getvalue().encode(enc))

    files = folder.parent.parent / "files"
    scan = lambda name: f"../../files/{name}" if (files / name).exists() else ""  # noqa: E731
    (transfer,) = tagged("transfer")
    register = f"../../files/{ASSET_DOC}"  # assets from before the journal: the register's scanned page
    write("资产.csv", ("编号", "名称", "地点", "原值", "购建日期", "状态", "凭证", "来源"), [
        (a, n if n.startswith("标准") else f"{v.name}{n}", f"{v.name}{place}", value, day, status, "", register)
        for a, n, place, value, day, status in OLD_ASSETS] + [
        ("A-03", v.spec.project, f"{v.name}", s2(v.contract_amount), transfer.date.isoformat(), "在用", ref(transfer), "")])
    leases = []
    for n, lot in enumerate(v.lots, start=1):
        paid = [x for x in tagged("land") if x.counterparty == lot.holder]
        leases.append((f"L-{n:02d}", f"{lot.place}耕地", "土地", f"{lot.mu}亩", lot.holder, lot.contact.mobile,
                       "2024-01-01", "2028-12-31", s2(lot.amount), f"{YEAR}-07-31",
                       scan("basis-tudi-hetong.jpg") if n == 1 else f"../../files/{lot_contract(n)}",
                       "；".join(ref(x) for x in paid)))
    leases.append((f"L-{len(leases) + 1:02d}", "标准厂房", "房屋", f"{v.tenant_area}平方米", v.tenant, "", "2025-01-01",
                   "2027-12-31", s2(v.quarter_rent * 4), f"{YEAR}-12-31", "", "；".join(ref(x) for x in tagged("rent"))))
    pond = PeopleFactory(random.Random(f"sample:{v.slug}:pond"), 1).person(born=(1960, 1980))  # v.people untouched
    leases.append((f"L-{len(leases) + 1:02d}", "村南鱼塘", "鱼塘", "18亩", pond.name, pond.mobile, "2023-03-01",
                   "2028-02-28", "9000.00", f"{YEAR}-06-30", "", ""))  # no rent this year: shown overdue, warned
    write("资源.csv", ("编号", "资源", "类型", "面积", "承租方", "联系电话", "起始日期", "终止日期", "年租金", "缴租日期",
                     "合同扫描件", "收款凭证"), leases)
    pid = v.project_no or f"P{YEAR}-01"
    works = {x.month: x for x in v.vouchers if x.tag.startswith("works")}
    project = [(pid, v.spec.project, "立项", f"{YEAR}-03-12", "村民代表会议决议", "", "", ""),
               (pid, v.spec.project, "招投标", f"{YEAR}-05-20", "镇招投标中心公开比选，三家报价", "", "", ""),
               (pid, v.spec.project, "合同", f"{YEAR}-06-28", f"施工合同（{v.contractor}）", s2(v.contract_amount), "",
                scan("basis-shigong-hetong.jpg")),
               (pid, v.spec.project, "进度", f"{YEAR}-08-15", "完成工程量 70%", "", "", "")]
    project += [(pid, v.spec.project, "付款", x.date.isoformat(), x.summary, s2(-x.money(v.accounts)), ref(x), "")
                for _, x in sorted(works.items())]
    project += [(pid, v.spec.project, "验收", transfer.date.isoformat(), "竣工验收合格", "", ref(transfer), ""),
                (pid, v.spec.project, "决算", transfer.date.isoformat(), "工程决算审核", s2(v.contract_amount), ref(transfer),
                 "")]
    write("工程项目.csv", ("项目编号", "项目名称", "环节", "日期", "文件", "金额", "凭证", "扫描件"), project)
    actual: dict[str, Decimal] = {}
    for x in v.vouchers:
        for ln in x.lines:
            actual[ln.code[:3]] = actual.get(ln.code[:3], ZERO) + ln.debit - ln.credit
    budget = []
    for code, name in (("501", "经营收入"), ("503", "上级补助收入"), ("511", "经营支出"), ("513", "管理费用"), ("514", "公益支出")):
        real = abs(actual.get(code, ZERO))
        budget.append((str(YEAR), name, code, s2(D(round(real * Decimal(rng.choice(("1.1", "1.25", "1.4"))) / 100) * 100))))
    budget = [row + ((f"../../files/{BUDGET_DOC}",) if n == 0 else ("",)) for n, row in enumerate(budget)]
    write("预算.csv", ("年度", "预算项目", "科目编码", "预算数", "来源"), budget)  # one resolution for the year
    (relief_out,) = tagged("relief_out")
    (festival,) = tagged("festival")
    addr = lambda p: f"{CITY}{v.town.name}{v.name}{p.group}组{rng.randint(1, 99)}号"  # noqa: E731
    rows = [("临时救助金", p.name, f"{p.group}组", rng.randint(1, 5), s2(a), f"{YEAR}年8月", ref(relief_out), p.id_no,
             p.card, p.mobile, addr(p)) for p, a, _ in v.relief]
    rows += [("中秋节困难群众慰问", p.name, f"{p.group}组", rng.randint(1, 5), s2(a), f"{YEAR}年中秋", ref(festival), p.id_no,
              p.card, p.mobile, addr(p)) for p, a, _ in v.festival]
    write("补助.csv", ("名单", "姓名", "村民小组", "家庭人口", "金额", "期间", "凭证", "身份证号", "银行卡号", "手机号", "家庭住址"),
          rows)
    wages = [("村干部报酬", c.person.name, c.role, "", s2(c.base), f"{YEAR}年{x.month - 1}月", ref(x), c.person.id_no,
              c.person.card, c.person.mobile) for x in tagged("wages") for c in v.cadres]
    write("干部工资.csv", ("名单", "姓名", "村民小组", "家庭人口", "金额", "期间", "凭证", "身份证号", "银行卡号", "手机号"), wages)


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


GOODS = {
    "party": (("*印刷品*宣传横幅", "0.9×10m", "条"), ("*印刷品*学习资料印刷", "A4", "册"), ("*纸制品*党员笔记本", "B5", "本")),
    "gifts": (("*焙烤食品*月饼礼盒", "680g", "盒"), ("*食用植物油*菜籽油", "5L", "桶"), ("*谷物*大米", "10kg", "袋")),
}


def sheet_detail(ln: Line, x: Voucher) -> str:
    """What a clerk writes in the 明细科目 column when the journal has no sub-account code."""
    if ln.role == "payable":
        return "代扣社会保险费" if "社保" in ln.summary else ("工程质保金" if "质保金" in ln.summary else x.counterparty[:12])
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
    return [(n, spec, unit, str(rng.randint(2, 12) if kind != "gifts" else len(v.festival)), amt)
            for (n, spec, unit), amt in zip(picked, parts)]


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

    def save(self, page: Page, path: Path, key: str, small: bool = False, rotate: bool = True,
             keep_size: bool = False) -> None:
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

    def signatures(self, p: Page, y: int, pairs: list[tuple[str, str]], x0: int = 50, x1: int | None = None,
                   size: int = 15) -> None:
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
            rows.append((ln.summary, f"{ln.code[:3]} {main}", detail or sheet_detail(ln, x),
                         comma(ln.debit) if ln.debit else "", comma(ln.credit) if ln.credit else ""))
        while len(rows) < 5:
            rows.append(("", "", "", "", ""))
        rows.append(("合    计", "", "", f"¥{comma(x.total)}", f"¥{comma(x.total)}"))
        bottom = p.table(48, 205, widths, rows, size=15, rh=46, aligns="lllrr", line=form)
        # 附件 n 张, written down the right margin
        for k, ch in enumerate(f"附件{len(x.atts)}张"):
            p.text(w - 26, 240 + k * 24, ch, 16, anchor="ma")
        p.line(w - 40, 205, w - 40, bottom, fill=form)
        handler = {"cash": v.off("出纳"), "land": v.off("出纳"), "rent": v.off("出纳")}.get(x.tag, v.off("副书记") if x.tag.startswith("works") else v.off("委员"))
        self.signatures(p, bottom + 34, [("会计", v.off("会计")), ("出纳", v.off("出纳") if x.money(v.accounts) else ""),
                                         ("审核", v.off("监委会主任")), ("经手人", handler)], x0=48, size=15)
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
        buyer_code = v.credit_code if buyer == v.org else "91320281" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(10))
        seller_code = v.credit_code if seller == v.org else "91320281" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(10))
        X0, X1, Y0 = 30, w - 30, 96
        p.rect(X0, Y0, X1, 560, outline=brown)
        mid = w / 2
        p.line(mid, Y0, mid, Y0 + 86, fill=brown)
        for k, (label, name, code) in enumerate((("购买方信息", buyer, buyer_code), ("销售方信息", seller, seller_code))):
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
        by = p.table(X0, Y0 + 86, (230, 90, 60, 80, 100, 110, 90, 80), rows, size=13, rh=40, aligns="llcrrrcr",
                     line=brown, fill=dark, bold_header=False)
        p.text(X0 + 10, by + 14, "价税合计（大写）", 14, fill=brown)
        p.text(X0 + 150, by + 12, f"ⓧ{rmb_upper(d['amount'])}", 16, fill=dark)
        p.text(X1 - 240, by + 14, "（小写）", 14, fill=brown)
        p.text(X1 - 170, by + 12, f"¥{comma(d['amount'])}", 16, fill=dark)
        p.line(X0, by + 46, X1, by + 46, fill=brown)
        note = {"works": f"建筑服务发生地：{CITY}{v.town.name}；项目名称：{v.spec.project}",
                "rent": f"不动产地址：{CITY}{v.town.name}{v.name}工业集中区；租赁期：{YEAR}年7月1日至9月30日",
                "power": f"户号：{rng.randint(10**9, 10**10 - 1)}；电费所属期：{YEAR}年{x.month - 1:02d}月",
                "water": f"户号：{rng.randint(10**7, 10**8 - 1)}；水费所属期：{YEAR}年{x.month - 1:02d}月"}.get(d["kind"], "")
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
        rows = (("今收到", d["payer"]), ("交  来", d["purpose"]),
                ("人民币（大写）", rmb_upper(d["amount"])))
        y = 122
        for label, value in rows:
            p.text(50, y, label, 16, fill=red)
            p.text(50 + p.tw(label, 16) + 14, y - 3, value, 18, "serif", fill=BLUE_INK)
            p.line(50 + p.tw(label, 16) + 8, y + 24, w - 50, y + 24, fill=red)
            y += 48
        p.text(w - 260, y - 6, f"¥ {comma(d['amount'])}", 20, "serif", fill=BLUE_INK)
        y += 40
        p.text(50, y, "收款单位（盖章）", 15, fill=red)
        p.stamp(230, y + 10, 46, v.org[len(CITY) + len(v.town.name):], "财务专用章")
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
        payee_acct = ours if d["payee"] == v.org else ("—" if "批量" in d["payee"] else f"{rng.randint(1000, 9999)} **** {rng.randint(1000, 9999)}")
        rows = [("付款人户名", d["payer"], "收款人户名", d["payee"]),
                ("付款人账号", payer_acct, "收款人账号", payee_acct),
                ("金额（大写）", rmb_upper(d["amount"]), "金额（小写）", f"¥{comma(d['amount'])}"),
                ("用途", d["purpose"], "交易渠道", "E银通" if d["payer"] == v.org else "柜面/网银")]
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
        for label, value in (("附加信息", ""), ("出票日期", f"{YEAR}年{x.month}月{x.day}日"), ("收款人", "本单位"),
                             ("金  额", f"¥{comma(d['amount'])}"), ("用  途", d["purpose"])):
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
        number = f"{town.short}财〔{YEAR}〕{rng.randint(20, 68)}号" if d["kind"] == "subsidy" else f"{town.short}政发〔{YEAR}〕{rng.randint(30, 90)}号"
        p.center(140, number, 16)
        p.line(60, 172, w - 60, 172, fill=RED, width=3)
        title = {"subsidy": f"关于下达{d.get('name', '')}的通知",
                 "relief": f"关于拨付{YEAR}年8月困难群众临时救助资金的通知"}[d["kind"]]
        y = p.wrap(90, 200, w - 180, title, 22, "serifbold", lh=1.5)
        y = p.wrap(60, y + 16, w - 120, "各村（社区）：", 16)
        body = ({"subsidy": f"根据市有关文件精神和年度预算安排，现将{d.get('name', '')}下达给你们（具体金额见下表）。"
                            "请各村严格按照规定用途使用，专款专用，纳入村级财务统一核算，并在“三务”公开户户通平台及时公开，"
                            "接受群众监督。",
                 "relief": "经村（社区）申请、民政办审核、公示无异议，现将困难群众临时救助资金拨付到各村账户，"
                           "请在收到资金后五个工作日内通过银行代发到户，严禁截留挪用，发放名单在户户通平台公开。"})[d["kind"]]
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
            p.text(w - 80, y, f"合同编号：{d.get('number') or v.spec.short + '发〔' + str(YEAR) + '〕1号'}", 14, anchor="ra")
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
            body = [(str(k), c.person.name, c.role, comma(c.base), comma(c.insurance), comma(c.base - c.insurance),
                     masked_card(c.person.card), sig(c.person.name)) for k, c in enumerate(v.cadres, 1)]
            tb = sum((c.base for c in v.cadres), ZERO)
            ti = sum((c.insurance for c in v.cadres), ZERO)
            body.append(("合计", "", "", comma(tb), comma(ti), comma(tb - ti), "", ""))
        elif kind == "cleaners":
            title = f"{v.name}{d['month']}月份保洁员工资发放清单"
            head = ("序号", "姓名", "组别", "保洁区域", "出勤", "工资（元）", "银行卡号", "签名")
            widths = (46, 76, 60, 200, 60, 90, 150, 92)
            body = [(str(k), p_.name, f"{p_.group}组", f"{p_.group}组村道及河塘", "满勤", comma(wg), masked_card(p_.card), sig(p_.name))
                    for k, (p_, wg) in enumerate(v.cleaners, 1)]
            body.append(("合计", "", "", "", "", comma(sum((wg for _, wg in v.cleaners), ZERO)), "", ""))
        elif kind == "meal":
            title = "公务用餐审批及清单"
            n = rng.randint(6, 9)
            head = ("日期", "事由", "来客单位", "就餐人数", "陪同人数", "金额（元）")
            widths = (110, 250, 160, 80, 80, 100)
            body = [(f"{x.month}月{max(1, x.day - 2)}日", "检查防汛防台及汛期安全工作", f"{v.town.name}防汛办", str(n), "2", comma(x.total))]
            body.append(("合计", "", "", str(n), "2", comma(x.total)))
        elif kind == "signin":
            title = "“七一”主题党日活动签到表"
            head = ("序号", "姓名", "签到", "序号", "姓名", "签到")
            widths = (60, 130, 180, 60, 130, 180)
            pf = PeopleFactory(random.Random(f"sample:{v.slug}:signin"), v.spec.groups)
            pf.used = set(v.people.used)
            names = [pf.person(born=(1950, 1998)).name for _ in range(32)]
            body = [(str(k + 1), names[k], sig(names[k]), str(k + 17), names[k + 16], sig(names[k + 16])) for k in range(16)]
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
            body = [(str(k), p_.name, f"{p_.group}组", why, comma(a), masked_card(p_.card)) for k, (p_, a, why) in enumerate(v.relief, 1)]
            body.append(("合计", "", "", "", comma(sum((a for _, a, _ in v.relief), ZERO)), ""))
        elif kind == "leaders":
            title = f"{v.name}{YEAR}年第三季度村民小组长误工补贴发放表"
            head = ("序号", "组别", "职务", "姓名", "月标准", "季度金额", "银行卡号")
            widths = (56, 70, 110, 100, 90, 110, 190)
            body = [(str(k), f"{p_.group}组", role, p_.name, "200.00", comma(d["each"]), masked_card(p_.card))
                    for k, (p_, role) in enumerate(v.leaders, 1)]
            body.append(("合计", "", "", "", "", comma(d["each"] * len(v.leaders)), ""))
        elif kind == "festival":
            title = f"{YEAR}年中秋节困难群众慰问品发放名单"
            head = ("序号", "姓名", "组别", "类别", "慰问品", "折合金额", "签收")
            widths = (50, 90, 60, 130, 200, 100, 110)
            body = [(str(k), p_.name, f"{p_.group}组", why, "月饼、食用油" if a >= 500 else "月饼", comma(a), sig(p_.name))
                    for k, (p_, a, why) in enumerate(v.festival, 1)]
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
        aligns = "".join("r" if any(k in hd for k in ("金额", "工资", "报酬", "社保", "标准", "实发")) else ("c" if i == 0 else "l")
                         for i, hd in enumerate(head))
        bottom = p.table(x0, y + 30, widths, rows, size=14, rh=rh, aligns=aligns)
        for r, row in enumerate(body, start=1):  # handwritten names in the 签名/签到/签收 columns
            for c in sorted(sig_cols):
                if row[c]:
                    p.signature(x0 + sum(widths[:c]) + 8 + rng.randint(0, 10), y + 30 + r * rh + 7, row[c], 16)
        self.signatures(p, bottom + 40, [("制表", v.off("会计")), ("审核", v.off("书记")), ("村监委会", v.off("监委会主任"))],
                        x0=60, x1=w - 40)
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
            p.wrap(60, bottom + 20, w - 120, f"说明：按{v.town.name}村干部报酬管理办法及{YEAR}年度考核方案，基本报酬按月计提，"
                   "绩效报酬年终考核后另行发放。", 15)
        elif kind == "depreciation":
            y = self.header(p, 70, f"{d['month']}月份固定资产折旧计算表", 24)
            a, b = d["a"], d["b"]
            a1 = D(a * Decimal("0.7"))
            rows = [("资产类别", "使用部门", "原值（元）", "月折旧率", "本月折旧额", "记入科目")]
            rows += [("村委会办公楼", "村委会", comma(D(a1 / Decimal("0.003958"))), "0.3958%", comma(a1), "管理费用"),
                     ("办公设备", "村委会", comma(D((a - a1) / Decimal("0.015833"))), "1.5833%", comma(a - a1), "管理费用"),
                     ("标准厂房", "出租", comma(D(b / Decimal("0.003958"))), "0.3958%", comma(b), "经营支出"),
                     ("合计", "", "", "", comma(a + b), "")]
            p.table(40, y + 40, (170, 110, 150, 110, 130, 90), rows, size=15, rh=44, aligns="llrrrl")
        elif kind in ("progress", "settlement"):
            title = "工程进度款支付确认单" if kind == "progress" else "工程结算审核单"
            y = self.header(p, 70, title, 24)
            paid_before = D(v.contract_amount * Decimal("0.30")) + (D(v.contract_amount * Decimal("0.40")) if kind == "settlement" else ZERO)
            rows = [("项目", "内容"),
                    ("工程名称", v.spec.project), ("施工单位", v.contractor), ("合同编号", v.project_no),
                    ("合同价（元）", comma(v.contract_amount))]
            if kind == "progress":
                rows += [("完成工程量", f"约{rng.randint(62, 70)}%（现场核实）"), ("已付款（元）", comma(paid_before)),
                         ("本期支付（元）", comma(x.total)), ("累计支付比例", "70%")]
            else:
                rows += [("送审金额（元）", comma(D(v.contract_amount * Decimal("1.043")))), ("审定金额（元）", comma(v.contract_amount)),
                         ("核减金额（元）", comma(D(v.contract_amount * Decimal("1.043")) - v.contract_amount)),
                         ("已付款（元）", comma(paid_before)), ("本次支付（元）", comma(x.total)),
                         ("质保金5%（元）", comma(v.contract_amount - paid_before - x.total))]
            bottom = p.table(60, y + 40, (200, 520), rows, size=15, rh=46, aligns="ll")
            self.signatures(p, bottom + 50, [("施工单位", ""), ("村监委会", v.off("监委会主任")), ("村书记", v.off("书记"))], x0=60)
            p.stamp(200, bottom + 130, 54, v.contractor[3:13], "合同专用章")
        elif kind == "acceptance":
            y = self.header(p, 70, "村级工程竣工验收单", 24)
            rows = [("项目", "内容"), ("工程名称", v.spec.project), ("施工单位", v.contractor),
                    ("开工日期", f"{YEAR}年7月20日"), ("竣工日期", f"{YEAR}年9月8日"),
                    ("合同价（元）", comma(v.contract_amount)),
                    ("验收意见", "工程按合同完成，路面平整、排水通畅，资料齐全，同意验收。"),
                    ("验收结论", "合格")]
            bottom = p.table(60, y + 40, (180, 540), rows, size=15, rh=50, aligns="ll")
            self.signatures(p, bottom + 50, [("村书记", v.off("书记")), ("村监委会", v.off("监委会主任")),
                                             ("农经站", v.town.agri_reviewer)], x0=60)
        else:
            raise ValueError(kind)
        return p, False

    def draw_approval(self, x: Voucher, d: dict, rng: random.Random):
        v = self.v
        w, h = self.A4
        p = self.page(w, h)
        y = self.header(p, 70, "村级资金支付审批单", 26, sub="（E银通 线上支付）")
        rows = [("申请事项", d["summary"]), ("收款单位", d["payee"]),
                ("支付金额", f"{rmb_upper(d['amount'])}  ¥{comma(d['amount'])}"),
                ("支付依据", f"施工合同（{v.project_no}）、村民代表会议决议"),
                ("经办人", ""), ("证明人", ""), ("村审批人", ""), ("村监委会审核", "同意支付。"), ("镇农经站审核", "同意。")]
        bottom = p.table(60, y + 30, (180, 540), rows, size=15, rh=56, aligns="ll")
        for r, name in ((4, v.off("副书记")), (5, v.off("委员")), (6, v.off("书记")), (7, v.off("监委会主任")), (8, v.town.agri_reviewer)):
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
            for j, line in enumerate((f"日期 {YEAR}-{x.month:02d}-{x.day - 1:02d}", "江阴—南京" if k != 1 else "南京站—市政务中心",
                                      f"票价 ¥{comma(amt)}", f"No.{rng.randint(10**6, 10**7 - 1)}")):
                p.text(x0 + 16, y0 + 60 + j * 44, line, 15)
        p.text(40, 480, f"报销人：{self.v.off('副书记')}    合计：¥{comma(d['amount'])}（{rmb_upper(d['amount'])}）", 15)
        return p, rng.random() < 0.5


# ================================================================================================================
# Items (Markdown with YAML front matter)
# ================================================================================================================

BOARD_OF = {"party": "党务", "affairs": "村务", "finance": "财务"}


@dataclass
class Item:
    folder: str                  # party / affairs / finance / rules / policies
    slug: str                    # file name without .md (ASCII, starts with the date)
    title: str
    day: date
    body: str
    category: str | None = None
    subitem: str | None = None
    basis: dict | None = None    # title, number, scan (bool: draw a scan of it)
    images: list[tuple[str, dict]] = field(default_factory=list)  # (file name, picture spec)
    review: bool = True
    status: str = "已通过"        # review status; 待审核 / 退回 make a draft (complete_items)
    documents: list[dict] = field(default_factory=list)  # further documents (project stages), each {title: …}

    @property
    def file(self) -> str:
        return f"{self.folder}/{self.slug}.md"


def md_table(head, rows, align: str = "") -> str:
    out = ["| " + " | ".join(head) + " |",
           "|" + "|".join({"r": " ---: ", "c": " :---: "}.get(align[i] if i < len(align) else "l", " --- ")
                          for i in range(len(head))) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def d(month: int, day: int) -> date:
    return date(YEAR, month, day)


def vote(rng: random.Random, total: int, low: float = 0.82) -> tuple[int, int, int, int]:
    """(应到, 实到, 同意, 弃权) of a meeting: a quorum well above two thirds, no votes against."""
    present = max(int(total * 2 / 3) + 1, int(total * rng.uniform(low, 0.97)))
    abstain = rng.randint(0, max(0, min(4, present // 15)))
    return total, present, present - abstain, abstain


def village_items(v: Village) -> list[Item]:
    rng = random.Random(f"sample:{v.slug}:items")
    spec, town = v.spec, v.town
    sec, dep, vice, mem, cashier, sup = (v.off(k) for k in ("书记", "副书记", "副主任", "委员", "出纳", "监委会主任"))
    S = spec.short
    items: list[Item] = []
    add = items.append
    project = spec.project
    bal = month_balances(v)
    pm = spec.party_members
    # documents several items rest on; each is scanned once into files/
    JUEYI6 = {"title": "村民代表会议决议", "number": f"{S}委〔{YEAR}〕6号", "scan": ("basis-daibiao-jueyi-6.jpg", {"kind": "doc"})}
    CONTRACT = {"title": f"{project}施工合同", "number": v.project_no, "scan": ("basis-shigong-hetong.jpg", {"kind": "contract", "contract": "works"})}
    LAND = {"title": "集体土地承包合同", "number": f"{S}发〔{YEAR}〕1号", "scan": ("basis-tudi-hetong.jpg", {"kind": "contract", "contract": "land"})}

    # ------------------------------------------------------------------------------------------------ 党务
    t, pr, yes, ab = vote(rng, pm, 0.78)
    honoured = [v.people.person(born=(1930, 1952), sex="男").name for _ in range(3)]
    excellent = [v.people.person(born=(1970, 1995)).name for _ in range(4)]
    add(Item("party", "2026-07-01-qiyi-dangri", "庆祝中国共产党成立105周年“七一”主题党日活动", d(7, 1), f"""\
7月1日上午，{v.party_org}在村党群服务中心开展庆祝建党105周年主题党日活动，全村党员{t}名，实到{pr}名。

## 活动内容

1. 全体党员重温入党誓词，齐唱《没有共产党就没有新中国》。
2. 党委书记{sec}以“守好集体家底、办好群众实事”为题讲专题党课。
3. 为{"、".join(honoured)}等3名老党员颁发“光荣在党50年”纪念章。
4. 表彰{"、".join(excellent)}等4名优秀共产党员。
5. 党员志愿服务队分赴各村民小组开展河塘保洁和独居老人走访。

活动费用通过村务卡支付，凭证和发票可在7月份收支流水中查看（“村务卡支付“七一”主题党日活动费用”一笔）。
""", "政治建设", "主题党日",
        basis={"title": f"{spec.name}党委关于开展“七一”主题党日活动的通知", "number": f"{S}党〔{YEAR}〕9号", "scan": ("basis-qiyi-tongzhi.jpg", {"kind": "doc"})},
        images=[("photo-qiyi.jpg", {"kind": "meeting", "banner": f"{spec.name}庆祝中国共产党成立105周年主题党日活动", "caption": "7月1日 主题党日活动现场"})]))

    team = rng.randint(18, 32)
    hazards = rng.randint(5, 11)
    add(Item("party", "2026-07-08-fangxun-bushu", "落实上级防汛防台工作部署情况", d(7, 8), f"""\
按照{town.name}党（工）委关于做好主汛期防汛防台工作的部署，村党委7月6日召开专题会议研究落实：

- 成立以党委书记{sec}为组长的防汛工作领导小组，组建党员防汛抢险突击队{team}人，分片包干到组；
- 对全村沿河低洼地段、危旧房屋、在建工地开展拉网式排查，发现隐患{hazards}处，已整改{hazards - 1}处，
  剩余1处（{rng.randint(2, spec.groups)}组沿河护坡）已设置警示标志并落实专人看护；
- 储备编织袋2000只、救生衣30件、抽水泵4台，村委会24小时值班，值班表在村务公开栏张贴；
- 对独居老人、低保户等{rng.randint(20, 40)}户落实“一对一”转移帮扶责任人。
""", "政治建设", "决策部署落实",
        basis={"title": f"关于做好{YEAR}年主汛期防汛防台工作的通知", "number": f"{town.short}政发〔{YEAR}〕{rng.randint(40, 60)}号",
               "scan": ("basis-fangxun-tongzhi.jpg", {"kind": "doc"})}))

    add(Item("party", "2026-08-12-lilun-xuexi", "8月份党员集中学习情况", d(8, 12), f"""\
8月12日，村党委组织党员集中学习，应到{pm}人，实到{int(pm * rng.uniform(0.8, 0.9))}人，因病、外出务工等原因请假的党员由所在党支部送学上门。

**学习内容**

1. 习近平总书记关于“三农”工作的重要论述；
2. 《中华人民共和国农村集体经济组织法》（2025年5月1日起施行）有关成员权利、财产管理和财务公开的规定；
3. 《中国共产党农村基层组织工作条例》第五章“经济建设”。

**交流发言**：{dep}、{vice}、{rng.choice(excellent)}等5名同志结合村集体资产管理、网格服务谈体会。

党员学习积分已录入党员积分管理系统，下月公布。
""", "思想建设", "理论学习"))

    dev = [v.people.person(born=(1994, 2002)) for _ in range(2)]
    add(Item("party", "2026-07-10-fazhan-duixiang", "关于确定发展对象的公示", d(7, 10), f"""\
经党员推荐、群团组织推优，村党委研究，拟确定以下2名同志为{YEAR}年下半年发展对象，现予公示。

{md_table(("姓名", "性别", "出生年月", "学历", "申请入党时间", "所在支部"),
          [(p_.name, p_.sex, f"{p_.born.year}年{p_.born.month}月", rng.choice(("大专", "本科")), f"{YEAR - 2}年{rng.randint(3, 11)}月",
            f"第{rng.randint(1, 4)}党支部") for p_ in dev])}

公示时间：{YEAR}年7月10日至7月16日（5个工作日）。

对公示对象有意见的，可以来信、来电或来访向村党委或{town.name}组织办反映。村党委电话：0510-86{rng.randint(100000, 999999)}；
{town.name}组织办电话：0510-86{rng.randint(100000, 999999)}。反映情况要实事求是，以真实姓名反映的优先核查。
""", "组织建设", "党员发展"))

    branches = 4
    counts = [pm // branches + (1 if k < pm % branches else 0) for k in range(branches)]
    fee_rows, fee_total = [], ZERO
    for k in range(branches):
        n = counts[k]
        paid = n - (1 if k == 2 else 0)
        amount = D(paid * rng.uniform(9, 16) * 3)
        fee_total += amount
        fee_rows.append((f"第{k + 1}党支部", n, paid, comma(amount)))
    add(Item("party", "2026-07-15-dangfei-q2", f"{YEAR}年第二季度党费收缴情况", d(7, 15), f"""\
{md_table(("党支部", "党员人数", "已交人数", "党费金额（元）"), fee_rows, "lrrr")}

合计：{comma(fee_total)}元，已于7月14日全额上缴{town.name}党（工）委。
第3党支部1名党员长期在外地务工，已电话联系，7月底前补交。党费按规定足额收缴、专款使用，不计入村集体账目。
""", "组织建设", "党费收缴"))

    t, pr, yes, ab = vote(rng, pm, 0.8)
    add(Item("party", "2026-09-15-dangyuan-dahui", f"{YEAR}年第三季度党员大会", d(9, 15), f"""\
9月15日下午，{v.party_org}召开第三季度党员大会。应到党员{t}名，实到{pr}名，符合规定人数。会议由党委书记{sec}主持。

## 会议议程

1. 通报第三季度党建工作和“三务”公开情况；
2. 听取{project}竣工验收情况报告；
3. 审议{YEAR}年度预备党员转正事项；
4. 开展党员民主评议。

## 会议决定

- 同意{project}竣工验收结果，工程决算报{town.name}农经站备案（同意{yes}票，反对0票，弃权{ab}票）；
- 同意{v.people.person(born=(1990, 2000)).name}同志按期转为中共正式党员（同意{pr - 1}票，反对0票，弃权1票）。

会议记录已存档，决议在户户通平台公开，公开期10天。
""", "组织建设", "组织生活会",
        basis={"title": "党员大会会议记录", "number": f"{S}党〔{YEAR}〕15号", "scan": ("basis-dangyuan-dahui.jpg", {"kind": "doc"})},
        images=[("photo-dangyuan-dahui.jpg", {"kind": "meeting", "banner": f"{spec.name}{YEAR}年第三季度党员大会", "caption": "9月15日 第三季度党员大会"})]))

    issues = [("6组路灯损坏3盏", mem, "已更换"), ("2组河塘水葫芦堵塞", vice, "已组织保洁员清理"),
              ("独居老人房屋漏雨", dep, "已申请临时救助并修缮"), (f"{rng.randint(3, spec.groups)}组农田灌溉渠渗漏", mem, "已纳入四季度维修计划"),
              ("医保缴费咨询", cashier, "已上门讲解")]
    visits = rng.randint(260, 480)
    add(Item("party", "2026-08-20-zoubaijia", "党员干部“走百家”入户走访情况", d(8, 20), f"""\
7月至8月，村“两委”成员和党员中心户开展“走百家、听民声、解民忧”入户走访，共走访农户{visits}户，
收集意见建议{len(issues) + rng.randint(8, 15)}条，当场解答{rng.randint(5, 8)}条，其余交责任人办理。主要问题及办理情况：

{md_table(("问题", "责任人", "办理情况"), issues)}

群众对办理结果有意见的，可在户户通页面点击“我有疑问”，或拨打{CITY}“12345”热线反映。
""", "作风建设", "为民服务"))

    add(Item("party", "2026-08-05-jingshi-jiaoyu", "集中观看警示教育片暨廉政党课", d(8, 5), f"""\
8月5日，村党委组织“两委”成员、村务监督委员会成员、村民小组长和党员代表共{rng.randint(40, 60)}人，
集中观看警示教育片《蝇贪之害》，剖析近年来本市村干部在工程项目、土地发包、资金报销中违纪违法的典型案例。

党委书记{sec}讲廉政党课，重申：

- 村级所有资金支付一律通过“E银通”系统，日常小额开支使用村务卡，不得坐收坐支、公款私存；
- 工程项目严格执行“四议两公开”，5万元以上支付须经村监委会和{town.name}农经站线上审核；
- 村干部及其近亲属不得承揽本村工程、承包集体资产资源。

会后，参会人员逐一签订《廉洁履职承诺书》。
""", "纪律建设", "党风廉政建设"))

    add(Item("party", "2026-07-03-lianzheng-chengnuo", "村“两委”成员廉洁履职承诺", d(7, 3), f"""\
本人作为{spec.name}“两委”成员，郑重承诺：

1. 严格执行“三重一大”集体决策制度，不搞个人或少数人说了算；
2. 不在工程建设、资产出租、土地发包中为本人和亲友谋取利益；
3. 不私设“小金库”，不截留、挪用、侵占集体资金和惠农补贴；
4. 不违规发放津贴补贴，不用公款吃喝、送礼；
5. 自觉接受党员群众和村务监督委员会监督，按时公开党务、村务、财务。

承诺人：{"、".join(v.off(k) for k in ("书记", "副书记", "副主任", "委员", "会计"))}

承诺书原件存村党委，复印件在村务公开栏张贴。
""", "纪律建设", "廉政承诺",
        basis={"title": "村“两委”成员廉洁履职承诺书", "number": "", "scan": ("basis-lianzheng-chengnuo.jpg", {"kind": "doc"})}))

    reps_t, reps_p, reps_y, reps_a = vote(rng, spec.reps, 0.84)
    pt, pp, py, pa = vote(rng, pm, 0.78)
    decision_slug = "2026-07-06-gongcheng-juece"
    add(Item("party", decision_slug, f"关于实施{project}的决策", d(7, 6), f"""\
## 事项

{spec.project_place}道路使用已近十五年，路面破损、雨天积水，群众多次反映。经“四议两公开”程序，决定实施{project}。

- 预算控制价：{comma(D(v.contract_amount * Decimal('1.06')))}元；
- 资金来源：村集体自筹及上级人居环境奖补资金；
- 实施方式：按{town.name}村级小额工程管理规定公开比选确定施工单位。

## 决策程序

{md_table(("环节", "日期", "应到", "实到", "同意", "反对", "弃权"), [
        ("村党委会提议", "7月2日", 7, 7, 7, 0, 0),
        ("“两委”联席会议商议", "7月3日", 9, 9, 9, 0, 0),
        ("党员大会审议", "7月4日", pt, pp, py, 0, pa),
        ("村民代表会议决议", "7月6日", reps_t, reps_p, reps_y, 0, reps_a)], "llrrrrr")}

决议公开时间：7月7日至7月13日，公开期间未收到异议。实施结果在财务板块“工程项目”中逐项公开。
""", "三重一大", "重大项目安排",
        basis=JUEYI6))

    truck = D(rng.randrange(118, 168) * 1000)
    t2, p2, y2, a2 = vote(rng, spec.reps, 0.84)
    add(Item("party", "2026-09-18-baojieche-juece", "关于购置垃圾分类收运车辆的决策", d(9, 18), f"""\
为落实农村生活垃圾分类，村党委会提议购置新能源垃圾分类收运车2辆，预算{comma(truck)}元（约{truck / 10000:.1f}万元），
资金在村集体经营收入中列支。

- 9月16日“两委”联席会议商议：应到9人，实到9人，同意9人；
- 9月18日村民代表会议：应到{t2}人，实到{p2}人，同意{y2}人，反对0人，弃权{a2}人。

车辆按规定在江苏省政府采购网上商城询价采购，预计10月交付，采购结果和付款凭证在财务板块公开。
""", "三重一大", "大额资金使用"))

    elders = [v.people.person(born=(1928, 1945), sex="男") for _ in range(rng.randint(4, 6))]
    add(Item("party", "2026-09-22-laodangyuan-weiwen", "中秋节走访慰问老党员、困难党员", d(9, 22), f"""\
中秋节前，村党委班子成员分组走访慰问80周岁以上老党员和生活困难党员，送上慰问金和月饼。

{md_table(("姓名", "党龄", "慰问人", "慰问金（元）"),
          [(p_.name, f"{YEAR - p_.born.year - 20 - rng.randint(0, 8)}年", rng.choice((sec, dep, vice)), "500.00") for p_ in elders], "lllr")}

慰问资金由{town.name}党（工）委党内关爱基金拨付，不在村集体账目中列支。
""", "其他事项", "其他党务"))

    # ------------------------------------------------------------------------------------------------ 村务
    target = D(rng.randrange(260, 520) * 10000)
    add(Item("affairs", "2026-07-05-xiabannian-jihua", f"{YEAR}年下半年村级重点工作计划", d(7, 5), f"""\
经村“两委”会议研究、村民代表会议通过，{YEAR}年下半年重点做好以下工作：

1. **基础设施**：完成{project}，9月底前竣工验收；
2. **集体增收**：做好{YEAR}—{YEAR + 2}年度集体土地续包和标准厂房租金收缴，全年村级稳定性收入力争达到{target / 10000:.0f}万元；
3. **人居环境**：推进垃圾分类“四分类”全覆盖，落实河塘长效保洁；
4. **民生保障**：做好低保、特困对象动态管理，完成2027年度城乡居民医保征缴；
5. **基层治理**：修订村规民约，深化“积分制”管理；
6. **安全生产**：抓好防汛防台、秸秆禁烧、电动自行车充电安全。

各项工作完成情况在年底村民代表会议上报告，并在户户通公开。
""", "村经济和社会事业发展规划", "年度计划"))

    add(Item("affairs", "2026-08-28-fazhan-guihua", f"{spec.name}2026—2030年发展规划（摘要）", d(8, 28), f"""\
## 现状

{spec.intro}

## 发展目标（到2030年）

- 村级稳定性收入年均增长5%以上；
- 集体土地100%规模经营，高标准农田占比达到90%；
- 村内道路、路灯、排水实现“户户通”，河塘全部达到生态河道标准；
- 建成“15分钟便民生活圈”，老年助餐点覆盖全体80周岁以上老人。

## 重点项目

{md_table(("项目", "实施年度", "估算投资（万元）"),
          [(project, "2026", f"{v.contract_amount / 10000:.1f}"), ("标准厂房屋面及消防改造", "2027", str(rng.randint(60, 120))),
           ("高标准农田提升", "2027—2028", str(rng.randint(150, 300))), ("村党群服务中心适老化改造", "2028", str(rng.randint(40, 90)))], "llr")}

规划已经村民代表会议审议通过，报{town.name}备案。
""", "村经济和社会事业发展规划", "发展规划"))

    rt, rp, ry, ra = vote(rng, spec.reps, 0.85)
    add(Item("affairs", "2026-07-20-cungui-minyue", f"{spec.name}村规民约（{YEAR}年修订）", d(7, 20), f"""\
（{YEAR}年7月18日村民代表会议通过：应到{rt}人，实到{rp}人，同意{ry}人，弃权{ra}人）

第一条 爱党爱国，遵守法律法规，自觉履行村民义务，维护集体利益。

第二条 移风易俗。婚事新办、丧事简办，不大操大办；彩礼、宴席从简，红白喜事提前向村红白理事会报备。

第三条 人居环境。落实“门前三包”，生活垃圾分类投放，不乱堆乱放、不私搭乱建、不在河塘倾倒垃圾。

第四条 禁止露天焚烧秸秆和垃圾，禁止在河道内电鱼、毒鱼。

第五条 电动自行车不进楼道、不进家门充电，不私拉电线“飞线充电”。

第六条 尊老爱幼，子女依法履行赡养义务；邻里之间互谅互让，矛盾纠纷先找村调解委员会调解。

第七条 承包集体土地、租用集体房屋按合同按时交纳费用，不得擅自转包、改变用途。

第八条 村民遵守本村规民约的情况纳入“积分制”管理，积分每季度公示，年终评选“文明家庭”。

第九条 本村规民约由村民委员会负责解释，自公布之日起施行。
""", "村规民约及各类规约", "村规民约",
        basis={"title": "村民代表会议决议", "number": f"{S}委〔{YEAR}〕9号", "scan": ("basis-daibiao-jueyi-9.jpg", {"kind": "doc"})}))

    if spec.slug in ("changshou", "wenlin"):
        add(Item("affairs", "2026-08-10-hongbai-lishihui", "红白理事会章程", d(8, 10), f"""\
第一条 本会是在村党委领导下的群众性自治组织，负责指导村民婚丧事宜从简办理。

第二条 理事会由{dep}任会长，{vice}任副会长，各村民小组长为理事。

第三条 婚事宴席原则上不超过20桌，丧事不超过3天、不搭建灵棚于道路上；提倡文明祭扫。

第四条 村民办理婚丧事宜，应提前3天向理事会报备，理事会提供场地、厨师联系等服务。

第五条 本章程经村民代表会议通过后施行。
""", "村规民约及各类规约", "自治章程"))

    hh_rows = []
    for k, h in enumerate(v.households, 1):
        p_ = h.person
        hh_rows.append((k, p_.name, f"{p_.group}组", h.kind, h.members, p_.id_no, p_.mobile, p_.card, comma(h.monthly)))
    dibao_slug = "2026-07-25-dibao-gongshi"
    add(Item("affairs", dibao_slug, f"{YEAR}年第三季度低保、特困供养对象名单公示", d(7, 25), f"""\
根据《江苏省最低生活保障办法》和{CITY}城乡低保动态管理规定，经本人申请、入户调查、民主评议，
{town.name}民政办审核，现将本村第三季度低保、特困供养对象名单公示如下：

{md_table(("序号", "户主", "组别", "类别", "保障人数", "身份证号", "联系电话", "发放卡号", "月保障金额（元）"), hh_rows, "rlllrlllr")}

保障金由市民政局按月直接发放到户，不经过村集体账户。公示期7天。对名单有异议的，请向村民委员会或{town.name}民政办反映，
也可拨打{CITY}“12345”热线。
""", "村务发生事项", "低保补助名单",
        basis={"title": f"{town.name}民政办低保审核意见", "number": f"{town.short}民〔{YEAR}〕{rng.randint(20, 40)}号", }))

    rel_rows = []
    for k, (p_, a, why) in enumerate(v.relief, 1):
        i = p_.id_no
        idtext = f"{i[:6]} {i[6:14]} {i[14:]}" if k % 3 == 0 else i
        card = " ".join(p_.card[j:j + 4] for j in range(0, len(p_.card), 4)) if k % 2 == 0 else p_.card
        rel_rows.append((k, p_.name, f"{p_.group}组", why, idtext, card, comma(a)))
    total_relief = sum((a for _, a, _ in v.relief), ZERO)
    add(Item("affairs", "2026-08-16-linshi-jiuzhu", "困难群众临时救助金发放名单", d(8, 16), f"""\
经村民申请、村民委员会调查核实并公示无异议，{town.name}民政办审核同意，对以下{len(v.relief)}户困难群众给予临时救助，
救助金共{comma(total_relief)}元，已于8月通过银行代发到户（8月份记账凭证“发放困难群众临时救助金”）。

{md_table(("序号", "姓名", "组别", "救助原因", "身份证号", "银行卡号", "金额（元）"), rel_rows, "rllllll")}
""", "村务发生事项", "低保补助名单"))

    fest_rows = [(k, p_.name, f"{p_.group}组", why, comma(a)) for k, (p_, a, why) in enumerate(v.festival, 1)]
    add(Item("affairs", "2026-09-20-zhongqiu-weiwen", "中秋节困难群众慰问名单", d(9, 20), f"""\
中秋节前，村民委员会对低保户、特困户和高龄独居老人进行走访慰问，慰问品在村集体公益支出中列支。

{md_table(("序号", "姓名", "组别", "类别", "慰问品折合金额（元）"), fest_rows, "rlllr")}

合计{comma(sum((a for _, a, _ in v.festival), ZERO))}元。
""", "村务发生事项"))

    rt, rp, ry, ra = reps_t, reps_p, reps_y, reps_a
    add(Item("affairs", "2026-07-06-daibiao-huiyi", f"村民代表会议决议（{project}）", d(7, 6), f"""\
{YEAR}年7月6日晚，{v.committee}召开村民代表会议，应到村民代表{rt}人，实到{rp}人，超过三分之二，会议有效。
村务监督委员会主任{sup}列席会议。

会议审议了村党委提出的《关于实施{project}的方案》，以无记名投票方式表决：同意{ry}票，反对0票，弃权{ra}票。

**决议**：同意实施{project}，预算控制价{comma(D(v.contract_amount * Decimal('1.06')))}元，按规定公开比选施工单位，
工程进度和资金支付情况每月公开。

决策程序见党务公开[关于实施{project}的决策](../party/{decision_slug}.md)。
""", "村民会议及实施", "村民代表会议决议",
        basis=JUEYI6,
        images=[("photo-daibiao-huiyi.jpg", {"kind": "meeting", "banner": f"{spec.name}村民代表会议", "caption": "7月6日 村民代表会议现场表决"})]))

    lot_rows = [(lot.holder, lot.place, f"{lot.mu}", comma(lot.price), comma(lot.amount), "已交清") for lot in v.lots]
    add(Item("affairs", "2026-09-26-fabao-shishi", f"{YEAR}年度集体土地发包方案实施情况", d(9, 26), f"""\
按照{YEAR}年1月村民代表会议通过的集体土地发包方案，{YEAR}年度承包费收缴情况如下：

{md_table(("承包方", "地块", "面积（亩）", "单价（元/亩·年）", "年承包费（元）", "收缴情况"), lot_rows, "llrrrl")}

承包费已全部存入村集体银行账户，收款凭证在财务板块公开。
""", "村民会议及实施", "决议实施情况", basis=LAND))

    cad_rows = []
    duties = {"书记": "主持党委、村委会全面工作，分管财务、工程项目", "副书记": "党建、综治、安全生产、工程现场管理",
              "副主任": "妇联、计生、民政、医保社保", "委员": "人居环境、河长制、网格化管理", "会计": "财务核算、三资管理、报账",
              "出纳": "资金收付、便民服务"}
    for k, c in enumerate(v.cadres):
        key = list(duties)[k]
        ph = c.person.mobile
        shown = ph if k % 3 != 1 else f"{ph[:3]}-{ph[3:7]}-{ph[7:]}"
        cad_rows.append((c.person.name, c.role, duties[key], shown))
    sup_p = v.supervisor
    cad_rows.append((sup, "村务监督委员会主任", "监督村务、财务公开和民主决策执行", sup_p.mobile))
    add(Item("affairs", "2026-07-02-ganbu-fengong", "村“两委”成员分工及联系方式", d(7, 2), f"""\
{md_table(("姓名", "职务", "分工", "联系电话"), cad_rows)}

村民委员会办公时间：工作日8:30—17:00，节假日安排人员值班。
""", "村干部", "干部分工"))

    wage_rows = []
    for c in v.cadres:
        p_ = c.person
        wage_rows.append((p_.name, c.role, comma(c.base), comma(c.base * 3), comma(c.insurance * 3), p_.id_no, p_.card))
    add(Item("affairs", "2026-09-28-ganbu-baochou", f"{YEAR}年村干部基本报酬及第三季度发放情况", d(9, 28), f"""\
按照{town.name}村干部报酬管理办法，村干部报酬由基本报酬和绩效报酬组成。基本报酬按月发放，绩效报酬年终考核后发放。
第三季度（7—9月）基本报酬发放情况如下（发放时代扣个人社会保险费）：

{md_table(("姓名", "职务", "月基本报酬", "7—9月合计", "代扣社保", "身份证号", "工资卡号"), wage_rows, "llrrrll")}

报酬由村集体银行账户通过“E银通”批量代发到本人工资卡，每月发放凭证在财务板块公开。
""", "村干部", "干部报酬",
        basis={"title": f"{town.name}村干部报酬管理办法", "number": f"{town.short}委发〔{YEAR}〕{rng.randint(3, 12)}号", }))

    n_v = len(v.vouchers)
    n_att = sum(len(x.atts) for x in v.vouchers)
    add(Item("affairs", "2026-09-29-jianweihui-lvzhi", "村务监督委员会第三季度履职情况", d(9, 29), f"""\
第三季度，村务监督委员会（主任{sup}，成员{rng.choice(SURNAMES)}国良、{rng.choice(SURNAMES)}美华）履职情况如下：

1. 列席村“两委”会议{rng.randint(5, 8)}次、村民代表会议2次；
2. 审核7—9月记账凭证{n_v}张、原始单据{n_att}张，提出补充附件意见{rng.randint(2, 5)}条，均已整改；
3. 全程监督{project}比选、进度款支付和竣工验收，在线审核“E银通”大额支付{rng.randint(3, 5)}笔；
4. 核对低保、临时救助名单公示，未发现优亲厚友情况。

村民对村务、财务有疑问的，可直接联系监委会主任{sup}（电话 {sup_p.mobile}），或在户户通页面点击“我有疑问”。
""", "村务监督委员会履职情况", "监督检查记录"))

    add(Item("affairs", "2026-09-05-yibao-jiaofei", "关于缴纳2027年度城乡居民基本医疗保险费的提醒", d(9, 5), f"""\
2027年度城乡居民基本医疗保险集中征缴工作已经开始，请未参加职工医保的村民及时缴费。

- **缴费期**：{YEAR}年9月至12月；
- **缴费标准**：以{CITY}医疗保障局公布的标准为准，低保、特困人员等由政府按规定资助；
- **缴费渠道**：“江苏医保云”APP、{BANK}各网点，或到村便民服务站代办；
- **咨询**：村便民服务站{cashier}，电话 {v.cadres[5].person.mobile}。

请大家注意防范诈骗，医保缴费不需要向任何个人转账。
""", "其他事项", "便民服务"))

    add(Item("affairs", "2026-07-12-jinshao-fangni", "夏季秸秆禁烧和防溺水安全提示", d(7, 12), f"""\
夏收夏种期间，请广大村民：

1. 严禁露天焚烧秸秆、垃圾，秸秆统一机械化还田或交由收储点回收；
2. 看管好未成年人，不到河塘、沟渠私自下水游泳；
3. 雷雨天气远离高压线路和大树。

发现焚烧或溺水险情，请立即拨打110、119或村值班电话。
""", "其他事项", "其他村务"))

    # ------------------------------------------------------------------------------------------------ 财务
    opening = v.opening_cash + v.opening_bank
    fixed_value = D(rng.randrange(1800, 4200) * 1000)
    depr_value = D(fixed_value * Decimal(str(rng.uniform(0.25, 0.4))))
    fixed_value, depr_value = opening_fixed(v)  # as village.yaml opens the books (the draws above keep the stream)
    receivable = D(rng.randrange(20, 180) * 1000)
    payable = D(rng.randrange(30, 160) * 1000)
    land_mu = sum((lot.mu for lot in v.lots), ZERO)
    add(Item("finance", "2026-07-08-jiadi", f"截至{YEAR}年6月30日村集体家底情况", d(7, 8), f"""\
根据{YEAR}年6月末会计报表和资产台账，本村集体“家底”如下：

{md_table(("项目", "金额（元）", "说明"), [
        ("货币资金", comma(opening), f"库存现金{comma(v.opening_cash)}元，银行存款{comma(v.opening_bank)}元"),
        ("应收款", comma(receivable), "主要为厂房租金、承包费尾款"),
        ("固定资产原值", comma(fixed_value), "办公楼、标准厂房、道路、路灯等"),
        ("累计折旧", comma(depr_value), ""),
        ("固定资产净值", comma(fixed_value - depr_value), ""),
        ("资产合计", comma(opening + receivable + fixed_value - depr_value), ""),
        ("负债合计", comma(payable), "应付工程质保金、代扣社保等"),
        ("所有者权益", comma(opening + receivable + fixed_value - depr_value - payable), "")], "lrl")}

资源性资产：集体土地{spec.farmland_mu}亩（其中本期公开发包{land_mu}亩），标准厂房{v.tenant_area}平方米，经济合同{rng.randint(12, 30)}份。
""", "本村家底", "资产负债"))

    members = spec.population - rng.randint(100, 300)
    dividend = D(rng.choice((300, 400, 500)))
    add(Item("finance", "2026-07-18-gufen-fenhong", f"股份经济合作社基本情况及{YEAR - 1}年度收益分配", d(7, 18), f"""\
{v.org}现有成员（股东）{members}人，设人口股，每人1股，总股本{members}股。

经{YEAR}年6月成员代表大会通过，{YEAR - 1}年度可分配收益按每股{comma(dividend)}元分红，共计{comma(dividend * members)}元，
已于{YEAR}年6月底前通过银行代发到户（属{YEAR}年上半年账目，不在本季度凭证中）。

成员对股权登记有疑问的，可带户口簿到村便民服务站查询。
""", "本村家底", "股份合作"))

    bal_rows = [(f"{m}月", comma(o), comma(i), comma(e), comma(c)) for m, o, i, e, c in bal]
    add(Item("finance", "2026-09-30-zijin-yue", f"{YEAR}年第三季度货币资金收支情况", d(9, 30), f"""\
本村集体资金统一存放在{BANK}基本账户（尾号{v.bank_account[-4:]}），日常备用金限额5000元。
第三季度现金和银行存款合计收支情况如下（由记账凭证自动汇总，与收支流水账一致）：

{md_table(("月份", "月初余额", "本月收入", "本月支出", "月末余额"), bal_rows, "lrrrr")}

现金与银行之间的互转（提取备用金）不计入收入和支出。
""", "资金", "银行存款"))

    card_rows = [(x.date.isoformat(), f"记-{x.no}", x.summary, x.counterparty, comma(x.total))
                 for x in v.vouchers if "村务卡" in x.summary]
    add(Item("finance", "2026-09-30-cunwuka", "第三季度村务卡使用情况", d(9, 30), f"""\
村级日常小额采购、公务用餐等一律使用村务卡结算，不使用现金。第三季度村务卡消费明细：

{md_table(("日期", "凭证号", "用途", "商户", "金额（元）"), card_rows, "llllr")}

合计{comma(sum((D(r[4].replace(',', '')) for r in card_rows), ZERO))}元，均已按月还款，发票和清单附在对应凭证后。
""", "资金", "村务卡"))

    add(Item("finance", "2026-09-20-xinzeng-guding", f"{project}转入固定资产", d(9, 20), f"""\
{project}已于9月竣工验收，按审定结算价{comma(v.contract_amount)}元转入村集体固定资产（公益性道路），
其中已付工程款{comma(D(v.contract_amount * Decimal('0.95')))}元，预留质量保证金{comma(v.contract_amount - D(v.contract_amount * Decimal('0.30')) - D(v.contract_amount * Decimal('0.40')) - D(v.contract_amount * Decimal('0.25')))}元，
保修期满一年后支付。资产已登记入村集体资产台账。
""", "资产", "固定资产"))

    junk = [("台式电脑", "2014", 3), ("激光打印机", "2015", 2), ("办公桌椅", "2012", 6)]
    add(Item("finance", "2026-08-22-zichan-chuzhi", "报废旧办公设备处置公示", d(8, 22), f"""\
经村“两委”会议研究，对使用年限已满、无法修复的办公设备报废处置：

{md_table(("名称", "购置年份", "数量"), junk, "llr")}

设备经{town.name}农经站现场核实，残值由再生资源回收企业询价回收，收入将在10月入账并公开。
""", "资产", "资产处置"))

    lot_rows = [(lot.holder, lot.place, f"{lot.mu}", comma(lot.price), comma(lot.amount), f"{YEAR}.1.1—{YEAR + 2}.12.31") for lot in v.lots]
    add(Item("finance", "2026-07-16-tudi-fabao", f"{YEAR}—{YEAR + 2}年度集体土地发包结果公示", d(7, 16), f"""\
本次发包经村民代表会议通过，在{CITY}农村产权交易平台公开招标，结果如下：

{md_table(("承包方", "地块", "面积（亩）", "中标单价（元/亩·年）", "年承包费（元）", "期限"), lot_rows, "llrrrl")}

承包费每年7月15日前交清，合同和收款收据见7月份记账凭证。
""", "资源", "土地发包",
        basis=LAND))

    add(Item("finance", "2026-07-20-changfang-chuzu", "标准厂房租赁情况公示", d(7, 20), f"""\
- 承租方：{v.tenant}
- 租赁面积：{v.tenant_area}平方米
- 租金：每季度{comma(v.quarter_rent)}元（含增值税，按简易计税5%开具发票）
- 租期：{YEAR - 1}年1月1日至{YEAR + 3}年12月31日，经{CITY}农村产权交易平台公开招租产生
- 第三季度租金已于7月收到，发票和银行回单见7月份记账凭证。
""", "资源", "房屋出租"))

    bidders = [(v.contractor, D(v.contract_amount))]
    for name in CONTRACTORS:
        if name != v.contractor and len(bidders) < 3:
            bidders.append((name, D(v.contract_amount * Decimal(str(rng.uniform(1.02, 1.08))))))
    tender_slug = "2026-07-12-gongcheng-bixuan"
    add(Item("finance", tender_slug, f"{project}比选结果公示", d(7, 12), f"""\
{project}于7月10日在{town.name}公共资源交易站公开比选，村务监督委员会全程监督，共3家单位报名参加：

{md_table(("报价单位", "报价（元）", "名次"), [(n, comma(a), k) for k, (n, a) in enumerate(sorted(bidders, key=lambda b: b[1]), 1)], "lrr")}

按最低价评审，确定{v.contractor}为成交单位，成交价{comma(v.contract_amount)}元。公示期3个工作日。
""", "工程项目", "招投标", basis=JUEYI6))

    add(Item("finance", "2026-07-14-gongcheng-hetong", f"{project}施工合同签订情况", d(7, 14), f"""\
7月14日，{v.org}与{v.contractor}签订施工合同（{v.project_no}）。

- 合同价：{comma(v.contract_amount)}元（{rmb_upper(v.contract_amount)}）
- 工期：{YEAR}年7月20日至9月10日
- 付款：预付30%，进度款40%，验收审计后付至95%，质保金5%保修期满后付清

比选过程见[{project}比选结果公示]({tender_slug}.md)。
""", "工程项目", "合同",
        basis=CONTRACT))

    progress_slug = "2026-08-18-gongcheng-jindu"
    add(Item("finance", progress_slug, f"{project}8月工程进度", d(8, 18), f"""\
截至8月15日，路基修补和排水沟清淤已完成，沥青混凝土加铺完成约{rng.randint(62, 70)}%。
村监委会和村民代表{rng.randint(3, 5)}人现场查看，工程质量符合要求，同意按合同支付40%进度款{comma(D(v.contract_amount * Decimal('0.40')))}元。
""", "工程项目", "进度", basis=CONTRACT,
        images=[("photo-gongdi-8.jpg", {"kind": "site", "caption": f"8月15日 {project}施工现场"})]))

    extra = D(rng.randrange(30, 90) * 100)
    add(Item("finance", "2026-08-25-gongcheng-zengjian", f"{project}增减项目说明", d(8, 25), f"""\
施工中发现{rng.randint(2, spec.groups)}组路段下方排水涵管破损，经村“两委”会议研究、村监委会现场确认，
增加涵管更换1处，费用{comma(extra)}元；同时取消原设计中10米路肩硬化，核减费用{comma(extra)}元，增减相抵，合同总价不变。
""", "工程项目", "增减项目", basis=CONTRACT))

    add(Item("finance", "2026-09-19-gongcheng-yanshou", f"{project}竣工验收及结算", d(9, 19), f"""\
9月8日工程完工，9月19日由村“两委”、村务监督委员会、村民代表和{town.name}农经站组织竣工验收，结论为**合格**。

- 送审结算价：{comma(D(v.contract_amount * Decimal('1.043')))}元
- 审定结算价：{comma(v.contract_amount)}元
- 已付：{comma(D(v.contract_amount * Decimal('0.95')))}元，质保金5%保修期满一年后支付

施工进度见[8月工程进度]({progress_slug}.md)。
""", "工程项目", "验收",
        images=[("photo-yanshou.jpg", {"kind": "site", "caption": f"9月19日 {project}竣工验收", "done": True})]))

    inc_by, exp_by = {}, {}
    for x in v.vouchers:
        net = x.money(v.accounts)
        if net == 0:
            continue
        key = x.summary.replace("2026年度", "").replace("（补交）", "")
        key = key.split("月份")[-1] if "月份" in key else key
        (inc_by if net > 0 else exp_by)[key] = (inc_by if net > 0 else exp_by).get(key, ZERO) + abs(net)
    add(Item("finance", "2026-09-30-shouzhi", f"{YEAR}年第三季度村级收支情况", d(9, 30), f"""\
## 收入

{md_table(("项目", "金额（元）"), sorted(((k, comma(a)) for k, a in inc_by.items()), key=lambda r: r[0]), "lr")}

## 支出

{md_table(("项目", "金额（元）"), sorted(((k, comma(a)) for k, a in exp_by.items()), key=lambda r: r[0]), "lr")}

每一笔收支的凭证、发票和清单都可以在“收支流水”中逐笔查看。
""", "收支情况", "收入明细",
        images=[("chart-q3.png", {"kind": "chart"})]))

    meal = next(x for x in v.vouchers if x.tag == "meal")
    add(Item("finance", "2026-08-31-yongcan", "8月份公务用餐情况", d(8, 31), f"""\
{md_table(("日期", "事由", "就餐人数", "金额（元）", "凭证号"),
          [(meal.date.isoformat(), f"{town.name}防汛办检查防汛防台工作", rng.randint(6, 9), comma(meal.total), f"8月 记-{meal.no}")], "llrrl")}

公务用餐严格执行接待标准，用村务卡结算，不上烟酒。
""", "收支情况", "支出明细"))

    pay_rows = []
    for c in v.cadres:
        pay_rows.append((c.person.name, c.role, comma(c.base - c.insurance), comma(c.base - c.insurance), comma(c.base - c.insurance), c.person.card))
    add(Item("finance", "2026-09-10-ganbu-gongzi", "7—9月村干部报酬实发明细", d(9, 10), f"""\
{md_table(("姓名", "职务", "7月实发（6月报酬）", "8月实发", "9月实发", "工资卡号"), pay_rows, "llrrrl")}

实发金额为基本报酬扣除个人社保后的金额，由“E银通”代发，银行回单附在每月的发放凭证后。
""", "收支情况", "干部工资"))

    sept = [x for x in v.vouchers if x.month == 9]
    by_acct: dict[str, list[Decimal]] = {}
    for x in sept:
        for ln in x.lines:
            key = f"{ln.code[:3]} {ln.name.split('—')[0]}"
            by_acct.setdefault(key, [ZERO, ZERO])
            by_acct[key][0] += ln.debit
            by_acct[key][1] += ln.credit
    rows = [(k, comma(a) if a else "", comma(b) if b else "") for k, (a, b) in sorted(by_acct.items())]
    rows.append(("合计", comma(sum((a for a, _ in by_acct.values()), ZERO)), comma(sum((b for _, b in by_acct.values()), ZERO))))
    add(Item("finance", "2026-09-30-yuebao-09", f"{YEAR}年9月科目发生额汇总表", d(9, 30), f"""\
{md_table(("科目", "借方发生额", "贷方发生额"), rows, "lrr")}

本表由9月份{len(sept)}张记账凭证汇总，借贷相等。
""", "村务报表", "收支明细表"))

    budget = [("经营收入（发包、租赁）", rng.randrange(120, 260) * 10000), ("补助收入", rng.randrange(40, 80) * 10000),
              ("管理费用", rng.randrange(90, 150) * 10000), ("公益支出", rng.randrange(50, 110) * 10000)]
    brows = [(n, comma(D(a)), comma(D(a * rng.uniform(0.62, 0.81))), f"{rng.randint(62, 81)}%") for n, a in budget]
    add(Item("finance", "2026-09-30-yusuan-zhixing", f"{YEAR}年村级财务预算执行情况（1—9月）", d(9, 30), f"""\
{md_table(("项目", "年度预算（元）", "1—9月执行（元）", "执行进度"), brows, "lrrr")}

预算执行总体正常。公益支出第四季度将安排垃圾分类收运车辆购置（已经村民代表会议决策）。
""", "村务报表", "年度预算"))

    # ------------------------------------------------------------------------------------------------ 制度建设
    add(Item("rules", "2026-07-01-caiwu-guanli", f"{spec.name}村级财务管理制度", d(7, 1), f"""\
第一条 村集体资金实行“村账镇代理”，由{town.name}农经站委托代理记账，村设报账员。

第二条 村集体资金全部存入{BANK}基本账户，不得多头开户、公款私存。

第三条 资金支付一律通过“E银通”系统：经办人、证明人、审批人线下签字后，线上发起支付申请，村监委会主任和镇农经站
审核人员分级审核。单笔5万元以上的，须附“三重一大”决策记录。

第四条 日常办公用品、公务用餐、差旅等小额开支使用村务卡，凭发票和清单报销；备用金不超过5000元。

第五条 每月10日前完成上月记账，凭证、发票、合同等在户户通平台逐张公开。
""", basis={"title": "村民代表会议决议", "number": f"{S}委〔{YEAR}〕4号", }))
    if spec.slug in ("jiangtou", "hexiang"):
        add(Item("rules", "2026-07-02-xiaoe-gongcheng", f"{spec.name}村级小额工程管理办法", d(7, 2), f"""\
1. 10万元以下工程由村“两委”会议集体研究，邀请3家以上单位比选；10万元以上的进入{town.name}公共资源交易站。
2. 工程实行“四议两公开”，招投标、合同、进度、增减项目、验收、决算逐项在户户通公开。
3. 增减项目须经村“两委”会议研究、村监委会现场确认，累计超过合同价10%的须重新提交村民代表会议。
4. 村干部及其近亲属不得承揽本村工程。
"""))

    return items


def town_items(town: Town) -> list[Item]:
    rng = random.Random(f"sample:{town.slug}:items")
    return [
        Item("policies", "2026-07-03-hhtong-tongzhi", f"关于做好{YEAR}年村级“三务”公开户户通工作的通知", d(7, 3), f"""\
各村（社区）：

为进一步规范村级“三务”公开，现就{YEAR}年户户通工作通知如下：

1. **公开内容**：党务、村务、财务按“7+7+7”分类全部公开；每张记账凭证连同发票、合同、清单逐张扫描上传。
2. **公开时间**：财务每月10日前公开上月内容，重大事项随时公开。
3. **审核把关**：党务由{town.name}组织办审核，村务由民政办审核，财务由农经站审核。
4. **个人信息**：公开名单中的身份证号、银行卡号、手机号由平台自动隐去中间数字，各村不得另行公开原件复印件。
5. **群众反映**：群众可在电视上点击“我有疑问”，或拨打{CITY}“12345”热线，{town.name}指挥中心分办，5个工作日内答复。
""", basis={"title": f"{town.gov}文件", "number": f"{town.short}政发〔{YEAR}〕{rng.randint(30, 60)}号"}, review=False),
        Item("policies", "2026-08-01-linshi-jiuzhu-xize", f"{town.name}困难群众临时救助实施细则（摘要）", d(8, 1), f"""\
- 对象：因火灾、交通事故、突发重大疾病等原因，导致基本生活暂时出现严重困难的家庭或个人。
- 程序：本人申请—村民委员会调查核实、公示—{town.name}民政办审核审批—资金拨付到村、代发到户。
- 标准：一般为500元至5000元，特殊情况“一事一议”。
- 公开：救助名单在户户通平台公开，个人信息隐去中间数字。
""", review=False),
        Item("rules", "2026-07-01-ganbu-baochou", f"{town.name}村干部报酬管理办法", d(7, 1), f"""\
1. 村干部报酬由基本报酬、绩效报酬和集体经济发展奖励三部分组成。
2. 基本报酬按岗位确定，按月发放；绩效报酬根据年度考核结果，年终一次性发放。
3. 报酬由村集体账户通过“E银通”代发到本人工资卡，不得以现金发放。
4. 报酬发放情况每月在户户通平台公开。
""", review=False),
    ]


def city_items() -> list[Item]:
    return [
        Item("policies", "2026-07-01-cunweihui-zuzhifa", "《中华人民共和国村民委员会组织法》摘要", d(7, 1), """\
**第二条** 村民委员会是村民自我管理、自我教育、自我服务的基层群众性自治组织，实行民主选举、民主决策、民主管理、民主监督。

**第二十四条** 涉及村民利益的下列事项，经村民会议讨论决定方可办理：本村享受误工补贴的人员及补贴标准；从村集体经济所得收益的使用；
本村公益事业的兴办和筹资筹劳方案及建设承包方案；土地承包经营方案；村集体经济项目的立项、承包方案；宅基地的使用方案；
征地补偿费的使用、分配方案；以借贷、租赁或者其他方式处分村集体财产等。

**第三十条** 村民委员会实行村务公开制度。一般事项至少每季度公布一次；集体财务往来较多的，财务收支情况应当每月公布一次；
涉及村民利益的重大事项应当随时公布。村民委员会应当保证所公布事项的真实性，并接受村民的查询。

**第三十二条** 村应当建立村务监督委员会或者其他形式的村务监督机构，负责村民民主理财，监督村务公开等制度的落实。

（以上为摘要，全文以国家法律法规数据库公布的文本为准。）
""", basis={"title": "中华人民共和国村民委员会组织法", "number": ""}, review=False),
        Item("policies", "2026-07-02-jiangsu-jiti-zichan", "《江苏省农村集体资产管理条例》要点", d(7, 2), """\
1. **资产范围**：农村集体资产包括资源性资产、经营性资产和非经营性资产，属于本集体成员集体所有。
2. **清产核资和登记**：集体经济组织应当建立资产台账，定期清查，做到账实相符。
3. **经营和处置**：集体资产发包、出租、出让等应当经民主决策，一般通过农村产权交易市场公开进行，签订书面合同。
4. **财务管理**：实行财务公开，财务收支情况定期公布，接受成员监督。
5. **监督**：县、乡两级农业农村（农经）部门对集体资产管理进行指导和监督，依法开展审计。

（以上为要点归纳，具体以条例正文为准。）
""", review=False),
        Item("policies", "2026-07-03-xiaowei-quanli", f"{CITY}村级小微权力清单（{YEAR}年版）", d(7, 3), """\
| 类别 | 权力事项 | 主要流程 |
| --- | --- | --- |
| 重大决策 | “三重一大”事项 | 党组织提议—“两委”商议—党员大会审议—村民代表会议决议—公开 |
| 工程项目 | 村级工程建设 | 立项决策—公开比选—合同—进度公开—增减项目确认—验收—审计决算 |
| 资产资源 | 发包、出租、处置 | 方案决策—产权交易平台公开交易—合同—收款公开 |
| 财务管理 | 资金支付 | 经办—证明—审批—“E银通”线上审核（村监委会、镇农经站） |
| 便民服务 | 低保、救助申请 | 申请—调查核实—民主评议—公示—镇民政办审核 |

每一项权力运行结果都在户户通平台公开，群众可拨打“12345”反映问题。
""", review=False),
        Item("policies", "2026-07-04-kuaiji-zhidu", "《农村集体经济组织会计制度》（财会〔2023〕14号）主要变化", d(7, 4), """\
财政部印发的《农村集体经济组织会计制度》自2024年1月1日起施行，原《村集体经济组织会计制度》（财会〔2004〕12号）同时废止。
主要变化：

- 会计科目调整为42个，新增无形资产、待处理财产损溢、应交税费、专项应付款、公益支出、税金及附加、所得税费用等科目；
- 原“发包及上交收入”分别并入“经营收入”和“投资收益”；原“应付福利费”取消；
- 牲畜（禽）资产、林木资产调整为生物资产。

户户通平台按年份自动选用科目表：2024年以后的账目使用新制度科目，以前年度仍按原制度显示。
""", review=False),
        Item("rules", "2026-07-01-eyintong", f"{CITY}村级资金“E银通”非现金结算管理办法", d(7, 1), f"""\
1. 各村基本账户统一开设在{BANK}，村级资金收付全部通过“E银通”系统办理。
2. 支付流程：经办人、证明人、审批人线下签章—线上发起支付申请—村监委会主任审核—镇农经站审核—银行支付。
3. 预警：单笔支付超过5万元，同一支付对象一天内多次交易，支付对象为失信人员、村干部本人或亲属等情形，系统自动预警。
4. 异常支付情况每月形成报表，报市、镇两级农经和纪检部门备查。
""", review=False),
        Item("rules", "2026-07-02-cunwuka", f"{CITY}村务卡管理规定", d(7, 2), """\
1. 村级日常小额采购、零星开支、公务用餐、差旅费等一律使用村务卡支付，原则上不使用现金。
2. 村务卡消费凭发票、清单和审批单报销，按月还款，不得透支取现。
3. 村务卡消费明细每月在户户通平台公开。
""", review=False),
        Item("rules", "2026-07-03-shenhe-fabu", "“三务”公开户户通审核发布制度", d(7, 3), f"""\
1. 村报账员、文书按分类上传党务、村务、财务内容。
2. 镇（街道）组织办审核党务，民政办审核村务，农经站审核财务结报、产权交易、工程审批和年度预算。
3. 审核通过的内容自动发布，电视端数据每4小时更新一次。
4. 群众通过“我有疑问”按钮或“12345”热线反映的问题，由镇（街道）指挥中心分办，调查处理结果在平台记录并按月报市纪委。
""", review=False),
    ]


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
        para = "".join(ln.lstrip("#-*0123456789. ").replace("**", "") if ln.startswith(("#", "-", "*")) else ln.replace("**", "")
                       for ln in lines)
        if "](" in para:
            continue
        out.append(para)
    return out


class PictureRenderer:
    def __init__(self, fonts: Fonts, scanner: Scanner):
        self.fonts, self.scanner = fonts, scanner

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
        y = p.wrap(90, 190, w - 180, it.basis["title"] if it.basis["title"] != it.title else it.title, 22, "serifbold", lh=1.5)
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
        from PIL import ImageFilter
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
                    dr.rounded_rectangle((cx - size * 0.95, y0 + size * 0.8, cx + size * 0.95, y0 + size * 2.6), radius=int(size * 0.5), fill=col)
                    dr.ellipse((cx - size * 0.45, y0, cx + size * 0.45, y0 + size), fill=(226, 190, 160))
                    hair = (30, 30, 30) if rng.random() < 0.7 else (150, 150, 150)
                    dr.chord((cx - size * 0.47, y0 - 2, cx + size * 0.47, y0 + size * 0.8), 180, 360, fill=hair)
        else:
            for y in range(0, int(h * 0.45)):
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
                dr.rectangle((w * 0.55, h * 0.55, w * 0.78, h * 0.72), fill=(235, 180, 30))   # a roller
                dr.ellipse((w * 0.52, h * 0.66, w * 0.62, h * 0.80), fill=(60, 60, 60))
                dr.ellipse((w * 0.72, h * 0.66, w * 0.80, h * 0.78), fill=(60, 60, 60))
                dr.rectangle((w * 0.62, h * 0.48, w * 0.72, h * 0.56), fill=(60, 80, 100))
            for k in range(rng.randint(3, 5)):
                cx, cy = rng.uniform(w * 0.2, w * 0.5), rng.uniform(h * 0.62, h * 0.82)
                dr.rectangle((cx - 10, cy, cx + 10, cy + 40), fill=(240, 120, 30))
                dr.ellipse((cx - 8, cy - 18, cx + 8, cy - 2), fill=(220, 185, 150))
                dr.chord((cx - 10, cy - 22, cx + 10, cy - 6), 180, 360, fill=(250, 220, 40))
        dr.rectangle((0, h - 40, w, h), fill=(30, 30, 30))
        dr.text((16, h - 20), spec["caption"], font=p.font(18), fill=(245, 245, 245), anchor="lm")
        img = p.img.filter(ImageFilter.GaussianBlur(0.7))
        img = self.scanner.Image.blend(img, self.scanner.Image.merge("RGB", [self.scanner._tile(w, h, rng.randrange(512), rng.randrange(512)).point(lambda v: 128 + (v - 3) * 6)] * 3), 0.06)
        path.parent.mkdir(parents=True, exist_ok=True)
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=65, optimize=True, progressive=False, subsampling=2)
        path.write_bytes(buf.getvalue())

    def chart(self, v: Village, path: Path) -> None:
        from PIL import Image
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
            dr.text((64, y), f"{float(top) * k * 65 / 260 / 10000:.0f}万", font=p.font(12), fill=(90, 90, 90), anchor="rm")
        for k, (m, _, inc, exp, _) in enumerate(bal):
            x0 = 120 + k * 190
            for j, (amt, col) in enumerate(((inc, (60, 140, 90)), (exp, (220, 120, 40)))):
                hh = float(amt) * scale
                dr.rectangle((x0 + j * 60, base_y - hh, x0 + j * 60 + 50, base_y), fill=col)
                dr.text((x0 + j * 60 + 25, base_y - hh - 4), f"{float(amt) / 10000:.1f}万", font=p.font(12), fill=(40, 40, 40), anchor="mb")
            dr.text((x0 + 55, base_y + 10), f"{m}月", font=p.font(15), fill=(40, 40, 40), anchor="ma")
        for j, (label, col) in enumerate((("收入", (60, 140, 90)), ("支出", (220, 120, 40)))):
            dr.rectangle((w - 170 + j * 80, 56, w - 156 + j * 80, 70), fill=col)
            dr.text((w - 150 + j * 80, 63), label, font=p.font(14), fill=(40, 40, 40), anchor="lm")
        img = p.img.quantize(colors=24, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        path.parent.mkdir(parents=True, exist_ok=True)
        buf = io.BytesIO()
        img.save(buf, "PNG", optimize=True)
        path.write_bytes(buf.getvalue())


# ================================================================================================================
# Writing files
# ================================================================================================================

SUBITEMS = {  # the site's 小项 table: the built-in defaults, with 主题党日 in place of 党建工作总结
    "党务": {
        "政治建设": ["决策部署落实", "主题党日", "党建工作计划"],
        "思想建设": ["理论学习", "主题教育", "党员教育培训"],
        "组织建设": ["支部委员会", "党员发展", "党费收缴", "组织生活会", "党员积分管理"],
        "作风建设": ["民主生活会", "为民服务", "干部考核"],
        "纪律建设": ["党风廉政建设", "廉政承诺", "违纪处理"],
        "三重一大": ["重大事项决策", "重要干部任免", "重大项目安排", "大额资金使用"],
        "其他事项": ["其他党务"],
    },
    "村务": {
        "村经济和社会事业发展规划": ["年度计划", "发展规划"],
        "村规民约及各类规约": ["村规民约", "自治章程"],
        "村务发生事项": ["低保补助名单", "宅基地审批", "征地拆迁"],
        "村民会议及实施": ["村民代表会议决议", "决议实施情况"],
        "村干部": ["干部分工", "干部报酬"],
        "村务监督委员会履职情况": ["监督检查记录"],
        "其他事项": ["便民服务", "其他村务"],
    },
    "财务": {
        "本村家底": ["资产负债", "集体收益分配", "股份合作"],
        "资金": ["银行存款", "库存现金", "村务卡", "借款", "应收应付款"],
        "资产": ["固定资产", "在建工程", "对外投资", "资产处置"],
        "资源": ["土地发包", "房屋出租", "鱼塘林地", "资源租赁合同", "产权交易"],
        "工程项目": ["立项", "招投标", "合同", "进度", "增减项目", "验收", "决算"],
        "收支情况": ["收入明细", "支出明细", "收支流水", "干部工资"],
        "村务报表": ["资产负债表", "收支明细表", "年度预算"],
    },
}


def yscalar(value) -> str:
    import yaml
    text = yaml.safe_dump(value, allow_unicode=True, width=1_000_000)
    for end in ("\n...\n", "\n"):
        if text.endswith(end):
            text = text[: -len(end)]
            break
    return text


def front_matter(it: Item, town: Town | None) -> str:
    """YAML front matter in the style of docs/content-format.md §4; checked by reading it back."""
    import yaml
    data: dict = {"title": it.title, "date": it.day}
    if it.category:
        data["category"] = it.category
    if it.subitem:
        data["subitem"] = it.subitem
    if it.basis:
        b = {"title": it.basis["title"]}
        if it.basis.get("number"):
            b["number"] = it.basis["number"]
        if it.basis.get("scan"):
            b["scan"] = f"../files/{it.basis['scan'][0]}"
        data["basis"] = b
    if it.images:
        data["images"] = [f"../files/{name}" for name, _ in it.images]
    if it.documents:
        data["documents"] = it.documents
    if it.review and town is not None:
        board = BOARD_OF.get(it.folder) or ("财务" if any(k in it.title for k in ("财务", "工程")) else "村务")
        when = it.day + timedelta(days=random.Random(f"sample:review:{it.file}").randint(1, 3))
        data["review"] = {"department": town.dept(board), "reviewer": town.reviewer(board), "date": when, "status": it.status}
        if it.status == "待审核":  # not reviewed yet: nobody has signed it
            data["review"] = {"department": town.dept(board), "status": it.status}
    lines = []
    for key, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):  # documents: one mapping per line
            lines.append(f"{key}:")
            lines += ["  - {" + ", ".join(f"{k}: {yscalar(x)}" for k, x in entry.items()) + "}" for entry in value]
        elif isinstance(value, dict):
            lines.append(f"{key}:")
            lines += [f"  {k}: {yscalar(x)}" for k, x in value.items()]
        elif isinstance(value, list):
            lines.append(f"{key}: [{', '.join(yscalar(x) for x in value)}]")
        else:
            lines.append(f"{key}: {yscalar(value)}")
    text = "\n".join(lines) + "\n"
    if yaml.safe_load(text) != data:
        raise AssertionError(f"front matter of {it.file} does not read back")
    return text


def write_item(folder: Path, it: Item, town: Town | None) -> None:
    path = folder / it.file
    path.parent.mkdir(parents=True, exist_ok=True)
    body = it.body if it.body.endswith("\n") else it.body + "\n"
    path.write_bytes(("---\n" + front_matter(it, town) + "---\n" + body).encode("utf-8"))


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


def site_yaml() -> str:
    lines = ["# 全市配置（示例内容，人名、单位、号码均为虚构）。由 scripts/make_sample.py 生成，请勿手工修改。",
             f"city: {CITY}", f"title: {yscalar(TITLE)}", 'hotline: "12345"',
             'feedback_url: "https://12345.jiangyin.example/ask?code={code}"   # 我有疑问的二维码（虚构地址）',
             "new_accounts_from: 2024",
             'large_amount: "100000"', "subitems:"]
    for board, cats in SUBITEMS.items():
        lines.append(f"  {board}:")
        lines += [f"    {cat}: [{', '.join(names)}]" for cat, names in cats.items()]
    lines += ["oversight:   # 资金支付预警、审核和群众疑问（docs/content-format.md §2）",
              '  large_payment: "50000"', "  split_days: 7", "  answer_days: 15", f"  as_of: {AS_OF.isoformat()}",
              "  review_required: true"]
    return "\n".join(lines) + "\n"


# Fixed assets from before the journal (资产.csv A-01, A-02): their values open the 固定资产 account.
OLD_ASSETS = (("A-01", "村委会办公楼", "村委会", "1860000.00", "2012-06-18", "在用"),
              ("A-02", "标准厂房（出租）", "工业集中区", "2450000.00", "2016-11-30", "出租"))


def opening_fixed(v: Village) -> tuple[Decimal, Decimal]:
    """固定资产 and 累计折旧 on 2026-07-01 (own random stream, so the rest of the sample is unchanged)."""
    fixed = sum((D(a[3]) for a in OLD_ASSETS), ZERO)
    rng = random.Random(f"sample:{v.slug}:opening")
    return fixed, D(fixed * Decimal(str(rng.uniform(0.25, 0.4))))


def village_yaml(v: Village) -> str:
    fixed, depr = opening_fixed(v)
    bank = f"{v.accounts['bank'][1]}—基本户" if v.spec.detail_codes else v.accounts["bank"][1]
    lines = [f"name: {v.name}", f"intro: {yscalar(v.spec.intro)}",
             f"opening_balances:   # {YEAR}年7月1日（记账开始前）各账户的余额 (docs/content-format.md §3)",
             f'  {v.accounts["cash"][1]}: "{s2(v.opening_cash)}"', f'  {bank}: "{s2(v.opening_bank)}"',
             f'  {v.accounts["fixed"][1]}: "{s2(fixed)}"   # 资产登记簿 A-01、A-02 的原值',
             f'  {v.accounts["depr"][1]}: "{s2(depr)}"']
    if v.spec.detail_codes:
        lines.append('accounting_system: "2024"')
    lines += people_yaml(v)  # cadres and 低保 recipients (oversight)
    return "\n".join(lines) + "\n"


# ================================================================================================================
# Oversight (sitegen/oversight/supervise.py, review.py, questions.py): cadres and 低保 lists, payments that trip every
# warning rule, approval trails, month reviews, acknowledgements, registries, hotline records and drafts
# ================================================================================================================

AS_OF = date(YEAR, 10, 20)   # site.yaml oversight.as_of: the day time limits and reports are measured at
OFFICE_SHOP = "江阴市夏港文具商店"
NURSERY = "江阴市绿源园林绿化有限公司"
BAD_FIRM = ("江阴市祝塘宏达建材有限公司", "91320281MA1W7Q3K2P")
# (July, August, September) approval day of each month's finance by the 农经站, in the next month
REVIEW_DAYS = {"changshou": (6, 8, 9), "jiangtou": (7, 14, 10), "wenlin": (5, 9, 8), "hexiang": (8, 10, 16)}
_EXTRA: dict[str, dict] = {}  # slug -> the invented people below, made once per village


def oversight_people(v: Village) -> dict:
    """Each cadre's spouse and a brother, the village's dishonest labourer (文林村) and the 低保 recipient who died
    (江头村): invented with their own generator so that the rest of the village stays as it was."""
    if v.slug in _EXTRA:
        return _EXTRA[v.slug]
    rng = random.Random(f"sample:{v.slug}:oversight-people")
    people = PeopleFactory(rng, v.spec.groups)
    people.used = set(v.people.used)

    def kin(surname: str, sex: str, born: tuple[int, int]) -> Person:
        while True:
            name = surname + rng.choice(GIVEN_M if sex == "男" else GIVEN_F)
            if name not in people.used:
                return people.person(sex=sex, born=born, name=name)

    relatives = {}
    for c in v.cadres:
        spouse = people.person(sex="女" if c.person.sex == "男" else "男", born=(c.person.born.year - 3, c.person.born.year + 3))
        brother = kin(c.person.name[0], "男", (c.person.born.year - 6, c.person.born.year + 6))
        relatives[c.person.name] = [(spouse, "配偶"), (brother, "兄弟")]
    dibao = [h for h in v.households if h.kind == "低保"]
    _EXTRA[v.slug] = {"relatives": relatives, "labourer": people.person(sex="男", born=(1965, 1980)),
                      "deceased": dibao[0].person, "died": date(YEAR, 8, 20)}
    return _EXTRA[v.slug]


def oversight_vouchers(v: Village, existing: list[Voucher]) -> list[Voucher]:
    """Payments that trip the warning rules a village does not trip by itself (every village already pays its
    road works in instalments over 50,000 元 and reimburses a cadre's travel)."""
    extra = oversight_people(v)
    out: list[Voucher] = []

    def pay(month, day, text, payee, role, amount, detail=None, payee_id=""):
        amt = D(amount)
        out.append(Voucher(month, day, text, payee, [v.dr(role, amt, text, detail), v.cr("bank", amt, text, "基本户")],
                           [Attachment("bankslip", {"amount": amt, "payer": v.org, "payee": payee, "purpose": text})],
                           tag="oversight", payee_id=payee_id))

    if v.slug == "changshou":
        pay(9, 3, "购买村委会办公用品", OFFICE_SHOP, "admin", 1286, "办公费")       # same-day, with the next
        pay(9, 3, "购买打印机硒鼓", OFFICE_SHOP, "admin", 860, "办公费")
        secretary = v.cadres[0].person.name
        brother = extra["relatives"][secretary][1][0]
        pay(8, 20, "支付村部会议室门窗维修费", brother.name, "admin", 3680, "其他", brother.id_no)  # a cadre's brother
    elif v.slug == "jiangtou":
        for day, (batch, amount) in zip((3, 5, 7), (("第一批", 18600), ("第二批", 19800), ("第三批", 16500))):
            pay(8, day, f"支付村庄绿化补植苗木款（{batch}）", NURSERY, "public", amount, "绿化养护")  # split payment
        person = extra["deceased"]
        pay(9, 15, f"发放低保户{person.name}9月份村级生活补贴", person.name, "public", 600, "慰问救助", person.id_no)
    elif v.slug == "wenlin":
        pay(8, 18, "购买村道修补用沥青冷补料", BAD_FIRM[0], "public", 12800, payee_id=BAD_FIRM[1])  # bad enterprise
        labourer = extra["labourer"]
        pay(9, 8, "支付村民小组道路清障劳务费", labourer.name, "public", 2400, "环境卫生", labourer.id_no)  # 失信
    elif v.slug == "hexiang":
        meal = next(x for x in existing if x.tag == "meal")
        meal.trail_gap = ("supervisor", "supervisor_date")  # the 村监委主任 never reviewed it online
    for x in existing:
        if x.tag == "travel":
            x.payee_id = v.cadres[1].person.id_no  # 副书记 reimbursed: a cadre paid, matched by ID
    return out


TRAIL_HEADER = ("收款人证件号", "经手人", "证明人", "审批人", "监委审核人", "监委审核日期", "农经审核人", "农经审核日期")


def trail_cells(v: Village, x: Voucher, day: str) -> tuple:
    """The payee's ID and the approval trail of a payment (empty for money coming in or staying put); online
    reviews only where the money left the bank through E银通."""
    if x.money(v.accounts) >= 0:
        return ("",) * len(TRAIL_HEADER)
    handler = v.off("出纳") if x.tag in ("cash", "land", "rent") else (v.off("副书记") if x.tag.startswith("works") else v.off("委员"))
    bank = v.accounts["bank"][0]
    online = any(ln.credit and ln.code.startswith(bank) for ln in x.lines)
    cells = {"handler": handler, "witness": v.off("副主任"), "approver": v.off("书记"),
             "supervisor": v.off("监委会主任") if online else "", "supervisor_date": day if online else "",
             "township": v.town.agri_reviewer if online else "", "township_date": day if online else ""}
    for gap in x.trail_gap:
        cells[gap] = ""
    return (x.payee_id,) + tuple(cells[k] for k in ("handler", "witness", "approver", "supervisor", "supervisor_date",
                                                    "township", "township_date"))


def complete_items(v: Village, items: list[Item]) -> list[Item]:
    """Name a basis for the items that lack one (one 村务 item in 长寿村 is left without, so `sitegen check`
    has something to list), the documents of each project stage (河湘村's acceptance report is missing), and add
    two drafts: a 村务 item awaiting review and a 财务 item sent back."""
    generic = {"party": f"{v.name}党委会议决定", "affairs": f"{v.name}村民委员会会议决定", "finance": f"{v.name}记账凭证及会计账簿"}
    bare = [it for it in items if it.basis is None and it.folder in generic]
    for it in bare:
        if not (v.slug == "changshou" and it is [b for b in bare if b.folder == "affairs"][-1]):
            it.basis = {"title": generic[it.folder]}
    stage_docs = {"招投标": "比选成交通知书", "进度": "工程进度款支付确认单", "增减项目": "工程变更签证单", "验收": "竣工验收报告"}
    for it in items:
        if it.category == "工程项目" and it.subitem in stage_docs and not (v.slug == "hexiang" and it.subitem == "验收"):
            it.documents = [{"title": stage_docs[it.subitem]}]
    if v.slug == "changshou":
        items.append(Item("affairs", "2026-09-28-sijidu-yiti", "2026年第四季度村民代表会议议题（征求意见稿）", d(9, 28),
                          "拟提请第四季度村民代表会议讨论：\n\n1. 2027年村级公益事业项目安排；\n2. 村规民约修订草案；\n"
                          "3. 集体厂房续租方案。\n\n欢迎村民提出意见建议。\n", "村民会议及实施", "村民代表会议决议",
                          basis={"title": f"{v.name}村民委员会会议决定"}, status="待审核"))
    if v.slug == "wenlin":
        items.append(Item("finance", "2026-09-29-cunwuka-gengzheng", "9月份村务卡使用明细（更正）", d(9, 29),
                          "更正9月份村务卡使用明细中一笔用餐费的金额。\n", "资金", "村务卡",
                          basis={"title": f"{v.name}记账凭证及会计账簿"}, status="退回"))
    return items


def people_yaml(v: Village) -> list[str]:
    """village.yaml `cadres:` (with relatives) and `allowance_recipients:` (低保对象), for the payment warnings."""
    extra = oversight_people(v)
    lines = ["# 村干部及其近亲属、低保对象：用于资金支付预警（收款人是村干部或亲属、已去世的低保对象），不单独公开", "cadres:"]
    for c in v.cadres:
        lines += [f"  - name: {c.person.name}", f"    post: {c.role}", f'    id: "{c.person.id_no}"', "    relatives:"]
        lines += [f'      - {{name: {p.name}, relation: {rel}, id: "{p.id_no}"}}' for p, rel in extra["relatives"][c.person.name]]
    lines.append("allowance_recipients:")
    lines += [f'  - {{name: {h.person.name}, id: "{h.person.id_no}"}}' for h in v.households if h.kind == "低保"]
    return lines


def write_village_oversight(v: Village, vdir: Path) -> None:
    """reviews.yaml (the 农经站's review of each month) and acknowledgements.yaml (the town explains warnings)."""
    days = REVIEW_DAYS[v.slug]
    lines = [f"# 财务月度审核：{v.town.name}农经站对每月记账凭证和收支流水的审核。由 scripts/make_sample.py 生成。"]
    for m, day in zip(MONTHS, days):
        when = date(YEAR, m + 1, day)
        lines.append(f"{YEAR}-{m:02d}: {{department: {v.town.dept('财务')}, reviewer: {v.town.agri_reviewer}, "
                     f"date: {when.isoformat()}, status: 已通过}}")
    write_text(vdir / "reviews.yaml", "\n".join(lines) + "\n")
    ref = lambda x: f"{YEAR}-{x.month:02d} 记-{x.no}"  # noqa: E731
    acks = []
    travel = next(x for x in v.vouchers if x.tag == "travel")
    acks.append((travel, "村干部或亲属", date(YEAR, 10, 8),
                 f"{v.off('副书记')}赴市农业农村局参加培训的交通费报销，车票齐全，属正常公务报销。"))
    if v.slug == "changshou":
        works = next(x for x in v.vouchers if x.tag == "works7")
        acks.append((works, "大额支付", date(YEAR, 7, 20),
                     f"按施工合同（{v.project_no}）支付30%预付款，经村民代表会议决议，街道农经站已线上审核。"))
    if v.slug == "jiangtou":
        for x in (x for x in v.vouchers if x.counterparty == NURSERY):
            acks.append((x, "拆分支付", date(YEAR, 8, 20), "苗木分三批进场，每批验收后按送货单付款，不属于拆分支付。"))
    lines = [f"# {v.town.name}对资金支付预警的说明。由 scripts/make_sample.py 生成。"]
    for x, rule, when, text in acks:
        lines += [f"- voucher: {ref(x)}", f"  rule: {rule}", f"  by: {v.town.dept('财务')}", f"  date: {when.isoformat()}",
                  f"  explanation: {yscalar(text)}"]
    write_text(vdir / "acknowledgements.yaml", "\n".join(lines) + "\n")


def write_city_oversight(out: Path, villages: list[Village]) -> None:
    """registries/ (bad enterprises, 失信 persons, the death register) and feedback/ (the hotline's records)."""
    import types
    sys.path.insert(0, str(REPO))
    try:
        from sitegen.oversight.refcode import item_code, voucher_code
    finally:
        sys.path.pop(0)
    by = {v.slug: v for v in villages}

    def table(path: Path, header: tuple, rows: list[tuple]) -> None:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(header)
        w.writerows(rows)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(("\ufeff" + buf.getvalue()).encode("utf-8"))

    rng = random.Random("sample:registries")
    others = PeopleFactory(rng, 20)
    others.used = set().union(*(v.people.used for v in villages))
    table(out / "registries" / "不良企业名单.csv", ("企业名称", "统一社会信用代码", "列入日期", "列入原因"), [
        (BAD_FIRM[0], BAD_FIRM[1], "2026-03-01", "以次充好，被市住建局列入建筑市场不良行为记录"),
        ("江阴市澄南土石方工程有限公司", "91320281MA1R2N8T4C", "2025-11-20", "拖欠农民工工资"),
        ("江阴市绿源园林工程有限公司", "91320281MA1P5K6W9E", "2025-06-01", "围标串标")])  # a near miss, never paid
    labourer = _EXTRA["wenlin"]["labourer"]
    dishonest = [others.person(born=(1960, 1985)) for _ in range(2)]
    table(out / "registries" / "失信人员名单.csv", ("姓名", "身份证号", "列入日期", "说明"), [
        (labourer.name, labourer.id_no, "2026-05-12", "失信被执行人：拒不履行民间借贷纠纷判决")] +
        [(p.name, p.id_no, "2025-12-03", "失信被执行人") for p in dishonest])
    deceased = _EXTRA["jiangtou"]["deceased"]
    dead = [others.person(born=(1930, 1945)) for _ in range(2)]
    table(out / "registries" / "死亡登记.csv", ("姓名", "身份证号", "死亡日期"), [
        (deceased.name, deceased.id_no, _EXTRA["jiangtou"]["died"].isoformat())] +
        [(p.name, p.id_no, f"{YEAR}-0{7 + k}-1{k}") for k, p in enumerate(dead)])

    def vcode(v: Village, x: Voucher) -> str:
        return voucher_code(v.town.slug, v.slug, types.SimpleNamespace(key=f"{YEAR}-{x.month:02d}-{x.no:03d}"))

    def icode(v: Village, folder: str, slug: str, board: str) -> str:
        item = types.SimpleNamespace(board=types.SimpleNamespace(name=board, slug=folder),
                                     where=f"{out.name}/{v.town.slug}/{v.slug}/{folder}/{slug}.md")
        return item_code(item, f"{v.town.slug}/{v.slug}")

    def city_code(folder: str, slug: str, board: str) -> str:  # what the city publishes for every village
        item = types.SimpleNamespace(board=types.SimpleNamespace(name=board, slug=folder),
                                     where=f"{out.name}/{folder}/{slug}.md")
        return item_code(item, "")

    cs, jt, wl, hx = (by[s] for s in ("changshou", "jiangtou", "wenlin", "hexiang"))
    office = next(x for x in cs.vouchers if x.counterparty == OFFICE_SHOP)
    works8 = next(x for x in cs.vouchers if x.tag == "works8")
    nursery = [x for x in jt.vouchers if x.counterparty == NURSERY]
    firm = next(x for x in wl.vouchers if x.counterparty == BAD_FIRM[0])
    meal = next(x for x in hx.vouchers if x.tag == "meal")
    deceased = _EXTRA["jiangtou"]["deceased"]
    rows = [
        ("12345-20260820-0117", "2026-08-20", f"{vcode(cs, works8)}-2", "8月份的工程进度款发票金额和合同对得上吗？",
         "夏港街道农经站", "进度款按合同价的40%支付，发票金额与支付金额一致，工程进度确认单已一并公开。", "已答复", "2026-08-26"),
        ("12345-20260812-0342", "2026-08-12", vcode(jt, nursery[1]), "绿化苗木款为什么一个星期里分三次付？",
         "夏港街道农经站", "苗木分三批进场，每批验收合格后按送货单付款；街道已核对三批送货单和验收记录。", "已答复", "2026-08-24"),
        ("12345-20260902-0056", "2026-09-02", icode(jt, "affairs", "2026-07-25-dibao-gongshi", "村务"),
         f"低保名单上的{deceased.name}老人8月份已经去世了，名单和补贴有没有调整？", "夏港街道民政办",
         "经核实，该户已于8月去世，已按规定停发低保金，9月份多发的村级生活补贴600元已追回。", "已答复", "2026-09-28"),
        ("12345-20260905-0211", "2026-09-05", vcode(cs, office), "9月3日同一天向文具商店付了两次钱，为什么不一起付？",
         "夏港街道农经站", "两笔分别是办公用品和打印机硒鼓，分别开票、分别报销，合计2,146元，属正常支出。", "已答复", "2026-09-12"),
        ("12345-20260915-0388", "2026-09-15", city_code("policies", "2026-07-02-jiangsu-jiti-zichan", "政策法规"),
         "村里的鱼塘、厂房出租，按这个条例要不要公开招标？", "江阴市农业农村局",
         "按条例，村集体资产资源出租应当在镇（街道）农村产权交易平台公开交易，结果在村务公开栏和户户通上公开。",
         "已答复", "2026-09-22"),
        ("12345-20260910-0498", "2026-09-10", vcode(wl, firm), "宏达建材是不是上了不良企业名单？村里为什么还买他家的材料？",
         "祝塘镇农经站", "", "办理中", ""),
        ("12345-20261012-0733", "2026-10-12", vcode(hx, meal), "8月份的用餐费有没有经过村监委审核？",
         "祝塘镇农经站", "", "办理中", ""),
    ]
    table(out / "feedback" / "12345-2026.csv", ("工单号", "日期", "查询码", "问题", "承办部门", "答复", "状态", "答复日期"), rows)


def prepare_out(out: Path) -> None:
    out = out.resolve()
    if out in (Path("/"), Path.home().resolve(), REPO) or (out / ".git").exists():
        raise SystemExit(f"make_sample: refusing to delete {out}")
    if out.exists():
        if not out.is_dir():
            raise SystemExit(f"make_sample: {out} is not a folder")
        if any(out.iterdir()) and not (out / "site.yaml").is_file():
            raise SystemExit(f"make_sample: {out} is not empty and has no site.yaml; refusing to delete it")
        shutil.rmtree(out)
    out.mkdir(parents=True)


def tree_size(root: Path) -> tuple[int, int]:
    files = [p for p in root.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def generate(out: Path, fonts: Fonts) -> dict:
    accounts = load_accounts()
    prepare_out(out)
    out = out.resolve()
    scanner = Scanner()
    pictures = PictureRenderer(fonts, scanner)
    stats = {"items": 0, "vouchers": 0, "scans": 0}
    made: list[Village] = []  # for the city-wide oversight files, written last
    write_text(out / "site.yaml", site_yaml())
    for it in city_items():
        write_item(out, it, None)
        stats["items"] += 1
    for town in TOWNS:
        tdir = out / town.slug
        write_text(tdir / "town.yaml", f"name: {town.name}\n")
        for it in town_items(town):
            write_item(tdir, it, None)
            stats["items"] += 1
        for spec in (s for s in VILLAGES if s.town == town.slug):
            v = build_village(spec, accounts)
            build_journal(v)
            vdir = tdir / spec.slug
            write_text(vdir / "village.yaml", village_yaml(v))
            items = complete_items(v, village_items(v))  # bases, project documents, two drafts (oversight)
            renderer = ScanRenderer(fonts, scanner, v)
            for it in items:
                write_item(vdir, it, town)
                stats["items"] += 1
                if it.basis and it.basis.get("scan"):
                    name, pic = it.basis["scan"]
                    target = vdir / "files" / name
                    if not target.exists():  # a document several items rest on is scanned once
                        if pic["kind"] == "contract":
                            data = {"kind": pic["contract"], "lot": v.lots[0], "number": it.basis.get("number", "")}
                            page, _ = renderer.draw_contract(None, data, random.Random(f"sample:{v.slug}:{name}"))
                            renderer.save(page, target, f"{v.slug}:{name}")
                        else:
                            pictures.basis_scan(v, it, target)
                for name, pic in it.images:
                    if pic["kind"] == "chart":
                        pictures.chart(v, vdir / "files" / name)
                    else:
                        pictures.photo(pic, vdir / "files" / name, f"{v.slug}:{name}")
            write_journal(v, vdir / "journal")
            write_finance_tables(v, vdir / "finance" / "tables")
            finance_documents(fonts, scanner, v, vdir / "files", renderer)
            write_village_oversight(v, vdir)  # reviews.yaml, acknowledgements.yaml
            made.append(v)
            for x in v.vouchers:
                renderer.write_voucher(x, vdir / "scans" / f"{YEAR}-{x.month:02d}" / str(x.no))
                stats["vouchers"] += 1
                stats["scans"] += 1 + len(x.atts) + len(x.extra)
    write_city_oversight(out, made)  # registries/, feedback/
    return stats


def main(argv: list[str]) -> int:
    if len(argv) > 2 or (len(argv) == 2 and argv[1] in ("-h", "--help")):
        print(__doc__.strip() if len(argv) == 2 else "usage: make_sample.py [OUT_DIR]",
              file=sys.stdout if len(argv) == 2 else sys.stderr)
        return 0 if len(argv) == 2 else 2
    out = Path(argv[1]) if len(argv) == 2 else DEFAULT_OUT
    paths = find_cjk_fonts()
    if paths is None:
        print("make_sample: no CJK font found. The scans need one to show Chinese text.\n"
              "  Install one (Debian/Ubuntu: apt-get install fonts-noto-cjk) or point SITEGEN_CJK_FONT at a .ttc/.otf/.ttf "
              "file with Chinese glyphs.", file=sys.stderr)
        return 3
    stats = generate(out, Fonts(paths))
    n, size = tree_size(out)
    print(f"make_sample: wrote {out}: {n} files, {size / 1024 / 1024:.1f} MB "
          f"({stats['items']} items, {stats['vouchers']} vouchers, {stats['scans']} voucher scans)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
