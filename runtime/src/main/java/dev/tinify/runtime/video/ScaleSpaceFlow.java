package dev.tinify.runtime.video;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.codecs.LatentCodec;
import dev.tinify.runtime.entropy.EntropyModels;
import dev.tinify.runtime.layers.Activation;
import dev.tinify.runtime.layers.Conv2d;
import dev.tinify.runtime.layers.ConvTranspose2d;
import dev.tinify.runtime.layers.LayerModule;
import dev.tinify.runtime.layers.Sequential;
import dev.tinify.runtime.nn.ForwardScope;
import dev.tinify.runtime.nn.Module;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scale-space flow video compression (Agustsson et al., CVPR 2020), as CompressAI's
 * {@code ScaleSpaceFlow} ({@code ssf2020}), with its state-dict keys:
 *
 * <pre>
 *  keyframe:  x ─ img_encoder ─ img_hyperprior ─ img_decoder ─► x̂
 *  inter:     [x, x_ref] ─ motion_encoder ─ motion_hyperprior ─ ŷ_m ─ motion_decoder ─ (flow, scale)
 *             x_pred = warp(scale-space volume of x_ref, flow, scale)
 *             x - x_pred ─ res_encoder ─ res_hyperprior ─ ŷ_r
 *             x̂ = x_pred + res_decoder([ŷ_r, ŷ_m])
 * </pre>
 *
 * Each frame is coded given the previous reconstruction, which encoder and decoder hold alike, so
 * a clip is coded one frame at a time ({@link #encodeKeyframe}, {@link #encodeInter},
 * {@link #decodeKeyframe}, {@link #decodeInter}); nothing grows with the clip. Frames are
 * [N, 3, H, W] with H and W multiples of {@link #SIZE_MULTIPLE}. The model owns a manager holding
 * every parameter; every call runs in a {@link ForwardScope} and leaves its results in the
 * manager of its input.
 */
public final class ScaleSpaceFlow extends Module implements AutoCloseable {
    /** Frame sizes must be multiples of this: 16 for the transforms times 8 for the hyperpriors. */
    public static final int SIZE_MULTIPLE = 128;

    /** Channel counts and scale-space settings; CompressAI's defaults are {@link #DEFAULT}. */
    public record Config(int midPlanes, int planes, int numLevels, double sigma0, double scaleFieldShift) {
        /** CompressAI's {@code ScaleSpaceFlow()}: 128 and 192 channels, 5 levels, σ₀ = 1.5. */
        public static final Config DEFAULT = new Config(128, 192, 5, 1.5, 1.0);

        public Config {
            if (midPlanes <= 0 || planes <= 0 || numLevels < 1 || numLevels > 8 || !(sigma0 > 0)) {
                throw new IllegalArgumentException("ScaleSpaceFlow needs positive channels, 1..8 levels and sigma0 > 0, got "
                        + midPlanes + ", " + planes + ", " + numLevels + ", " + sigma0);
            }
        }
    }

    /** A frame's reconstruction (not clamped) and likelihoods ({@code keyframe.y}, {@code motion.z}, ...). */
    public record FrameOutput(NDArray xHat, Map<String, NDArray> likelihoods) {}

    /** The motion-compensated prediction of an inter frame: {@code motion_info} = [flow_x, flow_y, scale] and the warped reference. */
    public record Prediction(NDArray motionInfo, NDArray xPred) {}

    /** An inter frame's forward pass: the frame output and its prediction. */
    public record InterOutput(FrameOutput frame, Prediction prediction) {}

    /** A coded frame: its reconstruction (what the decoder will rebuild) and its streams by part. */
    public record Encoded(NDArray xHat, Map<String, Coded> parts) {}

    /** One hyperprior's code: streams {@code [y, z]} (one byte string per batch item each) and {@code [h_z, w_z]}. */
    public record Coded(List<List<byte[]>> strings, List<Integer> shape) {}

    private final Config config;
    private final NDManager manager;
    private final Sequential imgEncoder;
    private final Sequential imgDecoder;
    private final VideoHyperprior imgHyperprior;
    private final Sequential resEncoder;
    private final Sequential resDecoder;
    private final VideoHyperprior resHyperprior;
    private final Sequential motionEncoder;
    private final Sequential motionDecoder;
    private final VideoHyperprior motionHyperprior;

    /** A freshly initialized model in {@code manager}, which it owns from now on. Starts in evaluation mode. */
    public ScaleSpaceFlow(NDManager manager, Config config) {
        this.config = config;
        this.manager = manager;
        int mid = config.midPlanes();
        int planes = config.planes();
        imgEncoder = child("img_encoder", encoder(manager, 3, mid, planes));
        imgDecoder = child("img_decoder", decoder(manager, planes, mid, 3));
        imgHyperprior = child("img_hyperprior", new VideoHyperprior(manager, planes));
        resEncoder = child("res_encoder", encoder(manager, 3, mid, planes));
        resDecoder = child("res_decoder", decoder(manager, 2 * planes, mid, 3));
        resHyperprior = child("res_hyperprior", new VideoHyperprior(manager, planes));
        motionEncoder = child("motion_encoder", encoder(manager, 6, mid, planes));
        motionDecoder = child("motion_decoder", decoder(manager, planes, mid, 3));
        motionHyperprior = child("motion_hyperprior", new VideoHyperprior(manager, planes));
        train(false);
    }

    private static Sequential encoder(NDManager m, int in, int mid, int out) {
        return new Sequential(stack(m, new int[] {in, mid, mid, mid, out}, false));
    }

    private static Sequential decoder(NDManager m, int in, int mid, int out) {
        return new Sequential(stack(m, new int[] {in, mid, mid, mid, out}, true));
    }

    /** Four 5×5 stride-2 (de)convolutions through the given channel counts, ReLU between them. */
    private static List<LayerModule> stack(NDManager m, int[] channels, boolean transposed) {
        List<LayerModule> layers = new ArrayList<>();
        for (int i = 0; i + 1 < channels.length; i++) {
            if (i > 0) {
                layers.add(Activation.relu());
            }
            layers.add(transposed ? new ConvTranspose2d(m, channels[i], channels[i + 1], 5, 2)
                    : new Conv2d(m, channels[i], channels[i + 1], 5, 2));
        }
        return layers;
    }

    public Config config() {
        return config;
    }

    /** The manager owning every parameter and buffer. */
    public NDManager manager() {
        return manager;
    }

    /** Training forward of the first frame (noise / straight-through quantization in training mode). */
    public FrameOutput forwardKeyframe(NDArray x) {
        requireFrame(x, 3);
        try (ForwardScope s = ForwardScope.open(x.getManager(), this)) {
            s.input(x);
            LatentCodec.ForwardOut out = imgHyperprior.forward(imgEncoder.forward(x));
            NDArray xHat = imgDecoder.forward(out.yHat());
            return new FrameOutput(s.keep(xHat), keep(s, "keyframe.", out.likelihoods(), new LinkedHashMap<>()));
        }
    }

    /** Training forward of an inter frame given the previous reconstruction {@code xRef}. */
    public InterOutput forwardInter(NDArray x, NDArray xRef) {
        requireFrame(x, 3);
        requireSameShape(x, xRef);
        try (ForwardScope s = ForwardScope.open(x.getManager(), this)) {
            s.input(x, xRef);
            LatentCodec.ForwardOut motion = motionHyperprior.forward(motionEncoder.forward(NDArrays.concat(new NDList(x, xRef), 1)));
            NDArray motionInfo = motionDecoder.forward(motion.yHat());
            NDArray xPred = predict(xRef, motionInfo);
            LatentCodec.ForwardOut res = resHyperprior.forward(resEncoder.forward(x.sub(xPred)));
            NDArray xHat = xPred.add(resDecoder.forward(NDArrays.concat(new NDList(res.yHat(), motion.yHat()), 1)));
            Map<String, NDArray> likelihoods = keep(s, "motion.", motion.likelihoods(), new LinkedHashMap<>());
            keep(s, "residual.", res.likelihoods(), likelihoods);
            return new InterOutput(new FrameOutput(s.keep(xHat), Collections.unmodifiableMap(likelihoods)),
                    new Prediction(s.keep(motionInfo), s.keep(xPred)));
        }
    }

    /**
     * Training forward of a clip, as CompressAI's {@code forward(frames)}: the first frame is a
     * keyframe, each later one is predicted from the previous reconstruction. The keyframe's
     * reconstruction is cut from the graph before it serves as reference (as the paper does).
     */
    public List<FrameOutput> forward(List<NDArray> frames) {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("ScaleSpaceFlow.forward needs at least one frame");
        }
        List<FrameOutput> out = new ArrayList<>();
        FrameOutput key = forwardKeyframe(frames.get(0));
        out.add(key);
        NDArray ref = key.xHat().stopGradient();
        for (int i = 1; i < frames.size(); i++) {
            FrameOutput f = forwardInter(frames.get(i), ref).frame();
            out.add(f);
            ref = f.xHat();
        }
        return out;
    }

    /**
     * The motion-compensated prediction: the scale-space volume of {@code xRef} warped by the
     * flow (channels 0-1 of {@code motionInfo}) and the scale field (channel 2).
     */
    public NDArray predict(NDArray xRef, NDArray motionInfo) {
        requireFrame(motionInfo, 3);
        NDArray volume = ScaleSpace.volume(xRef, config.sigma0(), config.numLevels());
        NDList parts = motionInfo.split(new long[] {2}, 1);
        return VolumeWarp.warp(volume, parts.get(0), parts.get(1));
    }

    /** Codes a keyframe; its reconstruction is the reference of the next frame. */
    public Encoded encodeKeyframe(NDArray x) {
        requireCodable(x);
        try (ForwardScope s = ForwardScope.open(x.getManager(), this)) {
            s.input(x);
            LatentCodec.CompressOut out = imgHyperprior.compress(imgEncoder.forward(x));
            NDArray xHat = imgDecoder.forward(out.yHat());
            return new Encoded(s.keep(xHat), Map.of("keyframe", coded(out)));
        }
    }

    /** Codes an inter frame given the previous reconstruction; parts {@code motion} and {@code residual}. */
    public Encoded encodeInter(NDArray x, NDArray xRef) {
        requireCodable(x);
        requireSameShape(x, xRef);
        try (ForwardScope s = ForwardScope.open(x.getManager(), this)) {
            s.input(x, xRef);
            LatentCodec.CompressOut motion = motionHyperprior.compress(motionEncoder.forward(NDArrays.concat(new NDList(x, xRef), 1)));
            NDArray xPred = predict(xRef, motionDecoder.forward(motion.yHat()));
            LatentCodec.CompressOut res = resHyperprior.compress(resEncoder.forward(x.sub(xPred)));
            NDArray xHat = xPred.add(resDecoder.forward(NDArrays.concat(new NDList(res.yHat(), motion.yHat()), 1)));
            Map<String, Coded> parts = new LinkedHashMap<>();
            parts.put("motion", coded(motion));
            parts.put("residual", coded(res));
            return new Encoded(s.keep(xHat), Collections.unmodifiableMap(parts));
        }
    }

    /** Decodes a keyframe (not clamped, as CompressAI); arrays are created in {@code m}. */
    public NDArray decodeKeyframe(NDManager m, Coded keyframe) {
        try (ForwardScope s = ForwardScope.open(m, this)) {
            NDArray yHat = imgHyperprior.decompress(s.manager(), keyframe.strings(), keyframe.shape());
            return s.keep(imgDecoder.forward(yHat));
        }
    }

    /** Decodes an inter frame given the previous decoded frame {@code xRef} (not clamped). */
    public NDArray decodeInter(NDArray xRef, Coded motion, Coded residual) {
        requireFrame(xRef, 3);
        try (ForwardScope s = ForwardScope.open(xRef.getManager(), this)) {
            s.input(xRef);
            NDArray yMotion = motionHyperprior.decompress(s.manager(), motion.strings(), motion.shape());
            NDArray xPred = predict(xRef, motionDecoder.forward(yMotion));
            NDArray yRes = resHyperprior.decompress(s.manager(), residual.strings(), residual.shape());
            if (!yRes.getShape().equals(yMotion.getShape())) {
                throw new IllegalArgumentException("inter frame: residual latent " + yRes.getShape()
                        + " does not match the motion latent " + yMotion.getShape());
            }
            NDArray xHat = xPred.add(resDecoder.forward(NDArrays.concat(new NDList(yRes, yMotion), 1)));
            if (!xHat.getShape().equals(xRef.getShape())) {
                throw new IllegalArgumentException("inter frame decodes to " + xHat.getShape() + " but its reference is " + xRef.getShape());
            }
            return s.keep(xHat);
        }
    }

    /** Builds the CDF tables of the nine entropy models (kept unless {@code force}); true if any was updated. */
    public boolean update(boolean force) {
        return EntropyModels.updateAll(this, force, false);
    }

    /** Loads a full state dict with CompressAI's names; refuses missing, unexpected or misshapen entries. */
    public void load(Map<String, SafeTensors.Tensor> stateDict) {
        StateDicts.load(this, stateDict, "state dict for ssf2020");
    }

    private static Coded coded(LatentCodec.CompressOut out) {
        List<Integer> shape = new ArrayList<>();
        for (Object o : (List<?>) out.shape()) {
            shape.add(((Number) o).intValue());
        }
        return new Coded(out.strings(), List.copyOf(shape));
    }

    private static Map<String, NDArray> keep(ForwardScope s, String prefix, Map<String, NDArray> from, Map<String, NDArray> into) {
        from.forEach((k, v) -> into.put(prefix + k, s.keep(v)));
        return into;
    }

    private static void requireFrame(NDArray x, int channels) {
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(1) != channels) {
            throw new IllegalArgumentException("ScaleSpaceFlow expects [N, " + channels + ", H, W], got " + s);
        }
    }

    private static void requireCodable(NDArray x) {
        requireFrame(x, 3);
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        if (h % SIZE_MULTIPLE != 0 || w % SIZE_MULTIPLE != 0) {
            throw new IllegalArgumentException("ScaleSpaceFlow codes frames whose height and width are multiples of "
                    + SIZE_MULTIPLE + " (pad first), got " + h + "x" + w);
        }
    }

    private static void requireSameShape(NDArray x, NDArray ref) {
        if (!x.getShape().equals(ref.getShape())) {
            throw new IllegalArgumentException("frame " + x.getShape() + " and reference " + ref.getShape() + " differ in shape");
        }
    }

    /** Releases every parameter and buffer. */
    @Override
    public void close() {
        manager.close();
    }
}
