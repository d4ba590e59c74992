package dev.tinify.dsl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns written calls into canonical {@link Node.Call}s: checks the kind against the catalog
 * (suggesting the nearest known kind), binds positional arguments to their catalog names, rejects
 * unknown or missing arguments, and converts structural arguments into module or codec nodes.
 * Shared by the YAML reader and the Java builder so that both produce identical trees.
 */
final class Canon {
    private Canon() {}

    /** Locates an argument of the call being converted: "" for the call, "#i" or a name for an argument. */
    interface Locator extends Function<String, Location> {}

    /** Converts an expression written where a layer or codec belongs. */
    static Node toNode(Expr e, Kinds.Namespace ns, String path, Locator loc, Map<String, Location> record) {
        record.putIfAbsent(path, loc.apply(""));
        if (e instanceof Expr.Ref) {
            return e;
        }
        if (e instanceof Expr.Name n) {
            return call(declared(n.name(), ns, path, loc), List.of(), Map.of(), path, loc, record);
        }
        if (e instanceof Expr.Fn f) {
            return call(declared(f.name(), ns, path, loc), new ArrayList<>(f.args()), new LinkedHashMap<>(f.named()), path, loc, record);
        }
        if (e instanceof Expr.ListOf l && ns == Kinds.Namespace.LAYER) {
            List<Node> items = new ArrayList<>();
            for (int i = 0; i < l.items().size(); i++) {
                items.add(toNode(l.items().get(i), ns, path + "[" + i + "]", loc, record));
            }
            return new Node.Seq(items);
        }
        throw new SpecException(loc.apply(""), path, "found the value '" + e.text() + "'",
                "a " + ns.label() + " such as " + example(ns) + " or a $reference");
    }

    /** A kind of the namespace to show in messages, written with its arguments. */
    static String example(Kinds.Namespace ns) {
        return Kinds.all(ns).stream().filter(k -> k != Kinds.REPEAT).findFirst().map(Kind::signature).orElse("none");
    }

    /** The declaration of {@code kind} in {@code ns}, or an error suggesting the nearest known kind. */
    static Kind declared(String kind, Kinds.Namespace ns, String path, Locator loc) {
        Kind def = Kinds.find(ns, kind);
        if (def == null) {
            String near = Kinds.nearest(kind, Kinds.names(ns));
            Kind other = Kinds.find(ns == Kinds.Namespace.LAYER ? Kinds.Namespace.CODEC : Kinds.Namespace.LAYER, kind);
            String hint = near != null ? " (did you mean '" + near + "'?)"
                    : other != null ? " ('" + kind + "' is a " + other.namespace().label() + " kind)" : "";
            throw new SpecException(loc.apply(""), path, "unknown " + ns.label() + " kind '" + kind + "'" + hint,
                    "one of " + String.join(", ", Kinds.names(ns)));
        }
        return def;
    }

    /** Binds the arguments of {@code def}; positional values come first, in declaration order. */
    static Node.Call call(Kind def, List<? extends Node> positional, Map<String, ? extends Node> named,
                          String path, Locator loc, Map<String, Location> record) {
        String kind = def.name();
        List<Kinds.ArgDef> defs = def.args();
        if (positional.size() > defs.size()) {
            throw new SpecException(loc.apply("#" + defs.size()), path,
                    kind + " takes " + (defs.isEmpty() ? "no" : "at most " + defs.size()) + " argument" + (defs.size() == 1 ? "" : "s")
                            + " but " + positional.size() + " were given", def.signature());
        }
        Map<String, Node> bound = new LinkedHashMap<>();
        Map<String, String> keyOf = new LinkedHashMap<>();
        for (int i = 0; i < positional.size(); i++) {
            bound.put(defs.get(i).name(), positional.get(i));
            keyOf.put(defs.get(i).name(), "#" + i);
        }
        for (Map.Entry<String, ? extends Node> e : named.entrySet()) {
            Kinds.ArgDef a = def.arg(e.getKey());
            if (a == null) {
                List<String> names = defs.stream().map(Kinds.ArgDef::name).toList();
                String near = Kinds.nearest(e.getKey(), names);
                throw new SpecException(loc.apply(e.getKey()), path, kind + " has no argument '" + e.getKey() + "'"
                        + (near != null ? " (did you mean '" + near + "'?)" : ""), def.signature());
            }
            if (bound.containsKey(a.name())) {
                throw new SpecException(loc.apply(e.getKey()), path, "argument '" + a.name() + "' of " + kind + " given twice",
                        def.signature());
            }
            bound.put(a.name(), e.getValue());
            keyOf.put(a.name(), e.getKey());
        }
        Map<String, Node> args = new LinkedHashMap<>();
        for (Kinds.ArgDef a : defs) {
            Node v = bound.get(a.name());
            if (v == null) {
                if (a.required()) {
                    throw new SpecException(loc.apply(""), path, kind + " is missing argument '" + a.name() + "'", def.signature());
                }
                continue;
            }
            String argPath = path + "." + a.name();
            Location argLoc = loc.apply(keyOf.get(a.name()));
            record.putIfAbsent(argPath, argLoc);
            args.put(a.name(), convert(v, a, def, argPath, argLoc, record));
        }
        return new Node.Call(def, args);
    }

    private static Node convert(Node v, Kinds.ArgDef a, Kind def, String argPath, Location argLoc,
                                Map<String, Location> record) {
        if (a.type().structural()) {
            Kinds.Namespace ns = a.type() == Kinds.ArgType.CODEC || a.type() == Kinds.ArgType.CODEC_TEMPLATE
                    ? Kinds.Namespace.CODEC : Kinds.Namespace.LAYER;
            if (v instanceof Expr e) {
                return toNode(e, ns, argPath, key -> argLoc, record);
            }
            if ((v instanceof Node.Seq || v instanceof Node.Graph) && ns == Kinds.Namespace.CODEC) {
                throw new SpecException(argLoc, argPath, (v instanceof Node.Seq ? "a list of layers" : "a graph") + " is not a latent codec",
                        a.type().description());
            }
            return v;
        }
        if (!(v instanceof Expr e) || v instanceof Expr.Ref) {
            String found = v instanceof Expr.Ref r ? "the module reference $" + r.name()
                    : v instanceof Node.Seq ? "a list of layers" : v instanceof Node.Graph ? "a graph"
                    : "the " + ((Node.Call) v).kind().name() + " call";
            throw new SpecException(argLoc, argPath, "argument '" + a.name() + "' of " + def.name() + " is " + found,
                    a.type().description());
        }
        return e;
    }
}
