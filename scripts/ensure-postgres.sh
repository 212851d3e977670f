#!/usr/bin/env bash
# Make sure the PostgreSQL server the storage tests use (127.0.0.1:5432, trust auth) is up and holds
# the database `test` (or $STEWARD_TEST_DATABASE). Starts Debian's cluster `main` if it is installed
# but down; installs it with apt if missing. A server that is already running is left as it is.
set -euo pipefail

database=${STEWARD_TEST_DATABASE:-test}
ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

if ! { command -v pg_isready >/dev/null && ready; }; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "PostgreSQL is not installed: installing it with apt" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
  fi

  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  conf=/etc/postgresql/$version/main
  # Trust local TCP connections from this machine only (tests run as user postgres, no password).
  if ! grep -q "steward-tests" "$conf/pg_hba.conf"; then
    sed -i '1i host all all 127.0.0.1/32 trust # steward-tests\nhost all all ::1/128 trust # steward-tests' "$conf/pg_hba.conf"
  fi
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || pg_ctlcluster --skip-systemctl-redirect "$version" main restart

  for _ in $(seq 1 30); do
    ready && break
    sleep 1
  done
  ready || { echo "PostgreSQL did not come up on 127.0.0.1:5432" >&2; exit 1; }
fi

# Whether the server was running already or has just been started, the tests need their database.
exists=$(psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$database'")
if [ "$exists" != 1 ]; then
  psql -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE \"$database\"" >/dev/null
  echo "created the database $database" >&2
fi
