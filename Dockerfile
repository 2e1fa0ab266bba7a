# One image for web, worker and beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Static files are collected into the image; whitenoise serves them with far-future caching.
RUN DEBUG=0 SECRET_KEY=image-build-only python manage.py collectstatic --noinput --verbosity 0 \
    && useradd --system --uid 10001 --home-dir /app kam \
    && chown -R kam /app/staticfiles

USER kam
EXPOSE 8000

CMD ["gunicorn", "kam.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
