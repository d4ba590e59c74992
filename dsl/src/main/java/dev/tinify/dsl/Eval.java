package dev.tinify.dsl;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Evaluates expressions with Python's integer semantics. Values are {@link Long}, {@link Double},
 * {@link Boolean}, {@link String} or lists of those. Problems are reported as {@link Problem}s that
 * the caller turns into located {@link SpecException}s.
 */
final class Eval {
    private Eval() {}

    /** An evaluation problem: what went wrong and what was expected. */
    static final class Problem extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String expected;

        Problem(String message, String expected) {
            super(message);
            this.expected = expected;
        }
    }

    /** Looks names up; returns null for unknown names. */
    interface Scope extends Function<String, @Nullable Object> {
        /** Names in scope, for suggestions. */
        List<String> names();
    }

    static Object eval(Expr e, Scope scope) {
        if (e instanceof Expr.Num n) {
            return n.value();
        }
        if (e instanceof Expr.Bool b) {
            return b.value();
        }
        if (e instanceof Expr.Str s) {
            return s.value();
        }
        if (e instanceof Expr.Name n) {
            Object v = scope.apply(n.name());
            if (v == null) {
                String near = Kinds.nearest(n.name(), scope.names());
                throw new Problem("unknown param '" + n.name() + "'" + (near != null ? " (did you mean '" + near + "'?)" : ""),
                        scope.names().isEmpty() ? "a number (this spec declares no params)" : "one of the params " + String.join(", ", scope.names()));
            }
            return v;
        }
        if (e instanceof Expr.Ref r) {
            throw new Problem("the module reference $" + r.name() + " is not a value", "a number or a param");
        }
        if (e instanceof Expr.Neg n) {
            Object v = eval(n.operand(), scope);
            return v instanceof Double d ? (Object) (-d) : (Object) exact("-", () -> Math.negateExact(asLong(v, "-")));
        }
        if (e instanceof Expr.ListOf l) {
            List<Object> out = new ArrayList<>();
            for (Expr item : l.items()) {
                out.add(eval(item, scope));
            }
            return List.copyOf(out);
        }
        if (e instanceof Expr.Index x) {
            List<?> list = asList(eval(x.target(), scope), "[...]");
            long i = asLong(eval(x.index(), scope), "an index");
            long j = i < 0 ? i + list.size() : i;
            if (j < 0 || j >= list.size()) {
                throw new Problem("index " + i + " is out of range for a list of " + list.size(), "an index from 0 to " + (list.size() - 1));
            }
            return list.get((int) j);
        }
        if (e instanceof Expr.Slice s) {
            List<?> list = asList(eval(s.target(), scope), "[a:b]");
            int n = list.size();
            int from = s.from() == null ? 0 : clampIndex(asLong(eval(s.from(), scope), "a slice bound"), n);
            int to = s.to() == null ? n : clampIndex(asLong(eval(s.to(), scope), "a slice bound"), n);
            return to <= from ? List.of() : List.copyOf(list.subList(from, to));
        }
        if (e instanceof Expr.Binary b) {
            return binary(b.op(), eval(b.left(), scope), eval(b.right(), scope));
        }
        if (e instanceof Expr.Fn f) {
            return function(f, scope);
        }
        throw new Problem("cannot evaluate " + e, "a value");
    }

    private static int clampIndex(long i, int n) {
        long j = i < 0 ? i + n : i;
        return (int) Math.max(0, Math.min(n, j));
    }

    private static Object function(Expr.Fn f, Scope scope) {
        if (!f.named().isEmpty()) {
            throw new Problem("function " + f.name() + " takes no named arguments", f.name() + "(...)");
        }
        List<Object> args = new ArrayList<>();
        for (Expr a : f.args()) {
            args.add(eval(a, scope));
        }
        switch (f.name()) {
            case "sum" -> {
                Object acc = 0L;
                for (Object v : flatten(args, "sum")) {
                    acc = binary("+", acc, v);
                }
                return acc;
            }
            case "len" -> {
                if (args.size() != 1) {
                    throw new Problem("len takes one list", "len(list)");
                }
                return (long) asList(args.get(0), "len").size();
            }
            case "min", "max" -> {
                List<Object> vs = flatten(args, f.name());
                if (vs.isEmpty()) {
                    throw new Problem(f.name() + " of nothing", f.name() + "(a, b, ...)");
                }
                Object best = vs.get(0);
                for (Object v : vs) {
                    boolean less = Boolean.TRUE.equals(binary("<", v, best));
                    if (f.name().equals("min") == less) {
                        best = v;
                    }
                }
                return best;
            }
            case "int" -> {
                if (args.size() != 1) {
                    throw new Problem("int takes one number", "int(x)");
                }
                Object v = args.get(0);
                if (v instanceof Double d && !(Math.abs(d) < 0x1p63)) {
                    throw new Problem("int(" + d + ") does not fit an integer", "a number between -2^63 and 2^63");
                }
                return v instanceof Double d ? (Object) (long) (double) d : (Object) asLong(v, "int");
            }
            default -> throw new Problem("unknown function '" + f.name() + "'", "one of sum, len, min, max, int");
        }
    }

    private static List<Object> flatten(List<Object> args, String fn) {
        if (args.size() == 1 && args.get(0) instanceof List<?> l) {
            return new ArrayList<>(l);
        }
        if (fn.equals("sum")) {
            throw new Problem("sum takes one list", "sum(list)");
        }
        return args;
    }

    static Object binary(String op, Object a, Object b) {
        if (op.equals("+") && a instanceof List<?> la && b instanceof List<?> lb) {
            if ((long) la.size() + lb.size() > SpecLimits.MAX_LIST_ITEMS) {
                throw new Problem("list of " + ((long) la.size() + lb.size()) + " items", "lists of at most " + SpecLimits.MAX_LIST_ITEMS + " items");
            }
            List<Object> out = new ArrayList<>(la);
            out.addAll(lb);
            return List.copyOf(out);
        }
        if (op.equals("*") && (a instanceof List<?> || b instanceof List<?>)) {
            return repeated(a instanceof List<?> l ? l : asList(b, op), a instanceof List<?> ? b : a);
        }
        boolean real = a instanceof Double || b instanceof Double || op.equals("/");
        if (real) {
            double x = asDouble(a, op);
            double y = asDouble(b, op);
            return switch (op) {
                case "+" -> x + y;
                case "-" -> x - y;
                case "*" -> x * y;
                case "/" -> {
                    if (y == 0) {
                        throw new Problem("division by zero", "a non-zero divisor");
                    }
                    yield x / y;
                }
                case "//" -> {
                    if (y == 0) {
                        throw new Problem("division by zero", "a non-zero divisor");
                    }
                    yield Math.floor(x / y);
                }
                case "%" -> x - Math.floor(x / y) * y;
                default -> compare(op, Double.compare(x, y));
            };
        }
        long x = asLong(a, op);
        long y = asLong(b, op);
        return switch (op) {
            case "+" -> exact(x + " + " + y, () -> Math.addExact(x, y));
            case "-" -> exact(x + " - " + y, () -> Math.subtractExact(x, y));
            case "*" -> exact(x + " * " + y, () -> Math.multiplyExact(x, y));
            case "//", "%" -> {
                if (y == 0) {
                    throw new Problem("division by zero", "a non-zero divisor");
                }
                yield op.equals("//") ? exact(x + " // " + y, () -> y == -1 ? Math.negateExact(x) : Math.floorDiv(x, y)) : Math.floorMod(x, y);
            }
            default -> compare(op, Long.compare(x, y));
        };
    }

    /** Integer arithmetic is checked: a result that does not fit 64 bits is an error, never a wrapped value. */
    private static long exact(String what, java.util.function.LongSupplier f) {
        try {
            return f.getAsLong();
        } catch (ArithmeticException e) {
            throw new Problem("integer overflow in " + what, "integers between -2^63 and 2^63-1");
        }
    }

    /** The longest list a repetition may make: far beyond any architecture, small enough to never exhaust memory. */
    static final int MAX_LIST = 4096;

    /** {@code list * times} as in Python: the items {@code times} times over. */
    private static List<Object> repeated(List<?> list, Object count) {
        if (!(count instanceof Long times)) {
            throw new Problem("a list multiplied by " + show(count), "a list times an integer, e.g. [M//4]*4");
        }
        if (times < 0 || list.size() * (double) times > MAX_LIST) {
            throw new Problem("a list of " + list.size() + " repeated " + times + " times", "at most " + MAX_LIST + " items in all");
        }
        List<Object> out = new ArrayList<>();
        for (long t = 0; t < times; t++) {
            out.addAll(list);
        }
        return List.copyOf(out);
    }

    private static Object compare(String op, int c) {
        return switch (op) {
            case "<" -> c < 0;
            case "<=" -> c <= 0;
            case ">" -> c > 0;
            case ">=" -> c >= 0;
            case "==" -> c == 0;
            case "!=" -> c != 0;
            default -> throw new Problem("unknown operator " + op, "+ - * / // % < <= > >= == !=");
        };
    }

    static long asLong(Object v, String where) {
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        throw new Problem("expected an integer for " + where + ", found " + show(v), "an integer");
    }

    static double asDouble(Object v, String where) {
        if (v instanceof Double d) {
            return d;
        }
        return asLong(v, where);
    }

    static List<?> asList(Object v, String where) {
        if (v instanceof List<?> l) {
            return l;
        }
        throw new Problem("expected a list for " + where + ", found " + show(v), "a list such as [4, 12, 16]");
    }

    static String show(Object v) {
        return v instanceof String s ? "'" + s + "'" : String.valueOf(v);
    }

    /** A scope over a map plus a parent. */
    static Scope scope(Map<String, Object> values, @Nullable Scope parent) {
        return new Scope() {
            @Override
            public @Nullable Object apply(String n) {
                Object v = values.get(n);
                return v != null || parent == null ? v : parent.apply(n);
            }

            @Override
            public List<String> names() {
                List<String> out = new ArrayList<>(values.keySet());
                if (parent != null) {
                    out.addAll(parent.names());
                }
                return out;
            }
        };
    }
}
