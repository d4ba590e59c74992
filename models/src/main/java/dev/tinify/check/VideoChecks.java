package dev.tinify.check;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.reference.ReferenceCase;
import dev.tinify.runtime.video.ScaleSpaceFlow;
import dev.tinify.runtime.video.VideoModel;
import dev.tinify.Tinify;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks of a CompressAI ScaleSpaceFlow ({@code ssf2020}) case, frame by frame: state-dict keys,
 * the scale-space volume of the first reference, each inter frame's prediction from the stored
 * motion, the evaluation-mode forward of every frame (reconstruction, motion and prediction,
 * likelihoods) given the stored previous reconstruction, the bitstreams of a frame-by-frame
 * compress (byte for byte) and the decoding of CompressAI's own bitstreams.
 */
final class VideoChecks implements CaseCheck {

    private final CheckAgainst against;

    /** Checks built from {@code against}'s spec, or the bundled spec the case names. */
    VideoChecks(CheckAgainst against) {
        this.against = against;
    }

    /**
     * The parameters a case describes: its channel override and scale-space settings (CompressAI's
     * constructor defaults, then its kwargs), as spec parameters.
     */
    static Map<String, Object> params(ReferenceCase reference) {
        JsonNode meta = reference.meta();
        JsonNode override = meta.path("channel_override");
        JsonNode defaults = meta.path("constructor_defaults");
        JsonNode kwargs = reference.constructorKwargs();
        Map<String, Object> params = new LinkedHashMap<>();
        for (String k : List.of("mid_planes", "planes")) {
            if (override.path(k).isInt()) {
                params.put(k, override.path(k).asInt());
            }
        }
        for (String k : List.of("num_levels", "sigma0")) {
            JsonNode v = kwargs.has(k) ? kwargs.path(k) : defaults.path(k);
            if (v.isNumber()) {
                params.put(k, v.isIntegralNumber() ? (Object) v.asLong() : (Object) v.asDouble());
            }
        }
        return params;
    }

    @Override
    public void run(ReferenceCase reference, CaseReport report) throws Exception {
        int frames = reference.meta().path("input").path("num_frames").asInt(0);
        if (frames < 1) {
            report.fail("case", "case.json has no input.num_frames");
            return;
        }
        try (VideoModel video = Tinify.buildVideo(against.spec() != null ? against.spec() : ModelChecks.architecture(reference), params(reference));
                NDManager m = NDManager.newBaseManager()) {
            ScaleSpaceFlow model = video.codec();
            Set<String> ours = new TreeSet<>(video.stateDict().keySet());
            Set<String> theirs = new TreeSet<>(reference.stateDict().keySet());
            if (!ours.equals(theirs)) {
                Set<String> missing = new TreeSet<>(theirs);
                missing.removeAll(ours);
                Set<String> extra = new TreeSet<>(ours);
                extra.removeAll(theirs);
                report.fail("state_dict keys", "missing " + missing + ", unexpected " + extra);
                return;
            }
            video.load(reference.stateDict());
            report.pass("state_dict keys", ours.size() + " keys equal");
            Tensors t = new Tensors(reference, m);
            report.compare("forward.gaussian_volume.0",
                    model.volume().forward(t.get("forward.x_hat.0")).toFloatArray(),
                    t.floats("forward.gaussian_volume.0"), ModelChecks.TOLERANCE);
            forward(model, t, frames, report);
            compress(model, reference, t, frames, report);
            decompress(model, reference, m, frames, report);
        }
    }

    private static void forward(ScaleSpaceFlow model, Tensors t, int frames, CaseReport report) {
        ScaleSpaceFlow.FrameOutput key = model.forwardKeyframe(t.get("x.0"));
        report.compare("forward.x_hat.0", key.xHat().toFloatArray(), t.floats("forward.x_hat.0"), ModelChecks.TOLERANCE);
        for (String k : List.of("keyframe.y", "keyframe.z")) {
            report.compare("forward.likelihoods.0." + k, key.likelihoods().get(k).toFloatArray(),
                    t.floats("forward.likelihoods.0." + k), ModelChecks.TOLERANCE);
        }
        for (int f = 1; f < frames; f++) {
            String p = "forward.prediction." + (f - 1) + ".";
            report.compare(p + "x_pred (stored motion)",
                    model.predict(t.get(p + "x_ref"), t.get(p + "motion_info")).toFloatArray(), t.floats(p + "x_pred"), ModelChecks.TOLERANCE);
            ScaleSpaceFlow.InterOutput out = model.forwardInter(t.get("x." + f), t.get("forward.x_hat." + (f - 1)));
            report.compare(p + "motion_info", out.prediction().motionInfo().toFloatArray(), t.floats(p + "motion_info"), ModelChecks.TOLERANCE);
            report.compare(p + "x_pred", out.prediction().xPred().toFloatArray(), t.floats(p + "x_pred"), ModelChecks.TOLERANCE);
            report.compare("forward.x_hat." + f, out.frame().xHat().toFloatArray(), t.floats("forward.x_hat." + f), ModelChecks.TOLERANCE);
            for (String k : List.of("motion.y", "motion.z", "residual.y", "residual.z")) {
                report.compare("forward.likelihoods." + f + "." + k, out.frame().likelihoods().get(k).toFloatArray(),
                        t.floats("forward.likelihoods." + f + "." + k), ModelChecks.TOLERANCE);
            }
        }
    }

    private static void compress(ScaleSpaceFlow model, ReferenceCase reference, Tensors t, int frames, CaseReport report) {
        JsonNode perFrame = reference.meta().path("compress").path("per_frame");
        NDArray ref = null;
        for (int f = 0; f < frames; f++) {
            NDArray x = t.get("x." + f);
            ScaleSpaceFlow.Encoded e = ref == null ? model.encodeKeyframe(x) : model.encodeInter(x, ref);
            JsonNode strings = perFrame.path(f).path("strings");
            if (f == 0) {
                compareStrings("compress " + f + " keyframe", strings, e.parts().get("keyframe"), report);
            } else {
                for (String part : List.of("motion", "residual")) {
                    compareStrings("compress " + f + " " + part, strings.path(part), e.parts().get(part), report);
                }
            }
            ref = e.xHat();
        }
    }

    private static void compareStrings(String what, JsonNode expected, ScaleSpaceFlow.Coded ours, CaseReport report) {
        List<List<byte[]>> theirs = ReferenceCase.decodeStrings(expected);
        if (theirs.size() != ours.strings().size()) {
            report.fail(what, ours.strings().size() + " streams, reference has " + theirs.size());
            return;
        }
        String[] names = {"y", "z"};
        for (int i = 0; i < theirs.size(); i++) {
            report.compareBytes(what + " " + names[Math.min(i, 1)], ours.strings().get(i).get(0), theirs.get(i).get(0));
        }
    }

    private static void decompress(ScaleSpaceFlow model, ReferenceCase reference, NDManager m, int frames, CaseReport report) {
        JsonNode perFrame = reference.meta().path("compress").path("per_frame");
        Tensors t = new Tensors(reference, m);
        NDArray ref = model.decodeKeyframe(m, coded(perFrame.path(0).path("strings"), perFrame.path(0).path("shape")));
        report.compare("decompress.x_hat.0", ref.toFloatArray(), t.floats("decompress.x_hat.0"), ModelChecks.TOLERANCE);
        for (int f = 1; f < frames; f++) {
            JsonNode s = perFrame.path(f).path("strings");
            JsonNode shape = perFrame.path(f).path("shape");
            ref = model.decodeInter(ref, coded(s.path("motion"), shape.path("motion")), coded(s.path("residual"), shape.path("residual")));
            report.compare("decompress.x_hat." + f, ref.toFloatArray(), t.floats("decompress.x_hat." + f), ModelChecks.TOLERANCE);
        }
    }

    private static ScaleSpaceFlow.Coded coded(JsonNode strings, JsonNode shape) {
        List<Integer> size = new ArrayList<>();
        shape.forEach(n -> size.add(n.asInt()));
        return new ScaleSpaceFlow.Coded(ReferenceCase.decodeStrings(strings), size);
    }

    /** The case's tensors as arrays and float arrays. */
    private record Tensors(ReferenceCase reference, NDManager manager) {
        NDArray get(String name) {
            return StateDicts.toArray(manager, reference.tensor(name));
        }

        float[] floats(String name) {
            return reference.tensor(name).toFloats();
        }
    }
}
