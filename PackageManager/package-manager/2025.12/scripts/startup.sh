#!/bin/bash
# Starts Posit Package Manager in the foreground as rstudio-pm: takes the license (a key, a license server or a
# license file, in that order), runs Package Manager, and deactivates a key or server license when it stops.
set -e
if [ "${PPM_STARTUP_DEBUG:-0}" = "1" ]; then
    set -x
fi

license_manager=/opt/rstudio-pm/bin/license-manager
data_dir=/var/lib/rstudio-pm

deactivate() {
    echo "Deactivating the license"
    local attempt
    for attempt in 1 2 3; do
        if "$license_manager" deactivate --userspace >/dev/null 2>&1; then
            break
        fi
        echo "License deactivation failed (attempt $attempt of 3); retrying"
        sleep 2
    done
    # Leftover non-empty files in the user's .local mean the activation may still count.
    if [ -d /home/rstudio-pm/.local ] && [ -n "$(find /home/rstudio-pm/.local -type f -size +0 2>/dev/null)" ]; then
        echo "Warning: /home/rstudio-pm/.local still holds license state after deactivation"
    fi
}

# The older RSPM_* names still work.
PPM_LICENSE=${PPM_LICENSE:-${RSPM_LICENSE:-}}
PPM_LICENSE_SERVER=${PPM_LICENSE_SERVER:-${RSPM_LICENSE_SERVER:-}}
PPM_LICENSE_FILE_PATH=${PPM_LICENSE_FILE_PATH:-${RSPM_LICENSE_FILE_PATH:-/etc/rstudio-pm/license.lic}}

# Package Manager runs unprivileged, so activations are per user (--userspace).
if [ -n "$PPM_LICENSE" ]; then
    "$license_manager" activate "$PPM_LICENSE" --userspace
    trap deactivate EXIT
elif [ -n "$PPM_LICENSE_SERVER" ]; then
    "$license_manager" license-server "$PPM_LICENSE_SERVER" --userspace
    trap deactivate EXIT
elif [ -f "$PPM_LICENSE_FILE_PATH" ]; then
    # A license file needs no activation: Package Manager reads it from its data directory.
    if [ ! "$PPM_LICENSE_FILE_PATH" -ef "$data_dir/license.lic" ]; then
        install -m 0600 "$PPM_LICENSE_FILE_PATH" "$data_dir/license.lic"
        if [ "$(id -u)" = "0" ]; then
            chown rstudio-pm:rstudio-pm "$data_dir/license.lic"
        fi
    fi
fi

# Secrets do not need to stay in the environment of Package Manager and its builds.
unset PPM_LICENSE PPM_LICENSE_SERVER PPM_LICENSE_FILE_PATH RSPM_LICENSE RSPM_LICENSE_SERVER RSPM_LICENSE_FILE_PATH

# Not exec: the EXIT trap must run when Package Manager stops (use a long --stop-timeout, e.g. 120 s).
/opt/rstudio-pm/bin/rstudio-pm --config /etc/rstudio-pm/rstudio-pm.gcfg
