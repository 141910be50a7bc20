#!/bin/sh
# update.sh refreshes the vendored JavaScript from the npm registry: the
# console's htmx (partial page updates) and uPlot (trend charts), and the
# home page's barcode decoder zxing-wasm (its reader build: QR codes and
# DataMatrix from a camera frame where the browser has no
# BarcodeDetector) — the built files and their licences, checked in
# beside this script. npm is
# needed only to run it; the server embeds the files and runs no Node.
# Run from anywhere: sh server/assets/vendor/update.sh
set -eu
HTMX_VERSION=2.0.9
UPLOT_VERSION=1.6.32
ZXING_VERSION=3.1.8
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent "htmx.org@$HTMX_VERSION" "uplot@$UPLOT_VERSION" "zxing-wasm@$ZXING_VERSION" >/dev/null
mkdir htmx uplot zxing
tar -xzf "htmx.org-$HTMX_VERSION.tgz" -C htmx
tar -xzf "uplot-$UPLOT_VERSION.tgz" -C uplot
tar -xzf "zxing-wasm-$ZXING_VERSION.tgz" -C zxing
cp htmx/package/dist/htmx.min.js "$here/htmx.min.js"
cp htmx/package/LICENSE "$here/htmx.LICENSE"
cp uplot/package/dist/uPlot.iife.min.js "$here/uPlot.iife.min.js"
cp uplot/package/dist/uPlot.min.css "$here/uPlot.min.css"
cp uplot/package/LICENSE "$here/uPlot.LICENSE"
cp zxing/package/dist/iife/reader/index.js "$here/zxing-reader.iife.js"
cp zxing/package/dist/reader/zxing_reader.wasm "$here/zxing_reader.wasm"
cp zxing/package/LICENSE "$here/zxing-wasm.LICENSE"
{
	echo "# Vendored JavaScript of the console and the home page"
	echo
	echo "Written by update.sh from the npm registry; do not edit by hand."
	echo "zxing_reader.wasm is zxing-cpp (Apache-2.0: zxing-cpp.LICENSE, github.com/zxing-cpp/zxing-cpp)"
	echo "compiled to WebAssembly by the zxing-wasm package (MIT)."
	echo
	echo "| file | package | version | licence | sha256 |"
	echo "| --- | --- | --- | --- | --- |"
	for f in htmx.min.js uPlot.iife.min.js uPlot.min.css zxing-reader.iife.js zxing_reader.wasm; do
		case $f in
		htmx*) p=htmx.org v=$HTMX_VERSION l="0BSD (htmx.LICENSE)" ;;
		zxing-reader*) p=zxing-wasm v=$ZXING_VERSION l="MIT (zxing-wasm.LICENSE)" ;;
		zxing_reader*) p=zxing-wasm v=$ZXING_VERSION l="MIT (zxing-wasm.LICENSE); zxing-cpp Apache-2.0" ;;
		*) p=uplot v=$UPLOT_VERSION l="MIT (uPlot.LICENSE)" ;;
		esac
		echo "| $f | $p | $v | $l | $(sha256sum "$here/$f" | cut -c1-64) |"
	done
} >"$here/SOURCE.md"
