#!/bin/sh
{{BLOCK}}# Git skips a hook that is not executable; so does this one.
if [ -x "$(dirname "$0")/{{CHAINED}}" ]; then
  exec "$(dirname "$0")/{{CHAINED}}" "$@"
fi
exit 0
