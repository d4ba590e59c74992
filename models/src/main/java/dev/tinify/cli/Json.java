package dev.tinify.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tinify.runtime.container.TfyContainer;
import java.io.PrintWriter;
import java.util.Map;

/** Machine-readable command output: one indented JSON object, NaN written bare as Python's json reads it. */
final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private Json() {}

    /** A file's quality as a number: the integer level, or the fractional quality a variable-rate model coded at. */
    static Number quality(TfyContainer c) {
        Double fraction = c.fractionalQuality();
        return fraction != null ? (Number) fraction : (Number) c.quality();
    }

    /** The object as indented JSON, UTF-8, ending in a newline (for result files). */
    static byte[] bytes(Map<String, ?> object) {
        try {
            return (MAPPER.writeValueAsString(object) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("JSON serialisation failed", e);
        }
    }

    static void print(PrintWriter out, Map<String, ?> object) {
        try {
            out.println(MAPPER.writeValueAsString(object));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("JSON serialisation of command output failed", e);
        }
    }
}
