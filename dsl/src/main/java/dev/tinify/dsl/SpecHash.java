package dev.tinify.dsl;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The identity of an architecture at its sizes: lowercase hex SHA-256 of the spec's canonical text
 * ({@link SpecWriter}) and its resolved numeric parameters. Two models with the same hash have the
 * same architecture and sizes; formatting and comments of the spec file do not change it.
 */
public final class SpecHash {
    private SpecHash() {}

    /** The hash of {@code spec} built with the resolved {@code params}. */
    public static String of(Spec spec, Map<String, ? extends Number> params) {
        StringBuilder text = new StringBuilder(SpecWriter.write(spec));
        text.append("\n# resolved parameters\n");
        new TreeMap<>(params).forEach((k, v) -> text.append(k).append('=').append(canonical(v)).append('\n'));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** Integral values print alike whether they were given as 16 or 16.0. */
    private static String canonical(Number v) {
        double d = v.doubleValue();
        return d == Math.rint(d) && !Double.isInfinite(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
