#!/bin/bash
# After ship_all.sh: RD files per architecture from the dev8 evaluation, BD-rates against JPEG and
# WebP (bdrate.py, pchip), and the JSON beside every weights file.
set -u
cd "$(dirname "$0")/.."
W=models/src/main/resources/tinify/weights
R=training/runs
B=/work/shared/data/baselines-dev8.json
lam() { case $1 in 1) echo 0.0018;; 3) echo 0.0067;; 5) echo 0.0250;; 6) echo 0.0483;; esac; }
for arch in bmshj2018-hyperprior mbt2018-mean; do
  python3 - "$arch" <<'PY'
import json, sys
arch = sys.argv[1]
pts = [json.loads(l) for l in open('training/eval-dev8.jsonl') if l.startswith('{"summary"') and '/' + arch + '/' in l]
pts.sort(key=lambda p: p['bpp_real'])
for kind, b, q in (('real', 'bpp_real', 'psnr_real'), ('est', 'bpp_est', 'psnr')):
    json.dump({'name': arch + ' (tinify zoo, N=64 M=96, ' + kind + ')', 'bpp': [p[b] for p in pts], 'psnr': [p[q] for p in pts]},
              open('training/rd-%s-%s.json' % (arch, kind), 'w'), indent=1)
PY
  for kind in real est; do
    for anchor in jpeg webp; do
      echo "== $arch ($kind) vs $anchor: $(python3 /work/shared/tools/bdrate.py $B:$anchor training/rd-$arch-$kind.json 2>&1 | tr '\n' ' ')"
    done
  done
done | tee training/bdrate-dev8.txt
for q in 1 3 5 6; do
  H="$R/hyper-q3.log $R/hyper-q3-b.log"; [ $q != 3 ] && H="$H $R/hyper-q$q.log"
  M="$R/hyper-q3.log $R/hyper-q3-b.log $R/mbt-q3.log"; [ $q != 3 ] && M="$M $R/hyper-q$q.log $R/mbt-q$q.log"
  for arch in bmshj2018-hyperprior mbt2018-mean; do
    [ $arch = bmshj2018-hyperprior ] && L=$H || L=$M
    grep "\"summary\":\"$W/$arch/mse-q$q.safetensors\"" training/eval-dev8.jsonl > /tmp/zoo-eval-$arch-$q.jsonl
    python3 training/make_meta.py $W/$arch/mse-q$q.json $arch $q 64 96 $(lam $q) training/checkpoints/$arch-q$q/latest.json \
      /tmp/zoo-ship-$arch-$q.json /tmp/zoo-eval-$arch-$q.jsonl $L
  done
done
