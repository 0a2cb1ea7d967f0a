#!/usr/bin/env bash
# Load tests `tfport serve` with wrk: requests/s, p50/p99 latency and failed requests for
# half_plus_two and the bench models at 1, 8 and 64 connections, beside the in-process
# latency of the same model (`tfport bench`) and beside nginx serving a static file of the same
# response size (the HTTP ceiling of this machine); then a hot reload under load. At one
# connection it also posts the same body to a URL that reads it and answers at once without
# decoding it (`POST .../metadata`, a 400): the transport floor for that body on this machine.
# Usage: scripts/bench-serve.sh [seconds per run (default 5)]   Prints a Markdown report.
#        TFPORT_BENCH_MODELS="mobilenet_v2 ..." limits the rows to those models (and skips the
#        hot-reload run).
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-5}"
fixtures="${TFPORT_FIXTURES:-../shared/fixtures}"
tfport=build/src/cli/tfport
[ -x "$tfport" ] || scripts/build.sh release

# Bench-only tools (not needed to build or test tfport).
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"

work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

cat > "$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open(os.getenv("BODY_FILE"), "rb")
wrk.body = f:read("*a")
f:close()
LUA

# "rps p50_ms p99_ms failed" from one wrk run.
run_wrk() {  # conns url [lua]
  local conns="$1" url="$2" lua="${3:-}" threads=2 out
  [ "$conns" -lt 2 ] && threads=1
  if [ -n "$lua" ]; then
    out="$(wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 30s --latency -s "$lua" "$url")"
  else
    out="$(wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 30s --latency "$url")"
  fi
  python3 - "$out" <<'PY'
import re, sys
out = sys.argv[1]
def ms(tok):
    m = re.match(r"([\d.]+)(us|ms|s)", tok)
    v = float(m.group(1))
    return v / 1000 if m.group(2) == "us" else v * 1000 if m.group(2) == "s" else v
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
p50 = ms(re.search(r"\s50%\s+(\S+)", out).group(1))
p99 = ms(re.search(r"\s99%\s+(\S+)", out).group(1))
failed = 0
m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
if m: failed += int(m.group(1))
m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
if m: failed += sum(int(x) for x in m.groups())
print(f"{rps:.0f} {p50:.3f} {p99:.3f} {failed}")
PY
}

# JSON request bodies: one item of the model's input shape.
make_body() {  # file dims...
  python3 - "$@" <<'PY'
import sys, json, random
path, dims = sys.argv[1], [int(d) for d in sys.argv[2:]]
random.seed(1)
def build(d):
    if not d: return round(random.random(), 3)
    return [build(d[1:]) for _ in range(d[0])]
open(path, "w").write(json.dumps({"instances": [build(dims)]}))
PY
}

start_server() {  # name base_path -> sets port
  local rest grpc
  rest="$(free_port)"; grpc="$(free_port)"
  "$tfport" serve --port="$grpc" --rest_api_port="$rest" --model_name="$1" --model_base_path="$2" \
    --rest_api_num_threads=4 --file_system_poll_wait_seconds="${3:-1}" 2>"$work/serve-$1.log" &
  server_pid=$!
  pids+=($!)
  for _ in $(seq 1 600); do
    grep -q "Exporting HTTP/REST API" "$work/serve-$1.log" 2>/dev/null && break
    sleep 0.1
  done
  port="$rest"
}

# nginx serving a static file of `size` bytes: the HTTP ceiling.
start_nginx() {  # size
  local nport dir="$work/nginx"
  mkdir -p "$dir/html" "$dir/logs"
  head -c "$1" /dev/zero | tr '\0' 'x' > "$dir/html/resp.json"
  nport="$(free_port)"
  cat > "$dir/nginx.conf" <<NGINX
worker_processes 2;
pid $dir/nginx.pid;
error_log $dir/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $dir; proxy_temp_path $dir; fastcgi_temp_path $dir; uwsgi_temp_path $dir; scgi_temp_path $dir;
  server { listen 127.0.0.1:$nport; root $dir/html; location / { default_type application/json; } }
}
NGINX
  "$nginx_bin" -c "$dir/nginx.conf" -p "$dir" -g 'daemon off;' 2>/dev/null &
  nginx_pid=$!
  pids+=($!)
  sleep 0.5
  nginx_port="$nport"
}

echo "# tfport serve benchmark ($(nproc) cores, ${secs}s per run, $(date -u +%Y-%m-%dT%H:%MZ))"
echo
echo "| model | batch | conns | tfport req/s | p50 ms | p99 ms | failed | nginx req/s (same size) | nginx p50 ms | % of ceiling | in-process p50 ms | in-process p99 ms | same body, no decode: p50 ms |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"

models=(
  "half_plus_two|$fixtures/tfserving/saved_model_half_plus_two_cpu|$fixtures/tfserving/saved_model_half_plus_two_cpu/00000123|1"
  "mnist_cnn|$fixtures/realworld/mnist-cnn/model/mnist_cnn.h5|$fixtures/realworld/mnist-cnn/model/mnist_cnn.h5|28 28 1"
  "mobilenet_v2|$fixtures/bench/mobilenet_v2_nsfw.h5|$fixtures/bench/mobilenet_v2_nsfw.h5|224 224 3"
)
[ -f "$fixtures/bench/inception_v3_nsfw.h5" ] &&
  models+=("inception_v3|$fixtures/bench/inception_v3_nsfw.h5|$fixtures/bench/inception_v3_nsfw.h5|299 299 3")

only="${TFPORT_BENCH_MODELS:-}"
for entry in "${models[@]}"; do
  IFS='|' read -r name base file dims <<<"$entry"
  [ -n "$only" ] && [[ " $only " != *" $name "* ]] && continue
  # shellcheck disable=SC2086
  make_body "$work/$name.json" $dims
  start_server "$name" "$base"
  resp_size="$(curl -s -d @"$work/$name.json" "http://127.0.0.1:$port/v1/models/$name:predict" | wc -c)"
  inproc="$("$tfport" bench --model "$file" --batch 1 --json 2>/dev/null || echo '{}')"
  ip50="$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d.get("latency_ms_p50","-"))' "$inproc")"
  ip99="$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d.get("latency_ms_p99","-"))' "$inproc")"
  start_nginx "$resp_size"
  for conns in 1 8 64; do
    read -r rps p50 p99 failed < <(BODY_FILE="$work/$name.json" run_wrk "$conns" "http://127.0.0.1:$port/v1/models/$name:predict" "$work/post.lua")
    read -r nrps np50 _ _ < <(run_wrk "$conns" "http://127.0.0.1:$nginx_port/resp.json")
    pct="$(python3 -c "print(f'{100*$rps/$nrps:.0f}%')")"
    floor="–"
    if [ "$conns" -eq 1 ]; then
      read -r _ floor _ _ < <(BODY_FILE="$work/$name.json" run_wrk 1 "http://127.0.0.1:$port/v1/models/$name/metadata" "$work/post.lua")
    fi
    echo "| $name | 1 | $conns | $rps | $p50 | $p99 | $failed | $nrps | $np50 | $pct | $ip50 | $ip99 | $floor |"
  done
  kill "$server_pid" "$nginx_pid" 2>/dev/null || true
  wait "$server_pid" "$nginx_pid" 2>/dev/null || true
done

[ -n "$only" ] && exit 0
# Hot reload under load: versions 2 and 3 appear while 64 connections hammer version 1.
echo
base="$work/reload"
mkdir -p "$base"
cp -r "$fixtures/tfserving/saved_model_half_plus_two_cpu/00000123" "$base/1"
start_server reload "$base" 0.2
(
  sleep 1; cp -r "$base/1" "$base/.tmp2"; mv "$base/.tmp2" "$base/2"
  sleep 2; cp -r "$base/1" "$base/.tmp3"; mv "$base/.tmp3" "$base/3"
) &
make_body "$work/reload.json" 1
read -r rps p50 p99 failed < <(BODY_FILE="$work/reload.json" run_wrk 64 "http://127.0.0.1:$port/v1/models/reload:predict" "$work/post.lua")
served="$(curl -s "http://127.0.0.1:$port/v1/models/reload" | python3 -c 'import json,sys; print(",".join(v["version"]+":"+v["state"] for v in json.load(sys.stdin)["model_version_status"]))')"
echo "Hot reload under load (64 connections, versions 2 and 3 added during the run): $rps req/s, p50 $p50 ms, p99 $p99 ms, failed requests: $failed; versions after: $served"
