#!/usr/bin/env bash
# Runs one benchmark: bench/run.sh kv | tasks | cluster | security (see each class's header in
# bench/src/main/java/io/colony/bench/ for what it measures). Builds the node jar and the
# benchmark classes first when they are missing. Extra JVM options for the driver, e.g. the
# kv.*, tasks.* or security.* system properties of a smaller trial run, go in BENCH_OPTS. The console
# output is also kept in target/bench-<name>/last-run.log.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
case "${1:-}" in
  kv) main=KvBench ;;
  tasks) main=TasksBench ;;
  cluster) main=ClusterBench ;;
  security) main=SecurityBench ;;
  *) echo "usage: bench/run.sh kv|tasks|cluster|security" >&2; exit 2 ;;
esac
if [ ! -f http-api/target/colony-node.jar ] || [ ! -f bench/target/colony-bench.jar ]; then
  mvn -B -q -o -DskipTests package
fi
mkdir -p "target/bench-$1"
read -r -a opts <<<"${BENCH_OPTS:-}"
# The node jar (the classes the nodes run), then the drivers with the test kit (bench/pom.xml).
java -Dcolony.jar=http-api/target/colony-node.jar -Dcolony.home=. "${opts[@]}" \
  -cp http-api/target/colony-node.jar:bench/target/colony-bench.jar "io.colony.bench.$main" 2>&1 \
  | tee "target/bench-$1/last-run.log"
exit "${PIPESTATUS[0]}"
