#!/bin/sh
# Usage: training/run.sh <log> key=value...  (see training/src/ZooTrain.java); runs niced, 2 threads.
LOG=$1; shift
exec nice -n 19 java -Xmx3g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=2 -Dai.djl.pytorch.num_interop_threads=1 \
  -cp "/tmp/zoo-drv:$(cat /tmp/zoo-cp)" ZooTrain "$@" >> "$LOG" 2>&1
