# resplit's container image: built with Bazel on Debian 12, run on Debian 12 slim as a non-root
# user with nothing to write outside /tmp (readOnlyRootFilesystem: true works).
#   docker build -t resplit .
#   docker run --read-only -p 6379:6379 -v $PWD/config:/etc/resplit resplit
# Without a container engine, tools/oci_image.py assembles the same image as an OCI layout from
# the built binary and this machine's Debian 12 libraries.

FROM debian:12 AS build
WORKDIR /src
COPY tools/install_deps.sh tools/
RUN tools/install_deps.sh && rm -rf /var/lib/apt/lists/*
COPY . .
RUN bazel build --config=opt //proxy:resplit \
 && install -D -m 0755 bazel-bin/proxy/resplit /out/usr/local/bin/resplit \
 && strip /out/usr/local/bin/resplit \
 && /out/usr/local/bin/resplit --version

FROM debian:12-slim
# The shared libraries the binary links (ldd), from the same Debian release it was built on.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libssl3 libhiredis0.14 libboost-system1.81.0 libspdlog1.10 libfmt9 libyaml-cpp0.7 \
      ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 65532 resplit \
 && useradd --uid 65532 --gid 65532 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin resplit \
 && mkdir -p /etc/resplit
COPY --from=build /out/ /
USER 65532:65532
WORKDIR /tmp
# 6379: Redis clients. 9126: admin HTTP (/metrics /healthz /readyz), the port the charts configure.
EXPOSE 6379/tcp 9126/tcp
ENTRYPOINT ["/usr/local/bin/resplit"]
CMD ["--config", "/etc/resplit/resplit.yaml"]
