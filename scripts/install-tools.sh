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
# Kubernetes manifests are judged by kubeconform (plain `go install` too), which decodes them as Kubernetes
# does (sigs.k8s.io/yaml: YAML 1.1 rules, so `namespace: no` is a boolean) and checks every object, strictly
# (unknown fields and wrong types are errors), against JSON schemas derived from the pinned Kubernetes
# version's own OpenAPI document: api/openapi-spec/swagger.json from the k8s.io/kubernetes module at that
# version (`go mod download`, 19 MB), turned into schemas by scripts/derive-kubernetes-schemas.mjs. A real
# kube-apiserver with --dry-run=server would judge more (admission, Pod Security), but k8s.io/kubernetes plus
# etcd is far too long a build for a test tool on a 2-core machine; see the README. Pod Security is judged by
# scripts/pod-security (a small Go program around k8s.io/pod-security-admission, the library the API server's
# admission runs, pinned in its go.mod to the same Kubernetes version), built here too.
#
# Sloth (the SLO rule generator, github.com/slok/sloth) is built only on request, `--with-sloth` or
# MLMON_WITH_SLOTH=1: it is the benchmarks' point of comparison (bench/slo.mjs), no test uses it, so CI's test run
# doesn't pay for its build. Its go.mod has no replace directives, so plain `go install` works for it.
#
# Prints nothing but progress on stderr; prints the tools directory on stdout.
set -euo pipefail

WITH_SLOTH="${MLMON_WITH_SLOTH:-0}"
for arg in "$@"; do
  case "$arg" in
    --with-sloth) WITH_SLOTH=1 ;;
    *) printf '[tools] unknown option %s (known: --with-sloth)\n' "$arg" >&2; exit 2 ;;
  esac
done

# Prometheus 3.x is published to the module proxy as v0.3XX.Y (3.16.0 is v0.316.0).
PROMETHEUS_VERSION="${PROMETHEUS_VERSION:-3.16.0}"
PROMETHEUS_MODULE_VERSION="v0.$((${PROMETHEUS_VERSION%%.*} * 100 + $(echo "$PROMETHEUS_VERSION" | cut -d. -f2))).${PROMETHEUS_VERSION##*.}"
ALERTMANAGER_VERSION="${ALERTMANAGER_VERSION:-0.35.0}"
# 5.8.3 needs Go >= 1.27; 5.8.2 builds with Go 1.26.
KUSTOMIZE_VERSION="${KUSTOMIZE_VERSION:-5.8.2}"
KUBECONFORM_VERSION="${KUBECONFORM_VERSION:-0.8.0}"
KUBERNETES_VERSION="${KUBERNETES_VERSION:-1.35.4}"
SLOTH_VERSION="${SLOTH_VERSION:-0.16.0}"
# scripts/exposition-json (a small Go program around the Prometheus project's exposition-format parser, expfmt,
# pinned in its go.mod) reads /metrics for `mlmon check-metrics` and `mlmon init --from`; bump its recipe number
# when main.go changes.
EXPOSITION_JSON_BIN="exposition-json-$(sed -n 's/^[[:space:]]*github.com\/prometheus\/common \(v[^ ]*\)$/\1/p' "$(dirname "${BASH_SOURCE[0]}")/exposition-json/go.mod")_r1"
VICTORIAMETRICS_VERSION="${VICTORIAMETRICS_VERSION:-1.151.0}"
CACHE_ROOT="${MLMON_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mlmon/tools}"
# The folder name is the cache key: bump the trailing recipe number when the way the tools are built changes.
TOOLS_DIR="$CACHE_ROOT/prometheus-${PROMETHEUS_VERSION}_alertmanager-${ALERTMANAGER_VERSION}_r2"
# Each of these is its own key inside it (a version, and the derivation's recipe number), so adding them to an
# existing cache builds only them.
KUBECONFORM_BIN="kubeconform-$KUBECONFORM_VERSION"
SCHEMAS_DIR="kubernetes-$KUBERNETES_VERSION-strict-schemas_r1"
# The library's version is in scripts/pod-security/go.mod; bump the recipe number when main.go changes.
SLOTH_BIN="sloth-$SLOTH_VERSION"
# Single-node VictoriaMetrics and vmalert, for the sharded end-to-end test (test/e2e/sharded-*.test.ts): their own
# key, a version and a recipe number, so adding them to an existing cache builds only them.
VM_KEY="victoriametrics-${VICTORIAMETRICS_VERSION}_r1"
POD_SECURITY_BIN="pod-security-$(sed -n 's/^[[:space:]]*k8s.io\/pod-security-admission \(v[^ ]*\)$/\1/p' "$(dirname "${BASH_SOURCE[0]}")/pod-security/go.mod")_r1"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The Prometheus Operator's CRDs (example/prometheus-operator-crd/*.yaml of its module on the Go module proxy), as
# strict schemas for kubeconform by scripts/derive-operator-crd-schemas.mjs: they judge out/operator. Their own key.
PROMETHEUS_OPERATOR_VERSION="${PROMETHEUS_OPERATOR_VERSION:-0.85.0}"
OPERATOR_SCHEMAS_DIR="prometheus-operator-$PROMETHEUS_OPERATOR_VERSION-strict-schemas_r1"
operator_schemas_cached() {
  [[ -f "$TOOLS_DIR/$OPERATOR_SCHEMAS_DIR/prometheusrule-monitoring-v1.json" && -L "$TOOLS_DIR/prometheus-operator-schemas" &&
    "$(readlink "$TOOLS_DIR/prometheus-operator-schemas")" == "$OPERATOR_SCHEMAS_DIR" ]]
}

log() { printf '[tools] %s\n' "$*" >&2; }
all_cached() {
  [[ -x "$TOOLS_DIR/$EXPOSITION_JSON_BIN" && -L "$TOOLS_DIR/exposition-json" && "$(readlink "$TOOLS_DIR/exposition-json")" == "$EXPOSITION_JSON_BIN" &&
    -x "$TOOLS_DIR/promtool" && -x "$TOOLS_DIR/prometheus" && -x "$TOOLS_DIR/amtool" && -x "$TOOLS_DIR/alertmanager" && -x "$TOOLS_DIR/kustomize-$KUSTOMIZE_VERSION" &&
    -x "$TOOLS_DIR/$KUBECONFORM_BIN" && -f "$TOOLS_DIR/$SCHEMAS_DIR/service-v1.json" && -x "$TOOLS_DIR/$POD_SECURITY_BIN" &&
    -L "$TOOLS_DIR/pod-security" && "$(readlink "$TOOLS_DIR/pod-security")" == "$POD_SECURITY_BIN" &&
    -L "$TOOLS_DIR/kubeconform" && "$(readlink "$TOOLS_DIR/kubeconform")" == "$KUBECONFORM_BIN" &&
    -L "$TOOLS_DIR/kubernetes-schemas" && "$(readlink "$TOOLS_DIR/kubernetes-schemas")" == "$SCHEMAS_DIR" &&
    -x "$TOOLS_DIR/$VM_KEY/victoria-metrics" && -x "$TOOLS_DIR/$VM_KEY/vmalert" && -L "$TOOLS_DIR/victoriametrics" &&
    "$(readlink "$TOOLS_DIR/victoriametrics")" == "$VM_KEY" ]] && operator_schemas_cached &&
    { [[ "$WITH_SLOTH" != 1 ]] || [[ -x "$TOOLS_DIR/$SLOTH_BIN" && -L "$TOOLS_DIR/sloth" && "$(readlink "$TOOLS_DIR/sloth")" == "$SLOTH_BIN" ]]; }
}

if all_cached; then
  log "cached in $TOOLS_DIR"
  echo "$TOOLS_DIR"
  exit 0
fi

command -v go >/dev/null || { log "go is required to build promtool/amtool (only for the test tools)"; exit 2; }
mkdir -p "$TOOLS_DIR"
# Parallel test workers may all ask for the tools at once: one builds, the others wait for it.
exec 9>"$CACHE_ROOT/.build.lock"
flock 9
if all_cached; then
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
if [[ ! -x "$TOOLS_DIR/$KUBECONFORM_BIN" ]]; then
  log "building kubeconform $KUBECONFORM_VERSION"
  (cd "$work" && GOBIN="$work/bin" GOWORK=off CGO_ENABLED=0 go install -trimpath "github.com/yannh/kubeconform/cmd/kubeconform@v$KUBECONFORM_VERSION")
  mv "$work/bin/kubeconform" "$TOOLS_DIR/$KUBECONFORM_BIN"
fi
ln -sfn "$KUBECONFORM_BIN" "$TOOLS_DIR/kubeconform"
if [[ ! -f "$TOOLS_DIR/$SCHEMAS_DIR/service-v1.json" ]]; then
  command -v node >/dev/null || { log "node is required to derive the Kubernetes schemas"; exit 2; }
  log "downloading k8s.io/kubernetes@v$KUBERNETES_VERSION (for its OpenAPI document)"
  k8s=$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@v$KUBERNETES_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [[ -f "$k8s/api/openapi-spec/swagger.json" ]] || { log "k8s.io/kubernetes@v$KUBERNETES_VERSION has no api/openapi-spec/swagger.json"; exit 2; }
  log "deriving strict schemas for Kubernetes $KUBERNETES_VERSION"
  rm -rf "$TOOLS_DIR/$SCHEMAS_DIR.tmp"
  node "$REPO_ROOT/scripts/derive-kubernetes-schemas.mjs" "$k8s/api/openapi-spec/swagger.json" "$TOOLS_DIR/$SCHEMAS_DIR.tmp" >/dev/null
  rm -rf "$TOOLS_DIR/$SCHEMAS_DIR" && mv "$TOOLS_DIR/$SCHEMAS_DIR.tmp" "$TOOLS_DIR/$SCHEMAS_DIR"
fi
# Tests ask for `kubeconform` and `kubernetes-schemas`.
ln -sfn "$SCHEMAS_DIR" "$TOOLS_DIR/kubernetes-schemas"
if ! operator_schemas_cached; then
  if [[ ! -f "$TOOLS_DIR/$OPERATOR_SCHEMAS_DIR/prometheusrule-monitoring-v1.json" ]]; then
    command -v node >/dev/null || { log "node is required to derive the Prometheus Operator schemas"; exit 2; }
    log "downloading github.com/prometheus-operator/prometheus-operator@v$PROMETHEUS_OPERATOR_VERSION (for its CRDs)"
    operator=$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "github.com/prometheus-operator/prometheus-operator@v$PROMETHEUS_OPERATOR_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    [[ -d "$operator/example/prometheus-operator-crd" ]] || { log "prometheus-operator@v$PROMETHEUS_OPERATOR_VERSION has no example/prometheus-operator-crd"; exit 2; }
    rm -rf "$TOOLS_DIR/$OPERATOR_SCHEMAS_DIR.tmp"
    node "$REPO_ROOT/scripts/derive-operator-crd-schemas.mjs" "$operator/example/prometheus-operator-crd" "$TOOLS_DIR/$OPERATOR_SCHEMAS_DIR.tmp" >/dev/null
    rm -rf "$TOOLS_DIR/$OPERATOR_SCHEMAS_DIR" && mv "$TOOLS_DIR/$OPERATOR_SCHEMAS_DIR.tmp" "$TOOLS_DIR/$OPERATOR_SCHEMAS_DIR"
  fi
  # Tests ask for `prometheus-operator-schemas`.
  ln -sfn "$OPERATOR_SCHEMAS_DIR" "$TOOLS_DIR/prometheus-operator-schemas"
fi
if [[ ! -x "$TOOLS_DIR/$POD_SECURITY_BIN" ]]; then
  log "building pod-security ($POD_SECURITY_BIN)"
  (cd "$REPO_ROOT/scripts/pod-security" && GOWORK=off CGO_ENABLED=0 go build -trimpath -o "$TOOLS_DIR/$POD_SECURITY_BIN.tmp" .)
  mv "$TOOLS_DIR/$POD_SECURITY_BIN.tmp" "$TOOLS_DIR/$POD_SECURITY_BIN"
fi
ln -sfn "$POD_SECURITY_BIN" "$TOOLS_DIR/pod-security"
if [[ ! -x "$TOOLS_DIR/$EXPOSITION_JSON_BIN" ]]; then
  log "building exposition-json ($EXPOSITION_JSON_BIN)"
  (cd "$REPO_ROOT/scripts/exposition-json" && GOWORK=off CGO_ENABLED=0 go build -trimpath -o "$TOOLS_DIR/$EXPOSITION_JSON_BIN.tmp" .)
  mv "$TOOLS_DIR/$EXPOSITION_JSON_BIN.tmp" "$TOOLS_DIR/$EXPOSITION_JSON_BIN"
fi
ln -sfn "$EXPOSITION_JSON_BIN" "$TOOLS_DIR/exposition-json"
# VictoriaMetrics (single-node server and vmalert, Apache-2.0). Its go.mod has no replace or exclude directives,
# so plain `go install module/app/...@version` works. buildinfo.Version is what `-version` prints and what the
# server reports in its build_info metric; without it the binary says nothing about which release it is.
if [[ ! -x "$TOOLS_DIR/$VM_KEY/victoria-metrics" || ! -x "$TOOLS_DIR/$VM_KEY/vmalert" ]]; then
  for app in victoria-metrics vmalert; do
    log "building $app v$VICTORIAMETRICS_VERSION"
    (cd "$work" && GOBIN="$work/bin" GOWORK=off CGO_ENABLED=0 go install -trimpath \
      -ldflags "-X github.com/VictoriaMetrics/VictoriaMetrics/lib/buildinfo.Version=$app-v$VICTORIAMETRICS_VERSION" \
      "github.com/VictoriaMetrics/VictoriaMetrics/app/$app@v$VICTORIAMETRICS_VERSION")
  done
  rm -rf "$TOOLS_DIR/$VM_KEY.tmp" && mkdir -p "$TOOLS_DIR/$VM_KEY.tmp"
  mv "$work/bin/victoria-metrics" "$work/bin/vmalert" "$TOOLS_DIR/$VM_KEY.tmp/"
  rm -rf "$TOOLS_DIR/$VM_KEY" && mv "$TOOLS_DIR/$VM_KEY.tmp" "$TOOLS_DIR/$VM_KEY"
fi
# Tests ask for victoriametrics/victoria-metrics and victoriametrics/vmalert.
ln -sfn "$VM_KEY" "$TOOLS_DIR/victoriametrics"
if [[ "$WITH_SLOTH" == 1 ]]; then
  if [[ ! -x "$TOOLS_DIR/$SLOTH_BIN" ]]; then
    # Sloth's version otherwise reads "dev" (it looks for itself among the build's dependencies only), and it
    # prints its version into every file it generates.
    log "building sloth $SLOTH_VERSION"
    (cd "$work" && GOBIN="$work/bin" GOWORK=off CGO_ENABLED=0 go install -trimpath \
      -ldflags "-X github.com/slok/sloth/internal/info.Version=v$SLOTH_VERSION" "github.com/slok/sloth/cmd/sloth@v$SLOTH_VERSION")
    mv "$work/bin/sloth" "$TOOLS_DIR/$SLOTH_BIN"
  fi
  # The bench asks for `sloth`; the versioned file makes a version bump rebuild it.
  ln -sfn "$SLOTH_BIN" "$TOOLS_DIR/sloth"
fi
log "built into $TOOLS_DIR"
echo "$TOOLS_DIR"
