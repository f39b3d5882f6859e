# newsgraph: GraphQL API over MongoDB (or the embedded SQLite store).
#
#   docker build -t newsgraph:local .
#   docker run --rm -p 8080:8080 -e NEWSGRAPH_MONGODB_URI=mongodb://HOST:27017 newsgraph:local
#
# Subcommands: serve (default), seed, schema.

ARG RUST_IMAGE=rust:1.95-slim-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim
ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------
# node: only its node and npm binaries are used, by build.rs, which installs
# the web pages' front-end packages from web/package-lock.json and embeds
# them (without npm the image would serve pages that load them from a CDN).
FROM ${NODE_IMAGE} AS node

# ---------------------------------------------------------------------------
# skeleton: every Cargo manifest of the build context, each with dummy
# targets, so that the dependency build below is cached for as long as no
# Cargo.toml / Cargo.lock changes (a generalised "dummy main" that also
# copes with workspace members).
FROM ${RUST_IMAGE} AS skeleton
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
WORKDIR /src
COPY . .
RUN set -eu; \
    mkdir -p /skeleton; \
    find . -path ./target -prune -o -type f \( -name Cargo.toml -o -name Cargo.lock \) -print \
      | while read -r f; do \
          d="$(dirname "$f")"; \
          mkdir -p "/skeleton/$d"; \
          cp "$f" "/skeleton/$f"; \
          if [ "$(basename "$f")" = Cargo.toml ]; then \
            mkdir -p "/skeleton/$d/src"; \
            echo 'fn main() {}' > "/skeleton/$d/src/main.rs"; \
            : > "/skeleton/$d/src/lib.rs"; \
          fi; \
        done; \
    if [ -d .cargo ]; then cp -r .cargo /skeleton/.cargo; fi; \
    if [ -f rust-toolchain.toml ]; then cp rust-toolchain.toml /skeleton/; fi

# ---------------------------------------------------------------------------
# builder. The slim Rust image already ships gcc and libc6-dev, which is all
# the bundled SQLite (rusqlite "bundled") and ring need; TLS is rustls, so no
# OpenSSL / pkg-config.
FROM ${RUST_IMAGE} AS builder
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && npm --version
# make: jemalloc (the server's allocator, feature `jemalloc`) is built from C.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends make \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /build
ENV CARGO_TERM_COLOR=never \
    CARGO_INCREMENTAL=0

# 1) dependencies only (cached layer).
COPY --from=skeleton /skeleton/ ./
# The skeleton can fail to build if a manifest names explicit target paths
# that the dummy layout lacks; that only costs the cache, so go on: the real
# build below is the one that counts.
RUN (cargo fetch --locked && cargo build --release --locked --bin newsgraph) \
 || echo "note: dependency pre-build failed; the full build below compiles everything"

# 2) the real sources. COPY keeps the context's mtimes, which may be older
# than the dummy build, so touch every source file to force a rebuild of the
# project's own crates.
COPY . .
RUN find . -path ./target -prune -o -type f -name '*.rs' -exec touch {} + \
 && cargo build --release --locked --bin newsgraph \
 && install -D -m 0755 target/release/newsgraph /out/newsgraph

# ---------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE} AS runtime

# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 newsgraph \
 && useradd --system --uid 10001 --gid newsgraph --home-dir /app --shell /usr/sbin/nologin newsgraph \
 && mkdir -p /app/data \
 && chown newsgraph:newsgraph /app/data

COPY --from=builder /out/newsgraph /usr/local/bin/newsgraph
COPY seed/ /app/seed/

WORKDIR /app
USER 10001:10001

# Without NEWSGRAPH_MONGODB_URI the embedded store writes to /app/data
# (mount a volume there to keep it).
ENV NEWSGRAPH_BIND=0.0.0.0:8080 \
    NEWSGRAPH_DATA_DIR=/app/data \
    NEWSGRAPH_SEED_DIR=/app/seed \
    RUST_LOG=info

EXPOSE 8080

ENTRYPOINT ["newsgraph"]
CMD ["serve"]
