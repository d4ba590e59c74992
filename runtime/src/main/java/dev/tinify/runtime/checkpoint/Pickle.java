package dev.tinify.runtime.checkpoint;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A pickle interpreter that never runs anything: it reads the opcodes of protocols 0 to 4 and
 * builds plain values. Python's {@code int} becomes {@link Long} (or {@link BigInteger}), {@code
 * float} {@link Double}, {@code str} {@link String}, {@code bytes} {@code byte[]}, {@code list}
 * {@link ArrayList}, {@code dict} {@link LinkedHashMap}, {@code tuple} {@link Tuple}, {@code None}
 * null. A global ({@code GLOBAL}, {@code STACK_GLOBAL}) is only a {@link Global} name; what calling
 * it means ({@code REDUCE}, {@code NEWOBJ}, {@code BUILD}) and what a persistent id stands for are
 * decided by the {@link Host}, which refuses everything it does not know. The opcodes that create
 * instances by themselves ({@code INST}, {@code OBJ}, the extension registry) are refused.
 *
 * <p>Everything is bounded by the input: lengths are checked against the bytes left before anything
 * is allocated, each opcode adds at most one value, and a pickle builds at most {@value #MAX_VALUES}
 * values and memo entries (a one-byte opcode can build an object of fifty bytes, so a large file of
 * them would otherwise take fifty times its size; a state dict needs a few dozen per tensor).
 * Decimal integers are limited to {@value #MAX_DIGITS} digits (parsing is quadratic in their
 * length), and values appear in messages only through {@link #describe}, which never walks a
 * container (a pickle can share one container many times over, so printing it could take forever).
 */
final class Pickle {
    /** What the interpreter cannot decide alone: calls of globals and persistent ids. */
    interface Host {
        /** The value of calling {@code callable} with {@code args} ({@code REDUCE}, {@code NEWOBJ}); refuses what it does not allow. */
        @Nullable Object call(Object callable, Tuple args) throws IOException;

        /** Applies a {@code BUILD} state to {@code target}; refuses what it does not allow. */
        void build(@Nullable Object target, @Nullable Object state) throws IOException;

        /** The object a persistent id stands for. */
        Object persistentLoad(@Nullable Object pid) throws IOException;
    }

    /** A Python tuple. */
    record Tuple(List<@Nullable Object> items) {
        int size() {
            return items.size();
        }

        @Nullable Object get(int i) {
            return items.get(i);
        }
    }

    /** A module-level name the pickle refers to; inert: it is never looked up or called here. */
    record Global(String module, String name) {
        @Override
        public String toString() {
            return module + "." + name;
        }
    }

    /** A value and the offset just after the pickle's {@code STOP}. */
    record Result(@Nullable Object value, int end) {}

    private static final Object MARK = new Object();
    /** Values and memo entries one pickle may build. */
    static final int MAX_VALUES = 1 << 20;
    /** Digits of a decimal integer (Python's own default limit for int from str). */
    static final int MAX_DIGITS = 4300;

    private final ByteBuffer in;
    private final Host host;
    private final List<@Nullable Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, @Nullable Object> memo = new HashMap<>();
    private int built;

    private Pickle(ByteBuffer in, Host host) {
        this.in = in;
        this.host = host;
    }

    /** Reads one pickle from {@code data} starting at {@code offset}. */
    static Result load(byte[] data, int offset, int end, Host host) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data, offset, end - offset).order(ByteOrder.LITTLE_ENDIAN);
        Pickle p = new Pickle(b, host);
        try {
            Object value = p.run();
            return new Result(value, b.position());
        } catch (java.nio.BufferUnderflowException e) {
            throw new IOException("pickle ends at byte " + end + " before its STOP opcode");
        }
    }

    private @Nullable Object run() throws IOException {
        while (true) {
            int at = in.position();
            int op = u8();
            switch (op) {
                case 0x80 -> { // PROTO
                    int proto = u8();
                    if (proto > 5) {
                        throw error(at, "pickle protocol " + proto + " is newer than 5");
                    }
                }
                case 0x95 -> bytes(8); // FRAME: a length hint only
                case '.' -> {
                    if (stack.size() != 1 || !marks.isEmpty()) {
                        throw error(at, "STOP with " + stack.size() + " values on the stack (expected one)");
                    }
                    return stack.get(0);
                }
                case '(' -> {
                    count(at);
                    marks.add(stack.size());
                    stack.add(MARK);
                }
                case '0' -> pop(at);
                case '1' -> popMark(at);
                case '2' -> push(peek(at));
                case 'c' -> push(new Global(line(at), line(at)));
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop(at);
                    Object module = pop(at);
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw error(at, "STACK_GLOBAL needs two strings");
                    }
                    push(new Global(m, n));
                }
                case 'q' -> memoize(at, u8());
                case 'r' -> memoize(at, u32());
                case 'p' -> memoize(at, parseLong(at, line(at)));
                case 0x94 -> memoize(at, memo.size());
                case 'h' -> push(get(at, u8()));
                case 'j' -> push(get(at, u32()));
                case 'g' -> push(get(at, parseLong(at, line(at))));
                case ')' -> push(new Tuple(List.of()));
                case 't' -> push(new Tuple(popMark(at)));
                case 0x85 -> push(tuple(at, 1));
                case 0x86 -> push(tuple(at, 2));
                case 0x87 -> push(tuple(at, 3));
                case ']' -> push(new ArrayList<>());
                case 'l' -> push(new ArrayList<>(popMark(at)));
                case 'a' -> {
                    Object v = pop(at);
                    list(at).add(v);
                }
                case 'e' -> {
                    List<Object> items = popMark(at);
                    list(at).addAll(items);
                }
                case '}' -> push(new LinkedHashMap<>());
                case 'd' -> {
                    Map<Object, Object> d = new LinkedHashMap<>();
                    putAll(at, d, popMark(at));
                    push(d);
                }
                case 's' -> {
                    Object v = pop(at);
                    Object k = pop(at);
                    dict(at).put(key(at, k), v);
                }
                case 'u' -> {
                    List<Object> items = popMark(at);
                    putAll(at, dict(at), items);
                }
                case 'K' -> push((long) u8());
                case 'M' -> push((long) (in.getShort() & 0xffff));
                case 'J' -> push((long) in.getInt());
                case 'I' -> {
                    String s = digits(at, line(at));
                    push(s.equals("01") ? Boolean.TRUE : s.equals("00") ? Boolean.FALSE : parseLong(at, s));
                }
                case 'L' -> push(parseBig(at, digits(at, line(at)).replaceFirst("L$", "")));
                case 0x8a -> push(longLe(bytes(u8())));
                case 0x8b -> push(longLe(bytes(length(at, in.getInt()))));
                case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // big-endian
                case 'F' -> {
                    String s = line(at);
                    try {
                        push(Double.parseDouble(s));
                    } catch (NumberFormatException e) {
                        throw error(at, "FLOAT " + describe(s) + " is not a number");
                    }
                }
                case 'N' -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'X' -> push(utf8(bytes(length(at, in.getInt()))));
                case 'V' -> push(line(at)); // raw-unicode-escape: ASCII text reads the same
                case 0x8c -> push(utf8(bytes(u8())));
                case 0x8d -> push(utf8(bytes(length(at, in.getLong()))));
                case 'T' -> push(new String(bytes(length(at, in.getInt())), StandardCharsets.ISO_8859_1));
                case 'U' -> push(new String(bytes(u8()), StandardCharsets.ISO_8859_1));
                case 'B' -> push(bytes(length(at, in.getInt())));
                case 'C' -> push(bytes(u8()));
                case 0x8e -> push(bytes(length(at, in.getLong())));
                case 'R' -> {
                    Object args = pop(at);
                    Object callable = pop(at);
                    if (!(args instanceof Tuple t)) {
                        throw error(at, "REDUCE arguments are not a tuple");
                    }
                    push(host.call(callable, t));
                }
                case 0x81 -> { // NEWOBJ: cls.__new__(cls, *args)
                    Object args = pop(at);
                    Object cls = pop(at);
                    if (!(args instanceof Tuple t)) {
                        throw error(at, "NEWOBJ arguments are not a tuple");
                    }
                    push(host.call(cls, t));
                }
                case 'b' -> {
                    Object state = pop(at);
                    host.build(peek(at), state);
                }
                case 'Q' -> push(host.persistentLoad(pop(at)));
                case 'P' -> push(host.persistentLoad(line(at)));
                default -> throw error(at, "opcode " + opcodeName(op) + " is not allowed");
            }
        }
    }

    private static String opcodeName(int op) {
        return switch (op) {
            case 'i' -> "INST (creates an instance of a named class)";
            case 'o' -> "OBJ (creates an instance)";
            case 0x82, 0x83, 0x84 -> "EXT (extension registry)";
            case 0x92 -> "NEWOBJ_EX";
            case 0x8f, 0x90, 0x91 -> "set/frozenset";
            default -> String.format("0x%02x", op);
        };
    }

    private IOException error(int at, String what) {
        return new IOException("pickle byte " + at + ": " + what);
    }

    private int u8() {
        return in.get() & 0xff;
    }

    private long u32() {
        return in.getInt() & 0xffffffffL;
    }

    /** A declared length, checked against the bytes left before anything is allocated. */
    private int length(int at, long n) throws IOException {
        if (n < 0 || n > in.remaining()) {
            throw error(at, "length " + n + " runs past the end of the data (" + in.remaining() + " bytes left)");
        }
        return (int) n;
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }

    /** A newline-terminated text argument (protocol 0 opcodes). */
    private String line(int at) throws IOException {
        int start = in.position();
        int limit = in.limit();
        for (int i = start; i < limit; i++) {
            if (in.get(i) == '\n') {
                byte[] b = new byte[i - start];
                in.get(b);
                in.get();
                return new String(b, StandardCharsets.UTF_8);
            }
        }
        throw error(at, "text argument without a newline");
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private long parseLong(int at, String s) throws IOException {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw error(at, describe(s) + " is not an integer");
        }
    }

    private Object parseBig(int at, String s) throws IOException {
        try {
            return narrow(new BigInteger(s.trim()));
        } catch (NumberFormatException e) {
            throw error(at, describe(s) + " is not an integer");
        }
    }

    /** A decimal integer's text, refused beyond {@value #MAX_DIGITS} characters before it is parsed. */
    private String digits(int at, String s) throws IOException {
        if (s.length() > MAX_DIGITS) {
            throw error(at, "a decimal integer of " + s.length() + " characters (at most " + MAX_DIGITS + ")");
        }
        return s;
    }

    private void memoize(int at, long index) throws IOException {
        count(at);
        memo.put(index, peek(at));
    }

    /** Counts one value or memo entry against {@value #MAX_VALUES}. */
    private void count(int at) throws IOException {
        if (++built > MAX_VALUES) {
            throw error(at, "the pickle builds more than " + MAX_VALUES + " values; a state dict needs far fewer");
        }
    }

    /** A little-endian two's-complement integer (LONG1, LONG4). */
    private static Object longLe(byte[] b) {
        if (b.length == 0) {
            return 0L;
        }
        byte[] be = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            be[i] = b[b.length - 1 - i];
        }
        return narrow(new BigInteger(be));
    }

    private static Object narrow(BigInteger v) {
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private void push(@Nullable Object v) throws IOException {
        count(in.position());
        stack.add(v);
    }

    private @Nullable Object pop(int at) throws IOException {
        Object v = peek(at);
        stack.remove(stack.size() - 1);
        return v;
    }

    private @Nullable Object peek(int at) throws IOException {
        if (stack.isEmpty() || (!marks.isEmpty() && marks.get(marks.size() - 1) == stack.size() - 1)) {
            throw error(at, "stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    /** The values above the topmost mark, removing them and the mark. */
    private List<@Nullable Object> popMark(int at) throws IOException {
        if (marks.isEmpty()) {
            throw error(at, "no MARK on the stack");
        }
        int m = marks.remove(marks.size() - 1);
        List<Object> sub = stack.subList(m + 1, stack.size());
        List<Object> items = new ArrayList<>(sub);
        stack.subList(m, stack.size()).clear();
        return items;
    }

    private Tuple tuple(int at, int n) throws IOException {
        Object[] items = new Object[n];
        for (int i = n - 1; i >= 0; i--) {
            items[i] = pop(at);
        }
        return new Tuple(java.util.Arrays.asList(items));
    }

    private @Nullable Object get(int at, long index) throws IOException {
        if (!memo.containsKey(index)) {
            throw error(at, "memo entry " + index + " was never stored");
        }
        return memo.get(index);
    }

    @SuppressWarnings("unchecked")
    private List<@Nullable Object> list(int at) throws IOException {
        if (!(peek(at) instanceof ArrayList<?> l)) {
            throw error(at, "APPEND to something that is not a list");
        }
        return (List<Object>) l;
    }

    @SuppressWarnings("unchecked")
    private Map<Object, @Nullable Object> dict(int at) throws IOException {
        if (!(peek(at) instanceof LinkedHashMap<?, ?> d)) {
            throw error(at, "SETITEM on something that is not a dict");
        }
        return (Map<Object, Object>) d;
    }

    private void putAll(int at, Map<Object, @Nullable Object> d, List<@Nullable Object> items) throws IOException {
        if (items.size() % 2 != 0) {
            throw error(at, "odd number of dict items");
        }
        for (int i = 0; i < items.size(); i += 2) {
            d.put(key(at, items.get(i)), items.get(i + 1));
        }
    }

    /**
     * Dict keys are limited to scalars: a container key could contain itself (through the memo)
     * and hashing it would never end.
     */
    private Object key(int at, @Nullable Object k) throws IOException {
        if (k instanceof String || k instanceof Long || k instanceof BigInteger || k instanceof Double || k instanceof Boolean) {
            return k;
        }
        throw error(at, "dict key of type " + typeName(k) + " (only strings and numbers are supported)");
    }

    /**
     * A value for a message, bounded whatever the value: scalars as themselves (long integers and
     * strings shortened), containers by their type and size, never their contents.
     */
    static String describe(@Nullable Object v) {
        if (v == null || v instanceof Long || v instanceof Double || v instanceof Boolean) {
            return String.valueOf(v);
        }
        if (v instanceof BigInteger b) {
            return b.bitLength() <= 256 ? b.toString() : "an int of " + b.bitLength() + " bits";
        }
        if (v instanceof String s) {
            return "'" + (s.length() <= 80 ? s : s.substring(0, 80) + "...") + "'";
        }
        if (v instanceof byte[] b) {
            return "bytes of length " + b.length;
        }
        if (v instanceof List<?> l) {
            return "a list of " + l.size() + " items";
        }
        if (v instanceof Map<?, ?> m) {
            return "a dict of " + m.size() + " items";
        }
        if (v instanceof Tuple t) {
            return "a tuple of " + t.size() + " items";
        }
        return typeName(v);
    }

    /** Python's name for the type of a value built here, for messages. */
    static String typeName(@Nullable Object v) {
        if (v == null) {
            return "None";
        }
        if (v instanceof String) {
            return "str";
        }
        if (v instanceof Long || v instanceof BigInteger) {
            return "int";
        }
        if (v instanceof Double) {
            return "float";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof byte[]) {
            return "bytes";
        }
        if (v instanceof List) {
            return "list";
        }
        if (v instanceof Map) {
            return "dict";
        }
        if (v instanceof Tuple) {
            return "tuple";
        }
        if (v instanceof Global g) {
            return "global " + g;
        }
        return v.getClass().getSimpleName();
    }
}
