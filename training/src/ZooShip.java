import dev.tinify.Tinify;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.Padding;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.model.CompressionModel;
import ai.djl.ndarray.NDManager;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Makes a zoo weights file from a training checkpoint's model file: update(force=true) so the CDF
 * tables are in, then fp16 parameters if that changes the PSNR of the given images by less than
 * 0.01 dB (forward in evaluation mode), else fp32.
 * Args: spec N M checkpoint.safetensors out.safetensors image...
 */
public final class ZooShip {
    public static void main(String[] args) throws Exception {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("N", Integer.parseInt(args[1]));
        params.put("M", Integer.parseInt(args[2]));
        Map<String, SafeTensors.Tensor> full;
        Map<String, SafeTensors.Tensor> half;
        try (CompressionModel model = Tinify.build(args[0], params)) {
            model.load(SafeTensors.read(Path.of(args[3])));
            model.train(false);
            model.update(true);
            full = StateDicts.save(model, StateDicts.Precision.FULL);
            half = StateDicts.save(model, StateDicts.Precision.HALF_PARAMETERS);
        }
        double worst = 0;
        StringBuilder per = new StringBuilder();
        for (int i = 5; i < args.length; i++) {
            RgbImage img = ImageFiles.read(Path.of(args[i]));
            double a = psnr(args[0], params, full, img);
            double b = psnr(args[0], params, half, img);
            worst = Math.max(worst, Math.abs(a - b));
            per.append(String.format(Locale.ROOT, "%s%s: fp32 %.4f dB, fp16 %.4f dB", per.length() == 0 ? "" : "; ",
                    Path.of(args[i]).getFileName(), a, b));
        }
        boolean useHalf = worst < 0.01;
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        SafeTensors.write(useHalf ? half : full, bos);
        Files.write(Path.of(args[4]), bos.toByteArray());
        System.out.println(String.format(Locale.ROOT, "{\"precision\":\"%s\",\"max_psnr_change_db\":%.5f,\"check\":\"%s\",\"bytes\":%d}",
                useHalf ? "fp16" : "fp32", worst, per, bos.size()));
    }

    static double psnr(String spec, Map<String, Object> params, Map<String, SafeTensors.Tensor> weights, RgbImage img)
            throws Exception {
        try (CompressionModel model = Tinify.build(spec, params)) {
            // Round trip through the file format, as a loader would see it.
            Path tmp = Files.createTempFile("zoo-ship", ".safetensors");
            try (var os = Files.newOutputStream(tmp)) {
                SafeTensors.write(weights, os);
            }
            model.load(SafeTensors.read(tmp));
            Files.delete(tmp);
            model.train(false);
            Padding pad = Padding.forStride(img.height(), img.width(), model.downsamplingFactor());
            try (NDManager m = model.manager().newSubManager()) {
                CompressionModel.ForwardResult r = model.forward(img.pad(pad).toNDArray(m));
                return ZooEval.psnr(img, RgbImage.fromNDArray(r.xHat().clip(0f, 1f)).crop(pad));
            }
        }
    }
}
