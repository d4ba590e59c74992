package dev.tinify.cli;

import dev.tinify.Codec;
import dev.tinify.TargetSearch;
import dev.tinify.Tinify;
import dev.tinify.TinifyException;
import dev.tinify.dsl.Spec;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.image.Tiling;
import dev.tinify.runtime.refine.Refinement;
import dev.tinify.zoo.Weights;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The codecs a target search codes with ({@link TargetSearch}): one codec for a variable-rate
 * model, or one per zoo quality with weights for a fixed-rate model (every zoo quality when none
 * has weights and untrained ones are allowed), opened when first needed and kept for the next
 * image. Not shared between threads.
 */
final class TargetCoding implements AutoCloseable {
    private final ModelOptions model;
    private final @Nullable Path weights;
    private final Tiling tiling;
    private final Map<Integer, Codec> codecs = new TreeMap<>();
    private final List<Integer> qualities;
    private final boolean variableRate;

    /**
     * Opens the model's first quality to learn whether its rate is continuous.
     *
     * @throws TinifyException if a fixed-rate model has no zoo qualities to search (or only the one
     *     {@code --weights} file)
     */
    TargetCoding(ModelOptions model, @Nullable Path weights, Tiling tiling) {
        this.model = model;
        this.weights = weights;
        this.tiling = tiling;
        Spec spec = Tinify.spec(model.model);
        List<Integer> candidates = spec.zoo() == null ? List.of(0)
                : weights == null && !Weights.shippedQualities(spec, model.metric(), model.overrides()).isEmpty()
                        ? Weights.shippedQualities(spec, model.metric(), model.overrides())
                        : spec.zoo().qualities().keySet().stream().sorted().toList();
        variableRate = codec(candidates.get(0)).model().variableRate();
        qualities = variableRate ? List.of(candidates.get(0)) : candidates;
        if (!variableRate && (spec.zoo() == null || weights != null)) {
            close();
            throw new TinifyException(spec.zoo() == null
                    ? spec.name() + ": a target needs a variable-rate model or zoo qualities to choose from"
                    : spec.name() + " is a fixed-rate model: with --weights it has one quality, so a target chooses among its "
                            + "shipped zoo qualities only (drop --weights, or give -q)");
        }
    }

    /** Whether the search is over a continuous quality. */
    boolean variableRate() {
        return variableRate;
    }

    /** Searches {@code target} for {@code image}. */
    TargetSearch.Outcome search(RgbImage image, TargetSearch.Target target, Refinement refinement) {
        return variableRate ? TargetSearch.variableRate(codec(qualities.get(0)), image, target, refinement)
                : TargetSearch.levels(qualities, this::codec, image, target, refinement);
    }

    /** The codec of an outcome's chosen pass, to decode it. */
    Codec codecOf(TargetSearch.Outcome outcome) {
        return codec(variableRate ? qualities.get(0) : outcome.chosen().container().quality());
    }

    /** Whether the model has trained weights (else it was opened with --allow-untrained). */
    boolean trained() {
        return codec(qualities.get(0)).trained();
    }

    /** Describes the model, e.g. for the untrained-weights warning. */
    String describe() {
        return codec(qualities.get(0)).describe();
    }

    private Codec codec(int q) {
        return codecs.computeIfAbsent(q, k -> {
            Codec c = model.open(k, weights);
            c.useTiling(tiling);
            return c;
        });
    }

    /** E.g. {@code q=3.4172 (5 passes)} or {@code q=3 (2 passes)}. */
    static String describe(TargetSearch.Outcome o) {
        return "q=" + o.chosen().container().qualityLabel() + " (" + o.passes().size() + (o.passes().size() == 1 ? " pass" : " passes")
                + (o.met() ? "" : ", the nearest setting, outside the tolerance") + ")";
    }

    @Override
    public void close() {
        codecs.values().forEach(Codec::close);
        codecs.clear();
    }
}
