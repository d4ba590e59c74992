package dev.tinify;

import ai.djl.engine.Engine;
import dev.tinify.dsl.Metric;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.coding.EntropyCoder;
import dev.tinify.runtime.coding.EntropyCoders;
import dev.tinify.runtime.container.TinifyFormatException;
import dev.tinify.runtime.entropy.EntropyModel;
import dev.tinify.runtime.entropy.EntropyModels;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.model.MemoryBudget;
import dev.tinify.runtime.video.ClipCoder;
import dev.tinify.runtime.video.VideoModel;
import dev.tinify.runtime.video.files.ColorSpace;
import dev.tinify.runtime.video.files.FrameReader;
import dev.tinify.runtime.video.files.FrameWriter;
import dev.tinify.runtime.video.files.VideoFormat;
import dev.tinify.runtime.video.stream.FrameRecord;
import dev.tinify.runtime.video.stream.VideoFileReader;
import dev.tinify.runtime.video.stream.VideoFileWriter;
import dev.tinify.runtime.video.stream.VideoHeader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Video compression with ScaleSpaceFlow ({@code ssf2020}): a clip in (any {@link FrameReader}),
 * a {@code .tfy} video out, and back, one frame at a time: memory does not grow with the clip.
 * The file records the channel counts, the weights fingerprint, quality, metric and coder, so a
 * decoder rebuilds the same model and refuses other weights.
 *
 * <pre>{@code
 * try (VideoCodec codec = VideoCodec.open(3, Metric.MSE, Map.of(), weights, "ans");
 *      FrameReader clip = Y4m.open(Path.of("clip.y4m"), ColorSpace.COMPRESSAI)) {
 *     codec.encode(clip, Path.of("clip.tfy"), 12, ColorSpace.COMPRESSAI, (i, record, source, recon) -> { });
 * }
 * }</pre>
 *
 * <p>Without weights the model keeps its initial parameters, drawn from a fixed seed so that an
 * encoder and a decoder built the same way agree; {@link #trained()} is then false.
 */
public final class VideoCodec implements AutoCloseable {
    /** The architecture name recorded in the file. */
    public static final String ARCHITECTURE = "ssf2020";

    /** Called once per coded or decoded frame (source is null when decoding). */
    @FunctionalInterface
    public interface FrameListener {
        void frame(long index, FrameRecord record, @Nullable RgbImage source, RgbImage reconstruction) throws IOException;
    }

    private final VideoModel model;
    private final int quality;
    private final Metric metric;
    private final String coderName;
    private final @Nullable Path weights;

    private VideoCodec(VideoModel model, int quality, Metric metric, String coderName, @Nullable Path weights) {
        this.model = model;
        this.quality = quality;
        this.metric = metric;
        this.coderName = coderName;
        this.weights = weights;
    }

    /**
     * Builds ScaleSpaceFlow from the bundled spec {@code ssf2020} (CompressAI's channel counts
     * unless {@code overrides} give {@code mid_planes} or {@code planes}) and loads {@code weights} (a state dict with
     * CompressAI's keys), or keeps the seeded initial parameters when it is null.
     */
    public static VideoCodec open(int quality, Metric metric, Map<String, ?> overrides, @Nullable Path weights, String coder) {
        if (quality < 0 || quality > 65535) {
            throw new TinifyException(ARCHITECTURE + ": quality " + quality + " is outside 0..65535");
        }
        for (String k : overrides.keySet()) {
            if (!k.equals("mid_planes") && !k.equals("planes")) {
                throw new TinifyException(ARCHITECTURE + ": unknown parameter '" + k + "' (expected mid_planes or planes, the sizes a video file records)");
            }
        }
        EntropyCoder c;
        try {
            c = EntropyCoders.get(coder);
        } catch (IllegalArgumentException e) {
            throw new TinifyException(e.getMessage(), e);
        }
        if (weights != null && !Files.isRegularFile(weights)) {
            throw new TinifyException(weights + ": no such weight file (expected a safetensors state dict)");
        }
        if (weights == null) {
            Engine.getInstance().setRandomSeed(Codec.UNTRAINED_SEED);
        }
        VideoModel model = Tinify.buildVideo(ARCHITECTURE, overrides);
        try {
            if (weights != null) {
                model.load(SafeTensors.read(weights));
            }
            model.update(false);
            for (EntropyModel e : EntropyModels.find(model)) {
                e.setEntropyCoder(c);
            }
            return new VideoCodec(model, quality, metric, coder, weights);
        } catch (IOException e) {
            model.close();
            throw new TinifyException(weights + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * Checks coding frames of {@code height x width} (padded) against the memory budget: the
     * largest activations are the transforms' half-resolution layers (mid planes, input and output
     * alive) and the scale-space volume with the warp's temporaries, about 40 floats a pixel;
     * three copies live while a layer runs.
     */
    private void checkFrameMemory(long height, long width) {
        long perPixel = Math.max(model.intParam("mid_planes") / 2 + 6, 40) * 3L * Float.BYTES;
        long pixels = height * width;
        MemoryBudget.check(describe() + " on " + width + "x" + height + " frames (padded)",
                pixels > Long.MAX_VALUE / perPixel ? Long.MAX_VALUE : pixels * perPixel, "its largest activations",
                "use smaller frames or a smaller model");
    }

    /** Whether weights were loaded (false: seeded initial parameters, not a useful reconstruction). */
    public boolean trained() {
        return weights != null;
    }

    /** A short description for messages, e.g. {@code ssf2020 q3 mse (128/192 channels)}. */
    public String describe() {
        return ARCHITECTURE + " q" + quality + " " + metric.id() + " (" + model.intParam("mid_planes") + "/" + model.intParam("planes")
                + " channels)";
    }

    /** The model, for callers that run it directly. */
    public VideoModel model() {
        return model;
    }

    /**
     * Encodes every frame of {@code clip} into {@code output} (written atomically) with a keyframe
     * every {@code gop} frames; {@code colorSpace} is recorded so a decoder writes Y4M as the source
     * was. Returns the header written.
     */
    public VideoHeader encode(FrameReader clip, Path output, int gop, ColorSpace colorSpace, FrameListener listener) throws IOException {
        VideoFormat f = clip.format();
        try (ClipCoder coder = new ClipCoder(model, f.height(), f.width(), gop)) {
            checkFrameMemory(coder.padding().paddedHeight(f.height()), coder.padding().paddedWidth(f.width()));
            VideoHeader header = new VideoHeader(ARCHITECTURE, model.intParam("mid_planes"), model.intParam("planes"),
                    StateDicts.fingerprint(model), quality, metric.id(), coderName, f.width(), f.height(), coder.padding(),
                    f.fpsNum(), f.fpsDen(), gop, f.chroma(), colorSpace);
            try (VideoFileWriter out = VideoFileWriter.create(output, header)) {
                RgbImage frame;
                while ((frame = clip.next()) != null) {
                    ClipCoder.Coded c = coder.encode(frame);
                    out.write(c.record());
                    listener.frame(c.record().index(), c.record(), frame, c.reconstruction());
                }
                if (coder.frames() == 0) {
                    throw new IOException("the clip has no frames");
                }
                out.finish();
            }
            return header;
        }
    }

    /**
     * Rebuilds the codec a video file needs (its channel counts, quality, metric and coder) with
     * {@code weights} (null: seeded initial parameters) and refuses other weights than the ones
     * that encoded it.
     */
    public static VideoCodec forFile(VideoHeader header, @Nullable Path weights) throws TinifyFormatException {
        if (!header.architecture().equals(ARCHITECTURE)) {
            throw new TinifyFormatException("the file was encoded with architecture '" + header.architecture()
                    + "'; this build decodes " + ARCHITECTURE + " videos");
        }
        Metric metric;
        try {
            metric = Metric.parse(header.metric());
            EntropyCoders.get(header.entropyCoder());
        } catch (IllegalArgumentException e) {
            throw new UndecodableFileException("the file cannot be decoded by this build: " + e.getMessage());
        }
        VideoCodec codec = open(header.quality(), metric, Map.of("mid_planes", header.midPlanes(), "planes", header.planes()), weights,
                header.entropyCoder());
        String fp = StateDicts.fingerprint(codec.model);
        if (!fp.equals(header.weightsFingerprint())) {
            codec.close();
            throw new TinifyFormatException("the file was encoded with weights " + header.weightsFingerprint() + ", the loaded weights are "
                    + fp + (weights == null ? " (untrained); pass --weights with the file that encoded it" : " (" + weights + ")"));
        }
        return codec;
    }

    /** Decodes every frame of {@code in} into {@code out}, then publishes {@code out}. */
    public void decode(VideoFileReader in, FrameWriter out, FrameListener listener) throws IOException {
        VideoHeader h = in.header();
        try (ClipCoder coder = new ClipCoder(model, h.height(), h.width(), h.gop())) {
            if (!coder.padding().equals(h.padding())) {
                throw new TinifyFormatException("the file records padding " + h.padding() + ", this decoder pads " + coder.padding());
            }
            checkFrameMemory(coder.padding().paddedHeight(h.height()), coder.padding().paddedWidth(h.width()));
            FrameRecord r;
            while ((r = in.next()) != null) {
                RgbImage frame = coder.decode(r);
                out.write(frame);
                listener.frame(r.index(), r, null, frame);
            }
            out.finish();
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
