package dev.tinify.dsl;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Resolves a spec for given parameter values (computed by {@link ParamResolver}; the zoo section
 * is checked by {@link ZooCheck}): evaluates every argument, fills in catalog defaults, expands
 * {@code repeat} and per-group templates, follows {@code $references} and checks that channel
 * counts chain. The result is a tree of {@link Part}s with plain values,
 * ready to be built by a runtime without evaluating anything itself.
 */
public final class Resolver {
    /** Name of the template variable inside per-group templates. */
    public static final String GROUP_VAR = "k";

    private final Spec spec;
    private final SourceMap src;
    private final Map<String, Object> params = new LinkedHashMap<>();
    private final Map<String, Part> modules = new LinkedHashMap<>();
    private final Set<String> referenced = new HashSet<>();
    /** The top-level module being expanded, to tell a reference cycle from an unknown name. */
    private String expanding = "";

    private Resolver(Spec spec) {
        this.spec = spec;
        this.src = spec.source();
    }

    /**
     * One resolved part. {@code kind} is the declaration of its kind, null for a list of layers
     * (whose children are {@code items}). {@code args} holds every catalog argument with its value:
     * {@link Long}, {@link Double}, {@link Boolean}, {@link String}, a list of those, a {@link Part}
     * for layer and codec arguments, or an ordered map {@code y0, y1, ...} of parts for per-group
     * templates. Absent optional parts are missing from {@code args}. {@code ref} is the top-level
     * name when the part was written as {@code $name} (it is then owned by the top level).
     * {@code in}/{@code out} are channel counts, null where channels pass through.
     */
    public record Part(String path, @Nullable Kind kind, Map<String, Object> args, List<Part> items,
                       @Nullable Integer in, @Nullable Integer out, @Nullable String ref, long stride, List<Step> steps) {
        public Part {
            args = Collections.unmodifiableMap(new LinkedHashMap<>(args));
            items = List.copyOf(items);
            steps = List.copyOf(steps);
        }

        public boolean isSequence() {
            return kind == null && steps.isEmpty();
        }

        /** Whether this part is a graph module (its {@link #steps}). */
        public boolean isGraph() {
            return !steps.isEmpty();
        }

        /** The kind's name, {@link #SEQUENCE} for a list of layers, {@link #GRAPH} for a graph. */
        public String kindName() {
            return kind != null ? kind.name() : steps.isEmpty() ? SEQUENCE : GRAPH;
        }

        /** An integer argument that fits an int (sizes, strides, counts). */
        public int intArg(String name) {
            return Math.toIntExact((Long) args.get(name));
        }

        public double doubleArg(String name) {
            Object v = args.get(name);
            return v instanceof Long l ? l : (Double) v;
        }

        public boolean boolArg(String name) {
            return (Boolean) args.get(name);
        }

        public String stringArg(String name) {
            return (String) args.get(name);
        }

        public @Nullable Part part(String name) {
            return (Part) args.get(name);
        }

        /** A part argument the declaration requires (or gives a default for), hence always present. */
        public Part child(String name) {
            if (!(args.get(name) instanceof Part p)) {
                throw new IllegalStateException(kindName() + " at " + path + " has no part '" + name + "'");
            }
            return p;
        }

        @SuppressWarnings("unchecked")
        public List<String> stringsArg(String name) {
            return (List<String>) args.get(name);
        }

        /** An integer list argument whose entries fit an int. */
        @SuppressWarnings("unchecked")
        public int[] intsArg(String name) {
            return ((List<Long>) args.get(name)).stream().mapToInt(Math::toIntExact).toArray();
        }

        @SuppressWarnings("unchecked")
        public Map<String, Part> parts(String name) {
            return (Map<String, Part>) args.get(name);
        }

        Part withRef(String name) {
            return new Part(path, kind, args, items, in, out, name, stride, steps);
        }
    }

    /** The name shown for a sequence part. */
    public static final String SEQUENCE = "sequential";

    /** The name shown for a graph part. */
    public static final String GRAPH = "graph";

    /**
     * One resolved step of a graph: its inputs, and either the layer {@code body} applied to them
     * or an {@code op} with its evaluated {@code numbers} ({@link Long} or {@link Double});
     * {@code channels} of its value when known.
     */
    public record Step(String name, List<String> inputs, @Nullable GraphOp op, List<Object> numbers, @Nullable Part body,
                       @Nullable Integer channels) {
        public Step {
            inputs = List.copyOf(inputs);
            numbers = List.copyOf(numbers);
        }
    }

    /**
     * A resolved spec: parameter values, top-level parts, the codec tree, and the factor the input
     * size must be a multiple of (product of the downsampling strides of {@code g_a} and every
     * hyper codec's {@code h_a}).
     */
    public record Resolved(Spec spec, Map<String, Object> params, Map<String, Part> modules, Part latentCodec,
                           int downsamplingFactor) {
        public Resolved {
            params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
            modules = Collections.unmodifiableMap(new LinkedHashMap<>(modules));
        }
    }

    static Resolved resolve(Spec spec, Map<String, ?> overrides) {
        return new Resolver(spec).run(overrides);
    }

    private SpecException error(String srcPath, String path, String problem, String expected) {
        return new SpecException(src.locate(srcPath), path, problem, expected);
    }

    private Resolved run(Map<String, ?> overrides) {
        String nameProblem = SpecLimits.nameProblem(spec.name());
        if (nameProblem != null) {
            throw error("#name", "name", "bad spec name: " + nameProblem,
                    "1 to " + SpecLimits.MAX_NAME_CHARS + " letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        params.putAll(ParamResolver.resolve(spec, overrides));
        ZooCheck.check(spec);
        Eval.Scope scope = Eval.scope(params, null);
        for (Map.Entry<String, Node> e : spec.modules().entrySet()) {
            expanding = e.getKey();
            modules.put(e.getKey(), expand(e.getValue(), Kinds.Namespace.LAYER, e.getKey(), e.getKey(), scope));
        }
        expanding = "latent_codec";
        Part codec = expand(spec.latentCodec(), Kinds.Namespace.CODEC, "latent_codec", "latent_codec", scope);
        if (spec.input() == Spec.Input.VIDEO) {
            return video(codec);
        }
        Part ga = modules.get("g_a");
        Part gs = modules.get("g_s");
        if (ga == null || gs == null) {
            throw error("#", "", "missing required module '" + (ga == null ? "g_a" : "g_s") + "'",
                    "modules g_a (analysis transform) and g_s (synthesis transform)");
        }
        if (ga.out() != null && gs.in() != null && !ga.out().equals(gs.in())) {
            throw error("g_s", "g_s", "channel mismatch: g_s takes " + gs.in() + " channels but g_a produces " + ga.out(),
                    "g_s input channels = " + ga.out() + " (the output of g_a)");
        }
        for (String m : spec.modules().keySet()) {
            if (!m.equals("g_a") && !m.equals("g_s") && !referenced.contains(m)) {
                throw error(m, m, "module '" + m + "' is declared but nothing uses it",
                        "a $" + m + " reference in the latent codec tree, or no such module");
            }
        }
        long hyper = latentStride(codec);
        if (hyper > SpecLimits.MAX_DOWNSAMPLING / ga.stride()) {
            throw error("g_a", "g_a", "downsampling factor " + ga.stride() + " x " + hyper + " (g_a and the hyper transforms) is larger than "
                    + SpecLimits.MAX_DOWNSAMPLING, "strides whose product is at most " + SpecLimits.MAX_DOWNSAMPLING);
        }
        long factor = ga.stride() * hyper;
        return new Resolved(spec, params, modules, codec, (int) factor);
    }

    /**
     * A video spec: the codec tree is the whole frame codec, so every top-level module must be one
     * it references, and frames must be a multiple of the nested strides (a frame codec's
     * transform, times the hyper transforms of the codecs inside it).
     */
    private Resolved video(Part codec) {
        for (String m : spec.modules().keySet()) {
            if (!referenced.contains(m)) {
                throw error(m, m, "module '" + m + "' is declared but nothing uses it",
                        "a $" + m + " reference in the latent codec tree (a video spec has no g_a or g_s)");
            }
        }
        long factor = nestedStride(codec);
        if (factor > SpecLimits.MAX_DOWNSAMPLING) {
            throw error("latent_codec", "latent_codec", "downsampling factor " + factor + " is larger than " + SpecLimits.MAX_DOWNSAMPLING,
                    "strides whose product is at most " + SpecLimits.MAX_DOWNSAMPLING);
        }
        return new Resolved(spec, params, modules, codec, (int) factor);
    }

    /** The stride of the part a codec declares as downsampling, times the largest nested stride of the codecs inside it. */
    private static long nestedStride(Part codec) {
        String arg = codec.kind() == null ? null : codec.kind().latentStride();
        Object own = arg == null ? null : codec.args().get(arg);
        long inner = 1;
        for (Object v : codec.args().values()) {
            if (v instanceof Part p && p.kind() != null && p.kind().namespace() == Kinds.Namespace.CODEC) {
                inner = Math.max(inner, nestedStride(p));
            }
        }
        return Math.multiplyExact(own instanceof Part p ? p.stride() : 1, inner);
    }

    /** The largest stride of a part the codec tree declares as further downsampling the latent. */
    private static long latentStride(Part codec) {
        String arg = codec.kind() == null ? null : codec.kind().latentStride();
        Object own = arg == null ? null : codec.args().get(arg);
        long f = own instanceof Part p ? p.stride() : 1;
        for (Object v : codec.args().values()) {
            if (v instanceof Part p) {
                f = Math.max(f, latentStride(p));
            } else if (v instanceof Map<?, ?> m) {
                for (Object t : m.values()) {
                    f = Math.max(f, latentStride((Part) t));
                }
            }
        }
        return f;
    }

    // ---- tree ----

    /**
     * Expands {@code node}. {@code path} is shown in messages and names parameters (with template
     * instances as y0, y1, ...); {@code srcPath} is where the node was written.
     */
    private Part expand(Node node, Kinds.Namespace ns, String path, String srcPath, Eval.Scope scope) {
        if (node instanceof Expr.Ref r) {
            Part target = modules.get(r.name());
            if (target == null && spec.modules().containsKey(r.name())) {
                throw error(srcPath, path, r.name().equals(expanding)
                        ? "reference cycle: module '" + r.name() + "' refers to itself"
                        : "module '$" + r.name() + "' is declared after '" + expanding + "'" + " (or refers back to it: a cycle)",
                        "a reference to a module declared above this one");
            }
            if (target == null) {
                String near = Kinds.nearest(r.name(), spec.modules().keySet());
                throw error(srcPath, path, "unknown module reference '$" + r.name() + "'" + (near != null ? " (did you mean '$" + near + "'?)" : ""),
                        spec.modules().isEmpty() ? "a module declared under modules" : "one of " + String.join(", ", spec.modules().keySet().stream().map(s -> "$" + s).toList()));
            }
            referenced.add(r.name());
            return target.withRef(r.name());
        }
        if (node instanceof Node.Seq s) {
            return sequence(s.items(), path, srcPath, scope);
        }
        if (node instanceof Node.Graph g) {
            if (ns != Kinds.Namespace.LAYER) {
                throw error(srcPath, path, "found a graph", "a " + ns.label());
            }
            return graph(g, path, srcPath, scope);
        }
        if (node instanceof Expr e) {
            throw error(srcPath, path, "found the value '" + e.text() + "'", "a " + ns.label());
        }
        Node.Call call = (Node.Call) node;
        if (call.kind() == Kinds.REPEAT) {
            return sequence(List.of(call), path, srcPath, scope);
        }
        Kind def = call.kind();
        if (def.namespace() != ns) {
            throw error(srcPath, path, "found the " + def + "", "a " + ns.label());
        }
        Map<String, Object> args = new LinkedHashMap<>();
        for (Kinds.ArgDef a : def.args()) {
            Node v = call.args().get(a.name());
            String argSrc = srcPath + "." + a.name();
            String argPath = path + "." + a.name();
            if (v == null) {
                v = a.defaultValue();
                if (v == null) {
                    continue;
                }
                argSrc = srcPath;
            }
            args.put(a.name(), argValue(a, def, v, argPath, argSrc, args, scope));
        }
        Integer in = channels(def.inArg(), 0, args, def, path, srcPath);
        Integer out = channels(def.outArg(), def.outOffset(), args, def, path, srcPath);
        long stride = def.strideArg() != null && def.downsamples() ? (Long) args.get(def.strideArg()) : 1;
        Part part = new Part(path, def, args, List.of(), in, out, null, stride, List.of());
        checkLinks(part, srcPath);
        return part;
    }

    /** Checks the declared channel equalities between the parts of {@code part}. */
    private void checkLinks(Part part, String srcPath) {
        for (Kind.Link l : part.kind().links()) {
            Part from = part.args().get(l.producer()) instanceof Part p ? p : null;
            Part to = part.args().get(l.consumer()) instanceof Part p ? p : null;
            if (from != null && to != null && from.out() != null && to.in() != null && !from.out().equals(to.in())) {
                throw error(srcPath + "." + l.consumer(), part.path() + "." + l.consumer(),
                        "channel mismatch: " + l.consumer() + " takes " + to.in() + " channels but " + l.producer() + " produces " + from.out(),
                        l.consumer() + " input channels = " + from.out() + " (the output of " + l.producer() + ")");
            }
        }
    }

    private @Nullable Integer channels(@Nullable String arg, int offset, Map<String, Object> args, Kind def, String path, String srcPath) {
        if (arg == null) {
            return null;
        }
        Object v = args.get(arg);
        if (v instanceof List<?> l && l.isEmpty()) {
            throw error(srcPath + "." + arg, path, "argument '" + arg + "' of " + def.name() + " is empty", "a list of positive channel counts");
        }
        long c = (v instanceof List<?> l ? (Long) l.get(l.size() - 1) : (Long) v) + offset;
        if (c <= 0 || c > Integer.MAX_VALUE) {
            throw error(srcPath + "." + arg, path, "argument '" + arg + "' of " + def.name() + " is " + c, "a positive channel count");
        }
        return (int) c;
    }

    private Object argValue(Kinds.ArgDef a, Kind def, Node v, String argPath, String argSrc,
                            Map<String, Object> earlier, Eval.Scope scope) {
        Kinds.Namespace ns = a.type() == Kinds.ArgType.CODEC || a.type() == Kinds.ArgType.CODEC_TEMPLATE
                ? Kinds.Namespace.CODEC : Kinds.Namespace.LAYER;
        switch (a.type()) {
            case LAYER, CODEC -> {
                return expand(v, ns, argPath, argSrc, scope);
            }
            case LAYER_TEMPLATE, CODEC_TEMPLATE -> {
                List<?> over = (List<?>) earlier.get(a.templateOver());
                Map<String, Part> out = new LinkedHashMap<>();
                for (int k = a.templateStart(); k < over.size(); k++) {
                    Eval.Scope inner = Eval.scope(Map.of(GROUP_VAR, (long) k), scope);
                    String name = "y" + k;
                    out.put(name, expand(v, ns, argPath + "." + name, argSrc, inner));
                }
                return Collections.unmodifiableMap(out);
            }
            default -> {
                return value(a, def, (Expr) v, argPath, argSrc, scope);
            }
        }
    }

    private Object value(Kinds.ArgDef a, Kind def, Expr e, String argPath, String argSrc, Eval.Scope scope) {
        String what = "argument '" + a.name() + "' of " + def.name();
        if (a.type() == Kinds.ArgType.CHOICE) {
            String word = e instanceof Expr.Name n ? n.name() : e instanceof Expr.Str s ? s.value() : null;
            if (word == null || !a.choices().contains(word)) {
                throw error(argSrc, argPath, what + " is '" + e.text() + "'", "one of " + String.join(", ", a.choices()));
            }
            return word;
        }
        if (a.type() == Kinds.ArgType.STRING_LIST) {
            if (!(e instanceof Expr.ListOf l)) {
                throw error(argSrc, argPath, what + " is '" + e.text() + "'", a.type().description());
            }
            List<String> out = new ArrayList<>();
            for (Expr item : l.items()) {
                if (item instanceof Expr.Name n) {
                    out.add(n.name());
                } else if (item instanceof Expr.Str s) {
                    out.add(s.value());
                } else {
                    throw error(argSrc, argPath, what + " contains '" + item.text() + "'", "words such as [scales, means]");
                }
            }
            return List.copyOf(out);
        }
        Object v;
        try {
            v = Eval.eval(e, scope);
        } catch (Eval.Problem p) {
            throw error(argSrc, argPath, "bad expression '" + e.text() + "' for " + what + ": " + p.getMessage(), p.expected);
        }
        switch (a.type()) {
            case INT -> {
                if (v instanceof Long) {
                    return v;
                }
                throw error(argSrc, argPath, what + " is " + Eval.show(v) + " (from '" + e.text() + "')", "an integer");
            }
            case FLOAT -> {
                if (v instanceof Long l) {
                    return l.doubleValue();
                }
                if (v instanceof Double) {
                    return v;
                }
                throw error(argSrc, argPath, what + " is " + Eval.show(v), "a number");
            }
            case BOOL -> {
                if (v instanceof Boolean) {
                    return v;
                }
                throw error(argSrc, argPath, what + " is " + Eval.show(v), "true or false");
            }
            case INT_LIST -> {
                if (v instanceof List<?> l && l.stream().allMatch(x -> x instanceof Long)) {
                    return v;
                }
                throw error(argSrc, argPath, what + " is " + Eval.show(v), "a list of integers");
            }
            default -> {
                return v;
            }
        }
    }

    private Part sequence(List<Node> written, String path, String srcPath, Eval.Scope scope) {
        List<Part> items = new ArrayList<>();
        List<String> itemSrc = new ArrayList<>();
        for (int i = 0; i < written.size(); i++) {
            Node n = written.get(i);
            String src = srcPath + "[" + i + "]";
            if (n instanceof Node.Call c && c.kind() == Kinds.REPEAT) {
                Kind def = Kinds.REPEAT;
                long times = (Long) value(def.arg("times"), def, (Expr) c.args().get("times"), path + "[" + items.size() + "]", src + ".times", scope);
                if (times < 1) {
                    throw error(src + ".times", path + "[" + items.size() + "]", "repeat count is " + times, "at least 1");
                }
                for (long t = 0; t < times; t++) {
                    items.add(expand(c.args().get("layer"), Kinds.Namespace.LAYER, path + "[" + items.size() + "]", src + ".layer", scope));
                    itemSrc.add(src);
                }
            } else {
                items.add(expand(n, Kinds.Namespace.LAYER, path + "[" + items.size() + "]", src, scope));
                itemSrc.add(src);
            }
        }
        Integer cur = null;
        String curFrom = null;
        String curPath = null;
        Integer in = null;
        long stride = 1;
        for (int i = 0; i < items.size(); i++) {
            Part p = items.get(i);
            if (p.in() != null) {
                if (cur == null && in == null) {
                    in = p.in();
                }
                if (cur != null && !cur.equals(p.in())) {
                    throw error(itemSrc.get(i), p.path(), "channel mismatch: " + p.path() + " " + describe(p) + " takes " + p.in()
                            + " channels but " + curFrom + " produces " + cur, "input channels = " + cur + " (the output of " + curPath + ")");
                }
            }
            if (p.out() != null) {
                cur = p.out();
                curFrom = p.path() + " " + describe(p);
                curPath = p.path();
            }
            if (p.stride() < 1 || p.stride() > SpecLimits.MAX_DOWNSAMPLING / stride) {
                throw error(itemSrc.get(i), p.path(), "downsampling factor " + stride + " x " + p.stride() + " is larger than "
                        + SpecLimits.MAX_DOWNSAMPLING, "strides whose product is at most " + SpecLimits.MAX_DOWNSAMPLING);
            }
            stride *= p.stride();
        }
        return new Part(path, null, Map.of(), items, in, cur, null, stride, List.of());
    }

    /**
     * A graph module: each step resolved in order, its channels and resolution followed from its
     * inputs (the graph's input has unknown channels and resolution 1), mismatches reported at the step.
     */
    private Part graph(Node.Graph g, String path, String srcPath, Eval.Scope scope) {
        Map<String, Integer> channels = new HashMap<>();
        Map<String, Long> strides = new HashMap<>();
        channels.put(Node.Graph.INPUT, null);
        strides.put(Node.Graph.INPUT, 1L);
        Integer in = null;
        List<Step> steps = new ArrayList<>();
        for (Map.Entry<String, Node.Step> e : g.steps().entrySet()) {
            String name = e.getKey();
            String at = path + "." + name;
            String src = srcPath + "." + name;
            if (params.containsKey(name)) {
                throw error(src, at, "step name '" + name + "' is also a parameter", "a step name that no parameter has");
            }
            Node.Step written = e.getValue();
            long stride = strides.get(written.inputs().get(0));
            Integer inCh = 0;
            for (String i : written.inputs()) {
                if (strides.get(i) != stride) {
                    throw error(src, at, "step '" + name + "' reads " + written.inputs().get(0) + " and " + i + " at different resolutions",
                            "inputs of one resolution");
                }
                Integer c = channels.get(i);
                inCh = inCh == null || c == null ? null : Math.addExact(inCh, c);
            }
            Step step;
            if (written instanceof Node.Apply a) {
                Part body = expand(a.body(), Kinds.Namespace.LAYER, at, src, scope);
                if (body.in() != null && inCh != null && !body.in().equals(inCh)) {
                    throw error(src, at, "channel mismatch: " + at + " takes " + body.in() + " channels but " + String.join(" + ", a.inputs())
                            + " give" + (a.inputs().size() == 1 ? "s " : " ") + inCh, "input channels = " + inCh);
                }
                if (in == null && a.inputs().equals(List.of(Node.Graph.INPUT))) {
                    in = body.in();
                }
                step = new Step(name, a.inputs(), null, List.of(), body, body.out() != null ? body.out() : inCh);
                stride = Math.multiplyExact(stride, body.stride());
            } else {
                Node.Op o = (Node.Op) written;
                List<Object> numbers = new ArrayList<>();
                for (Expr x : o.numbers()) {
                    numbers.add(number(o.op(), x, at, src, scope));
                }
                step = new Step(name, o.inputs(), o.op(), numbers, null, opChannels(o, numbers, channels, inCh, at, src));
            }
            if (stride > SpecLimits.MAX_DOWNSAMPLING) {
                throw error(src, at, "downsampling factor " + stride + " is larger than " + SpecLimits.MAX_DOWNSAMPLING,
                        "strides whose product is at most " + SpecLimits.MAX_DOWNSAMPLING);
            }
            steps.add(step);
            channels.put(name, step.channels());
            strides.put(name, stride);
        }
        Step last = steps.get(steps.size() - 1);
        return new Part(path, null, Map.of(), List.of(), in, last.channels(), null, strides.get(last.name()), steps);
    }

    /** A number of a graph operation: integers for slice and chunk, any number for mul. */
    private Object number(GraphOp op, Expr e, String at, String src, Eval.Scope scope) {
        Object v;
        try {
            v = Eval.eval(e, scope);
        } catch (Eval.Problem p) {
            throw error(src, at, "bad expression '" + e.text() + "' in " + op.word() + ": " + p.getMessage(), p.expected);
        }
        if (v instanceof Long || (op == GraphOp.MUL && v instanceof Double)) {
            return v;
        }
        throw error(src, at, op.word() + " has " + Eval.show(v) + " (from '" + e.text() + "')", op.signature()
                + (op == GraphOp.MUL ? " with a number" : " with integers"));
    }

    /** The channels an operation gives, checking its numbers against its input where the channels are known. */
    private @Nullable Integer opChannels(Node.Op o, List<Object> numbers, Map<String, Integer> channels, @Nullable Integer sum,
                                         String at, String src) {
        Integer first = channels.get(o.inputs().get(0));
        return switch (o.op()) {
            case CONCAT -> sum;
            case ADD, MUL -> {
                Integer known = first;
                for (String i : o.inputs()) {
                    Integer c = channels.get(i);
                    if (known != null && c != null && !known.equals(c)) {
                        throw error(src, at, o.op().word() + " of " + known + " and " + c + " channels", "inputs of equal channels");
                    }
                    known = known != null ? known : c;
                }
                yield known;
            }
            case SLICE -> {
                long start = (Long) numbers.get(0);
                long end = (Long) numbers.get(1);
                if (start < 0 || end < start || (first != null && end > first) || end - start > Integer.MAX_VALUE) {
                    throw error(src, at, "slice of channels " + start + " to " + end + (first != null ? " of " + first : ""),
                            "0 <= START <= END" + (first != null ? " <= " + first : "") + ", at most " + Integer.MAX_VALUE + " channels");
                }
                yield (int) (end - start);
            }
            case CHUNK -> {
                long n = (Long) numbers.get(0);
                long i = (Long) numbers.get(1);
                if (n < 1 || i < 0 || i >= n || (first != null && first % n != 0)) {
                    throw error(src, at, "chunk " + i + " of " + n + (first != null ? " of " + first + " channels" : ""),
                            "0 <= I < N, N dividing the channels");
                }
                yield first == null ? null : Math.toIntExact(first / n);
            }
        };
    }

    private static String describe(Part p) {
        if (p.kind() == null) {
            return p.isGraph() ? "a graph" : "a sequence";
        }
        StringBuilder sb = new StringBuilder(p.kindName()).append('(');
        boolean first = true;
        for (Map.Entry<String, Object> a : p.args().entrySet()) {
            if (a.getValue() instanceof Long) {
                sb.append(first ? "" : ", ").append(a.getValue());
                first = false;
            }
        }
        return sb.append(')').toString();
    }
}
