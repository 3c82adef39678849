# Production image: the API binary on a slim Debian base.
# Built with the `postgres-tls` feature so libpq can use TLS to a managed PostgreSQL; the README's
# local build needs only Rust and a C compiler and leaves that feature off.
FROM rust:1.95-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libssl-dev pkg-config && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release --locked --features api/postgres-tls --bin nhsmail-dental

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl libssl3 && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home /app dental
COPY --from=build /src/target/release/nhsmail-dental /usr/local/bin/nhsmail-dental
USER dental
WORKDIR /app
ENV APP_ENV=production BIND_ADDRESS=0.0.0.0:8080 RUST_LOG=info
# 8080: the API; 9090: metrics, when METRICS_BIND_ADDRESS is set (keep it off the public network).
EXPOSE 8080 9090
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["nhsmail-dental"]
