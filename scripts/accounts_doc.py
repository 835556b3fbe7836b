"""The two charts of accounts as Markdown tables for docs/content-format.md, made from sitegen/content/accounts.py.

    python scripts/accounts_doc.py            # print the tables
    python scripts/accounts_doc.py --write    # replace them in docs/content-format.md (between the markers)

tests/test_accounts.py checks that the document holds exactly what this prints, so the clerk's tables can never
drift from the code that checks their journal.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sitegen.content.accounts import CHARTS, CODE_MAP, SYSTEM_2004, SYSTEM_2024, SYSTEM_TITLES

DOC = REPO / "docs" / "content-format.md"
BEGIN = "<!-- accounts tables: made by scripts/accounts_doc.py, do not edit by hand -->"
END = "<!-- end of accounts tables -->"


def tables() -> str:
    """Both charts (code, name, category, plain words) and the 2004 -> 2024 mapping."""
    out: list[str] = []
    for system in (SYSTEM_2024, SYSTEM_2004):
        out += [
            f"#### {system} {SYSTEM_TITLES[system]}",
            "",
            "| 编码 code | 科目名称 name | 类别 | 通俗说法 plain words |",
            "|---|---|---|---|",
        ]
        out += [f"| `{a.code}` | {a.name} | {a.category} | {a.plain} |" for a in CHARTS[system].values()]
        out.append("")
    new = CHARTS[SYSTEM_2024]
    out += [
        "#### 2004 → 2024 对照 / mapping (财会〔2023〕20号)",
        "",
        "| 2004 编码 | 2004 科目 | 2024 编码 | 2024 科目 |",
        "|---|---|---|---|",
    ]
    for code, account in CHARTS[SYSTEM_2004].items():
        targets = CODE_MAP[(SYSTEM_2004, SYSTEM_2024)][code]
        out.append(
            f"| `{code}` | {account.name} | {'、'.join(f'`{t}`' for t in targets) or '—'} | "
            f"{'、'.join(new[t].name for t in targets) or '（新表没有，余额按规定转入其他科目）'} |"
        )
    return "\n".join(out) + "\n"


def block() -> str:
    return f"{BEGIN}\n\n{tables()}\n{END}"


def replaced(doc: str) -> str:
    """The document with its tables block made afresh."""
    start, end = doc.index(BEGIN), doc.index(END) + len(END)
    return doc[:start] + block() + doc[end:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"update {DOC.relative_to(REPO)}")
    args = parser.parse_args()
    if args.write:
        DOC.write_text(replaced(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        print(tables(), end="")


if __name__ == "__main__":
    main()
