from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import (ChecklistTemplate, FrozenVersionError, Item, SchoolKind, Section, TemplateVersion,
                           VersionStatus)
from portal.supervision.catalog import load_builtin_templates


@pytest.fixture
def templates(app):
    with app.app_context():
        load_builtin_templates()
        db.session.commit()
    return app


def section_totals(version):
    return [sum(item.max_points for item in section.items) for section in version.sections]


def test_builtin_templates_load_with_their_totals(templates):
    with templates.app_context():
        by_name = {t.name: t for t in db.session.scalars(select(ChecklistTemplate))}
        comprehensive = by_name["学校综合督导检查表"].versions[0]
        assert section_totals(comprehensive) == [15, 20, 15, 15, 15, 8, 7, 5]
        assert sum(section_totals(comprehensive)) == 100
        project = by_name["公办强校项目学校专项督导"].versions[0]
        assert section_totals(project) == [10, 14, 18, 14, 7, 8, 9, 10, 10]
        project_text = " ".join(i.text for s in project.sections for i in s.items)
        for point in ("社会主义核心价值观", "法治教育", "安全教育", "心理健康教育", "综合素质评价", "不低于98%", "阶段目标按期完成"):
            assert point in project_text
        critical = [i.text[:4] for s in comprehensive.sections for i in s.items if i.critical]
        assert len(critical) == 4
        assert all(v.status is VersionStatus.PUBLISHED for t in by_name.values() for v in t.versions)


def content(version: TemplateVersion):
    """What a published version fixes: its bands, sections and items with their points."""
    return version.bands, [(section.title, [(item.text, item.max_points) for item in section.items])
                           for section in version.sections]


@pytest.mark.parametrize("change", ["edit_item", "add_item", "delete_section", "edit_bands"])
def test_published_version_never_changes(templates, change):
    with templates.app_context():
        version = db.session.scalars(select(TemplateVersion)).first()
        item = version.sections[0].items[0]
        version_id, before = version.id, content(version)
        if change == "edit_item":
            item.max_points = Decimal(99)
        elif change == "add_item":
            version.sections[0].items.append(Item(position=9, text="新增", max_points=Decimal(1)))
        elif change == "delete_section":
            db.session.delete(version.sections[0])
        else:
            version.bands = [[50, "好"]]
        with pytest.raises(FrozenVersionError):
            db.session.commit()
        db.session.rollback()
    with templates.app_context():  # read back afresh: nothing of the change arrived
        assert content(db.session.get(TemplateVersion, version_id)) == before


def test_a_published_version_can_be_retired(templates):
    with templates.app_context():
        version = db.session.scalars(select(TemplateVersion)).first()
        version_id = version.id
        version.status = VersionStatus.RETIRED
        db.session.commit()
    with templates.app_context():
        assert db.session.get(TemplateVersion, version_id).status is VersionStatus.RETIRED


def test_a_draft_version_can_be_edited_then_published(templates):
    with templates.app_context():
        template = db.session.scalars(select(ChecklistTemplate)).first()
        draft = TemplateVersion(number=2, sections=[Section(position=1, title="一、试行", items=[
            Item(position=1, text="试行项目", max_points=Decimal(10))])])
        template.versions.append(draft)
        db.session.commit()
        draft.sections[0].items[0].max_points = Decimal(20)
        db.session.commit()
        draft.status = VersionStatus.PUBLISHED
        db.session.commit()
        draft.sections[0].items[0].text = "改动"
        with pytest.raises(FrozenVersionError):
            db.session.flush()


def test_every_starting_item_has_a_written_standard_and_the_kinds_are_named(templates):
    with templates.app_context():
        by_name = {t.name: t for t in db.session.scalars(select(ChecklistTemplate))}
        items = [i for t in by_name.values() for s in t.versions[0].sections for i in s.items]
        assert len(items) >= 64 and all(len(i.standard) >= 15 for i in items)
        assert all(t.school_kinds for t in by_name.values())  # none fits "every kind" by accident
        kindergarten = by_name["幼儿园保育教育督导检查表"]
        assert kindergarten.school_kinds == ["KINDERGARTEN"] and not by_name["学校综合督导检查表"].fits(SchoolKind.KINDERGARTEN)
        assert section_totals(kindergarten.versions[0]) == [20, 20, 20, 15, 10, 15]
        taught_early = kindergarten.versions[0].sections[1].items[0]
        assert "拼音" in taught_early.text and taught_early.critical


def test_five_rules_has_one_item_per_phone_rule_and_classroom_phones_are_absolute(templates):
    with templates.app_context():
        five = db.session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.name == "“五项管理”专项督导"))
        phones = next(s for s in five.versions[0].sections if "手机" in s.title).items
        assert [i.text[:6] for i in phones] == ["学生手机原则", "确需带入校园", "禁止带入课堂", "教师不得用手", "设立公共电话"]
        assert [i.critical for i in phones] == [False, False, True, False, False]
        homework = five.versions[0].sections[0].items
        assert homework[0].na_kinds == ["JUNIOR", "COMPLETE_SECONDARY", "SENIOR"]  # 一、二年级: a primary rule


def test_teaching_routine_is_rated_per_subject_group_with_reflection(templates):
    with templates.app_context():
        routine = db.session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.name == "教学常规检查"))
        version = routine.versions[0]
        assert [s.title[2:4] for s in version.sections] == ["语文", "数学", "英语", "综合"]
        assert all(s.items[-1].text.startswith("反思改进") and len(s.items) == 7 for s in version.sections)
        assert version.bands == [[90, "优"], [80, "良"], [60, "合格"]] and version.below_band == "不合格"
