package dev.tinify.runtime.coding;

/**
 * The decoding primitives a coder offers to {@link CompiledTables#decode}: the next 16-bit cumulative
 * frequency, consuming a table interval, and reading one 4-bit bypass value. Implementations throw
 * {@link CorruptStreamException} when they run out of input they cannot do without.
 */
abstract class SymbolReader {
    /** The cumulative frequency (0..65535) the next symbol's interval must contain. */
    abstract int peek();

    /** Consumes the interval {@code [start, start + freq)} found for the value {@link #peek()} gave. */
    abstract void advance(int start, int freq);

    /** Reads one bypass-coded 4-bit value. */
    abstract int readBypass();
}
