package dev.tinify.dsl;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An integer-valued spec expression for the typed builders: a parameter ({@code N}), a template
 * variable ({@code k}), an element of a list parameter ({@code groups[k]}), or arithmetic on them
 * ({@code N.times(3).div(2)}, in Kotlin {@code N * 3 / 2}). It stays symbolic: the built spec
 * holds the expression, and the writer prints it back.
 *
 * <p>It is a {@link Number} so that a typed factory such as {@code conv(3, N, 5, 2)} takes
 * literals and expressions in the same parameter; its value is known only when the spec is
 * resolved, so the numeric conversions of {@link Number} throw.
 */
public final class IntExpr extends Number {
    private static final long serialVersionUID = 1L;

    private final transient Expr expr;

    private IntExpr(Expr expr) {
        this.expr = Objects.requireNonNull(expr);
    }

    /** The parameter or variable {@code name}. */
    public static IntExpr name(String name) {
        return new IntExpr(new Expr.Name(name));
    }

    /** An expression already in spec form. */
    public static IntExpr of(Expr expr) {
        return new IntExpr(expr);
    }

    /** The expression this stands for. */
    public Expr expr() {
        return expr;
    }

    /** The spec expression of a number given to a typed factory: a literal or an {@code IntExpr}. */
    static Expr exprOf(Number n) {
        return n instanceof IntExpr e ? e.expr : new Expr.Num(n);
    }

    private IntExpr op(String op, Number other) {
        return new IntExpr(new Expr.Binary(op, expr, exprOf(other)));
    }

    /** {@code this + other}. */
    public IntExpr plus(Number other) {
        return op("+", other);
    }

    /** {@code this - other}. */
    public IntExpr minus(Number other) {
        return op("-", other);
    }

    /** {@code this * other}. */
    public IntExpr times(Number other) {
        return op("*", other);
    }

    /** Integer division rounding down ({@code this // other} in a spec). */
    public IntExpr div(Number other) {
        return op("//", other);
    }

    /** {@code this % other}. */
    public IntExpr rem(Number other) {
        return op("%", other);
    }

    /** {@code -this}. */
    public IntExpr unaryMinus() {
        return new IntExpr(new Expr.Neg(expr));
    }

    /** 1 when {@code this > other}, else 0 (written {@code (k > 0)} in a spec). */
    public IntExpr gt(Number other) {
        return op(">", other);
    }

    /** 1 when {@code this >= other}, else 0. */
    public IntExpr ge(Number other) {
        return op(">=", other);
    }

    /** 1 when {@code this < other}, else 0. */
    public IntExpr lt(Number other) {
        return op("<", other);
    }

    /** 1 when {@code this <= other}, else 0. */
    public IntExpr le(Number other) {
        return op("<=", other);
    }

    private UnsupportedOperationException symbolic() {
        return new UnsupportedOperationException("'" + expr.text() + "' is symbolic; its value is known once the spec is resolved");
    }

    @Override
    public int intValue() {
        throw symbolic();
    }

    @Override
    public long longValue() {
        throw symbolic();
    }

    @Override
    public float floatValue() {
        throw symbolic();
    }

    @Override
    public double doubleValue() {
        throw symbolic();
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof IntExpr e && expr.equals(e.expr);
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
