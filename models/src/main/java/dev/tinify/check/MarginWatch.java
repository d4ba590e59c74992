package dev.tinify.check;

import dev.tinify.runtime.entropy.DecisionMargins;
import dev.tinify.runtime.entropy.EntropyModel;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The decision margins of a model's entropy models over the phases of a case, keyed as
 * {@code case.json}'s {@code margins.values}: {@code <phase>:<entropy model path>:round_half_distance}
 * and {@code ...:scale_table_rel_distance} (see {@link DecisionMargins}). A margin is kept only where
 * something was measured.
 */
final class MarginWatch implements AutoCloseable {
    static final String ROUND_HALF = "round_half_distance";
    static final String SCALE_TABLE = "scale_table_rel_distance";

    private final Map<String, EntropyModel> models;
    private final Map<String, DecisionMargins> watching = new LinkedHashMap<>();
    private final Map<String, Double> values = new LinkedHashMap<>();
    private String phase = "";

    /** @param models entropy models by state-dict path ({@link ModelChecks#entropyModels}) */
    MarginWatch(Map<String, EntropyModel> models) {
        this.models = models;
    }

    /** Ends the current phase (keeping its margins) and measures {@code next} from now on. */
    void phase(String next) {
        collect();
        phase = next;
        models.forEach((path, model) -> watching.put(path, model.watchMargins()));
    }

    /** The margins measured so far, in phase order. */
    Map<String, Double> values() {
        collect();
        return new LinkedHashMap<>(values);
    }

    private void collect() {
        watching.forEach((path, m) -> {
            put(phase + ":" + path + ":" + ROUND_HALF, m.roundHalfDistance());
            put(phase + ":" + path + ":" + SCALE_TABLE, m.scaleTableDistance());
        });
        watching.clear();
    }

    private void put(String key, double v) {
        if (Double.isFinite(v)) {
            values.put(key, v);
        }
    }

    @Override
    public void close() {
        collect();
        models.values().forEach(EntropyModel::stopWatchingMargins);
    }
}
