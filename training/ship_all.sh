#!/bin/bash
# Turns the last checkpoint of each chain into zoo weights (models/src/main/resources/tinify/weights/
# <arch>/mse-q<Q>.safetensors + .json), evaluates them on dev8 (real bitstream) and copies the
# resumable checkpoints to training/checkpoints/<arch>-q<Q>/.
set -eu
cd "$(dirname "$0")/.."
CK=/tmp/zoo-ck
R=training/runs
W=models/src/main/resources/tinify/weights
CP="/tmp/zoo-drv:$(cat /tmp/zoo-cp)"
J="nice -n 19 java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=2 -Dai.djl.pytorch.num_interop_threads=1 -cp $CP"
DEV=/work/shared/data/dev8
lam() { case $1 in 1) echo 0.0018;; 3) echo 0.0067;; 5) echo 0.0250;; 6) echo 0.0483;; esac; }
declare -A DIR=([bmshj2018-hyperprior]=hyper [mbt2018-mean]=mbt)
EVALARGS=()
for arch in bmshj2018-hyperprior mbt2018-mean; do
  mkdir -p $W/$arch
  for q in 1 3 5 6; do
    d=$CK/${DIR[$arch]}-q$q; [ $arch = bmshj2018-hyperprior ] && [ $q = 3 ] && d=$CK/hyper-q3b
    [ -f $d/latest.json ] || { echo "no checkpoint for $arch q$q"; continue; }
    st=$(python3 -c "import json;print(json.load(open('$d/latest.json'))['modelFile'])")
    dst=training/checkpoints/$arch-q$q; rm -rf $dst; mkdir -p $dst
    cp $d/latest.json $d/${st%.safetensors}.json $d/$st $d/${st%.safetensors}.optim.safetensors $dst/
    $J ZooShip $arch 64 96 $d/$st $W/$arch/mse-q$q.safetensors $DEV/appleflower.png $DEV/fog.png 2>&1 | grep -v SLF4J > /tmp/zoo-ship-$arch-$q.json
    cat /tmp/zoo-ship-$arch-$q.json
    EVALARGS+=("$arch:64:96:$W/$arch/mse-q$q.safetensors")
  done
done
$J ZooEval $DEV true 8 "${EVALARGS[@]}" 2>&1 | grep -v SLF4J | tee training/eval-dev8.jsonl
