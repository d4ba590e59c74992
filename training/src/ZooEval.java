import dev.tinify.Tinify;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.Padding;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.model.CompressionModel;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Evaluates weights on a folder of images: per image the likelihood-estimated bpp, and with
 * code=true the real bitstream's bpp (string bytes) and the decoded PSNR.
 * Args: dir code(true|false) limit spec:N:M:weights... Prints one JSON line per image and a summary per weights file.
 */
public final class ZooEval {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        boolean code = Boolean.parseBoolean(args[1]);
        int limit = Integer.parseInt(args[2]);
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".png")).sorted().limit(limit).toList();
        }
        for (int i = 3; i < args.length; i++) {
            String[] e = args[i].split(":");
            evaluate(e[0], Integer.parseInt(e[1]), Integer.parseInt(e[2]), Path.of(e[3]), files, code);
        }
    }

    static void evaluate(String spec, int n, int mm, Path weights, List<Path> files, boolean code) throws Exception {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("N", n);
        params.put("M", mm);
        double sumEst = 0, sumPsnr = 0, sumReal = 0, sumRealPsnr = 0;
        try (CompressionModel model = Tinify.build(spec, params)) {
            model.load(SafeTensors.read(weights));
            model.train(false);
            model.update(true);
            int df = model.downsamplingFactor();
            for (Path f : files) {
                RgbImage img = ImageFiles.read(f);
                int h = img.height(), w = img.width();
                Padding pad = Padding.forStride(h, w, df);
                try (NDManager m = model.manager().newSubManager()) {
                    NDArray x = img.pad(pad).toNDArray(m);
                    CompressionModel.ForwardResult r = model.forward(x);
                    double bits = 0;
                    for (NDArray l : r.likelihoods().values()) {
                        bits += -l.log().sum().getFloat() / Math.log(2);
                    }
                    double est = bits / ((double) h * w);
                    double psnr = psnr(img, RgbImage.fromNDArray(r.xHat().clip(0f, 1f)).crop(pad));
                    sumEst += est;
                    sumPsnr += psnr;
                    String extra = "";
                    if (code) {
                        CompressionModel.Compressed c = model.compress(x);
                        long bytes = 0;
                        for (List<byte[]> stream : c.strings()) {
                            for (byte[] b : stream) {
                                bytes += b.length;
                            }
                        }
                        NDArray dec = model.decompress(m, c.strings(), c.shape());
                        double rp = psnr(img, RgbImage.fromNDArray(dec).crop(pad));
                        double rb = bytes * 8.0 / ((double) h * w);
                        sumReal += rb;
                        sumRealPsnr += rp;
                        extra = String.format(Locale.ROOT, ",\"bytes\":%d,\"bpp_real\":%.5f,\"psnr_real\":%.4f", bytes, rb, rp);
                    }
                    System.out.println(String.format(Locale.ROOT, "{\"weights\":\"%s\",\"image\":\"%s\",\"bpp_est\":%.5f,\"psnr\":%.4f%s}",
                            weights.getFileName(), f.getFileName(), est, psnr, extra));
                }
            }
        }
        int k = files.size();
        System.out.println(String.format(Locale.ROOT,
                "{\"summary\":\"%s\",\"spec\":\"%s\",\"images\":%d,\"bpp_est\":%.5f,\"psnr\":%.4f,\"bpp_real\":%.5f,\"psnr_real\":%.4f}",
                weights, spec, k, sumEst / k, sumPsnr / k, code ? sumReal / k : Double.NaN, code ? sumRealPsnr / k : Double.NaN));
    }

    /** PSNR of 8-bit-rounded images, as the baselines measure decoded files. */
    static double psnr(RgbImage a, RgbImage b) {
        int[] x = a.to8Bit();
        int[] y = b.to8Bit();
        double se = 0;
        for (int i = 0; i < x.length; i++) {
            double d = x[i] - y[i];
            se += d * d;
        }
        return 10 * Math.log10(255.0 * 255.0 / (se / x.length));
    }
}
