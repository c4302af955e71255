#!/bin/bash
# render-production.sh [RULES] — prints the production rule file made from the lab's (default:
# monitoring/alerts.yml next to this script): on every line ending in `# production: VALUE`, the value just
# before the comment is replaced by VALUE and the comment dropped. One source for both environments, so they
# cannot drift apart; check the result with `promtool check rules`.
#   monitoring/render-production.sh >alerts.production.yml && promtool check rules alerts.production.yml
set -euo pipefail
rules=${1:-"$(dirname "$(readlink -f "$0")")/alerts.yml"}
[[ -r $rules ]] || { echo "render-production: cannot read $rules" >&2; exit 1; }
# Lines with a production value must have one token to replace: refuse anything else rather than guess.
bad=$(grep -nE '^[[:space:]]*[^#[:space:]].*# production:' "$rules" | grep -vE '^[0-9]+:.*[^[:space:]][[:space:]]+# production: [^[:space:]]+$' || true)
[[ -z $bad ]] || { printf 'render-production: malformed production marker:\n%s\n' "$bad" >&2; exit 1; }
sed -E -e 's/^(.*[[:space:]])[^[:space:]]+[[:space:]]+# production: ([^[:space:]]+)$/\1\2/' \
    -e 's/^# THRESHOLDS ARE THE LAB.S\..*$/# PRODUCTION THRESHOLDS, rendered from the lab rule file by monitoring\/render-production.sh./' "$rules"
