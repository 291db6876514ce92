#!/bin/bash
# Installs Posit Connect and configures the R, Python and Quarto installations of the image.
# IMAGE_VARIANT (Standard or Minimal) and, for development builds, DOWNLOAD_URL come from the Containerfile.
set -euo pipefail

apt-get update -yqq
RSTUDIO_INSTALL_NO_LICENSE_INITIALIZATION=1 apt-get install -yqq --no-install-recommends rstudio-connect=2025.07.0
apt-mark hold rstudio-connect

mv /tmp/rstudio-connect.gcfg /etc/rstudio-connect/rstudio-connect.gcfg

if [ "${IMAGE_VARIANT:-Standard}" != "Minimal" ]; then
    cat >> /etc/rstudio-connect/rstudio-connect.gcfg <<'GCFG'

[R]
Enabled = true
Executable = /opt/R/4.4.0/bin/R

[Python]
Enabled = true
Executable = /opt/python/3.12.1/bin/python

[Quarto]
Enabled = true
Executable = /opt/quarto/1.4.557/bin/quarto
GCFG
else
    # Minimal images have no R, Python or Quarto of their own (content runs in off-host images).
    cat >> /etc/rstudio-connect/rstudio-connect.gcfg <<'GCFG'

[Quarto]
Enabled = false
GCFG
fi

apt-get clean -yqq && \
rm -rf /var/lib/apt/lists/*
