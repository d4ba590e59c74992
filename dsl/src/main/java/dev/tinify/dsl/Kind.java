package dev.tinify.dsl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The one declaration of a kind (a layer, an entropy model or a latent codec): its name, the
 * CompressAI class it mirrors, its arguments in positional order with types and defaults, and its
 * channel and stride rule. Everything that reads specs works from this object: the reader, the
 * writer, the resolver, the typed builders, and the runtime, which binds its implementation to
 * the declaration object itself. Declarations reach the {@link Kinds catalog} through a
 * {@link KindProvider}.
 *
 * <p>Channel rule: {@code in}/{@code out} name the arguments holding the input and output channel
 * counts (both null: channels pass through). Stride rule: {@code stride} names the argument holding
 * the spatial factor, {@code downsamples} says which way it goes. {@code links} are channel
 * equalities between parts of a codec ({@code h_a} produces what {@code entropy_bottleneck}
 * codes), and {@code latentStride} names the part whose stride the input size must also be a
 * multiple of (a hyper codec's {@code h_a}).
 */
public final class Kind {
    /** A channel equality between two parts: the output of {@code producer} is the input of {@code consumer}. */
    public record Link(String producer, String consumer) {}

    private final String name;
    private final Kinds.Namespace namespace;
    private final String compressai;
    private final List<Kinds.ArgDef> args;
    private final @Nullable String inArg;
    private final @Nullable String outArg;
    private final int outOffset;
    private final @Nullable String strideArg;
    private final boolean downsamples;
    private final List<Link> links;
    private final @Nullable String latentStride;

    private Kind(Builder b) {
        this.name = b.name;
        this.namespace = b.namespace;
        this.compressai = b.compressai;
        this.args = List.copyOf(b.args);
        this.inArg = b.inArg;
        this.outArg = b.outArg;
        this.outOffset = b.outOffset;
        this.strideArg = b.strideArg;
        this.downsamples = b.downsamples;
        this.links = List.copyOf(b.links);
        this.latentStride = b.latentStride;
    }

    /** Starts the declaration of a layer kind (also entropy models: they appear where layers do). */
    public static Builder layer(String name, String compressai) {
        return new Builder(name, Kinds.Namespace.LAYER, compressai);
    }

    /** Starts the declaration of a latent codec kind. */
    public static Builder codec(String name, String compressai) {
        return new Builder(name, Kinds.Namespace.CODEC, compressai);
    }

    public String name() {
        return name;
    }

    public Kinds.Namespace namespace() {
        return namespace;
    }

    /** The CompressAI class (or function) this kind mirrors. */
    public String compressai() {
        return compressai;
    }

    /** Arguments in positional order. */
    public List<Kinds.ArgDef> args() {
        return args;
    }

    public @Nullable String inArg() {
        return inArg;
    }

    public @Nullable String outArg() {
        return outArg;
    }

    /** Channels the output has besides the {@link #outArg()} count (a point cloud's 3 coordinates). */
    public int outOffset() {
        return outOffset;
    }

    public @Nullable String strideArg() {
        return strideArg;
    }

    public boolean downsamples() {
        return downsamples;
    }

    public List<Link> links() {
        return links;
    }

    public @Nullable String latentStride() {
        return latentStride;
    }

    public Kinds.@Nullable ArgDef arg(String argName) {
        for (Kinds.ArgDef a : args) {
            if (a.name().equals(argName)) {
                return a;
            }
        }
        return null;
    }

    /** {@code conv(in_channels, out_channels, kernel_size=5, stride=2)}. */
    public String signature() {
        StringBuilder sb = new StringBuilder(name).append('(');
        for (int i = 0; i < args.size(); i++) {
            Kinds.ArgDef a = args.get(i);
            sb.append(i > 0 ? ", " : "").append(a.name());
            if (a.defaultValue() != null) {
                sb.append('=').append(a.defaultValue() instanceof Expr e ? e.text() : "...");
            } else if (!a.required()) {
                sb.append("=none");
            }
        }
        return sb.append(')').toString();
    }

    /**
     * A use of this kind, for typed factories: {@code values} in declaration order, a null value
     * meaning "not written" (the declared default applies). Values are {@link Node}s, numbers
     * (including {@link IntExpr}), booleans, lists, or strings read as spec expressions.
     */
    public Node.Call call(@Nullable Object... values) {
        if (values.length > args.size()) {
            throw new SpecException(Location.NONE, name, name + " takes at most " + args.size() + " arguments but " + values.length
                    + " were given", signature());
        }
        Map<String, Object> named = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null) {
                named.put(args.get(i).name(), values[i]);
            }
        }
        return call(List.of(), named);
    }

    /**
     * A use of this kind: positional values first, in declaration order, then named ones.
     * Values are as for {@link #call(Object...)}.
     */
    public Node.Call call(List<?> positional, Map<String, ?> named) {
        List<Node> pos = new ArrayList<>();
        for (Object v : positional) {
            pos.add(SpecBuilder.node(v, name));
        }
        Map<String, Node> nam = new LinkedHashMap<>();
        named.forEach((k, v) -> nam.put(k, SpecBuilder.node(v, name + "." + k)));
        return Canon.call(this, pos, nam, name, key -> Location.NONE, new HashMap<>());
    }

    @Override
    public String toString() {
        return namespace.label() + " kind " + name;
    }

    /** Declares a kind step by step; arguments are added in positional order. */
    public static final class Builder {
        private final String name;
        private final Kinds.Namespace namespace;
        private final String compressai;
        private final List<Kinds.ArgDef> args = new ArrayList<>();
        private @Nullable String inArg;
        private @Nullable String outArg;
        private int outOffset;
        private @Nullable String strideArg;
        private boolean downsamples = true;
        private final List<Link> links = new ArrayList<>();
        private @Nullable String latentStride;

        private Builder(String name, Kinds.Namespace namespace, String compressai) {
            this.name = Objects.requireNonNull(name);
            this.namespace = namespace;
            this.compressai = Objects.requireNonNull(compressai);
        }

        private Builder add(Kinds.ArgDef a) {
            if (args.stream().anyMatch(x -> x.name().equals(a.name()))) {
                throw new IllegalArgumentException(name + ": argument '" + a.name() + "' declared twice");
            }
            args.add(a);
            return this;
        }

        /** A required argument. */
        public Builder required(String arg, Kinds.ArgType type) {
            return add(new Kinds.ArgDef(arg, type, true, null, List.of(), null, 0));
        }

        /** An optional argument with a default written as a spec expression ({@code "5"}, {@code "[3, 3]"}). */
        public Builder optional(String arg, Kinds.ArgType type, String dflt) {
            return add(new Kinds.ArgDef(arg, type, false, ExprParser.parse(dflt), List.of(), null, 0));
        }

        /** An optional part with a default part (e.g. a default entropy model). */
        public Builder optional(String arg, Kinds.ArgType type, Node dflt) {
            return add(new Kinds.ArgDef(arg, type, false, dflt, List.of(), null, 0));
        }

        /** An optional argument that is simply absent when not written. */
        public Builder optional(String arg, Kinds.ArgType type) {
            return add(new Kinds.ArgDef(arg, type, false, null, List.of(), null, 0));
        }

        /** One word out of {@code options}, {@code dflt} when not written. */
        public Builder choice(String arg, String dflt, String... options) {
            return add(new Kinds.ArgDef(arg, Kinds.ArgType.CHOICE, false, ExprParser.parse(dflt), Arrays.asList(options), null, 0));
        }

        /**
         * A part written once and built per entry of the list argument {@code over} from index
         * {@code start} on, with the group index as variable {@code k}; instances are named y0, y1, ...
         */
        public Builder template(String arg, Kinds.ArgType type, String over, int start) {
            return add(new Kinds.ArgDef(arg, type, true, null, List.of(), over, start));
        }

        /** The arguments holding input and output channel counts. */
        public Builder channels(@Nullable String in, String out) {
            return channels(in, out, 0);
        }

        /**
         * The arguments holding input and output channel counts; the output has {@code outOffset}
         * channels more than {@code out} says. An integer-list {@code out} counts by its last entry
         * (a multi-layer perceptron's widths).
         */
        public Builder channels(@Nullable String in, String out, int outOffset) {
            this.inArg = in;
            this.outArg = out;
            this.outOffset = outOffset;
            return this;
        }

        /** The argument holding a downsampling factor. */
        public Builder downsamples(String stride) {
            this.strideArg = stride;
            this.downsamples = true;
            return this;
        }

        /** The argument holding an upsampling factor. */
        public Builder upsamples(String factor) {
            this.strideArg = factor;
            this.downsamples = false;
            return this;
        }

        /** The output channels of part {@code producer} must equal the input channels of part {@code consumer}. */
        public Builder link(String producer, String consumer) {
            links.add(new Link(producer, consumer));
            return this;
        }

        /** The input size must also be a multiple of the stride of part {@code arg}. */
        public Builder latentStride(String arg) {
            this.latentStride = arg;
            return this;
        }

        public Kind build() {
            for (String a : new String[] {inArg, outArg, strideArg, latentStride}) {
                if (a != null && args.stream().noneMatch(x -> x.name().equals(a))) {
                    throw new IllegalArgumentException(name + ": rule names undeclared argument '" + a + "'");
                }
            }
            return new Kind(this);
        }
    }
}
