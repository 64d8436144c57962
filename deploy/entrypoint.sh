#!/bin/sh
# Start one replica. A writable, empty /data is seeded with the bundled reports and the
# metadata file, and the store is built once; a read-only /data (a viewer replica) is used as it is.
set -eu
if [ -w /data ]; then
  if [ ! -d "$EVALDASH_REPORTS" ]; then
    cp -r /app/seed/reports "$EVALDASH_REPORTS"
    [ -e "$EVALDASH_META" ] || cp /app/seed/indicator_meta.csv "$EVALDASH_META"
  fi
  [ -e "$EVALDASH_DB" ] || python3 -m evaldash build
fi
exec streamlit run /app/dashboard.py "$@"
