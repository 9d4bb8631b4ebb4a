#!/bin/bash
# The gzip codec against gzip -1 and a raw write (issue 5's target: a 1024 MB checkpoint,
# 50 % random, in <= 4 s and <= 550 MB with default compression).
# Input: /work/shared/bench/mem.c's memory made in Java (50 % xorshift random, 50 % text).
# Prints per size: raw write, codec time/size/stored share, gzip -1 -c FILE time/size, ratios
# codec/gzip-1 and codec/raw, and the (parallel) decode time. Codec and raw: best of RUNS.
# Usage: bench/gzip-codec.sh [RUNS [SIZE_MB...]]   (default: 3 runs of 256 and 1024 MB)
# Builds the two modules it needs with -o (never mvn install: ~/.m2 is shared).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
shift || true
work=$(mktemp -d "${TMPDIR:-/tmp}/gzip-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
(cd "$here" && mvn -q -o -pl bundles/image.format,bundles/compress.gzip test-compile)
m2=${M2_REPO:-$HOME/.m2/repository}
cp="$here/bundles/image.format/target/classes:$here/bundles/compress.gzip/target/classes"
cp="$cp:$here/bundles/compress.gzip/target/test-classes"
cp="$cp:$m2/org/apache/commons/commons-compress/1.28.0/commons-compress-1.28.0.jar"
cp="$cp:$m2/commons-io/commons-io/2.20.0/commons-io-2.20.0.jar"
cp="$cp:$m2/org/apache/commons/commons-lang3/3.18.0/commons-lang3-3.18.0.jar"
echo "load: $(cut -d" " -f1-3 /proc/loadavg)  ($(nproc) cpus)"
exec java -Xms3g -Xmx3g -cp "$cp" dmtcp.compress.gzip.internal.GzipBench "$work" "$runs" "$@"
