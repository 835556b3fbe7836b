"""Payment warnings (oversight.py): each rule with cases that must warn and cases that must not."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from decimal import Decimal

import pytest

from sitegen.build.pipeline import build
from sitegen.content.errors import Report
from sitegen.content.load import load
from sitegen.content.model import Cadre, Relative, Village
from sitegen.oversight import questions, refcode
from sitegen.oversight.attach import attached, village_key
from sitegen.oversight.supervise import RULES, Oversight, _People, match, oversee
from sitegen.validate.city import validate
from tests.checked import check
from tests.conftest import REPO, model_reached
from tests.oversightkit import FULL_TRAIL, Pay, Receipt, content, journal


def warnings_of(root, village="cs"):
    city, report = check(root)
    assert not report.errors, "\n".join(p.format() for p in report.errors)
    v = next(v for v in city.villages if v.slug == village)
    return [(w.voucher.label, w.rule, w.message) for w in v.warnings], report


def rules(found, label=None):
    return sorted({r for lab, r, _ in found if label is None or lab == label})


@pytest.fixture
def root(tmp_path):
    return content(tmp_path)


# ---- large payment ------------------------------------------------------------------------------------------


def test_over_50000_warns_exactly_50000_does_not(root):
    journal(
        root,
        "cs",
        [
            Pay("2026-09-02", "50000.00", "甲公司"),
            Pay("2026-09-03", "50000.01", "乙公司"),
            Receipt("2026-09-04", "90000.00", "丙公司"),
        ],
    )
    found, _ = warnings_of(root)
    assert rules(found, "记-1") == [] and rules(found, "记-3") == []
    assert rules(found, "记-2") == ["large-payment"]
    assert "50,000.01" in found[0][2]


def test_threshold_comes_from_site_yaml(root):
    site = root / "site.yaml"
    site.write_text(
        site.read_text(encoding="utf-8").replace('large_payment: "50000"', 'large_payment: "1000"'), encoding="utf-8"
    )
    journal(root, "cs", [Pay("2026-09-02", "1000.01", "甲公司")])
    found, _ = warnings_of(root)
    assert rules(found) == ["large-payment"]


# ---- same day, split ----------------------------------------------------------------------------------------


def test_same_payee_twice_on_one_day_warns_on_two_days_does_not(root):
    journal(
        root,
        "cs",
        [
            Pay("2026-09-03", "800.00", "文具店"),
            Pay("2026-09-03", "300.00", "文具店"),
            Pay("2026-09-10", "500.00", "五金店"),
            Pay("2026-09-11", "500.00", "五金店"),
            Pay("2026-09-03", "100.00", "别的店"),
        ],
    )
    found, _ = warnings_of(root)
    assert rules(found, "记-1") == rules(found, "记-2") == ["same-day"]
    assert all(r != "same-day" for lab, r, _ in found if lab in ("记-3", "记-4", "记-5"))
    assert "2 次" in found[0][2] and "文具店" in found[0][2]


def test_same_day_matches_on_normalised_name(root):
    journal(root, "cs", [Pay("2026-09-03", "800.00", "ＡＢＣ文具店"), Pay("2026-09-03", "300.00", "ABC 文具店")])
    found, _ = warnings_of(root)
    assert rules(found) == ["same-day"]


def test_split_payments_within_the_window_warn(root):
    journal(
        root,
        "cs",
        [
            Pay("2026-08-03", "18600.00", "绿化公司"),
            Pay("2026-08-05", "19800.00", "绿化公司"),
            Pay("2026-08-09", "16500.00", "绿化公司"),
        ],
    )
    found, _ = warnings_of(root)
    assert [r for _, r, _ in found] == ["split-payment"] * 3
    assert "54,900.00" in found[0][2]


def test_split_needs_the_window_and_the_total(root):
    journal(
        root,
        "cs",
        [
            Pay("2026-08-01", "30000.00", "绿化公司"),
            Pay("2026-08-08", "30000.00", "绿化公司"),  # 7 days apart
            Pay("2026-08-20", "20000.00", "另一家"),
            Pay("2026-08-21", "30000.00", "另一家"),  # exactly 50,000
            Pay("2026-08-25", "60000.00", "第三家"),
            Pay("2026-08-26", "1000.00", "第三家"),
        ],
    )  # one is large
    found, _ = warnings_of(root)
    assert "split-payment" not in rules(found)
    assert rules(found) == ["large-payment"]


def test_split_groups_by_id_when_names_differ(root):
    journal(
        root,
        "cs",
        [
            Pay("2026-08-01", "30000.00", "某某建筑", "91320281MA1AAAAA1X"),
            Pay("2026-08-02", "30000.00", "某某建筑有限公司", "91320281MA1AAAAA1X"),
        ],
    )
    found, _ = warnings_of(root)
    assert rules(found) == ["split-payment"]


# ---- registries ---------------------------------------------------------------------------------------------


def test_bad_enterprise_by_name_variants_and_by_code(root):
    journal(
        root,
        "cs",
        [
            Pay("2026-09-01", "100.00", "江阴市坏事建材有限公司"),
            Pay("2026-09-02", "100.00", "江阴市 坏事建材有限公司　"),  # spaces, full-width space
            Pay("2026-09-04", "100.00", "坏事建材（江阴）", "91320281ma1w7q3k2p"),  # other name, same code
            Pay("2026-09-05", "100.00", "江阴市坏事建材有限责任公司"),  # a near miss
            Pay("2026-09-06", "100.00", "江阴市坏事建材有限公司", "91320281MA1ZZZZZ9Z"),
        ],
    )  # namesake
    found, _ = warnings_of(root)
    assert rules(found, "记-1") == rules(found, "记-2") == rules(found, "记-3") == ["bad-enterprise"]
    assert rules(found, "记-4") == [] and rules(found, "记-5") == []
    assert "名称" in found[0][2] and "统一社会信用代码 91320281MA1W7Q3K2P 一致" in found[2][2]
    assert "2026-03-01 列入" in found[0][2]


def test_payment_before_listing_does_not_warn(root):
    journal(root, "cs", [Pay("2026-02-28", "100.00", "江阴市坏事建材有限公司")])
    found, _ = warnings_of(root)
    assert found == []


def test_dishonest_person_by_id_and_namesake_with_other_id(root):
    journal(
        root,
        "cs",
        [
            Pay("2026-09-01", "200.00", "赵失信", "320281198001011238"),
            Pay("2026-09-02", "200.00", "孙同名", "320281199901019999"),  # same name, another person
            Pay("2026-09-03", "200.00", "孙同名"),
        ],
    )  # no ID: the name decides
    found, _ = warnings_of(root)
    assert rules(found, "记-1") == ["dishonest"] and "身份证号 320281198001011238 一致" in found[0][2]
    assert rules(found, "记-2") == []
    assert rules(found, "记-3") == ["dishonest"] and "没有证件号" in found[-1][2]


# ---- cadres and relatives -----------------------------------------------------------------------------------


def test_cadre_and_relatives_of_this_village_warn(root):
    journal(
        root,
        "cs",
        [
            Pay("2026-09-01", "300.00", "徐书记"),
            Pay("2026-09-02", "300.00", "老徐", "320281197801012222"),
            Pay("2026-09-03", "300.00", "王配偶"),
            Pay("2026-09-04", "300.00", "徐书计"),
        ],
    )  # near miss
    found, _ = warnings_of(root)
    assert rules(found, "记-1") == rules(found, "记-2") == rules(found, "记-3") == ["cadre"]
    assert rules(found, "记-4") == []
    messages = {lab: m for lab, _, m in found}
    assert "党委书记" in messages["记-1"]
    assert "徐书记的兄弟" in messages["记-2"] and "身份证号" in messages["记-2"]
    assert "王配偶" in messages["记-3"] and "配偶" in messages["记-3"]


def test_a_payee_is_looked_up_among_cadres_as_match_compares_them_one_by_one():
    """_People.first finds, by ID and name, whom comparing the payee with each cadre and each of their relatives in
    turn (match) finds first: IDs decide when both sides have one, else names (spaces, full width), on random
    villages whose people share names and IDs, with and without them."""
    rng = random.Random(67)
    names = ["徐书记", "徐 书记", "老徐", "王配偶", "", "ＡＢ", "AB"]
    ids = ["", "", "320281197801012222", "3202 8119 7801 0122 22", "320281198201013333", "91320281MA1"]

    def person(kind):
        return kind(rng.choice(names), id=rng.choice(ids))

    def one_by_one(cadres, name, pid):
        for cadre in cadres:
            if match(name, pid, cadre.name, cadre.id):
                return cadre, None
            for relative in cadre.relatives:
                if match(name, pid, relative.name, relative.id):
                    return cadre, relative
        return None

    found = 0
    for _ in range(300):
        cadres = [
            replace(person(Cadre), relatives=tuple(person(Relative) for _ in range(rng.randrange(3))))
            for _ in range(rng.randrange(4))
        ]
        people = _People(cadres)
        for _ in range(5):
            name, pid = rng.choice(names), rng.choice(ids)
            expected = one_by_one(cadres, name, pid)
            got = people.first(name, pid)
            assert got == expected and (got is None or got[0] is expected[0]), (cadres, name, pid)
            found += expected is not None
    assert found > 300


def test_relative_of_a_cadre_of_another_village_does_not_warn(root):
    journal(
        root, "cs", [Pay("2026-09-01", "300.00", "陆亲戚", "320281198201013333"), Pay("2026-09-02", "300.00", "陆书记")]
    )
    journal(root, "jt", [Pay("2026-09-01", "300.00", "陆亲戚", "320281198201013333")])
    found, _ = warnings_of(root, "cs")
    assert found == []
    found, _ = warnings_of(root, "jt")
    assert rules(found) == ["cadre"] and "陆书记的兄弟" in found[0][2]


# ---- deceased 低保 recipients -------------------------------------------------------------------------------


def test_payment_to_a_recipient_after_death_warns(root):
    journal(
        root,
        "cs",
        [
            Pay("2026-08-20", "600.00", "钱已故", "320281194001011116"),  # on the day of death
            Pay("2026-09-15", "600.00", "钱已故", "320281194001011116"),  # after
            Pay("2026-09-15", "600.00", "李路人"),  # dead, but not a recipient
            Pay("2026-09-16", "600.00", "周健在"),
        ],
    )  # a recipient, alive
    city, report = check(root)
    assert not report.errors
    found = [(w.voucher.month, w.voucher.label, w.rule) for w in city.villages[0].warnings]
    assert found == [("2026-09", "记-1", "deceased-recipient")]
    assert "2026-08-20" in city.villages[0].warnings[0].message


# ---- approval trail -----------------------------------------------------------------------------------------


def test_missing_trail_steps_warn_cash_needs_no_online_review(root):
    no_witness = dict(FULL_TRAIL, witness="")
    paper_only = {k: v for k, v in FULL_TRAIL.items() if k in ("handler", "witness", "approver")}
    journal(
        root,
        "cs",
        [
            Pay("2026-09-01", "100.00", "甲"),
            Pay("2026-09-02", "100.00", "乙", trail=no_witness),
            Pay("2026-09-03", "100.00", "丙", trail=paper_only),
            Pay("2026-09-04", "100.00", "丁", cash=True, trail=paper_only),
        ],
    )
    found, _ = warnings_of(root)
    assert rules(found, "记-1") == [] and rules(found, "记-4") == []
    messages = {lab: m for lab, _, m in found}
    assert set(messages) == {"记-2", "记-3"}
    assert "证明人" in messages["记-2"] and "村监委主任" not in messages["记-2"]
    assert "村监委主任线上审核" in messages["记-3"] and "镇农经站线上审核" in messages["记-3"]


def test_trail_date_must_be_a_date(root):
    journal(root, "cs", [Pay("2026-09-01", "100.00", "甲")])
    path = root / "xg/cs/journal/2026-09.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("丁监委,2026-09-01", "丁监委,九月一日"), encoding="utf-8")
    city, report = check(root)
    (err,) = report.errors
    assert err.code == "bad-date" and err.where.line == 2 and err.where.column == "监委审核日期"


# ---- acknowledgements ---------------------------------------------------------------------------------------


def test_acknowledgement_is_attached_and_published(root, tmp_path):
    journal(root, "cs", [Pay("2026-09-03", "60000.00", "工程公司")])
    (root / "xg/cs/acknowledgements.yaml").write_text(
        "- voucher: 2026-09 记-1\n  rule: 大额支付\n  by: 夏港街道农经站\n  date: 2026-09-05\n"
        "  explanation: 按合同支付工程款，已经村民代表会议决议。\n",
        encoding="utf-8",
    )
    city, report = check(root)
    assert not report.errors
    (w,) = city.villages[0].warnings
    assert w.acknowledgement.by == "夏港街道农经站" and "村民代表会议" in w.acknowledgement.explanation
    build(root, tmp_path / "out", themes=("mobile",))
    page = (tmp_path / "out/mobile/xg/cs/finance/vouchers/2026-09-001.html").read_text(encoding="utf-8")
    assert "单笔大额支付" in page and "按合同支付工程款" in page and "夏港街道农经站" in page
    ledger = (tmp_path / "out/mobile/xg/cs/finance/ledger-2026.html").read_text(encoding="utf-8")
    assert "预警：单笔大额支付（镇里已说明）" in re.sub(r"<[^>]+>", "", ledger)  # the words, whatever their markup
    listing = (tmp_path / "out/mobile/xg/cs/warnings.html").read_text(encoding="utf-8")
    assert "vouchers/2026-09-001.html" in listing and "按合同支付工程款" in listing
    home = (tmp_path / "out/mobile/xg/cs/index.html").read_text(encoding="utf-8")
    board = (tmp_path / "out/mobile/xg/cs/finance/index.html").read_text(encoding="utf-8")
    assert 'href="warnings.html"' in home and 'href="../warnings.html"' in board


def test_bad_acknowledgements_are_reported(root):
    journal(root, "cs", [Pay("2026-09-03", "60000.00", "工程公司")])
    (root / "xg/cs/acknowledgements.yaml").write_text(
        "- {voucher: 2026-09 记-7, rule: 大额支付, explanation: x}\n"
        "- {voucher: 2026-09 记-1, rule: 大额付款吧, explanation: x}\n"
        "- {voucher: 2026-09 记-1, rule: 拆分支付, explanation: x}\n",
        encoding="utf-8",
    )
    _, report = check(root)
    assert sorted(p.code for p in report.errors) == ["ack-rule", "ack-voucher"]
    assert [p.code for p in report.warnings if p.code.startswith("ack")] == ["ack-unused"]
    assert all(
        p.where.path.endswith("xg/cs/acknowledgements.yaml") for p in report.problems if p.code.startswith("ack")
    )


# ---- config, privacy, the sample ----------------------------------------------------------------------------


def test_oversight_keys_are_checked_strictly(root):
    site = root / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "  split_dayz: 3\n", encoding="utf-8")
    _, report = check(root)
    assert [p.code for p in report.errors] == ["unknown-key"] and "split_days" in report.errors[0].zh


def test_ids_in_warnings_are_masked_on_pages(root, tmp_path):
    journal(root, "cs", [Pay("2026-09-02", "300.00", "老徐", "320281197801012222")])
    build(root, tmp_path / "out", themes=("tv",))
    page = (tmp_path / "out/tv/xg/cs/finance/vouchers/2026-09-001.html").read_text(encoding="utf-8")
    assert "3202**********2222" in page and "320281197801012222" not in page


def test_sample_triggers_every_rule():
    city, report = check(REPO / "content")
    assert not report.errors
    found = {w.rule for v in city.villages for w in v.warnings}
    assert found == set(RULES)
    assert any(w.acknowledgement for v in city.villages for w in v.warnings)


# ---- a warning naming a payment of a month waiting for review (review.publish) ------------------------------


@pytest.mark.parametrize("september, shown", [("已通过", True), ("待审核", False)])
def test_a_split_over_a_month_waiting_for_review_waits_with_it(root, tmp_path, september, shown):
    """Payments split over the end of August: while September waits for review (待审核), the August payment's
    warning, which names the September one and the sum, is not published; once approved it is."""
    journal(root, "cs", [Pay("2026-08-30", "30000.00", "绿化公司"), Pay("2026-09-02", "29000.00", "绿化公司")])
    reviews = root / "xg/cs/reviews.yaml"
    reviews.write_text(
        reviews.read_text(encoding="utf-8").replace("2026-10-09, status: 已通过", f"2026-10-09, status: {september}"),
        encoding="utf-8",
    )
    found, _ = warnings_of(root)
    assert rules(found, "记-1") == ["split-payment"] and "29,000.00" in found[0][2]
    build(root, tmp_path / "out")
    for theme in ("tv", "mobile"):
        village = tmp_path / "out" / theme / "xg/cs"
        for page in (
            village / "warnings.html",
            village / "finance/vouchers/2026-08-001.html",
            village / "finance/ledger-2026.html",
        ):
            html = page.read_text(encoding="utf-8")
            assert ("29,000.00" in html) is shown and ("59,000.00" in html) is shown, page
            if page.name != "warnings.html":  # whose introduction names every rule
                assert (RULES["split-payment"][0] in html) is shown, page


# ---- attach copies only what changes (attach.attached, h33) -------------------------------------------------


def _reattached(city, questions):
    """`city` attached again with its own warnings, its villages' questions and `questions` for the city's."""
    mine: dict[str, list] = {}
    for q in questions:
        if q.village:
            mine.setdefault(village_key(q.town, q.village), []).append(q)
    return attached(
        city,
        lambda thing: thing.draft,
        {village_key(v.town_slug, v.slug): v.warnings for v in city.villages},
        mine,
        questions,
    )


@pytest.fixture(scope="module")
def supervised():
    city, report = check(REPO / "content")
    assert city is not None and not report.errors
    return city


def test_attaching_what_a_city_carries_already_shares_every_village(supervised):
    again = _reattached(supervised, supervised.questions)
    assert all(a is b for a, b in zip(again.villages, supervised.villages, strict=True))


def test_a_new_question_copies_its_voucher_and_what_names_it_only(supervised):
    """A question about a voucher another payment's warning names (same day, split): that voucher and the one
    whose warning names it are copied, their warnings pointing at the copies; every other village is shared."""
    village, warning = next((v, w) for v in supervised.villages for w in v.warnings if w.others)
    target = warning.others[0]
    asked = replace(supervised.questions[0], target=target, town=village.town_slug, village=village.slug, ticket="X-1")
    again = _reattached(supervised, [*supervised.questions, asked])
    for old, new in zip(supervised.villages, again.villages, strict=True):
        assert (new is old) == (old is not village)
    new_village = next(v for v in again.villages if v.slug == village.slug and v.town_slug == village.town_slug)
    by_key = {v.key: v for v in new_village.vouchers}
    copied = {v.key for v, old in zip(new_village.vouchers, village.vouchers) if v is not old}
    assert {target.key, warning.voucher.key} <= copied
    assert [q.ticket for q in by_key[target.key].questions][-1] == "X-1"
    for voucher in new_village.vouchers:  # every warning names the vouchers of the new village, none of the old
        for w in voucher.warnings:
            assert w.voucher is voucher and all(by_key[o.key] is o for o in w.others)
            assert any(w is x for x in new_village.warnings)


def test_a_code_refcode_makes_is_its_own_canonical_form(supervised):
    """questions.targets files every code without its dashes (questions.own): what canonical() makes of it."""
    codes = refcode.assign(supervised)
    assert codes and all(questions.own(c) == questions.canonical(c) for c in codes.values())
    assert questions.canonical("v-7k3q-9tx2") == questions.own("V-7K3Q-9TX2")


# ---- a village at a time (issue 14: memory) ------------------------------------------------------------------


def _bad_acknowledgements(root):
    journal(root, "cs", [Pay("2026-09-03", "60000.00", "工程公司")])
    journal(root, "jt", [Pay("2026-09-04", "70000.00", "工程公司")])
    for village in ("cs", "jt"):
        (root / f"xg/{village}/acknowledgements.yaml").write_text(
            "- {voucher: 2026-09 记-7, rule: 大额支付, explanation: x}\n", encoding="utf-8"
        )
    town = root / "xg/town.yaml"
    town.write_text(town.read_text(encoding="utf-8") + "review_departments: [x]\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("made", [lambda root: REPO / "content", _bad_acknowledgements])
def test_a_city_is_overseen_a_village_at_a_time(root, made):
    """Oversight goes through each village in its turn from that village alone (Oversight.village: its warnings,
    acknowledgements, basis checks and reviews, with only its town's settings), and `finish` reports every problem
    from the villages' names alone, in a whole run's order: the same problems in the same order, and the same
    warnings, as oversee of the whole city; so a village can be dropped once gone through (streaming validation)."""
    content_root = made(root)
    loaded = Report()
    raw = replace(load(content_root, loaded), feedback=[])  # (the hotline's targets are the whole city's: oversee)
    city = validate(raw, loaded)
    assert city is not None
    whole = Report()
    expected = oversee(raw, city, whole)
    streamed = Report()
    run = Oversight(raw, replace(city, towns=[]), streamed)
    warnings = {}
    for town in city.towns:
        for village in town.villages:
            warnings[f"{town.slug}/{village.slug}"] = run.village(village, replace(town, villages=[])).warnings
            assert model_reached(run) == []  # nothing of it held: its warnings name its vouchers
    names = replace(
        city,
        towns=[
            replace(t, villages=[Village(v.slug, v.name, v.town_slug, "", Decimal(0)) for v in t.villages])
            for t in city.towns
        ],
    )
    found = run.finish(names)
    assert [p.format() for p in streamed.problems] == [p.format() for p in whole.problems]
    assert len({p.code for p in whole.problems}) >= 2
    assert {k: [w.message for w in ws] for k, ws in warnings.items()} == {
        k: [w.message for w in ws] for k, ws in expected.warnings.items()
    }
    assert any(expected.warnings.values())
    assert list(found.made) == list(expected.made) and found.key == expected.key
    assert model_reached(found) == [] and found.warnings == {}
