package dev.tinify.dsl;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A list-of-integers spec expression for the typed builders: a list parameter ({@code groups}) or
 * a list literal ({@code [16, 16, 32, 64, M - 128]}); {@code groups.get(k)} (Kotlin:
 * {@code groups[k]}) is an {@link IntExpr}. It stays symbolic, like {@link IntExpr}.
 */
public final class IntList {
    private final Expr expr;

    private IntList(Expr expr) {
        this.expr = Objects.requireNonNull(expr);
    }

    /** The list parameter {@code name}. */
    public static IntList name(String name) {
        return new IntList(new Expr.Name(name));
    }

    /** A list literal of numbers and {@link IntExpr}s. */
    public static IntList of(Number... items) {
        List<Expr> exprs = new ArrayList<>();
        for (Number n : items) {
            exprs.add(IntExpr.exprOf(n));
        }
        return new IntList(new Expr.ListOf(exprs));
    }

    /** The expression this stands for. */
    public Expr expr() {
        return expr;
    }

    /** {@code this[index]}. */
    public IntExpr get(Number index) {
        return IntExpr.of(new Expr.Index(expr, IntExpr.exprOf(index)));
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof IntList l && expr.equals(l.expr);
    }

    @Override
    public int hashCode() {
        return expr.hashCode();
    }

    @Override
    public String toString() {
        return expr.text();
    }
}
