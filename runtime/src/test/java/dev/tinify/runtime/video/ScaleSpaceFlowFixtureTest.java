package dev.tinify.runtime.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tinify.runtime.codecs.LatentCodec;
import dev.tinify.runtime.layers.TestTensors;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ScaleSpaceFlow against CompressAI's ssf2020 fixture, step by step: the scale-space volume, the
 * warped prediction from the stored motion, each frame's forward pass, the bitstreams byte for
 * byte, and the decoding of CompressAI's own bitstreams.
 */
class ScaleSpaceFlowFixtureTest {
    private static final double TOL = 1e-4;
    private static ReferenceCase fixture;
    private static NDManager manager;
    private static VideoModel video;
    private static ScaleSpaceFlow model;

    @BeforeAll
    static void load() throws IOException {
        fixture = ReferenceCase.fixture("ssf2020");
        manager = NDManager.newBaseManager();
        JsonNode o = fixture.meta().path("channel_override");
        JsonNode d = fixture.meta().path("constructor_defaults");
        video = SsfSpec.build(Map.of("mid_planes", o.path("mid_planes").asInt(), "planes", o.path("planes").asInt(),
                "num_levels", d.path("num_levels").asInt(), "sigma0", d.path("sigma0").asDouble()));
        video.load(fixture.stateDict());
        model = video.codec();
    }

    @AfterAll
    static void close() {
        video.close();
        manager.close();
    }

    private static NDArray t(String name) {
        return TestTensors.array(manager, fixture.tensor(name));
    }

    private static void near(String what, NDArray actual, String expected, double tol) {
        float[] exp = fixture.tensor(expected).toFloats();
        double err = TestTensors.maxAbsDiff(actual.toFloatArray(), exp);
        System.out.printf("ssf2020 %s: max|err| %.3g (max|value| %.3g)%n", what, err, TestTensors.maxAbs(exp));
        assertTrue(err <= tol, what + " differs from " + expected + " by " + err);
    }

    @Test
    void keysAreCompressAis() throws IOException {
        assertEquals(TestTensors.keyShapes(fixture.stateDict(), ""), TestTensors.keyShapes(video));
    }

    @Test
    void scaleSpaceVolume() {
        try (NDManager m = manager.newSubManager()) {
            NDArray volume = ScaleSpace.volume(t("forward.x_hat.0"), 1.5, 5);
            assertArrayEquals(new long[] {1, 3, 6, 128, 128}, volume.getShape().getShape());
            near("gaussian volume", volume, "forward.gaussian_volume.0", 1e-5);
        }
    }

    @Test
    void predictionFromStoredMotion() {
        for (int j = 0; j < 2; j++) {
            NDArray xPred = model.predict(t("forward.prediction." + j + ".x_ref"), t("forward.prediction." + j + ".motion_info"));
            near("x_pred " + j, xPred, "forward.prediction." + j + ".x_pred", 1e-5);
        }
    }

    @Test
    void forwardPerFrame() {
        ScaleSpaceFlow.FrameOutput key = model.forwardKeyframe(t("x.0"));
        near("x_hat 0", key.xHat(), "forward.x_hat.0", TOL);
        for (String k : List.of("y", "z")) {
            near("likelihoods 0 keyframe." + k, key.likelihoods().get("keyframe." + k), "forward.likelihoods.0.keyframe." + k, TOL);
        }
        for (int f = 1; f < 3; f++) {
            ScaleSpaceFlow.InterOutput out = model.forwardInter(t("x." + f), t("forward.x_hat." + (f - 1)));
            near("motion_info " + f, out.prediction().motionInfo(), "forward.prediction." + (f - 1) + ".motion_info", TOL);
            near("x_pred " + f, out.prediction().xPred(), "forward.prediction." + (f - 1) + ".x_pred", TOL);
            near("x_hat " + f, out.frame().xHat(), "forward.x_hat." + f, TOL);
            for (String part : List.of("motion", "residual")) {
                for (String k : List.of("y", "z")) {
                    String name = part + "." + k;
                    near("likelihoods " + f + " " + name, out.frame().likelihoods().get(name), "forward.likelihoods." + f + "." + name, TOL);
                }
            }
        }
    }

    @Test
    void compressesByteForByte() {
        JsonNode frames = fixture.meta().path("compress").path("per_frame");
        NDArray ref = null;
        NDArray codecRef = null;
        for (int f = 0; f < 3; f++) {
            NDArray x = t("x." + f);
            ScaleSpaceFlow.Encoded e = f == 0 ? model.encodeKeyframe(x) : model.encodeInter(x, ref);
            JsonNode strings = frames.get(f).path("strings");
            if (f == 0) {
                assertCoded("frame 0", strings, e.parts().get("keyframe"));
            } else {
                assertCoded("frame " + f + " motion", strings.path("motion"), e.parts().get("motion"));
                assertCoded("frame " + f + " residual", strings.path("residual"), e.parts().get("residual"));
            }
            // The latent-codec form (the frame given the reference as ctx) gives the same streams, in CompressAI's order.
            LatentCodec.CompressOut c = model.compress(x, codecRef);
            List<byte[]> flat = new ArrayList<>();
            e.parts().values().forEach(p -> p.strings().forEach(st -> flat.add(st.get(0))));
            assertEquals(flat.size(), c.strings().size());
            for (int i = 0; i < flat.size(); i++) {
                assertArrayEquals(flat.get(i), c.strings().get(i).get(0), "frame " + f + " stream " + i);
            }
            assertEquals(f == 0 ? List.of(1, 1) : Map.of("motion", List.of(1, 1), "residual", List.of(1, 1)), c.shape());
            ref = e.xHat();
            codecRef = c.yHat();
        }
    }

    private static void assertCoded(String what, JsonNode expected, ScaleSpaceFlow.Coded actual) {
        List<List<byte[]>> exp = ReferenceCase.decodeStrings(expected);
        assertEquals(exp.size(), actual.strings().size(), what + ": stream count");
        for (int i = 0; i < exp.size(); i++) {
            assertArrayEquals(exp.get(i).get(0), actual.strings().get(i).get(0), what + ": stream " + i);
        }
        assertEquals(List.of(1, 1), actual.shape(), what + ": shape");
    }

    @Test
    void decodesCompressAisStringsAsALatentCodec() {
        JsonNode frames = fixture.meta().path("compress").path("per_frame");
        NDArray ref = null;
        for (int f = 0; f < 3; f++) {
            JsonNode s = frames.get(f).path("strings");
            JsonNode shape = frames.get(f).path("shape");
            List<List<byte[]>> strings = new ArrayList<>();
            Object size;
            if (f == 0) {
                strings.addAll(ReferenceCase.decodeStrings(s));
                size = coded(s, shape).shape();
            } else {
                strings.addAll(ReferenceCase.decodeStrings(s.path("motion")));
                strings.addAll(ReferenceCase.decodeStrings(s.path("residual")));
                size = Map.of("motion", coded(s, shape.path("motion")).shape(), "residual", coded(s, shape.path("residual")).shape());
            }
            ref = model.decompress(manager, strings, size, ref);
            near("latent codec decompress x_hat " + f, ref, "decompress.x_hat." + f, TOL);
        }
    }

    @Test
    void decodesCompressAisStrings() {
        JsonNode frames = fixture.meta().path("compress").path("per_frame");
        NDArray ref = model.decodeKeyframe(manager, coded(frames.get(0).path("strings"), frames.get(0).path("shape")));
        near("decompress x_hat 0", ref, "decompress.x_hat.0", TOL);
        for (int f = 1; f < 3; f++) {
            JsonNode s = frames.get(f).path("strings");
            JsonNode shape = frames.get(f).path("shape");
            ref = model.decodeInter(ref, coded(s.path("motion"), shape.path("motion")), coded(s.path("residual"), shape.path("residual")));
            near("decompress x_hat " + f, ref, "decompress.x_hat." + f, TOL);
        }
    }

    private static ScaleSpaceFlow.Coded coded(JsonNode strings, JsonNode shape) {
        List<Integer> size = new ArrayList<>();
        shape.forEach(n -> size.add(n.asInt()));
        return new ScaleSpaceFlow.Coded(ReferenceCase.decodeStrings(strings), size);
    }
}
