# Build the quartier binary, then run it on a slim image.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release -p quartier-api --locked

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 quartier
COPY --from=build /src/target/release/quartier /usr/local/bin/quartier
USER quartier
ENV QUARTIER_BIND=0.0.0.0:8080 \
    QUARTIER_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD curl -fs http://127.0.0.1:8080/health/ready || exit 1
ENTRYPOINT ["quartier"]
CMD ["serve"]
