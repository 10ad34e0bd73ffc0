#!/usr/bin/env bash
# Screenshot of the HTML report in headless Chromium, kept as docs/report.png.
#
#   scripts/screenshot_report.sh [OUT.png]
#
# 1. builds a demo warehouse if there is none yet (`kinerja demo`, seeded: the same data each
#    time) in build/report-demo/ (KINERJA_REPORT_DEMO_DIR to change; data/ is left alone);
# 2. renders the HTML report of 2024 (`kinerja report --format html`);
# 3. screenshots it in headless Chromium with a throw-away profile and no network services,
#    keeps the top of the page (KINERJA_REPORT_HEIGHT px; 0 = all of it) and trims empty space.
# Needs Chromium (Debian: `apt-get install -y chromium`); the test suite does not.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT="${1:-docs/report.png}"
YEAR="${KINERJA_REPORT_YEAR:-2024}"
DEMO="${KINERJA_REPORT_DEMO_DIR:-build/report-demo}"
WIDTH="${KINERJA_REPORT_WIDTH:-1440}"
# the picture keeps the top of the page (header, the agreement's table, the charts);
# KINERJA_REPORT_HEIGHT=0 keeps the whole page (components, lineage, quarantine, runs too)
HEIGHT="${KINERJA_REPORT_HEIGHT:-2360}"
BIN=.venv/bin
CHROMIUM="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$CHROMIUM" ]; then
  echo "screenshot_report: chromium not found (Debian: apt-get install -y chromium)" >&2
  exit 2
fi
export PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1

mkdir -p "$DEMO"
DB="$DEMO/warehouse.db"
if [ ! -s "$DB" ]; then
  echo "screenshot_report: building the demo warehouse in $DEMO (about a minute)"
  # a month whose extract fails still leaves a complete warehouse: exit 1 is not fatal here
  "$BIN/kinerja" demo --year "$YEAR" --landing "$DEMO/landing" --warehouse "sqlite:///$DB" >"$DEMO/demo.log" 2>&1 \
    || echo "screenshot_report: kinerja demo exited $? (see $DEMO/demo.log); reporting what was loaded"
fi

HTML="$DEMO/report-$YEAR.html"
"$BIN/kinerja" report --year "$YEAR" --format html --out "$HTML" --warehouse "sqlite:///$DB"

PROFILE="$(mktemp -d)"
RAW="$(mktemp --suffix=.png)"
trap 'rm -rf "$PROFILE" "$RAW"' EXIT
"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$PROFILE" --hide-scrollbars --force-device-scale-factor=1 \
  --screenshot="$RAW" --window-size="$WIDTH,9000" "file://$(pwd)/$HTML" 2>"$DEMO/chromium.log" >/dev/null

# keep the top of the page, trim the white below the footer; a palette PNG keeps the file small
"$BIN/python" - "$RAW" "$OUT" "$HEIGHT" <<'PY'
import sys

from PIL import Image, ImageChops

raw, out, height = sys.argv[1], sys.argv[2], int(sys.argv[3])
im = Image.open(raw).convert("RGB")
box = ImageChops.difference(im, Image.new("RGB", im.size, (255, 255, 255))).getbbox()
bottom = min(im.height, (box[3] if box else im.height) + 28)
if height > 0:
    bottom = min(bottom, height)
im.crop((0, 0, im.width, bottom)).quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(out, optimize=True)
print(f"screenshot_report: wrote {out} ({im.width}x{bottom})")
PY
