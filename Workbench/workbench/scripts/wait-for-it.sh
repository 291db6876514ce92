#!/bin/bash
# Waits until a TCP port accepts connections, then (optionally) runs a command.
#
#   wait-for-it.sh HOST:PORT [-t SECONDS] [-q] [-- COMMAND [ARGS...]]
#
#   -t SECONDS, --timeout=SECONDS   give up after this many seconds (default 15; 0 waits for ever)
#   -q, --quiet                     print nothing but errors
#
# Exit status: 0 when the port accepted a connection (or, with a command, the command's status); 1 when the
# time ran out (the command is not run); 2 for a wrong command line.
# The check opens the port with bash's /dev/tcp, so it needs no other tool; each attempt is cut short by
# coreutils' `timeout` when it is installed, so an unreachable host cannot hold the wait past its limit.
set -u

program=${0##*/}
target=""
limit=15
quiet=0
command=()

usage() {
    echo "usage: $program HOST:PORT [-t SECONDS] [-q] [-- COMMAND [ARGS...]]" >&2
    exit 2
}

help() {
    echo "usage: $program HOST:PORT [-t SECONDS] [-q] [-- COMMAND [ARGS...]]"
    echo "Waits until HOST:PORT accepts TCP connections (default limit 15 s, -t 0 for none), then runs COMMAND."
    exit 0
}

fail_usage() {
    echo "$program: $1" >&2
    usage
}

say() {
    if [ "$quiet" -eq 0 ]; then
        echo "$program: $*"
    fi
}

while [ $# -gt 0 ]; do
    case "$1" in
        -t)
            [ $# -ge 2 ] || fail_usage "-t needs a number of seconds"
            limit=$2
            shift 2
            ;;
        --timeout=*)
            limit=${1#--timeout=}
            shift
            ;;
        -q | --quiet)
            quiet=1
            shift
            ;;
        -h | --help)
            help
            ;;
        --)
            shift
            command=("$@")
            break
            ;;
        -*)
            fail_usage "unknown option '$1'"
            ;;
        *:*)
            [ -z "$target" ] || fail_usage "give one HOST:PORT, not '$target' and '$1'"
            target=$1
            shift
            ;;
        *)
            fail_usage "'$1' is not HOST:PORT"
            ;;
    esac
done

[ -n "$target" ] || fail_usage "give the HOST:PORT to wait for"
host=${target%:*}
port=${target##*:}
[ -n "$host" ] || fail_usage "'$target' has no host"
if ! [[ "$port" =~ ^[0-9]+$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
    fail_usage "'$port' in '$target' is not a port number (1-65535)"
fi
if ! [[ "$limit" =~ ^[0-9]+$ ]]; then
    fail_usage "the timeout '$limit' is not a whole number of seconds"
fi

# One connection attempt; true when the port accepted. (The inner script gets host and port as arguments, so
# they are never read as shell code: the single quotes are meant.)
# shellcheck disable=SC2016
accepts() {
    if command -v timeout >/dev/null 2>&1; then
        timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$host" "$port" 2>/dev/null
    else
        bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$host" "$port" 2>/dev/null
    fi
}

if [ "$limit" -gt 0 ]; then
    say "waiting up to $limit seconds for $host:$port"
else
    say "waiting for $host:$port without a time limit"
fi
start=$SECONDS
until accepts; do
    if [ "$limit" -gt 0 ] && [ $((SECONDS - start)) -ge "$limit" ]; then
        echo "$program: $host:$port did not accept a connection within $limit seconds" >&2
        exit 1
    fi
    sleep 1
done
say "$host:$port is available after $((SECONDS - start)) seconds"

if [ ${#command[@]} -gt 0 ]; then
    exec "${command[@]}"
fi
exit 0
