#!/usr/bin/env bash
# Installs the Debian 12 packages gradflow builds and runs with. Safe to run again: it installs
# only what is missing, so a second run takes a moment and touches nothing.
#
#   scripts/install-deps.sh            # build, lessons and tests
#   scripts/install-deps.sh --bench    # also what the PyTorch comparison needs
set -euo pipefail

packages=(
  g++ cmake make pkg-config          # the toolchain
  libboost-graph-dev                 # the computation graph (Boost.Graph)
  libfmt-dev                         # all formatting
  libgraphviz-dev graphviz           # diagrams, rendered in-process with libgvc
  libopenblas-dev                    # the fast matmul behind the ops
  zlib1g-dev                         # .gz IDX files
  libpng-dev                         # PNG copies of the diagrams, encoded fast (autodiff/viz)
  catch2                             # the test suite (Debian ships Catch2 2.13)
  gnuplot-nox fonts-dejavu-core      # lesson figures
  nlohmann-json3-dev                 # summary.json and every other JSON file
  libprotobuf-dev protobuf-compiler  # TensorBoard event files (the Event/Summary messages)
  python3-protobuf python3-crc32c    # the tests' independent reader of those event files
  chromium chromium-driver python3-selenium  # the browser tests of the lesson pages
  ccache                             # rebuilds after a small change take seconds
  ca-certificates
)
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(python3-torch libopenblas0 python3-numpy)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages are installed"
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
# Graphviz finds its layout and render plugins through a config file that the package's
# install hook writes; refresh it in case the hook did not run (e.g. in a minimal chroot).
"${sudo[@]}" dot -c || true
echo "install-deps: done"
