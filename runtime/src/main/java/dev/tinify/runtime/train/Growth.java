package dev.tinify.runtime.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.layers.Conv2d;
import dev.tinify.runtime.layers.ConvTranspose2d;
import dev.tinify.runtime.nn.Module;
import dev.tinify.runtime.nn.Param;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts a wider model from a narrower one's weights (more channels N or M, same layers): each
 * float tensor of the file that is smaller than the model's in some dimensions fills the leading
 * block of the model's, the rest keeping its fresh initialization, except that a convolution's
 * weights from the new input channels to the old output channels start at zero. The old channels
 * then compute what the narrower model did (GDN's fresh gamma has no cross terms either), so the
 * grown model starts at the narrower one's distortion, the new channels adding only their own
 * rate, and training lets the new channels in through those zero weights.
 */
final class Growth {
    private Growth() {}

    /** The float entries of {@code tensors} that fit into the leading block of {@code model}'s and are smaller. */
    static Map<String, SafeTensors.Tensor> smaller(Module model, Map<String, SafeTensors.Tensor> tensors) {
        Map<String, SafeTensors.Tensor> out = new LinkedHashMap<>();
        model.stateDict().forEach((key, p) -> {
            SafeTensors.Tensor t = tensors.get(key);
            if (t != null && !StateDicts.RESIZED_ON_LOAD.contains(key.substring(key.lastIndexOf('.') + 1))
                    && p.value().getDataType() == DataType.FLOAT32
                    && (t.dtype() == SafeTensors.DType.F32 || t.dtype() == SafeTensors.DType.F16)
                    && fitsInside(t.shape(), p.value().getShape().getShape())) {
                out.put(key, t);
            }
        });
        return out;
    }

    /** Embeds each of {@link #smaller}'s entries into {@code model}; returns the keys, in state-dict order. */
    static List<String> apply(Module model, Map<String, SafeTensors.Tensor> smaller) {
        List<String> grown = new ArrayList<>();
        model.stateDict().forEach((key, p) -> {
            SafeTensors.Tensor t = smaller.get(key);
            if (t != null) {
                p.set(embed(p.value(), t, zeroedBlock(model, key)));
                grown.add(key);
            }
        });
        return grown;
    }

    /** Same rank, no dimension larger, at least one smaller. */
    static boolean fitsInside(long[] small, long[] big) {
        if (small.length != big.length) {
            return false;
        }
        boolean smaller = false;
        for (int i = 0; i < small.length; i++) {
            if (small[i] > big[i]) {
                return false;
            }
            smaller |= small[i] < big[i];
        }
        return smaller;
    }

    /** Which weights start at zero: new inputs to old outputs. */
    private enum Zeroed { NONE, CONV, DECONV }

    private static Zeroed zeroedBlock(Module model, String key) {
        int dot = key.lastIndexOf('.');
        // a spectral convolution stores weight_transformed: zero there is zero in space too
        if (dot < 0 || !key.startsWith("weight", dot + 1)) {
            return Zeroed.NONE;
        }
        Module m = model;
        for (String part : key.substring(0, dot).split("\\.")) {
            m = m.children().get(part);
            if (m == null) {
                return Zeroed.NONE;
            }
        }
        // Conv2d's weight is [out, in, k, k], ConvTranspose2d's [in, out, k, k].
        return m instanceof Conv2d ? Zeroed.CONV : m instanceof ConvTranspose2d ? Zeroed.DECONV : Zeroed.NONE;
    }

    /** {@code current}'s values with {@code t} in the leading block and the cross block zeroed, as a new array. */
    private static NDArray embed(NDArray current, SafeTensors.Tensor t, Zeroed zeroed) {
        long[] big = current.getShape().getShape();
        long[] small = t.shape();
        float[] out = current.toFloatArray();
        float[] in = t.toFloats();
        int rank = big.length;
        long[] index = new long[rank];
        for (int i = 0; i < in.length; i++) {
            // index of element i in the small shape, row-major; its flat position in the big one
            long rest = i;
            for (int d = rank - 1; d >= 0; d--) {
                index[d] = rest % small[d];
                rest /= small[d];
            }
            long flat = 0;
            for (int d = 0; d < rank; d++) {
                flat = flat * big[d] + index[d];
            }
            out[(int) flat] = in[i];
        }
        if (zeroed != Zeroed.NONE && rank >= 2) {
            int outDim = zeroed == Zeroed.CONV ? 0 : 1;
            int inDim = 1 - outDim;
            long inner = 1;
            for (int d = 2; d < rank; d++) {
                inner *= big[d];
            }
            for (long a = 0; a < big[0]; a++) {
                for (long b = 0; b < big[1]; b++) {
                    long o = outDim == 0 ? a : b;
                    long c = inDim == 0 ? a : b;
                    if (o < small[outDim] && c >= small[inDim]) {
                        long base = (a * big[1] + b) * inner;
                        for (long k = 0; k < inner; k++) {
                            out[(int) (base + k)] = 0f;
                        }
                    }
                }
            }
        }
        return current.getManager().create(out, new Shape(big));
    }
}
