"""Synthetic 施策評価表 data for the benchmarks, deterministic from a seed.

* Report texts in the bundled report's layout, at a multiple of its 25 indicators and for several report years per
  municipality (revisions and report changes for the merge); every one parses with no error (`check_reports`).
* A national-scale store (≈1,700 municipalities × 300 indicators × 10 fiscal years) written straight into DuckDB
  with SQL, with the schema of evaldash.store.build, so every named query runs on it unchanged.

    python bench/generate.py reports --out bench/out/x100 --scale 100 --munis 1 --years 2019,2020
    python bench/generate.py national --db bench/out/national.duckdb [--munis 1700]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import proc  # noqa: F401  first: it puts the project root on sys.path
from evaldash import normalize as nz

SEED_INDICATORS = 25  # the bundled report: 4 運営方針, 10 主な取組, 15 施策, 25 指標
DEFAULT_SEED = 20190401

# -- vocabulary -------------------------------------------------------------------------------
# Municipality names are made of these kanji (never 市 itself), so the parser's
# municipality detection (…市 not preceded by a kanji) finds exactly one name.
_NAME_KANJI = "青赤白黒金銀北南東西上下大小高新古若松竹梅桜花山川海浜島岡沢野原田森林谷岩石宮城"

TOPICS = [
    "町内会活動", "市民参加", "広聴活動", "広報活動", "男女平等参画", "平和推進", "子育て支援", "高齢者福祉",
    "障がい者支援", "健康づくり", "生涯学習", "スポーツ振興", "文化芸術", "観光振興", "商工業振興", "農林水産業",
    "雇用対策", "防災対策", "消防救急", "交通安全", "防犯活動", "環境保全", "ごみ減量", "公園緑地",
    "道路整備", "上下水道", "公共交通", "住宅施策", "学校教育", "図書館サービス", "国際交流", "移住定住",
    "行政の情報化", "行政改革", "財政運営", "地域医療", "介護予防", "食育", "青少年育成", "消費者保護",
]
POLICY_SUFFIX = ["の推進", "の充実", "の促進", "の強化", "の向上"]
INITIATIVE_ASPECT = [
    "の体制整備", "への支援", "に関する啓発", "の機会の充実", "の拠点整備", "における連携強化", "の担い手育成",
    "の情報発信",
]
PURPOSE_HEAD = [
    "地域の実情に応じた", "市民ニーズの多様化に対応した", "関係機関と連携した", "持続可能な", "誰もが参加しやすい",
    "効果的かつ効率的な",
]
PURPOSE_BODY = [
    "取組を進めるため、情報提供や相談体制の充実を図ります。",
    "活動を支援するとともに、担い手の育成と確保に努めます。",
    "事業を実施し、市民の理解と参加の促進を図ります。",
    "施設の維持修繕を計画的に行い、安全で快適な利用環境を確保します。",
    "各種団体や企業との協働により、地域全体での取組を推進します。",
    "制度の周知を図り、必要な方が必要な支援を受けられるよう努めます。",
]
ACTION_ITEMS = [
    "{t}に関する講座の開催 ({n}回 延べ{m}人参加)",
    "{t}についての出前講座の実施",
    "関係団体への各種補助金の交付（活動助成交付金、運営費補助金）",
    "{t}の啓発リーフレットの作成及び配布",
    "ホームページやSNSによる{t}の情報発信",
    "民間企业との連携協定に基づく{t}の共同事業の実施",
    "{t}推進会議の開催 ({n}回)",
    "相談窓口の設置及び専門相談員による相談対応",
    "市民アンケートの実施 (回答数 {m}件)",
    "施設の修繕及び設備更新 ({n}件)",
]
DIRECTION_PARAS = [
    "{t}については、これまでの取組の成果と課題を検証し、より効果的な事業の実施に向けて検討を進めていく必要があります。",
    "また、関係機関や市民団体との連携を一層深め、地域全体で{t}に取り組む体制づくりを進めていきます。",
    "今後も市民ニーズの把握に努め、事業の見直しや改善を図りながら、継続して取組を進めてまいります。",
    "限られた財源の中で効率的な運営を図るため、優先順位を付けた計画的な実施に努めていきます。",
]
SITUATION_PARAS = [
    "{m}では、{t}に関するこれまでの取組により一定の成果を上げてきましたが、近年、社会情勢の変化や市民ニーズの多様化により、新たな課題が生じています。",
    "また、担い手の高齢化や不足が問題となっており、活動を継続していくための支援の在り方について検討することが必要となっています。",
    "今後は、市民、事業者、行政がそれぞれの役割を果たしながら連携協力し、{t}を着実に進めることが必要です。",
    "施設の多くは老朽化に伴う経年劣化が著しいことから、設備の更新や施設の改修などを計画的に検討しなければなりません。",
]
GOAL_PARAS = [
    "{t}を通じて、市民一人ひとりが安心して暮らし、誇りと愛着を持てるまちを築きます。",
    "市民と行政の協働により{t}の充実を図り、明るく住みよい地域社会を構築します。",
]
# (suffix, unit, low, high, decimals)
INDICATOR_KINDS = [
    ("講座の開催回数", "回", 1, 60, 0),
    ("講座の参加者数", "人", 10, 5000, 0),
    ("相談件数", "件", 10, 20000, 0),
    ("登録者数", "人", 10, 3000, 0),
    ("に関する市民満足度", "%", 5, 95, 1),
    ("事業の実施件数", "件", 1, 400, 0),
    ("施設の利用者数", "人", 1000, 900000, 0),
    ("ホームページへのアクセス数", "件", 100000, 12000000, 0),
    ("協定締結件数", "件", 1, 300, 0),
    ("補助団体数", "団体", 1, 80, 0),
    ("の実施率", "%", 10, 100, 1),
    ("研修の受講者数", "人", 5, 800, 0),
]
QUALIFIERS = ["", "", "", "", " (令和2年4月1日現在)", " (累計)", " (市民)"]
NOTES = ["※令和3年度調査予定（平成27年度 40%）", "※隔年で調査を実施", "※新型コロナウイルス感染症の影響により一部中止"]
DEPT_SECTIONS = {
    "総合政策部": ["政策推進課", "秘書広報課", "協働・男女平等参画室"],
    "財政部": ["財政課", "資産税課", "契約課"],
    "市民生活部": ["市民生活課", "市民課", "交通安全推進室"],
    "環境衛生部": ["環境保全課", "ゼロごみ推進課", "廃棄物対策課"],
    "福祉部": ["総合福祉課", "障がい福祉課", "介護福祉課"],
    "健康こども部": ["こども支援課", "健康支援課", "こども育成課"],
    "産業経済部": ["商業労政課", "観光振興課", "農業水産振興課"],
    "建設部": ["道路建設課", "公園緑地課", "住宅課"],
    "上下水道部": ["営業課", "下水道計画課"],
    "消防本部": ["予防課", "警防課"],
    "教育部": ["学校教育課", "生涯学習課", "指導室"],
}
REFLECTION_LABELS = {"A": "趣旨に沿って措置したもの", "B": "実現に向けて努力しているもの"}


def municipality_name(index: int) -> str:
    """A unique kanji name ending in 市 for each index (2 kanji first, then 3)."""
    k = _NAME_KANJI
    n = len(k)
    if index < n * n:
        return k[index // n] + k[index % n] + "市"
    index -= n * n
    return k[(index // (n * n)) % n] + k[(index // n) % n] + k[index % n] + "市"


# -- the plan of one municipality: structure and values for every report year ---------------
@dataclass
class IndicatorPlan:
    name: str
    unit: str
    decimals: int
    base: dict[int, float | None]  # fiscal year -> value (None = "-")
    revised: dict[int, tuple[int, float]]  # fiscal year -> (report year from which it changes, new value)
    first_year: int  # first report year that carries it
    last_year: int | None = None  # last report year that carries it (None: all)
    note: str | None = None

    def present(self, year: int) -> bool:
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)

    def value(self, fiscal_year: int, report_year: int) -> float | None:
        rev = self.revised.get(fiscal_year)
        if rev and report_year >= rev[0]:
            return rev[1]
        return self.base.get(fiscal_year)


@dataclass
class MeasurePlan:
    measure_id: str
    purpose: str
    departments: list[tuple[str, str]]
    reflection: str
    flips: set[int]  # report years whose 反映区分 is the other letter
    actions: list[list[str]]  # per department (sub-blocks when there are several)
    directions: list[list[str]]
    indicators: list[IndicatorPlan]
    compact: bool  # the layout with trailing tabs and no ruled line (施策 1110212 in the seed)
    sdgs: bool
    bullet_style: int
    p_tags: bool
    first_year: int
    last_year: int | None = None

    def present(self, year: int) -> bool:
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)

    def reflection_in(self, year: int) -> str:
        if year in self.flips:
            return "B" if self.reflection == "A" else "A"
        return self.reflection


@dataclass
class InitiativePlan:
    number: int
    name: str
    measures: list[MeasurePlan] = field(default_factory=list)


@dataclass
class PolicyPlan:
    number: int
    name: str
    situation: list[str]
    goals: list[str]
    plans: list[str]
    initiatives: list[InitiativePlan] = field(default_factory=list)


@dataclass
class MunicipalityPlan:
    index: int
    name: str
    years: list[int]  # report years (fiscal), oldest first
    header_years: list[int]
    policies: list[PolicyPlan]

    def counts(self, year: int) -> dict[str, int]:
        """What a report of this year holds, as the parser should count it."""
        pol = ini = mea = ind = 0
        for p in self.policies:
            pol += 1
            for i in p.initiatives:
                ms = [m for m in i.measures if m.present(year)]
                ini += 1 if ms else 0
                mea += len(ms)
                ind += sum(1 for m in ms for x in m.indicators if x.present(year))
        return {"policies": pol, "initiatives": ini, "measures": mea, "indicators": ind}


def _measure_id(policy_no: int, initiative_no: int, k: int) -> str:
    # The seed's 1110421 is 111 + 運営方針 04 + 主な取組 2 + 施策 1; past 99 運営方針 the prefix shrinks.
    if policy_no <= 99:
        return f"111{policy_no:02d}{initiative_no}{k}"
    return f"1{policy_no:04d}{initiative_no}{k}"


def plan_municipality(index: int, n_indicators: int, years: list[int], seed: int = DEFAULT_SEED) -> MunicipalityPlan:
    """The structure of one municipality whose latest report holds exactly n_indicators indicators.

    With several report years, a few measures are dropped or added between years, a few
    indicators come and go, a few 反映区分 flip and a few earlier values are revised by the
    next report, so the merge has real work to do.
    """
    rng = random.Random(f"{seed}:{index}:{n_indicators}:{','.join(map(str, years))}")
    years = sorted(years)
    first, last = years[0], years[-1]
    header = list(range(first - 1, max(first + 3, last) + 1))
    name = municipality_name(index)
    many_years = len(years) > 1
    # Average indicators per 運営方針 is about 6.4 with 1-3 主な取組 of 1-2 施策: past 999
    # 運営方針 (three digits in the heading) the 運営方針 get more 主な取組.
    ini_hi = 3 if n_indicators <= 6000 else 9
    mea_hi = 2 if n_indicators <= 6000 else 5
    policies: list[PolicyPlan] = []
    left = n_indicators
    p_no = 0
    while left > 0:
        p_no += 1
        if p_no > 999:
            raise ValueError(f"{n_indicators} indicators do not fit 999 運営方針")
        topic = rng.choice(TOPICS)
        policy = PolicyPlan(
            p_no,
            topic + rng.choice(POLICY_SUFFIX),
            [s.format(m=name, t=topic) for s in [SITUATION_PARAS[0]] + rng.sample(SITUATION_PARAS[1:], rng.randint(1, 3))],
            [g.format(t=topic) for g in rng.sample(GOAL_PARAS, rng.randint(1, 2))],
            [f"{name}{topic}基本計画"] if rng.random() < 0.3 else [],
        )
        policies.append(policy)
        for i_no in range(1, rng.randint(1, ini_hi) + 1):
            if left <= 0:
                break
            itopic = rng.choice(TOPICS)
            initiative = InitiativePlan(i_no, itopic + rng.choice(INITIATIVE_ASPECT))
            policy.initiatives.append(initiative)
            n_measures = rng.randint(1, mea_hi)
            k = 0
            while k < n_measures and left > 0:
                k += 1
                n_ind = min(left, rng.choices([1, 2, 3], weights=[5, 3, 2])[0])
                # The first 施策 of a 主by取組 stays every year; later ones may be added in a later year.
                added = many_years and k > 1 and rng.random() < 0.04
                m = _plan_measure(rng, name, policy.number, i_no, k, itopic, n_ind, header, years,
                                  first_year=rng.choice(years[1:]) if added else first)
                initiative.measures.append(m)
                left -= n_ind
            # Extra 施策 present in earlier reports only (dropped before the latest one).
            if many_years and k < 9 and rng.random() < 0.04:
                k += 1
                m = _plan_measure(rng, name, policy.number, i_no, k, itopic, rng.randint(1, 2), header, years,
                                  first_year=first)
                m.last_year = rng.choice(years[:-1])
                initiative.measures.append(m)
    return MunicipalityPlan(index, name, years, header, policies)


def _plan_measure(rng, muni, policy_no, initiative_no, k, topic, n_ind, header, years, first_year) -> MeasurePlan:
    mid = _measure_id(policy_no, initiative_no, k)
    depts = list(DEPT_SECTIONS)
    d1 = rng.choice(depts)
    departments = [(d1, rng.choice(DEPT_SECTIONS[d1]))]
    if rng.random() < 0.15:
        d2 = rng.choice([d for d in depts if d != d1])
        departments.append((d2, rng.choice(DEPT_SECTIONS[d2])))

    def items():
        return [s.format(t=topic, n=rng.randint(1, 30), m=rng.randint(10, 900))
                for s in rng.sample(ACTION_ITEMS, rng.randint(3, 6))]

    def paras():
        return [s.format(t=topic) for s in rng.sample(DIRECTION_PARAS, rng.randint(2, 3))]

    indicators: list[IndicatorPlan] = []
    # With several report years, now and then one more indicator that a later report drops
    # (the latest report still holds exactly n_ind of this measure's indicators).
    dropped = 1 if len(years) > 1 and rng.random() < 0.04 else 0
    kinds = rng.sample(INDICATOR_KINDS, n_ind + dropped)
    for j, (suffix, unit, lo, hi, dec) in enumerate(kinds):
        ind_topic = topic if j == 0 else rng.choice(TOPICS)
        ind_name = f"{ind_topic}{suffix}{rng.choice(QUALIFIERS)}"
        level = rng.uniform(lo, hi)
        base: dict[int, float | None] = {}
        all_dash = rng.random() < 0.02
        for fy in header:
            if all_dash or rng.random() < 0.02:
                base[fy] = None
                continue
            level = min(max(level * rng.uniform(0.8, 1.25), lo), hi if unit == "%" else hi * 2)
            base[fy] = round(level, dec) if dec else float(round(level))
        revised = {}
        for fy in header:
            if fy + 1 in years and base[fy] is not None and rng.random() < 0.05:
                new = round(base[fy] * rng.uniform(0.9, 1.1), dec) if dec else float(round(base[fy] * rng.uniform(0.9, 1.1)))
                if new != base[fy]:
                    revised[fy] = (fy + 1, new)
        plan = IndicatorPlan(ind_name, unit, dec, base, revised, first_year,
                             note=rng.choice(NOTES) if all_dash or rng.random() < 0.03 else None)
        # Only later indicators come and go, so each 施策 keeps at least one every year.
        if j >= n_ind:
            plan.last_year = rng.choice(years[:-1])
            if plan.last_year < first_year:
                continue
        elif j > 0 and len(years) > 1 and rng.random() < 0.03:
            plan.first_year = max(first_year, rng.choice(years[1:]))
        indicators.append(plan)
    flips = {y for y in years[1:] if rng.random() < 0.05}
    return MeasurePlan(
        measure_id=mid,
        purpose=f"{topic}について、{rng.choice(PURPOSE_HEAD)}{rng.choice(PURPOSE_BODY)}",
        departments=departments,
        reflection="A" if rng.random() < 0.55 else "B",
        flips=flips,
        actions=[items() for _ in departments],
        directions=[paras() for _ in departments],
        indicators=indicators,
        compact=rng.random() < 0.2,
        sdgs=rng.random() < 0.9,
        bullet_style=rng.randrange(3),
        p_tags=rng.random() < 0.7,
        first_year=first_year,
    )


# -- rendering ----------------------------------------------------------------------------
def _paras(texts: list[str]) -> list[str]:
    return [line for t in texts for line in (t, "")]


def render_report(plan: MunicipalityPlan, year: int) -> str:
    """The report text of one report year, in the bundled report's layout."""
    label = nz.wareki_label(year)
    out: list[str] = ["", ""]
    for p in plan.policies:
        out += [f"運営方針{p.number:02d} {p.name}", "", "現況と課題", "", *_paras(p.situation), "基本目標", "",
                *_paras(p.goals)]
        if p.plans:
            out += ["関連する個別計画", "", *(f"- ・{s}" for s in p.plans), ""]
        out += ["主な取組", ""]
        for i in p.initiatives:
            for m in i.measures:
                if m.present(year):
                    _render_measure(out, i, m, year, label, plan.header_years)
    return "\n".join(out) + "\n"


def _render_measure(out: list[str], initiative, m: MeasurePlan, year: int, label: str, header_years: list[int]) -> None:
    out += [f"{initiative.number} {initiative.name}", ""]
    if m.sdgs:
        out += ["SDGs", "17の目標", "", ""]
    out += ["", ""]
    dept_text = " ".join(f"{d} {s}" for d, s in m.departments)
    refl = m.reflection_in(year)
    refl_cell = f"{refl} ({REFLECTION_LABELS[refl]})"
    if m.compact:
        out += [f"施策番号\t{m.purpose}\t\t", f"{m.measure_id}\t\t\t", f"担当部・課\t{dept_text}\t反映区分\t{refl_cell}"]
    else:
        out += [f"施策番号\t{m.purpose}", f"{m.measure_id}\t", "", f"担当部・課\t{dept_text}\t反映区分\t{refl_cell}",
                "\t".join("-" * w for w in (7, 2 * len(dept_text) + 1, 6, len(refl_cell) + 4))]
    out += ["", "施策評価表", ""]
    pad = "\t" * (len(header_years) + 1)
    several = len(m.departments) > 1
    for k, items in enumerate(m.actions):
        if several:
            body = f"({m.departments[k][1]}) " + " ".join(items)
        elif m.bullet_style == 2:
            body = '<ul style="list-style-type: none"> ' + "".join(f"<li>{t}</li>" for t in items) + "</ul>"
        else:
            bullet = "・ " if m.bullet_style == 0 else "・"
            body = '<ul style="list-style-type: none"> ' + " ".join(bullet + t for t in items) + " "
        out.append((f"具体的な取組 ({label})\t" if k == 0 else "\t") + body + pad)
    out.append("評価指標 (事業実績)\t指標名\t単位\t" + "\t".join(nz.wareki_label(fy) for fy in header_years))
    for ind in m.indicators:
        if not ind.present(year):
            continue
        cells = []
        for fy in header_years:
            value = ind.value(fy, year)
            if fy > year:
                cells.append("")
            elif (fy < year - 1 and ind.first_year == year) or value is None:
                cells.append("-")  # a new indicator: earlier years had no value
            else:
                cells.append(f"{value:,.{ind.decimals}f}")
        out.append(f"\t{ind.name}\t{ind.unit}\t" + "\t".join(cells))
        if ind.note:
            out.append(f"\t{ind.note}" + pad)
    for k, paras in enumerate(m.directions):
        if several:
            body = f"({m.departments[k][1]}) " + "".join(paras)
        else:
            body = " ".join(f"<p>{p}</p>" for p in paras) if m.p_tags else "".join(paras)
        out.append(("今後の取組の方向性\t" if k == 0 else "\t") + body + pad)
    out.append("")


# -- corpora ------------------------------------------------------------------------------
@dataclass
class CorpusSpec:
    """A corpus: `munis` municipalities, each with one report per year in `years`, `indicators` each."""

    name: str
    munis: int
    years: list[int]
    indicators: int  # per report (the latest report of each municipality holds exactly this many)
    seed: int = DEFAULT_SEED

    @property
    def scale(self) -> float:
        """Distinct indicators in the store over the bundled report's 25."""
        return self.munis * self.indicators / SEED_INDICATORS


# The scale factors of the bundled report. ×N holds N × 25 distinct indicators in the store.
# A single ×1000 report (≈28 MB) would be over evaldash.source.MAX_REPORT_BYTES (20 MB), so ×1000
# is the "50 reports × 1,000 indicators": 25 municipalities × 2 report years.
CORPORA = {
    "x1": CorpusSpec("x1", 1, [2019], 25),
    "x10": CorpusSpec("x10", 1, [2019, 2020], 250),
    "x100": CorpusSpec("x100", 1, [2019, 2020], 2500),
    "x1000": CorpusSpec("x1000", 25, [2019, 2020], 1000),
}


def write_corpus(spec: CorpusSpec, folder: Path) -> dict:
    """Write the reports of a corpus into folder; returns what each report should parse to."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    expected = {}
    for index in range(spec.munis):
        plan = plan_municipality(index, spec.indicators, spec.years, spec.seed)
        for year in spec.years:
            name = f"m{index:04d}_{nz.wareki_label(year).replace('年度', '')}.txt"
            (folder / name).write_text(render_report(plan, year), encoding="utf-8")
            expected[name] = {"municipality": plan.name, "report_year": year, **plan.counts(year)}
    return expected


def parsed_counts(report) -> dict:
    """What a parsed report holds, in the keys of `MunicipalityPlan.counts` and the municipality and year."""
    measures = list(report.measures())
    return {"municipality": report.municipality, "report_year": report.report_year, "policies": len(report.policies),
            "initiatives": sum(len(p.initiatives) for p in report.policies), "measures": len(measures),
            "indicators": sum(len(m.indicators) for _, _, m in measures)}


def check_reports(folder: Path, expected: dict) -> None:
    """Every report parses with no error finding and to the counts the generator planned."""
    from evaldash.parse import parse_file

    for name, want in expected.items():
        report = parse_file(Path(folder) / name)
        errors = [str(f) for f in report.findings if f.severity == "error"]
        assert not errors, f"{name}: the generated report has parse errors: {errors[:5]}"
        got = parsed_counts(report)
        assert got == want, f"{name}: parsed {got}, generated {want}"


# -- the national-scale store, written with SQL -------------------------------------------
def _sql_list(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def reference_schema() -> dict[str, list[tuple[str, str]]]:
    """The tables and column types that evaldash.store.build writes today, from a small generated corpus."""
    import tempfile

    from evaldash import store

    with tempfile.TemporaryDirectory(prefix="evaldash-bench-ref-") as tmp:
        folder = Path(tmp) / "reports"
        write_corpus(CorpusSpec("ref", 1, [2019, 2020], 200), folder)
        store.build(folder, Path(tmp) / "ref.duckdb")
        return table_schemas(Path(tmp) / "ref.duckdb")


def conform(con, ref: dict[str, list[tuple[str, str]]]) -> None:
    """Give every table the columns, order and types of the reference store.

    The data model grows (a new *_raw column, say): a column the generator does not make is
    filled from its corrected twin (x_raw from x) or left NULL, so every named query still
    runs; a column the reference no longer has is dropped.
    """
    have = {t: {c[0]: c[1] for c in con.execute(f'DESCRIBE "{t}"').fetchall()} for (t,) in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database() "
        "AND table_schema = 'main'").fetchall()}
    for table, cols in ref.items():
        if table.startswith("__"):
            continue
        if table not in have:
            con.execute(f'CREATE TABLE "{table}" (' + ", ".join(f'"{c}" {t}' for c, t in cols) + ")")
            continue
        if [(c, have[table].get(c)) for c, _ in cols] == cols and len(cols) == len(have[table]):
            continue
        exprs = []
        for c, t in cols:
            if c in have[table]:
                src = f'"{c}"'
            elif c.endswith("_raw") and c[:-4] in have[table]:
                src = f'"{c[:-4]}"'
            else:
                src = "NULL"
            exprs.append(f'CAST({src} AS {t}) AS "{c}"')
        con.execute(f'CREATE TABLE "{table}__c" AS SELECT {", ".join(exprs)} FROM "{table}"')
        con.execute(f'DROP TABLE "{table}"')
        con.execute(f'ALTER TABLE "{table}__c" RENAME TO "{table}"')


def write_national(db: Path, munis: int = 1700, seed: int = DEFAULT_SEED, fiscal_years: int = 10,
                   first_year: int = 2013, progress=None) -> dict:
    """A national-scale store: munis × 100 施策 × 3 指標 × fiscal_years observations.

    Every municipality has 10 運営方針 × 5 主な取組 × 2 施策 × 3 指標 = 300 indicators and two
    report years (the latest fiscal year and the one before), so revisions and report changes
    have rows. Rows are made by DuckDB from range() and hash(); only the vocabulary and the
    municipality names come from Python.
    """
    from evaldash import store

    db = Path(db)
    db.parent.mkdir(parents=True, exist_ok=True)
    tmp = db.with_name(db.name + ".tmp")
    tmp.unlink(missing_ok=True)
    start = time.perf_counter()
    say = progress or (lambda msg: None)
    con = store.open_new(tmp)  # written as store.build writes: in row groups of store.ROW_GROUP_SIZE
    last_year = first_year + fiscal_years - 1
    report_year, prev_report_year = last_year, last_year - 1
    labels = [nz.wareki_label(y) for y in range(first_year, last_year + 1)]
    kinds = INDICATOR_KINDS
    depts = list(DEPT_SECTIONS)
    sections = [DEPT_SECTIONS[d][0] for d in depts]
    names = [municipality_name(i) for i in range(munis)]
    S = int(seed) % 1_000_003
    con.execute("CREATE TEMP TABLE muni AS SELECT unnest(range($n)) AS mi, unnest($names::VARCHAR[]) AS municipality",
                {"n": munis, "names": names})
    # Vocabulary as SQL list literals (our own constants); h(...) picks from them.
    lists = {"topics": TOPICS, "psuffix": POLICY_SUFFIX, "aspects": INITIATIVE_ASPECT, "heads": PURPOSE_HEAD,
             "bodies": PURPOSE_BODY, "depts": depts, "sections": sections, "ksuffix": [k[0] for k in kinds],
             "kunit": [k[1] for k in kinds], "qualifiers": QUALIFIERS, "labels": labels, "actions": ACTION_ITEMS,
             "directions": DIRECTION_PARAS, "situations": SITUATION_PARAS, "goalparas": GOAL_PARAS}
    numbers = {"klo": [float(k[2]) for k in kinds], "khi": [float(k[3]) for k in kinds], "kdec": [k[4] for k in kinds]}
    con.execute("".join(f"CREATE TEMP MACRO {name}() AS {_sql_list(v)};\n" for name, v in lists.items())
                + "".join(f"CREATE TEMP MACRO {name}() AS {v};\n" for name, v in numbers.items()) + f"""
        CREATE TEMP MACRO pick(lst, h) AS lst[1 + (h % len(lst))::BIGINT];
        CREATE TEMP MACRO h(a, b, c, d) AS hash({S}, a, b, c, d);
        CREATE TEMP MACRO fy_label(y) AS CASE WHEN y >= 2019 THEN 'R' || (y - 2018) ELSE 'H' || (y - 1988) END || '年度';
    """)
    src = lambda y: f"'national_' || municipality || '_{nz.wareki_label(y).replace('年度', '')}.txt'"  # noqa: E731
    latest_src, prev_src = src(report_year), src(prev_report_year)
    latest_label = nz.wareki_label(report_year)
    say("policies, initiatives")
    con.execute(f"""
        CREATE TABLE policies AS
        SELECT municipality, p AS policy_no,
               pick(topics(), h(mi, p, 0, 1)) || pick(psuffix(), h(mi, p, 0, 2)) AS policy_name,
               [replace(replace(pick(situations(), h(mi, p, 0, 3)), '{{m}}', municipality), '{{t}}', pick(topics(), h(mi, p, 0, 1))),
                replace(pick(situations(), h(mi, p, 0, 4)), '{{t}}', pick(topics(), h(mi, p, 0, 1)))]::VARCHAR[] AS situation,
               [replace(pick(goalparas(), h(mi, p, 0, 5)), '{{t}}', pick(topics(), h(mi, p, 0, 1)))]::VARCHAR[] AS goals,
               CASE WHEN h(mi, p, 0, 6) % 10 < 3 THEN [municipality || pick(topics(), h(mi, p, 0, 1)) || '基本計画']
                    ELSE [] END::VARCHAR[] AS plans,
               {report_year}::BIGINT AS report_year, {latest_src} AS source_file, (p * 400 - 397)::BIGINT AS source_line
        FROM muni, range(1, 11) t(p)
        ORDER BY municipality, policy_no;
        CREATE TABLE initiatives AS
        SELECT municipality, p AS policy_no, i AS initiative_no,
               pick(topics(), h(mi, p, i, 7)) || pick(aspects(), h(mi, p, i, 8)) AS initiative_name,
               {report_year}::BIGINT AS report_year, {latest_src} AS source_file,
               (p * 400 - 380 + i * 70)::BIGINT AS source_line
        FROM muni, range(1, 11) t(p), range(1, 6) u(i)
        ORDER BY municipality, policy_no, initiative_no;
    """)
    say("measures")
    con.execute(f"""
        CREATE TEMP TABLE m0 AS
        SELECT mi, municipality, p, i, k,
               '111' || lpad(p::VARCHAR, 2, '0') || i::VARCHAR || k::VARCHAR AS measure_id,
               pick(topics(), h(mi, p, i, 7)) AS topic,
               1 + (h(mi, p, i * 10 + k, 9) % len(depts()))::BIGINT AS d1,
               CASE WHEN h(mi, p, i * 10 + k, 10) % 100 < 15
                    THEN 1 + ((h(mi, p, i * 10 + k, 9) + 1 + h(mi, p, i * 10 + k, 11) % (len(depts()) - 1)) % len(depts()))::BIGINT
               END AS d2,
               CASE WHEN h(mi, p, i * 10 + k, 12) % 100 < 55 THEN 'A' ELSE 'B' END AS reflection
        FROM muni, range(1, 11) t(p), range(1, 6) u(i), range(1, 3) v(k);
        CREATE TABLE measures AS
        SELECT m0.municipality, m0.measure_id, p AS policy_no, pol.policy_name, i AS initiative_no, ini.initiative_name,
               topic || 'について、' || pick(heads(), h(mi, p, i * 10 + k, 13)) || pick(bodies(), h(mi, p, i * 10 + k, 14)) AS purpose,
               reflection,
               CASE reflection WHEN 'A' THEN '{REFLECTION_LABELS["A"]}' ELSE '{REFLECTION_LABELS["B"]}' END AS reflection_label,
               depts()[d1] || ' ' || sections()[d1] || coalesce(' / ' || depts()[d2] || ' ' || sections()[d2], '') AS departments,
               {report_year}::BIGINT AS report_year, '{latest_label}' AS report_label,
               {latest_src.replace('municipality', 'm0.municipality')} AS source_file,
               (p * 400 - 380 + i * 70 + k * 30)::BIGINT AS source_line,
               '' AS search_text
        FROM m0
        JOIN policies pol ON pol.municipality = m0.municipality AND pol.policy_no = m0.p
        JOIN initiatives ini ON ini.municipality = m0.municipality AND ini.policy_no = m0.p AND ini.initiative_no = m0.i
        ORDER BY m0.municipality, m0.measure_id;
        CREATE TABLE measure_departments AS
        SELECT municipality, measure_id, 0::BIGINT AS ord, depts()[d1] AS dept, sections()[d1] AS section FROM m0
        UNION ALL
        SELECT municipality, measure_id, 1::BIGINT, depts()[d2], sections()[d2] FROM m0 WHERE d2 IS NOT NULL
        ORDER BY municipality, measure_id, ord;
        CREATE TABLE actions AS
        SELECT m0.municipality, m0.measure_id, (a - 1)::BIGINT AS ord, NULL::VARCHAR AS section,
               replace(replace(replace(pick(actions(), h(mi, p, i * 10 + k, 100 + a)), '{{t}}', topic), '{{n}}',
                       (1 + h(mi, p, i * 10 + k, 110 + a) % 30)::VARCHAR), '{{m}}', (10 + h(mi, p, i * 10 + k, 120 + a) % 900)::VARCHAR)
               AS text,
               NULL::VARCHAR AS text_raw,
               (p * 400 - 380 + i * 70 + k * 30 + 8)::BIGINT AS source_line
        FROM m0, range(1, 4) w(a)
        ORDER BY m0.municipality, m0.measure_id, ord;
        UPDATE actions SET text = replace(text, '企业', '企業'), text_raw = text;
        CREATE TABLE directions AS
        SELECT m0.municipality, m0.measure_id, (a - 1)::BIGINT AS ord, NULL::VARCHAR AS section,
               replace(pick(directions(), h(mi, p, i * 10 + k, 200 + a)), '{{t}}', topic) AS text,
               (p * 400 - 380 + i * 70 + k * 30 + 14)::BIGINT AS source_line
        FROM m0, range(1, 3) w(a)
        ORDER BY m0.municipality, m0.measure_id, ord;
    """)
    say("indicators")
    con.execute(f"""
        CREATE TEMP TABLE i0 AS
        SELECT m0.mi, m0.municipality, m0.measure_id, m0.p, m0.i, m0.k, j,
               1 + ((h(mi, p, i * 10 + k, 300) + j) % len(ksuffix()))::BIGINT AS kind,
               CASE WHEN j = 0 THEN topic ELSE pick(topics(), h(mi, p, i * 10 + k, 310 + j)) END AS ind_topic,
               pick(qualifiers(), h(mi, p, i * 10 + k, 320 + j)) AS qualifier,
               h(mi, p, i * 10 + k, 330 + j) % 1000 AS u
        FROM m0, range(0, 3) x(j);
        CREATE TABLE indicators AS
        SELECT municipality, measure_id,
               measure_id || '-' || substr(md5(municipality || chr(31) || measure_id || chr(31) || ind_topic || ksuffix()[kind] || qualifier), 1, 16)
                 AS indicator_id,
               j::BIGINT AS ord,
               ind_topic || ksuffix()[kind] || qualifier AS indicator,
               kunit()[kind] AS unit,
               CASE WHEN u < 30 THEN '※隔年で調査を実施' END AS note,
               {report_year}::BIGINT AS report_year, {latest_src} AS source_file,
               (p * 400 - 380 + i * 70 + k * 30 + 10 + j)::BIGINT AS source_line,
               lower(ind_topic || ksuffix()[kind] || qualifier) AS search_text,
               kind, mi, p, i, k
        FROM i0
        ORDER BY municipality, measure_id, ord;
    """)
    # measures.search_text as build_frames makes it: policy, initiative, id, purpose, departments, actions,
    # directions and indicator names, lower-cased.
    con.execute("""
        UPDATE measures SET search_text = s.search_text FROM (
          SELECT m.municipality, m.measure_id,
                 lower(concat_ws(' ', m.policy_name, m.initiative_name, m.measure_id, m.purpose, m.departments,
                                 (SELECT string_agg(text, ' ' ORDER BY ord) FROM actions a
                                   WHERE a.municipality = m.municipality AND a.measure_id = m.measure_id),
                                 (SELECT string_agg(text, ' ' ORDER BY ord) FROM directions d
                                   WHERE d.municipality = m.municipality AND d.measure_id = m.measure_id),
                                 (SELECT string_agg(indicator, ' ' ORDER BY ord) FROM indicators i
                                   WHERE i.municipality = m.municipality AND i.measure_id = m.measure_id))) AS search_text
          FROM measures m) s
        WHERE measures.municipality = s.municipality AND measures.measure_id = s.measure_id
    """)
    say("observations")
    con.execute(f"""
        CREATE TABLE observations AS
        WITH o AS (
          SELECT ind.municipality, ind.indicator_id, ind.measure_id, ind.ord, ind.source_line, fy, kind,
                 h(mi, p, i * 100 + k * 10 + ind.ord, 400 + fy) AS hv,
                 klo()[kind] + (khi()[kind] - klo()[kind]) * ((h(mi, p, i * 100 + k * 10 + ind.ord, 399) % 1000) / 1000.0)
                   * (0.8 + 0.4 * ((h(mi, p, i * 100 + k * 10 + ind.ord, 400 + fy) % 1000) / 1000.0)) AS level
          FROM indicators ind, range({first_year}, {last_year + 1}) y(fy)
        )
        SELECT municipality, indicator_id, fy::BIGINT AS fiscal_year, labels()[fy - {first_year} + 1] AS fiscal_label,
               CASE WHEN hv % 100 < 3 THEN NULL ELSE round(level, kdec()[kind]) END AS value,
               CASE WHEN hv % 100 < 3 THEN 'no_value' ELSE 'reported' END AS value_status,
               CASE WHEN hv % 100 < 3 THEN '-'
                    WHEN kdec()[kind] = 0 THEN format('{{:,d}}', round(level)::BIGINT)
                    ELSE format('{{:.1f}}', round(level, 1)) END AS raw,
               {report_year}::BIGINT AS report_year, '{latest_label}' AS report_label, {latest_src} AS source_file,
               source_line
        FROM o
        ORDER BY municipality, indicator_id, fiscal_year;
    """)
    say("indicator_changes")
    con.execute("""
        CREATE TABLE indicator_changes AS
        WITH r AS (
          SELECT municipality, indicator_id, fiscal_year, fiscal_label, value,
                 row_number() OVER (PARTITION BY municipality, indicator_id ORDER BY fiscal_year DESC) AS rn
          FROM observations WHERE value_status = 'reported'
        ), two AS (
          SELECT a.municipality, a.indicator_id,
                 b.fiscal_year AS prev_year, b.fiscal_label AS prev_label, b.value AS prev_value,
                 a.fiscal_year AS latest_year, a.fiscal_label AS latest_label, a.value AS latest_value
          FROM r a JOIN r b ON a.municipality = b.municipality AND a.indicator_id = b.indicator_id
                            AND a.rn = 1 AND b.rn = 2
        )
        SELECT i.municipality, i.indicator_id, t.prev_year, t.prev_label, t.prev_value, t.latest_year, t.latest_label,
               t.latest_value, round(t.latest_value - t.prev_value, 1) AS delta,
               CASE WHEN t.prev_value = 0 THEN NULL ELSE (t.latest_value - t.prev_value) / abs(t.prev_value) * 100 END
                 AS delta_pct,
               CASE WHEN t.prev_value IS NULL THEN NULL
                    WHEN round(t.latest_value - t.prev_value, 1) > 0 THEN 'up'
                    WHEN round(t.latest_value - t.prev_value, 1) < 0 THEN 'down' ELSE 'flat' END AS direction,
               CASE WHEN t.prev_value IS NULL THEN i.indicator || 'は比較できる2年度分の値がありません。'
                    ELSE i.indicator || 'は' || t.prev_value || i.unit || 'から' || t.latest_value || i.unit || 'へ変化しました。'
               END AS summary
        FROM indicators i LEFT JOIN two t USING (municipality, indicator_id)
        ORDER BY i.municipality, i.measure_id, i.ord;
    """)
    say("flat_indicators")
    con.execute("""
        CREATE TABLE flat_indicators AS
        SELECT o.municipality, o.report_year, o.report_label, m.policy_no, m.policy_name, m.initiative_no,
               m.initiative_name, m.measure_id, m.purpose AS measure_purpose, m.departments, m.reflection,
               m.reflection_label, o.indicator_id, i.indicator, i.unit, o.fiscal_year, o.fiscal_label, o.value,
               o.value_status, i.note, o.source_file, o.source_line
        FROM observations o
        JOIN indicators i USING (municipality, indicator_id)
        JOIN measures m USING (municipality, measure_id)
        WHERE o.value_status <> 'not_reported'
        ORDER BY o.municipality, m.policy_no, m.measure_id, i.ord, o.fiscal_year;
    """)
    say("revisions, report_changes, reports, meta")
    con.execute(f"""
        CREATE TABLE revisions AS
        SELECT o.municipality, i.measure_id, o.indicator_id, i.indicator, o.fiscal_year, o.fiscal_label,
               round(o.value * 0.95, 1) AS old_value, 'reported' AS old_status, o.value AS new_value,
               'reported' AS new_status, {prev_src.replace('municipality', 'o.municipality')} AS old_report,
               o.source_file AS new_report, {prev_report_year}::BIGINT AS old_report_year,
               {report_year}::BIGINT AS new_report_year
        FROM observations o JOIN indicators i USING (municipality, indicator_id)
        WHERE o.value_status = 'reported' AND o.fiscal_year < {report_year}
          AND hash({S}, o.indicator_id, o.fiscal_year) % 1000 < 10
        ORDER BY o.municipality, o.indicator_id, o.fiscal_year;
        CREATE TABLE report_changes AS
        SELECT m.municipality, {prev_src.replace('municipality', 'm.municipality')} AS from_report,
               m.source_file AS to_report, {prev_report_year}::BIGINT AS from_year, {report_year}::BIGINT AS to_year,
               CASE m.c WHEN 0 THEN 'reflection_changed' WHEN 1 THEN 'indicator_added' ELSE 'measure_added' END AS kind,
               m.measure_id,
               CASE WHEN m.c = 1 THEN (SELECT any_value(indicator) FROM indicators i
                                       WHERE i.municipality = m.municipality AND i.measure_id = m.measure_id) END AS indicator,
               CASE WHEN m.c = 0 THEN CASE m.reflection WHEN 'A' THEN 'B' ELSE 'A' END END AS old,
               CASE m.c WHEN 0 THEN m.reflection WHEN 2 THEN m.purpose END AS new
        FROM (SELECT *, h(0, 0, hash(municipality, measure_id) % 100000, 500) % 3 AS c FROM measures) m
        WHERE hash({S}, m.municipality, m.measure_id) % 100 < 5
        ORDER BY m.municipality, kind, m.measure_id;
        CREATE TABLE reports AS
        SELECT src AS source_file, 'report' AS source_kind, md5(src) AS sha256,
               TIMESTAMP '2023-06-01 09:00:00' AS imported_at, municipality, ry::BIGINT AS report_year,
               fy_label(ry) AS report_label, 'utf-8' AS encoding, 100::BIGINT AS measures, 300::BIGINT AS indicators,
               0::BIGINT AS warnings
        FROM (SELECT municipality, {prev_src} AS src, {prev_report_year} AS ry FROM muni
              UNION ALL SELECT municipality, {latest_src}, {report_year} FROM muni)
        ORDER BY municipality, report_year;
    """)
    # indicator_meta: good direction for every 7th indicator, keyed by measure and indicator name (all munis).
    cols = ", ".join(f"{k} {v}" for k, v in store.META_COLUMNS.items())
    con.execute(f"CREATE TABLE indicator_meta ({cols})")
    con.execute("""
        INSERT INTO indicator_meta
        SELECT DISTINCT NULL, measure_id, indicator, CASE WHEN hash(indicator) % 2 = 0 THEN 'up' ELSE 'down' END,
               NULL, NULL, NULL
        FROM indicators WHERE hash(measure_id, indicator) % 7 = 0
    """)
    con.execute("".join(f"ALTER TABLE indicators DROP COLUMN {c};" for c in ("kind", "mi", "p", "i", "k")))
    # measures.units: the measure's (部, 課) pairs as a list, as store.build writes them (the filter macros read it).
    con.execute("""
        CREATE TABLE measures__u AS
        SELECT m.*, coalesce(u.units, []) AS units
        FROM measures m
        LEFT JOIN (SELECT municipality, measure_id, list(struct_pack(dept := dept, section := section) ORDER BY ord)
                          AS units
                   FROM measure_departments GROUP BY ALL) u USING (municipality, measure_id)
        ORDER BY m.municipality, m.measure_id;
        DROP TABLE measures;
        ALTER TABLE measures__u RENAME TO measures;
    """)
    con.execute(store.SCHEMA_SQL.read_text(encoding="utf-8"))
    con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.executemany("INSERT INTO meta VALUES (?, ?)", [
        ("schema_version", str(store.SCHEMA_VERSION)),
        ("built_at", "2023-06-01T09:00:00+00:00"),
        ("fingerprint", f"bench-national-{munis}-{seed}"),
        ("reports", json.dumps([f"national_{n}" for n in names[:3]] + ["…"], ensure_ascii=False)),
    ])
    for t in ("muni", "m0", "i0"):
        con.execute(f"DROP TABLE {t}")
    say("conforming to the schema of a store built by evaldash.store.build")
    conform(con, reference_schema())
    con.execute("CHECKPOINT store")
    counts = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
              for t in ("measures", "indicators", "observations", "flat_indicators", "revisions", "report_changes")}
    con.close()
    tmp.replace(db)
    return {"seconds": time.perf_counter() - start, "rows": counts, "bytes": db.stat().st_size}


def table_schemas(db: Path) -> dict[str, list[tuple[str, str]]]:
    """Tables and (column, type) of a store, and its table macros, for comparing two stores."""
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        tables = con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                             "ORDER BY 1").fetchall()
        out = {t: [(c[0], c[1]) for c in con.execute(f'DESCRIBE "{t}"').fetchall()] for (t,) in tables}
        out["__macros__"] = sorted(r[0] for r in con.execute(
            "SELECT function_name FROM duckdb_functions() WHERE function_type = 'table_macro' AND NOT internal").fetchall())
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("reports", help="write a corpus of report texts")
    r.add_argument("--out", required=True, type=Path)
    r.add_argument("--corpus", choices=sorted(CORPORA), help="one of the benchmark corpora")
    r.add_argument("--scale", type=float, default=1.0, help="indicators per report as a multiple of 25")
    r.add_argument("--munis", type=int, default=1)
    r.add_argument("--years", default="2019", help="report years (fiscal), e.g. 2019,2020")
    r.add_argument("--seed", type=int, default=DEFAULT_SEED)
    n = sub.add_parser("national", help="write the national-scale store")
    n.add_argument("--db", required=True, type=Path)
    n.add_argument("--munis", type=int, default=1700)
    n.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = ap.parse_args(argv)
    if args.cmd == "reports":
        spec = CORPORA[args.corpus] if args.corpus else CorpusSpec(
            "custom", args.munis, [int(y) for y in args.years.split(",")], max(1, round(args.scale * SEED_INDICATORS)),
            args.seed)
        t = time.perf_counter()
        expected = write_corpus(spec, args.out)
        size = sum((args.out / f).stat().st_size for f in expected)
        print(f"wrote {len(expected)} report(s), {size / 1e6:.2f} MB in {time.perf_counter() - t:.2f} s to {args.out}",
              file=sys.stderr)
        check_reports(args.out, expected)
        print("check: every report parses with no error and the planned counts", file=sys.stderr)
    else:
        info = write_national(args.db, args.munis, args.seed, progress=lambda m: print(m, file=sys.stderr))
        print(json.dumps(info, ensure_ascii=False), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
