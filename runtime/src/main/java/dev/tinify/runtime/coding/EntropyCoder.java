package dev.tinify.runtime.coding;

/**
 * An entropy coder over quantized CDF tables, with CompressAI's calling convention: each symbol
 * is coded with the table its index names; values outside a table's range are escaped and
 * bypass-coded. Implementations are registered in {@link EntropyCoders}.
 *
 * <p>Tables are validated when first used (IllegalArgumentException naming the bad row) and must
 * not be mutated afterwards. Decoding never reads out of bounds or loops without bound: damaged
 * input gives symbols or an unchecked {@link CorruptStreamException}.
 */
public interface EntropyCoder {
    /** Name recorded in .tfy files, e.g. {@code ans}. */
    String name();

    /** Encodes all symbols in one call (CompressAI's {@code RansEncoder.encode_with_indexes}). */
    byte[] encodeWithIndexes(int[] symbols, int[] indexes, CdfTables tables);

    /** Decodes {@code indexes.length} symbols (CompressAI's {@code RansDecoder.decode_with_indexes}). */
    int[] decodeWithIndexes(byte[] data, int[] indexes, CdfTables tables);

    /** An encoder fed in several calls and flushed once (CompressAI's {@code BufferedRansEncoder}). */
    Encoder newEncoder();

    /** A decoder over one stream read in several calls ({@code set_stream} + {@code decode_stream}). */
    Decoder newDecoder(byte[] data);

    /** Incremental encoder. */
    interface Encoder {
        void encodeWithIndexes(int[] symbols, int[] indexes, CdfTables tables);

        byte[] flush();
    }

    /** Incremental decoder; each call continues where the previous one stopped. */
    interface Decoder {
        int[] decodeStream(int[] indexes, CdfTables tables);

        /**
         * Checks that the stream ends where the last decoded symbol does, throwing
         * {@link CorruptStreamException} otherwise; call it after the last {@link #decodeStream}.
         */
        void finish();
    }
}
