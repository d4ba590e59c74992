#!/bin/bash
# The session's chain after the machine got quiet: resume hyperprior q3, fine-tune q1/q5/q6 from
# it, start mbt2018-mean from the hyperprior weights, each for a fixed wall-clock budget (SIGTERM
# then writes a checkpoint). Budgets in seconds: $1 q3, $2 per hyperprior fine-tune, $3 mbt q3,
# $4 per mbt fine-tune.
set -u
cd "$(dirname "$0")/.."
CK=/tmp/zoo-ck
R=training/runs
COMMON="N=64 M=96 steps=20000 batch=8 patch=128 ckpt=25 validate=50 patience=3"
lam() { case $1 in 1) echo 0.0018;; 3) echo 0.0067;; 5) echo 0.0250;; 6) echo 0.0483;; esac; }
model() { python3 -c "import json,sys;d=sys.argv[1];print(d+'/'+json.load(open(d+'/latest.json'))['modelFile'])" "$1"; }
run() { local t=$1 log=$2; shift 2; echo "$(date -u +%T) start $log ($t s)"; timeout -s TERM -k 240 "$t" training/run.sh "$log" "$@"; echo "$(date -u +%T) end $log rc=$?"; }

run "$1" $R/hyper-q3-b.log spec=bmshj2018-hyperprior $COMMON lambda=0.0067 quality=3 lr=3e-4 out=$CK/hyper-q3b seed=2
Q3=$(model $CK/hyper-q3b)
for q in 1 5 6; do
  run "$2" $R/hyper-q$q.log spec=bmshj2018-hyperprior $COMMON lambda=$(lam $q) quality=$q lr=2e-4 out=$CK/hyper-q$q seed=$((10+q)) init=$Q3
done
run "$3" $R/mbt-q3.log spec=mbt2018-mean $COMMON lambda=0.0067 quality=3 lr=3e-4 out=$CK/mbt-q3 seed=23 init=$Q3
M3=$(model $CK/mbt-q3)
for q in 1 5 6; do
  run "$4" $R/mbt-q$q.log spec=mbt2018-mean $COMMON lambda=$(lam $q) quality=$q lr=3e-4 out=$CK/mbt-q$q seed=$((20+q)) init=$M3,$(model $CK/hyper-q$q)
done
echo "$(date -u +%T) chain done"
