package dev.tinify.check;

import dev.tinify.Tinify;
import dev.tinify.runtime.reference.ReferenceCase;
import java.util.List;
import java.util.Map;

/**
 * Which checks a reference case gets. Model cases whose architecture has a bundled spec get the
 * {@link ModelChecks}; unit cases get the check of the class they exercise once that class exists.
 * Anything else is reported as failed with the reason, so that the total shows what is missing.
 */
public final class CheckPlan {
    /** Unit cases by name, with the check of the class each exercises. */
    private static final Map<String, CaseCheck> UNIT = Map.of(
            "unit-rans", CodingChecks::rans,
            "unit-pmf-to-quantized-cdf", CodingChecks::pmfToQuantizedCdf,
            "unit-gdn", ModuleChecks::gdn,
            "unit-entropy-bottleneck", ModuleChecks::entropyBottleneck,
            "unit-entropy-bottleneck-default", ModuleChecks::entropyBottleneck,
            "unit-gaussian-conditional", ModuleChecks::gaussianConditional,
            "unit-gaussian-mixture-conditional", ModuleChecks::gaussianMixtureConditional,
            "unit-spectral-qrelu", ModuleChecks::spectralQrelu);

    private CheckPlan() {}

    /** The checks for {@code reference}; never empty. */
    public static List<CaseCheck> forCase(ReferenceCase reference) {
        return forCase(reference, CheckAgainst.RECORDED);
    }

    /** The checks for {@code reference}, a model case checked {@code against} the given spec and weights. */
    public static List<CaseCheck> forCase(ReferenceCase reference, CheckAgainst against) {
        String kind = reference.meta().path("kind").asText("");
        if (kind.equals("unit")) {
            CaseCheck unit = UNIT.get(reference.name());
            return unit != null ? List.of(unit) : List.of(notYetChecked("unit case '" + reference.name() + "' is not yet checked"));
        }
        if (kind.equals("video-model")) {
            return List.of(new VideoChecks(against));
        }
        String arch = ModelChecks.architecture(reference);
        if (against.spec() == null && !reference.meta().path("spec_yaml").isTextual() && !Tinify.specNames().contains(arch)) {
            return List.of(notYetChecked("architecture '" + arch + "' is not available yet (no spec "
                    + Tinify.SPEC_RESOURCE_DIR + arch + ".yaml" + ("image-model".equals(kind) || kind.isEmpty() ? "" : ", " + kind) + ")"));
        }
        return List.of(ModelChecks.standard(against));
    }

    private static CaseCheck notYetChecked(String reason) {
        return (reference, report) -> report.fail("case", reason);
    }
}
