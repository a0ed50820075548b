#!/usr/bin/env bash
# Installs, idempotently, what the extension-host tests need to run inside a real VS Code on a machine that reaches
# only the npm registry and Debian's packages: Debian's chromium (driven by playwright-core, a devDependency) and
# code-server 4.100.3 (VS Code 1.100.3 served to a browser) in a cache folder outside the repository.
# See shared/e2e-recipe.md for why each step is the way it is.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
CACHE_DIR="${COROUTINE_TRACE_E2E_CACHE:-$HOME/.cache/coroutine-trace-e2e}"
INSTALL_DIR="$CACHE_DIR/code-server-$CODE_SERVER_VERSION"
MARKER="$INSTALL_DIR/.installed"

log() { echo "[setup-e2e] $*"; }

# 1. Debian packages: the browser, ripgrep (for the offline @vscode/ripgrep trick) and the native-module toolchain.
need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v rg >/dev/null 2>&1 || need_apt+=(ripgrep)
if [ ! -f "$MARKER" ]; then
  dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
  command -v make >/dev/null 2>&1 || need_apt+=(make)
  command -v g++ >/dev/null 2>&1 || need_apt+=(g++)
  command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing Debian packages: ${need_apt[*]}"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

# 2. code-server, once.
if [ -f "$MARKER" ] && [ -x "$INSTALL_DIR/node_modules/.bin/code-server" ]; then
  log "code-server $CODE_SERVER_VERSION already installed in $INSTALL_DIR"
else
  log "installing code-server $CODE_SERVER_VERSION into $INSTALL_DIR (takes a few minutes the first time)"
  mkdir -p "$INSTALL_DIR"
  # @vscode/ripgrep's postinstall downloads rg from GitHub unless the archive is already in its cache under TMPDIR.
  TMP="$CACHE_DIR/tmp"
  for rgver in 1.15.11 1.15.10 1.15.9; do
    rgcache="$TMP/vscode-ripgrep-cache-$rgver"
    mkdir -p "$rgcache"
    for asset in ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz ripgrep-v13.0.0-4-x86_64-unknown-linux-musl.tar.gz; do
      [ -f "$rgcache/$asset" ] || tar -czf "$rgcache/$asset" -C "$(dirname "$(command -v rg)")" rg
    done
  done
  [ -f "$INSTALL_DIR/package.json" ] || echo '{ "name": "coroutine-trace-e2e-code-server", "private": true }' > "$INSTALL_DIR/package.json"
  (cd "$INSTALL_DIR" && TMPDIR="$TMP" npm_config_yes=true npm install "code-server@$CODE_SERVER_VERSION" \
      --unsafe-perm --no-audit --no-fund --no-save --foreground-scripts --loglevel=error)
  "$INSTALL_DIR/node_modules/.bin/code-server" --help >/dev/null
  touch "$MARKER"
  log "code-server installed"
fi

echo "$INSTALL_DIR/node_modules/.bin/code-server"
