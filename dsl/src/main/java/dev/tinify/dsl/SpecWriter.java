package dev.tinify.dsl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a spec as YAML that {@link SpecReader} reads back to an equal spec. Layers are written one
 * per line in call form ({@code - conv(3, N, 5, 2)}): leading arguments positionally, in catalog
 * order, the rest by name. Calls holding lists of layers, and long calls, use the block form
 * ({@code kind:} followed by one argument per line).
 */
public final class SpecWriter {
    private static final int INLINE_LIMIT = 96;

    private final StringBuilder out = new StringBuilder();

    private SpecWriter() {}

    /** The YAML text of {@code spec}. */
    public static String write(Spec spec) {
        SpecWriter w = new SpecWriter();
        w.spec(spec);
        return w.out.toString();
    }

    /** Writes {@code spec} to a file. */
    public static void write(Spec spec, Path file) {
        try {
            Files.writeString(file, write(spec), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write spec " + file + ": " + e.getMessage(), e);
        }
    }

    private void spec(Spec s) {
        out.append("tinify: ").append(Spec.FORMAT).append('\n');
        out.append("name: ").append(scalar(s.name())).append('\n');
        if (!s.description().isEmpty()) {
            out.append("description: ").append(scalar(s.description())).append('\n');
        }
        if (s.input() != Spec.Input.IMAGE) {
            out.append("input: ").append(s.input().word()).append('\n');
        }
        if (!s.params().isEmpty()) {
            out.append("params:\n");
            for (Map.Entry<String, Expr> e : s.params().entrySet()) {
                out.append("  ").append(e.getKey()).append(": ").append(value(e.getValue())).append('\n');
            }
        }
        Zoo zoo = s.zoo();
        if (zoo != null) {
            out.append("zoo:\n");
            if (!zoo.metrics().isEmpty()) {
                out.append("  metrics: [").append(String.join(", ", zoo.metrics().stream().map(SpecWriter::scalar).toList())).append("]\n");
            }
            out.append("  qualities:\n");
            for (Map.Entry<Integer, Map<String, Expr>> q : zoo.qualities().entrySet()) {
                out.append("    ").append(q.getKey()).append(": {");
                // In parameter declaration order, however the table was built.
                List<String> keys = new java.util.ArrayList<>(s.params().keySet());
                keys.retainAll(q.getValue().keySet());
                q.getValue().keySet().stream().filter(k -> !keys.contains(k)).forEach(keys::add);
                boolean first = true;
                for (String k : keys) {
                    out.append(first ? "" : ", ").append(k).append(": ").append(flowValue(q.getValue().get(k)));
                    first = false;
                }
                out.append("}\n");
            }
            if (!zoo.lambdas().isEmpty()) {
                out.append("  lambda:\n");
                for (Map.Entry<String, List<Double>> l : zoo.lambdas().entrySet()) {
                    out.append("    ").append(scalar(l.getKey())).append(": [")
                            .append(String.join(", ", l.getValue().stream().map(String::valueOf).toList())).append("]\n");
                }
            }
        }
        out.append("modules:");
        if (s.modules().isEmpty()) {
            out.append(" {}");
        }
        out.append('\n');
        for (Map.Entry<String, Node> e : s.modules().entrySet()) {
            entry(1, e.getKey(), e.getValue());
        }
        entry(0, "latent_codec", s.latentCodec());
    }

    /** {@code key: node} at {@code depth} levels of indentation. */
    private void entry(int depth, String key, Node node) {
        indent(depth).append(key).append(':');
        body(depth, node);
    }

    /** The rest of a line after {@code key:} or {@code -}: inline, or nested lines. */
    private void body(int depth, Node node) {
        String inline = inline(node);
        if (inline != null) {
            out.append(' ').append(inline).append('\n');
        } else if (node instanceof Node.Seq seq) {
            out.append('\n');
            for (Node item : seq.items()) {
                indent(depth + 1).append('-');
                if (inline(item) == null && item instanceof Node.Call c) {
                    out.append(' ').append(c.kind().name()).append(':').append('\n');
                    args(depth + 3, c);
                } else {
                    body(depth + 1, item);
                }
            }
        } else if (node instanceof Node.Graph g) {
            out.append('\n');
            indent(depth + 1).append("graph:\n");
            for (Map.Entry<String, Node.Step> e : g.steps().entrySet()) {
                if (e.getValue() instanceof Node.Op op) {
                    indent(depth + 2).append(e.getKey()).append(": ").append(opText(op)).append('\n');
                } else {
                    Node.Apply a = (Node.Apply) e.getValue();
                    indent(depth + 2).append(e.getKey()).append(":\n");
                    indent(depth + 3).append("from: ")
                            .append(a.inputs().size() == 1 ? a.inputs().get(0) : "[" + String.join(", ", a.inputs()) + "]").append('\n');
                    entry(depth + 3, "apply", a.body());
                }
            }
        } else {
            Node.Call c = (Node.Call) node;
            out.append('\n');
            indent(depth + 1).append(c.kind().name()).append(":\n");
            args(depth + 2, c);
        }
    }

    private static String opText(Node.Op op) {
        List<String> args = new ArrayList<>(op.inputs());
        for (Expr e : op.numbers()) {
            args.add(e.text());
        }
        return op.op().word() + "(" + String.join(", ", args) + ")";
    }

    private void args(int depth, Node.Call c) {
        for (Map.Entry<String, Node> a : c.args().entrySet()) {
            if (a.getValue() instanceof Expr e && !(e instanceof Expr.Ref)) {
                indent(depth).append(a.getKey()).append(": ").append(value(e)).append('\n');
            } else {
                entry(depth, a.getKey(), a.getValue());
            }
        }
    }

    private StringBuilder indent(int depth) {
        return out.append("  ".repeat(depth));
    }

    /** The one-line form of a node, or null when it needs several lines. */
    private static String inline(Node node) {
        if (node instanceof Expr e) {
            return value(e);
        }
        if (node instanceof Node.Seq || node instanceof Node.Graph) {
            return null;
        }
        String text = callText((Node.Call) node);
        return text == null || text.length() > INLINE_LIMIT ? null : text;
    }

    private static String callText(Node.Call c) {
        if (c.args().isEmpty()) {
            return c.kind().name();
        }
        List<Kinds.ArgDef> defs = c.kind().args();
        StringBuilder sb = new StringBuilder(c.kind().name()).append('(');
        boolean positional = true;
        boolean first = true;
        for (Kinds.ArgDef a : defs) {
            Node v = c.args().get(a.name());
            if (v == null) {
                positional = false;
                continue;
            }
            String text;
            if (v instanceof Expr e) {
                text = e.text();
            } else if (v instanceof Node.Call inner) {
                text = callText(inner);
                if (text == null) {
                    return null;
                }
            } else {
                return null;
            }
            sb.append(first ? "" : ", ");
            if (!positional) {
                sb.append(a.name()).append('=');
            }
            sb.append(text);
            first = false;
        }
        return sb.append(')').toString();
    }

    /** An expression as a YAML scalar (quoted when YAML would read it differently). */
    private static String value(Expr e) {
        if (e instanceof Expr.ListOf l) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < l.items().size(); i++) {
                sb.append(i > 0 ? ", " : "").append(flowValue(l.items().get(i)));
            }
            return sb.append(']').toString();
        }
        return scalar(e.text());
    }

    /** A value inside a YAML flow collection, where commas and brackets need quotes. */
    private static String flowValue(Expr e) {
        if (e instanceof Expr.ListOf) {
            return value(e);
        }
        String t = e.text();
        return t.matches(".*[,\\[\\]{}].*") ? quote(t) : scalar(t);
    }

    private static String scalar(String s) {
        boolean plain = !s.isEmpty() && !s.contains(": ") && !s.contains(" #") && !s.endsWith(":")
                && "-?:,[]{}#&*!|>'\"%@`".indexOf(s.charAt(0)) < 0 || s.matches("-?[0-9][0-9.eE+\\-]*");
        if (s.startsWith("'") || s.startsWith("\"")) {
            plain = false;
        }
        return plain && !s.equals("true") && !s.equals("false") && !s.equals("null") && !s.equals("~") && s.equals(s.strip()) ? s : quote(s);
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
