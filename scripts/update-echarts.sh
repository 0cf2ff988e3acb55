#!/usr/bin/env bash
# Refreshes the embedded echarts.min.js (and its licence files) from the npm
# registry. Pages load echarts from the site itself, never from a CDN, so the
# file ships with the binary: run this, rebuild, commit the three files.
#
#   scripts/update-echarts.sh [VERSION]     # default: the version below
set -euo pipefail
version="${1:-6.1.0}"
dest="$(cd "$(dirname "$0")/.." && pwd)/templates/assets"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "echarts@${version}" >/dev/null && tar xzf "echarts-${version}.tgz")
cp "$work/package/dist/echarts.min.js" "$dest/echarts.min.js"
cp "$work/package/LICENSE" "$dest/echarts-LICENSE.txt"
cp "$work/package/NOTICE" "$dest/echarts-NOTICE.txt"
echo "echarts ${version} → $dest/echarts.min.js ($(wc -c <"$dest/echarts.min.js") bytes)"
