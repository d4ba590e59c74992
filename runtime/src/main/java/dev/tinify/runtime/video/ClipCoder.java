package dev.tinify.runtime.video;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.coding.CorruptStreamException;
import dev.tinify.runtime.container.TinifyFormatException;
import dev.tinify.runtime.image.Padding;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.video.stream.FrameRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Codes a clip one frame at a time with a {@link VideoModel}'s frame codec, holding only the
 * previous reconstruction: every {@code gop}-th frame is a keyframe, the others are predicted from
 * the previous reconstruction. Frames are padded with zeros to multiples of the model's
 * {@linkplain VideoModel#downsamplingFactor() downsampling factor} (centred, as CompressAI's video
 * evaluation does) and the
 * reference is the reconstruction clamped to [0, 1], on both sides (as CompressAI's evaluation
 * feeds it back), so a decoder rebuilds exactly the encoder's frames. Each frame's arrays live in a
 * sub-manager closed before the next frame, so memory stays flat over the clip.
 */
public final class ClipCoder implements AutoCloseable {
    private final VideoModel model;
    private final ScaleSpaceFlow codec;
    private final int gop;
    private final int height;
    private final int width;
    private final Padding padding;
    private NDManager refManager;
    private NDArray ref;
    private long frames;

    /** A coder for frames of {@code height x width} with a keyframe every {@code gop} frames. */
    public ClipCoder(VideoModel model, int height, int width, int gop) {
        if (gop < 1) {
            throw new IllegalArgumentException("keyframe interval " + gop + " must be at least 1");
        }
        RgbImage.checkSize(height, width);
        this.model = model;
        this.codec = model.codec();
        this.gop = gop;
        this.height = height;
        this.width = width;
        this.padding = Padding.forStride(height, width, model.downsamplingFactor());
    }

    /** The padding added around every frame. */
    public Padding padding() {
        return padding;
    }

    /** A coded frame and the reconstruction the decoder will produce (clamped, cropped). */
    public record Coded(FrameRecord record, RgbImage reconstruction) {}

    /** Codes the next frame. */
    public Coded encode(RgbImage frame) {
        if (frame.height() != height || frame.width() != width) {
            throw new IllegalArgumentException("frame " + frames + " is " + frame.height() + "x" + frame.width()
                    + ", the clip is " + height + "x" + width);
        }
        boolean key = frames % gop == 0;
        NDManager next = model.manager().newSubManager();
        try (NDManager work = model.manager().newSubManager()) {
            NDArray x = frame.pad(padding).toNDArray(work);
            ScaleSpaceFlow.Encoded e = key ? codec.encodeKeyframe(x) : codec.encodeInter(x, ref);
            List<FrameRecord.Part> parts = new ArrayList<>();
            for (Map.Entry<String, ScaleSpaceFlow.Coded> p : e.parts().entrySet()) {
                List<byte[]> streams = new ArrayList<>();
                for (List<byte[]> s : p.getValue().strings()) {
                    streams.add(s.get(0));
                }
                parts.add(new FrameRecord.Part(p.getKey(), streams, p.getValue().shape().get(0), p.getValue().shape().get(1)));
            }
            FrameRecord record = new FrameRecord(frames, key, parts);
            RgbImage recon = advance(e.xHat(), next);
            return new Coded(record, recon);
        } catch (RuntimeException e) {
            next.close();
            throw e;
        }
    }

    /** Decodes the next frame; a record out of order or that does not fit the model is a {@link TinifyFormatException}. */
    public RgbImage decode(FrameRecord record) throws TinifyFormatException {
        if (record.index() != frames || record.keyframe() != (frames % gop == 0)) {
            throw new TinifyFormatException("frame " + record.index() + " arrives as frame " + frames + " of the clip");
        }
        // The hyper-latent's size is the frame's, so a record claiming another is refused before anything is decoded.
        long zHeight = padding.paddedHeight(height) / model.downsamplingFactor();
        long zWidth = padding.paddedWidth(width) / model.downsamplingFactor();
        for (FrameRecord.Part p : record.parts()) {
            if (p.zHeight() != zHeight || p.zWidth() != zWidth) {
                throw new TinifyFormatException("frame " + record.index() + ": the " + p.name() + " hyper-latent is " + p.zHeight() + "x"
                        + p.zWidth() + ", a " + padding.paddedHeight(height) + "x" + padding.paddedWidth(width) + " frame has "
                        + zHeight + "x" + zWidth);
            }
        }
        NDManager next = model.manager().newSubManager();
        try (NDManager work = model.manager().newSubManager()) {
            NDArray xHat;
            if (record.keyframe()) {
                xHat = codec.decodeKeyframe(work, coded(record.parts().get(0)));
            } else {
                NDArray r = ref;
                xHat = codec.decodeInter(r, coded(record.parts().get(0)), coded(record.parts().get(1)));
            }
            long[] s = xHat.getShape().getShape();
            if (s[2] != padding.paddedHeight(height) || s[3] != padding.paddedWidth(width)) {
                throw new TinifyFormatException("frame " + record.index() + " decodes to " + s[2] + "x" + s[3]
                        + ", the clip is " + padding.paddedHeight(height) + "x" + padding.paddedWidth(width) + " padded");
            }
            return advance(xHat, next);
        } catch (CorruptStreamException e) {
            next.close();
            throw new TinifyFormatException("frame " + record.index() + ": corrupt bitstream: " + e.getMessage());
        } catch (IllegalArgumentException | ai.djl.engine.EngineException e) {
            // Streams that passed the record checks but do not fit the model.
            next.close();
            throw new TinifyFormatException("frame " + record.index() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            next.close();
            throw e;
        }
    }

    private static ScaleSpaceFlow.Coded coded(FrameRecord.Part p) {
        List<List<byte[]>> strings = new ArrayList<>();
        for (byte[] s : p.streams()) {
            strings.add(List.of(s));
        }
        return new ScaleSpaceFlow.Coded(strings, List.of(p.zHeight(), p.zWidth()));
    }

    /** Makes the clamped reconstruction the next reference (in {@code next}) and returns it cropped. */
    private RgbImage advance(NDArray xHat, NDManager next) {
        NDArray clamped = xHat.clip(0f, 1f);
        clamped.attach(next);
        NDManager old = refManager;
        refManager = next;
        ref = clamped;
        if (old != null) {
            old.close();
        }
        frames++;
        return RgbImage.fromNDArray(clamped).crop(padding);
    }

    /** Frames coded so far. */
    public long frames() {
        return frames;
    }

    @Override
    public void close() {
        if (refManager != null) {
            refManager.close();
        }
    }
}
