#!/usr/bin/env bash
# What the project needs from the system (Debian/Ubuntu), for `make run` and `make test`:
#
#   bash scripts/install-system-deps.sh [packages|test-db|all]    (default: all)
#
#   packages  the libraries the product needs at run and test time, Python's venv module, the
#             PostgreSQL server and Xvfb
#   test-db   PostgreSQL running for the tests: the server at POS_TEST_PG_DSN (default
#             postgresql://postgres@127.0.0.1:5432/test) answers, its database exists and the
#             tests can log in. On this machine's own server (postgres@127.0.0.1:PORT) it starts
#             the cluster of that port (on a machine with none, creates 5432's), creates the
#             database, and on a fresh server gives the postgres role a random password kept in
#             ~/.pgpass (mode 0600), where libpq finds it; never on a command line.
#
# Safe to re-run and quiet when everything is there. As root it installs and starts what is
# missing; as another user it only checks, and names the one command to run once as root.
set -euo pipefail
what="${1:-all}"
case "$what" in packages | test-db | all) ;; *) echo "usage: $0 [packages|test-db|all]" >&2; exit 2 ;; esac

ROOT_COMMAND="sudo bash scripts/install-system-deps.sh"
DSN="${POS_TEST_PG_DSN:-postgresql://postgres@127.0.0.1:5432/test}"
is_root() { [ "$(id -u)" -eq 0 ]; }
as_root_once() {
  echo "$1" >&2
  echo "run this once as root, then try again: $ROOT_COMMAND" >&2
  exit 1
}

install_packages() {
  local pkgs=(python3-venv postgresql
              libzbar0 libusb-1.0-0 libpulse0 libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3
              fonts-wqy-microhei xvfb xauth xdotool
              chromium
              libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0
              libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0 libxcb-cursor0)
  local missing=() p
  for p in "${pkgs[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  is_root || as_root_once "missing system packages: ${missing[*]}"
  echo "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
}

pg_answers() { psql "$DSN" -Atqc "SELECT 1" >/dev/null 2>&1; }
as_postgres() { (cd / && runuser -u postgres -- "$@"); }

# ours to set up: the postgres role on this machine's own server; anything else is someone else's
if [[ "$DSN" =~ ^postgresql://postgres@(127\.0\.0\.1|localhost):([0-9]+)/([A-Za-z0-9_]+)$ ]]; then
  PORT="${BASH_REMATCH[2]}"
  DB="${BASH_REMATCH[3]}"
else
  PORT=""
  DB=""
fi

start_postgres() {
  local version cluster port status
  if [ -z "$(pg_lsclusters -h 2>/dev/null)" ] && [ "$PORT" = 5432 ]; then
    version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
    echo "creating PostgreSQL cluster $version/main"
    pg_createcluster "$version" main >/dev/null
  fi
  read -r version cluster port status _ < <(pg_lsclusters -h | awk -v p="$PORT" '$3 == p') || true
  if [ -z "${cluster:-}" ]; then
    echo "no PostgreSQL cluster listens on port $PORT (pg_lsclusters)" >&2
    exit 1
  fi
  if [ "$status" != "online" ]; then
    echo "starting PostgreSQL $version/$cluster"
    pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start
  fi
  for _ in $(seq 60); do
    pg_isready -q -h 127.0.0.1 -p "$PORT" && return 0
    sleep 0.5
  done
  echo "PostgreSQL $version/$cluster did not start: see /var/log/postgresql/" >&2
  exit 1
}

test_database() {
  pg_answers && return 0
  if [ -z "$PORT" ]; then
    echo "PostgreSQL for the tests does not answer at POS_TEST_PG_DSN (${DSN%%://*}://...${DSN##*@})" >&2
    exit 1
  fi
  is_root || as_root_once "PostgreSQL for the tests does not answer at $DSN"
  pg_isready -q -h 127.0.0.1 -p "$PORT" || start_postgres
  if ! as_postgres psql -p "$PORT" -Atqc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
    echo "creating the tests' database '$DB'"
    as_postgres createdb -p "$PORT" "$DB"
  fi
  if ! pg_answers; then  # a fresh server: password logins on 127.0.0.1, no password set
    echo "setting a password for the tests' PostgreSQL login (kept in ~/.pgpass)"
    local password pgpass="${PGPASSFILE:-$HOME/.pgpass}"
    password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
    # on stdin, never on a command line
    printf "ALTER ROLE postgres PASSWORD '%s';\n" "$password" | as_postgres psql -p "$PORT" -q -v ON_ERROR_STOP=1 >/dev/null
    touch "$pgpass"
    chmod 600 "$pgpass"
    grep -v "^127\.0\.0\.1:$PORT:\*:postgres:" "$pgpass" > "$pgpass.new" || true
    echo "127.0.0.1:$PORT:*:postgres:$password" >> "$pgpass.new"
    chmod 600 "$pgpass.new"
    mv "$pgpass.new" "$pgpass"
  fi
  pg_answers || { echo "PostgreSQL for the tests still refuses $DSN" >&2; exit 1; }
}

case "$what" in
  packages) install_packages ;;
  test-db) test_database ;;
  all) install_packages; test_database ;;
esac
