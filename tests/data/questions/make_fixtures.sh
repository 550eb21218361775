#!/usr/bin/env bash
# Regenerates template_libreoffice.xlsx from template_libreoffice.csv with LibreOffice Calc
# (apt-get install -y libreoffice-calc): every column "standard", so Calc turns marks into
# number cells and TRUE into a boolean cell, as it does for a user who types them.
set -euo pipefail
cd "$(dirname "$0")"
soffice --headless --infilter="CSV:44,34,76,1" --convert-to xlsx:"Calc MS Excel 2007 XML" \
  --outdir . template_libreoffice.csv > /dev/null
