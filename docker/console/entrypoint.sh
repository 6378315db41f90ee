#!/bin/sh
# Writes the services.yaml given in MIGRATION_SERVICES_YAML where `console` reads it, then stays up.
set -eu
if [ -n "${MIGRATION_SERVICES_YAML:-}" ]; then
  printf '%s\n' "$MIGRATION_SERVICES_YAML" > /config/migration_services.yaml
fi
exec sleep infinity
