# sgdlab dashboard image.
#   docker build -t sgdlab .                              # ~1 GB, CPU-only torch
#   docker build -t sgdlab --build-arg WITH_CHROMIUM=1 .  # + PNG/SVG figure export, CJK fonts
#   docker run --rm -p 8501:8501 sgdlab                   # then open http://localhost:8501
# See docs/deploy.md for Kubernetes and for sizing a class.
FROM python:3.11-slim

# 1 = install Chromium (kaleido's static figure export) and Noto CJK fonts
# (Chinese labels); adds ~600 MB, so it is off by default.
ARG WITH_CHROMIUM=0

# One math thread per run (OMP/MKL): on a shared server parallelism comes from
# many students, and per-run thread pools only fight each other for the cores.
# No file watcher: the code in an image never changes, so watching only costs CPU.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    OMP_NUM_THREADS=1 \
    MKL_NUM_THREADS=1 \
    STREAMLIT_SERVER_FILE_WATCHER_TYPE=none \
    STREAMLIT_SERVER_PORT=8501 \
    STREAMLIT_SERVER_ADDRESS=0.0.0.0 \
    PYTHONPATH=/app

# Debian's chromium and fonts follow the base image's release, so their
# versions are pinned by the base image tag rather than line by line.
# hadolint ignore=DL3008
RUN if [ "$WITH_CHROMIUM" = "1" ]; then \
        apt-get update \
        && apt-get install -y --no-install-recommends chromium fonts-noto-cjk \
        && rm -rf /var/lib/apt/lists/*; \
    fi

# The app runs as an unprivileged user with a home of its own (caches,
# Streamlit's machine id); the code below stays owned by root, read-only to it.
RUN groupadd --gid 10001 sgdlab \
    && useradd --uid 10001 --gid sgdlab --create-home --home-dir /home/sgdlab \
        --shell /usr/sbin/nologin sgdlab

WORKDIR /app

# torch first and from the CPU-only index: the default index serves a build
# with CUDA libraries that are several GB and useless here. requirements.txt
# then finds torch==2.13.0 already satisfied.
COPY requirements.txt ./
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
    && pip install -r requirements.txt

COPY .streamlit/config.toml .streamlit/config.toml
COPY pyproject.toml app.py ./
COPY sgdlab ./sgdlab

USER 10001:10001
EXPOSE 8501

# No curl in the slim image: ask the health endpoint with the Python we have.
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4); sys.exit(r.status != 200)"]

CMD ["python", "-m", "streamlit", "run", "sgdlab/ui/server.py"]
