#!/usr/bin/env bash
# Benchmark 6: linearity at server size. The floor and patchlevel (raw disk
# and tree) at half and full server size, interleaved; see bench-server.sh.
exec bash "$(dirname "${BASH_SOURCE[0]}")/bench-server.sh" --linearity "$@"
