# shellcheck shell=bash
# The lab's monitoring (on unless `up --no-monitoring`): Prometheus, Alertmanager and a webhook sink on the
# node mon, node_exporter and postgres_exporter on every database node, and the targets Patroni's /metrics
# and HAProxy's built-in exporter. Configuration is written by config.sh (write_monitoring_config), the rule
# set is the repository's monitoring/alerts.yml. Sourced by lab.sh after common.sh, config.sh and health.sh.

# The exporters a database node runs besides its database services.
node_monitoring_services() {
    ((LAB_MONITORING)) && is_pg_node "$1" && echo node-exporter postgres-exporter
    return 0
}

# SQL run on the leader with the drill role's (create_drill_role): the role postgres_exporter logs in as, by
# peer authentication over the node's socket (no password), allowed to read the statistics (pg_monitor).
monitoring_role_sql() {
    ((LAB_MONITORING)) || return 0
    cat <<SQL
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$PG_EXPORTER_ROLE') AS need_exporter_role \\gset
\\if :need_exporter_role
CREATE ROLE $PG_EXPORTER_ROLE LOGIN;
\\endif
GRANT pg_monitor TO $PG_EXPORTER_ROLE;
SQL
}

prom_url() { echo "http://$(node_ip "$MON_NODE"):$PROMETHEUS_PORT"; }
am_url() { echo "http://$(node_ip "$MON_NODE"):$ALERTMANAGER_PORT"; }

# Exit status 0 iff ready. Sets M_PROBLEMS (empty iff ready), M_SUMMARY and M_TARGETS/M_RULES/M_ALERTS (the APIs'
# JSON, which print_monitoring_status reads: globals, like lab_health's, for several readers). Ready means: Prometheus and
# Alertmanager answer /-/ready, every active target is up, the rule file is loaded with every rule healthy,
# and every postgres_exporter reaches its PostgreSQL (pg_up 1).
monitoring_health() {
    local prom am parts=() n
    M_PROBLEMS=() M_TARGETS="" M_RULES="" M_ALERTS=""
    prom=$(prom_url) am=$(am_url)
    if curl_q "$prom/-/ready" >/dev/null; then parts+=("prometheus ready"); else
        parts+=("prometheus -")
        M_PROBLEMS+=("Prometheus $prom not ready")
    fi
    if curl_q "$am/-/ready" >/dev/null; then parts+=("alertmanager ready"); else
        parts+=("alertmanager -")
        M_PROBLEMS+=("Alertmanager $am not ready")
    fi
    if M_TARGETS=$(curl_q "$prom/api/v1/targets?state=active"); then
        local up total down
        read -r up total < <(jq -r '[([.data.activeTargets[] | select(.health == "up")] | length), (.data.activeTargets | length)] | @tsv' <<<"$M_TARGETS")
        parts+=("targets $up/$total up")
        if ((total == 0 || up < total)); then
            down=$(jq -r '[.data.activeTargets[] | select(.health != "up") | "\(.labels.job)@\(.labels.node)"] | join(", ")' <<<"$M_TARGETS")
            M_PROBLEMS+=("Prometheus: $up of $total targets up (not up: ${down:-none configured})")
        fi
    fi
    if M_RULES=$(curl_q "$prom/api/v1/rules"); then
        local rules bad
        read -r rules bad < <(jq -r '[([.data.groups[].rules[]] | length), ([.data.groups[].rules[] | select(.health != "ok" and .health != "unknown")] | length)] | @tsv' <<<"$M_RULES")
        parts+=("$rules rules")
        ((rules > 0)) || M_PROBLEMS+=("Prometheus: no rules loaded from $MONITORING_DIR/alerts.yml")
        ((bad == 0)) || M_PROBLEMS+=("Prometheus: $bad rules failing to evaluate")
    fi
    local pg_up
    if pg_up=$(curl_q "$prom/api/v1/query" --data-urlencode 'query=pg_up'); then
        n=$(jq -r '[.data.result[] | select(.value[1] != "1") | .metric.node] | join(",")' <<<"$pg_up")
        [[ -z $n ]] || M_PROBLEMS+=("postgres_exporter cannot reach PostgreSQL on: $n")
        [[ $(jq -r '.data.result | length' <<<"$pg_up") -gt 0 ]] || M_PROBLEMS+=("no pg_up samples yet")
    fi
    if M_ALERTS=$(curl_q "$prom/api/v1/alerts"); then
        parts+=("$(jq -r '[.data.alerts[] | select(.state == "firing")] | length' <<<"$M_ALERTS") firing")
    fi
    M_SUMMARY=$(IFS='|'; echo "${parts[*]}")
    M_SUMMARY=${M_SUMMARY//|/ · }
    ((${#M_PROBLEMS[@]} == 0))
}

# After the cluster is healthy: until monitoring is ready (the exporters can reach PostgreSQL only once
# their role exists, i.e. after the leader came up), then prints the ready summary on stdout; or fails
# with the reasons and the mon logs.
wait_monitoring() {
    local t0=$1 deadline last="" f
    deadline=$(($(now_ns) + UP_TIMEOUT * 1000000000))
    while :; do
        if monitoring_health; then
            echo "$M_SUMMARY"
            return 0
        fi
        if [[ $M_SUMMARY != "$last" ]]; then say "[$(printf '%5s' "$(elapsed_since "$t0")")s] monitoring: $M_SUMMARY"; fi
        last=$M_SUMMARY
        if (($(now_ns) > deadline)); then
            say "lab: monitoring not ready after ${UP_TIMEOUT}s:"
            printf '  - %s\n' "${M_PROBLEMS[@]}" >&2
            for f in "$STATE/$MON_NODE"/log/*.log "$STATE"/pg*/log/postgres-exporter.log; do
                [[ -s $f ]] || continue
                say "--- ${f#"$LAB_DIR"/} (last 8 lines)"
                tail -n 8 "$f" >&2
            done
            die "lab up: monitoring not ready; the lab is left for inspection (lab.sh status, lab.sh down)"
        fi
        sleep 0.2
    done
}

# The monitoring part of `lab.sh status` (after monitoring_health).
print_monitoring_status() {
    echo "Monitoring ($(prom_url), $(am_url)): $M_SUMMARY"
    if [[ -n $M_TARGETS ]]; then
        jq -r '.data.activeTargets | sort_by(.labels.job, .labels.node) | group_by(.labels.job)[]
               | "  \(.[0].labels.job): " + ([.[] | "\(.labels.node) \(.health)"] | join(", "))' <<<"$M_TARGETS"
    fi
    if [[ -n $M_RULES ]]; then
        jq -r '.data.groups[] | "  rules \(.name) (\(.file)): \(.rules | length), evaluated every \(.interval)s"' <<<"$M_RULES"
    fi
    if [[ -n $M_ALERTS ]]; then
        jq -r '.data.alerts | if length == 0 then "  alerts: none pending or firing" else
               (.[] | "  alert \(.labels.alertname) \(.state) since \(.activeAt) (\(.labels.node // .labels.cluster))") end' <<<"$M_ALERTS"
    fi
    local am_alerts
    if am_alerts=$(curl_q "$(am_url)/api/v2/alerts?active=true&silenced=false&inhibited=false"); then
        printf '  Alertmanager: %s active alerts; notifications in %s\n' "$(jq length <<<"$am_alerts")" \
            "${STATE#"$PWD"/}/$MON_NODE/log/alert-sink.log"
    fi
}
