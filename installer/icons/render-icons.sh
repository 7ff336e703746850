#!/usr/bin/env bash
# Re-renders the committed PNG icons from herald.svg. Run after editing the SVG, then commit the PNGs.
# Needs rsvg-convert (Debian: librsvg2-bin) or ImageMagick's convert with its SVG delegate.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
for size in 48 128; do
  out="$here/herald-${size}.png"
  if command -v rsvg-convert >/dev/null; then
    rsvg-convert -w "$size" -h "$size" "$here/herald.svg" -o "$out"
  else
    convert -background none -density 384 "$here/herald.svg" -resize "${size}x${size}" -strip "$out"
  fi
  echo "wrote $out"
done
