#!/usr/bin/env bash
# Builds the OpenSLO project's own validator, oslo (github.com/OpenSLO/oslo, `oslo validate`), pinned, from the
# Go module proxy into the same cache as the other test tools (scripts/install-tools.sh), and prints its path.
# Tests judge mlmon's OpenSLO export with it. Kept apart from install-tools.sh only so that branches adding tools
# don't collide; it can be folded in.
#
# oslo 0.12.0 predates `targetPercent` (README "Objectives"), which the export doesn't write.
set -euo pipefail

OSLO_VERSION="${OSLO_VERSION:-0.12.0}"
CACHE_ROOT="${MLMON_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mlmon/tools}"
OSLO_BIN="$CACHE_ROOT/oslo-$OSLO_VERSION"

if [[ ! -x "$OSLO_BIN" ]]; then
  command -v go >/dev/null || { printf '[tools] go is required to build oslo (only for the tests)\n' >&2; exit 2; }
  printf '[tools] building oslo %s\n' "$OSLO_VERSION" >&2
  mkdir -p "$CACHE_ROOT"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # Downloaded, then built in its module, as install-tools.sh builds Prometheus: `go install …@version` also asks
  # the proxy for the module's version list, which it refuses for this module.
  dir=$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "github.com/OpenSLO/oslo@v$OSLO_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [[ -f "$dir/go.mod" ]] || { printf '[tools] could not download github.com/OpenSLO/oslo@v%s\n' "$OSLO_VERSION" >&2; exit 2; }
  (cd "$dir" && GOFLAGS=-mod=mod GOWORK=off CGO_ENABLED=0 go build -trimpath -o "$work/oslo" ./cmd/oslo)
  mv "$work/oslo" "$OSLO_BIN"
fi
echo "$OSLO_BIN"
