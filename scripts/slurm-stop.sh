#!/usr/bin/env bash
# Stops the single-node Slurm that scripts/slurm-start.sh started, by its pid files.
#   (no arguments)  queued jobs are recovered and running steps re-adopted on the next start
#   --purge         cancel every job first, then delete the state folder
set -uo pipefail
BASE=${VAE_LAB_SLURM_DIR:-/tmp/vae-lab-slurm}
if [ "${1:-}" = --purge ] && scontrol ping 2>/dev/null | grep -q UP; then
  ids=$(squeue -h -o %A | sort -u)
  if [ -n "$ids" ]; then
    scancel $ids
    for _ in $(seq 150); do [ -z "$(squeue -h -o %A)" ] && break; sleep 0.2; done
  fi
fi
stop() { # stop <pidfile> <comm>
  local p
  p=$(cat "$1" 2>/dev/null) || return 0
  if [ "$(cat /proc/"$p"/comm 2>/dev/null)" = "$2" ]; then
    kill -TERM "$p"
    for _ in $(seq 100); do [ "$(cat /proc/"$p"/comm 2>/dev/null)" = "$2" ] || break; sleep 0.1; done
    [ "$(cat /proc/"$p"/comm 2>/dev/null)" = "$2" ] && kill -KILL "$p"
  fi
  rm -f "$1"
}
stop "$BASE/run/slurmd.pid" slurmd
stop "$BASE/run/slurmctld.pid" slurmctld
stop /run/munge/munged.pid munged
[ "${1:-}" = --purge ] && rm -rf "$BASE"
exit 0
