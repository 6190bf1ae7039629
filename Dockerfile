# billdiff's production web app: gunicorn (billdiff/gunicorn_conf.py) serving the bundled
# dossier, or a corpus mounted at /data (BILLDIFF_BILLS=/data).  See the README, "Docker".
#
#   docker build -t billdiff .
#   docker run --rm -p 8000:8000 -e BILLDIFF_SECRET_KEY=... \
#       -e BILLDIFF_SITE_URL=https://bills.example.org billdiff
#
# Untested where it was written (no Docker engine there); tests/test_install.py checks that
# every file and command it names exists, and builds it where Docker runs.
FROM python:3.11-slim-bookworm

# WeasyPrint's libraries (the ones billdiff.pdf.WEASYPRINT_LIBRARIES names) and the fact
# sheet's fonts (Liberation Sans, DejaVu Sans as the fallback).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libglib2.0-0 libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
        libfontconfig1 fonts-liberation fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY pyproject.toml README.md ./
COPY billdiff ./billdiff
RUN pip install --no-cache-dir . && rm -rf /src

# Never root: a user of its own, with a cache folder it can write.
RUN useradd --system --create-home --uid 10001 billdiff
USER billdiff
WORKDIR /home/billdiff
ENV BILLDIFF_ENV=production \
    BILLDIFF_CACHE_DIR=/home/billdiff/.cache/billdiff \
    PYTHONUNBUFFERED=1

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=8).status != 200)"]
# Listen on every interface inside the container; publish the port to a reverse proxy only.
CMD ["billdiff", "serve", "--production", "--host", "0.0.0.0", "--port", "8000"]
