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
        "河湘桥至八组道路及排水沟修缮工程", "河湘桥至八组"),
)

TOWN_BY_SLUG = {t.slug: t for t in TOWNS}

CONTRACTORS = ("江阴市恒通市政工程有限公司", "江阴市澄东建设工程有限公司", "江阴市夏港建筑安装工程有限公司",
               "江阴市华祝路桥工程有限公司")
GREEN_FIRMS = ("江阴市绿源园林绿化工程有限公司", "江阴市澄江环境卫生服务有限公司", "江阴市清源河道保洁有限公司",
               "江阴市锦绣园林工程有限公司")
STATIONERS = ("江阴市新华文具有限公司", "江阴市大桥办公用品商行", "江阴市祝塘鑫达文具店", "江阴市夏港佳美办公用品经营部")
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
        from sitegen.accounts import by_name
    finally:
        sys.path.pop(0)
    out = {}
    for role, name in ROLE_NAMES.items():
        account = by_name(SYSTEM, name)
        if account is None:
            raise SystemExit(f"make_sample: the {SYSTEM} chart in sitegen/accounts.py has no account named {name}")
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
    bonus: Decimal       # quarterly performance pay paid in September
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
    green_firm: str = ""
    opening_cash: Decimal = ZERO
    opening_bank: Decimal = ZERO
    vouchers: list[Voucher] = field(default_factory=list)
    credit_code: str = ""
    bank_account: str = ""

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


def _amount(rng: random.Random, lo: int, hi: int, step: int = 100) -> Decimal:
    return D(rng.randrange(lo // step, hi // step + 1) * step)


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
        v.cadres.append(Cadre(p, title, D(base + rng.choice((0, 100, 200))), D(base * rng.choice((8, 9, 10)) // 10 // 100 * 100), D(ins)))
    v.people.person(sex="男", born=(1955, 1965), name=spec.officials["监委会主任"])

    for _ in range(rng.randint(9, 13)):
        v.cleaners.append((v.people.person(born=(1956, 1970)), D(rng.choice((2300, 2350, 2400, 2450, 2500)))))
    v.cleaners.sort(key=lambda c: c[0].group)
    for g in range(1, spec.groups + 1):
        v.leaders.append((v.people.person(sex="男", born=(1955, 1975), group=g), "组长"))
        v.leaders.append((v.people.person(sex="女", born=(1958, 1980), group=g), "妇女小组长"))
    for _ in range(rng.randint(6, 8)):
        kind = rng.choice(("低保", "低保", "低保", "特困", "低保边缘"))
        monthly = {"低保": rng.choice((1085, 1170, 2170, 3255)), "特困": 1410, "低保边缘": rng.choice((540, 650))}[kind]
        v.households.append(Household(v.people.person(born=(1940, 1975)), rng.randint(1, 4), D(monthly), kind))
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
    v.green_firm = GREEN_FIRMS[idx]
    v.opening_cash = _cents(rng, 2300, 4800)
    v.opening_bank = D(rng.randrange(420, 980) * 1000 + rng.randint(0, 99999) / 100)
    return v


def build_journal(v: Village) -> None:
    """A quarter of vouchers (at least 12 a month), numbered 记-1.. per month in date order, all balanced."""
    rng = random.Random(f"sample:{v.slug}:journal")
    out: list[Voucher] = []
    town = v.town
    sec, acc, cashier = v.off("书记"), v.off("会计"), v.off("出纳")
    gross = sum((c.base for c in v.cadres), ZERO)
    insurance = sum((c.insurance for c in v.cadres), ZERO)
    cleaners_total = sum((w for _, w in v.cleaners), ZERO)
    pay_plan = {7: Decimal("0.30"), 8: Decimal("0.40"), 9: Decimal("0.25")}
    subsidy = {7: ("收到街道拨付2026年下半年村级组织运转经费", rng.randrange(8, 13) * 10000),
               8: ("收到2026年度党组织服务群众专项经费", rng.choice((50000, 60000))),
               9: ("收到农村人居环境长效管护奖补资金", rng.randrange(30, 61) * 1000)}

    def V(month, day, summary, cp, lines, atts, extra=(), tag=""):
        out.append(Voucher(month, day, summary, cp, lines, list(atts), list(extra), tag=tag))

    for m in MONTHS:
        prev = m - 1
        # 提取备用金: bank -> cash
        amt = D(rng.choice((4000, 5000, 6000)))
        V(m, rng.randint(1, 3), "提取备用金", "", [v.dr("cash", amt, "提取备用金"), v.cr("bank", amt, "提取备用金", "基本户")],
          [Attachment("cheque", {"amount": amt, "purpose": "备用金"})], tag="cash")
        # 上级补助
        text, value = subsidy[m]
        amt = D(value)
        V(m, rng.randint(4, 7), text, town.finance_office,
          [v.dr("bank", amt, text, "基本户"), v.cr("subsidy", amt, text)],
          [Attachment("notice", {"kind": "subsidy", "summary": text, "amount": amt}),
           Attachment("bankslip", {"amount": amt, "payer": town.finance_office, "payee": v.org, "purpose": text[2:]})][: 2 if m != 9 else 1],
          tag="subsidy")
        # 发放上月干部工资 (withholding personal social insurance)
        text = f"发放{prev}月份村干部报酬"
        net = gross - insurance
        V(m, rng.randint(8, 10), text, f"{v.name}村干部（{len(v.cadres)}人）",
          [v.dr("wages", gross, text), v.cr("bank", net, text, "基本户"), v.cr("payable", insurance, f"代扣{prev}月个人社保")],
          [Attachment("list", {"kind": "cadre_pay", "month": prev}),
           Attachment("bankslip", {"amount": net, "payer": v.org, "payee": f"批量代发 共{len(v.cadres)}笔", "purpose": f"{prev}月工资代发"})],
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
              atts, extra=[Attachment("approval", {"summary": text, "amount": part, "payee": v.contractor})], tag=f"works{m}")
        # 电费、水费
        a1, a2, a3 = _cents(rng, 420, 980), _cents(rng, 1800, 3600), _cents(rng, 160, 420)
        text = f"支付{prev}月份电费、水费"
        lines = [v.dr("admin", a1, "村委会办公用电", "水电费"), v.dr("public", a2, "村内路灯用电", "路灯电费"),
                 v.dr("admin", a3, "村委会用水", "水电费")]
        tot = a1 + a2 + a3
        lines.append(v.cr("bank", tot, text, "基本户"))
        V(m, rng.randint(16, 19), text, POWER,
          lines, [Attachment("invoice", {"kind": "power", "seller": POWER, "amount": a1 + a2, "rate": "13%"}),
                  Attachment("invoice", {"kind": "water", "seller": WATER, "amount": a3, "rate": "3%"})], tag="utility")
        # 村务卡: office supplies (7, 9) or meals (8)
        if m in (7, 9):
            amt = _cents(rng, 680, 2600)
            seller = STATIONERS[rng.randrange(len(STATIONERS))]
            text = "村务卡报销办公用品" if m == 7 else "村务卡报销打印耗材及办公用品"
            V(m, rng.randint(20, 23), text, seller, [v.dr("admin", amt, text, "办公费"), v.cr("bank", amt, text, "基本户")],
              [Attachment("invoice", {"kind": "office", "seller": seller, "amount": amt, "rate": "1%"}),
               Attachment("list", {"kind": "office", "amount": amt})], tag="card")
        else:
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
    amt = _cents(rng, 980, 2400)
    text = "村务卡支付“七一”主题党日活动费用"
    V(7, 1, text, "江阴市澄江广告印务有限公司", [v.dr("admin", amt, text, "党建活动经费"), v.cr("bank", amt, text, "基本户")],
      [Attachment("invoice", {"kind": "party", "seller": "江阴市澄江广告印务有限公司", "amount": amt, "rate": "1%"}),
       Attachment("list", {"kind": "signin"})], tag="party")
    n = rng.randint(8, 12)
    amt = D(n * 100)
    text = "支付村民小组长会议误工补贴"
    V(7, rng.randint(24, 27), text, f"村民小组长{n}人", [v.dr("admin", amt, text, "误工补贴"), v.cr("cash", amt, text)],
      [Attachment("list", {"kind": "meeting_pay", "n": n})], tag="meeting")
    amt = _cents(rng, 18, 65)
    V(7, 25, "支付银行账户管理费及短信费", BANK, [v.dr("admin", amt, "银行账户管理费及短信费", "其他"), v.cr("bank", amt, "银行手续费", "基本户")],
      [Attachment("bankslip", {"amount": amt, "payer": v.org, "payee": BANK, "purpose": "账户管理费、短信服务费"})], tag="fee")

    # --- August ---
    relief_total = sum((a for _, a, _ in v.relief), ZERO)
    text = "收到街道拨付困难群众临时救助资金" if v.town.slug == "xiagang" else "收到镇拨付困难群众临时救助资金"
    V(8, rng.randint(11, 13), text, town.finance_office, [v.dr("bank", relief_total, text, "基本户"), v.cr("special", relief_total, text)],
      [Attachment("notice", {"kind": "relief", "summary": text, "amount": relief_total})], tag="relief_in")
    text = "发放困难群众临时救助金"
    V(8, rng.randint(14, 15), text, f"救助对象{len(v.relief)}户", [v.dr("special", relief_total, text), v.cr("bank", relief_total, text, "基本户")],
      [Attachment("list", {"kind": "relief"}),
       Attachment("bankslip", {"amount": relief_total, "payer": v.org, "payee": f"批量代发 共{len(v.relief)}笔", "purpose": "临时救助金"})], tag="relief_out")
    amt = _amount(rng, 8600, 16800)
    text = "支付7-8月份河道保洁及绿化养护费"
    V(8, rng.randint(24, 26), text, v.green_firm, [v.dr("public", amt, text, "绿化养护"), v.cr("bank", amt, text, "基本户")],
      [Attachment("invoice", {"kind": "green", "seller": v.green_firm, "amount": amt, "rate": "6%"}),
       Attachment("table", {"kind": "green_check", "amount": amt})], tag="green")
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
    interest = _cents(rng, 380, 1260)
    text = "收到第三季度银行存款利息"
    V(9, 21, text, BANK, [v.dr("bank", interest, text, "基本户"), v.cr("other_income", interest, text)],
      [Attachment("bankslip", {"amount": interest, "payer": BANK, "payee": v.org, "purpose": "结息"})], tag="interest")
    for lot in v.lots:
        if lot.due_month == 9:
            text = "收到2026年度土地承包费（补交）"
            V(9, rng.randint(24, 26), text, lot.holder, [v.dr("bank", lot.amount, text, "基本户"), v.cr("income", lot.amount, f"{lot.holder}土地承包费", "发包收入")],
              [Attachment("receipt", {"payer": lot.holder, "amount": lot.amount, "purpose": f"2026年度土地承包费（{lot.place}{lot.mu}亩）"})], tag="land")
    amt = _cents(rng, 186, 620)
    text = "报销村干部赴市农业农村局参加培训交通费"
    V(9, rng.randint(26, 28), text, v.off("副书记"), [v.dr("admin", amt, text, "差旅费"), v.cr("cash", amt, text)],
      [Attachment("tickets", {"amount": amt})], tag="travel")

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
        w.writerow(JOURNAL_HEADER)
        for x in (x for x in v.vouchers if x.month == m):
            day = f"{YEAR}/{m}/{x.day}" if excel else x.date.isoformat()
            for ln in x.lines:
                w.writerow((day, f"记-{x.no}", ln.summary, ln.code, ln.name,
                            s2(ln.debit) if ln.debit else "", s2(ln.credit) if ln.credit else "",
                            x.counterparty, len(x.atts)))
        (folder / f"{YEAR}-{m:02d}.csv").write_bytes(buf.getvalue().encode(v.spec.encoding))
