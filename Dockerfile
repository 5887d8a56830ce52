# veilleur: the scheduler (`veilleur run`) and the site server (`veilleur serve`).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update && apt-get install -y --no-install-recommends ocrmypdf tesseract-ocr \
        tesseract-ocr-fra ghostscript poppler-utils && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 veilleur
WORKDIR /app
COPY . /app
RUN pip install --no-cache-dir -e . && mkdir -p /data && chown veilleur /data
USER veilleur
WORKDIR /data
ENV VEILLEUR_DATABASE_URL=sqlite:////data/veilleur.db VEILLEUR_SITE_DIR=/data/site
CMD ["veilleur", "run"]
