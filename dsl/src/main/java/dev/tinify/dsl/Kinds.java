package dev.tinify.dsl;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.jspecify.annotations.Nullable;

/**
 * The catalog of kinds a spec may use: every {@link Kind} declaration that a {@link KindProvider}
 * on the class path supplies (Tinify's own and any a user's jar adds), so that a spec can be
 * checked without running anything. Layer kinds appear in {@code modules} and inside transforms;
 * codec kinds appear in the {@code latent_codec} tree.
 */
public final class Kinds {
    private Kinds() {}

    /** Where a kind may appear. */
    public enum Namespace {
        /** Transforms, layers and entropy models. */
        LAYER("layer"),
        /** Latent codecs. */
        CODEC("latent codec");

        private final String label;

        Namespace(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** What an argument holds. */
    public enum ArgType {
        INT("an integer"), FLOAT("a number"), BOOL("true or false"), CHOICE("one of the listed words"),
        INT_LIST("a list of integers"), STRING_LIST("a list of words"), INT_OR_INT_LIST("an integer or list of integers"),
        LAYER("a layer, a list of layers or a $reference"), CODEC("a latent codec or a $reference"),
        LAYER_TEMPLATE("a layer or list of layers, repeated per group (variable k)"),
        CODEC_TEMPLATE("a latent codec, repeated per group (variable k)");

        private final String description;

        ArgType(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }

        /** True for arguments that hold modules or codecs rather than values. */
        public boolean structural() {
            return this == LAYER || this == CODEC || this == LAYER_TEMPLATE || this == CODEC_TEMPLATE;
        }
    }

    /**
     * One argument. {@code defaultValue} is null for required arguments and for optional ones that
     * are simply absent by default ({@code required == false}). Template arguments are instantiated
     * once per entry of the list argument {@code templateOver}, starting at index
     * {@code templateStart}, named {@code y0, y1, ...}.
     */
    public record ArgDef(String name, ArgType type, boolean required, @Nullable Node defaultValue,
                         List<String> choices, @Nullable String templateOver, int templateStart) {
        public ArgDef {
            choices = List.copyOf(choices);
        }
    }

    /** The structural {@code repeat(times, layer)} shorthand, expanded by the resolver. */
    public static final Kind REPEAT = Kind.layer("repeat", "(spec shorthand) the layer written times times in a row")
            .required("times", ArgType.INT).required("layer", ArgType.LAYER).build();

    /** The declarations of every provider on the class path, loaded once. */
    private static final class Catalog {
        static final Map<String, Kind> LAYERS = new LinkedHashMap<>();
        static final Map<String, Kind> CODECS = new LinkedHashMap<>();

        static {
            for (KindProvider p : ServiceLoader.load(KindProvider.class, Kinds.class.getClassLoader())) {
                for (Kind k : p.kinds()) {
                    add(k, p.getClass().getName());
                }
            }
            add(REPEAT, "the spec language");
        }

        private static void add(Kind k, String from) {
            Kind old = (k.namespace() == Namespace.LAYER ? LAYERS : CODECS).putIfAbsent(k.name(), k);
            if (old != null && old != k) {
                throw new IllegalStateException("two " + k.namespace().label() + " kinds named '" + k.name() + "' (the second from " + from + ")");
            }
        }
    }

    /** The kind, or null. */
    public static @Nullable Kind find(Namespace ns, String name) {
        return map(ns).get(name);
    }

    /** All kinds of a namespace, in catalog order. */
    public static Collection<Kind> all(Namespace ns) {
        return Collections.unmodifiableCollection(map(ns).values());
    }

    private static Map<String, Kind> map(Namespace ns) {
        return ns == Namespace.LAYER ? Catalog.LAYERS : Catalog.CODECS;
    }

    /** The closest of {@code candidates} to {@code word} by edit distance, or null if none is close. */
    public static @Nullable String nearest(String word, Collection<String> candidates) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(word, c);
            if (d < bestD) {
                bestD = d;
                best = c;
            }
        }
        return best != null && bestD <= Math.max(2, word.length() / 2) ? best : null;
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int x = 1; x <= a.length(); x++) {
            cur[0] = x;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(x - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    static List<String> names(Namespace ns) {
        return new ArrayList<>(map(ns).keySet());
    }
}
