#!/usr/bin/env bash
# Regenerates the LibreOffice-made fixtures from the CSV sources next to this script.
# Needs LibreOffice Calc (apt-get install -y libreoffice-calc). The CSV import filter's
# column formats decide the cell types: 1 standard (numbers stay numbers), 2 text,
# 4 DD/MM/YY (real date cells).
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
convert() {  # source.csv target.xlsx column-formats
  cp "$1" "$tmp/$(basename "$2" .xlsx).csv"
  soffice --headless --infilter="CSV:44,34,76,1,$3" --convert-to xlsx:"Calc MS Excel 2007 XML" \
    --outdir . "$tmp/$(basename "$2" .xlsx).csv" > /dev/null
}
# Dates typed as DD/MM/YYYY and stored as real date cells; phones as numbers.
convert src_variants.csv lo_real_dates.xlsx "1/1/2/1/3/2/4/4/5/2/6/1/7/2/8/1/9/2/10/2"
# Dates as Excel serial numbers (plain numbers), phones as numbers.
convert src_serial_dates.csv lo_serial_dates.xlsx "1/1/2/1/3/2/4/1/5/2/6/1/7/2/8/1/9/2/10/2"
# Everything as text: DD/MM/YYYY and YYYY-MM-DD strings, phones with spaces and +91.
convert src_text.csv lo_text.xlsx "1/2/2/2/3/2/4/2/5/2/6/2/7/2/8/2/9/2/10/2"
rm -rf "$tmp"
