package dev.tinify.check;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tinify.runtime.coding.CdfTables;
import dev.tinify.runtime.coding.EntropyCoder;
import dev.tinify.runtime.coding.RansCoder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The recording coder codes as the coder it wraps and records every stream whole, encoded and decoded. */
class RecordingCoderTest {
    private static final CdfTables TABLES = new CdfTables(
            new int[][] {{0, 30000, 65000, 65536}, {0, 1000, 64000, 65536}}, new int[] {4, 4}, new int[] {0, 0});
    private static final int[] SYMBOLS = {0, 1, 1, 0, 1, 0, 0};
    private static final int[] INDEXES = {0, 1, 0, 1, 1, 0, 1};
    private static final int SPLIT = 3;

    @Test
    void oneCallStreamsAreRecordedWithTheirBytes() {
        RecordingCoder coder = new RecordingCoder();
        byte[] bytes = coder.encodeWithIndexes(SYMBOLS, INDEXES, TABLES);
        assertArrayEquals(new RansCoder().encodeWithIndexes(SYMBOLS, INDEXES, TABLES), bytes, "codes as the coder it wraps");
        assertArrayEquals(SYMBOLS, coder.decodeWithIndexes(bytes, INDEXES, TABLES));

        assertRecorded(coder.encoded(), bytes);
        assertRecorded(coder.decoded(), bytes);
    }

    @Test
    void streamsCodedInSeveralCallsAreOneRecordWithTheCallsEndToEnd() {
        RecordingCoder coder = new RecordingCoder();
        byte[] bytes = encodeInTwoCalls(coder);
        assertArrayEquals(encodeInTwoCalls(new RansCoder()), bytes, "codes as the coder it wraps");
        EntropyCoder.Decoder d = coder.newDecoder(bytes);
        int[] first = d.decodeStream(part(INDEXES, 0, SPLIT), TABLES);
        int[] second = d.decodeStream(part(INDEXES, SPLIT, INDEXES.length), TABLES);
        d.finish();
        assertArrayEquals(part(SYMBOLS, 0, SPLIT), first);
        assertArrayEquals(part(SYMBOLS, SPLIT, SYMBOLS.length), second);

        assertRecorded(coder.encoded(), bytes);
        assertRecorded(coder.decoded(), bytes);
    }

    @Test
    void eachEncoderFlushIsItsOwnStream() {
        RecordingCoder coder = new RecordingCoder();
        EntropyCoder.Encoder e = coder.newEncoder();
        e.encodeWithIndexes(SYMBOLS, INDEXES, TABLES);
        byte[] first = e.flush();
        e.encodeWithIndexes(part(SYMBOLS, 0, SPLIT), part(INDEXES, 0, SPLIT), TABLES);
        e.flush();

        List<RecordingCoder.Stream> streams = coder.encoded();
        assertEquals(2, streams.size());
        assertRecorded(streams.subList(0, 1), first);
        assertArrayEquals(part(SYMBOLS, 0, SPLIT), streams.get(1).symbols());
        assertArrayEquals(part(INDEXES, 0, SPLIT), streams.get(1).indexes());
    }

    private static byte[] encodeInTwoCalls(EntropyCoder coder) {
        EntropyCoder.Encoder e = coder.newEncoder();
        e.encodeWithIndexes(part(SYMBOLS, 0, SPLIT), part(INDEXES, 0, SPLIT), TABLES);
        e.encodeWithIndexes(part(SYMBOLS, SPLIT, SYMBOLS.length), part(INDEXES, SPLIT, INDEXES.length), TABLES);
        return e.flush();
    }

    private static void assertRecorded(List<RecordingCoder.Stream> streams, byte[] bytes) {
        assertEquals(1, streams.size(), "one stream");
        RecordingCoder.Stream s = streams.get(0);
        assertArrayEquals(SYMBOLS, s.symbols(), "symbols");
        assertArrayEquals(INDEXES, s.indexes(), "indexes");
        assertArrayEquals(bytes, s.bytes(), "bytes");
    }

    private static int[] part(int[] a, int from, int to) {
        return Arrays.copyOfRange(a, from, to);
    }
}
