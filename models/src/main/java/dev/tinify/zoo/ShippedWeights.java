package dev.tinify.zoo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tinify.TinifyException;
import dev.tinify.runtime.checkpoint.SafeTensors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Weights Tinify trained and ships for a zoo entry: the classpath resources
 * {@code tinify/weights/<architecture>/<metric>-q<quality>.safetensors} (a variable-rate model,
 * whose one set of weights covers every quality: {@code <metric>.safetensors}) and, beside them,
 * {@code .json} metadata (training recipe, data, steps, results). A shipped entry may use other
 * spec parameters than CompressAI's zoo lists for that quality (smaller N/M train faster on a
 * CPU): {@link #params()} are the ones to build with.
 */
public record ShippedWeights(ZooEntry entry, String resource, Map<String, Object> params, JsonNode metadata) {
    private static final String DIR = "tinify/weights/";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The shipped weights of {@code entry}, if this build bundles them. */
    public static Optional<ShippedWeights> find(ZooEntry entry) {
        String base = DIR + entry.architecture() + "/" + entry.metric().id() + "-q" + entry.quality();
        ClassLoader loader = ShippedWeights.class.getClassLoader();
        if (loader.getResource(base + ".safetensors") == null) {
            base = DIR + entry.architecture() + "/" + entry.metric().id();
            if (loader.getResource(base + ".safetensors") == null) {
                return Optional.empty();
            }
        }
        JsonNode meta;
        try (InputStream in = loader.getResourceAsStream(base + ".json")) {
            if (in == null) {
                throw new TinifyException(base + ".safetensors is bundled without its " + base + ".json metadata");
            }
            meta = JSON.readTree(in);
        } catch (IOException e) {
            throw new TinifyException(base + ".json: unreadable metadata: " + e.getMessage(), e);
        }
        Map<String, Object> params = new LinkedHashMap<>(entry.params());
        params.putAll(params(meta, base + ".json"));
        return Optional.of(new ShippedWeights(entry, base + ".safetensors", params, meta));
    }

    /**
     * The spec parameters recorded in the metadata beside a weights file ({@code W.json} for
     * {@code W.safetensors}, as {@code tinify export} writes it), or none if there is no such
     * file or it is not JSON with a {@code params} object.
     *
     * @throws TinifyException if the {@code params} object holds a value that is not a number
     */
    public static Map<String, Object> paramsBeside(Path weights) {
        Path json = WeightsExport.metadataPath(weights);
        if (!Files.isRegularFile(json)) {
            return Map.of();
        }
        JsonNode meta;
        try {
            meta = JSON.readTree(json.toFile());
        } catch (IOException e) {
            // Not metadata of ours (some other JSON file of the same name): nothing recorded.
            return Map.of();
        }
        return meta == null ? Map.of() : params(meta, json.toString());
    }

    private static Map<String, Object> params(JsonNode meta, String source) {
        Map<String, Object> params = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = meta.path("params").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            if (!p.getValue().isNumber()) {
                throw new TinifyException(source + ": params." + p.getKey() + " is " + p.getValue() + ", expected a number");
            }
            // An integer written as 32.0 (training checkpoints before parameters kept their types) is still 32.
            JsonNode v = p.getValue();
            params.put(p.getKey(), v.isFloatingPointNumber() && v.canConvertToExactIntegral() && v.canConvertToInt() ? v.intValue()
                    : v.numberValue());
        }
        return params;
    }

    /** The state dict (CompressAI key names). */
    public Map<String, SafeTensors.Tensor> stateDict() {
        try (InputStream in = ShippedWeights.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new TinifyException(resource + ": missing from the classpath");
            }
            return SafeTensors.parse(in.readAllBytes(), resource);
        } catch (IOException e) {
            throw new TinifyException(resource + ": " + e.getMessage(), e);
        }
    }
}
