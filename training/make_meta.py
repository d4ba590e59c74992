#!/usr/bin/env python3
"""Writes the JSON beside a shipped weights file from its training logs and checkpoint.

usage: make_meta.py OUT.json ARCH Q N M LAMBDA CHECKPOINT_JSON SHIP_JSON EVAL_LOG LOG [LOG...]
LOGs are the JSON-lines logs of the chain of runs that led to the weights, oldest first (each
written by training/src/ZooTrain.java); the last 50 steps of the last log give the final train
loss, bpp and PSNR.
"""
import json
import sys

out, arch, q, n, m, lam, ckpt, ship, evallog, *logs = sys.argv[1:]
state = json.load(open(ckpt))
runs = []
for path in logs:
    steps = []
    init = None
    for line in open(path):
        line = line.strip()
        if not line.startswith('{'):
            continue
        d = json.loads(line)
        if 'step' in d:
            steps.append(d)
        elif 'init' in d:
            init = d['init']
    runs.append({'log': path, 'init': init, 'steps': len(steps),
                 'first_step': steps[0]['step'] if steps else None, 'last_step': steps[-1]['step'] if steps else None,
                 'lr': sorted({s['lr'] for s in steps})})
last = []
for line in open(logs[-1]):
    if line.startswith('{"step"'):
        last.append(json.loads(line))
tail = last[-50:]
mean = lambda k: sum(s[k] for s in tail) / len(tail)
summary = [json.loads(l) for l in open(evallog) if l.startswith('{"summary"')]
meta = {
    'spec': arch, 'quality': int(q), 'metric': 'mse', 'params': {'N': int(n), 'M': int(m)},
    'note': 'smaller N/M than CompressAI\'s zoo entry for this quality; build with these overrides',
    'lambda': float(lam), 'steps_total': sum(r['steps'] for r in runs),
    'batch': state['batch'], 'patch': state['patch'], 'seed': state['seed'],
    'optimizer': 'Adam (net lr as listed per run, plateau halving on the training-loss window), aux Adam 1e-3, grad clip 1.0',
    'data': '/work/shared/data/train256 (501 256x256 crops made by /work/shared/data/make_train_set.sh), random 128x128 patches with flips',
    'runs': runs,
    'final_train_last50': {'loss': mean('loss'), 'bpp': mean('bpp'), 'psnr': mean('psnr')},
    'weights': json.load(open(ship)),
    'dev8': summary[-1] if summary else None,
    'checkpoint': 'training/checkpoints/%s-q%s/' % (arch, q),
}
json.dump(meta, open(out, 'w'), indent=1)
print(out)
