#!/usr/bin/env bash
# End-to-end test of the static HTML book in a real headless Chromium,
# from file:// and from a local HTTP server.
#
#   cargo run --release -- book build --out /tmp/book
#   tests/book/run.sh /tmp/book
#
# Installs what is missing (Debian's chromium, a CJK font for readable
# screenshots, playwright-core from package-lock.json), then runs
# `node --test`. Screenshots land in tests/book/out/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ $# -ne 1 ]; then
  echo "usage: tests/book/run.sh BOOK_DIR   (a folder written by: lab book build --out BOOK_DIR)" >&2
  exit 2
fi
book="$(cd "$1" 2>/dev/null && pwd)" || { echo "run.sh: no folder $1" >&2; exit 2; }
if [ ! -f "$book/en/task3.html" ] || [ ! -f "$book/zh-CN/searchindex.js" ]; then
  echo "run.sh: $book does not look like a built book (no en/task3.html or zh-CN/searchindex.js)" >&2
  exit 2
fi

# System packages, only when missing (apt is slow even when idle).
pkgs=()
[ -x /usr/bin/chromium ] || pkgs+=(chromium)
command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)
command -v python3 >/dev/null 2>&1 || pkgs+=(python3)
if ! { command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh family | grep -q .; }; then
  pkgs+=(fonts-wqy-microhei)
fi
if [ ${#pkgs[@]} -gt 0 ]; then
  echo "run.sh: installing ${pkgs[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${pkgs[@]}" >/dev/null
fi

if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "run.sh: playwright-core needs Node.js 20 or newer; this is $(node --version)" >&2
  exit 2
fi

# playwright-core at the locked version, only when it is not there yet.
want="$(node -p "require('$here/package-lock.json').packages['node_modules/playwright-core'].version")"
have="$(node -p "try { require('$here/node_modules/playwright-core/package.json').version } catch (e) { '' }")"
if [ "$want" != "$have" ]; then
  echo "run.sh: installing playwright-core $want" >&2
  (cd "$here" && npm install --no-audit --no-fund --loglevel=error)
fi

mkdir -p "$here/out"
cd "$here"
BOOK_DIR="$book" exec node --test book.test.mjs
