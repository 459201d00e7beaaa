#!/usr/bin/env bash
# One deployment step for the release tests. Logs "<step>:<environment> start" and "... done" to $RELEASE_LOG;
# sleeps $SLOW_SECONDS when "<step>:<environment>" is $SLOW_AT; fails with exit code 3 when it is $FAIL_AT.
set -euo pipefail
at="${ITSM_STEP}:${ITSM_ENVIRONMENT:--}"
echo "$at start" >> "$RELEASE_LOG"
if [[ "$at" == "${SLOW_AT:-}" ]]; then sleep "${SLOW_SECONDS:-5}"; fi
if [[ "$at" == "${FAIL_AT:-}" ]]; then
  echo "smoke check failed on ${ITSM_ENVIRONMENT}" >&2
  exit 3
fi
echo "$at done" >> "$RELEASE_LOG"
echo "${ITSM_STEP} of ${ITSM_RELEASE_VERSION} on ${ITSM_ENVIRONMENT:-all environments}: ok"
