"""The rubrics (听课评价表): checklist templates of kind RUBRIC, edited, versioned and published in
the template editor (portal/checklists). Every dimension is a POINTS item; the bands grade the total.

The default rubric is shared/domain/observation-rubric.md; it is loaded with the demo county (an
office without one creates its own in the template editor's 听课评价表 tab).
"""
from ..checklists.versions import STARTING_BANDS
from ..models import AnswerType, ChecklistTemplate, TemplateKind, TemplateVersion
from ..supervision.catalog import published
from ..supervision.forms import current_versions

NAME = "推门听课课堂教学评价表"
DESCRIPTION = "课堂教学评价，满分 100 分；等级：优 ≥ 90，良 75-89，中 60-74，差 < 60"
BANDS, BELOW = STARTING_BANDS[TemplateKind.RUBRIC]
DIMENSIONS = [
    ("课堂教学评价", [
        ("教学目标：明确，符合课程标准和学生实际", 10, ""),
        ("教学内容：准确，重点难点处理得当，知识体系清晰，联系生活实际", 15, ""),
        ("教学方法与手段：启发式、互动式、探究式教学，因材施教，信息技术运用得当", 20, ""),
        ("教学过程与组织：结构合理、节奏得当，时间利用充分，课堂常规良好", 20, ""),
        ("学生参与与学习状态：学生思考、提问、合作、探究，参与面广", 20, ""),
        ("教学效果：目标达成，当堂检测", 10, ""),
        ("教师素养：语言、板书、教态，应变能力", 5, ""),
    ]),
]


def load_default_rubric() -> ChecklistTemplate:
    """Create the default rubric as a published version 1 (added, not committed)."""
    return published(NAME, DESCRIPTION, AnswerType.POINTS, DIMENSIONS, kind=TemplateKind.RUBRIC,
                     bands=BANDS, below=BELOW)


def current() -> list[TemplateVersion]:
    """Each rubric's newest published version: what a new observation is scored with."""
    return current_versions(TemplateKind.RUBRIC)

