package dev.tinify.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The safetensors rules, held strictly: hostile headers are errors naming the tensor, never other weights. */
class SafeTensorsStrictTest {
    @TempDir
    Path dir;

    /** A file of {@code header} (JSON) and {@code dataBytes} bytes valued 0, 1, 2, ... */
    private static byte[] file(String header, int dataBytes) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json);
        for (int i = 0; i < dataBytes; i++) {
            b.put((byte) i);
        }
        return b.array();
    }

    private String refused(String header, int dataBytes) throws IOException {
        byte[] bytes = file(header, dataBytes);
        String inMemory = assertThrows(IOException.class, () -> SafeTensors.parse(bytes, "w.safetensors")).getMessage();
        Path f = dir.resolve("w.safetensors");
        Files.write(f, bytes);
        String fromFile = assertThrows(IOException.class, () -> SafeTensors.read(f)).getMessage();
        assertEquals(inMemory.replace("w.safetensors", f.toString()), fromFile, "the file reader applies the same rules");
        return inMemory;
    }

    @Test
    void wellFormedFilesStillRead() throws IOException {
        byte[] bytes = file("{\"__metadata__\":{\"format\":\"pt\"},\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[4,6]},"
                + "\"a\":{\"dtype\":\"U8\",\"shape\":[2,2],\"data_offsets\":[0,4]}}", 6);
        Map<String, SafeTensors.Tensor> t = SafeTensors.parse(bytes, "w");
        assertEquals(java.util.List.of("b", "a"), java.util.List.copyOf(t.keySet()), "file order is kept");
        byte[] b = new byte[2];
        t.get("b").data().duplicate().get(b);
        assertArrayEquals(new byte[] {4, 5}, b);
    }

    @Test
    void aDuplicateKeyIsRefused() throws IOException {
        String m = refused("{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},"
                + "\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[2,4]}}", 4);
        assertTrue(m.contains("Duplicate field 'a'"), m);
    }

    @Test
    void overlappingRangesGapsAndUncoveredBytesAreRefused() throws IOException {
        String overlap = refused("{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[2,4]}}", 4);
        assertTrue(overlap.contains("tensor 'b' starts at data byte 2, but 'a' ends at 4 (overlapping tensors)"), overlap);
        String gap = refused("{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},"
                + "\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[3,5]}}", 5);
        assertTrue(gap.contains("(a gap of unindexed bytes)"), gap);
        String tail = refused("{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}}", 6);
        assertTrue(tail.contains("the tensors cover 2 of the 6 data bytes"), tail);
        String late = refused("{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[1,3]}}", 3);
        assertTrue(late.contains("the data start at 0"), late);
    }

    @Test
    void sizesThatOverflowAreRefusedWithTheirShape() throws IOException {
        String big = refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387936],\"data_offsets\":[0,4]}}", 4);
        assertTrue(big.contains("too large for any file"), big);
        String product = refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}}", 4);
        assertTrue(product.contains("more elements than a 64-bit count holds"), product);
    }

    @Test
    void dimensionsAndOffsetsAreIntegers() throws IOException {
        for (String dim : new String[] {"1e300", "64.7", "\"64\"", "-1", "true", "null", "18446744073709551616"}) {
            String m = refused("{\"a\":{\"dtype\":\"U8\",\"shape\":[" + dim + "],\"data_offsets\":[0,64]}}", 64);
            assertTrue(m.contains("tensor 'a' dimension 0 is " + dim + "; expected a non-negative integer")
                    || m.contains("tensor 'a' dimension 0 is 1.0E300"), m);
        }
        String off = refused("{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0.0,2]}}", 2);
        assertTrue(off.contains("data_offsets begin is 0.0"), off);
    }

    @Test
    void malformedEntriesAreNamed() throws IOException {
        assertTrue(refused("{\"a\":7}", 0).contains("tensor 'a' is not a JSON object"));
        assertTrue(refused("[1,2]", 0).contains("header is not a JSON object"));
        assertTrue(refused("{\"__metadata__\":3}", 0).contains("__metadata__ is not a JSON object"));
        assertTrue(refused("{\"a\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1).contains("unsupported dtype 'Q4'"));
    }

    @Test
    void aFileLargerThanAnArrayIsReadTensorByTensor() throws IOException {
        // Two 1.1 GB tensors in a sparse 2.2 GB file: read without one array as large as the file.
        long each = 1_100_000_000L;
        byte[] json = ("{\"a\":{\"dtype\":\"U8\",\"shape\":[" + each + "],\"data_offsets\":[0," + each + "]},"
                + "\"b\":{\"dtype\":\"U8\",\"shape\":[" + each + "],\"data_offsets\":[" + each + "," + 2 * each + "]}}")
                .getBytes(StandardCharsets.UTF_8);
        Path f = dir.resolve("big.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
            raf.write(json);
            raf.setLength(8 + json.length + 2 * each);
            raf.seek(8 + json.length + each);
            raf.write(42);
        }
        Map<String, SafeTensors.Tensor> t = SafeTensors.read(f);
        assertEquals(each, t.get("b").elements());
        assertEquals(42, t.get("b").data().get(0));
        assertEquals(0, t.get("a").data().get((int) (each - 1)));
    }
}
