package dev.tinify.runtime.codecs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One latent codec per level of a hierarchy, as CompressAI's point-cloud models keep them
 * ({@code latent_codec._2}, {@code latent_codec._3}, ...). Level i has a [B, channels[i],
 * lengths[i]] latent; the latent this codec takes and gives is every coded level flattened and
 * concatenated along the channels, [B, Σ channels[i]·lengths[i], 1], so that one array carries
 * them through the model. Each level's codec sees [B, channels[i], lengths[i], 1].
 *
 * <p>A level with 0 channels is not coded. Strings: one stream per level in order (an uncoded
 * level's stream holds an empty string per batch item); shape: {@code {y_0: ..., y_1: ...}},
 * {@code []} for an uncoded level; likelihoods {@code y_i} (a level codec's other likelihoods
 * {@code name_i}).
 */
public final class LevelsLatentCodec extends CodecModule {
    private static final String NAME = "LevelsLatentCodec";
    private final int[] channels;
    private final int[] lengths;
    private final List<@Nullable LatentCodec> codecs;
    private final long total;

    /**
     * @param codecs the codec of each level, null exactly where {@code channels} is 0
     */
    public LevelsLatentCodec(int[] channels, int[] lengths, List<@Nullable LatentCodec> codecs, Parts parts) {
        super(parts);
        if (channels.length != lengths.length || channels.length != codecs.size()) {
            throw new IllegalArgumentException(NAME + ": " + channels.length + " channel counts, " + lengths.length + " lengths and "
                    + codecs.size() + " codecs");
        }
        this.channels = channels.clone();
        this.lengths = lengths.clone();
        this.codecs = Collections.unmodifiableList(new ArrayList<>(codecs));
        long sum = 0;
        for (int i = 0; i < channels.length; i++) {
            if (channels[i] < 0 || (channels[i] > 0 && lengths[i] <= 0) || (codecs.get(i) == null) != (channels[i] == 0)) {
                throw new IllegalArgumentException(NAME + ": level " + i + " has " + channels[i] + " channels, length " + lengths[i]
                        + (codecs.get(i) == null ? " and no codec" : " and a codec"));
            }
            sum += (long) channels[i] * lengths[i];
            if (codecs.get(i) != null) {
                part("_" + i, codecs.get(i));
            }
        }
        this.total = sum;
    }

    @Override
    public ForwardOut forward(NDArray y, @Nullable NDArray ctx) {
        Map<String, NDArray> likelihoods = new LinkedHashMap<>();
        NDList yHat = new NDList();
        List<NDArray> levels = split(y);
        for (int i = 0; i < codecs.size(); i++) {
            LatentCodec codec = codecs.get(i);
            if (codec != null) {
                ForwardOut out = codec.forward(levels.get(i), null);
                int level = i;
                out.likelihoods().forEach((k, v) -> likelihoods.put(k + "_" + level, v));
                yHat.add(flat(out.yHat(), i));
            }
        }
        return new ForwardOut(Collections.unmodifiableMap(likelihoods), NDArrays.concat(yHat, 1));
    }

    @Override
    public CompressOut compress(NDArray y, @Nullable NDArray ctx) {
        int batch = Math.toIntExact(y.getShape().get(0));
        List<List<byte[]>> strings = new ArrayList<>();
        Map<String, Object> shape = new LinkedHashMap<>();
        NDList yHat = new NDList();
        List<NDArray> levels = split(y);
        for (int i = 0; i < codecs.size(); i++) {
            LatentCodec codec = codecs.get(i);
            if (codec == null) {
                List<byte[]> empty = new ArrayList<>();
                for (int b = 0; b < batch; b++) {
                    empty.add(new byte[0]);
                }
                strings.add(empty);
                shape.put("y_" + i, List.of());
                continue;
            }
            CompressOut out = codec.compress(levels.get(i), null);
            strings.add(single(out.strings(), NAME + " level " + i));
            shape.put("y_" + i, out.shape());
            yHat.add(flat(out.yHat(), i));
        }
        return new CompressOut(strings, Collections.unmodifiableMap(shape), NDArrays.concat(yHat, 1));
    }

    @Override
    public NDArray decompress(NDManager manager, List<List<byte[]>> strings, Object shape, @Nullable NDArray ctx) {
        if (strings.size() != codecs.size() || !(shape instanceof Map<?, ?> sizes)) {
            throw new IllegalArgumentException(NAME + ": expected " + codecs.size() + " streams and a shape {y_0: ...}, got "
                    + strings.size() + " streams and " + shape);
        }
        NDList yHat = new NDList();
        for (int i = 0; i < codecs.size(); i++) {
            LatentCodec codec = codecs.get(i);
            if (codec != null) {
                yHat.add(flat(codec.decompress(manager, List.of(strings.get(i)), entry(sizes, "y_" + i, NAME), null), i));
            }
        }
        return NDArrays.concat(yHat, 1);
    }

    /** The coded levels of a [B, total, 1] latent, each [B, channels[i], lengths[i], 1]; null for uncoded levels. */
    private List<@Nullable NDArray> split(NDArray y) {
        long[] s = y.getShape().getShape();
        if (s.length != 3 || s[1] != total || s[2] != 1) {
            throw new IllegalArgumentException(NAME + ": expected a latent [B, " + total + ", 1] (levels of " + Arrays.toString(channels)
                    + " channels and lengths " + Arrays.toString(lengths) + "), got " + y.getShape());
        }
        List<@Nullable NDArray> out = new ArrayList<>();
        long at = 0;
        for (int i = 0; i < channels.length; i++) {
            long size = (long) channels[i] * lengths[i];
            out.add(size == 0 ? null : y.get(new NDIndex(":, {}:{}", at, at + size)).reshape(s[0], channels[i], lengths[i], 1));
            at += size;
        }
        return out;
    }

    private NDArray flat(NDArray level, int i) {
        return level.reshape(level.getShape().get(0), (long) channels[i] * lengths[i], 1);
    }
}
