package dev.tinify.cli;

import dev.tinify.runtime.refine.Refinement;
import java.util.Locale;
import picocli.CommandLine.Option;

/** The options of encoder-side latent refinement (encode and eval). */
final class RefineOptions {
    @Option(names = "--refine", paramLabel = "STEPS", defaultValue = "0",
            description = "Refine the latent for the image before coding, for STEPS optimizer steps on its own rate-distortion "
                    + "loss (slower encode, smaller file; any decoder decodes it; default 0: off).")
    int steps;

    @Option(names = "--refine-method", paramLabel = "METHOD", defaultValue = "sga",
            description = "Rounding stand-in of --refine: sga (stochastic Gumbel annealing) or ste (straight-through); default ${DEFAULT-VALUE}.")
    String method = "sga";

    @Option(names = "--refine-lr", paramLabel = "LR", defaultValue = "" + Refinement.DEFAULT_LEARNING_RATE,
            description = "Adam's learning rate on the latent for --refine (default ${DEFAULT-VALUE}).")
    double learningRate = Refinement.DEFAULT_LEARNING_RATE;

    Refinement refinement() {
        try {
            return new Refinement(steps, Refinement.Method.parse(method), learningRate);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--refine: " + e.getMessage(), e);
        }
    }

    /** E.g. {@code 100 sga steps, lr 0.02}. */
    static String describe(Refinement r) {
        return String.format(Locale.ROOT, "%d %s steps, lr %s", r.steps(), r.method().id(), r.learningRate());
    }
}
