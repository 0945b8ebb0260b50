"""Production entry point: gunicorn -c gunicorn.conf.py -w 4 -b 127.0.0.1:8000 wsgi:app (see README.md)"""
from portal import create_app

app = create_app()
