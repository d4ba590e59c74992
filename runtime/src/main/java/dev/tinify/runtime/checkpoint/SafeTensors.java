package dev.tinify.runtime.checkpoint;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.Comparator;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header naming each
 * tensor's dtype, shape and byte range, then the raw little-endian data. Tensors keep the file's
 * order. Every header field is checked against the file so that a damaged file is an error that
 * names the file and the tensor, never a wrong tensor. A complex64 tensor ({@code C64}) is read as
 * float32 with a trailing dimension of 2 ({@link #COMPLEX64}).
 */
public final class SafeTensors {
    /** Duplicate keys are an error, not a silent "last one wins". */
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final long MAX_HEADER = 100L << 20;

    private SafeTensors() {}

    /**
     * The safetensors name of complex64. Read as F32 with a trailing dimension of 2 (real, then
     * imaginary: the layout of PyTorch's {@code view_as_real}, the same bytes), which is how Tinify
     * stores complex parameters; written never.
     */
    public static final String COMPLEX64 = "C64";

    /** Element types this project reads and writes. */
    public enum DType {
        F32(4), F16(2), I32(4), I64(8), U8(1);

        final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }

        public int bytes() {
            return bytes;
        }
    }

    /** One tensor: dtype, shape and its little-endian bytes. */
    public record Tensor(DType dtype, long[] shape, ByteBuffer data) {
        public long elements() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        /** The values as floats (F32 and F16 are widened exactly). */
        public float[] toFloats() {
            int n = Math.toIntExact(elements());
            float[] out = new float[n];
            ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            switch (dtype) {
                case F32 -> b.asFloatBuffer().get(out);
                case F16 -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = halfToFloat(b.getShort(2 * i));
                    }
                }
                case I32 -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = b.getInt(4 * i);
                    }
                }
                default -> throw new IllegalStateException("tensor of dtype " + dtype + " is not numeric float data");
            }
            return out;
        }

        /** The values as ints (I32 only). */
        public int[] toInts() {
            if (dtype != DType.I32) {
                throw new IllegalStateException("expected an I32 tensor, found " + dtype);
            }
            int[] out = new int[Math.toIntExact(elements())];
            data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
            return out;
        }

        public static Tensor ofFloats(float[] values, long... shape) {
            ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
            return new Tensor(DType.F32, shape, b);
        }

        /**
         * A complex tensor given as its real and imaginary parts (equal shapes, F32), in Tinify's
         * layout: F32 with a trailing dimension of 2 ({@link #COMPLEX64}).
         */
        public static Tensor ofComplex(Tensor real, Tensor imag) {
            if (!Arrays.equals(real.shape(), imag.shape())) {
                throw new IllegalArgumentException("real part " + Arrays.toString(real.shape())
                        + " and imaginary part " + Arrays.toString(imag.shape()) + " differ in shape");
            }
            float[] re = real.toFloats();
            float[] im = imag.toFloats();
            float[] both = new float[2 * re.length];
            for (int i = 0; i < re.length; i++) {
                both[2 * i] = re[i];
                both[2 * i + 1] = im[i];
            }
            long[] shape = Arrays.copyOf(real.shape(), real.shape().length + 1);
            shape[shape.length - 1] = 2;
            return ofFloats(both, shape);
        }

        public static Tensor ofInts(int[] values, long... shape) {
            ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asIntBuffer().put(values);
            return new Tensor(DType.I32, shape, b);
        }
    }

    /** IEEE 754 binary16 to float (exact). */
    static float halfToFloat(short h) {
        int sign = (h >>> 15) & 1;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        float v;
        if (exp == 0) {
            v = mant * 0x1p-24f;
        } else if (exp == 31) {
            v = mant == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        } else {
            v = Float.intBitsToFloat(((exp + 112) << 23) | (mant << 13));
        }
        return sign == 1 ? -v : v;
    }

    /**
     * Reads every tensor of a file, in file order. The header is checked before any data is
     * touched, and each tensor is mapped from the file on its own, so a file of any size is read
     * without one array as large as the file.
     */
    public static Map<String, Tensor> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": " + (Files.isDirectory(file) ? "is a directory" : Files.exists(file) ? "is not a regular file"
                    : "no such file") + "; expected a safetensors file");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            String source = file.toString();
            long n = headerLength(readFully(ch, 0, (int) Math.min(8, size)), size, source);
            Map<String, Entry> entries = header(readFully(ch, 8, (int) n), source, size - 8 - n);
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Map.Entry<String, Entry> e : entries.entrySet()) {
                Entry t = e.getValue();
                ByteBuffer data = ch.map(FileChannel.MapMode.READ_ONLY, 8 + n + t.begin(), t.end() - t.begin());
                out.put(e.getKey(), new Tensor(t.dtype(), t.shape(), data.order(ByteOrder.LITTLE_ENDIAN)));
            }
            return out;
        }
    }

    private static byte[] readFully(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            if (ch.read(b, position + b.position()) < 0) {
                throw new IOException("the file ended while reading it");
            }
        }
        return b.array();
    }

    /** Parses safetensors bytes; {@code source} names the data in error messages. */
    public static Map<String, Tensor> parse(byte[] bytes, String source) throws IOException {
        long n = headerLength(Arrays.copyOf(bytes, Math.min(8, bytes.length)), bytes.length, source);
        Map<String, Entry> entries = header(Arrays.copyOfRange(bytes, 8, 8 + (int) n), source, bytes.length - 8 - n);
        Map<String, Tensor> out = new LinkedHashMap<>();
        int base = 8 + (int) n;
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            Entry t = e.getValue();
            out.put(e.getKey(), new Tensor(t.dtype(), t.shape(),
                    ByteBuffer.wrap(bytes, base + (int) t.begin(), (int) (t.end() - t.begin())).slice().order(ByteOrder.LITTLE_ENDIAN)));
        }
        return out;
    }

    /** One checked header entry: its data is {@code [begin, end)} of the data section. */
    private record Entry(DType dtype, long[] shape, long begin, long end) {}

    private static long headerLength(byte[] first, long size, String source) throws IOException {
        if (size < 8) {
            throw new IOException(source + ": not a safetensors file (" + size + " bytes, expected at least 8)");
        }
        long n = ByteBuffer.wrap(first).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        if (n <= 0 || n > MAX_HEADER || n > size - 8) {
            throw new IOException(source + ": safetensors header length " + n + " does not fit a file of " + size + " bytes"
                    + (n > MAX_HEADER && n <= size - 8 ? " (headers are at most " + MAX_HEADER + " bytes)" : ""));
        }
        return n;
    }

    /**
     * Checks the header as the safetensors format defines it: a JSON object with unique keys; per
     * tensor a known dtype, a shape of non-negative integers and integer data offsets whose length
     * is the shape's size (checked arithmetic); and ranges that are contiguous, do not overlap and
     * cover the data section exactly, so every byte belongs to one tensor.
     */
    private static Map<String, Entry> header(byte[] json, String source, long dataLength) throws IOException {
        JsonNode header;
        try {
            header = JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(source + ": safetensors header is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (header == null || !header.isObject()) {
            throw new IOException(source + ": safetensors header is not a JSON object");
        }
        Map<String, Entry> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode t = e.getValue();
            if (name.equals("__metadata__")) {
                if (!t.isObject()) {
                    throw new IOException(source + ": safetensors __metadata__ is not a JSON object of strings");
                }
                continue;
            }
            String what = source + ": tensor '" + name + "'";
            if (!t.isObject()) {
                throw new IOException(what + " is not a JSON object with dtype, shape and data_offsets");
            }
            DType dtype;
            // complex64 (PyTorch's layout of a complex parameter such as weight_transformed) is read
            // as float32 with a trailing dimension of 2, real then imaginary: the same bytes
            boolean complex = t.path("dtype").asText().equals(COMPLEX64);
            try {
                dtype = complex ? DType.F32 : DType.valueOf(t.path("dtype").asText());
            } catch (IllegalArgumentException ex) {
                throw new IOException(what + " has unsupported dtype '" + t.path("dtype").asText() + "' (expected one of "
                        + Arrays.toString(DType.values()) + ")");
            }
            JsonNode shapeNode = t.path("shape");
            JsonNode offsets = t.path("data_offsets");
            if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
                throw new IOException(what + " lacks a shape or data_offsets [begin, end]");
            }
            long[] shape = new long[shapeNode.size() + (complex ? 1 : 0)];
            long elements = 1;
            if (complex) {
                shape[shape.length - 1] = 2;
                elements = 2;
            }
            for (int i = 0; i < shapeNode.size(); i++) {
                shape[i] = integer(shapeNode.get(i), what + " dimension " + i);
                try {
                    elements = Math.multiplyExact(elements, shape[i]);
                } catch (ArithmeticException ex) {
                    throw new IOException(what + " has shape " + shapeNode + ", more elements than a 64-bit count holds");
                }
            }
            long begin = integer(offsets.get(0), what + " data_offsets begin");
            long end = integer(offsets.get(1), what + " data_offsets end");
            if (end < begin || end > dataLength) {
                throw new IOException(what + " data_offsets [" + begin + ", " + end + "] lie outside the " + dataLength + " data bytes");
            }
            long needed;
            try {
                needed = Math.multiplyExact(elements, dtype.bytes);
            } catch (ArithmeticException ex) {
                throw new IOException(what + " has shape " + shapeNode + ", too large for any file");
            }
            if (end - begin != needed) {
                throw new IOException(what + " has " + (end - begin) + " bytes, its shape " + Arrays.toString(shape) + " of " + dtype
                        + " needs " + needed);
            }
            if (needed > Integer.MAX_VALUE) {
                throw new IOException(what + " has " + needed + " bytes; tensors of more than " + Integer.MAX_VALUE
                        + " bytes are not supported");
            }
            out.put(name, new Entry(dtype, shape, begin, end));
        }
        List<Map.Entry<String, Entry>> byOffset = new ArrayList<>(out.entrySet());
        byOffset.sort(Comparator.comparingLong((Map.Entry<String, Entry> x) -> x.getValue().begin())
                .thenComparingLong(x -> x.getValue().end()));
        long expected = 0;
        String previous = null;
        for (Map.Entry<String, Entry> x : byOffset) {
            long begin = x.getValue().begin();
            if (begin != expected) {
                throw new IOException(source + ": tensor '" + x.getKey() + "' starts at data byte " + begin + ", but "
                        + (previous == null ? "the data start at 0" : "'" + previous + "' ends at " + expected)
                        + (begin < expected ? " (overlapping tensors)" : " (a gap of unindexed bytes)")
                        + "; expected contiguous tensors covering the data");
            }
            expected = x.getValue().end();
            previous = x.getKey();
        }
        if (expected != dataLength) {
            throw new IOException(source + ": the tensors cover " + expected + " of the " + dataLength
                    + " data bytes; expected contiguous tensors covering the data");
        }
        return out;
    }

    /** A non-negative JSON integer (not 64.7, not "64", not beyond 64 bits). */
    private static long integer(JsonNode v, String what) throws IOException {
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
            throw new IOException(what + " is " + v + "; expected a non-negative integer");
        }
        return v.asLong();
    }

    /** Writes tensors in map order. */
    public static void write(Map<String, Tensor> tensors, OutputStream os) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        long offset = 0;
        List<ByteBuffer> blobs = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            ObjectNode node = header.putObject(e.getKey());
            node.put("dtype", t.dtype().name());
            var shape = node.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            int len = t.data().remaining();
            node.putArray("data_offsets").add(offset).add(offset + len);
            offset += len;
            blobs.add(t.data().duplicate());
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, padded);
        os.write(len.array());
        os.write(json);
        for (int i = json.length; i < padded; i++) {
            os.write(' ');
        }
        for (ByteBuffer b : blobs) {
            byte[] chunk = new byte[b.remaining()];
            b.get(chunk);
            os.write(chunk);
        }
    }
}
