#!/bin/sh
# update.sh refreshes the console's vendored JavaScript from the npm
# registry: htmx (partial page updates) and uPlot (trend charts), the
# built files and their licences, checked in beside this script. npm is
# needed only to run it; the server embeds the files and runs no Node.
# Run from anywhere: sh server/assets/vendor/update.sh
set -eu
HTMX_VERSION=2.0.9
UPLOT_VERSION=1.6.32
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent "htmx.org@$HTMX_VERSION" "uplot@$UPLOT_VERSION" >/dev/null
mkdir htmx uplot
tar -xzf "htmx.org-$HTMX_VERSION.tgz" -C htmx
tar -xzf "uplot-$UPLOT_VERSION.tgz" -C uplot
cp htmx/package/dist/htmx.min.js "$here/htmx.min.js"
cp htmx/package/LICENSE "$here/htmx.LICENSE"
cp uplot/package/dist/uPlot.iife.min.js "$here/uPlot.iife.min.js"
cp uplot/package/dist/uPlot.min.css "$here/uPlot.min.css"
cp uplot/package/LICENSE "$here/uPlot.LICENSE"
{
	echo "# Vendored JavaScript of the console"
	echo
	echo "Written by update.sh from the npm registry; do not edit by hand."
	echo
	echo "| file | package | version | licence | sha256 |"
	echo "| --- | --- | --- | --- | --- |"
	for f in htmx.min.js uPlot.iife.min.js uPlot.min.css; do
		case $f in
		htmx*) p=htmx.org v=$HTMX_VERSION l="0BSD (htmx.LICENSE)" ;;
		*) p=uplot v=$UPLOT_VERSION l="MIT (uPlot.LICENSE)" ;;
		esac
		echo "| $f | $p | $v | $l | $(sha256sum "$here/$f" | cut -c1-64) |"
	done
} >"$here/SOURCE.md"
