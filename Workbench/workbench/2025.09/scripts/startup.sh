#!/bin/bash
# Starts Posit Workbench in the foreground (supervisord's rstudio-workbench program): takes the license (an
# activation key, a license server or a license file, in that order), creates the test user if one is asked
# for, waits for the Job Launcher, optionally verifies the installation, then runs rserver. When rserver stops
# (or this script is stopped), the server is stopped and a key or server license is deactivated.
#
# Environment (the older RSW_*/RSP_* names still work):
#   PWB_LICENSE, PWB_LICENSE_SERVER   activation key / license server (secrets: unset before the server runs)
#   /etc/rstudio-server/license.lic   a license file, used when neither is given (mount it read-only)
#   PWB_TESTUSER, PWB_TESTUSER_PASSWD, PWB_TESTUSER_UID (default 10000)   a local user to log in with
#   PWB_LAUNCHER (true|false), PWB_LAUNCHER_TIMEOUT (seconds)   wait for the launcher on localhost:5559
#   DIAGNOSTIC_ENABLE, DIAGNOSTIC_ONLY (true|false), DIAGNOSTIC_DIR   rstudio-server verify-installation
#   STARTUP_DEBUG_MODE=1   trace this script (not the lines that handle the license key or the password)
set -eo pipefail

# STARTUP_DEBUG_MODE=1 traces the script, except where it handles the license key and the test user's password.
trace_on() {
    if [ "${STARTUP_DEBUG_MODE:-0}" = "1" ]; then
        set -x
    fi
}
trace_off() {
    { set +x; } 2>/dev/null
}
trace_on

license_manager=/usr/lib/rstudio-server/bin/license-manager
license_file=/etc/rstudio-server/license.lic
launcher_port=5559
activated=0

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

on_exit() {
    echo "Stopping Posit Workbench"
    rstudio-server stop >/dev/null 2>&1 || true
    if [ "$activated" = "1" ]; then
        deactivate
    fi
}
trap on_exit EXIT

trace_off
# The older names: RSW_* (RStudio Workbench) and RSP_* (RStudio Server Pro).
PWB_LICENSE=${PWB_LICENSE:-${RSW_LICENSE:-${RSP_LICENSE:-}}}
PWB_LICENSE_SERVER=${PWB_LICENSE_SERVER:-${RSW_LICENSE_SERVER:-${RSP_LICENSE_SERVER:-}}}
PWB_TESTUSER=${PWB_TESTUSER:-${RSW_TESTUSER:-}}
PWB_TESTUSER_PASSWD=${PWB_TESTUSER_PASSWD:-${RSW_TESTUSER_PASSWD:-}}
PWB_TESTUSER_UID=${PWB_TESTUSER_UID:-${RSW_TESTUSER_UID:-10000}}
# The image sets PWB_LAUNCHER and PWB_LAUNCHER_TIMEOUT, so an older name that is set is the user's choice.
PWB_LAUNCHER=${RSW_LAUNCHER:-${PWB_LAUNCHER:-true}}
PWB_LAUNCHER_TIMEOUT=${RSW_LAUNCHER_TIMEOUT:-${PWB_LAUNCHER_TIMEOUT:-10}}

if [ -n "$PWB_LICENSE" ]; then
    echo "Activating the license key"
    "$license_manager" activate "$PWB_LICENSE"
    activated=1
elif [ -n "$PWB_LICENSE_SERVER" ]; then
    echo "Using the license server $PWB_LICENSE_SERVER"
    "$license_manager" license-server "$PWB_LICENSE_SERVER"
    activated=1
elif [ -f "$license_file" ]; then
    echo "Using the license file $license_file"
else
    echo "No license given: set PWB_LICENSE or PWB_LICENSE_SERVER, or mount a license file at $license_file"
fi

# Secrets do not need to stay in the environment of Workbench and its sessions.
unset PWB_LICENSE PWB_LICENSE_SERVER RSW_LICENSE RSW_LICENSE_SERVER RSP_LICENSE RSP_LICENSE_SERVER

if [ -n "$PWB_TESTUSER" ]; then
    if id "$PWB_TESTUSER" >/dev/null 2>&1; then
        echo "The test user $PWB_TESTUSER exists already"
    elif getent passwd "$PWB_TESTUSER_UID" >/dev/null; then
        echo "Not creating the test user $PWB_TESTUSER: uid $PWB_TESTUSER_UID belongs to $(getent passwd "$PWB_TESTUSER_UID" | cut -d: -f1)"
    else
        useradd -m -s /bin/bash -u "$PWB_TESTUSER_UID" -U "$PWB_TESTUSER"
        if [ -n "$PWB_TESTUSER_PASSWD" ]; then
            echo "$PWB_TESTUSER:$PWB_TESTUSER_PASSWD" | chpasswd
        else
            echo "The test user $PWB_TESTUSER has no password (PWB_TESTUSER_PASSWD is empty) and cannot log in"
        fi
        echo "Created the test user $PWB_TESTUSER (uid $PWB_TESTUSER_UID)"
    fi
fi
unset PWB_TESTUSER_PASSWD RSW_TESTUSER_PASSWD
trace_on

if [ "$PWB_LAUNCHER" = "true" ]; then
    if ! /usr/local/bin/wait-for-it.sh "localhost:$launcher_port" -t "$PWB_LAUNCHER_TIMEOUT"; then
        echo "The Job Launcher did not listen on localhost:$launcher_port within $PWB_LAUNCHER_TIMEOUT seconds;" \
            "raise PWB_LAUNCHER_TIMEOUT or look at the rstudio-launcher output above" >&2
        exit 1
    fi
fi

if [ "${DIAGNOSTIC_ENABLE:-false}" = "true" ]; then
    diagnostic_dir=${DIAGNOSTIC_DIR:-/var/log/rstudio}
    mkdir -p "$diagnostic_dir"
    verify=(rstudio-server verify-installation)
    if [ -n "$PWB_TESTUSER" ]; then
        verify+=("--verify-user=$PWB_TESTUSER")
    fi
    echo "Verifying the installation (log: $diagnostic_dir/verify.log)"
    if ! "${verify[@]}" 2>&1 | tee "$diagnostic_dir/verify.log"; then
        echo "rstudio-server verify-installation failed; see $diagnostic_dir/verify.log" >&2
    fi
    if [ "${DIAGNOSTIC_ONLY:-false}" = "true" ]; then
        echo "DIAGNOSTIC_ONLY=true: not starting the server"
        exit 0
    fi
fi

# Not exec: the EXIT trap must run when rserver stops (give the container a long --stop-timeout, e.g. 120 s).
/usr/lib/rstudio-server/bin/rserver --server-daemonize 0 1>&2
