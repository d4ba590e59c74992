package dev.tinify.dsl;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;


/**
 * Reads a spec from YAML. The text is first read into a tree that keeps every token's line and
 * column (Jackson's streaming {@code YAMLParser}), so that every error names the file, line and
 * column, the module path and what was expected. The spec is then checked with its default
 * parameters ({@link Resolver}), so a spec that reads is a spec that compiles.
 *
 * <pre>{@code
 * tinify: 1
 * name: bmshj2018-factorized
 * params: {N: 128, M: 192}
 * modules:
 *   g_a:
 *     - conv(3, N, 5, 2)
 *     - gdn(N)
 *     ...
 *   entropy_bottleneck: entropy_bottleneck(M)
 * latent_codec: entropy_bottleneck($entropy_bottleneck)
 * }</pre>
 */
public final class SpecReader {
    private static final List<String> SECTIONS = List.of("tinify", "name", "description", "input", "params", "zoo", "modules", "latent_codec");

    private final String file;
    private final String[] lines;
    private final Map<String, Location> record = new HashMap<>();

    private SpecReader(String file, String text) {
        this.file = file;
        this.lines = text.split("\n", -1);
    }

    /** Reads and checks a spec file (at most {@value SpecLimits#MAX_SPEC_BYTES} bytes, checked before reading). */
    public static Spec read(Path path) {
        try {
            long size = Files.size(path);
            if (size > SpecLimits.MAX_SPEC_BYTES) {
                throw new SpecException(new Location(path.getFileName().toString(), 1, 1), "", "the file has " + size + " bytes",
                        "a spec of at most " + SpecLimits.MAX_SPEC_BYTES + " bytes");
            }
            return read(path.getFileName().toString(), Files.readString(path, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read spec " + path + ": " + e.getMessage(), e);
        }
    }

    /** Reads and checks a spec from a stream (e.g. a class-path resource) named {@code file} in messages. */
    public static Spec read(String file, InputStream in) {
        try {
            return read(file, new String(in.readNBytes(SpecLimits.MAX_SPEC_BYTES + 1), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read spec " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads and checks spec text; {@code file} names it in messages. */
    public static Spec read(String file, String text) {
        if (text.length() > SpecLimits.MAX_SPEC_BYTES) {
            throw new SpecException(new Location(file, 1, 1), "", "the spec has more than " + SpecLimits.MAX_SPEC_BYTES + " characters",
                    "a spec of at most " + SpecLimits.MAX_SPEC_BYTES + " bytes");
        }
        Spec spec = new SpecReader(file, text).parse(text);
        Resolver.resolve(spec, Map.of());
        return spec;
    }

    // ---- located YAML tree ----

    private sealed interface LNode permits LScalar, LSeq, LMap {
        Location loc();
    }

    private record LScalar(String text, JsonToken token, boolean quoted, Location loc) implements LNode {}

    private record LSeq(List<LNode> items, Location loc) implements LNode {}

    private record LEntry(String key, Location keyLoc, LNode value) {}

    private record LMap(Map<String, LEntry> entries, Location loc) implements LNode {}

    private Location loc(JsonLocation l) {
        return new Location(file, Math.max(1, l.getLineNr()), Math.max(1, l.getColumnNr()));
    }

    private LNode tree(String text) {
        try (JsonParser p = new YAMLFactory().createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new SpecException(new Location(file, 1, 1), "", "the file is empty", "a YAML mapping starting with 'tinify: 1'");
            }
            LNode root = value(p, t);
            if (p.nextToken() != null) {
                // Jackson reads YAML documents one after another; a spec is exactly one.
                throw new SpecException(loc(p.currentTokenLocation()), "", "a second YAML document", "one spec per file (no '---' after it)");
            }
            return root;
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            Location at = l != null ? loc(l) : new Location(file, 1, 1);
            String msg = e.getOriginalMessage().lines().findFirst().orElse("malformed YAML");
            throw new SpecException(at, "", "bad YAML syntax: " + msg, "well-formed YAML (check indentation, ':' and brackets)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private LNode value(JsonParser p, JsonToken t) throws IOException {
        Location at = loc(p.currentTokenLocation());
        switch (t) {
            case START_OBJECT -> {
                Map<String, LEntry> entries = new LinkedHashMap<>();
                while ((t = p.nextToken()) != JsonToken.END_OBJECT) {
                    String key = p.currentName();
                    Location keyLoc = loc(p.currentTokenLocation());
                    if (entries.containsKey(key)) {
                        throw new SpecException(keyLoc, "", "duplicate name '" + key + "' (first at line "
                                + entries.get(key).keyLoc().line() + ")", "each name once in a mapping");
                    }
                    LNode v = value(p, p.nextToken());
                    entries.put(key, new LEntry(key, keyLoc, v));
                }
                return new LMap(entries, at);
            }
            case START_ARRAY -> {
                List<LNode> items = new ArrayList<>();
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    items.add(value(p, t));
                }
                return new LSeq(items, at);
            }
            default -> {
                String text = t == JsonToken.VALUE_NULL ? "" : p.getText();
                return new LScalar(text, t, quotedAt(at), at);
            }
        }
    }

    private boolean quotedAt(Location at) {
        if (at.line() - 1 < lines.length) {
            String line = lines[at.line() - 1];
            int c = at.column() - 1;
            return c < line.length() && (line.charAt(c) == '"' || line.charAt(c) == '\'');
        }
        return false;
    }

    // ---- spec ----

    private Spec parse(String text) {
        LNode root = tree(text);
        record.put("#", new Location(file, 1, 1));
        LMap top = asMap(root, "", "the spec as a mapping of sections (tinify, name, params, modules, latent_codec)");
        for (LEntry e : top.entries().values()) {
            if (!SECTIONS.contains(e.key())) {
                String near = Kinds.nearest(e.key(), SECTIONS);
                throw new SpecException(e.keyLoc(), "", "unknown section '" + e.key() + "'" + (near != null ? " (did you mean '" + near + "'?)" : ""),
                        "one of " + String.join(", ", SECTIONS));
            }
        }
        LScalar version = asScalar(required(top, "tinify"), "tinify", "the format version 1");
        if (!version.text().equals(String.valueOf(Spec.FORMAT))) {
            throw new SpecException(version.loc(), "tinify", "unsupported format version '" + version.text() + "'", "tinify: " + Spec.FORMAT);
        }
        LScalar nameNode = asScalar(required(top, "name"), "name", "the architecture name");
        record.put("#name", nameNode.loc());
        String name = nameNode.text();
        LEntry d = top.entries().get("description");
        String description = d == null ? "" : asScalar(d.value(), "description", "free text").text();
        Spec.Input input = Spec.Input.IMAGE;
        LEntry ie = top.entries().get("input");
        if (ie != null) {
            LScalar word = asScalar(ie.value(), "input", "image, points or video");
            input = switch (word.text()) {
                case "image" -> Spec.Input.IMAGE;
                case "points" -> Spec.Input.POINTS;
                case "video" -> Spec.Input.VIDEO;
                default -> throw new SpecException(word.loc(), "input", "unknown input '" + word.text() + "'", "image, points or video");
            };
        }

        Map<String, Expr> params = new LinkedHashMap<>();
        LEntry pe = top.entries().get("params");
        if (pe != null) {
            record.put("#params", pe.value().loc());
            for (LEntry e : asMap(pe.value(), "params", "parameters such as {N: 128, M: 192}").entries().values()) {
                record.put("#params." + e.key(), e.value().loc());
                params.put(e.key(), expr(e.value(), "params." + e.key()));
            }
        }
        LEntry ze = top.entries().get("zoo");
        Zoo zoo = ze == null ? null : zoo(ze.value());

        Map<String, Node> modules = new LinkedHashMap<>();
        LMap mods = asMap(required(top, "modules"), "modules", "named modules such as g_a: [conv(3, N, 5, 2), ...]");
        for (LEntry e : mods.entries().values()) {
            record.put(e.key(), e.keyLoc());
            modules.put(e.key(), node(e.value(), Kinds.Namespace.LAYER, e.key()));
        }
        Node codec = node(required(top, "latent_codec"), Kinds.Namespace.CODEC, "latent_codec");
        return new Spec(name, description, params, zoo, modules, codec, new SourceMap(file, record), input);
    }

    private Zoo zoo(LNode n) {
        LMap m = asMap(n, "zoo", "metrics, qualities and lambda");
        for (LEntry e : m.entries().values()) {
            if (!List.of("metrics", "qualities", "lambda").contains(e.key())) {
                throw new SpecException(e.keyLoc(), "zoo", "unknown zoo entry '" + e.key() + "'", "metrics, qualities or lambda");
            }
        }
        List<String> metrics = new ArrayList<>();
        LEntry me = m.entries().get("metrics");
        if (me != null) {
            for (LNode item : asSeq(me.value(), "zoo.metrics", "a list such as [mse, ms-ssim]").items()) {
                metrics.add(asScalar(item, "zoo.metrics", "a metric name").text());
            }
        }
        Map<Integer, Map<String, Expr>> qualities = new LinkedHashMap<>();
        LEntry qe = m.entries().get("qualities");
        LMap qm = asMap(qe == null ? required(m, "qualities") : qe.value(), "zoo.qualities", "quality: {param: value}");
        for (LEntry e : qm.entries().values()) {
            int q;
            try {
                q = Integer.parseInt(e.key());
            } catch (NumberFormatException ex) {
                throw new SpecException(e.keyLoc(), "zoo.qualities", "quality '" + e.key() + "' is not a number", "quality levels 1, 2, 3, ...");
            }
            record.put("#zoo.qualities." + q, e.keyLoc());
            Map<String, Expr> values = new LinkedHashMap<>();
            for (LEntry v : asMap(e.value(), "zoo.qualities." + q, "{param: value}").entries().values()) {
                record.put("#zoo.qualities." + q + "." + v.key(), v.keyLoc());
                values.put(v.key(), expr(v.value(), "zoo.qualities." + q + "." + v.key()));
            }
            qualities.put(q, values);
        }
        Map<String, List<Double>> lambdas = new LinkedHashMap<>();
        LEntry le = m.entries().get("lambda");
        if (le != null) {
            for (LEntry e : asMap(le.value(), "zoo.lambda", "metric: [lambda per quality]").entries().values()) {
                record.put("#zoo.lambda." + e.key(), e.keyLoc());
                List<Double> values = new ArrayList<>();
                for (LNode item : asSeq(e.value(), "zoo.lambda." + e.key(), "a list of numbers, one per quality").items()) {
                    LScalar s = asScalar(item, "zoo.lambda." + e.key(), "a number");
                    try {
                        values.add(Double.parseDouble(s.text()));
                    } catch (NumberFormatException ex) {
                        throw new SpecException(s.loc(), "zoo.lambda." + e.key(), "'" + s.text() + "' is not a number", "a number such as 0.0130");
                    }
                }
                lambdas.put(e.key(), values);
            }
        }
        return new Zoo(metrics, qualities, lambdas);
    }

    private LNode required(LMap m, String key) {
        LEntry e = m.entries().get(key);
        if (e == null) {
            throw new SpecException(m.loc(), "", "missing required section '" + key + "'", "'" + key + ":' in this mapping");
        }
        return e.value();
    }

    private LMap asMap(LNode n, String path, String expected) {
        if (n instanceof LMap m) {
            return m;
        }
        throw new SpecException(n.loc(), path, "found " + describe(n), expected);
    }

    private LSeq asSeq(LNode n, String path, String expected) {
        if (n instanceof LSeq s) {
            return s;
        }
        throw new SpecException(n.loc(), path, "found " + describe(n), expected);
    }

    private LScalar asScalar(LNode n, String path, String expected) {
        if (n instanceof LScalar s) {
            return s;
        }
        throw new SpecException(n.loc(), path, "found " + describe(n), expected);
    }

    private static String describe(LNode n) {
        return n instanceof LMap ? "a mapping" : n instanceof LSeq ? "a list" : "'" + ((LScalar) n).text() + "'";
    }

    /** A value: YAML numbers and booleans as they are, strings parsed as expressions, lists as list literals. */
    private Expr expr(LNode n, String path) {
        if (n instanceof LSeq s) {
            List<Expr> items = new ArrayList<>();
            for (LNode item : s.items()) {
                items.add(expr(item, path));
            }
            return new Expr.ListOf(items);
        }
        LScalar s = asScalar(n, path, "a value such as 128 or M*2");
        if (s.token() == JsonToken.VALUE_TRUE || s.token() == JsonToken.VALUE_FALSE) {
            return new Expr.Bool(s.token() == JsonToken.VALUE_TRUE);
        }
        return parseScalar(s, path);
    }

    private Expr parseScalar(LScalar s, String path) {
        try {
            return ExprParser.parse(s.text());
        } catch (ExprParser.Error e) {
            throw new SpecException(s.loc().shift(e.offset + (s.quoted() ? 1 : 0)), path,
                    "bad expression '" + s.text() + "': " + e.getMessage(), e.expected);
        }
    }

    private char charAt(Location at) {
        if (at.line() - 1 < lines.length && at.column() - 1 < lines[at.line() - 1].length()) {
            return lines[at.line() - 1].charAt(at.column() - 1);
        }
        return 0;
    }

    /**
     * A flow sequence of layers such as {@code [conv(3, N, 5, 2), gdn(N)]}. YAML splits flow
     * sequences at every comma, including those between call arguments, so the source text is
     * read again with the expression parser.
     */
    private Node flowSequence(Location start, String path) {
        StringBuilder raw = new StringBuilder();
        List<int[]> positions = new ArrayList<>();
        int depth = 0;
        char quote = 0;
        scan:
        for (int l = start.line() - 1; l < lines.length; l++) {
            String line = lines[l];
            for (int c = l == start.line() - 1 ? start.column() - 1 : 0; c < line.length(); c++) {
                char ch = line.charAt(c);
                if (quote == 0 && ch == '#' && (c == 0 || line.charAt(c - 1) == ' ')) {
                    break;
                }
                raw.append(ch);
                positions.add(new int[] {l + 1, c + 1});
                if (quote != 0) {
                    quote = ch == quote ? 0 : quote;
                } else if (ch == '\'' || ch == '"') {
                    quote = ch;
                } else if (ch == '[' || ch == '(') {
                    depth++;
                } else if (ch == ']' || ch == ')') {
                    if (--depth == 0) {
                        break scan;
                    }
                }
            }
            raw.append(' ');
            positions.add(new int[] {l + 1, line.length() + 1});
        }
        String text = raw.toString();
        Expr list;
        try {
            list = ExprParser.parse(text);
        } catch (ExprParser.Error e) {
            throw new SpecException(at(positions, e.offset), path, "bad expression '" + text.strip() + "': " + e.getMessage(), e.expected);
        }
        if (!(list instanceof Expr.ListOf items)) {
            throw new SpecException(start, path, "found '" + text.strip() + "'", "a list of layers");
        }
        Map<Integer, Integer> itemOffsets = new HashMap<>();
        int d = 0;
        int index = 0;
        boolean atStart = true;
        for (int k = 0; k < text.length(); k++) {
            char ch = text.charAt(k);
            if (ch == '[' || ch == '(') {
                d++;
                if (d == 1) {
                    atStart = true;
                }
                continue;
            }
            if (ch == ']' || ch == ')') {
                d--;
                continue;
            }
            if (d == 1 && ch == ',') {
                atStart = true;
            } else if (d == 1 && atStart && !Character.isWhitespace(ch)) {
                itemOffsets.put(index++, k);
                atStart = false;
            }
        }
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < items.items().size(); i++) {
            String itemPath = path + "[" + i + "]";
            int base = itemOffsets.getOrDefault(i, 0);
            String itemText = text.substring(base);
            Map<String, Integer> offsets = ExprParser.argOffsets(itemText);
            nodes.add(Canon.toNode(items.items().get(i), Kinds.Namespace.LAYER, itemPath, key -> {
                Integer off = key.isEmpty() ? null : offsets.get(key);
                return at(positions, base + (off == null ? 0 : off));
            }, record));
        }
        return new Node.Seq(nodes);
    }

    private Location at(List<int[]> positions, int offset) {
        int[] p = positions.get(Math.max(0, Math.min(offset, positions.size() - 1)));
        return new Location(file, p[0], p[1]);
    }

    /** A layer, list of layers or codec at {@code path}. */
    private Node node(LNode n, Kinds.Namespace ns, String path) {
        record.putIfAbsent(path, n.loc());
        if (n instanceof LSeq s) {
            if (ns == Kinds.Namespace.CODEC) {
                throw new SpecException(s.loc(), path, "found a list", "a latent codec such as " + Canon.example(ns));
            }
            if (charAt(s.loc()) == '[') {
                return flowSequence(s.loc(), path);
            }
            List<Node> items = new ArrayList<>();
            for (int i = 0; i < s.items().size(); i++) {
                items.add(node(s.items().get(i), ns, path + "[" + i + "]"));
            }
            return new Node.Seq(items);
        }
        if (n instanceof LMap m) {
            if (m.entries().size() != 1) {
                throw new SpecException(m.loc(), path, "a block-form " + ns.label() + " has " + m.entries().size() + " keys",
                        "exactly one key, the kind, e.g. " + Canon.example(ns));
            }
            LEntry only = m.entries().values().iterator().next();
            if (ns == Kinds.Namespace.LAYER && only.key().equals(GRAPH)) {
                return graph(only, path);
            }
            Map<String, Node> named = new LinkedHashMap<>();
            Map<String, Location> keyLocs = new HashMap<>();
            Kind def = Canon.declared(only.key(), ns, path, key -> only.keyLoc());
            if (!(only.value() instanceof LScalar sc && sc.text().isEmpty())) {
                for (LEntry a : asMap(only.value(), path, "the arguments of " + only.key() + " as a mapping").entries().values()) {
                    keyLocs.put(a.key(), a.keyLoc());
                    Kinds.ArgDef ad = def.arg(a.key());
                    String argPath = path + "." + a.key();
                    if (ad != null && ad.type().structural()) {
                        Kinds.Namespace argNs = ad.type() == Kinds.ArgType.CODEC || ad.type() == Kinds.ArgType.CODEC_TEMPLATE
                                ? Kinds.Namespace.CODEC : Kinds.Namespace.LAYER;
                        named.put(a.key(), node(a.value(), argNs, argPath));
                    } else {
                        named.put(a.key(), expr(a.value(), argPath));
                    }
                }
            }
            return Canon.call(def, List.of(), named, path,
                    key -> key.isEmpty() ? only.keyLoc() : keyLocs.getOrDefault(key, only.keyLoc()), record);
        }
        LScalar s = (LScalar) n;
        Expr e = parseScalar(s, path);
        Map<String, Integer> offsets = ExprParser.argOffsets(s.text());
        int q = s.quoted() ? 1 : 0;
        return Canon.toNode(e, ns, path, key -> {
            Integer off = key.isEmpty() ? null : offsets.get(key);
            return s.loc().shift((off == null ? 0 : off) + q);
        }, record);
    }

    /** The key that introduces a graph module where a layer belongs. */
    private static final String GRAPH = "graph";

    /** A graph module: {@code graph:} over named steps, {@code {from: ..., apply: ...}} or an operation such as {@code concat(a, b)}. */
    private Node graph(LEntry g, String path) {
        String expected = "named steps, each {from: x, apply: [layers]} or an operation such as concat(a, b)";
        LMap steps = asMap(g.value(), path, expected);
        Map<String, Node.Step> out = new LinkedHashMap<>();
        Map<String, Location> locs = new HashMap<>();
        Set<String> known = new HashSet<>(Set.of(Node.Graph.INPUT));
        for (LEntry e : steps.entries().values()) {
            String at = path + "." + e.key();
            record.putIfAbsent(at, e.keyLoc());
            locs.put(e.key(), e.keyLoc());
            if (e.value() instanceof LMap step) {
                for (LEntry k : step.entries().values()) {
                    if (!k.key().equals("from") && !k.key().equals("apply")) {
                        throw new SpecException(k.keyLoc(), at, "step '" + e.key() + "' has the key '" + k.key() + "'", "from: and apply:");
                    }
                }
                LEntry f = step.entries().get("from");
                LEntry body = step.entries().get("apply");
                if (f == null || body == null) {
                    throw new SpecException(step.loc(), at, "step '" + e.key() + "' has no " + (f == null ? "from:" : "apply:"),
                            "from: (the input x or earlier steps) and apply: (a layer or list of layers)");
                }
                List<String> from = new ArrayList<>();
                for (LNode item : f.value() instanceof LSeq fs ? fs.items() : List.of(f.value())) {
                    from.add(asScalar(item, at + ".from", "a step name, or a list of them").text());
                }
                out.put(e.key(), new Node.Apply(from, node(body.value(), Kinds.Namespace.LAYER, at)));
            } else {
                LScalar op = asScalar(e.value(), at, expected);
                out.put(e.key(), Graphs.op(parseScalar(op, at), known, at, op.loc()));
            }
            known.add(e.key());
        }
        return Graphs.check(out, path, k -> k.isEmpty() ? g.keyLoc() : locs.get(k));
    }
}
