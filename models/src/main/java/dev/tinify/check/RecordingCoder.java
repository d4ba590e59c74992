package dev.tinify.check;

import dev.tinify.runtime.coding.CdfTables;
import dev.tinify.runtime.coding.EntropyCoder;
import dev.tinify.runtime.coding.RansCoder;
import java.util.ArrayList;
import java.util.List;

/**
 * CompressAI's rANS coder that also records the symbols and indexes of every encode call, so that
 * a bitstream difference can be traced to the first differing symbol.
 */
public final class RecordingCoder implements EntropyCoder {
    /** One encode call: the exact integer lists handed to the coder. */
    record Call(int[] symbols, int[] indexes) {}

    private final RansCoder inner = new RansCoder();
    private final List<Call> calls = new ArrayList<>();

    List<Call> calls() {
        return calls;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public byte[] encodeWithIndexes(int[] symbols, int[] indexes, CdfTables tables) {
        calls.add(new Call(symbols.clone(), indexes.clone()));
        return inner.encodeWithIndexes(symbols, indexes, tables);
    }

    @Override
    public int[] decodeWithIndexes(byte[] data, int[] indexes, CdfTables tables) {
        return inner.decodeWithIndexes(data, indexes, tables);
    }

    @Override
    public Encoder newEncoder() {
        Encoder e = inner.newEncoder();
        List<int[]> symbols = new ArrayList<>();
        List<int[]> indexes = new ArrayList<>();
        return new Encoder() {
            @Override
            public void encodeWithIndexes(int[] s, int[] i, CdfTables tables) {
                symbols.add(s.clone());
                indexes.add(i.clone());
                e.encodeWithIndexes(s, i, tables);
            }

            @Override
            public byte[] flush() {
                // CompressAI records a buffered stream as one call: the concatenated lists.
                calls.add(new Call(concat(symbols), concat(indexes)));
                symbols.clear();
                indexes.clear();
                return e.flush();
            }
        };
    }

    @Override
    public Decoder newDecoder(byte[] data) {
        return inner.newDecoder(data);
    }

    /** The parts laid end to end (the calls of one stream as one list). */
    public static int[] concat(List<int[]> parts) {
        int n = parts.stream().mapToInt(p -> p.length).sum();
        int[] out = new int[n];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
