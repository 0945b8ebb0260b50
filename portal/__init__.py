"""Dudao (督导): the county education supervision office's intranet portal."""
from flask import Flask
from jinja2 import StrictUndefined
from werkzeug.middleware.proxy_fix import ProxyFix

from . import cli, config, errors, htmx, security, templating
from .extensions import configure_sqlite, csrf, db, login_manager, migrate
from .extensions import htmx as htmx_ext


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(config.INSTANCE),
        template_folder=str(config.ROOT / "templates"),
        static_folder=str(config.ROOT / "static"),
    )
    app.config.update(config.Config.for_env(overrides))
    config.check(app.config)
    if app.config["PROXY_COUNT"]:
        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    if app.config["TEMPLATES_STRICT"]:
        app.jinja_env.undefined = StrictUndefined

    db.init_app(app)
    migrate.init_app(app, db)
    login_manager.init_app(app)
    csrf.init_app(app)
    htmx_ext.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])

    from .accountability.views import bp as accountability_bp
    from .auth.views import bp as auth_bp
    from .balance.views import bp as balance_bp
    from .checklists.views import bp as checklists_bp
    from .classes.views import bp as classes_bp
    from .dashboard.views import bp as dashboard_bp
    from .documents.views import bp as documents_bp
    from .draws.views import bp as draws_bp
    from .files.views import bp as files_bp
    from .plans.views import bp as plans_bp
    from .rounds.views import bp as rounds_bp
    from .rectification.views import bp as rectification_bp
    from .observations.views import bp as observations_bp
    from .offline.views import bp as offline_bp
    from .schools.views import bp as schools_bp
    from .selfcheck.views import bp as selfcheck_bp
    from .supervision.views import bp as supervision_bp
    from .tasks.views import bp as tasks_bp
    from .teams.views import bp as teams_bp
    from .users.views import bp as users_bp
    from .visits.views import bp as visits_bp

    for bp in (accountability_bp, auth_bp, balance_bp, checklists_bp, classes_bp, dashboard_bp, documents_bp, draws_bp,
               files_bp, observations_bp, offline_bp, plans_bp, rectification_bp, rounds_bp, schools_bp, selfcheck_bp,
               supervision_bp, tasks_bp, teams_bp, users_bp, visits_bp):
        app.register_blueprint(bp)

    security.init_app(app)
    htmx.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    cli.init_app(app)
    return app
