#!/usr/bin/env bash
# The published-package check: `npm pack` the client, install the tarball into a fresh project
# outside the repo, type-check consumers with skipLibCheck: false (one for Node, one for a browser
# with no Node types at all), then run them, the README's TypeScript example and its one-line CLI
# example against a real server spawned from apps/server/dist.
#
# Usage (from anywhere): bash packages/client/scripts/check-packed-client.sh
# Needs: the npm registry (the consumer installs the tarball's dependencies, typescript, @types/node).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
client="$repo/packages/client"
work="$(mktemp -d "${TMPDIR:-/tmp}/i2m-packed-client-XXXXXX")"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "check-packed-client: $*" >&2; exit 1; }

echo "== build the client and the server"
(cd "$repo" && npx turbo run build --filter=@image2model/client --filter=@image2model/server --output-logs=errors-only)

echo "== npm pack"
tarball="$(cd "$client" && npm pack --pack-destination "$work" --silent | tail -n 1)"
tar -tzf "$work/$tarball" | sort > "$work/contents.txt"
for required in package/package.json package/README.md package/CHANGELOG.md package/dist/index.js package/dist/index.d.ts package/bin/image2model.js package/dist/cli/main.js package/dist/node-files.js; do
  grep -qx "$required" "$work/contents.txt" || fail "$required is missing from $tarball"
done
if grep -Eq '^package/(src|scripts)/|\.map$|\.test\.' "$work/contents.txt"; then fail "$tarball ships sources, tests or maps: $(grep -E '^package/(src|scripts)/|\.map$|\.test\.' "$work/contents.txt" | head -3)"; fi
if [ "$(grep -c '\.d\.ts$' "$work/contents.txt")" != 1 ]; then fail "expected exactly one .d.ts in $tarball"; fi
if tar -xzOf "$work/$tarball" package/dist/index.d.ts | grep -q '@image2model/'; then fail 'dist/index.d.ts refers to a server package'; fi
echo "   $tarball: $(wc -l < "$work/contents.txt") files"

echo "== a fresh project outside the repo"
consumer="$work/consumer"
mkdir -p "$consumer"
cd "$consumer"
ts_version="$(node -p "require('$repo/package.json').devDependencies.typescript")"
node_types="$(node -p "require('$repo/package.json').devDependencies['@types/node']")"
cat > package.json <<'EOF'
{ "name": "i2m-packed-client-consumer", "private": true, "type": "module" }
EOF
# vite: the bundler the web UI uses (STACK.md), to prove a browser bundle needs no Node built-in.
npm install --no-audit --no-fund --loglevel=error --save-exact "$work/$tarball" "typescript@$ts_version" "@types/node@$node_types" vite@8.3.8 >/dev/null
if [ -e node_modules/@image2model/api ] || [ -e node_modules/@image2model/core ]; then fail 'installing the client pulled in a server package'; fi

# The README's examples, exactly as written there (the block after each "checked by" marker).
extract() { awk -v tag="$1" 'index($0, "checked by scripts/check-packed-client.sh: " tag) { found = 1; next } found && /^```/ { if (inside) exit; inside = 1; next } inside { print }' "$client/README.md"; }
extract readme-example.ts > readme-example.ts
extract cli-example > cli-example.sh
[ -s readme-example.ts ] || fail 'no TypeScript example found in README.md'
[ "$(wc -l < readme-example.ts)" -le 10 ] || fail "the README's TypeScript example is longer than 10 lines"
[ "$(wc -l < cli-example.sh)" = 1 ] || fail "the README's CLI example is not one line"

cat > consumer.ts <<'EOF'
// Uses the public API the way an application would; every type comes from the bundled .d.ts.
import { readFile } from 'node:fs/promises';
import {
  createImage2ModelClient,
  Image2ModelError,
  type Image2ModelErrorCode,
  type JobStatus,
  type RouterOutputs,
  type TrackedJobEvent,
  type UploadResponse,
  verifyWebhook,
} from '@image2model/client';

const baseUrl = process.env.IMAGE2MODEL_URL ?? '';
const client = createImage2ModelClient({ baseUrl, apiKey: process.env.IMAGE2MODEL_API_KEY });

// The types are real, not `any`: each of these must be a compile error (never run).
export function wrongCalls(): void {
  // @ts-expect-error job_id is a string
  void client.status.get.query({ job_id: 42 });
  // @ts-expect-error no such procedure
  void client.status.remove;
  // @ts-expect-error face_limit is a number
  void client.models.generateSingle.mutate({ job_id: 'j', file_id: 'f', face_limit: 'many' });
}

const health: RouterOutputs['health']['get'] = await client.health.get.query();
if (health.status !== 'healthy') throw new Error('not healthy');

const upload: UploadResponse = await client.upload([await readFile('chair.jpg'), { name: 'table.png', data: new Blob([await readFile('table.png')]) }]);
const events: TrackedJobEvent[] = [];
const job: JobStatus = await client.waitForJob(upload.job_id, { onEvent: (event) => void events.push(event) });
if (job.status !== 'completed' || events.at(-1)?.type !== 'done') throw new Error(`job ended ${job.status}`);

const zip = await client.downloadAll(upload.job_id);
const bytes = new Uint8Array(await new Response(zip.stream).arrayBuffer());
if (bytes[0] !== 0x50 || bytes[1] !== 0x4b) throw new Error('the ZIP does not start with PK');

const denied = await createImage2ModelClient({ baseUrl, apiKey: 'wrong' }).status.get.query({ job_id: upload.job_id }).catch((e: unknown) => e);
const code: Image2ModelErrorCode | null = denied instanceof Image2ModelError ? denied.code : null;
if (code !== 'AUTHENTICATION_REQUIRED' || (denied as Image2ModelError).status !== 401) throw new Error(`expected a 401, got ${String(denied)}`);
// verifyWebhook runs its dependency (standardwebhooks) from the installed tarball: a forged signature is refused.
const forged = { 'webhook-id': 'evt_1', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAA' };
const refused = (() => {
  try {
    return verifyWebhook('{}', forged, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
  } catch (error) {
    return error;
  }
})();
if (!(refused instanceof Image2ModelError) || refused.code !== 'INVALID_WEBHOOK_SIGNATURE') throw new Error(`expected a refused webhook, got ${String(refused)}`);
console.log(`consumer: ${job.total_files} models, ${events.length} events, ${bytes.length}-byte ZIP, and a 401 as ${code}`);
EOF

cat > browser.ts <<'EOF'
// A browser page's use of the client, checked with the DOM library and no Node types at all.
import { createImage2ModelClient, isImage2ModelError } from '@image2model/client';

export async function generate(input: HTMLInputElement, render: (text: string) => void): Promise<string[]> {
  const client = createImage2ModelClient({ baseUrl: location.origin, EventSource });
  const { job_id, session_id } = await client.upload([...(input.files ?? [])]);
  for await (const event of client.events(job_id, { sessionId: session_id })) render(`${event.type} ${event.id}`);
  const job = await client.status.get.query({ job_id, session_id });
  const urls: string[] = [];
  for (const file of job.files) {
    if (file.status !== 'completed') continue;
    const model = await client.downloadModel(job_id, file.file_id, { sessionId: session_id }).catch((e: unknown) => (isImage2ModelError(e) ? null : Promise.reject(e)));
    if (model) urls.push(URL.createObjectURL(await new Response(model.stream).blob()));
  }
  return urls;
}
EOF

cat > tsconfig.json <<'EOF'
{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "noUncheckedIndexedAccess": true,
    "exactOptionalPropertyTypes": true,
    "skipLibCheck": false,
    "types": ["node"],
    "outDir": "out"
  },
  "files": ["consumer.ts", "readme-example.ts"]
}
EOF
# tRPC's own declarations name Disposable and AsyncDisposable: hence ESNext.Disposable.
cat > tsconfig.browser.json <<'EOF'
{
  "compilerOptions": {
    "target": "ES2022",
    "lib": ["ES2022", "ESNext.Disposable", "DOM", "DOM.Iterable"],
    "module": "ESNext",
    "moduleResolution": "Bundler",
    "strict": true,
    "skipLibCheck": false,
    "types": [],
    "noEmit": true
  },
  "files": ["browser.ts"]
}
EOF

echo "== type-check (skipLibCheck: false): Node consumer and README example"
npx tsc -p tsconfig.json
echo "== type-check (skipLibCheck: false): browser consumer, DOM types only"
npx tsc -p tsconfig.browser.json

echo "== bundle browser.ts for the browser with Vite"
cat > index.html <<'EOF'
<!doctype html>
<html><body><input type="file" multiple /><script type="module">
  import { generate } from './browser.ts';
  const input = document.querySelector('input');
  input.addEventListener('change', () => generate(input, console.log));
</script></body></html>
EOF
npx vite build --logLevel warn > vite.log 2>&1 || { cat vite.log >&2; fail 'vite build failed'; }
if [ -s vite.log ]; then cat vite.log >&2; fail 'vite warned while bundling the client'; fi
if grep -l 'node:' dist/assets/*.js; then fail 'the browser bundle imports a Node built-in'; fi
echo "   $(ls dist/assets | tr '\n' ' ')"

echo "== start a server"
data="$work/data"
key="packed-client-check-key"
mkdir -p "$data"
DATA_DIR="$data" API_KEYS="$key" HOST=127.0.0.1 PORT=0 LOG_LEVEL=info node "$repo/apps/server/dist/main.js" > "$work/server.log" 2>&1 &
server_pid=$!
url=""
for _ in $(seq 1 150); do
  port="$(grep -o '"port":[0-9]*' "$work/server.log" | head -n 1 | cut -d: -f2 || true)"
  if [ -n "$port" ]; then url="http://127.0.0.1:$port"; break; fi
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; fail 'the server exited'; }
  sleep 0.2
done
[ -n "$url" ] || { cat "$work/server.log" >&2; fail 'the server did not start'; }
echo "   $url"
export IMAGE2MODEL_URL="$url" IMAGE2MODEL_API_KEY="$key"

(cd "$repo" && node --input-type=module -e "
  const sharp = (await import('sharp')).default;
  const photo = (colour, w, h) => sharp(Buffer.from('<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"' + w + '\" height=\"' + h + '\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><circle cx=\"' + w / 2 + '\" cy=\"' + h / 2 + '\" r=\"' + Math.min(w, h) * 0.35 + '\" fill=\"' + colour + '\"/></svg>'));
  await photo('#c0502a', 160, 128).jpeg().toFile('$consumer/chair.jpg');
  await photo('#2a70c0', 128, 160).png().toFile('$consumer/table.png');
")

is_glb() { [ "$(head -c 4 "$1")" = "glTF" ] || fail "$1 is not a GLB"; }

echo "== run the consumer"
node out/consumer.js

echo "== run the README's TypeScript example"
node out/readme-example.js > readme-example.log
cat readme-example.log
is_glb file_001.glb
is_glb file_002.glb
grep -q '^file_001: ' readme-example.log || fail 'the README example printed no progress'

echo "== run the README's CLI example: $(cat cli-example.sh)"
bash cli-example.sh
is_glb models/chair.glb
is_glb models/table.glb
set +e
npx image2model status batch_20990101_000000_abcdef > /dev/null 2> status.err
status_exit=$?
set -e
[ "$status_exit" = 1 ] || fail "image2model status of an unknown job exited $status_exit, not 1"
grep -q 'NOT_FOUND, HTTP 404' status.err || fail "image2model status did not report the 404: $(cat status.err)"

echo "check-packed-client: OK ($tarball)"
