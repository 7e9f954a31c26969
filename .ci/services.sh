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

# pgvector (the live Immich tests need real vector/halfvec columns). Where the distribution
# packages it for this server, install that; Debian 12 does not, so build it from Debian's own
# source package of pgvector (the next release's, fetched by package name through apt, its
# tarball checked against the signed Sources index) against this server's
# postgresql-server-dev. Nothing is cloned and no source is kept in the repository.
pg_major=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! [ -f "/usr/share/postgresql/${pg_major}/extension/vector.control" ]; then
  if apt-cache show "postgresql-${pg_major}-pgvector" >/dev/null 2>&1; then
    apt-get install -y -qq --no-install-recommends "postgresql-${pg_major}-pgvector" >/dev/null
  else
    sources=/etc/apt/sources.list.d/venue-audit-pgvector-src.sources
    printf '%s\n' 'Types: deb-src' 'URIs: http://deb.debian.org/debian' 'Suites: trixie' \
      'Components: main' 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' > "$sources"
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "postgresql-server-dev-${pg_major}" \
      build-essential >/dev/null
    work=$(mktemp -d)
    (
      cd "$work"
      apt-get source --download-only -qq pgvector >/dev/null 2>&1
      tar -xzf pgvector_*.orig.tar.gz
      cd pgvector-*/
      # OPTFLAGS="": no -march=native, so the build runs on any CPU of this kind
      make -s OPTFLAGS="" PG_CONFIG="/usr/lib/postgresql/${pg_major}/bin/pg_config" >/dev/null
      make -s install PG_CONFIG="/usr/lib/postgresql/${pg_major}/bin/pg_config" >/dev/null
    )
    rm -rf "$work" "$sources"
    apt-get update -qq
  fi
  ls "/usr/share/postgresql/${pg_major}/extension/vector.control" >/dev/null
fi

# The tests run the servers as these service accounts when CI runs as root.
id postgres >/dev/null 2>&1 || { echo "services.sh: no postgres account after install" >&2; exit 1; }
id mysql >/dev/null 2>&1 || { echo "services.sh: no mysql account after install" >&2; exit 1; }
ls /usr/lib/postgresql/"${pg_major}"/bin/postgres >/dev/null
mariadbd --version
