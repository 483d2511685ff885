#!/bin/sh
# Runs once, when the PostgreSQL of deploy/compose.yaml initialises its data directory: the database
# "rollout" owned by rollout_owner (who runs the migrations), the runtime role rollout_app (granted what it
# needs by the migrations) and grafana_reader for Grafana's SQL annotations. Passwords come from the
# container's environment.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_password="$ROLLOUT_DB_OWNER_PASSWORD" \
  -v app_password="$ROLLOUT_DB_PASSWORD" \
  -v grafana_password="$ROLLOUT_DB_GRAFANA_PASSWORD" <<'SQL'
CREATE ROLE rollout_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE rollout_app LOGIN PASSWORD :'app_password';
CREATE ROLE grafana_reader LOGIN PASSWORD :'grafana_password';
CREATE DATABASE rollout OWNER rollout_owner;
REVOKE ALL ON DATABASE rollout FROM PUBLIC;
GRANT CONNECT ON DATABASE rollout TO rollout_app, grafana_reader;
\connect rollout
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO rollout_owner;
SQL
