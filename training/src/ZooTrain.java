import dev.tinify.Tinify;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.train.RateDistortionLoss;
import dev.tinify.runtime.train.Trainer;
import dev.tinify.runtime.train.TrainingConfig;
import dev.tinify.runtime.train.TrainingListener;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Drives the Trainer for zoo weights. Arguments as key=value:
 * spec, N, M, lambda, quality, steps, batch, patch, lr, out, data, seed, ckpt, validate, patience,
 * init (model safetensors files to start from, comma-separated, later ones winning; keys of another architecture that match in name and
 * shape are taken, the rest keep their fresh initialization). Resumes from out/latest.json if present.
 */
public final class ZooTrain {
    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String s : args) {
            int i = s.indexOf('=');
            a.put(s.substring(0, i), s.substring(i + 1));
        }
        String spec = a.get("spec");
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("N", Integer.parseInt(a.get("N")));
        params.put("M", Integer.parseInt(a.get("M")));
        Path out = Path.of(a.get("out"));
        TrainingConfig cfg = TrainingConfig.builder(Path.of(a.getOrDefault("data", "/work/shared/data/train256")), out,
                        RateDistortionLoss.Metric.MSE, Double.parseDouble(a.get("lambda")), Long.parseLong(a.get("steps")))
                .quality(Integer.parseInt(a.getOrDefault("quality", "0")))
                .batch(Integer.parseInt(a.getOrDefault("batch", "8")))
                .patch(Integer.parseInt(a.getOrDefault("patch", "128")))
                .netLr(Double.parseDouble(a.getOrDefault("lr", "1e-4")))
                .seed(Long.parseLong(a.getOrDefault("seed", "1")))
                .checkpointEvery(Integer.parseInt(a.getOrDefault("ckpt", "100")))
                .validateEvery(Integer.parseInt(a.getOrDefault("validate", "50")))
                .patience(Integer.parseInt(a.getOrDefault("patience", "4")))
                .build();
        PrintStream log = System.out;
        try (CompressionModel model = Tinify.build(spec, params); Trainer trainer = new Trainer(model, cfg)) {
            if (Files.exists(out.resolve("latest.json"))) {
                trainer.resume(out);
                log.println("{\"resumed\":" + trainer.step() + "}");
            } else if (a.containsKey("init")) {
                // Comma-separated files; later ones override earlier ones where both have a key.
                Map<String, SafeTensors.Tensor> init = new HashMap<>();
                for (String f : a.get("init").split(",")) {
                    init.putAll(SafeTensors.read(Path.of(f)));
                }
                Map<String, SafeTensors.Tensor> fresh = StateDicts.save(model, StateDicts.Precision.FULL);
                int taken = 0;
                for (Map.Entry<String, SafeTensors.Tensor> e : fresh.entrySet()) {
                    SafeTensors.Tensor t = init.get(e.getKey());
                    if (t != null && java.util.Arrays.equals(t.shape(), e.getValue().shape())
                            && !StateDicts.RESIZED_ON_LOAD.stream().anyMatch(e.getKey()::endsWith)) {
                        e.setValue(t);
                        taken++;
                    }
                }
                model.load(fresh);
                log.println("{\"init\":\"" + a.get("init") + "\",\"taken\":" + taken + ",\"of\":" + fresh.size() + "}");
            }
            trainer.addListener(new TrainingListener() {
                @Override
                public void onStep(Step s) {
                    log.println(String.format(Locale.ROOT,
                            "{\"step\":%d,\"loss\":%.5f,\"bpp\":%.4f,\"psnr\":%.3f,\"aux\":%.2f,\"grad\":%.3f,\"lr\":%.2e,\"sps\":%.4f,\"t\":%d}",
                            s.step(), s.loss(), s.bpp(), s.psnr(), s.auxLoss(), s.gradNorm(), s.learningRate(), s.stepsPerSecond(),
                            System.currentTimeMillis() / 1000));
                }

                @Override
                public void onValidation(Validation v) {
                    log.println(String.format(Locale.ROOT, "{\"validation\":%d,\"loss\":%.5f,\"lr\":%.2e}", v.step(), v.loss(),
                            v.learningRate()));
                }

                @Override
                public void onCheckpoint(long step, Path file) {
                    log.println("{\"checkpoint\":\"" + file + "\"}");
                    log.flush();
                }
            });
            Thread main = Thread.currentThread();
            Thread hook = new Thread(() -> {
                trainer.requestStop();
                try {
                    main.join(180_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Runtime.getRuntime().addShutdownHook(hook);
            Trainer.Result r = trainer.run();
            log.println("{\"done\":" + r.step() + ",\"stopped\":" + r.stopped() + ",\"sps\":" + r.stepsPerSecond() + "}");
        }
    }
}
