package dev.tinify.runtime.codecs.context;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.codecs.LatentCodec;
import dev.tinify.runtime.codecs.Parts;
import dev.tinify.runtime.nn.ForwardScope;
import dev.tinify.runtime.nn.Layer;
import dev.tinify.runtime.nn.Module;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Channel groups coded one after the other, each conditioned on the groups before it
 * (CompressAI's {@code ChannelGroupsLatentCodec}; the channel-conditional model of Minnen and
 * Singh 2020 and ELIC's uneven grouping, He et al. 2022). The latent is split along channels into
 * {@code groups} (sizes may differ); group k is coded by child codec {@code y<k>} with ctx
 * {@code cat(channel_context.y<k>(cat(decoded groups 0..k-1)), side params)}, and group 0 with
 * the side params alone ({@link ContextGroups} selects which earlier groups are seen).
 *
 * <p>Streams are the children's streams in group order (every child must give the same number);
 * the shape is the list of the children's shapes. Children are any latent codecs, for example a
 * {@link CheckerboardLatentCodec} per group for ELIC's space-channel context.
 *
 * <p>Parts: {@code channel_context.y1 ...} and {@code latent_codec.y0 ...}.
 */
public final class ChannelGroupsLatentCodec extends ContextCodec {
    private static final String NAME = "ChannelGroupsLatentCodec";

    /** Which decoded groups feed the channel context of group k (CompressAI's {@code merge_y}). */
    public enum ContextGroups {
        /** All groups before k, concatenated (ELIC as published; CompressAI's default). */
        ALL_PREVIOUS,
        /** Group 0 and group k-1 (just group 0 for k = 1), as Chandelier's ELIC re-implementation does. */
        FIRST_AND_PREVIOUS
    }

    private final int[] groups;
    private final ContextGroups contextGroups;
    private final List<Layer> channelContext;
    private final List<LatentCodec> codecs;

    /** A named container (PyTorch's {@code nn.ModuleDict}) so that keys read {@code latent_codec.y0.…}. */
    private static final class Group extends Module {
        Group(String prefix, int first, List<?> items) {
            for (int i = 0; i < items.size(); i++) {
                if (!(items.get(i) instanceof Module m)) {
                    throw new IllegalArgumentException(NAME + ": part " + prefix + (first + i) + " ("
                            + items.get(i).getClass().getName() + ") is not a Module, so it cannot be registered by name");
                }
                child(prefix + (first + i), m);
            }
        }
    }

    /**
     * @param groups channels of each group, in order
     * @param contextGroups which decoded groups the channel context of a group sees
     * @param channelContext one layer per group after the first: maps the decoded earlier groups
     *     to channel-context params ({@code channel_context.y1}, {@code y2}, ...)
     * @param codecs one codec per group ({@code latent_codec.y0}, {@code y1}, ...)
     * @param parts whether this codec registers its parts as children
     */
    public ChannelGroupsLatentCodec(int[] groups, ContextGroups contextGroups, List<? extends Layer> channelContext,
            List<? extends LatentCodec> codecs, Parts parts) {
        super(parts);
        if (groups.length == 0) {
            throw new IllegalArgumentException(NAME + ": needs at least one group");
        }
        for (int g : groups) {
            if (g <= 0) {
                throw new IllegalArgumentException(NAME + ": group sizes must be positive, got " + java.util.Arrays.toString(groups));
            }
        }
        if (codecs.size() != groups.length || channelContext.size() != groups.length - 1) {
            throw new IllegalArgumentException(NAME + ": " + groups.length + " groups need " + groups.length + " codecs and "
                    + (groups.length - 1) + " channel-context layers, got " + codecs.size() + " and " + channelContext.size());
        }
        this.groups = groups.clone();
        this.contextGroups = contextGroups;
        this.channelContext = List.copyOf(channelContext);
        this.codecs = List.copyOf(codecs);
        part("channel_context", new Group("y", 1, this.channelContext));
        part("latent_codec", new Group("y", 0, this.codecs));
    }

    public int[] groups() {
        return groups.clone();
    }

    public List<LatentCodec> codecs() {
        return codecs;
    }

    @Override
    public ForwardOut forward(NDArray latent, @Nullable NDArray side) {
        NDList parts = split(latent);
        try (ForwardScope scope = scope(latent.getManager(), latent)) {
            if (side != null) {
                scope.input(side);
            }
            List<NDArray> decoded = new ArrayList<>();
            List<NDArray> likelihoods = new ArrayList<>();
            for (int k = 0; k < groups.length; k++) {
                ForwardOut out = codecs.get(k).forward(parts.get(k), ctx(k, side, decoded));
                decoded.add(out.yHat());
                NDArray l = out.likelihoods().get("y");
                if (l == null) {
                    throw new IllegalStateException(NAME + ": codec y" + k + " returned no 'y' likelihoods");
                }
                likelihoods.add(l);
            }
            Map<String, NDArray> lik = Map.of("y", scope.keep(NDArrays.concat(new NDList(likelihoods), 1)));
            return new ForwardOut(lik, scope.keep(NDArrays.concat(new NDList(decoded), 1)));
        }
    }

    @Override
    public CompressOut compress(NDArray latent, @Nullable NDArray side) {
        NDList parts = split(latent);
        try (ForwardScope scope = scope(latent.getManager(), latent)) {
            if (side != null) {
                scope.input(side);
            }
            List<NDArray> decoded = new ArrayList<>();
            List<List<byte[]>> strings = new ArrayList<>();
            List<Object> shapes = new ArrayList<>();
            int perGroup = -1;
            for (int k = 0; k < groups.length; k++) {
                CompressOut out = codecs.get(k).compress(parts.get(k), ctx(k, side, decoded));
                if (perGroup < 0) {
                    perGroup = out.strings().size();
                } else if (out.strings().size() != perGroup) {
                    throw new IllegalStateException(NAME + ": codec y" + k + " gave " + out.strings().size()
                            + " streams, codec y0 gave " + perGroup + "; every group must give the same number");
                }
                strings.addAll(out.strings());
                shapes.add(out.shape());
                decoded.add(out.yHat());
            }
            return new CompressOut(strings, shapes, scope.keep(NDArrays.concat(new NDList(decoded), 1)));
        }
    }

    @Override
    public NDArray decompress(NDManager manager, List<List<byte[]>> strings, Object shape, @Nullable NDArray side) {
        if (!(shape instanceof List<?> shapes) || shapes.size() != groups.length) {
            throw new IllegalArgumentException(NAME + ": expected a list of " + groups.length + " group shapes, got " + shape);
        }
        if (strings.isEmpty() || strings.size() % groups.length != 0) {
            throw new IllegalArgumentException(NAME + ": " + strings.size() + " streams cannot be split evenly over "
                    + groups.length + " groups");
        }
        checkBatch(strings, strings.get(0).size(), NAME);
        int per = strings.size() / groups.length;
        try (ForwardScope scope = side == null ? scope(manager) : scope(manager, side)) {
            List<NDArray> decoded = new ArrayList<>();
            for (int k = 0; k < groups.length; k++) {
                NDArray yk = codecs.get(k).decompress(scope.manager(), strings.subList(k * per, (k + 1) * per),
                        shapes.get(k), ctx(k, side, decoded));
                if (yk.getShape().dimension() != 4 || yk.getShape().get(1) != groups[k]) {
                    throw new IllegalStateException(NAME + ": codec y" + k + " decoded " + yk.getShape() + ", expected "
                            + groups[k] + " channels");
                }
                decoded.add(yk);
            }
            return scope.keep(NDArrays.concat(new NDList(decoded), 1));
        }
    }

    /** The ctx of group k: the side params for group 0, else the channel context of the earlier groups merged with them. */
    private @Nullable NDArray ctx(int k, @Nullable NDArray side, List<NDArray> decoded) {
        if (k == 0) {
            return side;
        }
        List<NDArray> seen = contextGroups == ContextGroups.ALL_PREVIOUS || k == 1
                ? decoded
                : List.of(decoded.get(0), decoded.get(k - 1));
        NDArray earlier = seen.size() == 1 ? seen.get(0) : NDArrays.concat(new NDList(seen), 1);
        NDArray channel = channelContext.get(k - 1).forward(earlier);
        return side == null ? channel : NDArrays.concat(new NDList(channel, side), 1);
    }

    private NDList split(NDArray latent) {
        Shape s = nchw(latent, "the latent", NAME);
        int total = 0;
        for (int g : groups) {
            total += g;
        }
        if (s.get(1) != total) {
            throw new IllegalArgumentException(NAME + ": latent " + s + " has " + s.get(1) + " channels, groups "
                    + java.util.Arrays.toString(groups) + " need " + total);
        }
        long[] cuts = new long[groups.length - 1];
        long at = 0;
        for (int k = 0; k + 1 < groups.length; k++) {
            at += groups[k];
            cuts[k] = at;
        }
        return cuts.length == 0 ? new NDList(latent) : latent.split(cuts, 1);
    }
}
