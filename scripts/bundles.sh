#!/usr/bin/env bash
# Builds one wasm bundle per widget (and the lazily loaded search bundle) into DIST/bundles/ and writes DIST/bundles/manifest.tsv
# (widget id, script, wasm; paths relative to DIST). Trunk builds only the shell; the
# prerender step reads the manifest and gives each page the bundles of the widgets it shows.
# Same tools as Trunk: the pinned wasm-bindgen CLI and npm binaryen's wasm-opt, no network.
set -euo pipefail
dist=${1:-dist}
cd "$(dirname "$0")/.."
# Every widget-* and lazy-* file in src/bin/ is a bundle (tests/bundles.rs keeps them in
# step with the widget registry).
bins=$(find src/bin -maxdepth 1 \( -name 'widget-*.rs' -o -name 'lazy-*.rs' \) -printf '%f\n' | sed 's/\.rs$//' | sort)
[ -n "$bins" ] || { echo "bundles.sh: no widget-* bins in src/bin/" >&2; exit 1; }
args=()
for b in $bins; do args+=(--bin "$b"); done
cargo build --release --target wasm32-unknown-unknown "${args[@]}"

# wasm-bindgen's glue is readable JavaScript, about 39 KB a bundle: terser (npm, pure
# JavaScript) mangles and compresses it to under half, 1.6 KB brotli less for each bundle.
# Exports keep their names, so the boot scripts' imports still match.
minify() {
  terser "$1" --module --ecma 2020 --compress --mangle --output "$1.min"
  mv "$1.min" "$1"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -rf "$dist/bundles"
mkdir -p "$dist/bundles"
: > "$tmp/manifest.tsv"
for b in $bins; do
  id=${b#widget-}
  id=${id#lazy-}
  ids=${id//--/+}
  wasm-bindgen --target web --no-typescript --out-dir "$tmp" --out-name "$id" "target/wasm32-unknown-unknown/release/$b.wasm"
  minify "$tmp/$id.js"
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-reference-types --enable-sign-ext --enable-mutable-globals --enable-multivalue \
    "$tmp/${id}_bg.wasm" -o "$tmp/${id}_opt.wasm"
  hash=$(cat "$tmp/$id.js" "$tmp/${id}_opt.wasm" | sha256sum | cut -c1-16)
  cp "$tmp/$id.js" "$dist/bundles/$id-$hash.js"
  cp "$tmp/${id}_opt.wasm" "$dist/bundles/$id-${hash}_bg.wasm"
  printf '%s\t%s\t%s\n' "$ids" "bundles/$id-$hash.js" "bundles/$id-${hash}_bg.wasm" >> "$tmp/manifest.tsv"
done
cp "$tmp/manifest.tsv" "$dist/bundles/manifest.tsv"
# The shell's glue, which Trunk writes unminified (its own minifier is off: it is a different
# one for JavaScript, and it would rewrite the template the prerender step reads).
for glue in "$dist"/techbasics-*.js; do
  [ -e "$glue" ] && minify "$glue"
done
echo "bundles.sh: $(wc -l < "$dist/bundles/manifest.tsv") widget bundles in $dist/bundles"
