#!/usr/bin/env bash
# The README's quick start, as a newcomer follows it, on this checkout right after `npm install`
# (or `npm ci`) and before any build: `npm start` builds and serves, the README's `npx image2model`
# line (the block after its "checked by" marker, run exactly as written) makes two models, and a
# second `npm install` leaves turbo's build cache valid, so the next start builds nothing.
#
# Usage: bash scripts/check-quick-start.sh   (CI runs it on its fresh clone: see .ci/run)
# QUICK_START_PORT (default 8000, the README's) moves the server; the CLI then gets IMAGE2MODEL_URL.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
port="${QUICK_START_PORT:-8000}"
work="$(mktemp -d "${TMPDIR:-/tmp}/i2m-quick-start-XXXXXX")"
made=()
server_pgid=""
cleanup() {
  if [ -n "$server_pgid" ]; then kill -TERM -- "-$server_pgid" 2>/dev/null || true; fi
  for path in "${made[@]}"; do rm -rf "${repo:?}/$path"; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "check-quick-start: $*" >&2; exit 1; }
# Only what this script creates is removed afterwards, so it never touches a developer's own files.
claim() { for path in "$@"; do [ -e "$path" ] && fail "$path exists already: run this on a fresh clone"; made+=("$path"); done; }

[ -x node_modules/.bin/image2model ] || fail 'npm install linked no image2model command (node_modules/.bin/image2model)'

claim chair.jpg table.png models
[ -e data ] || claim data

echo "== npm start (port $port)"
started=$(date +%s)
PORT="$port" setsid npm start > "$work/server.log" 2>&1 &
server_pgid=$!
answers() { node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "http://127.0.0.1:$port/api/v1/health"; }
until answers; do
  kill -0 "$server_pgid" 2>/dev/null || { cat "$work/server.log" >&2; fail 'npm start exited'; }
  [ $(($(date +%s) - started)) -lt 300 ] || { cat "$work/server.log" >&2; fail 'npm start did not answer within 5 minutes'; }
  sleep 0.5
done
echo "   answering after $(($(date +%s) - started)) s (build included)"

node --input-type=module -e "
  const sharp = (await import('sharp')).default;
  const photo = (colour) => sharp(Buffer.from('<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"160\" height=\"160\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><circle cx=\"80\" cy=\"80\" r=\"56\" fill=\"' + colour + '\"/></svg>'));
  await photo('#c0502a').jpeg().toFile('chair.jpg');
  await photo('#2a70c0').png().toFile('table.png');
"

awk 'index($0, "checked by scripts/check-quick-start.sh: cli-line") { found = 1; next } found && /^```/ { if (inside) exit; inside = 1; next } inside { print }' README.md > "$work/cli-line.sh"
[ "$(wc -l < "$work/cli-line.sh")" = 1 ] || fail "README.md has no one-line CLI example after its marker"
if [ "$port" != 8000 ]; then export IMAGE2MODEL_URL="http://localhost:$port"; fi
echo "== the README's line: $(cat "$work/cli-line.sh")"
bash "$work/cli-line.sh"
for model in models/chair.glb models/table.glb; do
  [ "$(head -c 4 "$model" 2>/dev/null)" = glTF ] || fail "$model is missing or not a GLB"
done

kill -TERM -- "-$server_pgid"
wait "$server_pgid" 2>/dev/null || true
server_pgid=""

echo "== a second npm install keeps the build cache"
npm install --no-audit --no-fund > "$work/install.log" 2>&1 || { cat "$work/install.log" >&2; fail 'the second npm install failed'; }
npx turbo run build --dry=json > "$work/dry.json"
missed="$(node -e "
  const run = JSON.parse(require('node:fs').readFileSync(process.argv[1], 'utf8'));
  // A package without a build script (the private test helpers) is listed as <NONEXISTENT>, never cached.
  const builds = run.tasks.filter((task) => task.command !== '<NONEXISTENT>');
  console.log(builds.filter((task) => task.cache.status !== 'HIT').map((task) => task.taskId).join(' '));
" "$work/dry.json")"
[ -z "$missed" ] || fail "after a second npm install these builds would run again: $missed"

echo "check-quick-start: OK"
