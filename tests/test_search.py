"""Search (search.py, themes/common/static/search.js): the build-time index and the search page, TV and phone.

The content is the mini fixture with a journal written for searching: payments to 张永刚 and 曾国藩, a payout list
(临时救助) naming both, a payment of 5万, and a voucher whose summary and payee carry a phone and an ID number (which
must be masked everywhere, search included). The browser tests use key presses only (remote codes, digits).
"""

from __future__ import annotations

import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image as PILImage

from sitegen.build.pipeline import build
from sitegen.content.errors import OutputError
from sitegen.site import search
from tests import browser as B
from tests.conftest import FIXTURES, REPO, add_second_village
from tests.test_tv_js import FORBIDDEN, _parse, es5_violations

SEARCH_JS = REPO / "themes" / "common" / "static" / "search.js"
PHONE = "13812345678"
ID = "320281195803121234"
JOURNAL = f"""日期,凭证字号,摘要,科目编码,科目名称,借方金额,贷方金额,往来单位,附件张数
2026-08-03,记-1,收到土地发包款,102,银行存款,12000.00,,,0
2026-08-03,记-1,收到土地发包款,501,经营收入,,12000.00,种粮大户李四,0
2026-08-10,记-2,付保洁费,513,管理费用,1200.00,,张永刚,0
2026-08-10,记-2,付保洁费,101,库存现金,,1200.00,张永刚,0
2026-08-20,记-3,退还押金 联系电话{PHONE},513,管理费用,300.00,,赵六{ID},0
2026-08-20,记-3,退还押金 联系电话{PHONE},102,银行存款,,300.00,赵六{ID},0
2026-09-05,记-1,发放临时救助金,513,管理费用,1500.00,,曾国藩,0
2026-09-05,记-1,发放临时救助金,102,银行存款,,1500.00,曾国藩,0
2026-09-12,记-2,道路修缮工程款,513,管理费用,50000.00,,江阴市路桥公司,0
2026-09-12,记-2,道路修缮工程款,102,银行存款,,50000.00,江阴市路桥公司,0
"""
PAYOUTS = """名单,姓名,村民小组,家庭人口,金额,期间,凭证,身份证号,手机号
临时救助金,张永刚,1组,3,800.00,2026年9月,2026-09 记-1,320281195001011234,13912345678
临时救助金,曾国藩,2组,2,700.00,2026年9月,2026-09 记-1,320281196002021234,13812340000
"""


def make_content(root: Path) -> Path:
    shutil.copytree(FIXTURES / "mini", root)
    village = root / "xg" / "cs"
    (village / "journal" / "2026-09.csv").unlink()
    (village / "journal" / "2026-08.csv").write_text(JOURNAL.split("2026-09-05")[0], encoding="utf-8")
    head = JOURNAL.splitlines()[0]
    (village / "journal" / "2026-09.csv").write_text(
        head + "\n" + "\n".join(ln for ln in JOURNAL.splitlines() if ln.startswith("2026-09")) + "\n", encoding="utf-8"
    )
    shutil.rmtree(village / "scans")
    for month, count in (("2026-08", 3), ("2026-09", 2)):  # one scan a voucher
        for n in range(1, count + 1):
            folder = village / "scans" / month / str(n)
            folder.mkdir(parents=True)
            PILImage.new("L", (40, 56), 230).save(folder / "1.jpg", "JPEG")
    (village / "finance" / "tables").mkdir(parents=True, exist_ok=True)
    (village / "finance" / "tables" / "补助.csv").write_text(PAYOUTS, encoding="utf-8")
    reviews = village / "reviews.yaml"
    reviews.write_text(
        reviews.read_text(encoding="utf-8")
        + "2026-08: {department: 夏港街道农经站, reviewer: 张永刚, date: 2026-09-09, status: 已通过}\n",
        encoding="utf-8",
    )
    return root


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = make_content(tmp_path_factory.mktemp("search") / "content")
    out = root.parent / "out"
    build(root, out)
    return out


def index_of(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("window.SEARCH_INDEX=") and text.endswith(";\n")
    return json.loads(text[len("window.SEARCH_INDEX=") : -2])


# ---- the index ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("张永刚", "ZYG"),
        ("保洁", "BJ"),
        ("付保洁费", "FBJF"),
        ("重庆银行", "CQYH"),
        ("2026年9月", "2026N9Y"),
        ("村规民约<b>修订</b>", "CGMYBXDB"),
        ("ABC公司", "ABCGS"),
        ("", ""),
        ("——", ""),
    ],
)
def test_initials(text, expected):
    assert search.initials(text) == expected


@pytest.mark.parametrize(
    "name, expected",
    [
        ("张永刚", ["ZYG"]),
        ("曾国藩", ["CGF", "ZGF"]),
        ("单雄信", ["DXX", "SXX", "CXX"]),
        ("ABC公司", ["ABCGS"]),
        ("", []),
    ],
)
def test_a_surname_is_found_by_every_reading(name, expected):
    assert sorted(search.name_initials(name)) == sorted(expected)


def test_village_index_has_payments_people_notices_and_the_town_and_city(site):
    idx = index_of(site / "tv/xg/cs/search-index.js")
    rows = idx["r"]
    titles = [r[6] for r in rows]
    assert {"付保洁费", "发放临时救助金", "道路修缮工程款", "收到土地发包款"} <= set(titles)
    pay = next(r for r in rows if r[6] == "付保洁费")
    assert pay[0] == search.PAYMENT and pay[2] == 2 and idx["months"][pay[3]] == "2026-08" and pay[8] == "ZYG"
    assert pay[5] == "finance/vouchers/2026-08-002.html" and pay[11] == "1200.00" and re.fullmatch(r"V\w{8}", pay[10])
    people = [r for r in rows if r[0] == search.PERSON]
    assert sorted(r[6] for r in people) == ["张永刚", "曾国藩"]
    assert all(r[5] == "finance/lists/" + r[5].split("/")[-1] for r in people)
    assert "ZGF" in next(r for r in people if r[6] == "曾国藩")[8].split("|")
    scopes = [r[4] for r in rows]
    assert scopes == sorted(scopes) and {0, 1, 2} <= set(scopes)  # the village first, then its town, the city
    town_rule = next(r for r in rows if r[4] == search.TOWN)
    assert town_rule[5].startswith("../")  # relative to the village's search page
    for r in rows:  # every path leads to a page that exists
        assert (site / "tv/xg/cs" / r[5]).resolve().is_file(), r[5]
    assert "zhang" in idx["py"] and "张" in idx["py"]


def test_town_and_city_have_their_own_index(site):
    city = index_of(site / "tv/search-index.js")
    town = index_of(site / "tv/xg/search-index.js")
    assert city["r"] and all(r[4] == search.CITY for r in city["r"])
    assert {r[4] for r in town["r"]} == {search.TOWN, search.CITY}
    assert not any(r[0] == search.PAYMENT for r in town["r"] + city["r"])


def test_no_unmasked_id_phone_or_card_in_any_index(site):
    for path in site.rglob("search-index.js"):
        text = path.read_text(encoding="utf-8")
        assert PHONE not in text and ID not in text and "13912345678" not in text, path
        assert "320281195001011234" not in text
    text = (site / "tv/xg/cs/search-index.js").read_text(encoding="utf-8")
    assert "138****5678" in text and "3202**********1234" in text  # shown masked, as on the pages


def test_an_unmasked_number_stops_the_index():
    entry = search.Entry(search.PAYMENT, 2, 2, "2026-08", 0, "a.html", f"押金 {PHONE}", "")
    with pytest.raises(OutputError):
        search.script([entry], lambda p: p, ["本村", "本镇", "全市"])
    masked = search.script(
        [search.Entry(search.PAYMENT, 2, 2, "2026-08", 0, "a.html", "押金", "1,200.00 元", amount=None)],
        lambda p: p,
        ["本村", "本镇", "全市"],
    )
    assert masked.startswith(b"window.SEARCH_INDEX=")


def test_amounts_are_written_as_plain_yuan():
    data = search.script(
        [search.Entry(search.PAYMENT, 2, 2, "2026-08", 0, "a.html", "付款", "", amount=Decimal("1.2E+4"))],
        lambda p: p,
        ["本村"],
    ).decode("utf-8")
    assert '"12000.00"' in data and "E+" not in data


def test_each_rows_initials_are_its_own_when_texts_repeat():
    """script takes each title's and name's initials once (remembered within the script): every row still has
    its own names' initials, in order, a name without any (no Han character, letter or digit) left out."""
    names = [("曾国藩", "张永刚"), ("张永刚",), ("——", "曾国藩"), (), ("单", "——")]
    titles = ["付保洁员工资", "收到上级补助", "付保洁员工资", "重庆", "付保洁员工资"]
    entries = [
        search.Entry(search.PAYMENT, 2, 2, "2026-08", 0, f"{n}.html", t, "", names=ns)
        for n, (t, ns) in enumerate(zip(titles, names, strict=True))
    ]
    data = search.script(entries, lambda p: p, ["本村"]).decode("utf-8")
    rows = json.loads(data.removeprefix("window.SEARCH_INDEX=").removesuffix(";\n"))["r"]
    by_path = {row[5]: row for row in rows}
    for n, (title, ns) in enumerate(zip(titles, names, strict=True)):
        row = by_path[f"{n}.html"]
        assert row[8] == "|".join(i for name in ns for i in search.name_initials(name))
        assert row[9] == search.initials(title)
    assert by_path["0.html"][8] == "CGF|ZGF|ZYG" and by_path["2.html"][8] == "CGF|ZGF" and by_path["3.html"][9] == "CQ"


def test_the_index_is_es5_and_safe_to_parse(site):
    for path in [site / "tv/xg/cs/search-index.js", site / "tv/search-index.js"]:
        text = path.read_text(encoding="utf-8")
        assert es5_violations(_parse(text)) == []
    # U+2028 is a line end to ES5: inside a string it must be escaped
    data = search.script([search.Entry(search.NOTICE, 0, 0, "", 0, "a.html", "甲\u2028乙", "")], lambda p: p, ["a"])
    assert "\u2028" not in data.decode("utf-8")
    _parse(data.decode("utf-8"))


def test_search_js_is_es5():
    src = SEARCH_JS.read_text(encoding="utf-8")
    assert es5_violations(_parse(src)) == []
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", src, flags=re.S)
    assert [f for f in FORBIDDEN if f in code] == []


def test_the_index_is_deterministic(site, tmp_path):
    again = tmp_path / "again"
    build(make_content(tmp_path / "content"), again)
    for rel in [
        "tv/xg/cs/search-index.js",
        "tv/xg/search-index.js",
        "tv/search-index.js",
        "mobile/xg/cs/search-index.js",
    ]:
        assert (again / rel).read_bytes() == (site / rel).read_bytes(), rel


def test_drafts_are_never_indexed_even_in_preview(tmp_path):
    root = make_content(tmp_path / "content")
    # (a payout list paid by a voucher of a waiting month links to a voucher page that is not made: finance pages'
    # business, not the index's; the list is left out here)
    (root / "xg" / "cs" / "finance" / "tables" / "补助.csv").unlink()
    reviews = root / "xg" / "cs" / "reviews.yaml"
    reviews.write_text(
        reviews.read_text(encoding="utf-8").replace(
            "2026-09: {department: 夏港街道农经站, reviewer: 张永刚, date: 2026-10-09, status: 已通过}",
            "2026-09: {department: 夏港街道农经站, status: 待审核}",
        ),
        encoding="utf-8",
    )
    meeting = root / "xg" / "cs" / "party" / "meeting.md"
    text = meeting.read_text(encoding="utf-8")
    meeting.write_text(text.replace("status: 已通过", "status: 待审核", 1), encoding="utf-8")
    for preview in (False, True):
        out = tmp_path / f"out-{preview}"
        build(root, out, themes=("tv",), preview=preview)
        titles = [r[6] for r in index_of(out / "tv/xg/cs/search-index.js")["r"]]
        assert "付保洁费" in titles  # August is approved
        assert "发放临时救助金" not in titles and "道路修缮工程款" not in titles, preview  # September waits
        assert not any(r[0] == search.PERSON for r in index_of(out / "tv/xg/cs/search-index.js")["r"])
        assert "第三季度党员大会" not in titles, preview
    assert (tmp_path / "out-True/tv/xg/cs/finance/vouchers/2026-09-001.html").is_file()  # in preview, as a draft


def test_search_tile_is_last_on_every_home_and_the_page_says_what_to_do_without_script(site):
    home = (site / "tv/xg/cs/index.html").read_text(encoding="utf-8")
    tiles = re.findall(r'<a class="tile" href="([^"]+)"(?: data-digit="(\d)")?', home)
    assert tiles[-1] == ("search.html", "9")
    assert tiles[3][0].startswith("finance/ledger-")  # 收支流水 still fourth: the press budget holds
    for page_path in ["tv/xg/index.html", "tv/index.html", "mobile/xg/cs/index.html"]:
        first_grid = (site / page_path).read_text(encoding="utf-8").split('<nav class="tiles">')[1].split("</nav>")[0]
        assert re.findall(r'<a class="tile" href="([^"]+)"', first_grid)[-1] == "search.html", page_path
    page_html = (site / "tv/xg/cs/search.html").read_text(encoding="utf-8")
    assert "没有运行搜索所需的脚本" in page_html
    assert 'href="party/index.html"' in page_html and 'href="finance/ledger-2026.html#v-2026-09-001"' in page_html
    assert '<script src="search-index.js"></script>' in page_html
    assert "search-index.js" not in home  # loaded by the search page only


# ---- in Chromium, by key presses ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(site):
    with B.serve(site / "tv") as url:
        yield url


def open_search(page, url):
    page.goto(url + "xg/cs/index.html")
    B.ready(page)
    B.navigate(page, "9")  # the search tile's digit
    assert page.url == url + "xg/cs/search.html"
    page.wait_for_function("window.SEARCH && document.querySelector('.focused')")


def results(page):
    return page.evaluate(
        "() => Array.prototype.map.call(document.querySelectorAll('#search-results a'),"
        " function (a) { return a.getAttribute('href'); })"
    )


def query(page):
    return page.evaluate("() => document.getElementById('search-q').textContent")


def test_t9_digits_find_a_payee_and_ok_opens_it_and_back_keeps_the_query(page, served):
    open_search(page, served)
    for key in "994":  # Z Y G
        B.press(page, key)
    assert query(page) == "994"
    assert results(page)[0] in ("finance/vouchers/2026-08-002.html", "finance/lists/" + results(page)[0].split("/")[-1])
    assert "finance/vouchers/2026-08-002.html" in results(page)[:2]
    first = results(page)[0]
    assert B.focused_href(page) == first  # a digit puts the focus on the best match
    B.assert_focus_visible(page)
    B.navigate(page, "Enter")
    assert page.url == served + "xg/cs/" + first
    B.navigate(page, 10009)  # Back on a Samsung remote
    assert page.url == served + "xg/cs/search.html"
    page.wait_for_function("document.getElementById('search-q').textContent === '994'")
    assert B.focused_href(page) == first


def test_letters_from_the_grid_by_arrows_and_ok(page, served):
    open_search(page, served)
    assert B.focused(page)["html"].startswith('<button type="button" class="key focused" data-key="A"')

    def to(letter):
        key = ord(letter) - ord("A")
        row, col = divmod(key, 8)
        here = page.evaluate("() => document.activeElement.getAttribute('data-key')")
        hr, hc = divmod(ord(here) - ord("A"), 8)
        for _ in range(abs(row - hr)):
            B.press(page, 40 if row > hr else 38)
        for _ in range(abs(col - hc)):
            B.press(page, 39 if col > hc else 37)
        assert page.evaluate("() => document.activeElement.getAttribute('data-key')") == letter
        B.press(page, 13)

    for letter in "BJ":
        to(letter)
    assert query(page) == "BJ"
    assert results(page)[0] == "finance/vouchers/2026-08-002.html"  # 付保洁费: FBJF
    # 退格 removes the last letter
    B.press_until(page, 40, lambda f: 'data-key="Z"' in f.get("html", ""))  # J, R, Z
    B.press(page, 39)
    assert 'data-key="del"' in B.focused(page)["html"]
    B.press(page, 13)
    assert query(page) == "B"


def test_an_amount_by_digits_and_five_wan(page, served):
    open_search(page, served)
    for key in "50000":
        B.press(page, key)
    assert results(page)[0] == "finance/vouchers/2026-09-002.html"
    page.goto(served + "xg/cs/search.html")
    page.wait_for_function("window.SEARCH")
    B.press(page, "5")  # 5 = 5万
    assert "finance/vouchers/2026-09-002.html" in results(page)[:3]


def test_filters_by_ok_presses(page, served):
    open_search(page, served)
    everything = results(page)
    B.press(page, 38)  # from the grid's A up to the filters: 板块
    assert B.focused(page)["id"] == "f-board"
    B.press(page, 39)
    B.press(page, 39)
    assert B.focused(page)["id"] == "f-flow"
    B.press(page, 13)  # 收支：收入
    assert page.evaluate("() => document.getElementById('f-flow').textContent") == "收支：收入"
    assert results(page) == ["finance/vouchers/2026-08-001.html"]
    B.press(page, 13)  # 支出
    spent = results(page)
    assert "finance/vouchers/2026-08-001.html" not in spent and "finance/vouchers/2026-08-002.html" in spent
    B.press(page, 37)  # to 月份
    B.press(page, 13)  # the latest month first
    assert page.evaluate("() => document.getElementById('f-month').textContent") == "月份：2026-09"
    assert set(results(page)) <= {"finance/vouchers/2026-09-001.html", "finance/vouchers/2026-09-002.html"} | {
        h for h in spent if h.startswith("finance/lists/")
    }
    assert len(everything) > len(results(page))


def test_masked_data_cannot_be_found_by_its_unmasked_form(page, served):
    open_search(page, served)
    for key in PHONE:
        B.press(page, key)
    assert results(page) == []
    page.goto(served + "xg/cs/search.html")
    page.wait_for_function("window.SEARCH")
    for key in ID[:15]:
        B.press(page, key)
    assert results(page) == []
    text = page.evaluate("() => document.body.innerHTML")
    assert PHONE not in text and ID not in text


@pytest.fixture(scope="module")
def served_phone(site):
    with B.serve(site / "mobile") as url:
        yield url


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("张永刚", "finance/vouchers/2026-08-002.html"),
        ("zhangyong", "finance/vouchers/2026-08-002.html"),
        ("zyg", "finance/vouchers/2026-08-002.html"),
        ("路桥", "finance/vouchers/2026-09-002.html"),
        ("50000", "finance/vouchers/2026-09-002.html"),
    ],
)
def test_phone_search_with_the_phones_keyboard(page, served_phone, typed, expected):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(served_phone + "xg/cs/search.html")
    page.wait_for_function("window.SEARCH")
    page.fill("#search-input", typed)
    assert expected in results(page)[:2]  # 张永刚 is also on a payout list: either may come first
    assert PHONE not in page.content()


def test_phone_back_to_the_results_keeps_what_was_typed_and_the_filters(page, served_phone):
    page.goto(served_phone + "xg/cs/search.html")
    page.wait_for_function("window.SEARCH")
    page.fill("#search-input", "保洁")
    page.select_option("#f-flow", "2")
    first = results(page)[0]
    with page.expect_navigation():
        page.click("#search-results a >> nth=0")
    with page.expect_navigation():
        page.go_back()
    page.wait_for_function("window.SEARCH")
    assert page.input_value("#search-input") == "保洁" and page.input_value("#f-flow") == "2"
    assert results(page)[0] == first


def test_without_script_the_page_lists_the_ways_in(chromium, site):
    context = chromium.new_context(java_script_enabled=False, viewport=dict(B.VIEWPORT))
    try:
        pg = context.new_page()
        pg.goto((site / "tv/xg/cs/search.html").as_uri())
        assert pg.is_visible("text=没有运行搜索所需的脚本")
        assert pg.is_visible("a[href='party/index.html']")
        assert not pg.is_visible("#search-results")
    finally:
        context.close()


def test_works_from_file_urls(page, site):
    page.goto((site / "tv/xg/cs/search.html").as_uri())
    page.wait_for_function("window.SEARCH")
    B.press(page, "9")
    B.press(page, "9")
    assert results(page)


def test_the_index_is_remade_when_its_village_changes_and_carried_otherwise(tmp_path):
    root = make_content(tmp_path / "content")
    add_second_village(root)
    out = tmp_path / "out"
    build(root, out, themes=("tv",))
    cs, hx = out / "tv/xg/cs/search-index.js", out / "tv/xg/hx/search-index.js"
    cs_before, hx_inode = cs.read_bytes(), hx.stat().st_ino
    journal = root / "xg" / "cs" / "journal" / "2026-08.csv"
    journal.write_text(journal.read_text(encoding="utf-8").replace("张永刚", "张永强"), encoding="utf-8")
    assert build(root, out, themes=("tv",)).reused == ["xg/hx"]
    assert cs.read_bytes() != cs_before and "张永强" in cs.read_text(encoding="utf-8")
    assert "张永强" not in hx.read_text(encoding="utf-8") and hx.stat().st_ino == hx_inode  # carried, not made
    full = tmp_path / "full"
    build(root, full, themes=("tv",), cache=tmp_path / "cache2")
    for rel in ["xg/cs/search-index.js", "xg/hx/search-index.js", "xg/search-index.js", "search-index.js"]:
        assert (out / "tv" / rel).read_bytes() == (full / "tv" / rel).read_bytes(), rel
