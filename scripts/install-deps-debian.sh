#!/bin/sh
# Install what building and testing patchlevel needs on Debian 12 / Ubuntu
# 22.04+, as root. Only missing packages are installed, so running it again
# is cheap. With --fixtures it also installs the tools that regenerate the
# committed fixtures (fixtures/generate.sh); the tests do not need them.
set -eu

packages="build-essential autoconf automake libtool pkg-config
  libwim-dev ntfs-3g-dev libfuse-dev
  libhivex-dev libxml2-dev libssl-dev
  libtsk-dev libvhdi-dev libvmdk-dev libqcow-dev libewf-dev
  check libjson-c-dev xz-utils unzip gzip jq parallel valgrind
  clang libclang-rt-14-dev qemu-utils libregf-utils
  python3-dev python3-pytest libreoffice-calc-nogui"
# libreoffice-calc-nogui: the CSV test converts a --csv-bom report to .xlsx
# and reads its cells back (tests/csv/test-csv-spreadsheet.sh).
# Debian's wimlib.pc names libntfs-3g and fuse as private requirements, so
# pkg-config needs their -dev packages even though patchlevel does not use them.
# python3-dev builds the Python bindings, python3-pytest tests them.

if [ "${1:-}" = "--fixtures" ]; then
  packages="$packages mingw-w64 wimtools libhivex-bin ntfs-3g fdisk dosfstools qemu-utils
    ewf-tools faketime sleuthkit libvhdi-utils libvmdk-utils libqcow-utils"
fi

missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
  echo "install-deps: everything is installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing:$missing; run this script as root" >&2
  exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
