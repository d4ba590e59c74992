package dev.tinify.dsl;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Parses and prints the expression syntax of spec scalars ({@code conv(3, N, 5, 2)},
 * {@code N*3//2}, {@code sum(groups[:k])}). Errors carry the character offset so that the reader
 * can report the exact column.
 */
final class ExprParser {

    /** A syntax error at a character offset of the parsed text. */
    static final class Error extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int offset;
        final String expected;

        Error(int offset, String message, String expected) {
            super(message);
            this.offset = offset;
            this.expected = expected;
        }
    }

    private enum T { NUM, IDENT, STR, REF, OP, END }

    private record Tok(T type, String text, int pos) {}

    private final String src;
    private final List<Tok> toks = new ArrayList<>();
    private int i;
    /** Height of every node built so far (nodes are records, so by identity). */
    private final Map<Expr, Integer> heights = new IdentityHashMap<>();
    /** Current recursion depth of {@link #unary}, through which every nesting passes. */
    private int nesting;

    private ExprParser(String src) {
        this.src = src;
        lex();
    }

    /**
     * Parses a whole expression; trailing text is an error, and so is an expression longer than
     * {@link SpecLimits#MAX_EXPRESSION_CHARS} or nested deeper than {@link SpecLimits#MAX_EXPRESSION_DEPTH}
     * (which evaluating and printing would pay for in stack).
     */
    static Expr parse(String text) {
        if (text.length() > SpecLimits.MAX_EXPRESSION_CHARS) {
            throw new Error(SpecLimits.MAX_EXPRESSION_CHARS, "expression of " + text.length() + " characters",
                    "an expression of at most " + SpecLimits.MAX_EXPRESSION_CHARS + " characters");
        }
        ExprParser p = new ExprParser(text);
        if (p.peek().type == T.END) {
            throw new Error(0, "empty expression", "a value such as 3, N or M*2");
        }
        Expr e = p.expr();
        if (p.peek().type != T.END) {
            Tok t = p.peek();
            throw new Error(t.pos, "unexpected '" + t.text + "'", "an operator, ',' or the end of the expression");
        }
        return e;
    }

    private void lex() {
        int n = src.length();
        int p = 0;
        while (p < n) {
            char c = src.charAt(p);
            if (Character.isWhitespace(c)) {
                p++;
            } else if (Character.isDigit(c) || (c == '.' && p + 1 < n && Character.isDigit(src.charAt(p + 1)))) {
                int s = p;
                while (p < n && (Character.isDigit(src.charAt(p)) || src.charAt(p) == '.' || src.charAt(p) == '_')) {
                    p++;
                }
                if (p < n && (src.charAt(p) == 'e' || src.charAt(p) == 'E')) {
                    p++;
                    if (p < n && (src.charAt(p) == '+' || src.charAt(p) == '-')) {
                        p++;
                    }
                    while (p < n && Character.isDigit(src.charAt(p))) {
                        p++;
                    }
                }
                toks.add(new Tok(T.NUM, src.substring(s, p), s));
            } else if (Character.isLetter(c) || c == '_') {
                int s = p;
                while (p < n && isIdentPart(src.charAt(p))) {
                    p++;
                }
                toks.add(new Tok(T.IDENT, src.substring(s, p), s));
            } else if (c == '$') {
                int s = p++;
                // A module's name may be dotted ($down._1): CompressAI's nn.ModuleDict entries.
                while (p < n && (isIdentPart(src.charAt(p))
                        || (src.charAt(p) == '.' && p > s + 1 && p + 1 < n && isIdentPart(src.charAt(p + 1))))) {
                    p++;
                }
                if (p == s + 1) {
                    throw new Error(s, "'$' must be followed by a module name", "a reference such as $h_a");
                }
                toks.add(new Tok(T.REF, src.substring(s + 1, p), s));
            } else if (c == '\'' || c == '"') {
                int s = p++;
                StringBuilder sb = new StringBuilder();
                while (p < n && src.charAt(p) != c) {
                    sb.append(src.charAt(p++));
                }
                if (p >= n) {
                    throw new Error(s, "unterminated string", "a closing " + c);
                }
                p++;
                toks.add(new Tok(T.STR, sb.toString(), s));
            } else {
                String two = p + 1 < n ? src.substring(p, p + 2) : "";
                if (two.equals("//") || two.equals("<=") || two.equals(">=") || two.equals("==") || two.equals("!=")) {
                    toks.add(new Tok(T.OP, two, p));
                    p += 2;
                } else if ("+-*/%()[],=:<>".indexOf(c) >= 0) {
                    toks.add(new Tok(T.OP, String.valueOf(c), p));
                    p++;
                } else {
                    throw new Error(p, "unexpected character '" + c + "'", "a number, a name, an operator or brackets");
                }
            }
        }
        toks.add(new Tok(T.END, "end", n));
    }

    private static boolean isIdentPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    private Tok peek() {
        return toks.get(i);
    }

    private boolean isOp(String op) {
        Tok t = peek();
        return t.type == T.OP && t.text.equals(op);
    }

    private void expect(String op, String what) {
        if (!isOp(op)) {
            Tok t = peek();
            throw new Error(t.pos, "found '" + t.text + "'", "'" + op + "' " + what);
        }
        i++;
    }

    private Expr expr() {
        Expr left = additive();
        while (peek().type == T.OP && List.of("<", "<=", ">", ">=", "==", "!=").contains(peek().text)) {
            int opPos = peek().pos;
            String op = toks.get(i++).text;
            left = node(new Expr.Binary(op, left, additive()), opPos, left);
        }
        return left;
    }

    private Expr additive() {
        Expr left = multiplicative();
        while (isOp("+") || isOp("-")) {
            int opPos = peek().pos;
            String op = toks.get(i++).text;
            left = node(new Expr.Binary(op, left, multiplicative()), opPos, left);
        }
        return left;
    }

    private Expr multiplicative() {
        Expr left = unary();
        while (isOp("*") || isOp("/") || isOp("//") || isOp("%")) {
            int opPos = peek().pos;
            String op = toks.get(i++).text;
            left = node(new Expr.Binary(op, left, unary()), opPos, left);
        }
        return left;
    }

    private Expr unary() {
        int pos = peek().pos;
        if (++nesting > SpecLimits.MAX_EXPRESSION_DEPTH) {
            throw tooDeep(pos);
        }
        try {
            if (isOp("-")) {
                i++;
                Expr e = unary();
                if (e instanceof Expr.Num num) {
                    return new Expr.Num(num.value() instanceof Long l ? (Number) (-l) : (Number) (-num.value().doubleValue()));
                }
                return node(new Expr.Neg(e), pos, e);
            }
            return postfix(primary());
        } finally {
            nesting--;
        }
    }

    private static Error tooDeep(int pos) {
        return new Error(pos, "expression nested more than " + SpecLimits.MAX_EXPRESSION_DEPTH + " levels deep",
                "at most " + SpecLimits.MAX_EXPRESSION_DEPTH + " nested operators, calls, brackets or signs");
    }

    /** Records {@code e}'s height (one more than its tallest child) and refuses a tree that grew too tall. */
    private Expr node(Expr e, int pos, @Nullable Expr... children) {
        int h = 0;
        for (Expr c : children) {
            if (c != null) {
                h = Math.max(h, heights.getOrDefault(c, 1));
            }
        }
        if (e instanceof Expr.Binary b) {
            h = Math.max(h, heights.getOrDefault(b.right(), 1));
        }
        if (h + 1 > SpecLimits.MAX_EXPRESSION_DEPTH) {
            throw tooDeep(pos);
        }
        heights.put(e, h + 1);
        return e;
    }

    private Expr postfix(Expr e) {
        while (isOp("[")) {
            int pos = peek().pos;
            i++;
            Expr from = null;
            if (!isOp(":")) {
                from = expr();
            }
            if (isOp(":")) {
                i++;
                Expr to = isOp("]") ? null : expr();
                expect("]", "to close the slice");
                e = node(new Expr.Slice(e, from, to), pos, e, from, to);
            } else {
                expect("]", "to close the index");
                e = node(new Expr.Index(e, java.util.Objects.requireNonNull(from)), pos, e, from);
            }
        }
        return e;
    }

    private Expr primary() {
        Tok t = peek();
        switch (t.type) {
            case NUM -> {
                i++;
                String s = t.text.replace("_", "");
                try {
                    if (s.contains(".") || s.contains("e") || s.contains("E")) {
                        return new Expr.Num(Double.parseDouble(s));
                    }
                    return new Expr.Num(Long.parseLong(s));
                } catch (NumberFormatException ex) {
                    throw new Error(t.pos, "malformed number '" + t.text + "'", "a number such as 5, 0.01 or 1e-9");
                }
            }
            case STR -> {
                i++;
                return new Expr.Str(t.text);
            }
            case REF -> {
                i++;
                return new Expr.Ref(t.text);
            }
            case IDENT -> {
                i++;
                if (t.text.equals("true") || t.text.equals("false")) {
                    return new Expr.Bool(t.text.equals("true"));
                }
                if (isOp("(")) {
                    return call(t.text);
                }
                return new Expr.Name(t.text);
            }
            case OP -> {
                if (t.text.equals("(")) {
                    i++;
                    Expr e = expr();
                    expect(")", "to close the parenthesis");
                    return e;
                }
                if (t.text.equals("[")) {
                    i++;
                    List<Expr> items = new ArrayList<>();
                    while (!isOp("]")) {
                        items.add(expr());
                        if (!isOp("]")) {
                            expect(",", "between list items");
                        }
                    }
                    i++;
                    return node(new Expr.ListOf(items), t.pos, items.toArray(Expr[]::new));
                }
                throw new Error(t.pos, "unexpected '" + t.text + "'", "a number, a name, '(' or '['");
            }
            default -> throw new Error(t.pos, "unexpected end", "a value");
        }
    }

    private Expr call(String name) {
        int pos = peek().pos;
        expect("(", "");
        List<Expr> args = new ArrayList<>();
        Map<String, Expr> named = new LinkedHashMap<>();
        while (!isOp(")")) {
            Tok t = peek();
            if (t.type == T.IDENT && toks.get(i + 1).type == T.OP && toks.get(i + 1).text.equals("=")) {
                i += 2;
                if (named.containsKey(t.text)) {
                    throw new Error(t.pos, "argument '" + t.text + "' given twice", "each argument once");
                }
                named.put(t.text, expr());
            } else {
                if (!named.isEmpty()) {
                    throw new Error(t.pos, "positional argument after a named one", "name=value for the remaining arguments");
                }
                args.add(expr());
            }
            if (!isOp(")")) {
                if (peek().type == T.END) {
                    throw new Error(peek().pos, "unclosed '('", "')' to close the arguments of " + name);
                }
                expect(",", "between arguments");
            }
        }
        i++;
        List<Expr> all = new ArrayList<>(args);
        all.addAll(named.values());
        return node(new Expr.Fn(name, args, named), pos, all.toArray(Expr[]::new));
    }

    /** Argument offsets inside a call text, for locating errors: names (or "#index") to offsets. */
    static Map<String, Integer> argOffsets(String text) {
        Map<String, Integer> out = new LinkedHashMap<>();
        try {
            ExprParser p = new ExprParser(text);
            if (p.peek().type != T.IDENT || !p.toks.get(1).text.equals("(")) {
                return out;
            }
            int depth = 0;
            int index = 0;
            boolean atStart = true;
            for (int k = 1; k < p.toks.size(); k++) {
                Tok t = p.toks.get(k);
                if (t.type == T.OP && (t.text.equals("(") || t.text.equals("["))) {
                    depth++;
                    if (depth == 1) {
                        atStart = true;
                    }
                    continue;
                }
                if (t.type == T.OP && (t.text.equals(")") || t.text.equals("]"))) {
                    depth--;
                    continue;
                }
                if (depth == 1 && t.type == T.OP && t.text.equals(",")) {
                    atStart = true;
                    continue;
                }
                if (depth == 1 && atStart) {
                    Tok next = p.toks.get(k + 1);
                    if (t.type == T.IDENT && next.type == T.OP && next.text.equals("=")) {
                        out.put(t.text, t.pos);
                    } else {
                        out.put("#" + index++, t.pos);
                    }
                    atStart = false;
                }
            }
        } catch (Error e) {
            // offsets are best effort; the parse itself reports the syntax error
        }
        return out;
    }

    // ---- printing ----

    private static int prec(Expr e) {
        if (e instanceof Expr.Binary b) {
            return switch (b.op()) {
                case "+", "-" -> 2;
                case "*", "/", "//", "%" -> 3;
                default -> 1;
            };
        }
        if (e instanceof Expr.Neg) {
            return 4;
        }
        if (e instanceof Expr.Num n && n.value().doubleValue() < 0) {
            return 4;
        }
        return 5;
    }

    static String print(Expr e) {
        StringBuilder sb = new StringBuilder();
        print(e, sb);
        return sb.toString();
    }

    private static void print(Expr e, StringBuilder sb) {
        if (e instanceof Expr.Num n) {
            sb.append(n.value() instanceof Long ? n.value().toString() : formatDouble(n.value().doubleValue()));
        } else if (e instanceof Expr.Name n) {
            sb.append(n.name());
        } else if (e instanceof Expr.Str s) {
            sb.append(s.value().contains("'") ? '"' + s.value() + '"' : "'" + s.value() + "'");
        } else if (e instanceof Expr.Bool b) {
            sb.append(b.value());
        } else if (e instanceof Expr.Ref r) {
            sb.append('$').append(r.name());
        } else if (e instanceof Expr.Neg n) {
            sb.append('-');
            wrap(n.operand(), prec(n.operand()) < 4, sb);
        } else if (e instanceof Expr.Binary b) {
            int p = prec(b);
            wrap(b.left(), prec(b.left()) < p, sb);
            sb.append(p == 3 ? b.op() : " " + b.op() + " ");
            wrap(b.right(), prec(b.right()) <= p, sb);
        } else if (e instanceof Expr.Index x) {
            wrap(x.target(), prec(x.target()) < 5, sb);
            sb.append('[');
            print(x.index(), sb);
            sb.append(']');
        } else if (e instanceof Expr.Slice s) {
            wrap(s.target(), prec(s.target()) < 5, sb);
            sb.append('[');
            if (s.from() != null) {
                print(s.from(), sb);
            }
            sb.append(':');
            if (s.to() != null) {
                print(s.to(), sb);
            }
            sb.append(']');
        } else if (e instanceof Expr.ListOf l) {
            sb.append('[');
            for (int k = 0; k < l.items().size(); k++) {
                sb.append(k > 0 ? ", " : "");
                print(l.items().get(k), sb);
            }
            sb.append(']');
        } else if (e instanceof Expr.Fn f) {
            sb.append(f.name()).append('(');
            boolean first = true;
            for (Expr a : f.args()) {
                sb.append(first ? "" : ", ");
                print(a, sb);
                first = false;
            }
            for (Map.Entry<String, Expr> a : f.named().entrySet()) {
                sb.append(first ? "" : ", ").append(a.getKey()).append('=');
                print(a.getValue(), sb);
                first = false;
            }
            sb.append(')');
        }
    }

    private static void wrap(Expr e, boolean parens, StringBuilder sb) {
        if (parens) {
            sb.append('(');
        }
        print(e, sb);
        if (parens) {
            sb.append(')');
        }
    }

    private static String formatDouble(double d) {
        return Double.toString(d);
    }
}
