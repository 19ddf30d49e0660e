# syntax=docker/dockerfile:1
#
# Atende: ONE image for all seven services. The container's ATENDE_SERVICE environment variable
# chooses the service (tickets, chat, mail-ingest, notifier, files, insights, gateway); the default command
# runs `python -m <its module>` and the HEALTHCHECK probes that service's own /healthz on its private
# ops port (8101-8106, gateway 8100; ATENDE_<SERVICE>_OPS_PORT moves it). The gateway's public API is
# on port 8000 (ATENDE_GATEWAY_HTTP_PORT); the files service takes attachment bytes from the gateway
# on its private port 8005 (ATENDE_FILES_INTERNAL_PORT).
# The launcher is deploy/docker/service.py.
#
#   docker build -t atende:dev .
#   docker run --rm -e ATENDE_SERVICE=gateway -p 8000:8000 atende:dev
#
# Kubernetes ignores HEALTHCHECK and uses the probes in deploy/k8s/base instead.
#
# The base image is pinned by tag only. Pinning by digest (python:3.11.16-slim-trixie@sha256:...)
# would be stronger, but resolving the digest needs the container registry, which this project's
# build machines cannot reach; add it where a registry is reachable
# (`docker buildx imagetools inspect python:3.11.16-slim-trixie`).

ARG PYTHON_IMAGE=python:3.11.16-slim-trixie

# --- build: a virtualenv with the runtime dependencies and our packages (no devstack, no tests) ---
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore
WORKDIR /src

# Third-party packages first (better layer caching): only those of requirements/runtime.in, at the
# versions requirements/lock.txt pins (the lock is used as constraints, so none of its dev tools
# get in). pip, setuptools and wheel live in a throwaway venv (/opt/buildtools) that builds and
# installs into /opt/venv, which therefore holds no packaging tools at all.
COPY requirements/runtime.in requirements/lock.txt requirements/
RUN python -m venv /opt/buildtools \
 && /opt/buildtools/bin/pip install -c requirements/lock.txt pip setuptools wheel \
 && python -m venv --without-pip /opt/venv \
 && /opt/buildtools/bin/pip --python /opt/venv/bin/python install \
        -c requirements/lock.txt -r requirements/runtime.in

# Our own packages, installed as regular (non-editable) wheels, without dependencies.
COPY contracts/ contracts/
COPY plumbing/ plumbing/
COPY services/ services/
RUN /opt/buildtools/bin/pip wheel --no-deps --no-build-isolation --wheel-dir /wheels \
        ./contracts ./plumbing ./services/* \
 && /opt/buildtools/bin/pip --python /opt/venv/bin/python install --no-deps /wheels/*.whl

# --- runtime ---
FROM ${PYTHON_IMAGE} AS runtime
# PYTHONOPTIMIZE: the services run without asserts, as `make up` and the benchmarks run them; the
# eventsourcing library asserts a protocol check per event, which makes loading a ticket ~3× slower.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONOPTIMIZE=1 \
    PATH=/opt/venv/bin:$PATH \
    ATENDE_SERVICE="" \
    ATENDE_TICKETS_OPS_HOST=0.0.0.0 \
    ATENDE_CHAT_OPS_HOST=0.0.0.0 \
    ATENDE_MAIL_INGEST_OPS_HOST=0.0.0.0 \
    ATENDE_NOTIFIER_OPS_HOST=0.0.0.0 \
    ATENDE_FILES_OPS_HOST=0.0.0.0 \
    ATENDE_INSIGHTS_OPS_HOST=0.0.0.0 \
    ATENDE_GATEWAY_OPS_HOST=0.0.0.0 \
    ATENDE_GATEWAY_HTTP_HOST=0.0.0.0 \
    ATENDE_FILES_INTERNAL_HOST=0.0.0.0

# libmagic: the files service's content inspection (python-magic loads it). Not pinned to a
# version: the pinned base image fixes the Debian release, and within it we want its security fixes.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends libmagic1 \
 && rm -rf /var/lib/apt/lists/*

# A fixed, unprivileged uid/gid 10001 (Kubernetes' runAsUser matches it).
RUN groupadd --system --gid 10001 atende \
 && useradd --system --uid 10001 --gid atende --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin atende

COPY --from=build /opt/venv /opt/venv
COPY deploy/docker/service.py /opt/atende/service.py

USER 10001:10001
WORKDIR /opt/atende
EXPOSE 8000 8005 8100 8101 8102 8103 8104 8105 8106
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "/opt/atende/service.py", "healthcheck"]
CMD ["python", "/opt/atende/service.py", "run"]
