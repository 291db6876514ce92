#!/bin/bash
set -eou pipefail

apt-get update -yqq

RSTUDIO_INSTALL_NO_LICENSE_INITIALIZATION=1 apt-get install -yf rstudio-connect=2026.03.1-1
apt-mark hold rstudio-connect

mv /tmp/rstudio-connect.gcfg /etc/rstudio-connect/rstudio-connect.gcfg

cat >> /etc/rstudio-connect/rstudio-connect.gcfg <<'GCFG'

[R]
Enabled = true
Executable = /opt/R/4.5.1/bin/R
Executable = /opt/R/4.4.3/bin/R

[Python]
Enabled = true
Executable = /opt/python/3.13.7/bin/python
Executable = /opt/python/3.12.11/bin/python

[Quarto]
Enabled = true
Executable = /opt/quarto/1.8.26/bin/quarto
Executable = /opt/quarto/1.7.34/bin/quarto
GCFG

apt-get clean -yqq && \
rm -rf /var/lib/apt/lists/*
