package dev.tinify.runtime.video.stream;

import java.util.List;

/**
 * One coded frame: its index in the clip, whether it is a keyframe, and its parts in order (a
 * keyframe has {@code keyframe}; an inter frame {@code motion} then {@code residual}), each with
 * its streams {@code [y, z]} and hyper-latent size {@code [h_z, w_z]}.
 */
public record FrameRecord(long index, boolean keyframe, List<Part> parts) {
    /** Part names, in file order. */
    public static final List<String> KEY_PARTS = List.of("keyframe");
    public static final List<String> INTER_PARTS = List.of("motion", "residual");

    /** One hyperprior's code. */
    public record Part(String name, List<byte[]> streams, int zHeight, int zWidth) {
        public Part {
            streams = List.copyOf(streams);
        }
    }

    public FrameRecord {
        parts = List.copyOf(parts);
        List<String> expected = keyframe ? KEY_PARTS : INTER_PARTS;
        if (parts.size() != expected.size()) {
            throw new IllegalArgumentException((keyframe ? "a keyframe" : "an inter frame") + " has parts " + expected);
        }
        for (int i = 0; i < parts.size(); i++) {
            if (!parts.get(i).name().equals(expected.get(i))) {
                throw new IllegalArgumentException("part " + i + " must be " + expected.get(i) + ", got " + parts.get(i).name());
            }
        }
    }

    /** Entropy-coded bytes of the frame (the strings, without framing). */
    public long codedBytes() {
        long n = 0;
        for (Part p : parts) {
            for (byte[] s : p.streams()) {
                n += s.length;
            }
        }
        return n;
    }
}
