"""The overview's figures as a workbook: one sheet per table, the numbers behind every chart."""
from .. import excel
from ..supervision import ranking


def _num(value):
    return None if value is None else float(value)


def workbook(f: dict) -> excel.Book:
    sheets = [
        ("督导批次", ["批次", "类型", "方式", "开始", "结束", "学校数", "已提交", "已通过", "逾期未交"],
         [[r.round.name, r.round.kind.value, r.round.mode.value, r.round.starts_on.isoformat(), r.round.ends_on.isoformat(), r.schools,
           r.handed_in, r.approved, r.late] for r in f["rounds"]]),
        ("学校得分", ["学校", "检查次数", "平均得分率%", "一票否决"],
         [[r.label, r.inspections, _num(r.average), r.critical] for r in f["by_school"]]),
        ("集团得分", ["教育集团", "检查次数", "平均得分率%", "一票否决"],
         [[r.label, r.inspections, _num(r.average), r.critical] for r in f["by_group"]]),
        ("等级分布", ["等级", "检查次数"], [list(row) for row in f["bands"]]),
        ("一票否决", ["检查日期", "学校", "督学", "得分率%"],
         [[i.visit_date.isoformat(), i.school.name, i.inspector.display_name if i.inspector else "", _num(i.percent)]
          for i in f["critical"]]),
        ("学期趋势", ["学期", "检查次数", "平均得分率%"], [[t.name, n, _num(avg)] for t, n, avg in f["trend"]]),
        ("整改-学校", ["学校", "待整改", "其中逾期"], [[r.label, r.open, r.overdue] for r in f["rect_schools"]]),
        ("整改-督学", ["责任督学", "待整改", "其中逾期"], [[r.label, r.open, r.overdue] for r in f["rect_inspectors"]]),
        ("规划完成", ["维度", "里程碑", "已完成", "按时完成", "逾期未完成", "未达成"],
         [[d.value, t.total, t.done, t.on_time, t.overdue, t.missed] for d, t in f["plans"]]),
    ]
    if f["ranking"] is not None:
        sheets.insert(1, ("排名", ["类别", "名次", "学校", "得分率%", "等级", "名次升降"],
                          [[s.category, ranking.rank_text(p), p.result.school, _num(p.result.percent), p.result.band or "",
                            ranking.change_text(p)] for s in f["ranking"].standings for p in s.places]))
    if f["observers"] is not None:
        sheets.append(("听课完成", ["听课人", "角色", "已听（节）", "任务（节）"],
                       [[r.name, r.role.value, r.count, r.quota] for r in f["observers"]]))
    book = excel.Book()
    for title, headers, rows in sheets:
        book.table(title, headers, rows)
    return book
