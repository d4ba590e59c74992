package dev.tinify.inspect;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One module of an inspected model: its dotted name, type, trainable parameter count (subtree),
 * and the input and output shapes it had on the inspection input ({@code null} where the data
 * flow could not be traced, for example inside a block with a skip connection).
 */
public record ModuleNode(String name, String type, long parameters, long @Nullable [] in, long @Nullable [] out,
        List<ModuleNode> children) {}
