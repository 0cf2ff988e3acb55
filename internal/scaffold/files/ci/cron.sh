#!/bin/sh
# The weekly reliability report on a VM: build into public/ and serve it
# with nginx (ci/nginx.conf). Install relia once:
#   go install {{.Module}}/cmd/relia@{{.Version}}
# and add to the crontab of the site's owner (crontab -e); cron runs in the
# machine's zone, so the line checks the hour in {{.Timezone}} itself:
#   0 * * * * [ "$(TZ={{.Timezone}} date +\%u\%H)" = 106 ] && /path/to/site/ci/cron.sh
# The history archive (history/) simply stays on the VM's disk.
set -eu
cd "$(dirname "$0")/.."
relia build -q
# nginx serves public/ directly: relia build swaps the finished folder in
# whole, so readers never see a half-written site.
