#!/bin/sh
set -e
if [ "$1" = nginx ]; then
    echo "/docker-entrypoint.sh: Configuration complete; ready for start up"
fi
exec "$@"
