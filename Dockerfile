# The dashboard as an image: one process serving one replica; data on a volume at /data.
# Build:  docker build -t evaldash .
# A base made elsewhere (any Debian bookworm with python3 and python3-venv):
#         docker build --build-arg BASE=my-bookworm-python -t evaldash .
ARG BASE=python:3.11-slim-bookworm
FROM ${BASE}

ENV DEBIAN_FRONTEND=noninteractive \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Noto CJK: the charts and the PowerPoint/Excel exports draw Japanese text.
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-cjk ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt ./
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir -r requirements.txt

COPY .streamlit ./.streamlit
COPY dashboard.py pyproject.toml ./
COPY evaldash ./evaldash
COPY pages ./pages
COPY queries ./queries
# The bundled reports seed an empty volume on the first start (deploy/entrypoint.sh).
COPY data ./seed
COPY deploy/entrypoint.sh deploy/healthcheck.py /usr/local/lib/evaldash/

RUN useradd --system --uid 10001 --home-dir /home/evaldash --create-home evaldash \
 && mkdir -p /data && chown evaldash:evaldash /data \
 && rm -f ./seed/evaldash.duckdb ./seed/*.lock ./seed/audit.log

ENV PATH=/opt/venv/bin:$PATH \
    EVALDASH_REPORTS=/data/reports \
    EVALDASH_DB=/data/evaldash.duckdb \
    EVALDASH_META=/data/indicator_meta.csv \
    EVALDASH_AUDIT_LOG=/data/audit.log \
    EVALDASH_MODE=read-only \
    STREAMLIT_SERVER_ADDRESS=0.0.0.0 \
    STREAMLIT_SERVER_PORT=8501

USER evaldash
VOLUME ["/data"]
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python3", "/usr/local/lib/evaldash/healthcheck.py"]
ENTRYPOINT ["/bin/sh", "/usr/local/lib/evaldash/entrypoint.sh"]
