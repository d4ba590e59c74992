package dev.tinify.dsl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link Node.Graph graph module} step by step, the typed form of YAML's {@code graph:}.
 * Each method adds a named step and returns its name, so later steps can read it:
 *
 * <pre>{@code
 * GraphBuilder g = SpecBuilder.graph();
 * String scales = g.apply("scales", seq(deconv(N, N), relu()));
 * String means = g.apply("means", seq(deconv(N, N), relu()));
 * g.concat("out", scales, means);
 * Node hS = g.build();
 * }</pre>
 *
 * Steps read the graph's input {@link Node.Graph#INPUT} or earlier steps; the last step is the output.
 */
public final class GraphBuilder {
    private final Map<String, Node.Step> steps = new LinkedHashMap<>();

    GraphBuilder() {}

    /** Adds step {@code name}: {@code body} (a layer or sequence) applied to the graph's input. */
    public String apply(String name, Node body) {
        return apply(name, List.of(Node.Graph.INPUT), body);
    }

    /** Adds step {@code name}: {@code body} applied to {@code from}, concatenated along the channels when several. */
    public String apply(String name, List<String> from, Node body) {
        return put(name, new Node.Apply(from, body));
    }

    /** Adds {@code concat(inputs...)}. */
    public String concat(String name, String... inputs) {
        return op(name, GraphOp.CONCAT, List.of(inputs), List.of());
    }

    /** Adds {@code add(inputs...)}. */
    public String add(String name, String... inputs) {
        return op(name, GraphOp.ADD, List.of(inputs), List.of());
    }

    /** Adds {@code mul(a, b)}. */
    public String mul(String name, String a, String b) {
        return op(name, GraphOp.MUL, List.of(a, b), List.of());
    }

    /** Adds {@code mul(a, factor)}. */
    public String mul(String name, String a, Number factor) {
        return op(name, GraphOp.MUL, List.of(a), List.of(factor));
    }

    /** Adds {@code slice(input, start, end)}: channels {@code start} to {@code end - 1}. */
    public String slice(String name, String input, Number start, Number end) {
        return op(name, GraphOp.SLICE, List.of(input), List.of(start, end));
    }

    /** Adds {@code chunk(input, n, i)}: the {@code i}-th of {@code n} equal channel chunks. */
    public String chunk(String name, String input, Number n, Number i) {
        return op(name, GraphOp.CHUNK, List.of(input), List.of(n, i));
    }

    /** The graph, checked: names, and that every step reads the input or an earlier step. */
    public Node.Graph build() {
        return Graphs.check(steps, Kinds.Namespace.LAYER.label() + " graph", name -> Location.NONE);
    }

    private String op(String name, GraphOp op, List<String> inputs, List<Number> numbers) {
        List<Expr> exprs = new ArrayList<>();
        for (Number n : numbers) {
            exprs.add(SpecBuilder.expr(n, name));
        }
        return put(name, Graphs.op(op, inputs, exprs, name, Location.NONE));
    }

    private String put(String name, Node.Step step) {
        if (steps.putIfAbsent(name, step) != null) {
            throw new SpecException(Location.NONE, name, "step '" + name + "' added twice", "one step per name");
        }
        return name;
    }
}
