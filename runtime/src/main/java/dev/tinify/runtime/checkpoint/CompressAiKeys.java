package dev.tinify.runtime.checkpoint;

import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The key renames CompressAI's own loader applies to older state dicts: the {@code module.} prefix
 * of a model trained under {@code DataParallel} is dropped, ResidualBlockWithStride's
 * {@code .downsample.} becomes {@code .skip.}, and the EntropyBottleneck's parameter lists of older
 * releases, {@code _biases.N} (oldest) or {@code _biasN} (1.1), become {@code biases.N}, the same
 * for {@code matrices} and {@code factors}. A key the target already has is kept as it is (the
 * VBR models still use {@code _bias0}).
 */
public final class CompressAiKeys {
    private static final Pattern OLDEST = Pattern.compile("(^|.*\\.)_(biases|matrices|factors)\\.(\\d+)$");
    private static final Pattern V11 = Pattern.compile("(^|.*\\.)_(bias|matrix|factor)(\\d+)$");
    private static final Map<String, String> PLURAL = Map.of("bias", "biases", "matrix", "matrices", "factor", "factors");

    private CompressAiKeys() {}

    /** The current name of {@code key}, or {@code key} itself when {@code known} has it or no rule applies. */
    public static String rename(String key, Predicate<String> known) {
        if (known.test(key)) {
            return key;
        }
        String k = key.startsWith("module.") ? key.substring("module.".length()) : key;
        k = k.replace(".downsample.", ".skip.");
        Matcher m = OLDEST.matcher(k);
        if (m.matches()) {
            k = m.group(1) + m.group(2) + "." + m.group(3);
        } else if ((m = V11.matcher(k)).matches()) {
            k = m.group(1) + PLURAL.get(m.group(2)) + "." + m.group(3);
        }
        return k;
    }

    /**
     * {@code stateDict} with every key renamed (order kept).
     *
     * @throws IllegalArgumentException if two stored keys take the same name
     */
    public static Map<String, Tensor> rename(Map<String, Tensor> stateDict, Predicate<String> known) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Map<String, String> from = new LinkedHashMap<>();
        stateDict.forEach((key, t) -> {
            String k = rename(key, known);
            String other = from.put(k, key);
            if (other != null) {
                throw new IllegalArgumentException("state dict keys '" + other + "' and '" + key + "' both name '" + k + "'");
            }
            out.put(k, t);
        });
        return out;
    }
}
