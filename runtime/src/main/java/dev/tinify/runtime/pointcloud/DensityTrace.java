package dev.tinify.runtime.pointcloud;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.ops.Scalars;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What the density-preserving modules ({@link DensityDownsample}, {@link DensityDecoder}) computed
 * during one forward pass, for their training loss (He et al. 2022; CompressAI returns the same
 * tensors from its model's forward): the encoder's clouds, group sizes and mean distances per
 * level, and the decoder's input points, clouds, predicted counts and mean distances per level.
 *
 * <p>A trace is opened on the current thread around a forward pass ({@link #open}) and only then
 * do the modules record; coding and checking never open one, so they compute exactly what they
 * did without it. Each thread has its own trace. Recorded arrays are moved to the manager given
 * to {@link #open}, so that they outlive the forward's scopes; the encoder's values carry no
 * gradient (they are computed from the input coordinates), the decoder's do.
 */
public final class DensityTrace implements AutoCloseable {
    private static final ThreadLocal<@Nullable DensityTrace> CURRENT = new ThreadLocal<>();

    /**
     * One down-sampling of the encoder, constants in the trace's manager.
     *
     * @param xyz the cloud it took, [B, 3, n]
     * @param centroids the points it kept, [B, 3, m]
     * @param counts each centroid's group size, [B, m]
     * @param meanDistances each centroid's mean distance to its group, [B, m]
     */
    public record EncoderLevel(NDArray xyz, NDArray centroids, NDArray counts, NDArray meanDistances) {}

    /**
     * One up-sampling level of the decoder, from n to n' points.
     *
     * @param xyz the cloud it made, [B, 3, n']
     * @param counts the count predicted for each of its n input points, [B, n]
     * @param meanDistances each input point's mean distance to the output points whose nearest
     *     input point it is (among its k nearest), divided by its predicted count, [B, n]
     */
    public record DecoderLevel(NDArray xyz, NDArray counts, NDArray meanDistances) {}

    private final NDManager manager;
    private final @Nullable DensityTrace before;
    private final List<EncoderLevel> encoder = new ArrayList<>();
    private final List<DecoderLevel> decoder = new ArrayList<>();
    private @Nullable NDArray decoderInput;

    private DensityTrace(NDManager manager, @Nullable DensityTrace before) {
        this.manager = manager;
        this.before = before;
    }

    /** Starts recording this thread's density modules into arrays of {@code manager}, until closed. */
    public static DensityTrace open(NDManager manager) {
        DensityTrace t = new DensityTrace(manager, CURRENT.get());
        CURRENT.set(t);
        return t;
    }

    /** The trace open on this thread, if any. */
    static @Nullable DensityTrace current() {
        return CURRENT.get();
    }

    /** The encoder's levels in the order they ran (the input cloud's first). */
    public List<EncoderLevel> encoder() {
        return List.copyOf(encoder);
    }

    /** The decoder's levels in the order they ran (from the latent's). */
    public List<DecoderLevel> decoder() {
        return List.copyOf(decoder);
    }

    /** The points the decoder started from ([B, 3, m]: the reconstructed latent points), or null if no decoder ran. */
    public @Nullable NDArray decoderInput() {
        return decoderInput;
    }

    /**
     * Records a down-sampling of {@code b} clouds of {@code n} points to {@code m}: the cloud
     * [B, 3, n], the centroids [B, 3, m], the group sizes and mean distances [B, m], as float data.
     */
    public void encoderLevel(float[] xyz, float[] centroids, float[] counts, float[] meanDistances, int b, int n, int m) {
        encoder.add(new EncoderLevel(Scalars.copyOf(manager, xyz, new Shape(b, 3, n)),
                Scalars.copyOf(manager, centroids, new Shape(b, 3, m)), Scalars.copyOf(manager, counts, new Shape(b, m)),
                Scalars.copyOf(manager, meanDistances, new Shape(b, m))));
    }

    /** Records the points the decoder starts from, [B, 3, m] (moved to the trace's manager). */
    public void decoderInput(NDArray points) {
        points.attach(manager);
        decoderInput = points;
    }

    /** Records a decoder level (its arrays are moved to the trace's manager). */
    public void decoderLevel(NDArray xyz, NDArray counts, NDArray meanDistances) {
        xyz.attach(manager);
        counts.attach(manager);
        meanDistances.attach(manager);
        decoder.add(new DecoderLevel(xyz, counts, meanDistances));
    }

    /** Stops recording; the thread's previous trace, if any, records again. The arrays stay in their manager. */
    @Override
    public void close() {
        CURRENT.set(before);
    }
}
