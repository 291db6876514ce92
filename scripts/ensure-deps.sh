#!/usr/bin/env bash
# Installs the system packages the build needs (libyaml-dev) when they are missing.
# Sourced by scripts/main-job and scripts/test; safe to run repeatedly.
set -euo pipefail

need=()
if ! pkg-config --exists yaml-0.1 2>/dev/null || [ ! -f /usr/include/yaml.h ]; then need+=(libyaml-dev); fi
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)

if [ ${#need[@]} -gt 0 ]; then
  echo "Installing missing packages: ${need[*]}" >&2
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "error: ${need[*]} missing and no root or sudo to install them; run: apt-get install ${need[*]}" >&2
    exit 1
  fi
fi

command -v swift >/dev/null 2>&1 || { echo "error: swift is not on PATH (Swift 6.0 or later is needed)" >&2; exit 1; }
