#!/bin/bash
set -eou pipefail

apt-get update -yqq
curl -fsSL -o /tmp/rstudio-connect.deb "$DOWNLOAD_URL"
apt-get install -yqq /tmp/rstudio-connect.deb
rm -f /tmp/rstudio-connect.deb

mv /tmp/rstudio-connect.gcfg /etc/rstudio-connect/rstudio-connect.gcfg

cat >> /etc/rstudio-connect/rstudio-connect.gcfg <<'GCFG'

[Quarto]
Enabled = false
GCFG

apt-get clean -yqq && \
rm -rf /var/lib/apt/lists/*
