package dev.tinify.inspect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.nn.ForwardScope;
import dev.tinify.runtime.nn.Layer;
import dev.tinify.runtime.nn.Module;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Describes a compiled model: the module tree with parameter counts, and the shapes each
 * transform produces for a given input size, found by running it on zeros in evaluation mode.
 *
 * <p>Shapes are traced where the data flow is known from CompressAI's naming: {@code g_a} takes
 * the image, {@code h_a} and {@code g_s} the latent {@code y}, {@code h_s} the output of its
 * sibling {@code h_a}. Inside a transform, children are followed in order when that reproduces the
 * transform's own output shape (a plain sequence); otherwise their shapes are left open.
 */
public final class ModelInspector {
    private ModelInspector() {}

    /** The report of {@link #inspect}. */
    public record Report(String name, Map<String, Number> params, long[] input, long parameters,
            Map<String, long[]> outputs, List<ModuleNode> modules) {}

    /** Inspects {@code model} on a zero input of shape {@code input} (for example 1x3x256x256). */
    public static Report inspect(CompressionModel model, long[] input) {
        model.train(false);
        Map<String, long[]> outputs = new LinkedHashMap<>();
        List<ModuleNode> modules;
        try (ForwardScope scope = ForwardScope.open(model.manager(), model)) {
            NDManager m = scope.manager();
            NDArray x = m.zeros(new Shape(input));
            CompressionModel.ForwardResult r = model.forward(x);
            outputs.put("y", r.y().getShape().getShape());
            outputs.put("x_hat", r.xHat().getShape().getShape());
            r.likelihoods().forEach((k, v) -> outputs.put("likelihoods." + k, v.getShape().getShape()));
            Map<String, long[]> known = new LinkedHashMap<>();
            known.put("x", input);
            known.put("y", r.y().getShape().getShape());
            modules = new Tracer(m).children("", model, known);
        }
        return new Report(model.name(), model.params(), input, model.parameterCount(), outputs, modules);
    }

    /** Traces shapes with arrays created in one scope manager, which holds the model's arrays too. */
    private static final class Tracer {
        private final NDManager manager;

        Tracer(NDManager manager) {
            this.manager = manager;
        }

        List<ModuleNode> children(String prefix, Module parent, Map<String, long[]> known) {
            List<ModuleNode> out = new ArrayList<>();
            Map<String, long[]> siblingOut = new LinkedHashMap<>();
            for (Map.Entry<String, Module> e : parent.children().entrySet()) {
                String local = e.getKey();
                Module child = e.getValue();
                long @Nullable [] in = switch (local) {
                    case "g_a" -> known.get("x");
                    case "g_s", "h_a" -> known.get("y");
                    case "h_s" -> siblingOut.get("h_a");
                    default -> null;
                };
                ModuleNode node = in != null && child instanceof Layer l
                        ? traced(prefix + local, child, l, in)
                        : untraced(prefix + local, child, known);
                siblingOut.put(local, node.out());
                out.add(node);
            }
            return out;
        }

        ModuleNode untraced(String name, Module m, Map<String, long[]> known) {
            return new ModuleNode(name, type(m), m.parameterCount(), null, null, children(name + ".", m, known));
        }

        /** Runs {@code layer} on zeros of shape {@code in}; follows its children when they form a plain sequence. */
        ModuleNode traced(String name, Module module, Layer layer, long[] in) {
            long[] out = shapeOf(layer, in);
            List<ModuleNode> seq = sequence(name, module, in, out);
            List<ModuleNode> kids = seq != null ? seq : children(name + ".", module, Map.of());
            return new ModuleNode(name, type(module), module.parameterCount(), in, out, kids);
        }

        @Nullable List<ModuleNode> sequence(String name, Module module, long[] in, long[] out) {
            if (module.children().isEmpty()) {
                return List.of();
            }
            List<ModuleNode> nodes = new ArrayList<>();
            long[] cur = in;
            for (Map.Entry<String, Module> e : module.children().entrySet()) {
                if (!(e.getValue() instanceof Layer l)) {
                    return null;
                }
                long[] next;
                try {
                    next = shapeOf(l, cur);
                } catch (RuntimeException ex) {
                    return null; // not a plain sequence (skip connections, branches)
                }
                nodes.add(traced(name + "." + e.getKey(), e.getValue(), l, cur));
                cur = next;
            }
            return java.util.Arrays.equals(cur, out) ? nodes : null;
        }

        long[] shapeOf(Layer layer, long[] in) {
            return layer.forward(manager.zeros(new Shape(in))).getShape().getShape();
        }
    }

    private static String type(Module m) {
        return m.getClass().getSimpleName();
    }
}
