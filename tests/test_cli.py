from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Role, School, User


def test_seed_demo_builds_a_believable_county(runner, app):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0 and "dudao2026" in result.output
    with app.app_context():
        schools = db.session.scalars(select(School)).all()
        assert 25 <= len(schools) <= 40
        assert len({s.education_group for s in schools}) == 5
        assert len({s.township for s in schools}) >= 6
        roles = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
        assert roles[Role.ADMIN] == 1 and roles[Role.INSPECTOR] == 6 and roles[Role.LEADER] == 2
        assert roles[Role.PRINCIPAL] == len(schools)
        inspector = db.session.scalar(select(User).where(User.username == "duxue1"))
        assert len(inspector.schools) == 5
    again = runner.invoke(args=["seed-demo"])
    assert "已有学校" in again.output


def test_create_user(runner, app, make_school):
    make_school(code="360001")
    result = runner.invoke(args=["create-user", "wang", "--name", "王校长", "--role", "principal",
                                 "--school", "360001", "--password", "long-enough-1"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "wang"))
        assert user.role is Role.PRINCIPAL and user.school.code == "360001"


def test_create_user_principal_needs_school(runner):
    result = runner.invoke(args=["create-user", "li", "--name", "李", "--role", "principal", "--password", "long-enough-1"])
    assert result.exit_code != 0 and "--school" in result.output


def test_backup_makes_a_consistent_copy(runner, app, make_school, tmp_path):
    import sqlite3


    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        result = runner.invoke(args=["backup"])
        assert result.exit_code != 0 and "pg_dump" in result.output
        return
    make_school(name="备份小学")
    result = runner.invoke(args=["backup", "--to", str(tmp_path)])
    assert result.exit_code == 0, result.output
    copy = next(tmp_path.glob("dudao-*.sqlite3"))
    names = [row[0] for row in sqlite3.connect(copy).execute("select name from school")]
    assert names == ["备份小学"]


def test_the_demo_inspects_every_school_with_a_checklist_that_fits_it(runner, app):
    from portal.models import Inspection, Round, SchoolKind
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        inspections = db.session.scalars(select(Inspection)).all()
        assert all(i.version.template.fits(i.school.kind) for i in inspections)
        kindergartens = [i for i in inspections if i.school.kind is SchoolKind.KINDERGARTEN]
        assert kindergartens and {i.version.template.name for i in kindergartens} == {"幼儿园保育教育督导检查表"}
        five_rules = db.session.scalar(select(Round).where(Round.name.contains("五项管理")))
        assert {i.school.kind for i in five_rules.inspections} <= {SchoolKind.PRIMARY, SchoolKind.JUNIOR,
                                                                   SchoolKind.NINE_YEAR}
        assert "小学、初中、九年一贯制" in five_rules.school_draw.rule and "不含教学点" in five_rules.school_draw.rule
