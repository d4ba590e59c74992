package dev.tinify.codec;

import static dev.tinify.check.RecordingCoder.concat;

import dev.tinify.runtime.coding.CdfTables;
import dev.tinify.runtime.coding.EntropyCoder;
import dev.tinify.runtime.entropy.EntropyModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Wraps the coder of every entropy model of a model and records, stream by stream, the integer
 * lists handed to the coder (what the fixtures store as {@code compress.coder.<i>}) and the
 * symbols a decoder returned, so that a bitstream mismatch can be traced to the symbol or table
 * index that differs.
 */
final class CodingRecorder {
    /** One coded stream: the entropy model's state-dict prefix, its symbols, table indexes and bytes. */
    record Stream(String model, int[] symbols, int[] indexes, byte[] bytes) {}

    private final List<Stream> encoded = Collections.synchronizedList(new ArrayList<>());
    private final List<Growing> decoded = Collections.synchronizedList(new ArrayList<>());

    /** Installs recording coders around {@code coder} on every entropy model (by state-dict prefix). */
    static CodingRecorder install(Map<String, EntropyModel> models, EntropyCoder coder) {
        CodingRecorder r = new CodingRecorder();
        models.forEach((name, m) -> m.setEntropyCoder(r.new Recording(name, coder)));
        return r;
    }

    List<Stream> encoded() {
        return List.copyOf(encoded);
    }

    List<Stream> decoded() {
        synchronized (decoded) {
            return decoded.stream().map(Growing::toStream).toList();
        }
    }

    void clear() {
        encoded.clear();
        decoded.clear();
    }

    /** Symbols and indexes of one stream, appended call by call. */
    private static final class Growing {
        final String model;
        final byte[] bytes;
        final List<int[]> symbols = new ArrayList<>();
        final List<int[]> indexes = new ArrayList<>();

        Growing(String model, byte[] bytes) {
            this.model = model;
            this.bytes = bytes;
        }

        synchronized void add(int[] s, int[] i) {
            symbols.add(s.clone());
            indexes.add(i.clone());
        }

        synchronized Stream toStream() {
            return new Stream(model, concat(symbols), concat(indexes), bytes);
        }
    }

    private final class Recording implements EntropyCoder {
        private final String model;
        private final EntropyCoder inner;

        Recording(String model, EntropyCoder inner) {
            this.model = model;
            this.inner = inner;
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public byte[] encodeWithIndexes(int[] symbols, int[] indexes, CdfTables tables) {
            byte[] out = inner.encodeWithIndexes(symbols, indexes, tables);
            encoded.add(new Stream(model, symbols.clone(), indexes.clone(), out));
            return out;
        }

        @Override
        public int[] decodeWithIndexes(byte[] data, int[] indexes, CdfTables tables) {
            int[] out = inner.decodeWithIndexes(data, indexes, tables);
            Growing g = new Growing(model, data);
            g.add(out, indexes);
            decoded.add(g);
            return out;
        }

        @Override
        public Encoder newEncoder() {
            Encoder e = inner.newEncoder();
            List<int[]> symbols = new ArrayList<>();
            List<int[]> indexes = new ArrayList<>();
            return new Encoder() {
                @Override
                public void encodeWithIndexes(int[] s, int[] i, CdfTables tables) {
                    e.encodeWithIndexes(s, i, tables);
                    symbols.add(s.clone());
                    indexes.add(i.clone());
                }

                @Override
                public byte[] flush() {
                    byte[] out = e.flush();
                    encoded.add(new Stream(model, concat(symbols), concat(indexes), out));
                    return out;
                }
            };
        }

        @Override
        public Decoder newDecoder(byte[] data) {
            Decoder d = inner.newDecoder(data);
            Growing g = new Growing(model, data);
            decoded.add(g);
            return new Decoder() {
                @Override
                public int[] decodeStream(int[] indexes, CdfTables tables) {
                    int[] out = d.decodeStream(indexes, tables);
                    g.add(out, indexes);
                    return out;
                }

                @Override
                public void finish() {
                    d.finish();
                }
            };
        }
    }
}
