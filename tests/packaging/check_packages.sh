#!/usr/bin/env bash
# Builds Herald's Debian packages with CPack and inspects them without installing anything.
#   check_packages.sh BUILD_DIR SOURCE_DIR OUT_DIR COMPONENTS
# COMPONENTS: comma-separated install components this build has (server, desktop).
# Exit 0 when every check passes, 1 when one fails, 77 (skip) when there is nothing to package.
set -uo pipefail

BUILD=$1 SRC=$2 OUT=$3 COMPONENTS=",${4:-},"
failures=0 checks=0
pass() { checks=$((checks + 1)); echo "ok    $*"; }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAIL  $*"; }
skip() { echo "SKIP: $*"; exit 77; }
note() { echo "note  $*"; }
has_component() { [[ $COMPONENTS == *",$1,"* ]]; }

has_component server || skip "this build has no herald-server target, so there is no herald-server package to test"
for tool in cpack dpkg-deb readelf; do
  command -v "$tool" >/dev/null || { echo "FAIL  $tool is not installed"; exit 1; }
done

# ---- build ---------------------------------------------------------------------------
rm -rf "$OUT"
mkdir -p "$OUT"
echo "== cpack -G DEB -B $OUT (in $BUILD)"
start=$SECONDS
if ! (cd "$BUILD" && cpack -G DEB -B "$OUT") >"$OUT/cpack.log" 2>&1; then
  cat "$OUT/cpack.log"
  echo "FAIL  cpack failed"
  exit 1
fi
echo "   took $((SECONDS - start)) s"
grep -E "^CPack: - package: " "$OUT/cpack.log" | sed 's/^/   /'

deb_of() { # deb_of PACKAGE -> path of its .deb in OUT
  local f
  f=$(ls "$OUT"/"$1"_*.deb 2>/dev/null | head -n 1)
  [[ -n $f ]] && echo "$f"
}

# ---- helpers -------------------------------------------------------------------------
# Package names in the Depends field (alternatives included, versions dropped).
depends_of() {
  dpkg-deb -f "$1" Depends | tr ',|' '\n\n' | sed -E 's/\(.*\)//; s/:any//; s/^[[:space:]]+//; s/[[:space:]]+$//' |
    grep -v '^$' | sort -u
}
check_field() { # check_field DEB FIELD [EXPECTED]
  local v
  v=$(dpkg-deb -f "$1" "$2")
  if [[ -z $v ]]; then
    fail "$(basename "$1"): control field $2 is empty"
  elif [[ $# -ge 3 && $v != "$3" ]]; then
    fail "$(basename "$1"): $2 is '$v', expected '$3'"
  else
    pass "$(basename "$1"): $2: ${v%%$'\n'*}"
  fi
}
check_summary() { # check_summary DEB WORD: a synopsis of its own and an extended description
  local d
  d=$(dpkg-deb -f "$1" Description)
  if grep -qi "$2" <<<"${d%%$'\n'*}" && [[ $(wc -l <<<"$d") -ge 3 ]]; then
    pass "$(basename "$1"): Description: ${d%%$'\n'*} (+$(($(wc -l <<<"$d") - 1)) lines)"
  else
    fail "$(basename "$1"): Description lacks a '$2' synopsis or a long description: $d"
  fi
}
check_path() { # check_path LISTING DEB PATH [MODE-REGEX]
  local line
  line=$(grep -E " \./${3#/}( |$)" "$1" | head -n 1)
  if [[ -z $line ]]; then
    fail "$(basename "$2") lacks /${3#/}"
  elif [[ $# -ge 4 && ! ${line%% *} =~ $4 ]]; then
    fail "$(basename "$2"): /${3#/} has mode ${line%% *}, expected $4"
  else
    pass "$(basename "$2") has /${3#/} (${line%% *})"
  fi
}
check_depends() { # check_depends DEB PACKAGE...
  local deb=$1 p deps
  shift
  deps=$(depends_of "$deb")
  for p in "$@"; do
    if grep -qxF "$p" <<<"$deps"; then pass "$(basename "$deb") depends on $p"; else fail "$(basename "$deb") does not depend on $p"; fi
  done
}
# Every shared library an ELF file in the package needs must come from a package it depends on.
check_needed_libs() { # check_needed_libs DEB ROOT
  local deb=$1 root=$2 deps f lib path owner
  deps=$(depends_of "$deb")
  while IFS= read -r f; do
    file -b "$f" | grep -q ELF || continue
    while IFS= read -r lib; do
      path=$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64|x86_64|64bit/ {print $NF; exit}')
      [[ -z $path ]] && path=$(ldconfig -p | awk -v l="$lib" '$1 == l {print $NF; exit}')
      if [[ -z $path ]]; then
        fail "$(basename "$deb"): ${f#"$root"} needs $lib, which this machine does not have"
        continue
      fi
      owner=$(dpkg-query -S "$(readlink -f "$path")" 2>/dev/null | head -n 1 | cut -d: -f1)
      [[ -z $owner ]] && owner=$(dpkg-query -S "$path" 2>/dev/null | head -n 1 | cut -d: -f1)
      if [[ -z $owner ]]; then
        fail "$(basename "$deb"): ${f#"$root"} needs $lib ($path), which no package owns"
      elif grep -qxF "$owner" <<<"$deps"; then
        pass "$(basename "$deb"): ${f#"$root"} needs $lib, from $owner, a dependency"
      else
        fail "$(basename "$deb"): ${f#"$root"} needs $lib from $owner, which is not in Depends"
      fi
    done < <(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  done < <(find "$root" -type f)
}
check_scripts() { # check_scripts DEB CONTROL_DIR SCRIPT...
  local deb=$1 dir=$2 s
  shift 2
  for s in "$@"; do
    if [[ ! -f $dir/$s ]]; then
      fail "$(basename "$deb") has no $s"
    elif [[ ! -x $dir/$s ]]; then
      fail "$(basename "$deb"): $s is not executable"
    elif ! sh -n "$dir/$s"; then
      fail "$(basename "$deb"): $s has a shell syntax error"
    else
      pass "$(basename "$deb"): $s is an executable shell script"
      if command -v shellcheck >/dev/null; then
        if shellcheck -s sh "$dir/$s"; then pass "$(basename "$deb"): shellcheck $s"; else fail "$(basename "$deb"): shellcheck $s"; fi
      fi
    fi
  done
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ---- herald-server -------------------------------------------------------------------
echo "== herald-server package"
server_deb=$(deb_of herald-server) || { echo "FAIL  cpack made no herald-server_*.deb"; ls -l "$OUT"; exit 1; }
note "$server_deb ($(du -h "$server_deb" | cut -f1))"
dpkg-deb -c "$server_deb" | awk '{print $1, $6}' >"$work/server.list"
check_path "$work/server.list" "$server_deb" usr/bin/herald-server '^-rwxr-xr-x$'
check_path "$work/server.list" "$server_deb" usr/bin/heraldctl '^-rwxr-xr-x$'
check_path "$work/server.list" "$server_deb" lib/systemd/system/herald-server.service '^-rw-r--r--$'
check_path "$work/server.list" "$server_deb" etc/herald/herald-server.conf '^-rw-r-----$'
check_path "$work/server.list" "$server_deb" usr/share/doc/herald-server/README.md
if grep -qE ' \./usr/local/| \./home/| \./root/| \./tmp/' "$work/server.list"; then
  fail "herald-server package has files outside Debian paths: $(grep -E ' \./(usr/local|home|root|tmp)/' "$work/server.list" | tr '\n' ' ')"
else
  pass "herald-server package has no files in /usr/local, /home, /root or /tmp"
fi
check_field "$server_deb" Package herald-server
check_field "$server_deb" Section net
check_field "$server_deb" Maintainer
check_summary "$server_deb" server
check_field "$server_deb" Version
check_field "$server_deb" Architecture "$(dpkg --print-architecture)"
note "Depends: $(dpkg-deb -f "$server_deb" Depends)"
check_depends "$server_deb" libqt6core6 libqt6network6 libqt6websockets6 libqt6httpserver6 libqt6sql6 \
  libqt6sql6-sqlite libqt6sql6-psql libssl3 adduser libc6

mkdir -p "$work/server/root" "$work/server/control"
dpkg-deb -x "$server_deb" "$work/server/root"
dpkg-deb -e "$server_deb" "$work/server/control"
check_needed_libs "$server_deb" "$work/server/root"
check_scripts "$server_deb" "$work/server/control" postinst prerm postrm
if grep -qx /etc/herald/herald-server.conf "$work/server/control/conffiles" 2>/dev/null; then
  pass "herald-server: /etc/herald/herald-server.conf is a conffile"
else
  fail "herald-server: /etc/herald/herald-server.conf is not listed in conffiles"
fi

# Default config: a [server] group, every key documented with its default, commented out,
# except data_dir, which is set so that herald-server and heraldctl agree on it.
conf="$work/server/root/etc/herald/herald-server.conf"
if [[ -f $conf ]]; then
  grep -qx '\[server\]' "$conf" && pass "config has a [server] group" || fail "config has no [server] group"
  grep -qxF 'data_dir=/var/lib/herald' "$conf" && pass "config sets data_dir=/var/lib/herald" ||
    fail "config does not set data_dir=/var/lib/herald"
  for kv in listen=0.0.0.0 port=8470 tls_cert= tls_key= storage=sqlite \
    log_level=info heartbeat_interval=30 heartbeat_timeout=75 auth_timeout=10 max_frame_bytes=65536 \
    max_connections_per_user=20 outbound_queue_bytes=4194304 messages_per_second=20 messages_burst=50 \
    metrics_token= origins=; do
    if grep -qxF ";$kv" "$conf"; then pass "config documents ;$kv"; else fail "config lacks the commented default ;$kv"; fi
  done
  active=$(grep -vE '^[[:space:]]*($|;|#|\[)' "$conf" | grep -vxF 'data_dir=/var/lib/herald' || true)
  [[ -z $active ]] && pass "config sets nothing else (defaults commented)" || fail "config has active settings: $active"
  # Every key the packaged server knows (its --help lists them) is documented.
  server_keys=$("$work/server/root/usr/bin/herald-server" --help 2>/dev/null | sed -n 's/^Keys: //p' | tr -d ' ' | tr ',' ' ')
  if [[ -z $server_keys ]]; then
    note "herald-server --help lists no 'Keys:': config not compared with the server"
  else
    for k in $server_keys; do
      k=${k%%=*}
      grep -qE "^;?$k=" "$conf" && pass "config documents $k (a key herald-server knows)" ||
        fail "config does not document $k, a key herald-server knows"
    done
    for k in $(sed -nE 's/^;?([a-z_]+)=.*/\1/p' "$conf"); do
      grep -qw "$k" <<<"$server_keys" || fail "config documents $k, which herald-server does not know"
    done
  fi
fi

unit="$work/server/root/lib/systemd/system/herald-server.service"
if [[ -f $unit ]]; then
  for line in 'User=herald' 'Group=herald' 'StateDirectory=herald' 'ConfigurationDirectory=herald' \
    'ExecStart=/usr/bin/herald-server --config /etc/herald/herald-server.conf' 'Restart=on-failure' \
    'NoNewPrivileges=yes' 'ProtectSystem=strict' 'ProtectHome=yes' 'PrivateTmp=yes' 'PrivateDevices=yes' \
    'ProtectKernelTunables=yes' 'ProtectKernelModules=yes' 'ProtectControlGroups=yes' \
    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' 'LimitNOFILE=1048576' 'CapabilityBoundingSet=' \
    'WantedBy=multi-user.target'; do
    if grep -qxF "$line" "$unit"; then pass "unit: $line"; else fail "unit lacks: $line"; fi
  done
  if command -v systemd-analyze >/dev/null; then
    # The unit as packaged, with ExecStart pointed at the packaged binary (not installed yet).
    mkdir -p "$work/unit"
    sed "s#^ExecStart=/usr/bin/herald-server#ExecStart=$work/server/root/usr/bin/herald-server#" "$unit" \
      >"$work/unit/herald-server.service"
    if out=$(systemd-analyze verify "$work/unit/herald-server.service" 2>&1) && [[ -z $out ]]; then
      pass "systemd-analyze verify herald-server.service"
    else
      fail "systemd-analyze verify herald-server.service: $out"
    fi
    if out=$(systemd-analyze security --offline=true --threshold=30 "$unit" 2>&1); then
      pass "systemd-analyze security: $(grep -o 'Overall exposure level.*' <<<"$out")"
    else
      fail "systemd-analyze security over threshold 3.0: $(tail -n 1 <<<"$out")"
    fi
  else
    note "systemd-analyze not installed: unit not verified"
  fi
fi

# ---- herald-desktop ------------------------------------------------------------------
if has_component desktop; then
  echo "== herald-desktop package"
  desktop_deb=$(deb_of herald-desktop) || { fail "cpack made no herald-desktop_*.deb"; desktop_deb=""; }
fi
if [[ -n ${desktop_deb:-} ]]; then
  note "$desktop_deb ($(du -h "$desktop_deb" | cut -f1))"
  dpkg-deb -c "$desktop_deb" | awk '{print $1, $6}' >"$work/desktop.list"
  check_path "$work/desktop.list" "$desktop_deb" usr/bin/herald-desktop '^-rwxr-xr-x$'
  check_path "$work/desktop.list" "$desktop_deb" usr/share/applications/herald-desktop.desktop '^-rw-r--r--$'
  check_path "$work/desktop.list" "$desktop_deb" etc/xdg/autostart/herald-desktop.desktop '^-rw-r--r--$'
  check_path "$work/desktop.list" "$desktop_deb" usr/share/icons/hicolor/scalable/apps/herald.svg
  check_path "$work/desktop.list" "$desktop_deb" usr/share/icons/hicolor/48x48/apps/herald.png
  check_path "$work/desktop.list" "$desktop_deb" usr/share/icons/hicolor/128x128/apps/herald.png
  check_path "$work/desktop.list" "$desktop_deb" usr/share/metainfo/com.herald.Desktop.metainfo.xml
  if grep -qE ' \./usr/local/| \./home/| \./root/| \./tmp/' "$work/desktop.list"; then
    fail "herald-desktop package has files outside Debian paths"
  else
    pass "herald-desktop package has no files in /usr/local, /home, /root or /tmp"
  fi
  check_field "$desktop_deb" Package herald-desktop
  check_field "$desktop_deb" Section net
  check_field "$desktop_deb" Maintainer
  check_summary "$desktop_deb" desktop
  note "Depends: $(dpkg-deb -f "$desktop_deb" Depends)"
  # libqt6quick6 comes in through qml6-module-qtquick when the binary does not link it itself.
  check_depends "$desktop_deb" libqt6core6 libqt6gui6 libqt6widgets6 libqt6qml6 \
    qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-window qml6-module-qtquick-layouts \
    qml6-module-qtquick-templates qml6-module-qtqml-workerscript libc6

  mkdir -p "$work/desktop/root" "$work/desktop/control"
  dpkg-deb -x "$desktop_deb" "$work/desktop/root"
  dpkg-deb -e "$desktop_deb" "$work/desktop/control"
  check_needed_libs "$desktop_deb" "$work/desktop/root"
  if grep -qx /etc/xdg/autostart/herald-desktop.desktop "$work/desktop/control/conffiles" 2>/dev/null; then
    pass "herald-desktop: the autostart entry is a conffile"
  else
    fail "herald-desktop: /etc/xdg/autostart/herald-desktop.desktop is not listed in conffiles"
  fi

  # Each QML import of the sources that Debian ships as a module must be a dependency.
  deps=$(depends_of "$desktop_deb")
  qml_root=$( (qmake6 -query QT_INSTALL_QML || /usr/lib/qt6/bin/qmake6 -query QT_INSTALL_QML) 2>/dev/null)
  mapfile -t imports < <(find -L "$SRC/qml" "$SRC/desktop-client" -name '*.qml' -print0 2>/dev/null |
    xargs -0 -r sed -nE 's/^[[:space:]]*import[[:space:]]+([A-Za-z][A-Za-z0-9_.]*).*/\1/p' | sort -u)
  [[ ${#imports[@]} -eq 0 ]] && note "no QML sources found under $SRC/qml or $SRC/desktop-client"
  for m in "${imports[@]}"; do
    [[ $m == QtTest ]] && continue
    qmldir="$qml_root/${m//.//}/qmldir"
    [[ -n $qml_root && -f $qmldir ]] || { note "QML import $m: not a system module here (the app's own, or built in)"; continue; }
    owner=$(dpkg-query -S "$qmldir" 2>/dev/null | head -n 1 | cut -d: -f1)
    if [[ -n $owner ]] && grep -qxF "$owner" <<<"$deps"; then
      pass "QML import $m comes from $owner, a dependency"
    else
      fail "QML import $m comes from ${owner:-no package}, which herald-desktop does not depend on"
    fi
  done

  droot="$work/desktop/root"
  if grep -qx 'X-GNOME-Autostart-enabled=true' "$droot/etc/xdg/autostart/herald-desktop.desktop"; then
    pass "autostart entry has X-GNOME-Autostart-enabled=true"
  else
    fail "autostart entry lacks X-GNOME-Autostart-enabled=true"
  fi
  grep -qx 'Exec=herald-desktop' "$droot/usr/share/applications/herald-desktop.desktop" &&
    pass "menu entry: Exec=herald-desktop" || fail "menu entry: Exec is not herald-desktop"
  grep -qx 'Exec=herald-desktop --hidden' "$droot/etc/xdg/autostart/herald-desktop.desktop" &&
    pass "autostart entry: Exec=herald-desktop --hidden (straight to the tray)" || fail "autostart entry: Exec is not herald-desktop --hidden"
  for f in "$droot/usr/share/applications/herald-desktop.desktop" "$droot/etc/xdg/autostart/herald-desktop.desktop"; do
    grep -qx 'Icon=herald' "$f" && pass "${f#"$droot"}: Icon=herald" || fail "${f#"$droot"}: Icon is not herald"
    if command -v desktop-file-validate >/dev/null; then
      if out=$(desktop-file-validate "$f" 2>&1) && [[ -z $out ]]; then pass "desktop-file-validate ${f#"$droot"}"; else fail "desktop-file-validate ${f#"$droot"}: $out"; fi
    else
      note "desktop-file-validate not installed (desktop-file-utils): ${f#"$droot"} not validated"
    fi
  done
  for size in 48 128; do
    f="$droot/usr/share/icons/hicolor/${size}x${size}/apps/herald.png"
    [[ -f $f ]] && file -b "$f" | grep -q "PNG image data, $size x $size" &&
      pass "icon ${size}x${size} is a ${size}x${size} PNG" || fail "icon ${size}x${size}: $(file -b "$f" 2>&1)"
  done
  svg="$droot/usr/share/icons/hicolor/scalable/apps/herald.svg"
  [[ -f $svg ]] && grep -q '<svg' "$svg" && pass "scalable icon is an SVG" || fail "scalable icon is not an SVG"
  meta="$droot/usr/share/metainfo/com.herald.Desktop.metainfo.xml"
  version=$(dpkg-deb -f "$desktop_deb" Version)
  grep -q "<release version=\"${version%-*}\"" "$meta" && pass "metainfo has a release entry for ${version%-*}" ||
    fail "metainfo has no release entry for ${version%-*}"
  if command -v appstreamcli >/dev/null; then
    if out=$(appstreamcli validate --no-net --explain "$meta" 2>&1); then
      pass "appstreamcli validate com.herald.Desktop.metainfo.xml"
    else
      fail "appstreamcli validate: $out"
    fi
  else
    note "appstreamcli not installed (appstream): metainfo not validated"
  fi
fi

# ---- lintian (optional) --------------------------------------------------------------
if command -v lintian >/dev/null; then
  echo "== lintian"
  mapfile -t all_debs < <(ls "$OUT"/*.deb)
  if out=$(lintian --fail-on error,warning --tag-display-limit 0 "${all_debs[@]}" 2>&1); then
    pass "lintian: no errors or warnings"
  else
    fail "lintian: $(grep -E '^[EW]: ' <<<"$out" | tr '\n' ';')"
  fi
else
  note "lintian not installed: packages not linted"
fi

echo "packaging_build: $((checks - failures)) passed, $failures failed"
[[ $failures -eq 0 ]]
