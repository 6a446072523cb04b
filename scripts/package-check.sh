#!/usr/bin/env bash
# Builds the Debian package, installs it with apt (so its declared Depends
# are resolved for real), checks what it installed, runs the installed
# `tollgate --headless --demo`, sends one OpenAI- and one Anthropic-format
# call through it, checks the bad-input errors, stops it with SIGTERM and
# removes the package. Run by .ci/run after the tests; needs root (or sudo)
# for apt. One PASS/FAIL line per check; exits non-zero on any failure.
source "$(dirname "$0")/common.sh"
install_missing man-db python3
set +e # every check reports on its own; the summary decides the exit code

# TOLLGATE_PKG_BUILD_DIR reuses a tree already built with -DCMAKE_INSTALL_PREFIX=/usr
# (CI packages the tree scripts/test.sh just tested) instead of building build-pkg.
BUILD="${TOLLGATE_PKG_BUILD_DIR:-$ROOT/build-pkg}"
FAILED=0
WORK="$(mktemp -d)"
SERVER_PID=""
INSTALLED=0

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; FAILED=$((FAILED + 1)); }
# check NAME COMMAND…: PASS when the command succeeds; its output is shown on failure.
check() {
  local name="$1"; shift
  local out
  if out="$("$@" 2>&1)"; then pass "$name"; return 0; fi
  fail "$name"; [ -n "$out" ] && printf '%s\n' "$out" | head -20 | sed 's/^/      /'
  return 1
}
die() { fail "$*"; summary; }
summary() {
  if [ "$FAILED" -eq 0 ]; then echo "==> package check: all passed"; exit 0; fi
  echo "==> package check: $FAILED failed"; exit 1
}
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then kill -KILL "$SERVER_PID" 2>/dev/null; fi
  if [ "$INSTALLED" = 1 ]; then
    DEBIAN_FRONTEND=noninteractive as_root timeout 300 apt-get remove -y -qq tollgate >/dev/null 2>&1
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# --- build and package ---------------------------------------------------
if [ -n "${TOLLGATE_PKG_BUILD_DIR:-}" ]; then
  echo "==> reuse the build in $BUILD"
  cmake --build "$BUILD" -j "$JOBS" || die "build"
else
  echo "==> build (Release) in build-pkg"
  build "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
    -DTOLLGATE_BUILD_TESTS=OFF -DTOLLGATE_BUILD_BENCH=OFF || die "build"
fi
pass "build"

VERSION="$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$BUILD/CMakeCache.txt")"
ARCH="$(dpkg --print-architecture)"
DEB="$BUILD/tollgate_${VERSION}_${ARCH}.deb"
rm -f "$BUILD"/tollgate_*.deb
echo "==> cpack -G DEB"
(cd "$BUILD" && timeout 600 cpack -G DEB >"$WORK/cpack.log" 2>&1) || { cat "$WORK/cpack.log"; die "cpack -G DEB"; }
[ -f "$DEB" ] || { ls "$BUILD"/*.deb 2>/dev/null; die "package file is named tollgate_${VERSION}_${ARCH}.deb"; }
pass "cpack made $(basename "$DEB")"

dpkg-deb -c "$DEB" | awk '{print $NF}' | sed 's#^\./#/#' >"$WORK/contents"
APP_ID=io.github.tollgate.Tollgate
EXPECTED=(
  /usr/bin/tollgate
  /usr/share/applications/$APP_ID.desktop
  /usr/share/metainfo/$APP_ID.metainfo.xml
  /usr/share/icons/hicolor/scalable/apps/tollgate.svg
  /usr/share/man/man1/tollgate.1.gz
  /usr/lib/systemd/user/tollgate.service
  /usr/share/doc/tollgate/copyright
)
for size in 16 32 48 64 128 256; do EXPECTED+=("/usr/share/icons/hicolor/${size}x${size}/apps/tollgate.png"); done
missing=()
for f in "${EXPECTED[@]}"; do grep -qxF "$f" "$WORK/contents" || missing+=("$f"); done
check "package holds binary, desktop entry, metainfo, icons, man page, unit, copyright" \
  test ${#missing[@]} -eq 0 || printf '      missing: %s\n' "${missing[@]}"

DEPENDS="$(dpkg-deb -f "$DEB" Depends)"
echo "      Depends: $DEPENDS"
depends_ok() {
  local d
  for d in libqt6core6 libqt6network6 libqt6sql6 libqt6gui6 libqt6widgets6 libqt6sql6-sqlite libqt6svg6; do
    grep -Eq "(^|, )$d( |,|$)" <<<"$DEPENDS" || { echo "no $d in Depends"; return 1; }
  done
}
check "Depends: Qt libraries (dpkg-shlibdeps) plus the SQLite driver and SVG plugins" depends_ok

# --- install ---------------------------------------------------------------
if dpkg-query -W -f='${Status}' tollgate 2>/dev/null | grep -q "install ok installed"; then
  # apt would keep an installed copy of the same version instead of this build.
  echo "==> removing the tollgate package already installed"
  DEBIAN_FRONTEND=noninteractive as_root timeout 300 apt-get remove -y -qq tollgate >/dev/null 2>&1
fi
echo "==> apt-get install $DEB"
apt_install() { DEBIAN_FRONTEND=noninteractive as_root timeout 600 apt-get install -y -qq "$DEB" >"$WORK/apt.log" 2>&1; }
if ! apt_install; then
  as_root timeout 300 apt-get update -qq >/dev/null 2>&1
  apt_install || { cat "$WORK/apt.log"; die "apt-get install ./$(basename "$DEB")"; }
fi
INSTALLED=1
pass "apt-get install ./$(basename "$DEB") (dependencies resolved)"

version_ok() {
  local out; out="$(timeout 10 /usr/bin/tollgate --version)" || return 1
  grep -Eq "^tollgate $VERSION \(Qt [0-9.]+\)$" <<<"$out" || { echo "got: $out"; return 1; }
}
check "tollgate --version says $VERSION and the Qt version" version_ok

man_ok() {
  local page; page="$(man -w tollgate)" || return 1
  [ "$page" = /usr/share/man/man1/tollgate.1.gz ] || { echo "man -w: $page"; return 1; }
  # Rendered without groff warnings, and every option --help lists is in it.
  local warnings; warnings="$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null)"
  [ -z "$warnings" ] || { echo "$warnings"; return 1; }
  zcat "$page" | grep -q "^\.TH TOLLGATE 1 .*\"tollgate $VERSION\"" || { echo "no .TH with version $VERSION"; return 1; }
  # Plain ASCII rendering (man strips the overstrikes when not on a terminal).
  local text; text="$(LC_ALL=C MANWIDTH=200 man -l "$page" 2>/dev/null)"
  local opt
  for opt in $(/usr/bin/tollgate --help | grep -oE '^ +(-[a-z], )?--[a-z-]+' | grep -oE -- '--[a-z-]+'); do
    grep -qF -- "$opt" <<<"$text" || { echo "man page lacks $opt"; return 1; }
  done
}
check "man tollgate: installed, renders cleanly, lists every --help option" man_ok
check "desktop-file-validate" desktop-file-validate /usr/share/applications/$APP_ID.desktop
check "appstreamcli validate --no-net" appstreamcli validate --no-net /usr/share/metainfo/$APP_ID.metainfo.xml
check "metainfo release is $VERSION" grep -q "<release version=\"$VERSION\"" /usr/share/metainfo/$APP_ID.metainfo.xml
icons_ok() {
  local size f
  for size in 16 32 48 64 128 256; do
    f=/usr/share/icons/hicolor/${size}x${size}/apps/tollgate.png
    file "$f" | grep -q "PNG image data, $size x $size" || { file "$f"; return 1; }
  done
}
check "icons are PNGs of their nominal sizes" icons_ok
unit_ok() {
  local u=/usr/lib/systemd/user/tollgate.service
  grep -qx 'ExecStart=/usr/bin/tollgate --headless --data-dir ${TOLLGATE_DATA_DIR} $TOLLGATE_ARGS' "$u" || return 1
  grep -qx 'Restart=on-failure' "$u" || return 1
  if command -v systemd-analyze >/dev/null; then
    # Checks keys, specifiers, ExecStart and Documentation= (the man page):
    # any complaint at all fails, unless it cannot run here at all.
    local out; out="$(systemd-analyze verify "$u" 2>&1)"
    if grep -q 'Failed to initialize manager' <<<"$out"; then
      echo "      (systemd-analyze cannot run here; unit syntax not verified)" >&2
    elif [ -n "$out" ]; then
      echo "$out"; return 1
    fi
  fi
}
check "systemd user unit runs /usr/bin/tollgate --headless" unit_ok

# --- the installed gateway, for real -------------------------------------
DATA="$WORK/data"
echo "==> /usr/bin/tollgate --headless --demo --listen 127.0.0.1:0 --data-dir $DATA"
/usr/bin/tollgate --headless --demo --listen 127.0.0.1:0 --data-dir "$DATA" >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!
URL=""
for _ in $(seq 100); do
  URL="$(sed -n 's/^listening on \(http:\/\/[^ ]*\)$/\1/p' "$WORK/server.out" | head -1)"
  [ -n "$URL" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$URL" ]; then
  sed 's/^/      /' "$WORK/server.out" "$WORK/server.err"
  die "installed tollgate printed 'listening on http://HOST:PORT' within 10 s"
fi
pass "installed tollgate is listening on $URL"
PORT="${URL##*:}"

TOKEN=""
for _ in $(seq 50); do [ -s "$DATA/admin-token" ] && break; sleep 0.1; done
TOKEN="$(tr -d '[:space:]' <"$DATA/admin-token" 2>/dev/null)"
check "admin token file exists with mode 0600" test -n "$TOKEN" -a "$(stat -c %a "$DATA/admin-token" 2>/dev/null)" = 600

# post PATH BODY [curl args…]: writes the body to $WORK/resp, prints the status.
post() {
  local path="$1" body="$2"; shift 2
  curl -sS -m 15 -o "$WORK/resp" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    "$@" --data "$body" "$URL$path"
}
json_check() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert ($1), d" "$WORK/resp"; }

status="$(post /admin/keys '{"name":"package-check"}' -H "Authorization: Bearer $TOKEN")"
KEY="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["key"])' "$WORK/resp" 2>/dev/null)"
check "POST /admin/keys mints a tg- key (201)" test "$status" = 201 -a "${KEY#tg-}" != "$KEY"

status="$(post /v1/chat/completions \
  '{"model":"sim-small","messages":[{"role":"user","content":"Say hello from the package check."}]}' \
  -H "Authorization: Bearer $KEY")"
openai_ok() {
  [ "$status" = 200 ] || { echo "status $status: $(head -c 400 "$WORK/resp")"; return 1; }
  json_check 'd["object"] == "chat.completion" and d["choices"][0]["message"]["role"] == "assistant"
    and isinstance(d["choices"][0]["message"]["content"], str) and d["choices"][0]["message"]["content"]
    and d["choices"][0]["finish_reason"] and d["usage"]["prompt_tokens"] > 0 and d["usage"]["completion_tokens"] > 0'
}
check "OpenAI format: POST /v1/chat/completions sim-small answers a chat.completion" openai_ok

status="$(post /v1/messages \
  '{"model":"sim-small","max_tokens":64,"messages":[{"role":"user","content":"Say hello from the package check."}]}' \
  -H "x-api-key: $KEY" -H 'anthropic-version: 2023-06-01')"
anthropic_ok() {
  [ "$status" = 200 ] || { echo "status $status: $(head -c 400 "$WORK/resp")"; return 1; }
  json_check 'd["type"] == "message" and d["role"] == "assistant" and d["content"][0]["type"] == "text"
    and d["content"][0]["text"] and d["stop_reason"] and d["usage"]["input_tokens"] > 0
    and d["usage"]["output_tokens"] > 0'
}
check "Anthropic format: POST /v1/messages sim-small answers a message" anthropic_ok

# --- bad input: one line saying what to do, non-zero exit ---------------------
# one_line_error NAME EXPECTED_PATTERN COMMAND…: the command must fail (not
# time out) and print exactly one "tollgate: …" line matching the pattern.
one_line_error() {
  local name="$1" pattern="$2"; shift 2
  local rc
  timeout 10 "$@" >"$WORK/bad.out" 2>"$WORK/bad.err"; rc=$?
  local lines; lines="$(grep -c '^tollgate: ' "$WORK/bad.err")"
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ "$lines" = 1 ] && grep -Eq -e "$pattern" "$WORK/bad.err"; then
    pass "$name (exit $rc: $(grep '^tollgate: ' "$WORK/bad.err"))"
  else
    fail "$name (exit $rc)"; sed 's/^/      /' "$WORK/bad.err" | head -10
  fi
}
one_line_error "port already in use fails" "$PORT|in use" \
  /usr/bin/tollgate --headless --demo --listen "127.0.0.1:$PORT" --data-dir "$WORK/data2"
touch "$WORK/not-a-dir"
one_line_error "unwritable data dir fails" "data-dir" \
  /usr/bin/tollgate --headless --demo --listen 127.0.0.1:0 --data-dir "$WORK/not-a-dir/data"
if [ "$(id -u)" = 0 ] && command -v runuser >/dev/null; then
  # Root writes anywhere, so the "exists but not writable" case runs as nobody.
  one_line_error "data dir without write permission fails" "not writable.*--data-dir" \
    runuser -u nobody -- /usr/bin/tollgate --headless --demo --listen 127.0.0.1:0 --data-dir /
fi
one_line_error "no display without --headless fails" "--headless" \
  env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM /usr/bin/tollgate --demo --listen 127.0.0.1:0 --data-dir "$WORK/data3"

# --- SIGTERM: exit 0 within 5 s ----------------------------------------------
kill -TERM "$SERVER_PID"
for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$SERVER_PID" 2>/dev/null; then
  fail "SIGTERM stops the gateway within 5 s"
  kill -KILL "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
else
  wait "$SERVER_PID"; rc=$?
  check "SIGTERM stops the gateway within 5 s with exit code 0 (got $rc)" test "$rc" -eq 0
fi
SERVER_PID=""

# --- remove --------------------------------------------------------------------
if DEBIAN_FRONTEND=noninteractive as_root timeout 300 apt-get remove -y -qq tollgate >"$WORK/apt.log" 2>&1; then
  INSTALLED=0
  check "apt-get remove tollgate leaves no binary behind" test ! -e /usr/bin/tollgate
else
  cat "$WORK/apt.log"; fail "apt-get remove -y tollgate"
fi

summary
