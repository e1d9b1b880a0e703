#!/bin/bash
# Quick start on a fresh Debian 12, as root: install the build and test
# dependencies, build jobd and jobctl in build/, and run jobd in the
# foreground on the example jobs of conf.d/ (packaging/quickstart.conf).
# Job output is echoed to this terminal; in a second terminal try
# `build/jobctl list`.  Ctrl-C stops jobd.
set -euo pipefail

# Work from the repository root, wherever the script is called from.
cd "$(dirname "$(readlink -f "$0")")/.."

if [[ $(id -u) -ne 0 ]]; then
	echo "quickstart.sh: run as root (bash $0 as root)" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y meson ninja-build pkg-config gcc libuv1-dev libinih-dev \
	libsystemd-dev libjansson-dev libsqlite3-dev libcurl4-openssl-dev \
	libmicrohttpd-dev zlib1g-dev libpq-dev python3-pytest \
	python3-pytest-timeout systemd dpkg-dev
# The metrics tests' Prometheus, node_exporter and promtool, the import
# tests' supervisord, the cluster tests' PostgreSQL, and jobd-web's
# browser tests' Chromium, chromedriver and Selenium, kept from starting
# their own services on install (policy-rc.d exiting 101).
made_policy=
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	made_policy=1
fi
apt-get install -y --no-install-recommends prometheus prometheus-node-exporter \
	python3-prometheus-client supervisor postgresql-15 postgresql-client-15 || true
apt-get install -y chromium chromium-driver python3-selenium || true
if [[ -n $made_policy ]]; then
	rm -f /usr/sbin/policy-rc.d
fi

if [[ ! -e build/build.ninja ]]; then
	meson setup build
fi
ninja -C build

build/jobd --check --config packaging/quickstart.conf
echo
echo "Starting jobd in the foreground on the examples in conf.d/."
echo "In a second terminal:  cd $PWD && build/jobctl list"
echo "Stop jobd with Ctrl-C."
echo
exec build/jobd --foreground --config packaging/quickstart.conf
