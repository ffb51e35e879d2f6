#!/usr/bin/env bash
# Runs the task benchmark (bench/TasksBench.java; see its header for what it measures).
# Builds the node jar first when it is missing. Extra JVM options for the driver, e.g. the
# tasks.* system properties of a smaller trial run, go in TASKS_BENCH_OPTS. The console output
# is also kept in target/bench-tasks/last-run.log.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ ! -f http-api/target/colony-node.jar ]; then
  mvn -B -q -o -DskipTests package
fi
mkdir -p target/bench-tasks
read -r -a opts <<<"${TASKS_BENCH_OPTS:-}"
java "${opts[@]}" -cp http-api/target/colony-node.jar bench/TasksBench.java 2>&1 | tee target/bench-tasks/last-run.log
exit "${PIPESTATUS[0]}"
