package dev.tinify.runtime.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
    private static final ObjectMapper JSON = new ObjectMapper();
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

    /** Reads every tensor of a file, in file order. */
    public static Map<String, Tensor> read(Path file) throws IOException {
        return parse(Files.readAllBytes(file), file.toString());
    }

    /** Parses safetensors bytes; {@code source} names the data in error messages. */
    public static Map<String, Tensor> parse(byte[] bytes, String source) throws IOException {
        if (bytes.length < 8) {
            throw new IOException(source + ": not a safetensors file (" + bytes.length + " bytes, expected at least 8)");
        }
        ByteBuffer all = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = all.getLong(0);
        if (n <= 0 || n > MAX_HEADER || n > bytes.length - 8) {
            throw new IOException(source + ": safetensors header length " + n + " does not fit a file of " + bytes.length + " bytes");
        }
        JsonNode header;
        try {
            header = JSON.readTree(new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(source + ": safetensors header is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (!header.isObject()) {
            throw new IOException(source + ": safetensors header is not a JSON object");
        }
        int base = 8 + (int) n;
        int dataLength = bytes.length - base;
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            if (name.equals("__metadata__")) {
                continue;
            }
            JsonNode t = e.getValue();
            DType dtype;
            // complex64 (PyTorch's layout of a complex parameter such as weight_transformed) is read
            // as float32 with a trailing dimension of 2, real then imaginary: the same bytes
            boolean complex = t.path("dtype").asText().equals(COMPLEX64);
            try {
                dtype = complex ? DType.F32 : DType.valueOf(t.path("dtype").asText());
            } catch (IllegalArgumentException ex) {
                throw new IOException(source + ": tensor '" + name + "' has unsupported dtype '" + t.path("dtype").asText() + "'");
            }
            JsonNode shapeNode = t.path("shape");
            JsonNode offsets = t.path("data_offsets");
            if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
                throw new IOException(source + ": tensor '" + name + "' lacks a shape or data_offsets [begin, end]");
            }
            long[] shape = new long[shapeNode.size() + (complex ? 1 : 0)];
            long elements = 1;
            if (complex) {
                shape[shape.length - 1] = 2;
                elements = 2;
            }
            for (int i = 0; i < shapeNode.size(); i++) {
                shape[i] = shapeNode.get(i).asLong(-1);
                if (shape[i] < 0) {
                    throw new IOException(source + ": tensor '" + name + "' has a negative dimension");
                }
                elements = Math.multiplyExact(elements, shape[i]);
            }
            long begin = offsets.get(0).asLong(-1);
            long end = offsets.get(1).asLong(-1);
            if (begin < 0 || end < begin || end > dataLength) {
                throw new IOException(source + ": tensor '" + name + "' data_offsets [" + begin + ", " + end
                        + "] lie outside the " + dataLength + " data bytes");
            }
            if (end - begin != elements * dtype.bytes) {
                throw new IOException(source + ": tensor '" + name + "' has " + (end - begin) + " bytes, its shape "
                        + Arrays.toString(shape) + " of " + dtype + " needs " + elements * dtype.bytes);
            }
            ByteBuffer slice = ByteBuffer.wrap(bytes, base + (int) begin, (int) (end - begin)).slice().order(ByteOrder.LITTLE_ENDIAN);
            out.put(name, new Tensor(dtype, shape, slice));
        }
        return out;
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
