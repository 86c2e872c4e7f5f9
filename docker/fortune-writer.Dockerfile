# fortune-writer: writes a fresh fortune into /var/htdocs every 10 s.
# Build from the repository root after `pnpm run build` (scripts/build-images.sh does both):
#   docker build -f docker/fortune-writer.Dockerfile -t fortune-writer .
# NODE_IMAGE lets machines without Docker Hub use a local base (scripts/build-base-image.sh).
# Its default sets the images' Node.js version: the same in every Dockerfile (docs/containers.md).
ARG NODE_IMAGE=node:26.10.0-trixie-slim
FROM ${NODE_IMAGE}

ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="fortune-writer" \
      org.opencontainers.image.description="Writes a random fortune into a shared volume on a schedule" \
      org.opencontainers.image.source="https://github.com/fortune-sidecar/fortune-sidecar" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"

# The volume's mount point belongs to the service's user, so a fresh Docker volume does too.
RUN mkdir -p /var/htdocs && chown 1000:1000 /var/htdocs
WORKDIR /app
COPY apps/fortune-writer/dist/main.js /app/main.js
COPY apps/fortune-writer/dist/assets /app/assets

ENV FORTUNE_DIR=/var/htdocs \
    FORTUNE_HTTP_PORT=8081 \
    NODE_ENV=production
VOLUME ["/var/htdocs"]
EXPOSE 8081
USER 1000:1000
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8081/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/main.js"]
