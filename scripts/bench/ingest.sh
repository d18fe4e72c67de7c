#!/usr/bin/env bash
# ./scratchlm bench ingest [workers] [taskRecords]
# The Europarl demo corpus end to end through a fresh in-process Kafka broker and PostgreSQL, then the per-document
# steps alone on one thread as the peer. Prints per-stage docs/s and MB/s; last line: docs=N wall_s=X mb_per_s=Y.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)/common.sh"

export SCRATCHLM_JAVA_OPTS="${SCRATCHLM_JAVA_OPTS:--Xmx4g -Djava.util.logging.manager=org.jboss.logmanager.LogManager}"
# A fresh throw-away stack: never the running one (unset what would point DevStack at external servers).
unset KAFKA_BOOTSTRAP_SERVERS POSTGRES_JDBC_URL
export SCRATCHLM_DEVSTACK="${SCRATCHLM_DEVSTACK:-embedded}"

say "ingest bench: Europarl end to end through Kafka and PostgreSQL"
run_java_main ingest-service dev.scratchlm.ingest.bench.IngestBench "$@"
