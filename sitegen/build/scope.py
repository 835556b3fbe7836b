"""One village at a time (一个村一个村地做): a clerk points `sitegen check` or `sitegen serve --village` at their own
village's (or town's) folder inside a content folder.

`locate` finds the content folder (the nearest folder above holding `site.yaml`) and the part the clerk works on;
`split` divides a run's problems into that part's own (its folder, and the shared files every village's pages are
made from: site.yaml, the city's folders, its town's town.yaml and town items) and the other villages' and towns',
which are only summarised in one line. So one clerk never wades through the others' warnings, and the others'
mistakes are not theirs to fix.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from sitegen.build.place import Scope
from sitegen.build.place import ScopeError as ScopeError  # (kept importable from here)
from sitegen.build.place import locate as locate
from sitegen.content.errors import Location, Problem, Report, make_problem
from sitegen.content.files import inside
from sitegen.content.load import OVERSIGHT_FOLDERS
from sitegen.content.model import City
from sitegen.oversight.review import QueueRow, queue


def owner(problem: Problem, scope: Scope) -> str:
    """ "" when the problem is the scope's own (inside its folder, or in a shared file); else the other town's or
    village's folder ("TOWN" or "TOWN/VILLAGE") it was found in."""
    if not scope.part:
        return ""
    parts = problem.where.path.split("/")[1:]  # locations start with the content folder's name
    mine = scope.part.split("/")
    if parts and parts[0] != mine[0] and (scope.content / parts[0] / "town.yaml").is_file():
        return parts[0]
    if (
        len(mine) == 2
        and len(parts) >= 2
        and parts[0] == mine[0]
        and parts[1] != mine[1]
        and (scope.content / parts[0] / parts[1] / "village.yaml").is_file()
    ):
        return f"{parts[0]}/{parts[1]}"
    return ""


def split(report: Report, scope: Scope) -> tuple[Report, Report]:
    """(the scope's own problems, everybody else's)."""
    own, others = Report(), Report()
    for problem in report.problems:
        (others if owner(problem, scope) else own).problems.append(problem)
    return own, others


def others_line(others: Report, scope: Scope) -> str:
    """The one line that summarises the other villages' problems ("" when they have none)."""
    if not others.problems:
        return ""
    folders = {owner(p, scope) for p in others.problems}
    n_err, n_warn = len(others.errors), len(others.warnings)
    return (
        f"其他 {len(folders)} 个镇村另有 {n_err} 个错误、{n_warn} 个提醒，不影响{scope.label}，这里不列出 / "
        f"{len(folders)} other town(s) or village(s) have {n_err} error(s), {n_warn} warning(s), not listed here"
    )


def _mine(where: str, scope: Scope) -> bool:
    """Whether a record at `where` (a clerk's path, from the content folder's name down) is the scope's concern."""
    return not owner(make_problem("missing-file", Location(where)), scope)


def unpublished(cities: City | Iterable[QueueRow] | None, report: Report, scope: Scope) -> list[str]:
    """未公开 What villagers will not see after this check, one line each, with why: items and months not (yet)
    approved (they are drafts: `review.publish`), and vouchers lacking scans (an error: the village is held).
    `cities`: the whole city, or its rows of review.queue in its order (pipeline.CheckedCity.queue: the villages'
    from their listings, so that none is restored)."""
    lines: list[str] = []
    rows = () if cities is None else queue(cities) if isinstance(cities, City) else cities
    for row in rows:
        if row.status == "已通过" or not _mine(row.where, scope):
            continue  # approved but lacking a basis: published, and already warned about
        why = {
            "未送审": "还没有审核记录" + ("（写在 reviews.yaml）" if row.kind == "月度财务" else "（写 review:）"),
            "等待前一个月": "前一个月还没有审核通过，后面的月份都要等它",
        }.get(row.status, f"审核状态是{row.status}")
        lines.append(
            f"不会公开 {row.where}：{row.title}——{why}，由{row.department}审核 / "
            f"not published until approved ({row.kind})"
        )
    for problem in report.errors:
        if problem.code == "scan-missing" and _mine(problem.where.path, scope):
            lines.append(
                f"不会公开 {problem.where.zh()}：{problem.zh.split('：')[0]}，本村的新内容都要等扫描件放齐 / "
                f"voucher lacks scans: the village's changes wait for them"
            )
    return lines


# ---- the scoped view `sitegen serve --village` builds from ---------------------------------------------------


def in_scope(rel_parts: tuple[str, ...], scope: Scope) -> bool:
    """Whether a path inside the content folder (its parts) is part of what the scope's pages are made from: the
    shared files (site.yaml, the city's folders, the town's own files) and the scope's folder; not the other towns'
    and villages' folders."""
    if not scope.part or not rel_parts:
        return True
    mine = scope.part.split("/")
    if rel_parts[0] != mine[0]:
        return not (scope.content / rel_parts[0] / "town.yaml").is_file()
    if len(mine) == 1 or len(rel_parts) == 1:
        return True
    return rel_parts[1] == mine[1] or not (scope.content / rel_parts[0] / rel_parts[1] / "village.yaml").is_file()


def mirror(scope: Scope, dest: Path) -> Path:
    """A content folder at `dest/<content name>` (`dest` and its parent, the preview folder, are never mirrored
    into it, should they sit inside the content folder) holding only what `in_scope` keeps, as hard links to the clerk's
    files (copies where the folders are on different disks), brought up to date on every call: what changed is
    linked again, what went away is removed. So a one-village preview reads one village (and the shared files),
    never waits for the whole city, and never fails because of another village's or town's mistakes.

    The city's hotline records (feedback/) are left out: their reference codes name every village's items, which a
    one-village view cannot resolve; the whole-content preview (`sitegen serve` without --village) shows them."""
    root = dest / scope.content.name
    wanted: set[Path] = set()
    for top, folders, files in os.walk(scope.content):
        rel = Path(top).relative_to(scope.content)
        folders[:] = sorted(
            f
            for f in folders
            if in_scope((*rel.parts, f), scope)
            and (scope.content / rel / f).resolve() not in (dest.resolve(), dest.resolve().parent)
            and not (rel.parts == () and OVERSIGHT_FOLDERS.get(f) == "feedback")
        )
        target_dir = root / rel
        target_dir.mkdir(parents=True, exist_ok=True)
        wanted.add(target_dir)
        for name in files:
            source, target = Path(top) / name, target_dir / name
            if source.is_symlink() and not inside(scope.content, source):
                continue  # leads out of the content folder: left out, so the check still refuses it
            wanted.add(target)
            _sync_file(source, target)
    for top, folders, files in os.walk(root, topdown=False):
        for name in files:
            if Path(top) / name not in wanted:
                (Path(top) / name).unlink()
        for name in folders:
            if Path(top) / name not in wanted:
                shutil.rmtree(Path(top) / name, ignore_errors=True)
    return root


def _sync_file(source: Path, target: Path) -> None:
    try:
        src = source.stat()
    except OSError:
        return  # gone (or a dangling link) since the walk: the next save's rebuild sees it
    try:
        dst = target.stat()
        if (dst.st_ino == src.st_ino and dst.st_dev == src.st_dev) or (
            dst.st_size == src.st_size and dst.st_mtime_ns == src.st_mtime_ns and dst.st_nlink == 1
        ):
            return
        target.unlink()
    except FileNotFoundError:
        pass
    try:
        os.link(source, target, follow_symlinks=True)
    except OSError:
        shutil.copy2(source, target)
