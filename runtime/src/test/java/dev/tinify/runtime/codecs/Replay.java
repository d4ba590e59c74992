package dev.tinify.runtime.codecs;

import ai.djl.ndarray.NDArray;
import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import dev.tinify.runtime.entropy.Fixtures;
import dev.tinify.runtime.nn.Layer;
import dev.tinify.runtime.nn.Module;
import org.jspecify.annotations.Nullable;

/**
 * A transform replayed from a fixture: checks that its input equals the stored input, then
 * returns the stored output. Lets codecs be tested on CompressAI's intermediates without the
 * convolutions.
 */
final class Replay extends Module implements Layer {
    private final String name;
    private final @Nullable Tensor expectedIn;
    private final Tensor out;
    int calls;

    Replay(String name, @Nullable Tensor expectedIn, Tensor out) {
        this.name = name;
        this.expectedIn = expectedIn;
        this.out = out;
    }

    @Override
    public NDArray forward(NDArray x) {
        calls++;
        if (expectedIn != null) {
            Fixtures.assertClose(expectedIn, x, 0, name + " input");
        }
        return Fixtures.array(x.getManager(), out);
    }
}
