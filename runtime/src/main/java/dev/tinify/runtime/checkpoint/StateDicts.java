package dev.tinify.runtime.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.checkpoint.SafeTensors.DType;
import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import dev.tinify.runtime.nn.Module;
import dev.tinify.runtime.nn.Param;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Loads and saves a {@link Module}'s state dict with CompressAI's key names.
 *
 * <p>{@link #load} is all-or-nothing: it first compares every key, shape and dtype and throws one
 * {@link CheckpointException} listing all differences; only then are values replaced. Float
 * tensors (F32 or F16) load into float parameters, converted to the parameter's type; I32 tensors
 * load into int32 buffers. The entropy-model tables whose size is decided at {@code update()}
 * time ({@code _quantized_cdf}, {@code _offset}, {@code _cdf_length}, {@code scale_table}) take the
 * stored shape, as CompressAI's {@code load_state_dict} resizes them.
 */
public final class StateDicts {
    /** Last key components whose shape follows the checkpoint. */
    public static final Set<String> RESIZED_ON_LOAD = Set.of("_quantized_cdf", "_offset", "_cdf_length", "scale_table");

    /** How float values are stored by {@link #save}. */
    public enum Precision {
        /** Everything as stored in memory (float32, int32). */
        FULL,
        /**
         * Trainable float parameters as F16, halving the file; buffers stay exact. The entropy
         * bottleneck's {@code quantiles} also stay float32, because the medians they hold shift
         * every coded symbol.
         */
        HALF_PARAMETERS
    }

    /**
     * Bytes of SHA-256 kept by {@link #fingerprint}. 128 bits make two different sets of weights
     * sharing a fingerprint by accident negligible (about 2^-64 even among 2^32 of them) while
     * the field stays small in every {@code .tfy} header and fits an error message; a
     * fingerprint identifies weights, it does not defend against someone forging them.
     */
    public static final int FINGERPRINT_BYTES = 16;

    private StateDicts() {}

    /**
     * A fingerprint of the weights as {@code module} holds them: SHA-256, truncated to
     * {@link #FINGERPRINT_BYTES} bytes and written as lowercase hex, over every state-dict entry
     * (parameters and buffers, CDF tables included) in lexicographic key order, each as its key,
     * dtype, shape and the bytes of its values, every part length-prefixed. It digests the loaded
     * values, not a file: fp16 weights loaded into float32 parameters give the digest of those
     * float32 values, so one file gives one fingerprint however often it is loaded, and any
     * changed bit of any value gives another. The key order makes it independent of the order in
     * which modules register their tensors.
     */
    public static String fingerprint(Module module) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
        for (Map.Entry<String, Param> e : new TreeMap<>(module.stateDict()).entrySet()) {
            NDArray a = e.getValue().value();
            byte[] key = e.getKey().getBytes(StandardCharsets.UTF_8);
            byte[] type = a.getDataType().name().getBytes(StandardCharsets.US_ASCII);
            long[] shape = a.getShape().getShape();
            // The values as PyTorch stores them: native byte order, little-endian on every supported platform.
            ByteBuffer values = a.toByteBuffer();
            ByteBuffer header = ByteBuffer.allocate(20 + key.length + type.length + 8 * shape.length).order(ByteOrder.LITTLE_ENDIAN);
            header.putInt(key.length).put(key).putInt(type.length).put(type).putInt(shape.length);
            for (long d : shape) {
                header.putLong(d);
            }
            header.putLong(values.remaining());
            sha.update(header.flip());
            sha.update(values);
        }
        return HexFormat.of().formatHex(Arrays.copyOf(sha.digest(), FINGERPRINT_BYTES));
    }

    /** Loads {@code tensors} into {@code module} (see the class comment); {@code what} names the source in errors. */
    public static void load(Module module, Map<String, Tensor> tensors, String what) {
        Map<String, Param> expected = module.stateDict();
        List<String> missing = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (Map.Entry<String, Param> e : expected.entrySet()) {
            String key = e.getKey();
            Tensor t = tensors.get(key);
            if (t == null) {
                missing.add(key + " " + describe(e.getValue().value()));
                continue;
            }
            String problem = mismatch(key, e.getValue().value(), t);
            if (problem != null) {
                mismatched.add(key + ": expected " + describe(e.getValue().value()) + ", found " + problem);
            }
        }
        List<String> unexpected = new ArrayList<>();
        tensors.forEach((key, t) -> {
            if (!expected.containsKey(key)) {
                unexpected.add(key + " " + t.dtype() + Arrays.toString(t.shape()));
            }
        });
        if (!missing.isEmpty() || !unexpected.isEmpty() || !mismatched.isEmpty()) {
            throw new CheckpointException(what, missing, unexpected, mismatched);
        }
        for (Map.Entry<String, Param> e : expected.entrySet()) {
            Param p = e.getValue();
            NDArray current = p.value();
            p.set(toArray(current.getManager(), tensors.get(e.getKey()), current.getDataType()));
        }
    }

    /**
     * The entries of {@code tensors} that {@link #loadMatching} would take into {@code module}:
     * those whose key the module has, with the same shape and a loadable dtype, except the tables
     * whose size is decided at {@code update()} time ({@link #RESIZED_ON_LOAD}), in the module's
     * state-dict order.
     */
    public static Map<String, Tensor> matching(Module module, Map<String, Tensor> tensors) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        module.stateDict().forEach((key, p) -> {
            Tensor t = tensors.get(key);
            if (t != null && !RESIZED_ON_LOAD.contains(lastComponent(key)) && mismatch(key, p.value(), t) == null) {
                out.put(key, t);
            }
        });
        return out;
    }

    /**
     * Loads the {@link #matching} entries of {@code tensors} into {@code module} and leaves every
     * other entry of the module as it is (a warm start from another configuration or architecture).
     * Returns the keys taken, in state-dict order.
     */
    public static List<String> loadMatching(Module module, Map<String, Tensor> tensors) {
        Map<String, Tensor> taken = matching(module, tensors);
        Map<String, Param> state = module.stateDict();
        taken.forEach((key, t) -> {
            Param p = state.get(key);
            NDArray current = p.value();
            p.set(toArray(current.getManager(), t, current.getDataType()));
        });
        return List.copyOf(taken.keySet());
    }

    /** {@link #load(Module, Map, String)} naming the source "state dict". */
    public static void load(Module module, Map<String, Tensor> tensors) {
        load(module, tensors, "state dict");
    }

    /** Reads a safetensors file and loads it into {@code module}. */
    public static void load(Module module, Path file) throws IOException {
        load(module, SafeTensors.read(file), file.toString());
    }

    /** The entries whose key starts with {@code prefix}, with the prefix removed, in order. */
    public static Map<String, Tensor> withPrefix(Map<String, Tensor> tensors, String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    /** The module's state dict as tensors, in state-dict order. */
    public static Map<String, Tensor> save(Module module, Precision precision) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        module.stateDict().forEach((key, p) -> {
            boolean half = precision == Precision.HALF_PARAMETERS && p.trainable() && !key.endsWith("quantiles");
            out.put(key, toTensor(p.value(), half));
        });
        return out;
    }

    /** Writes the module's state dict as a safetensors file. */
    public static void save(Module module, Path file, Precision precision) throws IOException {
        Map<String, Tensor> tensors = save(module, precision);
        try (OutputStream os = Files.newOutputStream(file)) {
            SafeTensors.write(tensors, os);
        }
    }

    /**
     * A tensor as an NDArray in {@code manager}: float tensors become {@code floatType}
     * (FLOAT32 unless given otherwise), I32 tensors INT32, I64 tensors INT64.
     */
    public static NDArray toArray(NDManager manager, Tensor t, DataType floatType) {
        Shape shape = new Shape(t.shape());
        return switch (t.dtype()) {
            case F32, F16 -> {
                NDArray a = manager.create(t.toFloats(), shape);
                if (floatType == DataType.FLOAT32) {
                    yield a;
                }
                try (a) {
                    yield a.toType(floatType, false);
                }
            }
            case I32 -> manager.create(t.toInts(), shape);
            case I64 -> {
                long[] v = new long[Math.toIntExact(t.elements())];
                t.data().duplicate().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(v);
                yield manager.create(v, shape);
            }
            case U8 -> {
                byte[] v = new byte[Math.toIntExact(t.elements())];
                t.data().duplicate().get(v);
                yield manager.create(v, shape);
            }
        };
    }

    /** {@link #toArray(NDManager, Tensor, DataType)} with float tensors as FLOAT32. */
    public static NDArray toArray(NDManager manager, Tensor t) {
        return toArray(manager, t, DataType.FLOAT32);
    }

    /**
     * An NDArray as a tensor: FLOAT32 (and FLOAT64, narrowed) as F32, or F16 when {@code half};
     * INT32 as I32; INT64 as I64; UINT8 as U8.
     */
    public static Tensor toTensor(NDArray a, boolean half) {
        long[] shape = a.getShape().getShape();
        DataType type = a.getDataType();
        if (type.isFloating()) {
            DataType target = half ? DataType.FLOAT16 : DataType.FLOAT32;
            if (type == target) {
                return new Tensor(half ? DType.F16 : DType.F32, shape, bytes(a));
            }
            try (NDArray c = a.toType(target, false)) {
                return new Tensor(half ? DType.F16 : DType.F32, shape, bytes(c));
            }
        }
        return switch (type) {
            case INT32 -> new Tensor(DType.I32, shape, bytes(a));
            case INT64 -> new Tensor(DType.I64, shape, bytes(a));
            case UINT8 -> new Tensor(DType.U8, shape, bytes(a));
            default -> throw new IllegalArgumentException("cannot store an array of type " + type + " in safetensors");
        };
    }

    private static ByteBuffer bytes(NDArray a) {
        ByteBuffer native_ = a.toByteBuffer();
        ByteBuffer copy = ByteBuffer.allocate(native_.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(native_.order(ByteOrder.nativeOrder()));
        return copy.flip();
    }

    /** dtype and shape in the safetensors spelling, e.g. {@code F32[16, 3, 5, 5]}, so both sides of an error read alike. */
    private static String describe(NDArray a) {
        String type = switch (a.getDataType()) {
            case FLOAT32 -> "F32";
            case FLOAT16 -> "F16";
            case FLOAT64 -> "F64";
            case INT32 -> "I32";
            case INT64 -> "I64";
            case UINT8 -> "U8";
            default -> a.getDataType().toString();
        };
        return type + Arrays.toString(a.getShape().getShape());
    }

    /** Why {@code t} cannot replace {@code current}, or null if it can. */
    private static String mismatch(String key, NDArray current, Tensor t) {
        DataType type = current.getDataType();
        boolean typeOk = switch (t.dtype()) {
            case F32, F16 -> type.isFloating();
            case I32 -> type == DataType.INT32;
            case I64 -> type == DataType.INT64;
            case U8 -> type == DataType.UINT8;
        };
        boolean shapeOk = RESIZED_ON_LOAD.contains(lastComponent(key)) || Arrays.equals(current.getShape().getShape(), t.shape());
        if (typeOk && shapeOk) {
            return null;
        }
        return t.dtype() + Arrays.toString(t.shape());
    }

    private static String lastComponent(String key) {
        return key.substring(key.lastIndexOf('.') + 1);
    }
}
