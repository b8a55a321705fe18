"""gunicorn settings of the web process (issue 16, finding 4).  gunicorn reads ``./gunicorn.conf.py`` by itself, so
every ``gunicorn recruiting.wsgi`` started in the project folder uses them: the Dockerfile, docker-compose.yml and
the benchmarks.  Options on the command line override them.

Environment: ``GUNICORN_BIND`` (default ``0.0.0.0:8000``), ``WEB_CONCURRENCY`` (processes, default 3),
``GUNICORN_THREADS`` (threads per process, default 4).

Why ``gthread`` (docs/security.md, "Slow clients"): a sync worker is one process serving one connection from
the first header byte to the last body byte, so a handful of clients uploading at 1 byte/s held every worker and
``/healthz`` stopped answering.  nginx in front (deploy/nginx/recruiting.conf.template) is the defence: it reads
each request body in full before gunicorn sees it, and reads responses off gunicorn at loopback speed.  Behind it
``gthread`` adds what sync cannot: keep-alive connections from nginx, a request waiting on PostgreSQL, Redis or the
broker check of ``/healthz`` holds one thread rather than the process, and a client that reaches gunicorn directly
holds a thread, not a worker.  No monkey-patching (gevent would need it, for psycopg and Celery's Redis client);
Django and the code here keep no per-request state in globals, and each thread has its own database connection
(``CONN_MAX_AGE``), so ``WEB_CONCURRENCY × GUNICORN_THREADS`` connections at most.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 60
graceful_timeout = 30
# nginx keeps idle upstream connections up to its keepalive_timeout (60 s, the default): gunicorn must not close
# them first, or nginx may send a request on a connection being closed.
keepalive = 75
accesslog = "-"
# Whether a request came over HTTPS is Django's decision alone (SECURE_PROXY_SSL_HEADER, from
# TRUST_X_FORWARDED_PROTO): gunicorn would otherwise believe X-Forwarded-Proto from any client on loopback.
forwarded_allow_ips = ""


def post_worker_init(worker):
    """Before a worker serves, build its skill extractor and load the stored text model
    (``matching.model_store.caches_warm``): on a cold worker the first requests that explain scores paid ~4 s."""
    from matching.model_store import caches_warm

    caches_warm()
