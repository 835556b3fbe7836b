"""JPEG 文件头 A JPEG's size and EXIF orientation read from its first bytes (the check's header probe:
renditions.probe), for the files laid out as cameras and scanners write them, as Pillow's open reads them.

Why: the check reads the header of every scan (~1,100 a village). Pillow opens a JPEG through its plugin lookup,
reads the markers a byte at a time with a Python call each, parses every quantization table, and parses the EXIF
block twice (for its resolution, then for its orientation), inside a warnings context: ~25 µs of CPU a scan.
From the bytes of one read the same answer costs a few µs.

What it answers, it answers as Pillow would (the size of the frame, the orientation in the EXIF block's first
directory). Whatever it does not know exactly how Pillow takes, it does not answer (`header` gives None) and the
file goes to Pillow as before, so every refusal and every problem is still Pillow's: junk or fill bytes between
segments, a marker other than the usual ones, a second frame header or EXIF block, a frame of other than 8-bit 1, 3
or 4 components, more pixels than the limit (Pillow's decompression-bomb check), XMP (where Pillow may find the
orientation), MPO's MPF block, Photoshop's block, an ICC, JFIF or Adobe segment too short for Pillow's reading,
a quantization table Pillow would refuse, an EXIF block of another layout than a little- or big-endian TIFF
directory whose every entry is of a known type and lies inside the block (Pillow stops at the first that does
not), and a resolution tag of an odd type (which Pillow's reading of the resolution would fail on). The test
(tests/test_images.py) compares its answers with Pillow's on generated and mutated files.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

# Bytes of one value of each TIFF field type (TIFF 6.0: BYTE, ASCII, SHORT, LONG, RATIONAL, SBYTE, UNDEFINED,
# SSHORT, SLONG, SRATIONAL, FLOAT, DOUBLE), all of which Pillow reads.
_TYPES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8}
_FRAMES = frozenset({0xC0, 0xC1, 0xC2})  # baseline, extended and progressive frames
_PASSED = frozenset({0xC4, 0xDD, 0xFE})  # Huffman tables, restart interval, comment: their lengths only
_ORIENTATION, _X_RESOLUTION, _RESOLUTION_UNIT = 0x0112, 0x011A, 0x0128
_READ_AS = {_X_RESOLUTION: (5, 1), _RESOLUTION_UNIT: (3, 1)}  # (type, count) Pillow's reading of them takes
_MORE = 1 << 16  # a segment past the first read: read on from there, at least this much

Read = Callable[[int, int], bytes]  # (size, offset) -> the file's bytes there (os.pread of the open file)


def header(data: bytes, read: Read, max_pixels: int) -> tuple[int, int] | None:
    """(width, height) as shown (an EXIF orientation 5-8 swaps them, as renditions.probe gives them) of the JPEG
    whose first bytes are `data` (`read` gives more of it: a segment that goes past them); None when this is not
    a JPEG this reader answers for (the module's docstring): then Pillow reads it."""
    if data[:3] != b"\xff\xd8\xff":
        return None
    pos, dpi = 2, False
    size: tuple[int, int] | None = None
    exif: bytes | None = None
    while True:
        if pos + 4 > len(data) and len(data := _extended(data, pos + 4, read)) < pos + 4:
            return None
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        end = pos + 2 + ((data[pos + 2] << 8) | data[pos + 3])
        if end < pos + 4:  # a length below 2
            return None
        if end > len(data) and len(data := _extended(data, end, read)) < end:
            return None
        start = pos + 4
        if marker == 0xDA:  # start of scan: the header ends
            break
        if marker in _FRAMES:
            if size is not None or end - start < 6 or data[start] != 8 or data[start + 5] not in (1, 3, 4):
                return None
            size = ((data[start + 3] << 8) | data[start + 4], (data[start + 1] << 8) | data[start + 2])
        elif marker == 0xDB:
            if not _tables_whole(data, start, end):
                return None
        elif 0xE0 <= marker <= 0xEF:
            if marker == 0xE0 and data.startswith(b"JFIF", start):
                if end - start < 7:
                    return None
                dpi = dpi or (end - start >= 12 and data[start + 7] in (1, 2))  # Pillow's dpi from JFIF
            elif marker == 0xE1 and data.startswith(b"Exif\0\0", start):
                if exif is not None:
                    return None
                exif = data[start + 6 : end]
            elif (
                (marker == 0xE1 and data.startswith(b"http://ns.adobe.com/xap/1.0/\0", start))
                or (marker == 0xE2 and data.startswith(b"MPF\0", start))
                or (marker == 0xED and data.startswith(b"Photoshop 3.0\0", start))
                or (marker == 0xE2 and data.startswith(b"ICC_PROFILE\0", start) and end - start < 14)
                or (marker == 0xEE and data.startswith(b"Adobe", start) and end - start < 7)
            ):
                return None
        elif marker not in _PASSED:
            return None
        pos = end
    if size is None or size[0] <= 0 or size[1] <= 0 or size[0] * size[1] > max_pixels:
        return None
    orientation = 1 if exif is None else _orientation(exif, not dpi)
    if orientation is None:
        return None
    return (size[1], size[0]) if orientation in (5, 6, 7, 8) else size


def _extended(data: bytes, end: int, read: Read) -> bytes:
    """`data` read on to at least `end` bytes, or to the end of the file before."""
    while len(data) < end:
        more = read(max(end - len(data), _MORE), len(data))
        if not more:
            break
        data += more
    return data


def _tables_whole(data: bytes, start: int, end: int) -> bool:
    """A DQT segment's tables fill it exactly as Pillow reads them (a table of 8- or 16-bit values each)."""
    while start < end:
        start += 65 if data[start] < 16 else 129
    return start == end


def _orientation(tiff: bytes, resolution_read: bool) -> int | None:
    """The orientation in the first directory of the EXIF block `tiff` (1 when it has none), or None when Pillow
    might read the block otherwise (the module's docstring). `resolution_read`: Pillow reads the resolution from
    the block too (no JFIF resolution): its tags must be of the types that reading takes."""
    if len(tiff) < 8 or tiff[:4] not in (b"II*\0", b"MM\0*"):
        return None
    order = "<" if tiff[0] == 0x49 else ">"
    (first,) = struct.unpack_from(order + "L", tiff, 4)
    if first + 2 > len(tiff):
        return None
    (count,) = struct.unpack_from(order + "H", tiff, first)
    if first + 2 + 12 * count + 4 > len(tiff):  # every entry and the next directory's offset
        return None
    entry = struct.Struct(order + "HHLL")
    orientation, seen = 1, set()
    for at in range(first + 2, first + 2 + 12 * count, 12):
        tag, kind, n, offset = entry.unpack_from(tiff, at)
        unit = _TYPES.get(kind)
        if unit is None or n == 0 or tag in seen or (n * unit > 4 and offset + n * unit > len(tiff)):
            return None
        seen.add(tag)
        if tag == _ORIENTATION:
            if kind != 3 or n != 1:
                return None
            (orientation,) = struct.unpack_from(order + "H", tiff, at + 8)
        elif resolution_read and tag in (_X_RESOLUTION, _RESOLUTION_UNIT) and (kind, n) != _READ_AS[tag]:
            return None
    return orientation
