# Shared helpers for the end-to-end shell tests: a scratch directory removed on exit,
# and assertions that print what was expected and what happened.
set -uo pipefail

JEJAK=${1:?usage: $0 path/to/jejak}
SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/jejak-e2e.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT
FAILURES=0
PASSES=0

# expect_exit CODE DESCRIPTION -- COMMAND...: runs COMMAND, checks its exit code, and
# keeps its stderr in $LAST_STDERR and stdout in $LAST_STDOUT.
expect_exit() {
  local want=$1 what=$2
  shift 3
  LAST_STDOUT=$("$@" 2>"$SCRATCH/stderr")
  local got=$?
  LAST_STDERR=$(cat "$SCRATCH/stderr")
  if [[ $got -ne $want ]]; then
    echo "FAIL: $what: exit $got, want $want; stderr: $LAST_STDERR" >&2
    FAILURES=$((FAILURES + 1))
    return 1
  fi
  PASSES=$((PASSES + 1))
  return 0
}

# expect_contains DESCRIPTION HAYSTACK NEEDLE
expect_contains() {
  if [[ "$2" != *"$3"* ]]; then
    echo "FAIL: $1: '$2' does not contain '$3'" >&2
    FAILURES=$((FAILURES + 1))
    return 1
  fi
  PASSES=$((PASSES + 1))
}

# expect_equal DESCRIPTION GOT WANT
expect_equal() {
  if [[ "$2" != "$3" ]]; then
    echo "FAIL: $1: got '$2', want '$3'" >&2
    FAILURES=$((FAILURES + 1))
    return 1
  fi
  PASSES=$((PASSES + 1))
}

finish() {
  echo "$PASSES passed, $FAILURES failed"
  [[ $FAILURES -eq 0 ]]
}

