package dev.tinify.runtime.video;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.codecs.CodecModule;
import dev.tinify.runtime.codecs.LatentCodec;
import dev.tinify.runtime.codecs.Parts;
import dev.tinify.runtime.nn.ForwardScope;
import dev.tinify.runtime.nn.Layer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The {@code scale_space_flow} frame codec: scale-space flow video compression (Agustsson et al.,
 * CVPR 2020), as CompressAI's {@code ScaleSpaceFlow} ({@code ssf2020}), built from a spec's parts
 * (keys {@code img_encoder.*}, {@code motion_hyperprior.*}, ...):
 *
 * <pre>
 *  keyframe:  x ─ img_encoder ─ img_hyperprior ─ img_decoder ─► x̂
 *  inter:     [x, x_ref] ─ motion_encoder ─ motion_hyperprior ─ ŷ_m ─ motion_decoder ─ (flow, scale)
 *             x_pred = warp(gaussian_volume(x_ref), flow, scale)
 *             x - x_pred ─ res_encoder ─ res_hyperprior ─ ŷ_r
 *             x̂ = x_pred + res_decoder([ŷ_r, ŷ_m])
 * </pre>
 *
 * As a latent codec it codes a frame given the previous reconstruction as {@code ctx} (null: a
 * keyframe). Each frame is coded given the previous reconstruction, which encoder and decoder hold
 * alike, so a clip is coded one frame at a time ({@link #encodeKeyframe}, {@link #encodeInter},
 * {@link #decodeKeyframe}, {@link #decodeInter}); nothing grows with the clip. Frames are
 * [N, 3, H, W] with H and W multiples of the spec's downsampling factor (128 for ssf2020). Every
 * call runs in a {@link ForwardScope} and leaves its results in the manager of its input.
 */
public final class ScaleSpaceFlow extends CodecModule {
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

    private final Layer imgEncoder;
    private final Layer imgDecoder;
    private final LatentCodec imgHyperprior;
    private final Layer resEncoder;
    private final Layer resDecoder;
    private final LatentCodec resHyperprior;
    private final Layer motionEncoder;
    private final Layer motionDecoder;
    private final LatentCodec motionHyperprior;
    private final GaussianVolume volume;
    private final VolumeWarp warp;

    /** The three codecs (each a transform pair and a hyperprior), the scale-space volume and the warp, registered as {@code parts} says. */
    public ScaleSpaceFlow(Layer imgEncoder, Layer imgDecoder, LatentCodec imgHyperprior, Layer resEncoder, Layer resDecoder,
                          LatentCodec resHyperprior, Layer motionEncoder, Layer motionDecoder, LatentCodec motionHyperprior,
                          GaussianVolume volume, VolumeWarp warp, Parts parts) {
        super(parts);
        this.imgEncoder = part("img_encoder", imgEncoder);
        this.imgDecoder = part("img_decoder", imgDecoder);
        this.imgHyperprior = part("img_hyperprior", imgHyperprior);
        this.resEncoder = part("res_encoder", resEncoder);
        this.resDecoder = part("res_decoder", resDecoder);
        this.resHyperprior = part("res_hyperprior", resHyperprior);
        this.motionEncoder = part("motion_encoder", motionEncoder);
        this.motionDecoder = part("motion_decoder", motionDecoder);
        this.motionHyperprior = part("motion_hyperprior", motionHyperprior);
        this.volume = part("gaussian_volume", volume);
        this.warp = part("warp", warp);
    }

    /** The scale-space volume of the reference frames. */
    public GaussianVolume volume() {
        return volume;
    }

    /** Training forward of the first frame (noise / straight-through quantization in training mode). */
    public FrameOutput forwardKeyframe(NDArray x) {
        requireFrame(x, 3);
        try (ForwardScope s = ForwardScope.open(x.getManager(), this)) {
            s.input(x);
            LatentCodec.ForwardOut out = imgHyperprior.forward(imgEncoder.forward(x), null);
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
            LatentCodec.ForwardOut motion = motionHyperprior.forward(motionEncoder.forward(NDArrays.concat(new NDList(x, xRef), 1)), null);
            NDArray motionInfo = motionDecoder.forward(motion.yHat());
            NDArray xPred = predict(xRef, motionInfo);
            LatentCodec.ForwardOut res = resHyperprior.forward(resEncoder.forward(x.sub(xPred)), null);
            NDArray xHat = xPred.add(resDecoder.forward(NDArrays.concat(new NDList(res.yHat(), motion.yHat()), 1)));
            Map<String, NDArray> likelihoods = keep(s, "motion.", motion.likelihoods(), new LinkedHashMap<>());
            keep(s, "residual.", res.likelihoods(), likelihoods);
            return new InterOutput(new FrameOutput(s.keep(xHat), Collections.unmodifiableMap(likelihoods)),
                    new Prediction(s.keep(motionInfo), s.keep(xPred)));
        }
    }

    /** A frame's forward pass given the previous reconstruction {@code ctx} (null: a keyframe); the latent out is x̂. */
    @Override
    public ForwardOut forward(NDArray x, @Nullable NDArray ctx) {
        FrameOutput f = ctx == null ? forwardKeyframe(x) : forwardInter(x, ctx).frame();
        return new ForwardOut(f.likelihoods(), f.xHat());
    }

    /**
     * Codes a frame given the previous reconstruction {@code ctx} (null: a keyframe): streams
     * {@code [y, z]} and shape {@code [h_z, w_z]} for a keyframe, streams {@code [y, z]} of the
     * motion then of the residual and shape {@code {motion: .., residual: ..}} for an inter frame,
     * as CompressAI's {@code compress}; the latent out is x̂.
     */
    @Override
    public CompressOut compress(NDArray x, @Nullable NDArray ctx) {
        Encoded e = ctx == null ? encodeKeyframe(x) : encodeInter(x, ctx);
        List<List<byte[]>> strings = new ArrayList<>();
        Map<String, Object> shapes = new LinkedHashMap<>();
        e.parts().forEach((name, coded) -> {
            strings.addAll(coded.strings());
            shapes.put(name, coded.shape());
        });
        return new CompressOut(strings, ctx == null ? shapes.get("keyframe") : shapes, e.xHat());
    }

    /** Decodes what {@link #compress} gave, given the previous decoded frame {@code ctx} (null: a keyframe). */
    @Override
    public NDArray decompress(NDManager manager, List<List<byte[]>> strings, Object shape, @Nullable NDArray ctx) {
        if (ctx == null) {
            return decodeKeyframe(manager, new Coded(strings, sizeOf(shape, "keyframe")));
        }
        if (strings.size() != 4 || !(shape instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("an inter frame has 4 streams (motion y, z, residual y, z) and a shape {motion, residual}, got "
                    + strings.size() + " streams and " + shape);
        }
        return decodeInter(ctx, new Coded(strings.subList(0, 2), sizeOf(entry(m, "motion", "inter frame"), "motion")),
                new Coded(strings.subList(2, 4), sizeOf(entry(m, "residual", "inter frame"), "residual")));
    }

    /**
     * Training forward of a clip, as CompressAI's {@code forward(frames)}: the first frame is a
     * keyframe, each later one is predicted from the previous reconstruction. The keyframe's
     * reconstruction is cut from the graph before it serves as reference (as the paper does).
     */
    public List<ForwardOut> forward(List<NDArray> frames) {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("ScaleSpaceFlow.forward needs at least one frame");
        }
        List<ForwardOut> out = new ArrayList<>();
        ForwardOut key = forward(frames.get(0), null);
        out.add(key);
        NDArray ref = key.yHat().stopGradient();
        for (int i = 1; i < frames.size(); i++) {
            ForwardOut f = forward(frames.get(i), ref);
            out.add(f);
            ref = f.yHat();
        }
        return out;
    }

    /**
     * The motion-compensated prediction: the scale-space volume of {@code xRef} warped by the
     * flow (channels 0-1 of {@code motionInfo}) and the scale field (channel 2).
     */
    public NDArray predict(NDArray xRef, NDArray motionInfo) {
        requireFrame(motionInfo, 3);
        return warp.apply(volume.forward(xRef), motionInfo);
    }

    /** Codes a keyframe; its reconstruction is the reference of the next frame. */
    public Encoded encodeKeyframe(NDArray x) {
        requireFrame(x, 3);
        try (ForwardScope s = ForwardScope.open(x.getManager(), this)) {
            s.input(x);
            LatentCodec.CompressOut out = imgHyperprior.compress(imgEncoder.forward(x), null);
            NDArray xHat = imgDecoder.forward(out.yHat());
            return new Encoded(s.keep(xHat), Map.of("keyframe", coded(out)));
        }
    }

    /** Codes an inter frame given the previous reconstruction; parts {@code motion} and {@code residual}. */
    public Encoded encodeInter(NDArray x, NDArray xRef) {
        requireFrame(x, 3);
        requireSameShape(x, xRef);
        try (ForwardScope s = ForwardScope.open(x.getManager(), this)) {
            s.input(x, xRef);
            LatentCodec.CompressOut motion = motionHyperprior.compress(motionEncoder.forward(NDArrays.concat(new NDList(x, xRef), 1)), null);
            NDArray xPred = predict(xRef, motionDecoder.forward(motion.yHat()));
            LatentCodec.CompressOut res = resHyperprior.compress(resEncoder.forward(x.sub(xPred)), null);
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
            NDArray yHat = imgHyperprior.decompress(s.manager(), keyframe.strings(), keyframe.shape(), null);
            return s.keep(imgDecoder.forward(yHat));
        }
    }

    /** Decodes an inter frame given the previous decoded frame {@code xRef} (not clamped). */
    public NDArray decodeInter(NDArray xRef, Coded motion, Coded residual) {
        requireFrame(xRef, 3);
        try (ForwardScope s = ForwardScope.open(xRef.getManager(), this)) {
            s.input(xRef);
            NDArray yMotion = motionHyperprior.decompress(s.manager(), motion.strings(), motion.shape(), null);
            NDArray xPred = predict(xRef, motionDecoder.forward(yMotion));
            NDArray yRes = resHyperprior.decompress(s.manager(), residual.strings(), residual.shape(), null);
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

    private static void requireSameShape(NDArray x, NDArray ref) {
        if (!x.getShape().equals(ref.getShape())) {
            throw new IllegalArgumentException("frame " + x.getShape() + " and reference " + ref.getShape() + " differ in shape");
        }
    }
}
