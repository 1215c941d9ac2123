#!/usr/bin/env bash
# A single-node SLURM cluster on this machine, from Debian's slurm-wlm and munge, for the cluster
# tests (docs/cluster.md). Everything it makes lives in one state folder: its munge key and
# socket, slurm.conf, the daemons' spool, logs and pid files. Nothing under /etc is touched, and
# `stop` kills only the daemons whose pid files the folder holds.
#
#   tests/cluster/slurm.sh start DIR   # root: munged, slurmctld, slurmd; waits until the node is idle
#   export SLURM_CONF=DIR/slurm.conf   # sbatch, squeue, scontrol ... then talk to it
#   tests/cluster/slurm.sh stop DIR    # kills the three daemons started in DIR
#
# `start` exits 77 with one line saying why when SLURM cannot start here (not root, a package
# missing, a daemon that does not come up): the cluster tests are then skipped, saying so.
set -euo pipefail

SKIP=77
cmd=${1:-}
dir=${2:-}
[[ ($cmd == start || $cmd == stop) && -n $dir ]] || { echo "usage: slurm.sh start|stop DIR" >&2; exit 2; }

# Why not, on stderr and in DIR/skipped.txt (the tests quote it).
skip() {
    echo "SLURM cannot start here: $*" | tee "$dir/skipped.txt" >&2
    exit $SKIP
}

# A daemon's pid from its pid file in DIR, when that process still runs that program.
running_pid() {  # running_pid PIDFILE PROGRAM
    [[ -f $1 ]] || return 1
    local pid
    pid=$(head -c 32 "$1" | tr -dc 0-9)
    [[ -n $pid && -r /proc/$pid/comm && $(cat "/proc/$pid/comm") == "$2" ]] && echo "$pid"
}

stop() {
    local name pid
    for name in slurmd slurmctld munged; do
        pid=$(running_pid "$dir/$name.pid" "$name") || continue
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
}

if [[ $cmd == stop ]]; then
    [[ -d $dir ]] && stop
    exit 0
fi

mkdir -p "$dir"
rm -f "$dir/skipped.txt" "$dir/slurm.conf"  # no conf: no cluster, whatever an earlier start left
[[ $(id -u) -eq 0 ]] || skip "the daemons run as root here, and this is uid $(id -u)"
for p in munged slurmctld slurmd sbatch scontrol sinfo; do
    command -v "$p" >/dev/null || skip "$p is missing (apt-get install slurm-wlm munge)"
done
dir=$(realpath -m "$dir")
mkdir -p "$dir"/{ctld,spool}
# A new cluster each time: a state folder from an earlier start is cleared (its daemons first).
stop
rm -rf "${dir:?}"/ctld/* "${dir:?}"/spool/*

# Two free TCP ports for the controller and the node daemon.
free_port() {
    local p
    for _ in $(seq 100); do
        p=$((20000 + RANDOM % 20000))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
    done
    return 1
}
ctld_port=$(free_port) || skip "no free TCP port"
node_port=$(free_port) || skip "no free TCP port"
[[ $ctld_port != "$node_port" ]] || node_port=$((ctld_port + 1))

host=$(hostname -s)
cpus=$(nproc)
mem_mb=$(awk '/MemTotal/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)

# munge: its own key and socket in DIR (munged refuses a key others can read).
dd if=/dev/urandom bs=1 count=1024 of="$dir/munge.key" status=none
chmod 400 "$dir/munge.key"
munged --force --socket="$dir/munge.socket" --key-file="$dir/munge.key" --pid-file="$dir/munged.pid" \
    --log-file="$dir/munged.log" --seed-file="$dir/munged.seed" ||
    skip "munged did not start ($(tail -n 1 "$dir/munged.log" 2>/dev/null))"

cat >"$dir/slurm.conf" <<EOF
# A one-node cluster for genlab's cluster tests (tests/cluster/slurm.sh).
ClusterName=genlab
SlurmctldHost=$host
SlurmctldPort=$ctld_port
SlurmdPort=$node_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge.socket,cred_expire=10
CredType=cred/munge
StateSaveLocation=$dir/ctld
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
# A requeued task waits cred_expire (default 120 s) before it runs again: 10 s here. Finished
# jobs stay listed for 5 minutes.
JobRequeue=1
MinJobAge=300
KillWait=5
NodeName=$host CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=genlab Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$dir/slurm.conf

slurmctld -f "$SLURM_CONF" || skip "slurmctld did not start ($(tail -n 1 "$dir/slurmctld.log" 2>/dev/null))"
slurmd -f "$SLURM_CONF" || skip "slurmd did not start ($(tail -n 1 "$dir/slurmd.log" 2>/dev/null))"

# Up when the node reports idle (at most 30 s).
for _ in $(seq 60); do
    state=$(sinfo -h -N -o %T 2>/dev/null | head -n 1 || true)
    [[ $state == idle ]] && { echo "SLURM_CONF=$SLURM_CONF"; exit 0; }
    sleep 0.5
done
log=$(tail -n 1 "$dir/slurmd.log" 2>/dev/null || true)
stop
skip "the node did not come up (state '${state:-none}'; slurmd: $log)"
