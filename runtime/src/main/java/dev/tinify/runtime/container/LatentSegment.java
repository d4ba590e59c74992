package dev.tinify.runtime.container;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The coded latents of one image or one tile: the latent codec's shape value and its strings.
 *
 * @param shape the latent codec's shape value: an Integer, or a List or Map (String keys) of those
 * @param strings the latent codec's strings, streams x batch
 */
public record LatentSegment(Object shape, List<List<byte[]>> strings) {
    static final int MAX_SHAPE_DEPTH = 8;
    static final int MAX_SHAPE_ENTRIES = 4096;
    static final int MAX_STREAMS = 64;
    static final int MAX_BATCH = 1024;

    /** Validates both values and makes deep, unmodifiable copies. */
    public LatentSegment {
        shape = copyShape(shape, 0);
        strings = copyStrings(strings);
    }

    /** Total bytes of all strings. */
    public long stringBytes() {
        long n = 0;
        for (List<byte[]> stream : strings) {
            for (byte[] s : stream) {
                n += s.length;
            }
        }
        return n;
    }

    private static Object copyShape(Object node, int depth) {
        Objects.requireNonNull(node, "latent shape value");
        if (depth > MAX_SHAPE_DEPTH) {
            throw new IllegalArgumentException("latent shape is nested deeper than " + MAX_SHAPE_DEPTH);
        }
        if (node instanceof Integer || node instanceof Short || node instanceof Byte || node instanceof Long) {
            return Math.toIntExact(((Number) node).longValue());
        }
        if (node instanceof List<?> list) {
            if (list.size() > MAX_SHAPE_ENTRIES) {
                throw new IllegalArgumentException("latent shape list has more than " + MAX_SHAPE_ENTRIES + " entries");
            }
            List<Object> out = new ArrayList<>(list.size());
            for (Object o : list) {
                out.add(copyShape(o, depth + 1));
            }
            return Collections.unmodifiableList(out);
        }
        if (node instanceof Map<?, ?> map) {
            if (map.size() > MAX_SHAPE_ENTRIES) {
                throw new IllegalArgumentException("latent shape map has more than " + MAX_SHAPE_ENTRIES + " entries");
            }
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new IllegalArgumentException("latent shape map keys must be strings, got " + e.getKey());
                }
                TfyContainer.checkText("latent shape key", key);
                out.put(key, copyShape(e.getValue(), depth + 1));
            }
            return Collections.unmodifiableMap(out);
        }
        throw new IllegalArgumentException("latent shape values must be Integer, List or Map, got " + node.getClass().getName());
    }

    private static List<List<byte[]>> copyStrings(List<List<byte[]>> strings) {
        Objects.requireNonNull(strings, "strings");
        if (strings.isEmpty() || strings.size() > MAX_STREAMS) {
            throw new IllegalArgumentException("strings need 1.." + MAX_STREAMS + " streams, got " + strings.size());
        }
        int batch = strings.get(0).size();
        if (batch < 1 || batch > MAX_BATCH) {
            throw new IllegalArgumentException("strings need a batch of 1.." + MAX_BATCH + ", got " + batch);
        }
        List<List<byte[]>> out = new ArrayList<>(strings.size());
        for (int i = 0; i < strings.size(); i++) {
            List<byte[]> stream = strings.get(i);
            if (stream.size() != batch) {
                throw new IllegalArgumentException("stream " + i + " has " + stream.size() + " strings, stream 0 has " + batch);
            }
            List<byte[]> copy = new ArrayList<>(batch);
            for (byte[] s : stream) {
                copy.add(s.clone());
            }
            out.add(Collections.unmodifiableList(copy));
        }
        return Collections.unmodifiableList(out);
    }

    /** Equal when the shapes are and every string has the same bytes. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof LatentSegment s) || !shape.equals(s.shape) || strings.size() != s.strings.size()) {
            return false;
        }
        for (int i = 0; i < strings.size(); i++) {
            List<byte[]> a = strings.get(i);
            List<byte[]> b = s.strings.get(i);
            if (a.size() != b.size()) {
                return false;
            }
            for (int j = 0; j < a.size(); j++) {
                if (!Arrays.equals(a.get(j), b.get(j))) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = shape.hashCode();
        for (List<byte[]> stream : strings) {
            for (byte[] s : stream) {
                h = 31 * h + Arrays.hashCode(s);
            }
        }
        return h;
    }

    @Override
    public String toString() {
        return "shape " + shape + ", " + strings.size() + "x" + strings.get(0).size() + " strings, " + stringBytes() + " bytes";
    }
}
