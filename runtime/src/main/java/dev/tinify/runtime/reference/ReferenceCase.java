package dev.tinify.runtime.reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A reference case as CompressAI produced it: {@code case.json} (metadata, constructor arguments,
 * base64 bitstreams, margins), {@code tensors.safetensors} (inputs, outputs, intermediates, with
 * bitwise duplicates listed in {@code tensor_aliases}) and, for models, {@code state_dict.safetensors}.
 */
public final class ReferenceCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final JsonNode meta;
    private final Map<String, Tensor> tensors;
    private @Nullable Map<String, Tensor> stateDict;

    private ReferenceCase(Path dir, JsonNode meta, Map<String, Tensor> tensors) {
        this.dir = dir;
        this.meta = meta;
        this.tensors = tensors;
    }

    /** Opens the case in {@code dir}; fails with the path named if {@code case.json} is missing or damaged. */
    public static ReferenceCase open(Path dir) throws IOException {
        Path json = dir.resolve("case.json");
        if (!Files.isRegularFile(json)) {
            throw new IOException(dir + ": not a reference case (no case.json)");
        }
        JsonNode meta = JSON.readTree(json.toFile());
        Path t = dir.resolve("tensors.safetensors");
        Map<String, Tensor> tensors = Files.isRegularFile(t) ? SafeTensors.read(t) : Collections.emptyMap();
        return new ReferenceCase(dir, meta, tensors);
    }

    public Path dir() {
        return dir;
    }

    /** The case name, e.g. {@code bmshj2018-hyperprior} or {@code unit-rans}. */
    public String name() {
        return meta.path("case").asText(dir.getFileName().toString());
    }

    /** The whole {@code case.json}. */
    public JsonNode meta() {
        return meta;
    }

    /** {@code constructor_kwargs}, e.g. {@code {N: 16, M: 24}}. */
    public JsonNode constructorKwargs() {
        return meta.path("constructor_kwargs");
    }

    public boolean hasTensor(String name) {
        return resolve(name) != null;
    }

    /** A tensor by name, following {@code tensor_aliases}. */
    public Tensor tensor(String name) {
        Tensor t = resolve(name);
        if (t == null) {
            throw new IllegalArgumentException(dir + ": no tensor '" + name + "' (have " + tensors.keySet() + ")");
        }
        return t;
    }

    private @Nullable Tensor resolve(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            JsonNode alias = meta.path("tensor_aliases").path(name);
            if (alias.isTextual()) {
                t = tensors.get(alias.asText());
            }
        }
        return t;
    }

    /** Names of the stored tensors (aliases not included). */
    public List<String> tensorNames() {
        return new ArrayList<>(tensors.keySet());
    }

    /** The model's state dict, read on first use. */
    public Map<String, Tensor> stateDict() throws IOException {
        if (stateDict == null) {
            stateDict = SafeTensors.read(dir.resolve("state_dict.safetensors"));
        }
        return stateDict;
    }

    /** {@code compress.strings} decoded: streams in CompressAI's order, each a list of per-batch byte strings. */
    public List<List<byte[]>> compressStrings() {
        return decodeStrings(meta.path("compress").path("strings"));
    }

    /**
     * Decodes a nested list of base64 strings into streams of per-batch bytes. A stream that is
     * itself a list of streams (hrtzxf2022's {@code [[feat], [xyz]]}, each part's strings a list of
     * one per-batch list) gives its streams in order.
     */
    public static List<List<byte[]>> decodeStrings(JsonNode node) {
        List<List<byte[]>> out = new ArrayList<>();
        for (JsonNode stream : node) {
            if (stream.size() > 0 && stream.get(0).isArray()) {
                stream.forEach(inner -> out.add(batch(inner)));
            } else {
                out.add(batch(stream));
            }
        }
        return out;
    }

    private static List<byte[]> batch(JsonNode stream) {
        List<byte[]> batch = new ArrayList<>();
        for (JsonNode s : stream) {
            batch.add(Base64.getDecoder().decode(s.asText()));
        }
        return batch;
    }

    /** {@code compress.shape} as JSON-like data (lists of integers, lists, maps). */
    public Object compressShape() {
        return JSON.convertValue(meta.path("compress").path("shape"), Object.class);
    }

    /** The shared folder beside the repository, from {@code -Dtinify.shared} or {@code ../shared}. */
    public static Path sharedDir() {
        String p = System.getProperty("tinify.shared");
        return Path.of(p != null ? p : "../shared").toAbsolutePath().normalize();
    }

    /** A fixture case by name from {@link #sharedDir()}{@code /fixtures}. */
    public static ReferenceCase fixture(String name) throws IOException {
        return open(sharedDir().resolve("fixtures").resolve(name));
    }
}
