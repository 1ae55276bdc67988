# shellcheck shell=bash
# Shared helpers for scripts/*: sourced, never run. Sets ROOT to the repository root.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

log()  { printf '==> %s\n' "$*"; }
warn() { printf '==> WARNING: %s\n' "$*" >&2; }
die()  { printf '==> ERROR: %s\n' "$*" >&2; exit 1; }

# as_root CMD...: runs CMD as root (through sudo when we are not root).
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# build_jobs: parallel build jobs (MAESTRO_JOBS, default: number of cores).
build_jobs() { echo "${MAESTRO_JOBS:-$(nproc)}"; }

# configure_preset NAME: runs `cmake --preset NAME` unless build/NAME is configured and up to date
# with the presets (the build itself re-runs CMake when a CMakeLists.txt changes).
configure_preset() {
  local dir="$ROOT/build/$1"
  if [ -f "$dir/CMakeCache.txt" ] && { [ -f "$dir/build.ninja" ] || [ -f "$dir/Makefile" ]; } &&
     [ ! "$ROOT/CMakePresets.json" -nt "$dir/CMakeCache.txt" ]; then
    return 0
  fi
  log "Configuring preset $1"
  (cd "$ROOT" && cmake --preset "$1")
}
