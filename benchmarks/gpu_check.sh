#!/usr/bin/env bash
# GPU check: on a machine with an NVIDIA GPU, produce tuitrain's GPU numbers in one go.
#
#   bash benchmarks/gpu_check.sh            # PRESET=mnist_cnn EPOCHS=3 by default
#   PRESET=cifar10_cnn EPOCHS=5 bash benchmarks/gpu_check.sh
#
# 1. installs tuitrain with the `gpu` extra into a virtual environment (.venv-gpu, or $VENV);
# 2. `tuitrain devices`: what TensorFlow sees (stops here if it sees no GPU, with the reason);
# 3. trains a bundled convnet preset twice on one GPU, float32 and mixed_float16 (memory growth on);
# 4. runs the engine throughput benchmark (trainer against bare model.fit);
# 5. prints one table: samples/s, speed-up of mixed precision, peak GPU memory, mean GPU utilisation,
#    final validation accuracy, and the benchmark's ratios.
# The datasets download once into the Keras cache (mnist 11 MB, cifar10 163 MB): run it online once.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=${VENV:-.venv-gpu}
PRESET=${PRESET:-mnist_cnn}
EPOCHS=${EPOCHS:-3}
REPS=${REPS:-3}
OUT=${OUT_DIR:-$(mktemp -d -t tuitrain-gpu-check-XXXX)}
mkdir -p "$OUT"

if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/pip" install -q --upgrade pip
"$VENV/bin/pip" install -q -e ".[gpu]"
T="$VENV/bin/tuitrain"

echo "== tuitrain devices"
"$T" devices | tee "$OUT/devices.txt"
"$T" devices --json > "$OUT/devices.json"
if ! "$VENV/bin/python" -c 'import json,sys; sys.exit(0 if any(d["kind"]=="GPU" for d in json.load(open(sys.argv[1]))["devices"]) else 1)' "$OUT/devices.json"; then
  echo "no GPU visible: see the reason above; nothing to measure." >&2
  exit 1
fi

for precision in float32 mixed_float16; do
  echo "== train $PRESET ($precision, $EPOCHS epochs)"
  extra=()
  if [ "$precision" != float32 ]; then extra=(--set "distribute.mixed_precision=\"$precision\""); fi
  "$T" train "$PRESET" --runs-dir "$OUT/runs-$precision" --set "fit.epochs=$EPOCHS" \
    --set "distribute.strategy=\"one_device\"" --set "distribute.memory_growth=true" "${extra[@]}"
done

echo "== engine throughput benchmark (trainer against bare fit)"
"$VENV/bin/python" benchmarks/bench_engine.py --reps "$REPS" | tee "$OUT/bench_engine.txt"

echo
echo "== results ($OUT)"
"$VENV/bin/python" - "$OUT" "$PRESET" <<'PYEOF'
import json, re, sys
from pathlib import Path

out, preset = Path(sys.argv[1]), sys.argv[2]
devices = json.loads((out / "devices.json").read_text())
gpus = [d for d in devices["devices"] if d["kind"] == "GPU"]
print(f"TensorFlow {devices['tensorflow']} (CUDA {devices['cuda_version']}, cuDNN {devices['cudnn_version']}), "
      f"driver {devices['driver']}; {len(gpus)} GPU(s): {gpus[0]['name']} (compute capability {gpus[0]['compute_capability']})")
rows, rate = [], {}
for precision in ("float32", "mixed_float16"):
    run = next((out / f"runs-{precision}").glob("*/run.json"))
    info = json.loads(run.read_text())
    system = info.get("system") or {}
    rate[precision] = info["samples_trained"] / info["fit_seconds"] if info.get("fit_seconds") else float("nan")
    best = info.get("best") or {}
    rows.append((f"{preset} {precision}", info["status"], f"{rate[precision]:,.0f}",
                 f"{(system.get('gpu_mem_peak') or 0) / 2**30:.2f}", f"{system.get('gpu_util_mean') or 0:.0f}",
                 f"{best.get('val_accuracy', float('nan')):.4f}", info.get("replicas"), info.get("precision")))
head = ("run", "status", "samples/s", "peak GPU GiB", "mean GPU %", "val_accuracy", "replicas", "precision")
widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
for r in [head] + rows:
    print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))
print(f"mixed_float16 speed-up over float32: {rate['mixed_float16'] / rate['float32']:.2f}x")
for line in (out / "bench_engine.txt").read_text().splitlines():
    if re.search(r"ratio to bare|inside the trainer", line):
        print("engine benchmark:" + line)
PYEOF
