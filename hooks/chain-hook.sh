#!/bin/sh
{{BLOCK}}exec "$(dirname "$0")/{{CHAINED}}" "$@"
