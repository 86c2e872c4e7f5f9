# git-sync: keeps a git repository checked out under /git and publishes each revision atomically.
# Build from the repository root after `pnpm run build` (scripts/build-images.sh does both):
#   docker build -f docker/git-sync.Dockerfile -t git-sync .
# NODE_IMAGE lets machines without Docker Hub use a local base (scripts/build-base-image.sh).
# Its default sets the images' Node.js version: the same in every Dockerfile (docs/containers.md).
ARG NODE_IMAGE=node:26.10.0-trixie-slim
FROM ${NODE_IMAGE}

ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="git-sync" \
      org.opencontainers.image.description="Sidecar that keeps a git repository checked out in a shared volume" \
      org.opencontainers.image.source="https://github.com/fortune-sidecar/fortune-sidecar" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"

# git and what it needs to clone over HTTPS and SSH; tini, to be PID 1: a git helper whose parent
# was killed is handed to PID 1, and Node.js waits only for the processes it started itself, so
# as PID 1 git-sync would leave such helpers as zombies (see apps/git-sync/README.md, Processes).
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates openssh-client tini \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log \
 && mkdir -p /git && chown 1000:1000 /git
WORKDIR /app
COPY apps/git-sync/dist/main.js /app/main.js
# The askpass program git runs for a password (GITSYNC_PASSWORD_FILE), found beside main.js.
COPY apps/git-sync/dist/assets /app/assets
# The demo git server of k8s/git-server and k8s/secret runs from this image, which has git:
# its repository's first commit, and its smart HTTP front (packages/git-server).
COPY packages/git-server/dist/main.js /app/git-http-server.js
COPY packages/git-server/seed-site.sh /app/seed-site.sh

# HOME is where git and ssh look for their user files; the root filesystem may be read-only.
ENV GITSYNC_ROOT=/git \
    GITSYNC_HTTP_PORT=8081 \
    HOME=/tmp \
    NODE_ENV=production
VOLUME ["/git"]
EXPOSE 8081
USER 1000:1000
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8081/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["tini", "--", "node", "/app/main.js"]
