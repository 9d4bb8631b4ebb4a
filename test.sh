#!/bin/bash
# The whole test suite: unit tests (Surefire), the OSGi integration test and the
# end-to-end tests through bin/ (Failsafe). Prints the Surefire/Failsafe summaries.
set -euo pipefail
cd "$(dirname "$0")"
exec mvn -B -ntp verify "$@"
