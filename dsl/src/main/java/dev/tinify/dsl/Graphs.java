package dev.tinify.dsl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Checks graph modules as written, for the YAML reader and the builders alike: step names, that
 * every input is the graph's input or an earlier step (so a graph has no cycle), and how each
 * operation is called.
 */
final class Graphs {
    /** More steps than any published architecture needs; bounds what a spec can make the resolver do. */
    static final int MAX_STEPS = 256;
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private Graphs() {}

    /**
     * The graph of {@code steps}, checked. {@code locOf} locates a step by name ("" for the graph)
     * in messages, {@code path} is the graph's module path.
     */
    static Node.Graph check(Map<String, Node.Step> steps, String path, Function<String, Location> locOf) {
        if (steps.isEmpty()) {
            throw new SpecException(locOf.apply(""), path, "a graph without steps", "named steps; the last one is the output");
        }
        if (steps.size() > MAX_STEPS) {
            throw new SpecException(locOf.apply(""), path, "a graph of " + steps.size() + " steps", "at most " + MAX_STEPS + " steps");
        }
        Set<String> known = new HashSet<>(Set.of(Node.Graph.INPUT));
        for (Map.Entry<String, Node.Step> e : steps.entrySet()) {
            String name = e.getKey();
            String at = path + "." + name;
            Location loc = locOf.apply(name);
            if (!NAME.matcher(name).matches() || name.equals(Node.Graph.INPUT)) {
                throw new SpecException(loc, at, "step name '" + name + "'",
                        "a name of letters, digits and _ other than '" + Node.Graph.INPUT + "' (the graph's input)");
            }
            if (e.getValue().inputs().isEmpty()) {
                throw new SpecException(loc, at, "step '" + name + "' reads nothing", "from: the input " + Node.Graph.INPUT + " or earlier steps");
            }
            for (String in : e.getValue().inputs()) {
                if (!known.contains(in)) {
                    String near = Kinds.nearest(in, known);
                    throw new SpecException(loc, at, "step '" + name + "' reads '" + in + "', which is not "
                            + (steps.containsKey(in) ? "an earlier step" : "a step") + (near != null ? " (did you mean '" + near + "'?)" : ""),
                            "the input " + Node.Graph.INPUT + " or a step written above this one");
                }
            }
            known.add(name);
        }
        return new Node.Graph(steps);
    }

    /** The operation step written as the expression {@code e}, e.g. {@code concat(scales, means)}. */
    static Node.Op op(Expr e, Set<String> known, String path, Location loc) {
        String expected = "an operation: " + String.join(", ", signatures()) + ", or from:/apply: for layers";
        if (!(e instanceof Expr.Fn f) || !f.named().isEmpty()) {
            throw new SpecException(loc, path, "found '" + e.text() + "'", expected);
        }
        GraphOp op = GraphOp.of(f.name());
        if (op == null) {
            String near = Kinds.nearest(f.name(), Arrays.stream(GraphOp.values()).map(GraphOp::word).toList());
            throw new SpecException(loc, path, "unknown graph operation '" + f.name() + "'" + (near != null ? " (did you mean '" + near + "'?)" : ""),
                    expected);
        }
        List<String> inputs = new ArrayList<>();
        List<Expr> numbers = new ArrayList<>();
        for (Expr a : f.args()) {
            // Only mul's second operand may be either: a step when it names one, else a number.
            boolean input = inputs.size() < op.minInputs() || (op != GraphOp.MUL && op.numbers() == 0)
                    || (op == GraphOp.MUL && inputs.size() < op.maxInputs() && a instanceof Expr.Name n && known.contains(n.name()));
            if (input) {
                if (!(a instanceof Expr.Name n)) {
                    throw new SpecException(loc, path, op.word() + " reads '" + a.text() + "'", op.signature() + " with step names as inputs");
                }
                inputs.add(n.name());
            } else {
                numbers.add(a);
            }
        }
        return op(op, inputs, numbers, path, loc);
    }

    /** The step {@code op(inputs..., numbers...)}, checked against the operation's form. */
    static Node.Op op(GraphOp op, List<String> inputs, List<Expr> numbers, String path, Location loc) {
        boolean ok = inputs.size() >= op.minInputs() && inputs.size() <= op.maxInputs()
                && (op == GraphOp.MUL ? inputs.size() + numbers.size() == 2 : numbers.size() == op.numbers());
        if (!ok) {
            throw new SpecException(loc, path, op.word() + " given " + inputs.size() + " input" + (inputs.size() == 1 ? "" : "s") + " and "
                    + numbers.size() + " number" + (numbers.size() == 1 ? "" : "s"), op.signature());
        }
        return new Node.Op(op, inputs, numbers);
    }

    private static List<String> signatures() {
        List<String> out = new ArrayList<>();
        for (GraphOp op : GraphOp.values()) {
            out.add(op.signature());
        }
        return out;
    }
}
