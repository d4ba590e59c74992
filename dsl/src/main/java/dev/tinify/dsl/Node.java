package dev.tinify.dsl;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A node of a spec's module or codec tree: a {@link Call} of a catalog kind with named arguments,
 * a {@link Seq} of layers (CompressAI's {@code nn.Sequential}: children named 0, 1, ...), or an
 * {@link Expr} (a value, or a {@link Expr.Ref} to a top-level module).
 */
public sealed interface Node permits Node.Call, Node.Seq, Expr {

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
}
