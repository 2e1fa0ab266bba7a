# One image for web, worker, beat and backup (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# pg_dump and pg_restore for the backup service (kam/backup.py); Pango and fonts for the client PDF
# (planning/client_pdf.py, WeasyPrint).
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client libpango-1.0-0 libpangoft2-1.0-0 \
       fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, so that a code change does not reinstall them.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Static files are collected into the image; whitenoise serves them with far-future caching. The
# settings refuse weak keys and a missing site address, so the build gets a random key of its own
# (used for nothing, kept nowhere) and a placeholder address.
RUN DEBUG=0 SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    KAM_SITE_URL=https://image-build.invalid python manage.py collectstatic --noinput --verbosity 0 \
    && useradd --system --uid 10001 --home-dir /app kam \
    && chown -R kam /app/staticfiles \
    && mkdir /backups /attachments && chown kam /backups /attachments && chmod 700 /attachments

# Attached files (kam/storage.py): a volume of their own in docker-compose.yml, unless an S3 bucket is set.
ENV KAM_ATTACHMENTS_DIR=/attachments

USER kam
EXPOSE 8000

# Workers, threads and timeout: gunicorn.conf.py, from KAM_WEB_WORKERS, KAM_WEB_THREADS and KAM_WEB_TIMEOUT.
CMD ["gunicorn", "kam.wsgi", "--config", "gunicorn.conf.py"]
