"""flask commands: seed-demo, create-user, import-schools, backup, jobs work, duban run."""
import signal
import sqlite3
import sys
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from . import jobs
from .extensions import db
from .models import Role, School, User


def init_app(app) -> None:
    app.cli.add_command(seed_demo)
    app.cli.add_command(create_user)
    app.cli.add_command(backup)
    app.cli.add_command(import_schools)
    app.cli.add_command(job_commands)
    app.cli.add_command(duban_commands)


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Load the demo county (does nothing when schools already exist)."""
    from .demo import DEMO_PASSWORD, seed

    if seed():
        db.session.commit()
        click.echo(f"示范县数据已载入。所有演示账号的密码：{DEMO_PASSWORD}")
    else:
        click.echo("数据库中已有学校，未载入示范数据。")


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option("--name", "display_name", required=True, help="显示姓名")
@click.option("--role", type=click.Choice([r.name.lower() for r in Role]), required=True)
@click.option("--school", "school_code", help="校长、学校中层所在学校的代码")
@click.password_option(help="初始密码（至少 8 位）")
def create_user(username, display_name, role, school_code, password):
    """Create a user (the first admin on a new installation)."""
    from .auth.passwords import MIN_LENGTH, hash_password

    if len(password) < MIN_LENGTH:
        raise click.BadParameter(f"密码至少 {MIN_LENGTH} 位", param_hint="password")
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise click.BadParameter(f"用户名 {username} 已存在", param_hint="username")
    school = None
    if role in ("principal", "staff"):
        school = db.session.scalar(select(School).where(School.code == (school_code or "")))
        if school is None:
            raise click.BadParameter(f"{Role[role.upper()].value}须用 --school 指定已存在的学校代码", param_hint="--school")
    db.session.add(User(username=username, display_name=display_name, role=Role[role.upper()],
                        school=school, password_hash=hash_password(password)))
    db.session.commit()
    click.echo(f"已创建用户 {username}。")


@click.command("backup")
@with_appcontext
@click.option("--to", "folder", type=click.Path(file_okay=False), help="备份目录（默认 instance/backups）")
def backup(folder):
    """A consistent copy of the SQLite database, safe while the app is running."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        click.echo("PostgreSQL：请用 pg_dump 备份，例如 pg_dump -Fc -f dudao-$(date +%F).dump \"$DATABASE_URL\"")
        raise SystemExit(1)
    target_dir = Path(folder or current_app.config["BACKUP_FOLDER"])
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"dudao-{datetime.now():%Y%m%d-%H%M%S}.sqlite3"
    source = sqlite3.connect(url.database)
    dest = sqlite3.connect(target)
    with dest:
        source.backup(dest)  # SQLite's online backup API: a consistent snapshot under WAL
    dest.close()
    source.close()
    click.echo(f"已备份到 {target}（上传的文件在 {current_app.config['UPLOAD_FOLDER']}，请一并复制）")


@click.command("import-schools")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_schools(path: Path):
    """Import the school roster from an Excel file (.xlsx): every row checked, all or nothing."""
    from .schools import roster

    with path.open("rb") as stream:
        data = stream.read(roster.MAX_BYTES + 1)
    try:
        outcome = roster.import_roster(data)
    except roster.RosterError as error:
        click.echo(f"{path.name}：{error}", err=True)
        raise SystemExit(1) from None
    if outcome.errors:
        for error in outcome.errors:
            click.echo(str(error), err=True)
        click.echo(f"共 {len(outcome.errors)} 处错误，未导入任何数据。", err=True)
        raise SystemExit(1)
    db.session.commit()
    click.echo(f"导入完成：{outcome.summary}。")


job_commands = click.Group("jobs", help="Background jobs (portal/jobs.py): 公文 batches.")


@job_commands.command("work")
@click.option("--once", is_flag=True, help="Run the queued jobs, then stop (otherwise wait for new ones).")
@click.option("--interval", default=3.0, help="Seconds between polls of the database (JOBS=worker).")
@with_appcontext
def jobs_work(once, interval):
    """Run queued jobs: from the database (JOBS=worker) or from Redis (JOBS=rq)."""
    # Stopped by `make run`'s Ctrl-C or a service manager: exit as on Ctrl-C, so the PDF workers are shut
    # down too. A job cut short stays running and is taken back once it has stalled.
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        jobs.work(once, interval, lambda job: click.echo(
            f"任务 {job.id}：{job.status.value}，{job.done}/{job.total}，失败 {len(job.failures)}"))
    finally:
        signal.signal(signal.SIGTERM, previous)


duban_commands = click.Group("duban", help="督办 (portal/accountability/escalation.py): overdue rectification items.")


@duban_commands.command("run")
@click.option("--queue", "queued", is_flag=True, help="Leave the run to the job worker instead of running it here.")
@with_appcontext
def duban_run(queued):
    """Apply the escalation rules to today's overdue items (the office's cron, daily). Safe to repeat."""
    from .accountability import escalation

    job = escalation.start()
    if queued:
        jobs.enqueue(job)
        click.echo(f"督办检查 {job.id} 已排队。")
        return
    job = jobs.run(type(job), job.id)
    click.echo(f"督办检查 {job.id}：{job.status.value}，督办通知 {job.notices} 份，报领导 {job.leaders} 项。")
    if job.failures:
        raise SystemExit(1)
