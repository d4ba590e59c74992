package dev.tinify.examples;

import static dev.tinify.dsl.SpecBuilder.seq;
import static dev.tinify.dsl.kinds.EntropyModels.entropyBottleneck;
import static dev.tinify.dsl.kinds.LatentCodecs.entropyBottleneckCodec;
import static dev.tinify.dsl.kinds.Layers.conv;
import static dev.tinify.dsl.kinds.Layers.deconv;
import static dev.tinify.dsl.kinds.Layers.gdn;
import static dev.tinify.dsl.kinds.Layers.igdn;
import static dev.tinify.examples.ChannelScaleKind.channelScale;

import dev.tinify.Tinify;
import dev.tinify.dsl.IntExpr;
import dev.tinify.dsl.Metric;
import dev.tinify.dsl.Spec;
import dev.tinify.dsl.SpecBuilder;
import dev.tinify.dsl.SpecReader;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.train.Trainer;
import dev.tinify.runtime.train.TrainingConfig;
import dev.tinify.runtime.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A layer kind of your own: {@code channel_scale} is declared in {@code ChannelScaleKind.kt},
 * implemented in {@link ChannelScale}, and registered in {@code META-INF/services}, with no change
 * to Tinify. This program reads a YAML spec that uses it, checks that the same architecture
 * written with the typed Java builders (the kind's own factory included) is the same spec, then
 * trains it a few steps on a folder of images (in a temporary folder, removed afterwards) and
 * prints the loss of each step.
 *
 * <pre>java dev.tinify.examples.CustomKindExample SPEC.yaml IMAGE_DIR</pre>
 */
public final class CustomKindExample {
    private CustomKindExample() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: CustomKindExample SPEC.yaml IMAGE_DIR");
            System.exit(2);
        }
        Spec spec = SpecReader.read(Path.of(args[0]));
        if (!spec.equals(inJava())) {
            throw new IllegalStateException("the Java declaration differs from " + args[0]);
        }
        Path out = Files.createTempDirectory("tinify-custom-kind");
        TrainingConfig config = TrainingConfig.builder(Path.of(args[1]), out, Metric.MSE, 0.0130, 3)
                .batch(2).patch(64).build();
        try (CompressionModel model = Tinify.build(spec); Trainer trainer = new Trainer(model, config)) {
            trainer.addListener(new TrainingListener() {
                @Override
                public void onStep(TrainingListener.Step s) {
                    System.out.printf(Locale.ROOT, "%s step %d: loss %.4f, %.3f bpp, PSNR %.2f dB%n",
                            model.name(), s.step(), s.loss(), s.bpp(), s.psnr());
                }
            });
            trainer.run();
        } finally {
            try (Stream<Path> files = Files.walk(out)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** The YAML spec, written with the typed builders. */
    static Spec inJava() {
        SpecBuilder b = Spec.builder("scaled-factorized")
                .description("Factorized prior whose transforms end in a learned per-channel scale.");
        IntExpr n = b.param("N", 16);
        IntExpr m = b.param("M", 24);
        b.module("g_a", seq(conv(3, n, 5, 2), gdn(n), conv(n, m, 5, 2), channelScale(m)));
        b.module("g_s", seq(channelScale(m, 0.5), deconv(m, n, 5, 2), igdn(n), deconv(n, 3, 5, 2)));
        return b.latentCodec(entropyBottleneckCodec(b.module("entropy_bottleneck", entropyBottleneck(m)))).build();
    }
}
