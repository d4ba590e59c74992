#!/bin/bash
# The zoo chain with the tinify command line alone:
#   1. bmshj2018-hyperprior q3 from scratch (a warm-up), q5 fine-tuned from it;
#   2. q6 and the shipped q3 fine-tuned from q5 (--init: the quality's lambda, q5's weights), q1 from
#      that q3, q2 from q3, q4 from q5, q7 from q6 and q8 from q7: lower qualities start from a model
#      trained at a higher lambda, whose transforms have learned more detail (on dev8 a q3 fine-tuned
#      from q5 for 1,810 steps beat the q3 of its own chain by 1.9 dB at 15 % less rate);
#   3. MS-SSIM weights q2, q4, q6 fine-tuned from the MSE q3, q5, q6 (batch 4 of 192x192: MS-SSIM's
#      five scales need sides above 160 pixels);
#   4. mbt2018-mean q5 from the hyperprior q5 (--grow: its h_s into the mean-scale h_s), first with
#      the transforms frozen, last on 256x256 patches; q6 and q3 from it, q1 from q3;
#   5. hyperprior-context (the hyperprior plus a raster-scan context model, trained with
#      quantizer=ste), each quality from the hyperprior of that quality with entropy_parameters
#      started as a pass-through of its scales: first its entropy model fitted with g_a frozen,
#      then everything trained, last on batch 2 of 256x256 patches;
#   6. each run annealed: a copy of it continues ANNEAL steps at a tenth of the learning rate (the
#      run itself stays as it was, so a later call can extend it), then exported as shipped weights
#      with its JSON (fp16 if two dev8 images allow it);
#   7. the shipped weights evaluated on dev8, JPEG and WebP benchmarked, BD-rates and RD plots.
#
# Usage: training/zoo.sh            (from any folder; one training JVM at a time on a 2-core machine)
# Environment: RUNS (run folders, default /tmp/zoo-runs), STEPS (target steps per run, default 20000),
#   ANNEAL (steps at a tenth of the rate before export, default 400), BUDGET (wall-clock limit per
#   run, e.g. 2h: SIGTERM then writes a checkpoint), RESULTS (default training/results), DATA (the
#   training crops, default ~/.cache/tinify/train256-all, made when missing).
# Rerunning continues: a run folder with a checkpoint is resumed (its saved learning rate and schedule
# kept), so a larger STEPS or another BUDGET extends every run in turn.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-/tmp/zoo-runs}
STEPS=${STEPS:-20000}
ANNEAL=${ANNEAL:-400}
RESULTS=${RESULTS:-training/results}
# 5,000 crops of 338 photographs (../shared/data/README.md); made once, outside git. The 500 crops of
# data/train256 come from 9 photos only: a q5 run on this set reached +0.69 dB on dev8 at 4 % more rate.
DATA=${DATA:-$HOME/.cache/tinify/train256-all}
if [ ! -d "$DATA" ]; then
  SOURCES=all sh ../shared/data/make_train_set.sh "$DATA" 5000 1
fi
DEV=../shared/data/dev8
W=models/src/main/resources/tinify/weights
SIZE=(--set N=64 --set M=96)
# A plateau is judged over 500-step windows of the training loss: shorter ones are noise at batch 8.
RECIPE=(--data "$DATA" --checkpoint-every 250 --val-every 500 --patience 6 --quiet)
MSE=(--metric mse --batch 8 --patch 128)
SSIM=(--metric ms-ssim --batch 4 --patch 192)
# The last stage of hyperprior-context and mbt2018-mean: batch 2 of 256x256, as many pixels a step.
# On 128x128 patches the latent is 8x8 and z 2x2, mostly border for the 5x5 context and h_s; 1,000
# steps at 256x256 from one q5 checkpoint coded dev8 with 11 % less rate at the same PSNR than 1,000
# steps at 128x128.
WIDE=(--metric mse --batch 2 --patch 256)

# train OUT LR INIT ARGS...: a fresh run at net learning rate LR from INIT's weights (- for none),
# or, when OUT holds a checkpoint, its continuation.
train() {
  local out=$1 lr=$2 init=$3
  shift 3
  local from=(--lr "$lr")
  if [ -f "$out/latest.json" ]; then
    from=(--resume "$out")
  elif [ "$init" != - ]; then
    from+=(--init "$init")
  fi
  echo "$(date -u +%T) train $out ${from[*]}"
  local rc=0
  ${BUDGET:+timeout -s TERM -k 300 "$BUDGET"} nice -n 19 ./tinify train "$@" "${SIZE[@]}" "${RECIPE[@]}" --steps "$STEPS" --out "$out" "${from[@]}" || rc=$?
  # 124: the budget ran out; the run wrote a checkpoint and continues on the next call.
  [ $rc = 0 ] || [ $rc = 124 ]
}

H=bmshj2018-hyperprior
M=mbt2018-mean
C=hyperprior-context
train "$RUNS/$H-q3-warmup" 3e-4 - -m $H -q 3 --seed 2 "${MSE[@]}"
train "$RUNS/$H-q5" 2e-4 "$RUNS/$H-q3-warmup" -m $H -q 5 --seed 15 "${MSE[@]}"
train "$RUNS/$H-q6" 2e-4 "$RUNS/$H-q5" -m $H -q 6 --seed 16 "${MSE[@]}"
train "$RUNS/$H-q3" 2e-4 "$RUNS/$H-q5" -m $H -q 3 --seed 13 "${MSE[@]}"
train "$RUNS/$H-q1" 2e-4 "$RUNS/$H-q3" -m $H -q 1 --seed 11 "${MSE[@]}"
train "$RUNS/$H-q2" 2e-4 "$RUNS/$H-q3" -m $H -q 2 --seed 22 "${MSE[@]}"
train "$RUNS/$H-q4" 2e-4 "$RUNS/$H-q5" -m $H -q 4 --seed 42 "${MSE[@]}"
train "$RUNS/$H-q7" 2e-4 "$RUNS/$H-q6" -m $H -q 7 --seed 72 "${MSE[@]}"
train "$RUNS/$H-q8" 2e-4 "$RUNS/$H-q7" -m $H -q 8 --seed 82 "${MSE[@]}"
for q in 2 4 6; do
  src=$([ $q = 2 ] && echo 3 || ([ $q = 4 ] && echo 5 || echo 6))
  train "$RUNS/$H-ms-ssim-q$q" 1e-4 "$RUNS/$H-q$src" -m $H -q $q --seed $((60 + q)) "${SSIM[@]}"
done
# mbt2018-mean q5 from the hyperprior q5: --grow puts the hyperprior's h_s into the leading block of
# the mean-scale h_s (its first M outputs are the scales); fitted with the transforms frozen, trained
# whole, last on 256x256 patches. q6 and q3 start from it, q1 from q3.
[ -f "$RUNS/$M-q5-fit/latest.json" ] || STEPS=300 train "$RUNS/$M-q5-fit" 1e-4 "$RUNS/$H-q5" -m $M -q 5 \
  --seed 51 "${MSE[@]}" --freeze g_a,g_s --grow
STEPS=1250 train "$RUNS/$M-q5-128" 1e-4 "$RUNS/$M-q5-fit" -m $M -q 5 --seed 52 "${MSE[@]}"
train "$RUNS/$M-q5" 5e-5 "$RUNS/$M-q5-128" -m $M -q 5 --seed 52 "${WIDE[@]}"
train "$RUNS/$M-q6" 5e-5 "$RUNS/$M-q5" -m $M -q 6 --seed 56 "${WIDE[@]}"
train "$RUNS/$M-q3" 5e-5 "$RUNS/$M-q5-128" -m $M -q 3 --seed 53 "${WIDE[@]}"
train "$RUNS/$M-q1" 5e-5 "$RUNS/$M-q3" -m $M -q 1 --seed 54 "${WIDE[@]}"
# The hyperprior of the quality for every shared module, and entropy_parameters that pass its scales
# through (M=96): the context model starts at the hyperprior's rate-distortion point. Its entropy
# model is fitted first with g_a frozen (FIT steps; the shipped weights had 500 at q5 and 250
# elsewhere, plus a tenth as many annealed), then everything trains from there.
FIT=${FIT:-500}
for q in 5 3 1 6; do
  # A fixed first stage: --pass-through sets fresh weights, so a finished fit is not resumed.
  [ -f "$RUNS/$C-q$q-fit/latest.json" ] || STEPS=$FIT train "$RUNS/$C-q$q-fit" 1e-4 "$RUNS/$H-q$q" -m $C -q $q \
    --seed $((52 + q)) "${MSE[@]}" --freeze g_a --pass-through entropy_parameters:96
  train "$RUNS/$C-q$q" 1e-4 "$RUNS/$C-q$q-fit" -m $C -q $q --seed $((70 + q)) "${MSE[@]}"
  train "$RUNS/$C-q$q-256" 5e-5 "$RUNS/$C-q$q" -m $C -q $q --seed $((90 + q)) "${WIDE[@]}"
done

# field NAME FILE: a top-level value of a checkpoint JSON (the trainer writes one "name" : value a line).
field() {
  sed -n "s/^ *\"$1\" *: *\([^,]*\),*\$/\1/p" "$2"
}

# anneal RUN ARGS...: RUN.annealed, a fresh copy of RUN trained ANNEAL more steps at a tenth of its rate,
# unless it was already annealed from RUN's current checkpoint.
# At lr 2e-4 the dev8 PSNR of single images swings by a dB or more between checkpoints; 300 steps at
# 2e-5 gave the q3 above +0.22 dB at 2 % more rate.
anneal() {
  local run=$1 step lr
  shift
  step=$(field step "$run/latest.json")
  if [ -f "$run.annealed/latest.json" ] && [ "$(field step "$run.annealed/latest.json")" = $((step + ANNEAL)) ]; then
    return
  fi
  lr=$(field netLr "$run/latest.json")
  rm -rf "$run.annealed" && cp -r "$run" "$run.annealed"
  echo "$(date -u +%T) anneal $run from step $step at lr $lr / 10"
  nice -n 19 ./tinify train "$@" "${SIZE[@]}" "${RECIPE[@]}" --steps $((step + ANNEAL)) \
    --lr "$(awk -v r="$lr" 'BEGIN { print r / 10 }')" --out "$run.annealed" --resume "$run.annealed"
}

# ship RUN ARCH METRIC Q ARGS...: anneals RUN, then exports it beside the runs as ARCH's METRIC-qQ weights.
# Copied into the resources at once below: the launcher rebuilds whenever a file under models/
# changed, so the evaluations use the new weights after a single rebuild.
ship() {
  local run=$1 arch=$2 metric=$3 q=$4
  shift 4
  anneal "$run" -m "$arch" -q "$q" "$@"
  ./tinify export "$run.annealed" -o "$RUNS/weights/$arch/$metric-q$q.safetensors" --check "$DEV/appleflower.png" "$DEV/fog.png"
}
for q in 1 2 3 4 5 6 7 8; do
  ship "$RUNS/$H-q$q" $H mse $q "${MSE[@]}"
done
for q in 2 4 6; do
  ship "$RUNS/$H-ms-ssim-q$q" $H ms-ssim $q "${SSIM[@]}"
done
for q in 1 3 5 6; do
  ship "$RUNS/$M-q$q" $M mse $q "${WIDE[@]}"
  ship "$RUNS/$C-q$q-256" $C mse $q "${WIDE[@]}"
done
cp -r "$RUNS/weights/." "$W/"

mkdir -p "$RESULTS"
for arch in $H $M $C; do
  ./tinify eval -m $arch -q shipped --data "$DEV" -o "$RESULTS/eval-$arch.json"
done
./tinify eval -m $H --metric ms-ssim -q shipped --data "$DEV" -o "$RESULTS/eval-$H-ms-ssim.json"
./tinify bench --codec jpeg,webp --data "$DEV" -o "$RESULTS/bench.json"
for arch in $H $M $C; do
  for anchor in jpeg webp; do
    echo "== $arch vs $anchor: $(./tinify bdrate "$RESULTS/bench-$anchor.json" "$RESULTS/eval-$arch.json" 2>&1)"
  done
done | tee "$RESULTS/bdrate-dev8.txt"
for anchor in jpeg webp; do
  echo "== $H ms-ssim weights vs $anchor, MS-SSIM: $(./tinify bdrate --metric ms-ssim "$RESULTS/bench-$anchor.json" "$RESULTS/eval-$H-ms-ssim.json" 2>&1)"
done | tee "$RESULTS/bdrate-dev8-ms-ssim.txt"
./tinify plot "$RESULTS/bench-jpeg.json" "$RESULTS/bench-webp.json" ../shared/data/baselines-dev8.json:avif \
  "$RESULTS/eval-$H.json" "$RESULTS/eval-$M.json" "$RESULTS/eval-$C.json" \
  -o "$RESULTS/rd-dev8.png" --svg "$RESULTS/rd-dev8.svg"
./tinify plot --metric ms-ssim "$RESULTS/bench-jpeg.json" "$RESULTS/bench-webp.json" ../shared/data/baselines-dev8.json:avif \
  "$RESULTS/eval-$H.json" "$RESULTS/eval-$H-ms-ssim.json" \
  -o "$RESULTS/rd-dev8-ms-ssim.png" --svg "$RESULTS/rd-dev8-ms-ssim.svg"
