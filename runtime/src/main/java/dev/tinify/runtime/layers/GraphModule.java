package dev.tinify.runtime.layers;

import dev.tinify.runtime.ops.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import dev.tinify.dsl.GraphOp;
import dev.tinify.dsl.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A graph module: named steps run in order, each reading the input {@code x} or earlier steps,
 * applying a layer (to its inputs concatenated along the channels) or a {@link GraphOp}; the last
 * step is the output. Layers are children named after their step. Intermediate values are closed
 * once the output is computed.
 */
public final class GraphModule extends LayerModule {
    /**
     * One step: a layer {@code body}, or an {@code op} with its numbers. A body the graph does not
     * {@code own} (a top-level module it refers to) keeps its own name and is not the graph's child.
     */
    public record Step(String name, List<String> inputs, @Nullable LayerModule body, boolean owned, @Nullable GraphOp op,
                       List<Object> numbers) {
        public Step {
            inputs = List.copyOf(inputs);
            numbers = List.copyOf(numbers);
        }
    }

    private final List<Step> steps;
    private final int in;

    /** The graph of {@code steps}, whose input has {@code in} channels ({@link #ANY} when unknown). */
    public GraphModule(List<Step> steps, int in) {
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("a graph needs at least one step");
        }
        this.steps = List.copyOf(steps);
        this.in = in;
        for (Step s : steps) {
            if (s.body() != null && s.owned()) {
                child(s.name(), s.body());
            }
        }
    }

    @Override
    public NDArray forward(NDArray x) {
        Map<String, NDArray> values = new HashMap<>();
        values.put(Node.Graph.INPUT, x);
        try {
            for (Step s : steps) {
                values.put(s.name(), run(s, values));
            }
            NDArray out = values.remove(steps.get(steps.size() - 1).name());
            return out == x ? x.duplicate() : out;
        } finally {
            for (NDArray v : values.values()) {
                if (v != x) {
                    v.close();
                }
            }
        }
    }

    private static NDArray run(Step s, Map<String, NDArray> values) {
        List<NDArray> in = new ArrayList<>();
        for (String name : s.inputs()) {
            in.add(values.get(name));
        }
        if (s.body() != null) {
            if (in.size() == 1) {
                return s.body().forward(in.get(0));
            }
            try (NDArray joined = NDArrays.concat(new NDList(in), 1)) {
                return s.body().forward(joined);
            }
        }
        GraphOp op = s.op();
        return switch (op) {
            case CONCAT -> NDArrays.concat(new NDList(in), 1);
            case ADD -> {
                NDArray sum = in.get(0).add(in.get(1));
                for (int i = 2; i < in.size(); i++) {
                    sum = addConsuming(sum, in.get(i));
                }
                yield sum;
            }
            case MUL -> in.size() == 2 ? in.get(0).mul(in.get(1)) : Scalars.mul(in.get(0), ((Number) s.numbers().get(0)).floatValue());
            case SLICE -> channels(in.get(0), (Long) s.numbers().get(0), (Long) s.numbers().get(1));
            case CHUNK -> {
                long n = (Long) s.numbers().get(0);
                long i = (Long) s.numbers().get(1);
                long size = in.get(0).getShape().get(1) / n;
                yield channels(in.get(0), i * size, (i + 1) * size);
            }
        };
    }

    private static NDArray channels(NDArray x, long start, long end) {
        return x.get(new NDIndex(":, {}:{}", start, end));
    }

    public List<Step> steps() {
        return steps;
    }

    @Override
    public int inChannels() {
        return in;
    }

    @Override
    public int outChannels(int inChannels) {
        Map<String, Integer> c = new HashMap<>();
        c.put(Node.Graph.INPUT, inChannels);
        for (Step s : steps) {
            int sum = 0;
            for (String name : s.inputs()) {
                sum += c.get(name);
            }
            int first = c.get(s.inputs().get(0));
            int out;
            if (s.body() != null) {
                out = s.body().outChannels(sum);
            } else {
                out = switch (s.op()) {
                    case CONCAT -> sum;
                    case ADD, MUL -> first;
                    case SLICE -> Math.toIntExact((Long) s.numbers().get(1) - (Long) s.numbers().get(0));
                    case CHUNK -> Math.toIntExact(first / (Long) s.numbers().get(0));
                };
            }
            c.put(s.name(), out);
        }
        return c.get(steps.get(steps.size() - 1).name());
    }

    @Override
    public String describe() {
        List<String> names = new ArrayList<>();
        for (Step s : steps) {
            names.add(s.name());
        }
        return "Graph(" + String.join(", ", names) + ")";
    }
}
