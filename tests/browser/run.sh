#!/usr/bin/env bash
# The lineage explorer (`aikg serve`, GET /) in a real browser: headless
# Chromium driven by playwright-core searches, draws, expands, runs Cypher,
# downloads the PNG and logs in, then saves a screenshot (see check.mjs).
#
#   tests/browser/run.sh              # builds target/release/aikg with --features server
#   AIKG_BIN=path/to/aikg tests/browser/run.sh
#
# Needs node and Debian's chromium (`apt-get install -y chromium`; another
# build through AIKG_CHROMIUM=path). playwright-core, pinned, goes into
# target/browser-node with npm; it drives the installed Chromium and never
# downloads a browser of its own. The pictures land in target/browser/.
# Two servers on free loopback ports, one without and one with
# credentials, are stopped on exit, also on failure.
set -euo pipefail
cd "$(dirname "$0")/../.."

PLAYWRIGHT="${AIKG_PLAYWRIGHT:-playwright-core@1.65.2}"
NODE_DIR=${AIKG_BROWSER_NODE_DIR:-target/browser-node}
OUT=target/browser
CHROMIUM=${AIKG_CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$CHROMIUM" ]; then
    echo "no Chromium at $CHROMIUM: install it (apt-get install -y chromium) or set AIKG_CHROMIUM" >&2
    exit 1
fi

if [ -z "${AIKG_BIN:-}" ]; then
    echo "== build (release, --features server)"
    cargo build --release --locked --features server --quiet
    AIKG_BIN=target/release/aikg
fi

echo "== playwright-core"
if [ "$(node -p "require('./$NODE_DIR/node_modules/playwright-core/package.json').version" 2>/dev/null)" != "${PLAYWRIGHT#playwright-core@}" ]; then
    mkdir -p "$NODE_DIR"
    [ -f "$NODE_DIR/package.json" ] || echo '{"private": true}' > "$NODE_DIR/package.json"
    # playwright-core has no install step: it never fetches a browser.
    npm install --silent --no-audit --no-fund --prefix "$NODE_DIR" "$PLAYWRIGHT"
fi
echo "node $(node --version): playwright-core $(node -p "require('./$NODE_DIR/node_modules/playwright-core/package.json').version"), $("$CHROMIUM" --version 2>/dev/null | head -1)"

mkdir -p "$OUT"
rm -f "$OUT"/*.png

source tests/support/servers.sh
PROFILE=$(mktemp -d)
cleanup() {
    stop_servers
    rm -rf "$PROFILE"
}
trap cleanup EXIT

# start NAME [USER:PASSWORD]: starts a server on a free port (HTTP only),
# with those credentials if given; sets HTTP to its port.
start() {
    local name=$1
    HTTP=$(free_port)
    env AIKG_AUTH="${2:-}" "$AIKG_BIN" serve --no-bolt --http "127.0.0.1:$HTTP" > "$OUT/$name.log" 2>&1 &
    PIDS+=($!)
    wait_for_port "$HTTP"
}

start open
OPEN=$HTTP
PASSWORD="$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
start auth "explorer:$PASSWORD"
AUTH=$HTTP

echo "== browser"
status=0
AIKG_BROWSER_NODE_DIR="$NODE_DIR" AIKG_BROWSER_PASSWORD="$PASSWORD" node tests/browser/check.mjs \
    --url "http://127.0.0.1:$OPEN/" --auth-url "http://127.0.0.1:$AUTH/" --user explorer \
    --chromium "$CHROMIUM" --profile "$PROFILE" --out "$OUT" || status=1
if [ "$status" -ne 0 ]; then
    echo "browser: FAILED (server logs and pictures in $OUT)" >&2
    exit 1
fi
