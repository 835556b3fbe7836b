"""Items for scripts/make_sample.py: the Markdown pages with YAML front matter (docs/content-format.md §4), and
site.yaml / village.yaml.

The city's and towns' items are templates in scripts/sample_data/items_city.yaml and items_town.yaml. A village's
21 categories of 党务/村务/财务 items are written out below: their words are woven with the village's own figures
and draws (members present, votes, names), in a fixed order of random draws.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import yaml
from sample_journal import AS_OF, month_balances, opening_fixed, people_yaml
from sample_world import (
    BANK,
    CITY,
    CONTRACTORS,
    SURNAMES,
    TITLE,
    YEAR,
    ZERO,
    D,
    Town,
    Village,
    comma,
    load_data,
    rmb_upper,
    s2,
    yscalar,
)

# ================================================================================================================
# Items (Markdown with YAML front matter)
# ================================================================================================================

BOARD_OF = {"party": "党务", "affairs": "村务", "finance": "财务"}


@dataclass
class Item:
    folder: str  # party / affairs / finance / rules / policies
    slug: str  # file name without .md (ASCII, starts with the date)
    title: str
    day: date
    body: str
    category: str | None = None
    subitem: str | None = None
    basis: dict | None = None  # title, number, scan (bool: draw a scan of it)
    images: list[tuple[str, dict]] = field(default_factory=list)  # (file name, picture spec)
    review: bool = True
    status: str = "已通过"  # review status; 待审核 / 退回 make a draft (complete_items)
    documents: list[dict] = field(default_factory=list)  # further documents (project stages), each {title: …}

    @property
    def file(self) -> str:
        return f"{self.folder}/{self.slug}.md"


def md_table(head, rows, align: str = "") -> str:
    out = [
        "| " + " | ".join(head) + " |",
        "|"
        + "|".join(
            {"r": " ---: ", "c": " :---: "}.get(align[i] if i < len(align) else "l", " --- ") for i in range(len(head))
        )
        + "|",
    ]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def d(month: int, day: int) -> date:
    return date(YEAR, month, day)


def vote(rng: random.Random, total: int, low: float = 0.82) -> tuple[int, int, int, int]:
    """(应到, 实到, 同意, 弃权) of a meeting: a quorum well above two thirds, no votes against."""
    present = max(int(total * 2 / 3) + 1, int(total * rng.uniform(low, 0.97)))
    abstain = rng.randint(0, max(0, min(4, present // 15)))
    return total, present, present - abstain, abstain


def village_items(v: Village) -> list[Item]:
    rng = random.Random(f"sample:{v.slug}:items")
    spec, town = v.spec, v.town
    sec, dep, vice, mem, cashier, sup = (v.off(k) for k in ("书记", "副书记", "副主任", "委员", "出纳", "监委会主任"))
    S = spec.short
    items: list[Item] = []
    add = items.append
    project = spec.project
    bal = month_balances(v)
    pm = spec.party_members
    # documents several items rest on; each is scanned once into files/
    JUEYI6 = {
        "title": "村民代表会议决议",
        "number": f"{S}委〔{YEAR}〕6号",
        "scan": ("basis-daibiao-jueyi-6.jpg", {"kind": "doc"}),
    }
    CONTRACT = {
        "title": f"{project}施工合同",
        "number": v.project_no,
        "scan": ("basis-shigong-hetong.jpg", {"kind": "contract", "contract": "works"}),
    }
    LAND = {
        "title": "集体土地承包合同",
        "number": f"{S}发〔{YEAR}〕1号",
        "scan": ("basis-tudi-hetong.jpg", {"kind": "contract", "contract": "land"}),
    }

    # ------------------------------------------------------------------------------------------------ 党务
    t, pr, yes, ab = vote(rng, pm, 0.78)
    honoured = [v.people.person(born=(1930, 1952), sex="男").name for _ in range(3)]
    excellent = [v.people.person(born=(1970, 1995)).name for _ in range(4)]
    add(
        Item(
            "party",
            "2026-07-01-qiyi-dangri",
            "庆祝中国共产党成立105周年“七一”主题党日活动",
            d(7, 1),
            f"""\
7月1日上午，{v.party_org}在村党群服务中心开展庆祝建党105周年主题党日活动，全村党员{t}名，实到{pr}名。

## 活动内容

1. 全体党员重温入党誓词，齐唱《没有共产党就没有新中国》。
2. 党委书记{sec}以“守好集体家底、办好群众实事”为题讲专题党课。
3. 为{"、".join(honoured)}等3名老党员颁发“光荣在党50年”纪念章。
4. 表彰{"、".join(excellent)}等4名优秀共产党员。
5. 党员志愿服务队分赴各村民小组开展河塘保洁和独居老人走访。

活动费用通过村务卡支付，凭证和发票可在7月份收支流水中查看（“村务卡支付“七一”主题党日活动费用”一笔）。
""",
            "政治建设",
            "主题党日",
            basis={
                "title": f"{spec.name}党委关于开展“七一”主题党日活动的通知",
                "number": f"{S}党〔{YEAR}〕9号",
                "scan": ("basis-qiyi-tongzhi.jpg", {"kind": "doc"}),
            },
            images=[
                (
                    "photo-qiyi.jpg",
                    {
                        "kind": "meeting",
                        "banner": f"{spec.name}庆祝中国共产党成立105周年主题党日活动",
                        "caption": "7月1日 主题党日活动现场",
                    },
                )
            ],
        )
    )

    team = rng.randint(18, 32)
    hazards = rng.randint(5, 11)
    add(
        Item(
            "party",
            "2026-07-08-fangxun-bushu",
            "落实上级防汛防台工作部署情况",
            d(7, 8),
            f"""\
按照{town.name}党（工）委关于做好主汛期防汛防台工作的部署，村党委7月6日召开专题会议研究落实：

- 成立以党委书记{sec}为组长的防汛工作领导小组，组建党员防汛抢险突击队{team}人，分片包干到组；
- 对全村沿河低洼地段、危旧房屋、在建工地开展拉网式排查，发现隐患{hazards}处，已整改{hazards - 1}处，
  剩余1处（{rng.randint(2, spec.groups)}组沿河护坡）已设置警示标志并落实专人看护；
- 储备编织袋2000只、救生衣30件、抽水泵4台，村委会24小时值班，值班表在村务公开栏张贴；
- 对独居老人、低保户等{rng.randint(20, 40)}户落实“一对一”转移帮扶责任人。
""",
            "政治建设",
            "决策部署落实",
            basis={
                "title": f"关于做好{YEAR}年主汛期防汛防台工作的通知",
                "number": f"{town.short}政发〔{YEAR}〕{rng.randint(40, 60)}号",
                "scan": ("basis-fangxun-tongzhi.jpg", {"kind": "doc"}),
            },
        )
    )

    add(
        Item(
            "party",
            "2026-08-12-lilun-xuexi",
            "8月份党员集中学习情况",
            d(8, 12),
            f"""\
8月12日，村党委组织党员集中学习，应到{pm}人，实到{int(pm * rng.uniform(0.8, 0.9))}人，因病、外出务工等原因请假的党员由所在党支部送学上门。

**学习内容**

1. 习近平总书记关于“三农”工作的重要论述；
2. 《中华人民共和国农村集体经济组织法》（2025年5月1日起施行）有关成员权利、财产管理和财务公开的规定；
3. 《中国共产党农村基层组织工作条例》第五章“经济建设”。

**交流发言**：{dep}、{vice}、{rng.choice(excellent)}等5名同志结合村集体资产管理、网格服务谈体会。

党员学习积分已录入党员积分管理系统，下月公布。
""",
            "思想建设",
            "理论学习",
        )
    )

    dev = [v.people.person(born=(1994, 2002)) for _ in range(2)]
    add(
        Item(
            "party",
            "2026-07-10-fazhan-duixiang",
            "关于确定发展对象的公示",
            d(7, 10),
            f"""\
经党员推荐、群团组织推优，村党委研究，拟确定以下2名同志为{YEAR}年下半年发展对象，现予公示。

{
                md_table(
                    ("姓名", "性别", "出生年月", "学历", "申请入党时间", "所在支部"),
                    [
                        (
                            p_.name,
                            p_.sex,
                            f"{p_.born.year}年{p_.born.month}月",
                            rng.choice(("大专", "本科")),
                            f"{YEAR - 2}年{rng.randint(3, 11)}月",
                            f"第{rng.randint(1, 4)}党支部",
                        )
                        for p_ in dev
                    ],
                )
            }

公示时间：{YEAR}年7月10日至7月16日（5个工作日）。

对公示对象有意见的，可以来信、来电或来访向村党委或{town.name}组织办反映。村党委电话：0510-86{
                rng.randint(100000, 999999)
            }；
{town.name}组织办电话：0510-86{rng.randint(100000, 999999)}。反映情况要实事求是，以真实姓名反映的优先核查。
""",
            "组织建设",
            "党员发展",
        )
    )

    branches = 4
    counts = [pm // branches + (1 if k < pm % branches else 0) for k in range(branches)]
    fee_rows, fee_total = [], ZERO
    for k in range(branches):
        n = counts[k]
        paid = n - (1 if k == 2 else 0)
        amount = D(paid * rng.uniform(9, 16) * 3)
        fee_total += amount
        fee_rows.append((f"第{k + 1}党支部", n, paid, comma(amount)))
    add(
        Item(
            "party",
            "2026-07-15-dangfei-q2",
            f"{YEAR}年第二季度党费收缴情况",
            d(7, 15),
            f"""\
{md_table(("党支部", "党员人数", "已交人数", "党费金额（元）"), fee_rows, "lrrr")}

合计：{comma(fee_total)}元，已于7月14日全额上缴{town.name}党（工）委。
第3党支部1名党员长期在外地务工，已电话联系，7月底前补交。党费按规定足额收缴、专款使用，不计入村集体账目。
""",
            "组织建设",
            "党费收缴",
        )
    )

    t, pr, yes, ab = vote(rng, pm, 0.8)
    add(
        Item(
            "party",
            "2026-09-15-dangyuan-dahui",
            f"{YEAR}年第三季度党员大会",
            d(9, 15),
            f"""\
9月15日下午，{v.party_org}召开第三季度党员大会。应到党员{t}名，实到{pr}名，符合规定人数。会议由党委书记{sec}主持。

## 会议议程

1. 通报第三季度党建工作和“三务”公开情况；
2. 听取{project}竣工验收情况报告；
3. 审议{YEAR}年度预备党员转正事项；
4. 开展党员民主评议。

## 会议决定

- 同意{project}竣工验收结果，工程决算报{town.name}农经站备案（同意{yes}票，反对0票，弃权{ab}票）；
- 同意{v.people.person(born=(1990, 2000)).name}同志按期转为中共正式党员（同意{pr - 1}票，反对0票，弃权1票）。

会议记录已存档，决议在户户通平台公开，公开期10天。
""",
            "组织建设",
            "组织生活会",
            basis={
                "title": "党员大会会议记录",
                "number": f"{S}党〔{YEAR}〕15号",
                "scan": ("basis-dangyuan-dahui.jpg", {"kind": "doc"}),
            },
            images=[
                (
                    "photo-dangyuan-dahui.jpg",
                    {
                        "kind": "meeting",
                        "banner": f"{spec.name}{YEAR}年第三季度党员大会",
                        "caption": "9月15日 第三季度党员大会",
                    },
                )
            ],
        )
    )

    issues = [
        ("6组路灯损坏3盏", mem, "已更换"),
        ("2组河塘水葫芦堵塞", vice, "已组织保洁员清理"),
        ("独居老人房屋漏雨", dep, "已申请临时救助并修缮"),
        (f"{rng.randint(3, spec.groups)}组农田灌溉渠渗漏", mem, "已纳入四季度维修计划"),
        ("医保缴费咨询", cashier, "已上门讲解"),
    ]
    visits = rng.randint(260, 480)
    add(
        Item(
            "party",
            "2026-08-20-zoubaijia",
            "党员干部“走百家”入户走访情况",
            d(8, 20),
            f"""\
7月至8月，村“两委”成员和党员中心户开展“走百家、听民声、解民忧”入户走访，共走访农户{visits}户，
收集意见建议{len(issues) + rng.randint(8, 15)}条，当场解答{rng.randint(5, 8)}条，其余交责任人办理。主要问题及办理情况：

{md_table(("问题", "责任人", "办理情况"), issues)}

群众对办理结果有意见的，可在户户通页面点击“我有疑问”，或拨打{CITY}“12345”热线反映。
""",
            "作风建设",
            "为民服务",
        )
    )

    add(
        Item(
            "party",
            "2026-08-05-jingshi-jiaoyu",
            "集中观看警示教育片暨廉政党课",
            d(8, 5),
            f"""\
8月5日，村党委组织“两委”成员、村务监督委员会成员、村民小组长和党员代表共{rng.randint(40, 60)}人，
集中观看警示教育片《蝇贪之害》，剖析近年来本市村干部在工程项目、土地发包、资金报销中违纪违法的典型案例。

党委书记{sec}讲廉政党课，重申：

- 村级所有资金支付一律通过“E银通”系统，日常小额开支使用村务卡，不得坐收坐支、公款私存；
- 工程项目严格执行“四议两公开”，5万元以上支付须经村监委会和{town.name}农经站线上审核；
- 村干部及其近亲属不得承揽本村工程、承包集体资产资源。

会后，参会人员逐一签订《廉洁履职承诺书》。
""",
            "纪律建设",
            "党风廉政建设",
        )
    )

    add(
        Item(
            "party",
            "2026-07-03-lianzheng-chengnuo",
            "村“两委”成员廉洁履职承诺",
            d(7, 3),
            f"""\
本人作为{spec.name}“两委”成员，郑重承诺：

1. 严格执行“三重一大”集体决策制度，不搞个人或少数人说了算；
2. 不在工程建设、资产出租、土地发包中为本人和亲友谋取利益；
3. 不私设“小金库”，不截留、挪用、侵占集体资金和惠农补贴；
4. 不违规发放津贴补贴，不用公款吃喝、送礼；
5. 自觉接受党员群众和村务监督委员会监督，按时公开党务、村务、财务。

承诺人：{"、".join(v.off(k) for k in ("书记", "副书记", "副主任", "委员", "会计"))}

承诺书原件存村党委，复印件在村务公开栏张贴。
""",
            "纪律建设",
            "廉政承诺",
            basis={
                "title": "村“两委”成员廉洁履职承诺书",
                "number": "",
                "scan": ("basis-lianzheng-chengnuo.jpg", {"kind": "doc"}),
            },
        )
    )

    reps_t, reps_p, reps_y, reps_a = vote(rng, spec.reps, 0.84)
    pt, pp, py, pa = vote(rng, pm, 0.78)
    decision_slug = "2026-07-06-gongcheng-juece"
    add(
        Item(
            "party",
            decision_slug,
            f"关于实施{project}的决策",
            d(7, 6),
            f"""\
## 事项

{spec.project_place}道路使用已近十五年，路面破损、雨天积水，群众多次反映。经“四议两公开”程序，决定实施{project}。

- 预算控制价：{comma(D(v.contract_amount * Decimal("1.06")))}元；
- 资金来源：村集体自筹及上级人居环境奖补资金；
- 实施方式：按{town.name}村级小额工程管理规定公开比选确定施工单位。

## 决策程序

{
                md_table(
                    ("环节", "日期", "应到", "实到", "同意", "反对", "弃权"),
                    [
                        ("村党委会提议", "7月2日", 7, 7, 7, 0, 0),
                        ("“两委”联席会议商议", "7月3日", 9, 9, 9, 0, 0),
                        ("党员大会审议", "7月4日", pt, pp, py, 0, pa),
                        ("村民代表会议决议", "7月6日", reps_t, reps_p, reps_y, 0, reps_a),
                    ],
                    "llrrrrr",
                )
            }

决议公开时间：7月7日至7月13日，公开期间未收到异议。实施结果在财务板块“工程项目”中逐项公开。
""",
            "三重一大",
            "重大项目安排",
            basis=JUEYI6,
        )
    )

    truck = D(rng.randrange(118, 168) * 1000)
    t2, p2, y2, a2 = vote(rng, spec.reps, 0.84)
    add(
        Item(
            "party",
            "2026-09-18-baojieche-juece",
            "关于购置垃圾分类收运车辆的决策",
            d(9, 18),
            f"""\
为落实农村生活垃圾分类，村党委会提议购置新能源垃圾分类收运车2辆，预算{comma(truck)}元（约{truck / 10000:.1f}万元），
资金在村集体经营收入中列支。

- 9月16日“两委”联席会议商议：应到9人，实到9人，同意9人；
- 9月18日村民代表会议：应到{t2}人，实到{p2}人，同意{y2}人，反对0人，弃权{a2}人。

车辆按规定在江苏省政府采购网上商城询价采购，预计10月交付，采购结果和付款凭证在财务板块公开。
""",
            "三重一大",
            "大额资金使用",
        )
    )

    elders = [v.people.person(born=(1928, 1945), sex="男") for _ in range(rng.randint(4, 6))]
    add(
        Item(
            "party",
            "2026-09-22-laodangyuan-weiwen",
            "中秋节走访慰问老党员、困难党员",
            d(9, 22),
            f"""\
中秋节前，村党委班子成员分组走访慰问80周岁以上老党员和生活困难党员，送上慰问金和月饼。

{
                md_table(
                    ("姓名", "党龄", "慰问人", "慰问金（元）"),
                    [
                        (
                            p_.name,
                            f"{YEAR - p_.born.year - 20 - rng.randint(0, 8)}年",
                            rng.choice((sec, dep, vice)),
                            "500.00",
                        )
                        for p_ in elders
                    ],
                    "lllr",
                )
            }

慰问资金由{town.name}党（工）委党内关爱基金拨付，不在村集体账目中列支。
""",
            "其他事项",
            "其他党务",
        )
    )

    # ------------------------------------------------------------------------------------------------ 村务
    target = D(rng.randrange(260, 520) * 10000)
    add(
        Item(
            "affairs",
            "2026-07-05-xiabannian-jihua",
            f"{YEAR}年下半年村级重点工作计划",
            d(7, 5),
            f"""\
经村“两委”会议研究、村民代表会议通过，{YEAR}年下半年重点做好以下工作：

1. **基础设施**：完成{project}，9月底前竣工验收；
2. **集体增收**：做好{YEAR}—{YEAR + 2}年度集体土地续包和标准厂房租金收缴，全年村级稳定性收入力争达到{target / 10000:.0f}万元；
3. **人居环境**：推进垃圾分类“四分类”全覆盖，落实河塘长效保洁；
4. **民生保障**：做好低保、特困对象动态管理，完成2027年度城乡居民医保征缴；
5. **基层治理**：修订村规民约，深化“积分制”管理；
6. **安全生产**：抓好防汛防台、秸秆禁烧、电动自行车充电安全。

各项工作完成情况在年底村民代表会议上报告，并在户户通公开。
""",
            "村经济和社会事业发展规划",
            "年度计划",
        )
    )

    add(
        Item(
            "affairs",
            "2026-08-28-fazhan-guihua",
            f"{spec.name}2026—2030年发展规划（摘要）",
            d(8, 28),
            f"""\
## 现状

{spec.intro}

## 发展目标（到2030年）

- 村级稳定性收入年均增长5%以上；
- 集体土地100%规模经营，高标准农田占比达到90%；
- 村内道路、路灯、排水实现“户户通”，河塘全部达到生态河道标准；
- 建成“15分钟便民生活圈”，老年助餐点覆盖全体80周岁以上老人。

## 重点项目

{
                md_table(
                    ("项目", "实施年度", "估算投资（万元）"),
                    [
                        (project, "2026", f"{v.contract_amount / 10000:.1f}"),
                        ("标准厂房屋面及消防改造", "2027", str(rng.randint(60, 120))),
                        ("高标准农田提升", "2027—2028", str(rng.randint(150, 300))),
                        ("村党群服务中心适老化改造", "2028", str(rng.randint(40, 90))),
                    ],
                    "llr",
                )
            }

规划已经村民代表会议审议通过，报{town.name}备案。
""",
            "村经济和社会事业发展规划",
            "发展规划",
        )
    )

    rt, rp, ry, ra = vote(rng, spec.reps, 0.85)
    add(
        Item(
            "affairs",
            "2026-07-20-cungui-minyue",
            f"{spec.name}村规民约（{YEAR}年修订）",
            d(7, 20),
            f"""\
（{YEAR}年7月18日村民代表会议通过：应到{rt}人，实到{rp}人，同意{ry}人，弃权{ra}人）

第一条 爱党爱国，遵守法律法规，自觉履行村民义务，维护集体利益。

第二条 移风易俗。婚事新办、丧事简办，不大操大办；彩礼、宴席从简，红白喜事提前向村红白理事会报备。

第三条 人居环境。落实“门前三包”，生活垃圾分类投放，不乱堆乱放、不私搭乱建、不在河塘倾倒垃圾。

第四条 禁止露天焚烧秸秆和垃圾，禁止在河道内电鱼、毒鱼。

第五条 电动自行车不进楼道、不进家门充电，不私拉电线“飞线充电”。

第六条 尊老爱幼，子女依法履行赡养义务；邻里之间互谅互让，矛盾纠纷先找村调解委员会调解。

第七条 承包集体土地、租用集体房屋按合同按时交纳费用，不得擅自转包、改变用途。

第八条 村民遵守本村规民约的情况纳入“积分制”管理，积分每季度公示，年终评选“文明家庭”。

第九条 本村规民约由村民委员会负责解释，自公布之日起施行。
""",
            "村规民约及各类规约",
            "村规民约",
            basis={
                "title": "村民代表会议决议",
                "number": f"{S}委〔{YEAR}〕9号",
                "scan": ("basis-daibiao-jueyi-9.jpg", {"kind": "doc"}),
            },
        )
    )

    if spec.slug in ("changshou", "wenlin"):
        add(
            Item(
                "affairs",
                "2026-08-10-hongbai-lishihui",
                "红白理事会章程",
                d(8, 10),
                f"""\
第一条 本会是在村党委领导下的群众性自治组织，负责指导村民婚丧事宜从简办理。

第二条 理事会由{dep}任会长，{vice}任副会长，各村民小组长为理事。

第三条 婚事宴席原则上不超过20桌，丧事不超过3天、不搭建灵棚于道路上；提倡文明祭扫。

第四条 村民办理婚丧事宜，应提前3天向理事会报备，理事会提供场地、厨师联系等服务。

第五条 本章程经村民代表会议通过后施行。
""",
                "村规民约及各类规约",
                "自治章程",
            )
        )

    hh_rows = []
    for k, h in enumerate(v.households, 1):
        p_ = h.person
        hh_rows.append((k, p_.name, f"{p_.group}组", h.kind, h.members, p_.id_no, p_.mobile, p_.card, comma(h.monthly)))
    dibao_slug = "2026-07-25-dibao-gongshi"
    add(
        Item(
            "affairs",
            dibao_slug,
            f"{YEAR}年第三季度低保、特困供养对象名单公示",
            d(7, 25),
            f"""\
根据《江苏省最低生活保障办法》和{CITY}城乡低保动态管理规定，经本人申请、入户调查、民主评议，
{town.name}民政办审核，现将本村第三季度低保、特困供养对象名单公示如下：

{md_table(("序号", "户主", "组别", "类别", "保障人数", "身份证号", "联系电话", "发放卡号", "月保障金额（元）"), hh_rows, "rlllrlllr")}

保障金由市民政局按月直接发放到户，不经过村集体账户。公示期7天。对名单有异议的，请向村民委员会或{town.name}民政办反映，
也可拨打{CITY}“12345”热线。
""",
            "村务发生事项",
            "低保补助名单",
            basis={
                "title": f"{town.name}民政办低保审核意见",
                "number": f"{town.short}民〔{YEAR}〕{rng.randint(20, 40)}号",
            },
        )
    )

    rel_rows = []
    for k, (p_, a, why) in enumerate(v.relief, 1):
        i = p_.id_no
        idtext = f"{i[:6]} {i[6:14]} {i[14:]}" if k % 3 == 0 else i
        card = " ".join(p_.card[j : j + 4] for j in range(0, len(p_.card), 4)) if k % 2 == 0 else p_.card
        rel_rows.append((k, p_.name, f"{p_.group}组", why, idtext, card, comma(a)))
    total_relief = sum((a for _, a, _ in v.relief), ZERO)
    add(
        Item(
            "affairs",
            "2026-08-16-linshi-jiuzhu",
            "困难群众临时救助金发放名单",
            d(8, 16),
            f"""\
经村民申请、村民委员会调查核实并公示无异议，{town.name}民政办审核同意，对以下{len(v.relief)}户困难群众给予临时救助，
救助金共{comma(total_relief)}元，已于8月通过银行代发到户（8月份记账凭证“发放困难群众临时救助金”）。

{md_table(("序号", "姓名", "组别", "救助原因", "身份证号", "银行卡号", "金额（元）"), rel_rows, "rllllll")}
""",
            "村务发生事项",
            "低保补助名单",
        )
    )

    fest_rows = [(k, p_.name, f"{p_.group}组", why, comma(a)) for k, (p_, a, why) in enumerate(v.festival, 1)]
    add(
        Item(
            "affairs",
            "2026-09-20-zhongqiu-weiwen",
            "中秋节困难群众慰问名单",
            d(9, 20),
            f"""\
中秋节前，村民委员会对低保户、特困户和高龄独居老人进行走访慰问，慰问品在村集体公益支出中列支。

{md_table(("序号", "姓名", "组别", "类别", "慰问品折合金额（元）"), fest_rows, "rlllr")}

合计{comma(sum((a for _, a, _ in v.festival), ZERO))}元。
""",
            "村务发生事项",
        )
    )

    rt, rp, ry, ra = reps_t, reps_p, reps_y, reps_a
    add(
        Item(
            "affairs",
            "2026-07-06-daibiao-huiyi",
            f"村民代表会议决议（{project}）",
            d(7, 6),
            f"""\
{YEAR}年7月6日晚，{v.committee}召开村民代表会议，应到村民代表{rt}人，实到{rp}人，超过三分之二，会议有效。
村务监督委员会主任{sup}列席会议。

会议审议了村党委提出的《关于实施{project}的方案》，以无记名投票方式表决：同意{ry}票，反对0票，弃权{ra}票。

**决议**：同意实施{project}，预算控制价{comma(D(v.contract_amount * Decimal("1.06")))}元，按规定公开比选施工单位，
工程进度和资金支付情况每月公开。

决策程序见党务公开[关于实施{project}的决策](../party/{decision_slug}.md)。
""",
            "村民会议及实施",
            "村民代表会议决议",
            basis=JUEYI6,
            images=[
                (
                    "photo-daibiao-huiyi.jpg",
                    {"kind": "meeting", "banner": f"{spec.name}村民代表会议", "caption": "7月6日 村民代表会议现场表决"},
                )
            ],
        )
    )

    lot_rows = [(lot.holder, lot.place, f"{lot.mu}", comma(lot.price), comma(lot.amount), "已交清") for lot in v.lots]
    add(
        Item(
            "affairs",
            "2026-09-26-fabao-shishi",
            f"{YEAR}年度集体土地发包方案实施情况",
            d(9, 26),
            f"""\
按照{YEAR}年1月村民代表会议通过的集体土地发包方案，{YEAR}年度承包费收缴情况如下：

{md_table(("承包方", "地块", "面积（亩）", "单价（元/亩·年）", "年承包费（元）", "收缴情况"), lot_rows, "llrrrl")}

承包费已全部存入村集体银行账户，收款凭证在财务板块公开。
""",
            "村民会议及实施",
            "决议实施情况",
            basis=LAND,
        )
    )

    cad_rows = []
    duties = {
        "书记": "主持党委、村委会全面工作，分管财务、工程项目",
        "副书记": "党建、综治、安全生产、工程现场管理",
        "副主任": "妇联、计生、民政、医保社保",
        "委员": "人居环境、河长制、网格化管理",
        "会计": "财务核算、三资管理、报账",
        "出纳": "资金收付、便民服务",
    }
    for k, c in enumerate(v.cadres):
        key = list(duties)[k]
        ph = c.person.mobile
        shown = ph if k % 3 != 1 else f"{ph[:3]}-{ph[3:7]}-{ph[7:]}"
        cad_rows.append((c.person.name, c.role, duties[key], shown))
    sup_p = v.supervisor
    cad_rows.append((sup, "村务监督委员会主任", "监督村务、财务公开和民主决策执行", sup_p.mobile))
    add(
        Item(
            "affairs",
            "2026-07-02-ganbu-fengong",
            "村“两委”成员分工及联系方式",
            d(7, 2),
            f"""\
{md_table(("姓名", "职务", "分工", "联系电话"), cad_rows)}

村民委员会办公时间：工作日8:30—17:00，节假日安排人员值班。
""",
            "村干部",
            "干部分工",
        )
    )

    wage_rows = []
    for c in v.cadres:
        p_ = c.person
        wage_rows.append((p_.name, c.role, comma(c.base), comma(c.base * 3), comma(c.insurance * 3), p_.id_no, p_.card))
    add(
        Item(
            "affairs",
            "2026-09-28-ganbu-baochou",
            f"{YEAR}年村干部基本报酬及第三季度发放情况",
            d(9, 28),
            f"""\
按照{town.name}村干部报酬管理办法，村干部报酬由基本报酬和绩效报酬组成。基本报酬按月发放，绩效报酬年终考核后发放。
第三季度（7—9月）基本报酬发放情况如下（发放时代扣个人社会保险费）：

{md_table(("姓名", "职务", "月基本报酬", "7—9月合计", "代扣社保", "身份证号", "工资卡号"), wage_rows, "llrrrll")}

报酬由村集体银行账户通过“E银通”批量代发到本人工资卡，每月发放凭证在财务板块公开。
""",
            "村干部",
            "干部报酬",
            basis={
                "title": f"{town.name}村干部报酬管理办法",
                "number": f"{town.short}委发〔{YEAR}〕{rng.randint(3, 12)}号",
            },
        )
    )

    n_v = len(v.vouchers)
    n_att = sum(len(x.atts) for x in v.vouchers)
    add(
        Item(
            "affairs",
            "2026-09-29-jianweihui-lvzhi",
            "村务监督委员会第三季度履职情况",
            d(9, 29),
            f"""\
第三季度，村务监督委员会（主任{sup}，成员{rng.choice(SURNAMES)}国良、{rng.choice(SURNAMES)}美华）履职情况如下：

1. 列席村“两委”会议{rng.randint(5, 8)}次、村民代表会议2次；
2. 审核7—9月记账凭证{n_v}张、原始单据{n_att}张，提出补充附件意见{rng.randint(2, 5)}条，均已整改；
3. 全程监督{project}比选、进度款支付和竣工验收，在线审核“E银通”大额支付{rng.randint(3, 5)}笔；
4. 核对低保、临时救助名单公示，未发现优亲厚友情况。

村民对村务、财务有疑问的，可直接联系监委会主任{sup}（电话 {sup_p.mobile}），或在户户通页面点击“我有疑问”。
""",
            "村务监督委员会履职情况",
            "监督检查记录",
        )
    )

    add(
        Item(
            "affairs",
            "2026-09-05-yibao-jiaofei",
            "关于缴纳2027年度城乡居民基本医疗保险费的提醒",
            d(9, 5),
            f"""\
2027年度城乡居民基本医疗保险集中征缴工作已经开始，请未参加职工医保的村民及时缴费。

- **缴费期**：{YEAR}年9月至12月；
- **缴费标准**：以{CITY}医疗保障局公布的标准为准，低保、特困人员等由政府按规定资助；
- **缴费渠道**：“江苏医保云”APP、{BANK}各网点，或到村便民服务站代办；
- **咨询**：村便民服务站{cashier}，电话 {v.cadres[5].person.mobile}。

请大家注意防范诈骗，医保缴费不需要向任何个人转账。
""",
            "其他事项",
            "便民服务",
        )
    )

    add(
        Item(
            "affairs",
            "2026-07-12-jinshao-fangni",
            "夏季秸秆禁烧和防溺水安全提示",
            d(7, 12),
            """\
夏收夏种期间，请广大村民：

1. 严禁露天焚烧秸秆、垃圾，秸秆统一机械化还田或交由收储点回收；
2. 看管好未成年人，不到河塘、沟渠私自下水游泳；
3. 雷雨天气远离高压线路和大树。

发现焚烧或溺水险情，请立即拨打110、119或村值班电话。
""",
            "其他事项",
            "其他村务",
        )
    )

    # ------------------------------------------------------------------------------------------------ 财务
    opening = v.opening_cash + v.opening_bank
    fixed_value = D(rng.randrange(1800, 4200) * 1000)
    depr_value = D(fixed_value * Decimal(str(rng.uniform(0.25, 0.4))))
    fixed_value, depr_value = opening_fixed(v)  # as village.yaml opens the books (the draws above keep the stream)
    receivable = D(rng.randrange(20, 180) * 1000)
    payable = D(rng.randrange(30, 160) * 1000)
    land_mu = sum((lot.mu for lot in v.lots), ZERO)
    add(
        Item(
            "finance",
            "2026-07-08-jiadi",
            f"截至{YEAR}年6月30日村集体家底情况",
            d(7, 8),
            f"""\
根据{YEAR}年6月末会计报表和资产台账，本村集体“家底”如下：

{
                md_table(
                    ("项目", "金额（元）", "说明"),
                    [
                        (
                            "货币资金",
                            comma(opening),
                            f"库存现金{comma(v.opening_cash)}元，银行存款{comma(v.opening_bank)}元",
                        ),
                        ("应收款", comma(receivable), "主要为厂房租金、承包费尾款"),
                        ("固定资产原值", comma(fixed_value), "办公楼、标准厂房、道路、路灯等"),
                        ("累计折旧", comma(depr_value), ""),
                        ("固定资产净值", comma(fixed_value - depr_value), ""),
                        ("资产合计", comma(opening + receivable + fixed_value - depr_value), ""),
                        ("负债合计", comma(payable), "应付工程质保金、代扣社保等"),
                        ("所有者权益", comma(opening + receivable + fixed_value - depr_value - payable), ""),
                    ],
                    "lrl",
                )
            }

资源性资产：集体土地{spec.farmland_mu}亩（其中本期公开发包{land_mu}亩），标准厂房{v.tenant_area}平方米，经济合同{
                rng.randint(12, 30)
            }份。
""",
            "本村家底",
            "资产负债",
        )
    )

    members = spec.population - rng.randint(100, 300)
    dividend = D(rng.choice((300, 400, 500)))
    add(
        Item(
            "finance",
            "2026-07-18-gufen-fenhong",
            f"股份经济合作社基本情况及{YEAR - 1}年度收益分配",
            d(7, 18),
            f"""\
{v.org}现有成员（股东）{members}人，设人口股，每人1股，总股本{members}股。

经{YEAR}年6月成员代表大会通过，{YEAR - 1}年度可分配收益按每股{comma(dividend)}元分红，共计{comma(dividend * members)}元，
已于{YEAR}年6月底前通过银行代发到户（属{YEAR}年上半年账目，不在本季度凭证中）。

成员对股权登记有疑问的，可带户口簿到村便民服务站查询。
""",
            "本村家底",
            "股份合作",
        )
    )

    bal_rows = [(f"{m}月", comma(o), comma(i), comma(e), comma(c)) for m, o, i, e, c in bal]
    add(
        Item(
            "finance",
            "2026-09-30-zijin-yue",
            f"{YEAR}年第三季度货币资金收支情况",
            d(9, 30),
            f"""\
本村集体资金统一存放在{BANK}基本账户（尾号{v.bank_account[-4:]}），日常备用金限额5000元。
第三季度现金和银行存款合计收支情况如下（由记账凭证自动汇总，与收支流水账一致）：

{md_table(("月份", "月初余额", "本月收入", "本月支出", "月末余额"), bal_rows, "lrrrr")}

现金与银行之间的互转（提取备用金）不计入收入和支出。
""",
            "资金",
            "银行存款",
        )
    )

    card_rows = [
        (x.date.isoformat(), f"记-{x.no}", x.summary, x.counterparty, comma(x.total))
        for x in v.vouchers
        if "村务卡" in x.summary
    ]
    add(
        Item(
            "finance",
            "2026-09-30-cunwuka",
            "第三季度村务卡使用情况",
            d(9, 30),
            f"""\
村级日常小额采购、公务用餐等一律使用村务卡结算，不使用现金。第三季度村务卡消费明细：

{md_table(("日期", "凭证号", "用途", "商户", "金额（元）"), card_rows, "llllr")}

合计{comma(sum((D(r[4].replace(",", "")) for r in card_rows), ZERO))}元，均已按月还款，发票和清单附在对应凭证后。
""",
            "资金",
            "村务卡",
        )
    )

    add(
        Item(
            "finance",
            "2026-09-20-xinzeng-guding",
            f"{project}转入固定资产",
            d(9, 20),
            f"""\
{project}已于9月竣工验收，按审定结算价{comma(v.contract_amount)}元转入村集体固定资产（公益性道路），
其中已付工程款{comma(D(v.contract_amount * Decimal("0.95")))}元，预留质量保证金{comma(v.contract_amount - D(v.contract_amount * Decimal("0.30")) - D(v.contract_amount * Decimal("0.40")) - D(v.contract_amount * Decimal("0.25")))}元，
保修期满一年后支付。资产已登记入村集体资产台账。
""",
            "资产",
            "固定资产",
        )
    )

    junk = [("台式电脑", "2014", 3), ("激光打印机", "2015", 2), ("办公桌椅", "2012", 6)]
    add(
        Item(
            "finance",
            "2026-08-22-zichan-chuzhi",
            "报废旧办公设备处置公示",
            d(8, 22),
            f"""\
经村“两委”会议研究，对使用年限已满、无法修复的办公设备报废处置：

{md_table(("名称", "购置年份", "数量"), junk, "llr")}

设备经{town.name}农经站现场核实，残值由再生资源回收企业询价回收，收入将在10月入账并公开。
""",
            "资产",
            "资产处置",
        )
    )

    lot_rows = [
        (lot.holder, lot.place, f"{lot.mu}", comma(lot.price), comma(lot.amount), f"{YEAR}.1.1—{YEAR + 2}.12.31")
        for lot in v.lots
    ]
    add(
        Item(
            "finance",
            "2026-07-16-tudi-fabao",
            f"{YEAR}—{YEAR + 2}年度集体土地发包结果公示",
            d(7, 16),
            f"""\
本次发包经村民代表会议通过，在{CITY}农村产权交易平台公开招标，结果如下：

{md_table(("承包方", "地块", "面积（亩）", "中标单价（元/亩·年）", "年承包费（元）", "期限"), lot_rows, "llrrrl")}

承包费每年7月15日前交清，合同和收款收据见7月份记账凭证。
""",
            "资源",
            "土地发包",
            basis=LAND,
        )
    )

    add(
        Item(
            "finance",
            "2026-07-20-changfang-chuzu",
            "标准厂房租赁情况公示",
            d(7, 20),
            f"""\
- 承租方：{v.tenant}
- 租赁面积：{v.tenant_area}平方米
- 租金：每季度{comma(v.quarter_rent)}元（含增值税，按简易计税5%开具发票）
- 租期：{YEAR - 1}年1月1日至{YEAR + 3}年12月31日，经{CITY}农村产权交易平台公开招租产生
- 第三季度租金已于7月收到，发票和银行回单见7月份记账凭证。
""",
            "资源",
            "房屋出租",
        )
    )

    bidders = [(v.contractor, D(v.contract_amount))]
    for name in CONTRACTORS:
        if name != v.contractor and len(bidders) < 3:
            bidders.append((name, D(v.contract_amount * Decimal(str(rng.uniform(1.02, 1.08))))))
    tender_slug = "2026-07-12-gongcheng-bixuan"
    add(
        Item(
            "finance",
            tender_slug,
            f"{project}比选结果公示",
            d(7, 12),
            f"""\
{project}于7月10日在{town.name}公共资源交易站公开比选，村务监督委员会全程监督，共3家单位报名参加：

{md_table(("报价单位", "报价（元）", "名次"), [(n, comma(a), k) for k, (n, a) in enumerate(sorted(bidders, key=lambda b: b[1]), 1)], "lrr")}

按最低价评审，确定{v.contractor}为成交单位，成交价{comma(v.contract_amount)}元。公示期3个工作日。
""",
            "工程项目",
            "招投标",
            basis=JUEYI6,
        )
    )

    add(
        Item(
            "finance",
            "2026-07-14-gongcheng-hetong",
            f"{project}施工合同签订情况",
            d(7, 14),
            f"""\
7月14日，{v.org}与{v.contractor}签订施工合同（{v.project_no}）。

- 合同价：{comma(v.contract_amount)}元（{rmb_upper(v.contract_amount)}）
- 工期：{YEAR}年7月20日至9月10日
- 付款：预付30%，进度款40%，验收审计后付至95%，质保金5%保修期满后付清

比选过程见[{project}比选结果公示]({tender_slug}.md)。
""",
            "工程项目",
            "合同",
            basis=CONTRACT,
        )
    )

    progress_slug = "2026-08-18-gongcheng-jindu"
    add(
        Item(
            "finance",
            progress_slug,
            f"{project}8月工程进度",
            d(8, 18),
            f"""\
截至8月15日，路基修补和排水沟清淤已完成，沥青混凝土加铺完成约{rng.randint(62, 70)}%。
村监委会和村民代表{rng.randint(3, 5)}人现场查看，工程质量符合要求，同意按合同支付40%进度款{comma(D(v.contract_amount * Decimal("0.40")))}元。
""",
            "工程项目",
            "进度",
            basis=CONTRACT,
            images=[("photo-gongdi-8.jpg", {"kind": "site", "caption": f"8月15日 {project}施工现场"})],
        )
    )

    extra = D(rng.randrange(30, 90) * 100)
    add(
        Item(
            "finance",
            "2026-08-25-gongcheng-zengjian",
            f"{project}增减项目说明",
            d(8, 25),
            f"""\
施工中发现{rng.randint(2, spec.groups)}组路段下方排水涵管破损，经村“两委”会议研究、村监委会现场确认，
增加涵管更换1处，费用{comma(extra)}元；同时取消原设计中10米路肩硬化，核减费用{comma(extra)}元，增减相抵，合同总价不变。
""",
            "工程项目",
            "增减项目",
            basis=CONTRACT,
        )
    )

    add(
        Item(
            "finance",
            "2026-09-19-gongcheng-yanshou",
            f"{project}竣工验收及结算",
            d(9, 19),
            f"""\
9月8日工程完工，9月19日由村“两委”、村务监督委员会、村民代表和{town.name}农经站组织竣工验收，结论为**合格**。

- 送审结算价：{comma(D(v.contract_amount * Decimal("1.043")))}元
- 审定结算价：{comma(v.contract_amount)}元
- 已付：{comma(D(v.contract_amount * Decimal("0.95")))}元，质保金5%保修期满一年后支付

施工进度见[8月工程进度]({progress_slug}.md)。
""",
            "工程项目",
            "验收",
            images=[("photo-yanshou.jpg", {"kind": "site", "caption": f"9月19日 {project}竣工验收", "done": True})],
        )
    )

    inc_by, exp_by = {}, {}
    for x in v.vouchers:
        net = x.money(v.accounts)
        if net == 0:
            continue
        key = x.summary.replace("2026年度", "").replace("（补交）", "")
        key = key.split("月份")[-1] if "月份" in key else key
        (inc_by if net > 0 else exp_by)[key] = (inc_by if net > 0 else exp_by).get(key, ZERO) + abs(net)
    add(
        Item(
            "finance",
            "2026-09-30-shouzhi",
            f"{YEAR}年第三季度村级收支情况",
            d(9, 30),
            f"""\
## 收入

{md_table(("项目", "金额（元）"), sorted(((k, comma(a)) for k, a in inc_by.items()), key=lambda r: r[0]), "lr")}

## 支出

{md_table(("项目", "金额（元）"), sorted(((k, comma(a)) for k, a in exp_by.items()), key=lambda r: r[0]), "lr")}

每一笔收支的凭证、发票和清单都可以在“收支流水”中逐笔查看。
""",
            "收支情况",
            "收入明细",
            images=[("chart-q3.png", {"kind": "chart"})],
        )
    )

    meal = next(x for x in v.vouchers if x.tag == "meal")
    add(
        Item(
            "finance",
            "2026-08-31-yongcan",
            "8月份公务用餐情况",
            d(8, 31),
            f"""\
{
                md_table(
                    ("日期", "事由", "就餐人数", "金额（元）", "凭证号"),
                    [
                        (
                            meal.date.isoformat(),
                            f"{town.name}防汛办检查防汛防台工作",
                            rng.randint(6, 9),
                            comma(meal.total),
                            f"8月 记-{meal.no}",
                        )
                    ],
                    "llrrl",
                )
            }

公务用餐严格执行接待标准，用村务卡结算，不上烟酒。
""",
            "收支情况",
            "支出明细",
        )
    )

    pay_rows = []
    for c in v.cadres:
        pay_rows.append(
            (
                c.person.name,
                c.role,
                comma(c.base - c.insurance),
                comma(c.base - c.insurance),
                comma(c.base - c.insurance),
                c.person.card,
            )
        )
    add(
        Item(
            "finance",
            "2026-09-10-ganbu-gongzi",
            "7—9月村干部报酬实发明细",
            d(9, 10),
            f"""\
{md_table(("姓名", "职务", "7月实发（6月报酬）", "8月实发", "9月实发", "工资卡号"), pay_rows, "llrrrl")}

实发金额为基本报酬扣除个人社保后的金额，由“E银通”代发，银行回单附在每月的发放凭证后。
""",
            "收支情况",
            "干部工资",
        )
    )

    sept = [x for x in v.vouchers if x.month == 9]
    by_acct: dict[str, list[Decimal]] = {}
    for x in sept:
        for ln in x.lines:
            key = f"{ln.code[:3]} {ln.name.split('—')[0]}"
            by_acct.setdefault(key, [ZERO, ZERO])
            by_acct[key][0] += ln.debit
            by_acct[key][1] += ln.credit
    rows = [(k, comma(a) if a else "", comma(b) if b else "") for k, (a, b) in sorted(by_acct.items())]
    rows.append(
        ("合计", comma(sum((a for a, _ in by_acct.values()), ZERO)), comma(sum((b for _, b in by_acct.values()), ZERO)))
    )
    add(
        Item(
            "finance",
            "2026-09-30-yuebao-09",
            f"{YEAR}年9月科目发生额汇总表",
            d(9, 30),
            f"""\
{md_table(("科目", "借方发生额", "贷方发生额"), rows, "lrr")}

本表由9月份{len(sept)}张记账凭证汇总，借贷相等。
""",
            "村务报表",
            "收支明细表",
        )
    )

    budget = [
        ("经营收入（发包、租赁）", rng.randrange(120, 260) * 10000),
        ("补助收入", rng.randrange(40, 80) * 10000),
        ("管理费用", rng.randrange(90, 150) * 10000),
        ("公益支出", rng.randrange(50, 110) * 10000),
    ]
    brows = [(n, comma(D(a)), comma(D(a * rng.uniform(0.62, 0.81))), f"{rng.randint(62, 81)}%") for n, a in budget]
    add(
        Item(
            "finance",
            "2026-09-30-yusuan-zhixing",
            f"{YEAR}年村级财务预算执行情况（1—9月）",
            d(9, 30),
            f"""\
{md_table(("项目", "年度预算（元）", "1—9月执行（元）", "执行进度"), brows, "lrrr")}

预算执行总体正常。公益支出第四季度将安排垃圾分类收运车辆购置（已经村民代表会议决策）。
""",
            "村务报表",
            "年度预算",
        )
    )

    # ------------------------------------------------------------------------------------------------ 制度建设
    add(
        Item(
            "rules",
            "2026-07-01-caiwu-guanli",
            f"{spec.name}村级财务管理制度",
            d(7, 1),
            f"""\
第一条 村集体资金实行“村账镇代理”，由{town.name}农经站委托代理记账，村设报账员。

第二条 村集体资金全部存入{BANK}基本账户，不得多头开户、公款私存。

第三条 资金支付一律通过“E银通”系统：经办人、证明人、审批人线下签字后，线上发起支付申请，村监委会主任和镇农经站
审核人员分级审核。单笔5万元以上的，须附“三重一大”决策记录。

第四条 日常办公用品、公务用餐、差旅等小额开支使用村务卡，凭发票和清单报销；备用金不超过5000元。

第五条 每月10日前完成上月记账，凭证、发票、合同等在户户通平台逐张公开。
""",
            basis={
                "title": "村民代表会议决议",
                "number": f"{S}委〔{YEAR}〕4号",
            },
        )
    )
    if spec.slug in ("jiangtou", "hexiang"):
        add(
            Item(
                "rules",
                "2026-07-02-xiaoe-gongcheng",
                f"{spec.name}村级小额工程管理办法",
                d(7, 2),
                f"""\
1. 10万元以下工程由村“两委”会议集体研究，邀请3家以上单位比选；10万元以上的进入{town.name}公共资源交易站。
2. 工程实行“四议两公开”，招投标、合同、进度、增减项目、验收、决算逐项在户户通公开。
3. 增减项目须经村“两委”会议研究、村监委会现场确认，累计超过合同价10%的须重新提交村民代表会议。
4. 村干部及其近亲属不得承揽本村工程。
""",
            )
        )

    return items


def _from_template(entry: dict, values: dict) -> Item:
    """An item of items_city.yaml / items_town.yaml with its {placeholders} filled in (never reviewed)."""
    basis = {k: v.format_map(values) for k, v in entry["basis"].items()} if "basis" in entry else None
    return Item(
        entry["folder"],
        entry["slug"],
        entry["title"].format_map(values),
        entry["date"],
        entry["body"].format_map(values),
        basis=basis,
        review=False,
    )


def town_items(town: Town) -> list[Item]:
    """The town's own policies and rules (the same texts for every town)."""
    rng = random.Random(f"sample:{town.slug}:items")
    values = {
        "city": CITY,
        "year": YEAR,
        "town": town.name,
        "gov": town.gov,
        "short": town.short,
        "number": rng.randint(30, 60),
    }
    return [_from_template(entry, values) for entry in load_data("items_town.yaml")]


def city_items() -> list[Item]:
    """The city-wide policies and rules."""
    values = {"city": CITY, "year": YEAR, "bank": BANK}
    return [_from_template(entry, values) for entry in load_data("items_city.yaml")]


# ================================================================================================================
# Writing files
# ================================================================================================================

SUBITEMS = load_data("subitems.yaml")  # the site's 小项 table (board -> category -> subitems)


def front_matter(it: Item, town: Town | None) -> str:
    """YAML front matter in the style of docs/content-format.md §4; checked by reading it back."""
    data: dict = {"title": it.title, "date": it.day}
    if it.category:
        data["category"] = it.category
    if it.subitem:
        data["subitem"] = it.subitem
    if it.basis:
        b = {"title": it.basis["title"]}
        if it.basis.get("number"):
            b["number"] = it.basis["number"]
        if it.basis.get("scan"):
            b["scan"] = f"../files/{it.basis['scan'][0]}"
        data["basis"] = b
    if it.images:
        data["images"] = [f"../files/{name}" for name, _ in it.images]
    if it.documents:
        data["documents"] = it.documents
    if it.review and town is not None:
        board = BOARD_OF.get(it.folder) or ("财务" if any(k in it.title for k in ("财务", "工程")) else "村务")
        when = it.day + timedelta(days=random.Random(f"sample:review:{it.file}").randint(1, 3))
        data["review"] = {
            "department": town.dept(board),
            "reviewer": town.reviewer(board),
            "date": when,
            "status": it.status,
        }
        if it.status == "待审核":  # not reviewed yet: nobody has signed it
            data["review"] = {"department": town.dept(board), "status": it.status}
    lines = []
    for key, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):  # documents: one mapping per line
            lines.append(f"{key}:")
            lines += ["  - {" + ", ".join(f"{k}: {yscalar(x)}" for k, x in entry.items()) + "}" for entry in value]
        elif isinstance(value, dict):
            lines.append(f"{key}:")
            lines += [f"  {k}: {yscalar(x)}" for k, x in value.items()]
        elif isinstance(value, list):
            lines.append(f"{key}: [{', '.join(yscalar(x) for x in value)}]")
        else:
            lines.append(f"{key}: {yscalar(value)}")
    text = "\n".join(lines) + "\n"
    if yaml.safe_load(text) != data:
        raise AssertionError(f"front matter of {it.file} does not read back")
    return text


def write_item(folder: Path, it: Item, town: Town | None) -> None:
    path = folder / it.file
    path.parent.mkdir(parents=True, exist_ok=True)
    body = it.body if it.body.endswith("\n") else it.body + "\n"
    path.write_bytes(("---\n" + front_matter(it, town) + "---\n" + body).encode("utf-8"))


def site_yaml() -> str:
    lines = [
        "# 全市配置（示例内容，人名、单位、号码均为虚构）。由 scripts/make_sample.py 生成，请勿手工修改。",
        f"city: {CITY}",
        f"title: {yscalar(TITLE)}",
        'hotline: "12345"',
        'feedback_url: "https://12345.jiangyin.example/ask?code={code}"   # 我有疑问的二维码（虚构地址）',
        "new_accounts_from: 2024",
        'large_amount: "100000"',
        "subitems:",
    ]
    for board, cats in SUBITEMS.items():
        lines.append(f"  {board}:")
        lines += [f"    {cat}: [{', '.join(names)}]" for cat, names in cats.items()]
    lines += [
        "oversight:   # 资金支付预警、审核和群众疑问（docs/content-format.md §2）",
        '  large_payment: "50000"',
        "  split_days: 7",
        "  answer_days: 15",
        f"  as_of: {AS_OF.isoformat()}",
        "  review_required: true",
    ]
    return "\n".join(lines) + "\n"


def village_yaml(v: Village) -> str:
    fixed, depr = opening_fixed(v)
    bank = f"{v.accounts['bank'][1]}—基本户" if v.spec.detail_codes else v.accounts["bank"][1]
    lines = [
        f"name: {v.name}",
        f"intro: {yscalar(v.spec.intro)}",
        f"opening_balances:   # {YEAR}年7月1日（记账开始前）各账户的余额 (docs/content-format.md §3)",
        f'  {v.accounts["cash"][1]}: "{s2(v.opening_cash)}"',
        f'  {bank}: "{s2(v.opening_bank)}"',
        f'  {v.accounts["fixed"][1]}: "{s2(fixed)}"   # 资产登记簿 A-01、A-02 的原值',
        f'  {v.accounts["depr"][1]}: "{s2(depr)}"',
    ]
    if v.spec.detail_codes:
        lines.append('accounting_system: "2024"')
    lines += people_yaml(v)  # cadres and 低保 recipients (oversight)
    return "\n".join(lines) + "\n"


def complete_items(v: Village, items: list[Item]) -> list[Item]:
    """Name a basis for the items that lack one (one 村务 item in 长寿村 is left without, so `sitegen check`
    has something to list), the documents of each project stage (河湘村's acceptance report is missing), and add
    two drafts: a 村务 item awaiting review and a 财务 item sent back."""
    generic = {
        "party": f"{v.name}党委会议决定",
        "affairs": f"{v.name}村民委员会会议决定",
        "finance": f"{v.name}记账凭证及会计账簿",
    }
    bare = [it for it in items if it.basis is None and it.folder in generic]
    for it in bare:
        if not (v.slug == "changshou" and it is [b for b in bare if b.folder == "affairs"][-1]):
            it.basis = {"title": generic[it.folder]}
    stage_docs = {
        "招投标": "比选成交通知书",
        "进度": "工程进度款支付确认单",
        "增减项目": "工程变更签证单",
        "验收": "竣工验收报告",
    }
    for it in items:
        if (
            it.category == "工程项目"
            and it.subitem in stage_docs
            and not (v.slug == "hexiang" and it.subitem == "验收")
        ):
            it.documents = [{"title": stage_docs[it.subitem]}]
    if v.slug == "changshou":
        items.append(
            Item(
                "affairs",
                "2026-09-28-sijidu-yiti",
                "2026年第四季度村民代表会议议题（征求意见稿）",
                d(9, 28),
                "拟提请第四季度村民代表会议讨论：\n\n1. 2027年村级公益事业项目安排；\n2. 村规民约修订草案；\n"
                "3. 集体厂房续租方案。\n\n欢迎村民提出意见建议。\n",
                "村民会议及实施",
                "村民代表会议决议",
                basis={"title": f"{v.name}村民委员会会议决定"},
                status="待审核",
            )
        )
    if v.slug == "wenlin":
        items.append(
            Item(
                "finance",
                "2026-09-29-cunwuka-gengzheng",
                "9月份村务卡使用明细（更正）",
                d(9, 29),
                "更正9月份村务卡使用明细中一笔用餐费的金额。\n",
                "资金",
                "村务卡",
                basis={"title": f"{v.name}记账凭证及会计账簿"},
                status="退回",
            )
        )
    return items
