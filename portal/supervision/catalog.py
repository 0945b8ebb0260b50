"""The starting checklist templates (from shared/domain/checklists.md), loaded with the demo county.

Each entry: (section title, [(item text, max points, flags)]); flags: "critical" (★ 一票否决),
"photo" (📷 evidence required when not met). The office edits them in the portal as new versions.
"""
from decimal import Decimal

from ..extensions import db
from ..models import (AnswerType, ChecklistTemplate, EvidenceRule, Item, Section, TemplateKind, TemplateVersion,
                      VersionStatus, utcnow)

COMPREHENSIVE = ("学校综合督导检查表", "常规/综合督导，责任督学职责并入，满分 100 分", AnswerType.POINTS, [
    ("一、学校常规管理", [
        ("校务管理规范：党组织领导的校长负责制落实，“三重一大”集体决策，校务会议和教代会按期召开", 5, ""),
        ("规章制度健全，办学章程和“一训三风”清晰", 4, ""),
        ("招生、收费、择校行为规范：免试就近入学，无违规招生", 6, "critical photo"),
    ]),
    ("二、教学管理", [
        ("开齐开足开好国家课程，不随意增减课时、改变难度、调整进度", 6, "critical"),
        ("教学常规落实：备课、上课、作业布置与批改、辅导、检测评价（抽查教案和作业）", 8, "photo"),
        ("集体备课和校本教研定期开展，有记录", 6, ""),
    ]),
    ("三、安全管理", [
        ("校园及周边安全：门卫、监控、消防设施完好，无重大安全隐患", 7, "critical photo"),
        ("食堂、饮水、宿舍卫生达标", 5, "photo"),
        ("应急预案和演练", 3, ""),
    ]),
    ("四、课堂教学", [
        ("推门听课：随机听课节次，课堂教学达标（听课记录）", 10, ""),
        ("校长和中层干部听评课制度落实", 5, ""),
    ]),
    ("五、素质教育", [
        ("德智体美劳“五育并举”，劳动教育和综合实践活动开展", 5, ""),
        ("学生每天校内体育活动不少于1小时", 5, ""),
        ("课后服务开展，学生参与面", 5, ""),
    ]),
    ("六、学生养成教育", [("行为习惯和德育活动，心理健康教育，关爱留守儿童等", 8, "")]),
    ("七、师德师风", [("师德考核和负面清单落实，无有偿补课等违规行为", 7, "critical")]),
    ("八、学校经费使用", [("公用经费使用规范，账目公开", 5, "")]),
])

PROJECT_SCHOOL = ("公办强校项目学校专项督导", "公办强校九项举措，满分 100 分", AnswerType.POINTS, [
    ("一、明确办学方向", [("党组织领导的校长负责制", 3, ""), ("办学理念、“一训三风”、办学章程", 3, ""),
                    ("团队组织配备（少先队辅导员、团组织）", 2, "")]),
    ("二、规范办学行为", [("免试就近入学，“小升初”整班移交，无违规招生和迫使学生转学退学", 5, "critical"),
                    ("均衡编班，不分重点班、快慢班", 5, "critical photo"),
                    ("落实国家课程方案和课程标准，教辅管理合规", 5, "")]),
    ("三、提升学校管理", [("对标《义务教育学校管理标准》", 4, ""), ("作业、睡眠、手机、读物、体质“五项管理”", 5, "photo"),
                    ("“三重一大”决策和教代会", 3, ""), ("留守儿童等关爱机制，无辍学", 3, ""),
                    ("集体备课、校本教研和推门听课制度", 3, ""), ("学困生帮扶，低分率和零分率下降", 2, "")]),
    ("四、提高课程教学质量", [("德育、体育、美育、劳动教育课程", 4, ""), ("劳动教育和综合实践活动", 3, ""),
                      ("校本教研精准分析教情学情", 3, ""), ("定期教学质量分析和改进", 2, "")]),
    ("五、加强教育科研支撑", [("学科教研组建设", 4, ""), ("教研活动机制和成果", 4, "")]),
    ("六、发展集团（分校）带动", [("参与集团化/学区化办学，定期联合教研", 5, ""), ("骨干教师有序流动", 3, ""),
                        ("集团内管理、课程、教师发展、考核一体化", 2, "")]),
    ("七、教师发展专业成长", [("教师三年培养规划和目标责任书", 4, ""), ("三年内培养名校长或两名以上教学名师", 3, ""),
                      ("听课、说课、评课、议课常态化", 3, "")]),
    ("八、学生健康发展", [("每位学生掌握1-2项运动技能", 3, ""), ("1-2项艺术专长", 3, ""),
                    ("劳动和社会实践：小学每学年1次社会服务和1种职业体验，初中至少2次和2种", 4, "")]),
    ("九、评价监测保障", [("国家义务教育质量监测参与和结果运用", 4, ""), ("过程性、发展性评价", 3, "")]),
])

FIVE_RULES = ("“五项管理”专项督导", "作业、睡眠、手机、读物、体质，逐项判定是否达到要求", AnswerType.YES_NO, [
    ("“五项管理”", [
        ("作业：小学一、二年级不布置书面家庭作业；三至六年级书面作业平均完成时间不超过60分钟；初中不超过90分钟；作业公示和统筹", 20, "photo"),
        ("睡眠：小学生每天睡眠10小时，初中生9小时，高中生8小时；上午上课时间小学不早于8:20，中学不早于8:00", 20, ""),
        ("手机：原则上不得带入课堂；确需带入校园的须家长书面申请，进校后统一保管", 20, "photo"),
        ("读物：进校园课外读物经过审核，有目录和记录", 20, ""),
        ("体质：每天校内、校外各1小时体育活动；体质健康测试，合格率 ≥ 98 %", 20, ""),
    ]),
])

TEACHING_ROUTINE = ("教学常规检查", "按学科组抽查，逐项评定 优/良/合格/不合格 并说明", AnswerType.GRADE, [
    ("教学常规", [
        ("备课：教案完整、集体备课痕迹", 20, ""), ("上课：课堂常规", 20, ""),
        ("作业布置与批改：量适当、批改及时、有订正", 20, ""), ("辅导：学困生帮扶记录", 10, ""),
        ("检测与质量分析：命题、成绩分析、改进措施", 20, ""), ("校本教研：活动记录", 10, ""),
    ]),
])

BUILTIN = [COMPREHENSIVE, PROJECT_SCHOOL, FIVE_RULES, TEACHING_ROUTINE]


def _evidence(flags: str) -> EvidenceRule:
    return EvidenceRule.PHOTO if "photo" in flags else EvidenceRule.NONE


def published(name: str, description: str, answer_type: AnswerType, sections, *,
              kind: TemplateKind = TemplateKind.CHECKLIST, bands=None, below: str | None = None) -> ChecklistTemplate:
    """A template with `sections` as its published version 1 (added to the session)."""
    version = TemplateVersion(number=1, status=VersionStatus.PUBLISHED, published_at=utcnow())
    if bands is not None:
        version.bands, version.below_band = [list(b) for b in bands], below
    for s, (title, items) in enumerate(sections, start=1):
        section = Section(position=s, title=title)
        for i, (text, points, flags) in enumerate(items, start=1):
            section.items.append(Item(
                position=i, text=text, answer_type=answer_type, max_points=Decimal(points),
                critical="critical" in flags, evidence=_evidence(flags),
                na_allowed=answer_type is not AnswerType.POINTS,
            ))
        version.sections.append(section)
    template = ChecklistTemplate(name=name, description=description, kind=kind, versions=[version])
    db.session.add(template)
    return template


def load_builtin_templates() -> list[ChecklistTemplate]:
    """Create the four starting templates, each as a published version 1."""
    return [published(*entry) for entry in BUILTIN]
