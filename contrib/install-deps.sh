#!/usr/bin/env bash
# Installs the Debian 12 packages lmgrantd builds, runs and tests with, from
# apt only (no pip). Does nothing when everything is present; uses sudo
# when not root.
#   install-deps.sh          build, unit, demo and `make check`
#   install-deps.sh --ci     also what .ci/run adds: fuzzers, valgrind, make deb
#   install-deps.sh --fresh  only the tools of `make fresh-check`
set -eu
# Build: compiler, pkg-config and the -dev packages the Makefile asks
# pkg-config about.
build="build-essential pkg-config libcurl4-openssl-dev libssl-dev libjansson-dev libyaml-dev libsystemd-dev libexpat1-dev"
# The unit: systemd (systemd-analyze, journalctl, journald for the tests).
# procps: the unit's ExecReload= ran its /bin/kill before `lmgrantd
# reload`; kept, as make fresh-check was last proven with it.
run="systemd procps"
# Tests: Check; curl and jq in the system tests; mandoc lints the man
# pages; bash-completion's framework runs the completion test. The
# emulator and its tests run on Debian's own python3 with its
# botocore/boto3 (the tests load the emulator's models, so Debian 12's
# botocore 1.29 is enough). The Makefile runs /usr/bin/python3, so these
# are installed even when another python3 on PATH has botocore.
# GitOps tests (600, 605, 606): git makes the config checkouts lmgrantd
# reads the revision of (lmgrantd itself never runs git); python3-yaml
# reads the CI example's steps.
tests="check curl jq mandoc bash-completion python3 python3-botocore python3-boto3 git python3-yaml"
# promtool checks the metrics file and the alert rules (test 703).
tests="$tests prometheus"
# make fuzz: clang with libFuzzer and the sanitizer runtimes (not pulled in
# by clang when recommends are off); make valgrind; make deb: debhelper
# and lintian (dpkg-buildpackage comes with build-essential).
ci="clang libclang-rt-14-dev valgrind debhelper lintian"
# make fresh-check: a debootstrap root run under systemd-nspawn.
fresh="debootstrap systemd-container"

case "${1:-}" in
"") pkgs="$build $run $tests" ;;
--ci) pkgs="$build $run $tests $ci" ;;
--fresh) pkgs="$fresh" ;;
*) echo "usage: $0 [--ci|--fresh]" >&2; exit 64 ;;
esac
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -n "$missing" ] || exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing:$missing"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
