#!/usr/bin/env bash
# A real single-node Slurm for the sweep tests and for trying `vae-lab sweep run --executor slurm`
# on one machine: Debian's slurmctld + slurmd + munge, started without systemd or cgroups, as root.
# Idempotent: installs what is missing, (re)writes /etc/slurm/slurm.conf for this host's CPUs,
# starts only the daemons that are not running, and waits until the node takes jobs.
#   VAE_LAB_SLURM_DIR (default /tmp/vae-lab-slurm): state, spool, logs and pid files.
# Stop with scripts/slurm-stop.sh [--purge].
set -euo pipefail
BASE=${VAE_LAB_SLURM_DIR:-/tmp/vae-lab-slurm}
CONF=/etc/slurm/slurm.conf # the default path, so sbatch/squeue need no SLURM_CONF
say() { echo "slurm-start: $*"; }
[ "$(id -u)" = 0 ] || { echo "slurm-start: must run as root (it installs packages and starts daemons)" >&2; exit 1; }
mkdir -p "$BASE"/{state,spool,log,run} /etc/slurm

# Debian's package named "slurm" is an unrelated network monitor: the daemons are these.
pkgs="slurmctld slurmd slurm-client munge"
missing=""
for p in $pkgs; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"; done
if [ -n "$missing" ]; then
  say "apt-get install$missing"
  # Another apt may hold the lock (waited for, up to 15 min). The packages' postinst would start the daemons through invoke-rc.d; without systemd that
  # fails, so a policy-rc.d that says "not now" (101) is in place during the install.
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  if ! { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=900 --no-install-recommends $missing; } >"$BASE/log/apt.log" 2>&1; then
    tail -20 "$BASE/log/apt.log" >&2
    exit 1
  fi
  rm -f /usr/sbin/policy-rc.d && trap - EXIT
fi

# running <pidfile> <comm>: the pid is alive, is that program, and is not a zombie (PID 1 here may not reap).
running() {
  local p
  p=$(cat "$1" 2>/dev/null) && [ -n "$p" ] && [ "$(cat /proc/"$p"/comm 2>/dev/null)" = "$2" ] &&
    ! grep -q '^State:[[:space:]]*Z' /proc/"$p"/status 2>/dev/null
}
stop() { # stop <pidfile> <comm>: TERM, 10 s, then KILL
  running "$1" "$2" || return 0
  local p; p=$(cat "$1"); kill -TERM "$p"
  for _ in $(seq 100); do running "$1" "$2" || break; sleep 0.1; done
  running "$1" "$2" && kill -KILL "$p"; rm -f "$1"
}

# munge authenticates every Slurm message; its socket is Slurm's default path.
[ -s /etc/munge/munge.key ] || mungekey --create --keyfile=/etc/munge/munge.key
chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
install -d -o munge -g munge -m 0755 /run/munge
install -d -o munge -g munge -m 0700 /var/log/munge /var/lib/munge
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  rm -f /run/munge/munge.socket.2 /run/munge/munge.socket.2.lock # left behind by a kill -9
  runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
  munge -n | unmunge >/dev/null || { echo "slurm-start: munged did not start (/var/log/munge/munged.log)" >&2; exit 1; }
fi

# The node line comes from `slurmd -C` (this host's name, CPUs and memory). Choices that matter:
# - no slurmdbd, so no accounting: states come from squeue/scontrol, kept MinJobAge=600 s after
#   a job ends, and from the jobcomp file;
# - batch_sched_delay=0: Slurm's default 3 s delay would start short array tasks only every ~3 s;
# - proctrack/linuxproc + task/none: no cgroups in a container (memory/CPU limits are not enforced);
# - ReturnToService=2: a node that was down (slurmd killed) takes jobs again when slurmd is back.
H=$(hostname -s)
cat >"$CONF.new" <<CONF
# written by vae-lab scripts/slurm-start.sh
ClusterName=vaelab
SlurmctldHost=${H}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$BASE/state
SlurmdSpoolDir=$BASE/spool
SlurmctldPidFile=$BASE/run/slurmctld.pid
SlurmdPidFile=$BASE/run/slurmd.pid
SlurmctldLogFile=$BASE/log/slurmctld.log
SlurmdLogFile=$BASE/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$BASE/log/jobcomp.txt
MinJobAge=600
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
$(slurmd -C | head -1) NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
if cmp -s "$CONF.new" "$CONF"; then
  rm -f "$CONF.new"
else
  mv "$CONF.new" "$CONF"
  # A changed config needs a restart; saved state and running job steps survive it.
  stop "$BASE/run/slurmd.pid" slurmd
  stop "$BASE/run/slurmctld.pid" slurmctld
fi

running "$BASE/run/slurmctld.pid" slurmctld || slurmctld
running "$BASE/run/slurmd.pid" slurmd || slurmd

state=""
for _ in $(seq 300); do
  state=$(sinfo -h -N -n "$H" -o %t 2>/dev/null || true)
  case "$state" in
    idle | mix | alloc | comp) break ;;
    down* | drain* | drng*) scontrol update NodeName="$H" State=RESUME 2>/dev/null || true ;;
  esac
  sleep 0.2
done
case "$state" in idle | mix | alloc | comp) ;; *)
  echo "slurm-start: node $H not ready (state '$state'); logs in $BASE/log/" >&2
  exit 1 ;;
esac
say "node $H $state ($(sinfo -h -N -n "$H" -o %c) CPUs); logs in $BASE/log/"
