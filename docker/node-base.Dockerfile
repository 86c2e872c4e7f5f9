# A stand-in for the official Node.js image, for machines that cannot reach Docker Hub:
# a Debian root filesystem made by debootstrap plus the node binary of the npm registry's
# node-linux-<arch> package, which links only against glibc and libstdc++ (both in the root
# filesystem). scripts/build-base-image.sh builds it.
ARG DEBIAN_IMAGE
FROM ${DEBIAN_IMAGE}
COPY node /usr/local/bin/node
# The official image has a `node` user with uid and gid 1000; the app images run as 1000:1000.
RUN groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
 && node --version
CMD ["node"]
