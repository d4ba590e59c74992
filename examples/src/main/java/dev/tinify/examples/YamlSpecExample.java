package dev.tinify.examples;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.Tinify;
import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.Padding;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.model.CompressionModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Builds an architecture from a YAML spec file and runs it on an image: pads the image to the
 * model's stride, runs the forward pass, and prints the latent shape, the estimated rate and the
 * reconstruction's PSNR. The weights are the spec's initial ones, so the numbers show the plumbing,
 * not a trained codec.
 *
 * <pre>java dev.tinify.examples.YamlSpecExample SPEC.yaml IMAGE.png</pre>
 */
public final class YamlSpecExample {
    private YamlSpecExample() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: YamlSpecExample SPEC.yaml IMAGE");
            System.exit(2);
        }
        RgbImage image = ImageFiles.read(Path.of(args[1]));
        // Parameters can be overridden at build time; here the spec's own values are kept except M.
        try (CompressionModel model = Tinify.build(Path.of(args[0]), Map.of("M", 32));
                NDManager manager = NDManager.newBaseManager()) {
            model.train(false);
            Padding padding = Padding.forStride(image.height(), image.width(), model.downsamplingFactor());
            NDArray x = image.pad(padding).toNDArray(manager);
            CompressionModel.ForwardResult out = model.forward(x);

            double bits = 0;
            for (NDArray likelihoods : out.likelihoods().values()) {
                bits -= likelihoods.log().sum().getFloat() / Math.log(2);
            }
            RgbImage decoded = RgbImage.fromNDArray(out.xHat().clip(0, 1)).crop(padding).rounded8Bit();
            System.out.printf(Locale.ROOT, "%s %s: %,d parameters, image %dx%d, y %s, %.3f bpp (estimated), PSNR %.2f dB%n",
                    model.name(), model.params(), model.parameterCount(), image.width(), image.height(),
                    out.y().getShape(), bits / ((double) image.height() * image.width()), psnr(image, decoded));
        }
    }

    private static double psnr(RgbImage a, RgbImage b) {
        float[] x = a.data();
        float[] y = b.data();
        double se = 0;
        for (int i = 0; i < x.length; i++) {
            double d = x[i] - y[i];
            se += d * d;
        }
        return 10 * Math.log10(1 / (se / x.length));
    }
}
