"""Review and basis (review.py): only approved records are published, drafts show in --preview, what is missing."""

from __future__ import annotations

import pickle
import re
import shutil
import subprocess
import sys

import pytest

from sitegen.build.pipeline import build
from sitegen.content import model
from sitegen.oversight import refcode, review
from sitegen.oversight.review import publish
from tests.checked import check
from tests.conftest import FIXTURES, REPO
from tests.oversightkit import FULL_TRAIL, Pay, content, journal, write_csv

PLAN = "xg/cs/affairs/plans/plan.html"
HEAD = ["工单号", "日期", "查询码", "问题", "承办部门", "答复", "状态", "答复日期"]


@pytest.fixture
def root(tmp_path):
    root = content(tmp_path)
    journal(
        root,
        "cs",
        [Pay("2026-08-05", "100.00", "甲"), Pay("2026-09-05", "200.00", "乙"), Pay("2026-10-05", "300.00", "丙")],
    )
    return root


def test_unreviewed_item_is_absent_from_a_normal_build_and_marked_in_preview(root, tmp_path):
    build(root, tmp_path / "out", themes=("mobile",))
    site = tmp_path / "out/mobile"
    assert not (site / PLAN).exists()
    assert "第四季度工作计划" not in (site / "xg/cs/affairs/plans/index.html").read_text(encoding="utf-8")
    assert (site / "xg/cs/party/organisation/meeting.html").is_file()
    build(root, tmp_path / "preview", themes=("mobile",), preview=True)
    page = (tmp_path / "preview/mobile" / PLAN).read_text(encoding="utf-8")
    assert "草稿 · 待审核" in page and "第四季度工作计划" in page
    meeting = (tmp_path / "preview/mobile/xg/cs/party/organisation/meeting.html").read_text(encoding="utf-8")
    assert "草稿" not in meeting


def test_months_are_published_in_order(root, tmp_path):
    # 2026-10 has no review: it is a draft (review_required), 2026-08 and 2026-09 are approved
    build(root, tmp_path / "out", themes=("mobile",))
    vouchers = tmp_path / "out/mobile/xg/cs/finance/vouchers"
    assert sorted(p.name for p in vouchers.glob("2026-??-???.html")) == ["2026-08-001.html", "2026-09-001.html"]
    # August sent back: August and every later month wait, although September is approved
    reviews = root / "xg/cs/reviews.yaml"
    reviews.write_text(
        reviews.read_text(encoding="utf-8").replace("date: 2026-09-08, status: 已通过", "status: 退回"),
        encoding="utf-8",
    )
    build(root, tmp_path / "out", themes=("mobile",))
    assert not vouchers.exists() or not list(vouchers.glob("2026-??-???.html"))
    build(root, tmp_path / "preview", themes=("mobile",), preview=True)
    page = (tmp_path / "preview/mobile/xg/cs/finance/vouchers/2026-09-001.html").read_text(encoding="utf-8")
    assert "草稿 · 待审核" in page and "农经站审核" in page
    ledger = "".join(
        p.read_text(encoding="utf-8")  # a page per month
        for p in sorted((tmp_path / "preview/mobile/xg/cs/finance").glob("ledger-2026*.html"))
    )
    assert ledger.count('class="row-draft"') == 3 and "待审核" in ledger


def test_review_is_required_by_default(root):
    site = root / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("  review_required: true\n", ""), encoding="utf-8")
    meeting = root / "xg/cs/party/meeting.md"
    meeting.write_text(
        "\n".join(ln for ln in meeting.read_text(encoding="utf-8").splitlines() if not ln.startswith("review:")) + "\n",
        encoding="utf-8",
    )
    city, report = check(root)
    assert city is not None
    assert not report.errors and city.oversight.review_required
    city = publish(city, preview=False)
    cs = city.villages[0]
    assert not [i for i in cs.items if i.board.slug == "party"]  # no review written: a draft
    assert sorted({v.month for v in cs.vouchers}) == ["2026-08", "2026-09"]  # 2026-10 has no month review


def test_without_review_required_unreviewed_records_publish_but_pending_ones_do_not(root, tmp_path):
    site = root / "site.yaml"
    site.write_text(
        site.read_text(encoding="utf-8").replace("review_required: true", "review_required: false"), encoding="utf-8"
    )
    (root / "xg/cs/reviews.yaml").unlink()
    meeting = root / "xg/cs/party/meeting.md"
    meeting.write_text(
        "\n".join(ln for ln in meeting.read_text(encoding="utf-8").splitlines() if not ln.startswith("review:")) + "\n",
        encoding="utf-8",
    )
    city, report = check(root)
    assert city is not None
    assert not report.errors
    city = publish(city, preview=False)
    cs = city.villages[0]
    assert [i.slug for i in cs.items if i.board.slug == "party"] == ["meeting"]
    assert "plan" not in [i.slug for i in cs.items]  # written as 待审核: still a draft
    assert len(cs.vouchers) == 3  # no month reviews at all: published


def test_rules_and_policies_have_no_reviewing_department(root, tmp_path):
    (root / "policies").mkdir()
    (root / "policies/law.md").write_text(
        "---\ntitle: 村民委员会组织法\ndate: 2026-01-01\n---\n条文。\n", encoding="utf-8"
    )
    city, report = check(root)
    assert city is not None
    assert not [p for p in report.warnings if p.where.path.endswith("law.md")]  # no basis needed either
    city = publish(city, preview=False)
    assert [i.title for i in city.items] == ["村民委员会组织法"]


def test_check_lists_missing_basis_and_project_documents(root):
    _, report = check(root)
    found = {
        (p.code, p.where.path.split("/", 1)[1])
        for p in report.warnings
        if p.code in ("basis-missing", "documents-missing")
    }
    assert found == {("basis-missing", "xg/cs/finance/yanshou.md"), ("documents-missing", "xg/cs/finance/yanshou.md")}
    doc = next(p for p in report.warnings if p.code == "documents-missing")
    assert "验收" in doc.zh and "竣工验收报告" in doc.zh
    item = root / "xg/cs/finance/yanshou.md"
    item.write_text(
        item.read_text(encoding="utf-8").replace(
            "subitem: 验收\n", "subitem: 验收\nbasis: 施工合同\ndocuments:\n  - {title: 竣工验收报告}\n"
        ),
        encoding="utf-8",
    )
    _, report = check(root)
    assert not [p for p in report.problems if p.code in ("basis-missing", "documents-missing")]


def test_project_stage_documents_show_their_scans(root, tmp_path):
    shutil.copy(FIXTURES / "mini/xg/cs/files/basis.jpg", root / "xg/cs/finance/yanshou-report.jpg")
    item = root / "xg/cs/finance/yanshou.md"
    item.write_text(
        item.read_text(encoding="utf-8").replace(
            "subitem: 验收\n",
            (
                "subitem: 验收\nbasis: 施工合同\ndocuments:\n  - {title: 竣工验收报告, number: 验〔2026〕3号, scan: yanshou-report.jpg}\n"
                "  - {title: 监理意见}\n"
            ),
        ),
        encoding="utf-8",
    )
    build(root, tmp_path / "out")
    for theme in ("tv", "mobile"):
        site = tmp_path / "out" / theme
        page = (site / "xg/cs/finance/projects/yanshou.html").read_text(encoding="utf-8")
        docs = page[page.index('class="documents"') : page.index('class="review"')]
        assert "竣工验收报告（验〔2026〕3号）" in docs and "监理意见" in docs
        srcs = re.findall(r'<img[^>]* (?:src|data-src)="([^"]+)"', docs)
        assert srcs and all((site / "xg/cs/finance/projects" / s).resolve().is_file() for s in srcs)
        assert 'alt="竣工验收报告"' in docs


def test_approval_trail_on_the_voucher_page(root, tmp_path):
    journal(root, "cs", [Pay("2026-09-05", "200.00", "乙", trail=dict(FULL_TRAIL, supervisor=""))])
    build(root, tmp_path / "out", themes=("tv",))
    page = (tmp_path / "out/tv/xg/cs/finance/vouchers/2026-09-001.html").read_text(encoding="utf-8")
    for text in (
        "审批流程",
        "经手人",
        "甲经手",
        "乙证明",
        "丙审批",
        "镇农经站线上审核",
        "戊农经",
        "2026-09-05",
        "付款审批手续不全",
        "村监委主任线上审核",
    ):
        assert text in page, text


def test_preview_goes_to_its_own_folder(root, tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "sitegen", "build", str(root), "--preview", "--theme", "mobile"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "output-preview/mobile" / PLAN).is_file() and not (tmp_path / "output").exists()


def test_the_sample_has_drafts_and_keeps_its_published_shape():
    city, report = check(REPO / "content")
    assert city is not None
    assert not report.errors
    drafts = [i.title for v in city.villages for i in v.items if i.review.status != "approved"]
    assert len(drafts) >= 2
    assert all(v.month_reviews for v in city.villages)
    city = publish(city, preview=False)
    for v in city.villages:
        assert not any(i.title in drafts for i in v.items)
        assert len(v.vouchers) >= 30
        assert len({(i.board.name, i.category.name) for i in v.items if i.category}) == 21


# ---- h18: publish returns a new city (issue 13) ----------------------------------------------------------------


def test_publish_returns_a_new_city_whose_warnings_and_questions_point_into_it(tmp_path):
    """publish leaves the city it is given as it was; in the city it returns every warning names a voucher of
    that city, every voucher's warnings are its village's, and a warning about a held month (a split over the
    month's end) waits with it, on the village and on the voucher of the approved month alike."""
    root = content(tmp_path)
    journal(root, "cs", [Pay("2026-09-29", "30000.00", "乙公司"), Pay("2026-10-02", "30000.00", "乙公司")])
    city, report = check(root)
    assert city is not None and not report.errors
    before = pickle.dumps(city)
    assert [w.rule for w in city.villages[0].warnings] == ["split-payment", "split-payment"]
    for preview, expected in ((True, ["2026-09", "2026-10"]), (False, ["2026-09"])):
        new = publish(city, preview=preview)
        assert pickle.dumps(city) == before and new is not city
        cs = new.villages[0]
        assert [v.month for v in cs.vouchers] == expected
        assert [v.draft for v in cs.vouchers] == [False, True][: len(expected)]
        assert len(cs.warnings) == (2 if preview else 0)  # held with the draft month
        for w in cs.warnings:
            assert any(w.voucher is v for v in cs.vouchers) and all(any(o is v for v in cs.vouchers) for o in w.others)
        assert [id(w) for v in cs.vouchers for w in v.warnings] == [id(w) for w in cs.warnings]
    plan = next(i for i in publish(city, preview=True).villages[0].items if i.slug == "plan")
    assert plan.draft and not next(i for i in city.villages[0].items if i.slug == "plan").draft


def test_publishing_a_published_city_again_changes_nothing_published(tmp_path):
    """A question about a draft stays on the city's list after the draft is taken out; publishing that city
    again (a report after the build) finds nothing more to take out and does not fail on it."""
    root = content(tmp_path)
    journal(root, "cs", [Pay("2026-09-05", "200.00", "乙"), Pay("2026-10-05", "300.00", "丙")])
    city, _ = check(root)
    assert city is not None
    code = refcode.assign(city)[id(city.villages[0].vouchers[1])]  # 2026-10: a draft month
    write_csv(root / "feedback/hotline.csv", [HEAD, ["T1", "2026-10-06", code, "这笔钱？", "农经站", "", "", ""]])
    city, report = check(root)
    assert city is not None and not report.errors
    once = publish(city, preview=False)
    twice = publish(once, preview=False)
    assert [q.ticket for q in twice.questions] == ["T1"] and not twice.villages[0].questions
    assert twice.questions[0].target.draft and twice.questions[0].target.questions == twice.questions
    assert [v.key for v in twice.villages[0].vouchers] == [v.key for v in once.villages[0].vouchers] == ["2026-09-001"]


# ---- a village whose drafts are simply left out is not copied (review._plain, h40) -----------------------------

# (name, journal, September's review, a hotline question about voucher n (None: none), plain: left out as it is)
PLAIN = [
    ("october a draft", [Pay("2026-08-05", "100.00", "甲"), Pay("2026-10-05", "300.00", "丙")], "已通过", None, True),
    (
        "every month approved",
        [Pay("2026-08-05", "100.00", "甲"), Pay("2026-09-05", "200.00", "乙")],
        "已通过",
        None,
        True,
    ),
    (
        "a question about a kept voucher",
        [Pay("2026-08-05", "100.00", "甲"), Pay("2026-10-05", "3.00", "丙")],
        "已通过",
        0,
        True,
    ),
    # the city lists its question with the draft it is about, marked: that copy is attach's to make
    (
        "a question about a draft",
        [Pay("2026-08-05", "100.00", "甲"), Pay("2026-10-05", "3.00", "丙")],
        "已通过",
        1,
        False,
    ),
    # the August voucher's warning names the September payment, a draft: it loses that warning (a copy)
    (
        "a split over a draft month",
        [Pay("2026-08-30", "30000.00", "绿化公司"), Pay("2026-09-02", "29000.00", "绿化公司")],
        "待审核",
        None,
        False,
    ),
    (
        "a split within published months",
        [Pay("2026-08-30", "30000.00", "绿化公司"), Pay("2026-09-02", "29000.00", "绿化公司")],
        "已通过",
        None,
        True,
    ),
]


@pytest.mark.parametrize("entries, september, asked, plain", [c[1:] for c in PLAIN], ids=[c[0] for c in PLAIN])
def test_drafts_left_out_without_copying_the_village_equal_the_copies(
    tmp_path, monkeypatch, entries, september, asked, plain
):
    """Without --preview, a village none of whose kept records changes (no warning or question they hold names a
    draft, no question is about one) is published without attach copying it or Rebuild walking its model (a build
    after one change publishes every carried village again); the city published is the same as when every
    village is copied (compared by repr: every field, the draft marks, what each warning and question names)."""
    root = content(tmp_path)
    journal(root, "cs", entries)
    reviews = root / "xg/cs/reviews.yaml"
    reviews.write_text(
        reviews.read_text(encoding="utf-8").replace("2026-10-09, status: 已通过", f"2026-10-09, status: {september}"),
        encoding="utf-8",
    )
    if asked is not None:
        city, _ = check(root)
        assert city is not None
        code = refcode.assign(city)[id(city.villages[0].vouchers[asked])]
        write_csv(root / "feedback/hotline.csv", [HEAD, ["T1", "2026-10-06", code, "这笔钱？", "农经站", "", "", ""]])
    city, report = check(root)
    assert city is not None and not report.errors, [p.format() for p in report.errors]
    village = city.villages[0]
    walked: list[object] = []
    rebuild = model.Rebuild.__call__

    def spy(self: model.Rebuild, obj: object) -> object:
        if id(obj) not in self.swap and id(obj) not in self.done:
            walked.append(obj)  # looked into (what is swapped or done is not)
        return rebuild(self, obj)

    monkeypatch.setattr(model.Rebuild, "__call__", spy)
    published = publish(city, preview=False)
    assert (not any(obj is village or obj is village.finance for obj in walked)) is plain
    if plain:  # the very objects kept, none copied
        mine = {id(v) for v in village.vouchers} | {id(i) for i in village.items}
        assert {id(v) for v in published.villages[0].vouchers} | {id(i) for i in published.villages[0].items} <= mine
    monkeypatch.setattr(review, "_plain", lambda *args: False)  # every village copied through attach, as before
    assert repr(published) == repr(publish(city, preview=False))
