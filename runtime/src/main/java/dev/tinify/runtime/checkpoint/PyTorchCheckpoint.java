package dev.tinify.runtime.checkpoint;

import dev.tinify.runtime.checkpoint.Pickle.Global;
import dev.tinify.runtime.checkpoint.Pickle.Tuple;
import dev.tinify.runtime.checkpoint.SafeTensors.DType;
import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The state dict in a PyTorch checkpoint ({@code torch.save}, usually {@code .pth.tar}), read
 * without executing anything from the file. Both formats are read: the zip archive of PyTorch 1.6
 * and later ({@code data.pkl}, one record per storage under {@code data/}, {@code version},
 * optionally {@code byteorder}) and the legacy stream (magic number, protocol version, system
 * information, the pickled object, the storage keys, then each storage's element count and bytes).
 *
 * <p>The pickle is interpreted by {@link Pickle}, which calls nothing. The only callables allowed
 * are the ones that rebuild tensors and plain containers: {@code torch._utils._rebuild_tensor_v2},
 * {@code _rebuild_tensor}, {@code _rebuild_parameter}, {@code collections.OrderedDict}; storages are
 * {@code torch.FloatStorage}, {@code HalfStorage}, {@code IntStorage}, {@code LongStorage},
 * {@code ByteStorage} and {@code BoolStorage}. Any other callable is refused, naming it. Every tensor
 * is checked against its storage record (offset, sizes and strides within the record, by checked
 * arithmetic; the record exactly as long as declared), and the tensors together never take more
 * bytes than the file has.
 *
 * <p>The state dict is the pickled object itself, or its {@code state_dict} entry (a training
 * checkpoint of CompressAI's {@code examples/train.py}); keys are returned as stored (see
 * {@link CompressAiKeys} for CompressAI's renames).
 */
public final class PyTorchCheckpoint {
    /** The first pickle of the legacy format, {@code 0x1950a86a20f9469cfc6c}, and the protocol version after it. */
    private static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    private static final long LEGACY_PROTOCOL = 1001;
    private static final int MESSAGE_CHARS = 400;

    /** Storage classes and the dtype of their elements. */
    private enum StorageType {
        FloatStorage(DType.F32), HalfStorage(DType.F16), IntStorage(DType.I32), LongStorage(DType.I64),
        ByteStorage(DType.U8), BoolStorage(DType.U8);

        final DType dtype;

        StorageType(DType dtype) {
            this.dtype = dtype;
        }
    }

    private PyTorchCheckpoint() {}

    /** Whether {@code data} starts like a PyTorch checkpoint (a zip archive, or the legacy magic number). */
    public static boolean sniff(byte[] data) {
        return StoredZip.sniff(data) || legacy(data);
    }

    private static boolean legacy(byte[] data) {
        return data.length >= 4 && (data[0] & 0xff) == 0x80 && data[1] == 2 && (data[2] & 0xff) == 0x8a && data[3] == 10;
    }

    /** Reads the state dict of a checkpoint file. */
    public static Map<String, Tensor> read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 16) {
            throw new IOException(file + ": " + size + " bytes; checkpoints above 2 GiB are not supported");
        }
        return parse(Files.readAllBytes(file), file.toString());
    }

    /**
     * Parses checkpoint bytes; {@code source} names them in errors. Every failure is an
     * {@link IOException} whose one-line message starts with {@code source}.
     */
    public static Map<String, Tensor> parse(byte[] data, String source) throws IOException {
        try {
            if (!sniff(data)) {
                throw new IOException("not a PyTorch checkpoint (neither a zip archive nor the legacy format)");
            }
            Reader r = new Reader(data);
            return r.stateDict(StoredZip.sniff(data) ? r.zip() : r.legacy());
        } catch (IOException e) {
            throw new IOException(source + ": " + printable(String.valueOf(e.getMessage())), e);
        }
    }

    /**
     * A message on one line whatever the file put in it (names and keys come from the file):
     * control characters shown as {@code ?}, and at most {@value #MESSAGE_CHARS} characters.
     */
    private static String printable(String message) {
        StringBuilder sb = new StringBuilder();
        message.codePoints().limit(MESSAGE_CHARS).forEach(cp -> sb.append(Character.isISOControl(cp) ? "?" : Character.toString(cp)));
        return message.length() > MESSAGE_CHARS ? sb + "..." : sb.toString();
    }

    /** A storage record: its type, declared element count and, once known, its bytes. */
    private static final class Storage {
        final String key;
        final StorageType type;
        final long numel;
        @Nullable ByteBuffer bytes;

        Storage(String key, StorageType type, long numel) {
            this.key = key;
            this.type = type;
            this.numel = numel;
        }
    }

    /** A tensor as the pickle describes it: a view of a storage, checked against the storage's declared size. */
    private record TensorRef(Storage storage, long offset, long[] size, long[] stride, long numel) {}

    /** One read of one file: the pickle host (allowlist, storages) and the tensor budget. */
    private static final class Reader implements Pickle.Host {
        private final byte[] data;
        private final Map<String, Storage> storages = new HashMap<>();
        private @Nullable Map<String, ByteBuffer> records;
        private String recordPrefix = "";
        /** Bytes the tensors may still take: the file's size. */
        private long budget;

        Reader(byte[] data) {
            this.data = data;
            this.budget = data.length;
        }

        Object zip() throws IOException {
            Map<String, ByteBuffer> entries = StoredZip.read(data).entries();
            String pkl = null;
            for (String name : entries.keySet()) {
                if (name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - "/data.pkl".length()) {
                    if (pkl != null) {
                        throw new IOException("zip holds two pickles (" + pkl + ", " + name + ")");
                    }
                    pkl = name;
                }
            }
            if (pkl == null) {
                throw new IOException("zip archive without <name>/data.pkl: not a torch.save checkpoint");
            }
            recordPrefix = pkl.substring(0, pkl.length() - "data.pkl".length());
            ByteBuffer order = entries.get(recordPrefix + "byteorder");
            if (order != null && !text(order).equals("little")) {
                throw new IOException("byteorder '" + text(order) + "' is not supported (only little-endian)");
            }
            records = entries;
            ByteBuffer pickle = entries.get(pkl);
            byte[] bytes = new byte[pickle.remaining()];
            pickle.duplicate().get(bytes);
            Pickle.Result r = Pickle.load(bytes, 0, bytes.length, this);
            return nonNull(r.value());
        }

        Object legacy() throws IOException {
            Pickle.Result magic = Pickle.load(data, 0, data.length, this);
            if (!LEGACY_MAGIC.equals(magic.value())) {
                throw new IOException("legacy format: wrong magic number");
            }
            Pickle.Result protocol = Pickle.load(data, magic.end(), data.length, this);
            if (!(protocol.value() instanceof Long p) || p != LEGACY_PROTOCOL) {
                throw new IOException("legacy format: protocol version " + Pickle.describe(protocol.value()) + ", expected " + LEGACY_PROTOCOL);
            }
            Pickle.Result sysInfo = Pickle.load(data, protocol.end(), data.length, this);
            if (!(sysInfo.value() instanceof Map<?, ?> info) || !Boolean.TRUE.equals(info.get("little_endian"))) {
                throw new IOException("legacy format: not written on a little-endian machine (system info " + Pickle.typeName(sysInfo.value()) + ")");
            }
            Pickle.Result object = Pickle.load(data, sysInfo.end(), data.length, this);
            Pickle.Result keys = Pickle.load(data, object.end(), data.length, this);
            if (!(keys.value() instanceof List<?> list)) {
                throw new IOException("legacy format: the storage key list is a " + Pickle.typeName(keys.value()));
            }
            ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
            long at = keys.end();
            for (Object k : list) {
                Storage s = k instanceof String key ? storages.get(key) : null;
                if (s == null) {
                    throw new IOException("legacy format: storage key " + Pickle.describe(k) + " names no storage of the pickle");
                }
                if (s.bytes != null) {
                    throw new IOException("legacy format: storage " + s.key + " is listed twice");
                }
                if (at > data.length - 8) {
                    throw new IOException("storage " + s.key + ": the file ends before its record");
                }
                long numel = b.getLong((int) at);
                at += 8;
                if (numel != s.numel) {
                    throw new IOException("storage " + s.key + " holds " + numel + " elements, the pickle declares " + s.numel);
                }
                long bytes = recordBytes(s);
                if (bytes > data.length - at) {
                    throw new IOException("storage " + s.key + " needs " + bytes + " bytes, the file has " + (data.length - at) + " left");
                }
                s.bytes = ByteBuffer.wrap(data, (int) at, (int) bytes).slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
                at += bytes;
            }
            return nonNull(object.value());
        }

        private static Object nonNull(@Nullable Object v) throws IOException {
            if (v == null) {
                throw new IOException("the checkpoint holds None");
            }
            return v;
        }

        private static long recordBytes(Storage s) throws IOException {
            try {
                return Math.multiplyExact(s.numel, (long) s.type.dtype.bytes());
            } catch (ArithmeticException e) {
                throw new IOException("storage " + s.key + ": " + s.numel + " elements overflow");
            }
        }

        /** The state dict: the object itself, or its {@code state_dict} entry; every value a tensor. */
        Map<String, Tensor> stateDict(@Nullable Object root) throws IOException {
            if (!(root instanceof Map<?, ?> top)) {
                throw new IOException("holds a " + Pickle.typeName(root) + ", not a state dict");
            }
            Object inner = top.get("state_dict");
            Map<?, ?> dict = inner instanceof Map<?, ?> m ? m : top;
            if (inner != null && !(inner instanceof Map)) {
                throw new IOException("'state_dict' is a " + Pickle.typeName(inner) + ", not a dict");
            }
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : dict.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new IOException("state dict key " + Pickle.describe(e.getKey()) + " is a " + Pickle.typeName(e.getKey()) + ", not a string");
                }
                if (!(e.getValue() instanceof TensorRef t)) {
                    throw new IOException("state dict entry '" + key + "' is a " + Pickle.typeName(e.getValue()) + ", not a tensor"
                            + (inner == null && top.containsKey("epoch") ? " (a training checkpoint without 'state_dict'?)" : ""));
                }
                out.put(key, materialize(key, t));
            }
            if (out.isEmpty()) {
                throw new IOException("the state dict is empty");
            }
            return out;
        }

        /** The tensor's elements, row-major, copied out of its storage. */
        private Tensor materialize(String key, TensorRef t) throws IOException {
            Storage s = t.storage();
            ByteBuffer src = s.bytes;
            if (src == null) {
                throw new IOException("tensor '" + key + "': storage " + s.key + " has no data in the file");
            }
            int el = s.type.dtype.bytes();
            long bytes = t.numel() * el;
            if (bytes > budget) {
                throw new IOException("tensor '" + key + "': the tensors need more bytes than the " + data.length + "-byte file holds");
            }
            budget -= bytes;
            ByteBuffer out = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
            int rank = t.size().length;
            if (contiguous(t)) {
                ByteBuffer slice = src.duplicate();
                slice.position((int) (t.offset() * el)).limit((int) (t.offset() * el + bytes));
                out.put(slice);
            } else {
                long[] index = new long[rank];
                byte[] element = new byte[el];
                for (long n = 0; n < t.numel(); n++) {
                    long at = t.offset();
                    for (int d = 0; d < rank; d++) {
                        at += index[d] * t.stride()[d];
                    }
                    src.get((int) (at * el), element);
                    out.put(element);
                    for (int d = rank - 1; d >= 0; d--) {
                        if (++index[d] < t.size()[d]) {
                            break;
                        }
                        index[d] = 0;
                    }
                }
            }
            return new Tensor(s.type.dtype, t.size().clone(), out.flip());
        }

        private static boolean contiguous(TensorRef t) {
            long expected = 1;
            for (int d = t.size().length - 1; d >= 0; d--) {
                if (t.size()[d] != 1 && t.stride()[d] != expected) {
                    return false;
                }
                expected *= t.size()[d];
            }
            return true;
        }

        @Override
        public @Nullable Object call(Object callable, Tuple args) throws IOException {
            if (!(callable instanceof Global g)) {
                throw new IOException("refused: the pickle calls a " + Pickle.typeName(callable));
            }
            switch (g.toString()) {
                case "collections.OrderedDict" -> {
                    return orderedDict(args);
                }
                case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" -> {
                    if (args.size() < 4) {
                        throw new IOException(g + " with " + args.size() + " arguments (expected storage, offset, size, stride)");
                    }
                    return tensor(args.get(0), args.get(1), args.get(2), args.get(3));
                }
                case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> {
                    if (args.size() < 1 || !(args.get(0) instanceof TensorRef t)) {
                        throw new IOException(g + " without a tensor");
                    }
                    return t;
                }
                default -> throw new IOException("refused: the pickle calls " + g
                        + ", which is not a tensor-rebuilding function (allowed: torch._utils._rebuild_tensor_v2,"
                        + " _rebuild_parameter, collections.OrderedDict); nothing was executed");
            }
        }

        private static Map<Object, @Nullable Object> orderedDict(Tuple args) throws IOException {
            Map<Object, Object> d = new LinkedHashMap<>();
            if (args.size() == 0) {
                return d;
            }
            if (args.size() == 1 && args.get(0) instanceof List<?> pairs) {
                for (Object p : pairs) {
                    if (!(p instanceof Tuple pair) || pair.size() != 2 || !(pair.get(0) instanceof String k)) {
                        throw new IOException("collections.OrderedDict called with an item that is not a (str, value) pair");
                    }
                    d.put(k, pair.get(1));
                }
                return d;
            }
            throw new IOException("collections.OrderedDict called with " + args.size() + " arguments");
        }

        @Override
        public void build(@Nullable Object target, @Nullable Object state) throws IOException {
            // An OrderedDict's attributes (a state dict's _metadata: versions per module) carry no tensors.
            if (target instanceof Map && (state == null || state instanceof Map)) {
                return;
            }
            throw new IOException("refused: the pickle sets the state of a " + Pickle.typeName(target));
        }

        @Override
        public Object persistentLoad(@Nullable Object pid) throws IOException {
            if (!(pid instanceof Tuple t) || t.size() < 5 || !"storage".equals(t.get(0))) {
                throw new IOException("persistent id is a " + Pickle.typeName(pid) + ", not a ('storage', ...) record");
            }
            StorageType type = storageType(t.get(1));
            if (!(t.get(2) instanceof String key) || !(t.get(3) instanceof String) || !(t.get(4) instanceof Long numel) || numel < 0) {
                throw new IOException("storage record without a key, location and element count");
            }
            Storage s = storages.get(key);
            if (s != null) {
                if (s.type != type || s.numel != numel) {
                    throw new IOException("storage " + key + " is declared twice, differently");
                }
                return s;
            }
            s = new Storage(key, type, numel);
            long bytes = recordBytes(s);
            if (records != null) {
                if (t.size() != 5) {
                    throw new IOException("storage " + key + ": zip storage records have 5 fields, found " + t.size());
                }
                ByteBuffer record = key.matches("[A-Za-z0-9_]+") ? records.get(recordPrefix + "data/" + key) : null;
                if (record == null) {
                    throw new IOException("storage " + key + ": no record " + recordPrefix + "data/" + key + " in the archive");
                }
                if (record.remaining() != bytes) {
                    throw new IOException("storage " + key + ": record has " + record.remaining() + " bytes, its " + numel + " "
                            + type + " elements need " + bytes);
                }
                s.bytes = record;
            } else if (t.size() != 6 || t.get(5) != null) {
                throw new IOException("storage " + key + ": storage views are not supported");
            }
            storages.put(key, s);
            return s;
        }

        private static StorageType storageType(@Nullable Object o) throws IOException {
            if (o instanceof Global g && g.module().equals("torch")) {
                for (StorageType t : StorageType.values()) {
                    if (t.name().equals(g.name())) {
                        return t;
                    }
                }
            }
            throw new IOException("storage type " + (o instanceof Global g ? g.toString() : Pickle.typeName(o))
                    + " is not supported (supported: " + Arrays.toString(StorageType.values()) + ")");
        }

        private static TensorRef tensor(@Nullable Object storage, @Nullable Object offset, @Nullable Object size, @Nullable Object stride)
                throws IOException {
            if (!(storage instanceof Storage s)) {
                throw new IOException("a tensor is rebuilt from a " + Pickle.typeName(storage) + ", not a storage");
            }
            if (!(offset instanceof Long off) || off < 0) {
                throw new IOException("storage " + s.key + ": tensor offset " + Pickle.describe(offset) + " is not a non-negative integer");
            }
            long[] sizes = longs(s, "size", size);
            long[] strides = longs(s, "stride", stride);
            if (sizes.length != strides.length) {
                throw new IOException("storage " + s.key + ": " + sizes.length + " sizes but " + strides.length + " strides");
            }
            try {
                long numel = 1;
                long last = off;
                for (int d = 0; d < sizes.length; d++) {
                    numel = Math.multiplyExact(numel, sizes[d]);
                }
                if (numel > 0) {
                    for (int d = 0; d < sizes.length; d++) {
                        last = Math.addExact(last, Math.multiplyExact(sizes[d] - 1, strides[d]));
                    }
                }
                if (numel > 0 ? last >= s.numel : off > s.numel) {
                    throw new IOException("storage " + s.key + " has " + s.numel + " elements, a tensor of size " + Arrays.toString(sizes)
                            + ", stride " + Arrays.toString(strides) + " at offset " + off + " needs " + (numel > 0 ? last + 1 : off));
                }
                if (numel > Integer.MAX_VALUE / 8) {
                    throw new IOException("storage " + s.key + ": a tensor of " + numel + " elements is too large");
                }
                return new TensorRef(s, off, sizes, strides, numel);
            } catch (ArithmeticException e) {
                throw new IOException("storage " + s.key + ": tensor size " + Arrays.toString(sizes) + ", stride "
                        + Arrays.toString(strides) + " overflows");
            }
        }

        private static long[] longs(Storage s, String what, @Nullable Object o) throws IOException {
            if (!(o instanceof Tuple t) || t.size() > 64) {
                throw new IOException("storage " + s.key + ": tensor " + what + " is a " + Pickle.typeName(o) + ", not a tuple of integers");
            }
            long[] out = new long[t.size()];
            for (int i = 0; i < out.length; i++) {
                if (!(t.get(i) instanceof Long v) || v < 0) {
                    throw new IOException("storage " + s.key + ": tensor " + what + " " + i + " is not a non-negative integer");
                }
                out[i] = v;
            }
            return out;
        }

        private static String text(ByteBuffer b) {
            byte[] bytes = new byte[Math.min(b.remaining(), 64)];
            b.duplicate().get(bytes);
            return new String(bytes, StandardCharsets.UTF_8).trim();
        }
    }
}
