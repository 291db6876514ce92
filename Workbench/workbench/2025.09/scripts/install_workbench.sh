#!/bin/bash
# Installs Posit Workbench (the rstudio-server package) for a container: the package's own dependencies
# first, then the package unpacked and configured with its maintainer script patched, because a container
# has no systemd to enable services in, no sessions to suspend, and gets its license when it starts
# (startup.sh), not at build time. For development builds DOWNLOAD_URL (from the Containerfile) names the .deb.
set -euo pipefail

package=rstudio-server
postinst=/var/lib/dpkg/info/$package.postinst
workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT

apt-get update -yqq
# The release from Posit's apt repository, at exactly this version (apt's downloader runs as _apt).
if id _apt >/dev/null 2>&1; then
    chown _apt "$workdir"
fi
(cd "$workdir" && apt-get download "rstudio-server=2025.09.2+418.pro4")
debs=("$workdir"/rstudio-server_*.deb)
if [ ! -f "${debs[0]}" ]; then
    echo "install_workbench.sh: apt-get download rstudio-server=2025.09.2+418.pro4 left no .deb in $workdir" >&2
    exit 1
fi
deb=${debs[0]}

# The packages the .deb depends on (first choice of each alternative, without version constraints).
mapfile -t depends < <(dpkg-deb --field "$deb" Depends | tr ',' '\n' | sed -E 's/\|.*//; s/\(.*\)//; s/:any//; s/[[:space:]]//g' | sed '/^$/d')
if [ -n "${depends[*]}" ]; then
    apt-get install -yqq --no-install-recommends "${depends[@]}"
fi

dpkg --unpack "$deb"
if [ ! -f "$postinst" ]; then
    echo "install_workbench.sh: $deb has no $postinst to patch" >&2
    exit 1
fi
# No suspending of sessions and no systemd units to enable: each of these commands becomes a no-op (":"), so
# the blocks that hold them stay valid shell. The license initialisation block is removed.
sed -i -E 's/^([[:space:]]*)(.*(rstudio-server force-suspend-all|systemctl enable rstudio-server\.service|systemctl enable rstudio-launcher\.service).*)$/\1: # not in a container: \2/' "$postinst"
# Nested blocks are counted; a one-line "if …; fi" opens none. A block still open at the end means the script
# is not shaped as expected: stop rather than install a maintainer script cut short.
if ! awk '
    function closes(word) { return word == "fi" || word == "fi;" }
    skipping == 0 && /^[[:space:]]*if .*RSTUDIO_INSTALL_NO_LICENSE_INITIALIZATION/ {
        if (!closes($NF)) { skipping = 1 }
        next
    }
    skipping > 0 {
        if ($1 == "if" && !closes($NF)) { skipping++ }
        else if (closes($1)) { skipping-- }
        next
    }
    { print }
    END { if (skipping > 0) { exit 3 } }
' "$postinst" > "$workdir/postinst"; then
    echo "install_workbench.sh: the license initialisation block of $postinst does not end; see the package's script" >&2
    exit 1
fi
if ! bash -n "$workdir/postinst"; then
    echo "install_workbench.sh: the patched $postinst is not valid shell; see the package's script" >&2
    exit 1
fi
cat "$workdir/postinst" > "$postinst"

dpkg --configure "$package"
apt-get install -yqq -f
apt-mark hold "$package"

installed=$(dpkg-query --showformat="\${Version}" -W "$package")
if [ "$installed" != "2025.09.2+418.pro4" ]; then
    echo "install_workbench.sh: installed $package $installed, expected 2025.09.2+418.pro4" >&2
    exit 1
fi

apt-get clean -yqq && \
rm -rf /var/lib/apt/lists/*
