#!/usr/bin/env bash
# Sums the tests of every tier from their logs and prints one closing line:
#   kiroku: N passed, N failed
set -euo pipefail
logs="${1:-target/test-logs}"
read -r rust_passed rust_failed < <(cat "$logs"/native.log "$logs"/browser.log 2>/dev/null \
  | { grep -oE "test result: [A-Za-z]+\. [0-9]+ passed; [0-9]+ failed" || true; } \
  | awk '{p += $4; f += $6} END {print p + 0, f + 0}')
e2e_passed=$({ grep -oE "^ +[0-9]+ passed" "$logs"/e2e.log 2>/dev/null || true; } | awk '{p += $1} END {print p + 0}')
e2e_failed=$({ grep -oE "^ +[0-9]+ failed" "$logs"/e2e.log 2>/dev/null || true; } | awk '{f += $1} END {print f + 0}')
echo "native + browser: $rust_passed passed, $rust_failed failed; end-to-end: $e2e_passed passed, $e2e_failed failed"
echo "kiroku: $((rust_passed + e2e_passed)) passed, $((rust_failed + e2e_failed)) failed"
