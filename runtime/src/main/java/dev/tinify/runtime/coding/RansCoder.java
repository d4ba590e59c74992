package dev.tinify.runtime.coding;

/**
 * rANS, byte-compatible with CompressAI's {@code compressai.ans} (ryg's rans64: 64-bit state,
 * 32-bit little-endian words, lower bound 2^31, 16-bit precision, 4-bit bypass escapes).
 *
 * <p>Differences from CompressAI, all outside the streams it can produce: encoding no symbols
 * gives the 8-byte empty stream instead of a buffer overflow; escapes whose raw value needs more
 * than 7 chunks (CompressAI hangs on them) are coded with up to 9 chunks, so every int symbol is
 * codable; decoding checks its input and throws {@link CorruptStreamException} instead of reading
 * out of bounds. Stateless and thread-safe; its encoders and decoders are not.
 */
public final class RansCoder implements EntropyCoder {
    /** Registry name, as recorded in .tfy files. */
    public static final String NAME = "ans";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte[] encodeWithIndexes(int[] symbols, int[] indexes, CdfTables tables) {
        BufferedRansEncoder encoder = new BufferedRansEncoder();
        encoder.encodeWithIndexes(symbols, indexes, tables);
        return encoder.flush();
    }

    /**
     * Decodes one whole stream and checks it ends exactly where the last symbol does (all words
     * read, final state equal to the encoder's initial state), which catches most corruption.
     */
    @Override
    public int[] decodeWithIndexes(byte[] data, int[] indexes, CdfTables tables) {
        RansDecoder decoder = new RansDecoder(data);
        int[] out = decoder.decodeStream(indexes, tables);
        decoder.finish();
        return out;
    }

    @Override
    public BufferedRansEncoder newEncoder() {
        return new BufferedRansEncoder();
    }

    @Override
    public RansDecoder newDecoder(byte[] data) {
        return new RansDecoder(data);
    }

    @Override
    public String toString() {
        return NAME;
    }
}
