# A stand-in for the official Node.js image, for machines that cannot reach Docker Hub:
# a Debian root filesystem made by debootstrap plus this machine's own node binary, which
# links only against glibc and libstdc++. scripts/build-base-image.sh builds it.
ARG DEBIAN_IMAGE
FROM ${DEBIAN_IMAGE}
COPY node /usr/local/bin/node
RUN node --version
