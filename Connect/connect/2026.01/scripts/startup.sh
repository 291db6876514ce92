#!/bin/bash
# Starts Posit Connect in the foreground: activates the license (key, license server or file, in that
# order), runs Connect, and deactivates the license when the container stops.
set -e
if [ "${STARTUP_DEBUG_MODE:-0}" = "1" ]; then
    set -x
fi

license_manager=/opt/rstudio-connect/bin/license-manager

deactivate() {
    echo "Deactivating the license"
    local attempt
    for attempt in 1 2 3; do
        if "$license_manager" deactivate >/dev/null 2>&1; then
            break
        fi
        echo "License deactivation failed (attempt $attempt of 3); retrying"
        sleep 2
    done
    # Leftover non-empty files in /var/lib/.local mean the activation may still count.
    if [ -d /var/lib/.local ] && [ -n "$(find /var/lib/.local -type f -size +0 2>/dev/null)" ]; then
        echo "Warning: /var/lib/.local still holds license state after deactivation"
    fi
}
trap deactivate EXIT

# The older RSC_* names still work.
PCT_LICENSE=${PCT_LICENSE:-${RSC_LICENSE:-}}
PCT_LICENSE_SERVER=${PCT_LICENSE_SERVER:-${RSC_LICENSE_SERVER:-}}
PCT_LICENSE_FILE_PATH=${PCT_LICENSE_FILE_PATH:-${RSC_LICENSE_FILE_PATH:-/etc/rstudio-connect/license.lic}}

if [ -n "$PCT_LICENSE" ]; then
    "$license_manager" activate "$PCT_LICENSE"
elif [ -n "$PCT_LICENSE_SERVER" ]; then
    "$license_manager" license-server "$PCT_LICENSE_SERVER"
elif [ -f "$PCT_LICENSE_FILE_PATH" ]; then
    "$license_manager" activate-file "$PCT_LICENSE_FILE_PATH"
fi

# Secrets do not need to stay in the environment of Connect and its content.
unset PCT_LICENSE PCT_LICENSE_SERVER PCT_LICENSE_FILE_PATH RSC_LICENSE RSC_LICENSE_SERVER RSC_LICENSE_FILE_PATH

# Not exec: the EXIT trap must run when Connect stops (use a long --stop-timeout, e.g. 120 s).
/opt/rstudio-connect/bin/connect --config /etc/rstudio-connect/rstudio-connect.gcfg
