"""Hotline questions and answers (questions.py): attached to the right items, overdue flags, clear errors."""

from __future__ import annotations

import re

import pytest

from sitegen.build.pipeline import build
from sitegen.oversight import questions, refcode
from tests.checked import check
from tests.oversightkit import Pay, content, journal, write_csv

HEAD = ["工单号", "日期", "查询码", "问题", "承办部门", "答复", "状态", "答复日期"]


@pytest.fixture
def root(tmp_path):
    root = content(tmp_path)
    journal(root, "cs", [Pay("2026-09-05", "200.00", "乙"), Pay("2026-09-06", "300.00", "丙")])
    journal(root, "jt", [Pay("2026-09-05", "200.00", "丁")])
    return root


def codes(root):
    city, report = check(root)
    assert city is not None
    assert not report.errors
    by_id = refcode.assign(city)
    cs, jt = city.villages
    return {
        "meeting": by_id[id(next(i for i in cs.items if i.slug == "meeting"))],
        "plan": by_id[id(next(i for i in cs.items if i.slug == "plan"))],
        "cs1": by_id[id(cs.vouchers[0])],
        "cs2": by_id[id(cs.vouchers[1])],
        "jt1": by_id[id(jt.vouchers[0])],
    }


def hotline(root, rows, name="hotline.csv"):
    write_csv(root / "feedback" / name, [HEAD] + rows)


def test_questions_attach_to_their_items_and_vouchers(root, tmp_path):
    c = codes(root)
    scan = f"{c['cs2']}-1"
    spoken = c["jt1"].lower().replace("0", "o").replace("-", " ")  # read over the phone: O for 0, lower case
    hotline(
        root,
        [
            [
                "T1",
                "2026-09-20",
                c["meeting"],
                "党员大会几个人参加？",
                "夏港街道组织办",
                "应到45人，实到41人。",
                "已答复",
                "2026-09-25",
            ],
            ["T2", "2026-09-21", c["cs1"], "这笔钱付给谁了？", "夏港街道农经站", "付给乙。", "已答复", "2026-09-22"],
            ["T3", "2026-09-22", scan, "发票看不清", "夏港街道农经站", "", "办理中", ""],
            ["T4", "2026-09-23", spoken, "江头村这笔钱？", "夏港街道农经站", "", "", ""],
        ],
    )
    city, report = check(root)
    assert city is not None
    assert not report.errors, [p.format() for p in report.errors]
    cs, jt = city.villages
    meeting = next(i for i in cs.items if i.slug == "meeting")
    assert [q.ticket for q in meeting.questions] == ["T1"]
    assert [q.ticket for q in cs.vouchers[0].questions] == ["T2"]
    assert [q.ticket for q in cs.vouchers[1].questions] == ["T3"]
    assert [q.ticket for q in jt.vouchers[0].questions] == ["T4"]
    assert [q.ticket for q in cs.questions] == ["T1", "T2", "T3"] and [q.ticket for q in jt.questions] == ["T4"]
    assert not jt.vouchers[0].questions[0].answered  # no status, no reply: not answered
    build(root, tmp_path / "out", themes=("mobile",))
    site = tmp_path / "out/mobile/xg/cs"
    item = (site / "party/organisation/meeting.html").read_text(encoding="utf-8")
    assert "党员大会几个人参加？" in item and "应到45人，实到41人。" in item and "夏港街道组织办" in item
    voucher = (site / "finance/vouchers/2026-09-002.html").read_text(encoding="utf-8")
    assert "发票看不清" in voucher and "尚未答复" in voucher
    page = (site / "questions.html").read_text(encoding="utf-8")
    assert all(t in page for t in ("T1", "T2", "T3")) and "T4" not in page
    assert 'href="party/organisation/meeting.html"' in page and 'href="finance/vouchers/2026-09-001.html"' in page
    assert 'href="questions.html"' in (site / "index.html").read_text(encoding="utf-8")


def test_questions_about_city_and_town_items_reach_every_village_page_of_that_town(root, tmp_path):
    (root / "policies").mkdir()
    (root / "policies/law.md").write_text(
        "---\ntitle: 村民委员会组织法\ndate: 2026-01-01\n---\n条文。\n", encoding="utf-8"
    )
    (root / "xg/rules").mkdir()
    (root / "xg/rules/fund.md").write_text(
        "---\ntitle: 街道村级资金管理办法\ndate: 2026-02-01\n---\n条文。\n", encoding="utf-8"
    )
    city, _ = check(root)
    assert city is not None
    by_id = refcode.assign(city)
    law, fund = by_id[id(city.items[0])], by_id[id(city.towns[0].items[0])]
    hotline(
        root,
        [
            ["T1", "2026-09-20", law, "组织法哪一条规定了公开？", "市民政局", "第三十二条。", "已答复", "2026-09-21"],
            ["T2", "2026-09-21", fund, "村务卡限额多少？", "夏港街道农经站", "", "办理中", ""],
        ],
    )
    build(root, tmp_path / "out", themes=("tv", "mobile"))
    for theme in ("tv", "mobile"):
        for village in ("cs", "jt"):
            site = tmp_path / "out" / theme / "xg" / village
            page = (site / "questions.html").read_text(encoding="utf-8")
            shared = page[page.index("关于全市、全镇（街道）统一公开内容的疑问") :]
            assert "组织法哪一条规定了公开？" in shared and "第三十二条。" in shared and "村务卡限额多少？" in shared
            links = [(site / h).resolve() for h in re.findall(r'<a class="row" href="([^"]+)"', shared)]
            assert [p.relative_to((tmp_path / "out" / theme).resolve()).as_posix() for p in links] == [
                "policies/law.html",
                "xg/rules/fund.html",
            ]
            home = (site / "index.html").read_text(encoding="utf-8")
            assert '<span class="tile-title">群众疑问</span><span class="tile-sub">2 条</span>' in home
        law_page = (tmp_path / "out" / theme / "policies/law.html").read_text(encoding="utf-8")
        assert "组织法哪一条规定了公开？" in law_page


def test_unknown_code_is_an_error_naming_file_and_row(root):
    c = codes(root)
    hotline(
        root,
        [
            ["T1", "2026-09-20", c["cs1"], "问题一", "", "", "办理中", ""],
            ["T2", "2026-09-21", "V-ZZZZ-ZZZZ", "问题二", "", "", "办理中", ""],
        ],
    )
    _, report = check(root)
    (err,) = report.errors
    assert err.code == "question-code" and err.where.path.endswith("feedback/hotline.csv")
    assert err.where.line == 3 and err.where.column == "查询码" and "V-ZZZZ-ZZZZ" in err.zh
    assert "第3行" in err.format()


def test_overdue_is_measured_against_the_as_of_day(root):
    c = codes(root)  # as_of: 2026-10-20, answer_days: 15
    hotline(
        root,
        [
            ["T1", "2026-10-05", c["cs1"], "等了15天", "", "", "办理中", ""],
            ["T2", "2026-10-04", c["cs1"], "等了16天", "", "", "办理中", ""],
            ["T3", "2026-09-01", c["cs2"], "答复晚了", "农经站", "已核实。", "已答复", "2026-09-21"],
            ["T4", "2026-09-01", c["cs2"], "按时答复", "农经站", "已核实。", "已答复", "2026-09-16"],
        ],
    )
    city, report = check(root)
    assert city is not None
    assert not report.errors
    state = {q.ticket: (q.overdue, q.status) for q in city.questions}
    assert state["T1"] == (False, "办理中")
    assert state["T2"][0] and "超过时限未答复" in state["T2"][1] and "16 天" in state["T2"][1]
    assert state["T3"][0] and "逾期答复" in state["T3"][1]
    assert state["T4"] == (False, "已答复")


def test_without_as_of_the_latest_date_in_the_content_counts(root):
    site = root / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("  as_of: 2026-10-20\n", ""), encoding="utf-8")
    c = codes(root)
    hotline(
        root,
        [
            ["T1", "2026-09-01", c["cs1"], "问题", "", "", "办理中", ""],
            ["T2", "2026-09-30", c["cs1"], "问题", "农经站", "答复", "已答复", "2026-10-01"],
        ],
    )
    city, _ = check(root)
    assert city is not None
    # the latest date written anywhere is the 2026-10-09 month review: T1 has waited 38 days
    assert "38 天" in city.questions[0].status


def test_bad_rows_are_reported(root):
    c = codes(root)
    hotline(
        root,
        [
            ["T1", "2026-09-20", c["cs1"], "问题", "", "", "办理中", ""],
            ["T1", "2026-09-21", c["cs1"], "重复的工单号", "", "", "办理中", ""],
            ["T2", "2026-09-21", c["cs1"], "说答复了却没有答复", "", "", "已答复", ""],
            ["T3", "2026-9-31", c["cs1"], "日期不对", "", "", "办理中", ""],
            ["T4", "2026-09-21", c["cs1"], "状态不认识", "", "", "研究中", ""],
        ],
    )
    _, report = check(root)
    assert sorted((p.code, p.where.line) for p in report.errors) == [
        ("bad-date", 5),
        ("question-duplicate", 3),
        ("question-reply", 4),
        ("question-status", 6),
    ]


def test_excel_hotline_export_loads(root):
    openpyxl = pytest.importorskip("openpyxl")
    c = codes(root)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEAD)
    sheet.append(["T9", "2026-09-20", c["cs1"], "Excel 里的问题", "农经站", "答复", "已答复", "2026-09-22"])
    (root / "feedback").mkdir()
    book.save(root / "feedback" / "export.xlsx")
    city, report = check(root)
    assert city is not None
    assert not report.errors and city.villages[0].vouchers[0].questions[0].question == "Excel 里的问题"


def test_a_question_about_a_draft_waits_with_it(root, tmp_path):
    c = codes(root)
    hotline(root, [["T1", "2026-09-29", c["plan"], "计划什么时候定？", "", "", "办理中", ""]])
    build(root, tmp_path / "out", themes=("mobile",))
    assert "计划什么时候定" not in (tmp_path / "out/mobile/xg/cs/questions.html").read_text(encoding="utf-8")
    build(root, tmp_path / "preview", themes=("mobile",), preview=True)
    page = (tmp_path / "preview/mobile/xg/cs/questions.html").read_text(encoding="utf-8")
    assert "计划什么时候定" in page and 'href="affairs/plans/plan.html"' in page


def test_the_sample_has_answered_unanswered_and_overdue_questions():
    from tests.conftest import REPO

    city, report = check(REPO / "content")
    assert city is not None
    assert not report.errors
    qs = city.questions
    assert len(qs) >= 5 and any(q.answered for q in qs) and any(not q.answered and q.overdue for q in qs)
    assert any(q.target.__class__.__name__ == "Item" for q in qs)


def test_only_the_codes_asked_are_looked_up(root, monkeypatch):
    """Issue 14 (memory): the table the hotline records are matched against holds the items and vouchers they name
    (a scan's code: its voucher), not every item and voucher of the city, made while the whole city is held; the
    questions, their targets and the problems are those the whole table gives (a spoken code, an unknown one)."""
    c = codes(root)
    spoken = c["jt1"].lower().replace("0", "o").replace("-", " ")
    hotline(
        root,
        [
            ["T1", "2026-09-20", c["meeting"], "问", "夏港街道组织办", "答", "已答复", "2026-09-25"],
            ["T2", "2026-09-21", f"{c['cs2']}-1", "问", "夏港街道农经站", "", "办理中", ""],
            ["T3", "2026-09-22", spoken, "问", "夏港街道农经站", "", "办理中", ""],
            ["T4", "2026-09-23", "V-0000-0000", "问", "夏港街道农经站", "", "办理中", ""],
        ],
    )
    tables: list[dict] = []
    whole = questions.targets

    def recorded(city, codes=None, asked=None):
        found = whole(city, codes, asked)
        tables.append(found)
        return found

    monkeypatch.setattr(questions, "targets", recorded)
    city, report = check(root)
    assert city is not None and len(tables) == 1
    assert sorted(tables[0]) == sorted(questions.canonical(c[k]) for k in ("meeting", "cs2", "jt1"))
    monkeypatch.setattr(questions, "asked_codes", lambda found: None)  # every code: as before
    city2, report2 = check(root)
    assert city2 is not None and len(tables[1]) > 3
    assert [p.format() for p in report.problems] == [p.format() for p in report2.problems]
    assert [p.code for p in report.errors] == ["question-code"]
    assert [(q.ticket, q.code, q.subject, q.village) for q in city.questions] == [
        (q.ticket, q.code, q.subject, q.village) for q in city2.questions
    ]
    assert [q.ticket for q in city.questions] == ["T1", "T2", "T3"]
