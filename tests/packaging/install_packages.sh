#!/usr/bin/env bash
# Installs the .deb packages that check_packages.sh built, runs what they installed, and
# removes them again (purge), checking the machine is left as it was.
#   install_packages.sh OUT_DIR COMPONENTS
# Needs root (it runs dpkg); exits 77 (skip) otherwise. Meant for CI's throwaway machine:
# it refuses to touch a herald-server or herald-desktop that was installed by anything else.
set -uo pipefail

OUT=$1 COMPONENTS=",${2:-},"
failures=0 checks=0
pass() { checks=$((checks + 1)); echo "ok    $*"; }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAIL  $*"; }
skip() { echo "SKIP: $*"; exit 77; }
note() { echo "note  $*"; }
die() { fail "$*"; finish; }
has_component() { [[ $COMPONENTS == *",$1,"* ]]; }

has_component server || skip "this build has no herald-server target, so there is no package to install"
[[ $(id -u) -eq 0 ]] || skip "installing packages needs root (CI runs this as root on a throwaway machine)"
command -v dpkg >/dev/null || skip "no dpkg: not a Debian system"

server_deb=$(ls "$OUT"/herald-server_*.deb 2>/dev/null | head -n 1)
desktop_deb=$(ls "$OUT"/herald-desktop_*.deb 2>/dev/null | head -n 1)
[[ -n $server_deb ]] || { echo "FAIL  no herald-server_*.deb in $OUT (packaging_build must run first)"; exit 1; }
has_component desktop && [[ -z $desktop_deb ]] && { echo "FAIL  no herald-desktop_*.deb in $OUT"; exit 1; }
debs=("$server_deb")
pkgs=(herald-server)
if [[ -n $desktop_deb ]] && has_component desktop; then
  debs+=("$desktop_deb")
  pkgs+=(herald-desktop)
fi

# A marker says "this test installed them": a run that died half-way may be cleaned up by
# the next one, but an installation somebody made on purpose is never removed.
marker=/var/lib/herald-packaging-test.marker
installed() { dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null | grep -qvx 'not-installed'; }
for p in "${pkgs[@]}"; do
  if installed "$p" && [[ ! -e $marker ]]; then
    skip "$p is already installed on this machine and this test did not install it; not touching it"
  fi
done
if [[ -e $marker ]]; then
  note "cleaning up after an earlier run that did not finish"
  dpkg --purge herald-desktop herald-server >/dev/null 2>&1
fi
user_existed=no
getent passwd herald >/dev/null && user_existed=yes
[[ -e $marker ]] && user_existed=$(cat "$marker")
echo "$user_existed" >"$marker"

tmp=$(mktemp -d /tmp/herald-pkgtest.XXXXXX)
chmod 0755 "$tmp"
server_pid=""

cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -KILL "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  server_pid=""
  if [[ -e $marker ]]; then
    echo "== dpkg --purge ${pkgs[*]}"
    dpkg --purge herald-desktop herald-server 2>&1 | sed 's/^/   /'
    if [[ $(cat "$marker") == no ]] && getent passwd herald >/dev/null; then
      # The package keeps its system user on purge (Debian practice); the test made it, so it goes.
      deluser --system herald >/dev/null 2>&1 || userdel herald 2>/dev/null
      getent group herald >/dev/null && { delgroup --system herald >/dev/null 2>&1 || groupdel herald 2>/dev/null; }
    fi
    rm -f "$marker"
  fi
  rm -rf "$tmp"
}
finish() {
  trap - EXIT
  cleanup
  # After the purge: nothing of ours is left.
  for p in "${pkgs[@]}"; do
    if installed "$p"; then fail "$p is still installed after dpkg --purge"; else pass "$p purged"; fi
  done
  for f in /usr/bin/herald-server /usr/bin/heraldctl /usr/bin/herald-desktop /lib/systemd/system/herald-server.service \
    /etc/herald /var/lib/herald /etc/systemd/system/multi-user.target.wants/herald-server.service \
    /etc/systemd/system/herald-server.service /etc/xdg/autostart/herald-desktop.desktop \
    /usr/share/applications/herald-desktop.desktop /usr/share/icons/hicolor/scalable/apps/herald.svg; do
    if [[ -e $f || -L $f ]]; then fail "$f is left after the purge"; else pass "$f is gone"; fi
  done
  leftovers=$(find /var/lib/systemd/deb-systemd-helper-enabled /var/lib/systemd/deb-systemd-helper-masked \
    -name '*herald-server*' 2>/dev/null)
  [[ -z $leftovers ]] && pass "no deb-systemd-helper state left for herald-server" || fail "deb-systemd-helper state left: $leftovers"
  if [[ $user_existed == no ]]; then
    getent passwd herald >/dev/null && fail "user herald is left" || pass "user herald is gone"
  fi
  echo "packaging_install: $((checks - failures)) passed, $failures failed"
  [[ $failures -eq 0 ]]
  exit
}
trap 'finish' EXIT

# ---- install -------------------------------------------------------------------------
echo "== dpkg -i ${debs[*]##*/}"
if dpkg -i "${debs[@]}" >"$tmp/dpkg.log" 2>&1; then
  pass "dpkg -i installed ${pkgs[*]}"
else
  note "dpkg -i left dependencies unresolved; apt-get install -f"
  sed 's/^/   /' "$tmp/dpkg.log"
  if DEBIAN_FRONTEND=noninteractive apt-get install -f -y --no-install-recommends >"$tmp/apt.log" 2>&1; then
    pass "apt-get install -f resolved the dependencies"
  else
    sed 's/^/   /' "$tmp/apt.log"
    die "could not install the packages"
  fi
fi
for p in "${pkgs[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
  [[ $status == installed ]] && pass "$p is installed ($(dpkg-query -W -f='${Version}' "$p"))" || die "$p status: $status"
done

# ---- what postinst did ---------------------------------------------------------------
getent passwd herald >/dev/null && pass "system user herald exists" || fail "postinst did not create user herald"
uid=$(id -u herald 2>/dev/null)
[[ -n $uid && $uid -lt 1000 ]] && pass "herald is a system user (uid $uid)" || fail "herald uid is '$uid', not a system uid"
shell=$(getent passwd herald | cut -d: -f7)
[[ $shell == */nologin || $shell == /bin/false ]] && pass "herald has no login shell ($shell)" || fail "herald has login shell $shell"
[[ $(stat -c '%U:%G %a' /var/lib/herald 2>/dev/null) == "herald:herald 750" ]] &&
  pass "/var/lib/herald is herald:herald 0750" || fail "/var/lib/herald: $(stat -c '%U:%G %a' /var/lib/herald 2>&1)"
[[ $(stat -c '%U:%G %a' /etc/herald/herald-server.conf 2>/dev/null) == "root:herald 640" ]] &&
  pass "/etc/herald/herald-server.conf is root:herald 0640" ||
  fail "/etc/herald/herald-server.conf: $(stat -c '%U:%G %a' /etc/herald/herald-server.conf 2>&1)"
[[ -f /lib/systemd/system/herald-server.service ]] && pass "unit installed in /lib/systemd/system" || fail "unit not installed"
if [[ -L /etc/systemd/system/multi-user.target.wants/herald-server.service ]]; then
  pass "herald-server.service is enabled (multi-user.target.wants)"
else
  fail "postinst did not enable herald-server.service"
fi
if [[ -d /run/systemd/system ]]; then
  note "systemd is running here: postinst started the service; stopping it for this test"
  systemctl is-active --quiet herald-server && pass "herald-server.service is active" || fail "herald-server.service did not start"
  systemctl stop herald-server
else
  note "no running systemd (container/chroot): postinst rightly did not start the service"
fi
if command -v systemd-analyze >/dev/null; then
  if out=$(systemd-analyze verify /lib/systemd/system/herald-server.service 2>&1) && [[ -z $out ]]; then
    pass "systemd-analyze verify (installed unit)"
  elif grep -q 'herald-server' <<<"$out"; then
    fail "systemd-analyze verify: $out"
  else
    note "systemd-analyze verify said (not about the unit): $out"
  fi
fi

# ---- the installed programs ----------------------------------------------------------
for b in /usr/bin/herald-server /usr/bin/heraldctl ${desktop_deb:+/usr/bin/herald-desktop}; do
  if missing=$(ldd "$b" 2>&1 | grep 'not found'); then fail "$b: missing libraries: $missing"; else pass "$b: every library found"; fi
done
if out=$(/usr/bin/herald-server --version 2>&1); then
  pass "herald-server --version: $(head -n 1 <<<"$out")"
else
  fail "herald-server --version failed: $out"
fi
if out=$(/usr/bin/heraldctl --help 2>&1); then
  pass "heraldctl --help ($(wc -l <<<"$out") lines)"
else
  fail "heraldctl --help failed: $out"
fi

# Runs the installed server as the herald user, like the unit does, on a free loopback
# port; checks /healthz, runs HOOK while it is up, and stops it with SIGTERM as systemd would.
as_herald() { setpriv --reuid=herald --regid=herald --init-groups -- "$@"; }
run_server() { # run_server NAME HOOK ARGS...
  local name=$1 hook=$2 port="" i status body
  shift 2
  # setpriv execs the server, so $! is the server's own pid.
  setpriv --reuid=herald --regid=herald --init-groups -- \
    /usr/bin/herald-server "$@" --listen 127.0.0.1 --port 0 >"$tmp/$name.log" 2>&1 &
  server_pid=$!
  for ((i = 0; i < 150; i++)); do
    port=$(sed -nE 's/.*listening on 127\.0\.0\.1:([0-9]+).*/\1/p' "$tmp/$name.log" 2>/dev/null | head -n 1)
    [[ -n $port ]] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.2
  done
  if [[ -z $port ]]; then
    fail "$name: herald-server printed no 'listening on 127.0.0.1:PORT' line:"
    sed 's/^/   /' "$tmp/$name.log"
    kill -KILL "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
    server_pid=""
    return
  fi
  pass "$name: herald-server (as user herald) listening on 127.0.0.1:$port"
  if body=$(curl -fsS --max-time 5 "http://127.0.0.1:$port/healthz" 2>&1); then
    pass "$name: GET /healthz: ${body:0:100}"
  else
    fail "$name: GET /healthz: $body"
  fi
  [[ $hook != - ]] && "$hook"
  kill -TERM "$server_pid"
  for ((i = 0; i < 100; i++)); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$server_pid" 2>/dev/null; then
    fail "$name: herald-server still running 10 s after SIGTERM (systemd would SIGKILL it after TimeoutStopSec)"
    kill -KILL "$server_pid"
  fi
  wait "$server_pid"
  status=$?
  server_pid=""
  # systemd counts exit 0 and death by SIGTERM (143) as a clean stop.
  [[ $status -eq 0 || $status -eq 143 ]] && pass "$name: stopped on SIGTERM (exit $status)" ||
    { fail "$name: exit status $status after SIGTERM"; sed 's/^/   /' "$tmp/$name.log"; }
}
# What an admin does on a packaged install: heraldctl as herald, with the shipped config.
heraldctl_hook() {
  local out
  if out=$(as_herald /usr/bin/heraldctl --config /etc/herald/herald-server.conf status 2>&1) && grep -q version <<<"$out"; then
    pass "heraldctl status reached the running server through /var/lib/herald: $(tr '\n' ' ' <<<"$out")"
  else
    fail "heraldctl --config /etc/herald/herald-server.conf status: $out"
  fi
  if out=$(as_herald /usr/bin/heraldctl --config /etc/herald/herald-server.conf user add pkgtest 2>&1) &&
    out=$(as_herald /usr/bin/heraldctl --config /etc/herald/herald-server.conf user list 2>&1) && grep -q pkgtest <<<"$out"; then
    pass "heraldctl user add/list works on /var/lib/herald"
  else
    fail "heraldctl user add/list: $out"
  fi
}
echo "== running the installed server"
mkdir -p "$tmp/data"
chown herald:herald "$tmp/data"
run_server temp-data-dir - --data-dir "$tmp/data"
# As the unit starts it: the shipped config, so data in /var/lib/herald (flags only move the port).
run_server shipped-config heraldctl_hook --config /etc/herald/herald-server.conf
if [[ -f /var/lib/herald/herald.db ]] && [[ $(stat -c %U /var/lib/herald/herald.db) == herald ]]; then
  pass "the database went to /var/lib/herald/herald.db, owned by herald"
else
  fail "no herald-owned /var/lib/herald/herald.db: $(ls -la /var/lib/herald 2>&1 | tr '\n' ' ')"
fi

# Reinstall over itself (postinst's upgrade path): a local edit of the conffile is kept,
# and so are its owner and mode.
echo "== reinstall with an edited config"
sed -i 's/^;log_level=info$/log_level=warning/' /etc/herald/herald-server.conf
if dpkg -i "$server_deb" >"$tmp/dpkg2.log" 2>&1; then
  pass "dpkg -i over the installed herald-server"
else
  sed 's/^/   /' "$tmp/dpkg2.log"
  fail "dpkg -i over the installed herald-server failed"
fi
grep -qx 'log_level=warning' /etc/herald/herald-server.conf && pass "the edited config survived the reinstall" ||
  fail "the reinstall lost the config edit"
[[ $(stat -c '%U:%G %a' /etc/herald/herald-server.conf 2>/dev/null) == "root:herald 640" ]] &&
  pass "config still root:herald 0640" || fail "config now $(stat -c '%U:%G %a' /etc/herald/herald-server.conf 2>&1)"

if [[ -n $desktop_deb ]]; then
  echo "== the installed desktop client"
  [[ -f /usr/share/icons/hicolor/48x48/apps/herald.png ]] && pass "icon installed" || fail "icon not installed"
  if out=$(QT_QPA_PLATFORM=offscreen timeout 20 /usr/bin/herald-desktop --version 2>&1); then
    pass "herald-desktop --version: $(tail -n 1 <<<"$out")"
  else
    fail "herald-desktop --version failed: $out"
  fi
  # Offscreen for a few seconds: its QML must load from the installed modules.
  mkdir -p "$tmp/home"
  chmod 0700 "$tmp/home"
  HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/.config XDG_RUNTIME_DIR=$tmp/home QT_QPA_PLATFORM=offscreen \
    timeout 8 /usr/bin/herald-desktop >"$tmp/desktop.log" 2>&1
  status=$?
  if grep -qiE 'is not installed|failed to load component|could not load the qt platform plugin|plugin cannot be loaded' "$tmp/desktop.log"; then
    fail "herald-desktop could not load its QML or plugins (exit $status):"
    sed 's/^/   /' "$tmp/desktop.log" | head -n 40
  else
    pass "herald-desktop started offscreen without QML/plugin load errors (exit $status)"
  fi
fi

# Remove (not purge) keeps the configuration and the data; the purge in finish drops them.
echo "== dpkg --remove ${pkgs[*]}"
if dpkg --remove "${pkgs[@]}" >"$tmp/remove.log" 2>&1; then
  pass "dpkg --remove ${pkgs[*]}"
else
  sed 's/^/   /' "$tmp/remove.log"
  fail "dpkg --remove failed"
fi
[[ ! -e /usr/bin/herald-server && ! -e /lib/systemd/system/herald-server.service ]] &&
  pass "remove took the programs and the unit" || fail "remove left /usr/bin/herald-server or the unit"
[[ -f /etc/herald/herald-server.conf ]] && pass "remove kept /etc/herald/herald-server.conf" || fail "remove deleted the config"
[[ -f /var/lib/herald/herald.db ]] && pass "remove kept /var/lib/herald/herald.db" || fail "remove deleted the data"

finish
