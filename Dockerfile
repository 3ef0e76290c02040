# syntax=docker/dockerfile:1
#
# Microlab in a container: a cgo build (SQLite through mattn/go-sqlite3
# needs gcc), then a minimal glibc runtime with no shell, run as non-root.
#
#   docker build -t microlab .
#   docker run -p 8080:8080 -v microlab-data:/data microlab

FROM golang:1.26-bookworm AS build
WORKDIR /src
# Dependencies first, so a code change does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -ldflags="-s -w" -o /out/microlab ./cmd/server \
 && mkdir -p /out/data

# distroless/base has glibc (which the cgo binary links against) and CA
# certificates, and nothing else: no shell, no package manager. Debian 12,
# like the build stage, so the glibc versions match.
FROM gcr.io/distroless/base-debian12:nonroot
COPY --from=build /out/microlab /microlab
COPY --from=build --chown=nonroot:nonroot /out/data /data
# The metrics listen on the container's own interfaces so a scraper on the
# container network can reach them; publish 8080 only, never 9464.
ENV MICROLAB_ADDR=0.0.0.0:8080 \
    MICROLAB_METRICS_ADDR=0.0.0.0:9464 \
    MICROLAB_DATA=/data
EXPOSE 8080 9464
VOLUME ["/data"]
USER nonroot:nonroot
# The binary checks itself: there is no curl in this image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/microlab", "healthcheck"]
ENTRYPOINT ["/microlab"]
