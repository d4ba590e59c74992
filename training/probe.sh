#!/bin/bash
# Speed probe: bmshj2018-hyperprior at its default size (N=128, M=192), batch 8 of 256x256 patches.
cd "$(dirname "$0")/.."
rm -rf /tmp/zoo-probe/default
timeout -s TERM -k 120 240 training/run.sh training/runs/probe-default-b8-256.log spec=bmshj2018-hyperprior N=128 M=192 \
  lambda=0.0067 steps=5 batch=8 patch=256 lr=1e-4 out=/tmp/zoo-probe/default ckpt=0 validate=0
