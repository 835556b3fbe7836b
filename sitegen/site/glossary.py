"""Plain words (通俗说法): accounting terms and account codes in words a villager uses, and amounts as read aloud.

Account codes already carry their plain name in `accounts.Account.plain`; this adds the terms the finance pages
use (资产, 负债, 在建工程, 决算 …) and the one way amounts are shown: 元 with thousands separators, and large
totals also in 万元 (`money.yuan` / `money.wan`).
"""

from __future__ import annotations

from decimal import Decimal

from sitegen.content import accounts
from sitegen.content.money import wan, yuan

# term -> plain words. Kept short: each is shown under the table that uses the term.
TERMS: dict[str, str] = {
    "资产": "村集体拥有的钱和东西：现金、存款、别人欠村里的钱、房屋设备等",
    "负债": "村集体欠别人的钱：借款、应付未付的款、代管的专项资金等",
    "净资产": "资产减去负债，真正属于全村集体的家底",
    "固定资产": "房屋、道路、设备等能用很多年的东西，按买来或建成时花的钱记账",
    "累计折旧": "固定资产用旧了、按年份摊掉的价值",
    "在建工程": "还没完工的工程已经花的钱，完工后转成固定资产",
    "借方": "记账的左边：钱和东西增加、费用发生记在这里",
    "贷方": "记账的右边：欠款增加、收入发生记在这里",
    "预算": "年初经村民代表会议通过的全年收支计划",
    "实际": "账上实际发生的数，来自记账凭证",
    "立项": "项目经村民（代表）会议讨论同意、报批",
    "招投标": "公开比价或招标，选定施工单位",
    "增减项目": "施工中经批准增加或减少的工程内容和金额",
    "验收": "完工后由镇（街道）和村民代表检查工程质量",
    "决算": "工程全部完成后核定的最终造价",
    "质保金": "工程款中暂时留下的一部分，保修期满没问题再付",
    "村务卡": "村里的公务卡，日常小额开支刷卡支付，每笔都有记录",
    "逾期": "过了约定的缴费日期还没交够",
    "期初余额": "开始在网上记账那天，各个账户里原有的钱和东西（村里申报，来自以前的账本）",
    "净值": "固定资产原价减去累计折旧，就是现在还值多少",
    "原值": "买来或建成时花的钱，还没有减去用旧的部分",
    "凭证号": "记账凭证的编号：记-5 就是这个月的第 5 张记账凭证",
    "来源文件": "没有记账凭证的数字（记账以前就有的资产、合同价、预算）所依据的台账、合同或决议的扫描件",
}


def term(word: str) -> str:
    return TERMS.get(word, "")


def explain_terms(words: tuple[str, ...] | list[str]) -> list[tuple[str, str]]:
    """(term, plain words) for the words that have an explanation, in the order given."""
    return [(w, TERMS[w]) for w in words if w in TERMS]


def account_words(system: str, code: str) -> str:
    """An account code in plain words: '153' -> '正在建设、还没完工的工程'; unknown codes are returned as is."""
    account = accounts.lookup(system, code)
    return account.plain if account else code


def amount_text(amount: Decimal, large: Decimal = Decimal("100000")) -> str:
    """'1,234.50 元', or for a large total '352,000.00 元（35.20万元）'."""
    text = f"{yuan(amount)} 元"
    return f"{text}（{wan(amount)}元）" if abs(amount) >= large else text
