# One image for the web process (gunicorn) and the Celery worker; docker-compose.yml picks the command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system app && useradd --system --gid app --home-dir /app --shell /usr/sbin/nologin app

WORKDIR /app

# Pinned dependencies first, so code changes do not reinstall them.
COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY --chown=app:app . .

# Static files are collected at build time.  The dummy SECRET_KEY exists only for this RUN: it is not an
# ENV, so the running container has no secret unless one is supplied (settings refuse to start without).
RUN SECRET_KEY=build-only-dummy-not-used-at-run-time DEBUG=0 python manage.py collectstatic --noinput \
    && mkdir -p /app/media \
    && chown -R app:app /app/staticfiles /app/media

USER app

ENV DEBUG=0 \
    MEDIA_ROOT=/app/media

EXPOSE 8000

# Workers, threads, timeouts and the bind address are in gunicorn.conf.py (read from /app by gunicorn itself).
# Put nginx in front (docker-compose.yml, deploy/nginx/): gunicorn alone is not meant to face slow clients.
CMD ["gunicorn", "recruiting.wsgi"]
