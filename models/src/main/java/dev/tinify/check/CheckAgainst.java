package dev.tinify.check;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * What a recorded model case is checked against besides Tinify and the native library: the
 * project's current spec (instead of the spec text the case carries) and its current weights file
 * (compared tensor by tensor with the recorded state dict). Null parts use what the case recorded.
 *
 * @param spec a spec file or bundled spec name, or null for the case's own spec
 * @param weights a weights file, or null for no weights comparison
 */
public record CheckAgainst(@Nullable String spec, @Nullable Path weights) {
    /** Only what the cases themselves hold. */
    public static final CheckAgainst RECORDED = new CheckAgainst(null, null);
}
