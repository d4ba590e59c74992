package dev.tinify.dsl;

import org.jspecify.annotations.Nullable;

/**
 * The operations a {@link Node.Graph graph module} combines or cuts its values with, all along the
 * channel axis or element-wise. A step is written {@code op(inputs..., numbers...)}.
 */
public enum GraphOp {
    /** {@code concat(a, b, ...)}: the inputs side by side along the channels. */
    CONCAT("concat", 2, Integer.MAX_VALUE, 0, "concat(a, b, ...)"),
    /** {@code add(a, b, ...)}: the element-wise sum. */
    ADD("add", 2, Integer.MAX_VALUE, 0, "add(a, b, ...)"),
    /** {@code mul(a, b)} or {@code mul(a, 0.5)}: the element-wise product, or the input times a number. */
    MUL("mul", 1, 2, 1, "mul(a, b) or mul(a, NUMBER)"),
    /** {@code slice(a, start, end)}: channels {@code start} to {@code end - 1}. */
    SLICE("slice", 1, 1, 2, "slice(a, START, END)"),
    /** {@code chunk(a, n, i)}: the {@code i}-th of {@code n} equal channel chunks ({@code torch.chunk}). */
    CHUNK("chunk", 1, 1, 2, "chunk(a, N, I)");

    private final String word;
    private final int minInputs;
    private final int maxInputs;
    private final int numbers;
    private final String signature;

    GraphOp(String word, int minInputs, int maxInputs, int numbers, String signature) {
        this.word = word;
        this.minInputs = minInputs;
        this.maxInputs = maxInputs;
        this.numbers = numbers;
        this.signature = signature;
    }

    /** The name written in a spec. */
    public String word() {
        return word;
    }

    /** How the step is written, for messages. */
    public String signature() {
        return signature;
    }

    int minInputs() {
        return minInputs;
    }

    int maxInputs() {
        return maxInputs;
    }

    /**
     * How many numbers follow the inputs: exactly this many, except for {@link #MUL}, whose second
     * operand is a number or an input (one of the two).
     */
    int numbers() {
        return numbers;
    }

    /** The operation written {@code word}, or null. */
    public static @Nullable GraphOp of(String word) {
        for (GraphOp op : values()) {
            if (op.word.equals(word)) {
                return op;
            }
        }
        return null;
    }
}
