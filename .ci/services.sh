#!/usr/bin/env bash
# Database servers for the live-acquisition tests (tests/live), installed from Debian.
#
# The tests start their own throw-away instances from these binaries, listening on 127.0.0.1
# only, at a free port, with every statement logged (the proof that acquisition never writes);
# this script only installs the packages. (Where the packages start their own services, Debian
# binds them to localhost.) Idempotent: nothing is installed twice.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v mariadbd >/dev/null 2>&1 || need+=(mariadb-server)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# pgvector is not packaged for Debian 12; install it where the distribution has it.
pg_major=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! [ -f "/usr/share/postgresql/${pg_major}/extension/vector.control" ] \
  && apt-cache show "postgresql-${pg_major}-pgvector" >/dev/null 2>&1; then
  apt-get install -y -qq --no-install-recommends "postgresql-${pg_major}-pgvector" >/dev/null
fi

# The tests run the servers as these service accounts when CI runs as root.
id postgres >/dev/null 2>&1 || { echo "services.sh: no postgres account after install" >&2; exit 1; }
id mysql >/dev/null 2>&1 || { echo "services.sh: no mysql account after install" >&2; exit 1; }
ls /usr/lib/postgresql/"${pg_major}"/bin/postgres >/dev/null
mariadbd --version
