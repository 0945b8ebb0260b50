"""gunicorn settings shared by `make run`, the production command in README.md and bench/soak.py.

    gunicorn -c gunicorn.conf.py --workers 4 --threads 4 --bind 127.0.0.1:8000 wsgi:app
"""
# The app is imported once, in the master, and the workers are forked from it: a server restarted
# after a crash (kill -9, OOM) answers in about one import of the app (≈1.5 s), instead of every
# worker importing it at once on a busy machine (6-23 s measured).
preload_app = True
# gunicorn 27 otherwise opens a control socket under ~/.gunicorn/.
control_socket_disable = True


def post_fork(_server, _worker):
    """A forked worker must not share database connections with the master or its siblings."""
    from portal.extensions import db
    from wsgi import app

    with app.app_context():
        db.engine.dispose(close=False)
