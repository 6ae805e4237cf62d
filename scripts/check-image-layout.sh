#!/usr/bin/env bash
# What the Dockerfile's runtime images hold, assembled without Docker (for machines without an
# engine): production dependencies only (`npm ci --omit=dev`), the built JavaScript, schema/ and
# the client bundle, laid out as the images lay them out. Each service then runs as an
# unprivileged user (nobody) with NODE_ENV=production against Redis and a SQLite file, and a
# flow goes through the router and the client server; everything is stopped with SIGTERM.
#
#   npm run build && npm run build:playground -w router && bash scripts/check-image-layout.sh
#
# Needs root (to switch to nobody) and Redis at REDIS_URL (default redis://127.0.0.1:6379).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
image=$(mktemp -d /tmp/mm-image-XXXXXX)
redis_url="${REDIS_URL:-redis://127.0.0.1:6379}"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$image"
}
trap cleanup EXIT

echo "== production dependencies into $image"
cp package.json package-lock.json "$image/"
for workspace in packages/shared subgraphs/auth subgraphs/math router client; do
  mkdir -p "$image/$workspace"
  cp "$workspace/package.json" "$image/$workspace/"
done
(cd "$image" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)

echo "== built files, as the Dockerfile copies them"
cp -r schema "$image/"
for workspace in packages/shared subgraphs/auth subgraphs/math router; do
  [ -d "$workspace/dist" ] || { echo "$workspace/dist is missing: run npm run build"; exit 1; }
  cp -r "$workspace/dist" "$image/$workspace/"
done
[ -d router/dist/playground ] || { echo "router/dist/playground is missing: npm run build:playground -w router"; exit 1; }
cp client/server.js "$image/client/"
cp -r client/dist "$image/client/"
mkdir -p "$image/data" "$image/secrets"
openssl genpkey -algorithm ed25519 -out "$image/secrets/auth-private-key.pem" 2>/dev/null
chmod -R o+rX "$image"
chown -R nobody "$image/data" "$image/secrets"
chmod 600 "$image/secrets/auth-private-key.pem"

secret=$(openssl rand -hex 24)
start() { # name port-variable... then the script
  local name=$1
  shift
  (cd "$image" && exec setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups env -i PATH=/usr/bin:/bin HOME=/tmp \
    NODE_ENV=production LOG_LEVEL=warn REDIS_URL="$redis_url" REDIS_KEY_PREFIX="image-check-$$:" \
    ROUTER_SECRET="$secret" DATABASE_URL="file:$image/data/microservice_math.db" "$@" \
    >"$image/$name.log" 2>&1) &
  pids+=($!)
}
wait_ready() { # url
  for _ in $(seq 1 100); do
    curl -sf "$1" >/dev/null && return 0
    sleep 0.2
  done
  echo "not ready: $1"
  cat "$image"/*.log
  exit 1
}

echo "== services as nobody, NODE_ENV=production"
start auth AUTH_PORT=15901 AUTH_PRIVATE_KEY_FILE="$image/secrets/auth-private-key.pem" node subgraphs/auth/dist/main.js
start math MATH_PORT=15902 node subgraphs/math/dist/main.js
wait_ready http://127.0.0.1:15901/ready
wait_ready http://127.0.0.1:15902/ready
start router ROUTER_PORT=18900 AUTH_URL=http://127.0.0.1:15901/graphql MATH_URL=http://127.0.0.1:15902/graphql \
  PLAYGROUND=true node router/dist/main.js
wait_ready http://127.0.0.1:18900/ready
start client CLIENT_PORT=18901 ROUTER_URL=http://127.0.0.1:18900 node client/server.js
wait_ready http://127.0.0.1:18901/

echo "== a flow through the client server and the router"
graphql() { # url query [token]
  curl -sf "$1" -H 'content-type: application/json' ${3:+-H "authorization: Bearer $3"} \
    -d "$(node -e 'console.log(JSON.stringify({ query: process.argv[1] }))' "$2")"
}
username="image_$RANDOM"
token=$(graphql http://127.0.0.1:18901/graphql \
  "mutation { register(username: \"$username\", password: \"image-check-password\") { token } }" |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).data.register.token))')
answer=$(graphql http://127.0.0.1:18900/graphql '{ factorial(n: 30) { result } }' "$token")
[ "$answer" = '{"data":{"factorial":{"result":"265252859812191058636308480000000"}}}' ] ||
  { echo "unexpected answer: $answer"; exit 1; }
# Past what math computes inline: one of its worker threads, started from the bundle, computes it.
answer=$(graphql http://127.0.0.1:18900/graphql '{ factorial(n: 20000) { digits } }' "$token")
[ "$answer" = '{"data":{"factorial":{"digits":77338}}}' ] || { echo "unexpected answer: $answer"; exit 1; }
logs=$(graphql http://127.0.0.1:18900/graphql '{ me { logs { input } } }' "$token")
[ "$logs" = '{"data":{"me":{"logs":[{"input":"{\"n\":20000}"},{"input":"{\"n\":30}"}]}}}' ] ||
  { echo "unexpected logs: $logs"; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' -H 'accept: text/html' http://127.0.0.1:18900/graphql)" = 200 ] ||
  { echo "the playground is not served"; exit 1; }

echo "== SIGTERM"
for pid in "${pids[@]}"; do kill -TERM "$pid"; done
for pid in "${pids[@]}"; do wait "$pid" || { echo "a service exited non-zero"; cat "$image"/*.log; exit 1; }; done
pids=()
if grep -h '"level":[56]0' "$image"/*.log; then echo "errors were logged"; exit 1; fi
echo "image layout OK: production dependencies only, run as nobody, flow answered, exit 0"
