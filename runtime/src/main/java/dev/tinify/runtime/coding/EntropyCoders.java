package dev.tinify.runtime.coding;

import java.util.List;
import java.util.Map;

/**
 * The entropy coders by name ({@code ans}, {@code range}) and the process-wide default used when a
 * codec is not told which one to use ({@code ans}, CompressAI's).
 */
public final class EntropyCoders {
    private static final Map<String, EntropyCoder> CODERS =
            Map.of(RansCoder.NAME, new RansCoder(), RangeCoder.NAME, new RangeCoder());
    private static final List<String> NAMES = CODERS.keySet().stream().sorted().toList();

    private static volatile EntropyCoder defaultCoder = CODERS.get(RansCoder.NAME);

    private EntropyCoders() {}

    /** Names of the available coders, sorted. */
    public static List<String> available() {
        return NAMES;
    }

    /** The coder called {@code name}; IllegalArgumentException naming the available ones otherwise. */
    public static EntropyCoder get(String name) {
        EntropyCoder c = CODERS.get(name);
        if (c == null) {
            throw new IllegalArgumentException("unknown entropy coder '" + name + "'; available: "
                    + String.join(", ", NAMES));
        }
        return c;
    }

    /** The default coder ({@code ans} unless changed with {@link #setDefault}). */
    public static EntropyCoder defaultCoder() {
        return defaultCoder;
    }

    /** Makes {@code name} the default coder for the whole process. */
    public static void setDefault(String name) {
        defaultCoder = get(name);
    }
}
