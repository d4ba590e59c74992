package dev.tinify.dsl;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A value in a spec: numbers, names of parameters, strings, arithmetic such as {@code N*3//2},
 * indexing and slicing ({@code groups[k]}, {@code groups[:k]}), functions ({@code sum},
 * {@code len}, {@code min}, {@code max}), comparisons that count as 0 or 1 ({@code (k > 0)}), lists,
 * and {@code $name} references to top-level modules. Python semantics: {@code //} floors,
 * {@code /} gives a real number.
 */
public sealed interface Expr extends Node {

    /** Canonical source text; parsing it gives an equal expression. */
    default String text() {
        return ExprParser.print(this);
    }

    /** An integer ({@link Long}) or real ({@link Double}) literal. */
    record Num(Number value) implements Expr {
        public Num {
            if (!(value instanceof Long) && !(value instanceof Double)) {
                value = (value instanceof Integer || value instanceof Short || value instanceof Byte)
                        ? (Number) Long.valueOf(value.longValue()) : (Number) Double.valueOf(value.doubleValue());
            }
        }
    }

    /** A parameter name, template variable, or bare word (for choice arguments such as {@code ste}). */
    record Name(String name) implements Expr {}

    /** A quoted string. */
    record Str(String value) implements Expr {}

    /** {@code true} or {@code false}. */
    record Bool(boolean value) implements Expr {}

    /** A reference to a top-level module, written {@code $name}. */
    record Ref(String name) implements Expr {}

    /** Negation. */
    record Neg(Expr operand) implements Expr {}

    /** A binary operation: {@code + - * / // % < <= > >= == !=}. */
    record Binary(String op, Expr left, Expr right) implements Expr {}

    /** {@code target[index]}. */
    record Index(Expr target, Expr index) implements Expr {}

    /** {@code target[from:to]}, either bound optional. */
    record Slice(Expr target, @Nullable Expr from, @Nullable Expr to) implements Expr {}

    /** A list literal {@code [a, b, c]}. */
    record ListOf(List<Expr> items) implements Expr {
        public ListOf {
            items = List.copyOf(items);
        }
    }

    /**
     * A call written {@code f(a, b, key=c)}: a function inside an expression, or (before the reader
     * resolves it against the catalog) a kind with its arguments.
     */
    record Fn(String name, List<Expr> args, Map<String, Expr> named) implements Expr {
        public Fn {
            args = List.copyOf(args);
            named = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(named));
        }
    }
}
