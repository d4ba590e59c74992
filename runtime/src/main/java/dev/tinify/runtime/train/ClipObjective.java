package dev.tinify.runtime.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.codecs.LatentCodec;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.video.VideoModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Training a video model as CompressAI's {@code train_video.py}: each step a batch of groups of
 * {@link #GROUP_FRAMES} consecutive frames ({@link ClipSampler}); the model codes each group as a
 * clip (the first frame a keyframe, each later one predicted from the previous reconstruction, the
 * keyframe's cut from the graph), and the loss is {@code lambda * 255^2 * MSE + bpp} with the MSE
 * averaged over the frames and the bits of every frame's latents divided by the pixels of the whole
 * group (CompressAI's {@code num_pixels = H * W * num_frames}): the image loss over the frames
 * stacked into one batch. Validation codes the first {@link #GROUP_FRAMES} frames of each
 * validation clip, centre-cropped.
 */
final class ClipObjective implements Objective {
    /** Frames per training group, as CompressAI's {@code VideoFolder} ({@code max_frames = 3}). */
    static final int GROUP_FRAMES = 3;

    private final VideoModel model;
    private final TrainingConfig config;
    private final RateDistortionLoss loss;
    private final ClipSampler sampler;
    /** The batch, frame-major, reused every step (see {@link ImageObjective}'s input). */
    private final ByteBuffer input;
    private final List<List<RgbImage>> validation;

    ClipObjective(VideoModel model, TrainingConfig config) {
        this.model = model;
        this.config = config;
        int df = model.downsamplingFactor();
        if (config.patch() % df != 0) {
            throw new IllegalArgumentException(model.name() + ": patch " + config.patch() + " is not a multiple of the model's "
                    + "downsampling factor " + df);
        }
        if (config.baseStage()) {
            throw new IllegalArgumentException(model.name() + " is a fixed-rate model: the base stage trains the base model of a "
                    + "variable-rate one");
        }
        if (!config.augment().equals(Augmentation.DEFAULT)) {
            throw new IllegalArgumentException(model.name() + ": augmentations apply to image patches, a video clip is sampled as it is");
        }
        this.loss = new RateDistortionLoss(config.metric(), config.lambda());
        this.sampler = new ClipSampler(config.trainDir(), config.patch(), GROUP_FRAMES, config.seed());
        this.input = ByteBuffer.allocateDirect(Math.multiplyExact(Float.BYTES * 3 * GROUP_FRAMES * config.batch(),
                config.patch() * config.patch())).order(ByteOrder.nativeOrder());
        this.validation = config.valDir() == null ? List.of() : loadValidation(config.valDir(), config.patch(), df);
    }

    /** The first frames of each clip, centre crops of at most {@code patch} pixels per side, rounded down to the downsampling factor. */
    private static List<List<RgbImage>> loadValidation(Path dir, int patch, int df) {
        List<List<RgbImage>> out = new ArrayList<>();
        for (Path clip : ClipSampler.listClips(dir)) {
            List<RgbImage> group = new ArrayList<>();
            for (RgbImage f : ClipSampler.read(clip, 0, GROUP_FRAMES)) {
                group.add(ImageObjective.validationCrop(clip, f, patch, df));
            }
            out.add(group);
        }
        return out;
    }

    @Override
    public void sample(long step) {
        sampler.batch(step * config.batch(), config.batch(), input.asFloatBuffer());
    }

    @Override
    public RateDistortionLoss.Terms forward(long step, long seed, NDManager sub) {
        int b = config.batch();
        int p = config.patch();
        NDArray x = sub.create(input, new Shape((long) GROUP_FRAMES * b, 3, p, p), DataType.FLOAT32);
        List<NDArray> frames = new ArrayList<>();
        for (int f = 0; f < GROUP_FRAMES; f++) {
            frames.add(x.get((long) f * b + ":" + (long) (f + 1) * b));
        }
        return clipLoss(x, frames);
    }

    /** The loss of coding {@code frames} as a clip; {@code x} is the frames stacked along the batch. */
    private RateDistortionLoss.Terms clipLoss(NDArray x, List<NDArray> frames) {
        List<LatentCodec.ForwardOut> out = model.codec().forward(frames);
        NDList xHat = new NDList();
        Map<String, NDArray> likelihoods = new LinkedHashMap<>();
        for (int f = 0; f < out.size(); f++) {
            xHat.add(out.get(f).yHat());
            int frame = f;
            out.get(f).likelihoods().forEach((k, v) -> likelihoods.put(frame + "." + k, v));
        }
        return loss.compute(x, NDArrays.concat(xHat, 0), likelihoods);
    }

    @Override
    public int validationItems() {
        return validation.size();
    }

    @Override
    public RateDistortionLoss.Terms validate(int item, NDManager sub) {
        List<NDArray> frames = new ArrayList<>();
        for (RgbImage f : validation.get(item)) {
            frames.add(f.toNDArray(sub));
        }
        return clipLoss(NDArrays.concat(new NDList(frames), 0), frames);
    }
}
