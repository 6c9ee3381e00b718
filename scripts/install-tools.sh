#!/usr/bin/env bash
# Builds pinned upstream promtool, prometheus, amtool and alertmanager from the Go module proxy into a cache
# outside the clone, so a fresh CI clone reuses them instead of rebuilding.
#
# Why build at all: Debian's promtool (2.42) is compiled without Kubernetes service discovery and rejects any
# prometheus.yml that uses kubernetes_sd_configs, which ours does.
# Why not `go install …@version`: Prometheus' go.mod carries replace/exclude directives, which `go install`
# refuses. So we `go mod download` the module and `go build` inside it.
#
# kustomize (for `kustomize build` of out/k8s) has no replace directives, so plain `go install` works for it.
#
# Prints nothing but progress on stderr; prints the tools directory on stdout.
set -euo pipefail

# Prometheus 3.x is published to the module proxy as v0.3XX.Y (3.16.0 is v0.316.0).
PROMETHEUS_VERSION="${PROMETHEUS_VERSION:-3.16.0}"
PROMETHEUS_MODULE_VERSION="v0.$((${PROMETHEUS_VERSION%%.*} * 100 + $(echo "$PROMETHEUS_VERSION" | cut -d. -f2))).${PROMETHEUS_VERSION##*.}"
ALERTMANAGER_VERSION="${ALERTMANAGER_VERSION:-0.35.0}"
# 5.8.3 needs Go >= 1.27; 5.8.2 builds with Go 1.26.
KUSTOMIZE_VERSION="${KUSTOMIZE_VERSION:-5.8.2}"
CACHE_ROOT="${MLMON_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mlmon/tools}"
# The folder name is the cache key: bump the trailing recipe number when the way the tools are built changes.
TOOLS_DIR="$CACHE_ROOT/prometheus-${PROMETHEUS_VERSION}_alertmanager-${ALERTMANAGER_VERSION}_r2"

log() { printf '[tools] %s\n' "$*" >&2; }

if [[ -x "$TOOLS_DIR/promtool" && -x "$TOOLS_DIR/prometheus" && -x "$TOOLS_DIR/amtool" && -x "$TOOLS_DIR/alertmanager" && -x "$TOOLS_DIR/kustomize-$KUSTOMIZE_VERSION" ]]; then
  log "cached in $TOOLS_DIR"
  echo "$TOOLS_DIR"
  exit 0
fi

command -v go >/dev/null || { log "go is required to build promtool/amtool (only for the test tools)"; exit 2; }
mkdir -p "$TOOLS_DIR"
# Parallel test workers may all ask for the tools at once: one builds, the others wait for it.
exec 9>"$CACHE_ROOT/.build.lock"
flock 9
if [[ -x "$TOOLS_DIR/promtool" && -x "$TOOLS_DIR/prometheus" && -x "$TOOLS_DIR/amtool" && -x "$TOOLS_DIR/alertmanager" && -x "$TOOLS_DIR/kustomize-$KUSTOMIZE_VERSION" ]]; then
  echo "$TOOLS_DIR"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

build() { # module module-version release-version outname pkg...
  local module=$1 version=$2 release=$3
  shift 3
  log "downloading $module@$version"
  local dir
  dir=$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [[ -n "$dir" ]] || { log "could not download $module@$version"; exit 2; }
  # The module cache is read-only; build from a writable copy so go can resolve its own go.sum.
  local src="$work/$(basename "$module")"
  cp -r "$dir" "$src" && chmod -R u+w "$src"
  # Alertmanager embeds its web UI from ui/app/dist, which is built by npm and not shipped in the module
  # zip. The tests never use the UI, so an empty page lets the server build.
  if [[ "$module" == */alertmanager && ! -d "$src/ui/app/dist" ]]; then
    mkdir -p "$src/ui/app/dist" && echo '<!doctype html><title>Alertmanager</title>' > "$src/ui/app/dist/index.html"
  fi
  while (($#)); do
    local out=$1 pkg=$2
    shift 2
    log "building $out ($pkg)"
    (cd "$src" && GOWORK=off CGO_ENABLED=0 go build -trimpath \
      -ldflags "-X github.com/prometheus/common/version.Version=$release -X github.com/prometheus/common/version.Branch=module-proxy" \
      -o "$TOOLS_DIR/$out.tmp" "$pkg")
    mv "$TOOLS_DIR/$out.tmp" "$TOOLS_DIR/$out"
  done
}

# Each tool is built only when missing, so adding one doesn't rebuild the others.
[[ -x "$TOOLS_DIR/promtool" && -x "$TOOLS_DIR/prometheus" ]] ||
  build github.com/prometheus/prometheus "$PROMETHEUS_MODULE_VERSION" "$PROMETHEUS_VERSION" promtool ./cmd/promtool prometheus ./cmd/prometheus
[[ -x "$TOOLS_DIR/amtool" && -x "$TOOLS_DIR/alertmanager" ]] ||
  build github.com/prometheus/alertmanager "v$ALERTMANAGER_VERSION" "$ALERTMANAGER_VERSION" amtool ./cmd/amtool alertmanager ./cmd/alertmanager
if [[ ! -x "$TOOLS_DIR/kustomize-$KUSTOMIZE_VERSION" ]]; then
  log "building kustomize $KUSTOMIZE_VERSION"
  (cd "$work" && GOBIN="$work/bin" GOWORK=off CGO_ENABLED=0 go install -trimpath "sigs.k8s.io/kustomize/kustomize/v5@v$KUSTOMIZE_VERSION")
  mv "$work/bin/kustomize" "$TOOLS_DIR/kustomize-$KUSTOMIZE_VERSION"
fi
# Tests ask for `kustomize`; the versioned file makes a version bump rebuild it.
ln -sfn "kustomize-$KUSTOMIZE_VERSION" "$TOOLS_DIR/kustomize"
log "built into $TOOLS_DIR"
echo "$TOOLS_DIR"
