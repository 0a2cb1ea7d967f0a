#!/usr/bin/env bash
# Installs the Debian packages tfport builds with, when any is missing (idempotent; silent when
# everything is present). Run as root or with sudo available.
set -euo pipefail

packages=(
  build-essential cmake pkg-config clang libclang-rt-14-dev
  libprotobuf-dev protobuf-compiler
  libhdf5-dev libsnappy-dev libzip-dev
  nlohmann-json3-dev libsimdjson-dev libcli11-dev libeigen3-dev
  libboost-dev libgrpc++-dev protobuf-compiler-grpc rapidjson-dev zlib1g-dev
  libdnnl-dev libjpeg62-turbo-dev libpng-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q >/dev/null
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
