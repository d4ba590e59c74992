package dev.tinify.check;

import dev.tinify.runtime.coding.CdfTables;
import dev.tinify.runtime.coding.EntropyCoder;
import dev.tinify.runtime.coding.RansCoder;
import dev.tinify.runtime.entropy.EntropyModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An entropy coder around another one (CompressAI's rANS by default) that records every stream
 * passing through it, so that a bitstream difference can be traced to the first differing symbol
 * or table index: for an encoded stream the symbols and indexes handed to the coder and the bytes
 * it produced, for a decoded stream the symbols the decoder returned, the indexes it was given and
 * the bytes it read. A stream coded in several calls (buffered encoder, stream decoder) is one
 * record with the calls' lists laid end to end, as CompressAI records it. Safe for batch items
 * coded in parallel.
 */
public final class RecordingCoder implements EntropyCoder {
    /** One stream: its symbols and table indexes (all calls, in order) and its bytes. */
    public record Stream(int[] symbols, int[] indexes, byte[] bytes) {}

    private final EntropyCoder inner;
    private final List<Stream> encoded = new ArrayList<>();
    private final List<Decoding> decoded = new ArrayList<>();

    /** Records around CompressAI's rANS coder. */
    public RecordingCoder() {
        this(new RansCoder());
    }

    /** Records around {@code inner}, which does the coding. */
    public RecordingCoder(EntropyCoder inner) {
        this.inner = inner;
    }

    /**
     * Gives every entropy model a recording coder around {@code inner}; returns them under the same
     * keys (for instance state-dict prefixes). The caller restores the models' coders when done.
     */
    public static Map<String, RecordingCoder> install(Map<String, EntropyModel> models, EntropyCoder inner) {
        Map<String, RecordingCoder> out = new LinkedHashMap<>();
        models.forEach((name, model) -> {
            RecordingCoder c = new RecordingCoder(inner);
            model.setEntropyCoder(c);
            out.put(name, c);
        });
        return out;
    }

    /** The encoded streams, in the order they were finished. */
    public synchronized List<Stream> encoded() {
        return List.copyOf(encoded);
    }

    /** The decoded streams, in the order they were started, with what was decoded so far. */
    public synchronized List<Stream> decoded() {
        return decoded.stream().map(d -> d.parts().toStream(d.bytes())).toList();
    }

    private synchronized void addEncoded(Stream s) {
        encoded.add(s);
    }

    private synchronized Parts startDecoded(byte[] data) {
        Parts p = new Parts();
        decoded.add(new Decoding(data, p));
        return p;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public byte[] encodeWithIndexes(int[] symbols, int[] indexes, CdfTables tables) {
        int[] s = symbols.clone();
        int[] i = indexes.clone();
        byte[] out = inner.encodeWithIndexes(symbols, indexes, tables);
        addEncoded(new Stream(s, i, out));
        return out;
    }

    @Override
    public int[] decodeWithIndexes(byte[] data, int[] indexes, CdfTables tables) {
        int[] out = inner.decodeWithIndexes(data, indexes, tables);
        startDecoded(data).add(out, indexes);
        return out;
    }

    @Override
    public Encoder newEncoder() {
        Encoder e = inner.newEncoder();
        Parts parts = new Parts();
        return new Encoder() {
            @Override
            public void encodeWithIndexes(int[] s, int[] i, CdfTables tables) {
                parts.add(s, i);
                e.encodeWithIndexes(s, i, tables);
            }

            @Override
            public byte[] flush() {
                byte[] out = e.flush();
                addEncoded(parts.toStream(out));
                parts.clear();
                return out;
            }
        };
    }

    @Override
    public Decoder newDecoder(byte[] data) {
        Decoder d = inner.newDecoder(data);
        Parts parts = startDecoded(data);
        return new Decoder() {
            @Override
            public int[] decodeStream(int[] indexes, CdfTables tables) {
                int[] out = d.decodeStream(indexes, tables);
                parts.add(out, indexes);
                return out;
            }

            @Override
            public void finish() {
                d.finish();
            }
        };
    }

    /** A decoded stream: the bytes read and the calls so far. */
    private record Decoding(byte[] bytes, Parts parts) {}

    /** The calls of one stream so far: copies of their symbol and index lists. */
    private static final class Parts {
        private final List<int[]> symbols = new ArrayList<>();
        private final List<int[]> indexes = new ArrayList<>();

        synchronized void add(int[] s, int[] i) {
            symbols.add(s.clone());
            indexes.add(i.clone());
        }

        synchronized void clear() {
            symbols.clear();
            indexes.clear();
        }

        synchronized Stream toStream(byte[] bytes) {
            return new Stream(concat(symbols), concat(indexes), bytes);
        }

        private static int[] concat(List<int[]> parts) {
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
}
