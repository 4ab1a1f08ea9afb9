#!/bin/sh
note() { echo "$(date -u '+%Y-%m-%d %H:%M:%S+00:00') [Note] [Entrypoint]: $*"; }
if [ "${1:-}" = mysqld ]; then
    note "Entrypoint script for MySQL Server ${MYSQL_VERSION} started."
    if [ ! -d /var/lib/mysql/mysql ]; then
        if [ -z "${MYSQL_ROOT_PASSWORD:-}" ] && [ -z "${MYSQL_ALLOW_EMPTY_PASSWORD:-}" ] && [ -z "${MYSQL_RANDOM_ROOT_PASSWORD:-}" ]; then
            echo "$(date -u '+%Y-%m-%d %H:%M:%S+00:00') [ERROR] [Entrypoint]: Database is uninitialized and password option is not specified" >&2
            echo "    You need to specify one of the following as an environment variable:" >&2
            echo "    - MYSQL_ROOT_PASSWORD" >&2
            echo "    - MYSQL_ALLOW_EMPTY_PASSWORD" >&2
            echo "    - MYSQL_RANDOM_ROOT_PASSWORD" >&2
            exit 1
        fi
        note "Initializing database files"
        mkdir -p /var/lib/mysql/mysql
        [ -n "${MYSQL_DATABASE:-}" ] && mkdir -p "/var/lib/mysql/${MYSQL_DATABASE}"
        note "Database files initialized"
    fi
fi
exec "$@"
