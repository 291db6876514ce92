#!/bin/bash
# Installs Posit Package Manager from its .deb for the build's architecture (TARGETARCH: amd64 or arm64) and
# holds the package at that version. When R_VERSION and PYTHON_VERSION are set (Standard images), points
# Package Manager at /opt/R/<R_VERSION> and /opt/python/<PYTHON_VERSION> for building packages.
# For development builds DOWNLOAD_URL (from the Containerfile) names the .deb.
set -euo pipefail

case "${TARGETARCH:-}" in
    amd64 | arm64) ;;
    *)
        echo "install_package_manager.sh: TARGETARCH must be amd64 or arm64, not '${TARGETARCH:-}'" >&2
        exit 1
        ;;
esac

download_url="https://cdn.posit.co/package-manager/deb/$TARGETARCH/rstudio-pm_2024.11.0-7_$TARGETARCH.deb"

apt-get update -yqq
curl -fsSL --retry 3 -o /tmp/rstudio-pm.deb "$download_url"
RSTUDIO_INSTALL_NO_LICENSE_INITIALIZATION=1 apt-get install -yqq --no-install-recommends /tmp/rstudio-pm.deb
rm -f /tmp/rstudio-pm.deb
apt-mark hold rstudio-pm

installed=$(dpkg-query --showformat="\${Version}" -W rstudio-pm)
if [ "$installed" != "2024.11.0-7" ]; then
    echo "install_package_manager.sh: installed rstudio-pm $installed, expected 2024.11.0-7" >&2
    exit 1
fi

# The Containerfile runs the image as USER 999:999.
if [ "$(id -u rstudio-pm):$(id -g rstudio-pm)" != "999:999" ]; then
    echo "install_package_manager.sh: rstudio-pm is $(id -u rstudio-pm):$(id -g rstudio-pm), the image expects 999:999" >&2
    exit 1
fi

config=/etc/rstudio-pm/rstudio-pm.gcfg

# Adds LINE as the first setting of [SECTION] in the configuration, creating the section if it is missing.
set_in_section() {
    local section=$1 line=$2
    if grep -q "^\[${section}\]" "$config"; then
        sed -i "/^\[${section}\]/a ${line}" "$config"
    else
        printf '\n[%s]\n%s\n' "$section" "$line" >> "$config"
    fi
}

if [ -n "${R_VERSION:-}" ] && [ -n "${PYTHON_VERSION:-}" ]; then
    # Settings the package's configuration already has are commented out, so the image's own come into force.
    sed -i -E 's/^[[:space:]]*(RVersion|PythonVersion|AllowUnsandboxedGitBuilds)[[:space:]]*=/; &/' "$config"
    set_in_section Server "PythonVersion = /opt/python/${PYTHON_VERSION}/bin/python"
    set_in_section Server "RVersion = /opt/R/${R_VERSION}"
    # Git builds run in a process sandbox that containers do not provide.
    set_in_section Git "AllowUnsandboxedGitBuilds = true"
fi

apt-get clean -yqq && \
rm -rf /var/lib/apt/lists/*
