package dev.tinify.dsl;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A node of a spec's module or codec tree: a {@link Call} of a catalog kind with named arguments,
 * a {@link Seq} of layers (CompressAI's {@code nn.Sequential}: children named 0, 1, ...), a
 * {@link Graph} of named steps, or an {@link Expr} (a value, or a {@link Expr.Ref} to a top-level
 * module).
 */
public sealed interface Node permits Node.Call, Node.Seq, Node.Graph, Expr {

    /**
     * One use of a kind from the {@link Kinds catalog}, e.g. {@code conv(3, N, 5, 2)}, bound to
     * its declaration. Arguments are always stored by name in declaration order, however they were
     * written, so that equal specs are equal trees.
     */
    record Call(Kind kind, Map<String, Node> args) implements Node {
        public Call {
            Objects.requireNonNull(kind);
            args = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(args));
        }

        /** The argument, or null when it was not written (the catalog default applies). */
        public @org.jspecify.annotations.Nullable Node arg(String name) {
            return args.get(name);
        }
    }

    /** A sequence of layers; its children are named by position. */
    record Seq(List<Node> items) implements Node {
        public Seq {
            items = List.copyOf(items);
        }
    }

    /**
     * A layer that is a small graph: named steps in order, each reading the graph's input
     * ({@value #INPUT}) or earlier steps; the last step is the output. A step either applies a
     * layer (or list of layers) to its inputs, concatenated along the channels when several
     * ({@link Apply}), or combines them with a {@link GraphOp} ({@link Op}). Steps with layers are
     * children named after the step, so their keys read {@code step.0.weight}.
     */
    record Graph(Map<String, Step> steps) implements Node {
        /** The name of the graph's input. */
        public static final String INPUT = "x";

        public Graph {
            steps = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(steps));
        }
    }

    /** One step of a {@link Graph}. */
    sealed interface Step permits Apply, Op {
        /** The steps (or {@value Graph#INPUT}) this one reads. */
        List<String> inputs();
    }

    /** {@code body} applied to the inputs, concatenated along the channels when there are several. */
    record Apply(List<String> inputs, Node body) implements Step {
        public Apply {
            inputs = List.copyOf(inputs);
            Objects.requireNonNull(body);
        }
    }

    /** {@code op(inputs..., numbers...)}. */
    record Op(GraphOp op, List<String> inputs, List<Expr> numbers) implements Step {
        public Op {
            Objects.requireNonNull(op);
            inputs = List.copyOf(inputs);
            numbers = List.copyOf(numbers);
        }
    }
}
