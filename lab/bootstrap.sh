#!/bin/bash
# bootstrap.sh [--check] — installs what the lab (and pgdrill's build) needs on a
# fresh Debian 12 machine; a quick no-op when everything is already there.
#
#   --check   only report; exit 0 iff nothing is missing
#
# Patroni comes from PyPI, pinned, in its own venv: Debian's patroni 3.0.2
# split-brains after a partition heals and loses acknowledged writes (fixed in
# 3.0.3, patroni PR #2689). Debian's package is installed too, for the lab's
# `up --patroni debian` flavour, which drills exactly that release. The venv uses /usr/bin/python3 with system site
# packages so it sees Debian's psycopg2 (the python3 first on PATH may be a
# pyenv one that cannot).
set -euo pipefail

PACKAGES=(
    postgresql-15 postgresql-client-15 postgresql-15-repmgr
    openssh-server openssh-client
    etcd-server etcd-client
    python3-etcd python3-psycopg2 python3-venv
    haproxy pgbouncer pgbackrest openssl
    patroni sudo
    iptables tini iproute2 procps util-linux curl jq
    gettext-base shellcheck
    libpq-dev libssh2-1-dev libcurl4-openssl-dev pkg-config make
    prometheus prometheus-alertmanager prometheus-postgres-exporter prometheus-node-exporter
)
# LAB_VENV only to test this script elsewhere: lab-svc always uses /opt/pgdrill-lab/venv.
VENV=${LAB_VENV:-/opt/pgdrill-lab/venv}
PATRONI_SPEC='patroni[etcd3]==4.1.5'
PATRONI_VERSION=4.1.5

check_only=0
[[ ${1:-} == --check ]] && check_only=1

missing_packages() {
    # One dpkg-query for all: the no-op path should cost well under a second.
    local installed
    installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${PACKAGES[@]}" 2>/dev/null |
        awk '$2 == "install" && $3 == "ok" && $4 == "installed" { print $1 }' || true)
    local p
    for p in "${PACKAGES[@]}"; do
        grep -qxF "$p" <<<"$installed" || echo "$p"
    done
}

venv_ok() {
    [[ -x $VENV/bin/patroni ]] || return 1
    # The dist-info directory names the installed version without starting Python.
    compgen -G "$VENV/lib/python3*/site-packages/patroni-$PATRONI_VERSION.dist-info" >/dev/null || return 1
    # etcd3 support needs these importable from the venv's interpreter.
    "$VENV/bin/python3" -c 'import psycopg2, urllib3, yaml' 2>/dev/null
}

# The monitoring packages ship daemons (prometheus, alertmanager, both exporters) that the lab runs itself,
# in its own namespaces. Without a policy-rc.d refusing starts, their install would start them on the host:
# report any running in the host's own network namespace (the lab's run in theirs), and how to stop them.
package_daemons_check() {
    local pid found="" name
    # comm is cut at 15 characters (prometheus-alertmanager is prometheus-aler).
    for pid in $(for name in prometheus prometheus-aler prometheus-node prometheus-post; do pgrep -x "$name" || true; done); do
        [[ $(readlink "/proc/$pid/ns/net" 2>/dev/null) == "$(readlink /proc/self/ns/net)" ]] && found+=" $pid"
    done
    [[ -z $found ]] && return 0
    echo "bootstrap: warning: the packages' own monitoring daemons run on the host (pids$found); the lab does" \
        "not need them: service prometheus stop (and prometheus-alertmanager, prometheus-node-exporter," \
        "prometheus-postgres-exporter)" >&2
}

mapfile -t missing < <(missing_packages)
need_venv=0
venv_ok || need_venv=1

if ((${#missing[@]} == 0 && need_venv == 0)); then
    echo "bootstrap: all present (${#PACKAGES[@]} packages, Patroni $PATRONI_VERSION in $VENV)"
    exit 0
fi
if ((check_only)); then
    ((${#missing[@]})) && echo "bootstrap: missing packages: ${missing[*]}"
    ((need_venv)) && echo "bootstrap: missing Patroni $PATRONI_VERSION venv at $VENV"
    exit 1
fi

((EUID == 0)) || { echo "bootstrap: needs root" >&2; exit 1; }

if ((${#missing[@]})); then
    echo "bootstrap: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # The lab starts its own daemons; a policy-rc.d that refuses starts (as in
    # container images) keeps the packages' own services from starting.
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
    package_daemons_check
fi

if ((need_venv)); then
    echo "bootstrap: creating $VENV with $PATRONI_SPEC"
    mkdir -p "$(dirname "$VENV")"
    /usr/bin/python3 -m venv --system-site-packages "$VENV"
    "$VENV/bin/pip" install --quiet "$PATRONI_SPEC"
    venv_ok || { echo "bootstrap: Patroni venv still not usable at $VENV" >&2; exit 1; }
fi
echo "bootstrap: done"
