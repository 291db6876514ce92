#!/bin/bash
# Copies the Connect runtime (ext, python, R and scripts) into the volume mounted at
# /mnt/rstudio-connect-runtime, where Connect's content containers pick it up.
set -ex

source_dir=/opt/rstudio-connect-runtime
target_dir=/mnt/rstudio-connect-runtime

if [ ! -d "$target_dir" ]; then
    echo "$target_dir does not exist; mount the shared runtime volume there." >&2
    exit 1
fi

for part in ext python R scripts; do
    cp -va "$source_dir/$part" "$target_dir/"
done
