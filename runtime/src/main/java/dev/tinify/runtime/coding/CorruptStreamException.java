package dev.tinify.runtime.coding;

import dev.tinify.TinifyException;

/**
 * A bitstream could not be decoded: it is truncated, has trailing data, or its content does not
 * describe symbols of the given tables. Unchecked, because {@link EntropyCoder} methods are called
 * deep inside codecs that cannot recover from it either; callers that read untrusted files catch it
 * where they report the file.
 */
public final class CorruptStreamException extends TinifyException {
    private static final long serialVersionUID = 1L;

    public CorruptStreamException(String message) {
        super(message);
    }
}
