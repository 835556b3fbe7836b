"""openpyxl, the Excel reader (load.py's journals and tables; the memo names its version), imported without numpy.

openpyxl imports numpy, when it is installed, only to count numpy's number types as numbers when a cell is written;
sitegen never gives it one. numpy (and the OpenBLAS threads it starts) was ~0.07-0.1 s of CPU of every `sitegen
build` and `sitegen check` process's start-up (~0.75 s; h64). So numpy is marked absent (a None in sys.modules:
Python's documented way to make an import fail) while openpyxl is imported, and unmarked at once: openpyxl then
takes it as not installed, and anything that imports numpy later gets it as usual. When numpy is imported already,
openpyxl uses it as before. Every module of sitegen that reads a workbook imports openpyxl from here.
"""

from __future__ import annotations

import sys

_HIDDEN = "numpy" not in sys.modules
if _HIDDEN:
    sys.modules["numpy"] = None  # type: ignore[assignment]
try:
    import openpyxl  # (after numpy is marked absent)
finally:
    if _HIDDEN and sys.modules.get("numpy", False) is None:
        del sys.modules["numpy"]

__all__ = ["openpyxl"]
