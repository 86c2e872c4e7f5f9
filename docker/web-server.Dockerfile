# web-server: serves /usr/share/fortune/html read-only on port 8080.
# Build from the repository root after `pnpm run build` (scripts/build-images.sh does both):
#   docker build -f docker/web-server.Dockerfile -t web-server .
# NODE_IMAGE lets machines without Docker Hub use a local base (scripts/build-base-image.sh).
# Its default sets the images' Node.js version: the same in every Dockerfile (docs/containers.md).
ARG NODE_IMAGE=node:26.10.0-trixie-slim
FROM ${NODE_IMAGE}

ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="web-server" \
      org.opencontainers.image.description="Serves a shared volume read-only; follows git-sync link swaps" \
      org.opencontainers.image.source="https://github.com/fortune-sidecar/fortune-sidecar" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"

# Owned by the same user as the writer's mount point: whichever container first mounts a new
# Docker volume gives it its owner, and the writer must be able to write there.
RUN mkdir -p /usr/share/fortune/html && chown 1000:1000 /usr/share/fortune/html
WORKDIR /app
COPY apps/web-server/dist/main.js /app/main.js
COPY apps/web-server/dist/assets /app/assets

ENV WEB_ROOT=/usr/share/fortune/html \
    WEB_PORT=8080 \
    NODE_ENV=production
VOLUME ["/usr/share/fortune/html"]
EXPOSE 8080
USER 1000:1000
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/main.js"]
