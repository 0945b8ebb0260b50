from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import ChecklistTemplate, FrozenVersionError, Item, Section, TemplateVersion, VersionStatus
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
        assert section_totals(project) == [8, 15, 20, 12, 8, 10, 10, 10, 7]
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
