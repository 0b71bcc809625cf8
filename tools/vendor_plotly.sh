#!/usr/bin/env bash
# Refresh sgdlab/ui/vendor/ from the npm registry: plotly.js's basic bundle (scatter, bar
# and pie traces, 1.2 MB against the full bundle's 4.8 MB), at the plotly.js version that
# the installed plotly.py writes figures for. The live view draws only scatter traces.
#   tools/vendor_plotly.sh            # needs npm and the project's .venv
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(.venv/bin/python -c "import plotly; print(plotly.offline.get_plotlyjs_version())")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "plotly.js-basic-dist-min@$version" >/dev/null && tar xzf ./*.tgz)
rm -f sgdlab/ui/vendor/plotly-basic-*.min.js
cp "$tmp/package/plotly-basic.min.js" "sgdlab/ui/vendor/plotly-basic-$version.min.js"
cp "$tmp/package/LICENSE" sgdlab/ui/vendor/plotly-LICENSE.txt
echo "sgdlab/ui/vendor/plotly-basic-$version.min.js"
