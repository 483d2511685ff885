#!/bin/sh
# Entry point of the container image: runs the packaged service with the JVM options of the environment.
#   JAVA_OPTS         the JVM options (the image sets container-aware defaults; setting it replaces them)
#   JAVA_OPTS_APPEND  options added after JAVA_OPTS (e.g. one -D without repeating the defaults)
#   JAVA_HOME         the JDK or JRE to use (default: java on the PATH)
# Arguments are passed to the service. exec: the JVM is the container's main process and receives
# SIGTERM itself, so a stopping pod shuts down cleanly.
set -eu
app_dir=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
java=java
if [ -n "${JAVA_HOME:-}" ]; then
  java="$JAVA_HOME/bin/java"
fi
# JAVA_OPTS and JAVA_OPTS_APPEND are split into words on purpose: each holds several options.
# shellcheck disable=SC2086
exec "$java" ${JAVA_OPTS:-} ${JAVA_OPTS_APPEND:-} -jar "$app_dir/quarkus-run.jar" "$@"
