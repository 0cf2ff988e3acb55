#!/usr/bin/env bash
# bench-scale.sh: how relia's build scales with the number of SLOs.
#
# Builds synthetic sites of 10, 100 and 1,000 SLOs (90 days at one-minute
# steps, 28-day windows, from a snapshot) and prints wall time, CPU time
# (user + system) and peak RSS of each build, with the sizes of the pages
# that grow with the SLO count. Then the demo build's CPU, 1,000
# retrospectives against Hugo on the same Markdown, and, with PROM=1, a
# build against a local Prometheus (cold and warm).
#
#   scripts/bench-scale.sh                 # from the repository root
#   SIZES="10 100" scripts/bench-scale.sh  # fewer sizes
#   PROM=1 PROM_SLOS=200 scripts/bench-scale.sh
#   VM=1 VM_SLOS=200 scripts/bench-scale.sh  # the same against VictoriaMetrics
#   CHAOS=1 scripts/bench-scale.sh          # sites with a Chaos Day and
#                                           # retrospectives touching every SLO
#
# Sites are generated once into $WORK (default /tmp/relia-bench) and reused.
# Needs GNU time (/usr/bin/time); falls back to bash's times without RSS.
set -euo pipefail

SIZES=${SIZES-"10 100 1000"}
STEP=${STEP:-1m}
DAYS=${DAYS:-90}
WORK=${WORK:-/tmp/relia-bench}
CHAOS=${CHAOS:-0}
NOW=2026-11-22T23:00:00Z
ROOT=$(cd "$(dirname "$0")/.." && pwd)

mkdir -p "$WORK"
go build -o "$WORK/relia" "$ROOT/cmd/relia"
go build -o "$WORK/gen" "$ROOT/internal/demo/gen"

# measure CMD...: runs CMD and sets WALL, CPU (seconds) and RSS (MB).
measure() {
	if [[ -x /usr/bin/time ]]; then
		/usr/bin/time -f "%e %U %S %M" -o "$WORK/time.out" "$@" >/dev/null
		read -r WALL user sys kb <"$WORK/time.out"
		CPU=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
		RSS=$((kb / 1024))
	else
		local t0 t1
		t0=$(date +%s.%N)
		"$@" >/dev/null
		t1=$(date +%s.%N)
		WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
		CPU="?"
		RSS="?"
	fi
}

kb() { echo $(($(stat -c %s "$1") / 1024)); }

genflags=()
suffix=""
what=""
if [[ "$CHAOS" == 1 ]]; then
	genflags=(-chaos)
	suffix="-chaos"
	what=", a chaos run and a retrospective on every service"
fi

echo "## Snapshot builds: ${DAYS} days at ${STEP} steps, 28-day windows${what}"
echo
echo "| SLOs | wall s | CPU s | peak RSS MB | index KB | slos.json KB | search index KB | largest page KB |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in $SIZES; do
	site="$WORK/site-$n-$STEP-$DAYS$suffix"
	if [[ ! -f "$site/relia.toml" ]]; then
		"$WORK/gen" -slos "$n" -step "$STEP" -days "$DAYS" "${genflags[@]}" -out "$site" 2>/dev/null
	fi
	measure "$WORK/relia" build --config "$site/relia.toml" --out "$site/public" --now "$NOW" -q
	largest=$(find "$site/public" -name '*.html' -printf '%s\n' | sort -n | tail -1)
	echo "| $n | $WALL | $CPU | $RSS | $(kb "$site/public/index.html") | $(kb "$site/public/api/v1/slos.json") | $(kb "$site/public/search/index.js") | $((largest / 1024)) |"
done

echo
echo "## Demo site"
echo
(cd "$ROOT" && measure "$WORK/relia" build --out "$WORK/demo-public" -q && echo "demo build: wall ${WALL} s, CPU ${CPU} s, peak RSS ${RSS} MB")

# 1,000 retrospectives: the demo site with 1,000 copies of one, against
# Hugo rendering the same Markdown files in a bare theme. Where $WORK lies
# matters: on a busy ext4 both tools spend most of their time making
# folders and files, on tmpfs (WORK=/dev/shm/relia-bench) only rendering.
if [[ "${HUGO:-1}" == 1 ]] && command -v hugo >/dev/null; then
	echo
	echo "## 1,000 retrospectives: relia against Hugo"
	echo
	retro="$ROOT/content/retros/2026-11-10-checkout-5xx.md"
	r="$WORK/retros-relia"
	h="$WORK/retros-hugo"
	rm -rf "$r" "$h"
	mkdir -p "$r" "$h/content/retros" "$h/layouts/_default"
	cp -r "$ROOT/relia.toml" "$ROOT/content" "$r/"
	for i in $(seq -w 1 1000); do
		cp "$retro" "$r/content/retros/2026-11-10-copy-$i.md"
		cp "$retro" "$h/content/retros/2026-11-10-copy-$i.md"
	done
	printf 'baseURL = "/"\ntitle = "bench"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n' >"$h/hugo.toml"
	printf '<!doctype html><title>{{ .Title }}</title><main>{{ .Content }}</main>\n' >"$h/layouts/_default/single.html"
	printf '<!doctype html><title>{{ .Title }}</title><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>\n' >"$h/layouts/_default/list.html"
	# One pair of runs says little on a virtual machine whose disk
	# timings wander: ROUNDS pairs, alternating which goes first, each
	# into a fresh folder after the disk has settled (sync), and the
	# medians.
	rounds=${ROUNDS:-5}
	: >"$WORK/pairs"
	for i in $(seq "$rounds"); do
		for who in $( ((i % 2)) && echo relia hugo || echo hugo relia); do
			rm -rf "$r/public" "$h/public"
			sync
			if [[ $who == relia ]]; then
				measure "$WORK/relia" build --config "$r/relia.toml" --out "$r/public" -q
			else
				measure hugo --quiet --source "$h" --destination "$h/public"
			fi
			echo "$who $i $WALL $CPU" >>"$WORK/pairs"
		done
	done
	median() { sort -n | awk '{ a[NR] = $1 } END { printf "%.2f", NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
	col() { awk -v who="$1" -v c="$2" '$1 == who { print $c }' "$WORK/pairs"; }
	rw=$(col relia 3 | median) rc=$(col relia 4 | median) hw=$(col hugo 3 | median) hc=$(col hugo 4 | median)
	ratios=$(paste -d' ' <(col relia 3) <(col hugo 3) | awk '{ printf "%s%.2f", (NR > 1 ? " " : ""), $1 / $2 }')
	echo "medians of $rounds alternating rounds: relia wall ${rw} s, CPU ${rc} s; hugo $(hugo version | awk '{print $2}'): wall ${hw} s, CPU ${hc} s; ratio (wall) $(awk -v a="$rw" -v b="$hw" 'BEGIN { printf "%.2f", a / b }') (per round: $ratios)"
fi

# A build against a local Prometheus: history backfilled with promtool,
# scraped every step at half a step off the grid.
if [[ "${PROM:-0}" == 1 ]]; then
	for bin in prometheus promtool; do
		command -v "$bin" >/dev/null || { echo "PROM=1: $bin is not installed"; exit 1; }
	done
	n=${PROM_SLOS:-200}
	# A free port: other Prometheus servers may run on this machine.
	port=${PROM_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
	p="$WORK/prom-$n-$STEP-$DAYS"
	if [[ ! -d "$p/data" ]]; then
		rm -rf "$p"
		"$WORK/gen" -slos "$n" -step "$STEP" -days "$DAYS" -out "$p" -prometheus "http://127.0.0.1:$port" 2>/dev/null
		promtool tsdb create-blocks-from --max-block-duration=744h openmetrics "$p/prometheus.om" "$p/data" >/dev/null
		rm "$p/prometheus.om"
	fi
	sed -i "s|^url  = .*|url  = \"http://127.0.0.1:$port\"|" "$p/relia-prometheus.toml"
	printf 'global: {}\nscrape_configs: []\n' >"$p/prometheus.yml"
	prometheus --config.file="$p/prometheus.yml" --storage.tsdb.path="$p/data" \
		--storage.tsdb.retention.time=10y --web.listen-address="127.0.0.1:$port" >"$p/prometheus.log" 2>&1 &
	ppid=$!
	trap 'kill $ppid 2>/dev/null || true' EXIT
	for _ in $(seq 100); do
		curl -sf "http://127.0.0.1:$port/-/ready" >/dev/null && break
		sleep 0.2
	done
	kill -0 "$ppid" 2>/dev/null || { echo "prometheus did not start: see $p/prometheus.log"; exit 1; }
	pcpu() { awk '{ printf "%.2f", ($14 + $15) / 100 }' "/proc/$ppid/stat"; }
	echo
	echo "## Prometheus: $n SLOs, ${DAYS} days at ${STEP} (scrapes off the grid)"
	echo
	echo "| build | wall s | relia CPU s | peak RSS MB | Prometheus CPU s |"
	echo "|---|---:|---:|---:|---:|"
	rm -rf "$p/.relia"
	c0=$(pcpu)
	measure "$WORK/relia" build --config "$p/relia-prometheus.toml" --out "$p/public" --now "$NOW" -q
	echo "| cold | $WALL | $CPU | $RSS | $(awk -v a="$c0" -v b="$(pcpu)" 'BEGIN { printf "%.2f", b - a }') |"
	c0=$(pcpu)
	measure "$WORK/relia" build --config "$p/relia-prometheus.toml" --out "$p/public" --now "$NOW" -q
	echo "| warm | $WALL | $CPU | $RSS | $(awk -v a="$c0" -v b="$(pcpu)" 'BEGIN { printf "%.2f", b - a }') |"
	kill "$ppid"
	wait "$ppid" 2>/dev/null || true
	trap - EXIT
fi

# The same against VictoriaMetrics: the history imported through its
# /api/v1/import/prometheus endpoint (timestamps in milliseconds).
if [[ "${VM:-0}" == 1 ]]; then
	command -v victoria-metrics >/dev/null || { echo "VM=1: victoria-metrics is not installed"; exit 1; }
	n=${VM_SLOS:-200}
	port=${VM_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
	v="$WORK/vm-$n-$STEP-$DAYS"
	fresh=0
	if [[ ! -d "$v/vmdata" ]]; then
		rm -rf "$v"
		"$WORK/gen" -slos "$n" -step "$STEP" -days "$DAYS" -out "$v" -prometheus "http://127.0.0.1:$port" 2>/dev/null
		fresh=1
	fi
	sed -i "s|^url  = .*|url  = \"http://127.0.0.1:$port\"|" "$v/relia-prometheus.toml"
	victoria-metrics -httpListenAddr="127.0.0.1:$port" -storageDataPath="$v/vmdata" -retentionPeriod=100y >"$v/vm.log" 2>&1 &
	vpid=$!
	trap 'kill $vpid 2>/dev/null || true' EXIT
	for _ in $(seq 100); do
		curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
		sleep 0.2
	done
	kill -0 "$vpid" 2>/dev/null || { echo "victoria-metrics did not start: see $v/vm.log"; exit 1; }
	if [[ $fresh == 1 ]]; then
		grep -v '^#' "$v/prometheus.om" | sed 's/ \([0-9]*\)$/ \1000/' |
			curl -sf -X POST -T - -H 'Content-Type: text/plain' "http://127.0.0.1:$port/api/v1/import/prometheus"
		curl -sf "http://127.0.0.1:$port/internal/force_flush" >/dev/null
		rm "$v/prometheus.om"
	fi
	vcpu() { awk '{ printf "%.2f", ($14 + $15) / 100 }' "/proc/$vpid/stat"; }
	echo
	echo "## VictoriaMetrics: $n SLOs, ${DAYS} days at ${STEP} (scrapes off the grid)"
	echo
	echo "| build | wall s | relia CPU s | peak RSS MB | VictoriaMetrics CPU s |"
	echo "|---|---:|---:|---:|---:|"
	rm -rf "$v/.relia"
	for build in cold warm; do
		c0=$(vcpu)
		measure "$WORK/relia" build --config "$v/relia-prometheus.toml" --out "$v/public" --now "$NOW" -q
		echo "| $build | $WALL | $CPU | $RSS | $(awk -v a="$c0" -v b="$(vcpu)" 'BEGIN { printf "%.2f", b - a }') |"
	done
	kill "$vpid"
	wait "$vpid" 2>/dev/null || true
	trap - EXIT
fi
