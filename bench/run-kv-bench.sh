#!/usr/bin/env bash
# Runs the key-value benchmark (bench/KvBench.java; see its header for what it measures).
# Builds the node jar first when it is missing. Extra JVM options for the driver, e.g. the
# kv.* system properties of a smaller trial run, go in KV_BENCH_OPTS. The console output is
# also kept in target/bench-kv/last-run.log.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ ! -f http-api/target/colony-node.jar ]; then
  mvn -B -q -o -DskipTests package
fi
mkdir -p target/bench-kv
read -r -a opts <<<"${KV_BENCH_OPTS:-}"
java "${opts[@]}" -cp http-api/target/colony-node.jar bench/KvBench.java 2>&1 | tee target/bench-kv/last-run.log
exit "${PIPESTATUS[0]}"
