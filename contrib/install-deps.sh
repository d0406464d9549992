#!/usr/bin/env bash
# Installs the Debian packages lmgrantd builds and tests with. Does nothing
# when everything is present; uses sudo when not root.
set -eu
pkgs="build-essential pkg-config libcurl4-openssl-dev libssl-dev libjansson-dev libyaml-dev libsystemd-dev libexpat1-dev check systemd valgrind curl jq"
# promtool checks the metrics file and the alert rules (make check).
pkgs="$pkgs prometheus"
# make fuzz: clang with libFuzzer and the sanitizer runtimes (not pulled in
# by clang when recommends are off).
pkgs="$pkgs clang libclang-rt-14-dev"
# GitOps tests (600, 605, 606): git makes the config checkouts lmgrantd reads
# the revision of (lmgrantd itself never runs git); python3-yaml reads the CI
# example's steps.
pkgs="$pkgs git python3-yaml"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
# The emulator needs botocore; the machine's python3 may already have it.
if ! python3 -c 'import botocore, boto3' 2>/dev/null; then
	missing="$missing python3-botocore python3-boto3"
fi
[ -n "$missing" ] || exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing:$missing"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
