package dev.tinify.runtime.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.dsl.Spec;
import dev.tinify.runtime.checkpoint.SafeTensors;
import java.util.Map;

/**
 * What training needs of a compiled spec besides its module tree: its identity for checkpoints,
 * the manager its parameters live in, the entropy models' auxiliary loss and table update, and
 * loading a state dict. An image model ({@link CompressionModel}) and a video model
 * ({@link dev.tinify.runtime.video.VideoModel}) are both trained by the same
 * {@link dev.tinify.runtime.train.Trainer}.
 */
public interface TrainableModel {
    /** The architecture name. */
    String name();

    /** The spec the model was compiled from. */
    Spec spec();

    /** Resolved numeric parameters. */
    Map<String, Number> params();

    /** The manager owning every parameter and buffer. */
    NDManager manager();

    /** Whether the model codes point clouds (its distortion is a Chamfer distance, of which a PSNR would mean nothing). */
    default boolean pointCloud() {
        return false;
    }

    /** Input height and width must be multiples of this. */
    int downsamplingFactor();

    /** Rebuilds the entropy models' CDF tables (kept unless {@code force}); true if any was updated. */
    boolean update(boolean force);

    /** The entropy bottlenecks' auxiliary loss, a scalar in the model's manager. */
    NDArray auxLoss();

    /** Loads a full state dict with CompressAI's names. */
    void load(Map<String, SafeTensors.Tensor> stateDict);
}
