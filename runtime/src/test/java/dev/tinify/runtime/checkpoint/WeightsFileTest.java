package dev.tinify.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link WeightsFile#read}: the format told by content, a safetensors file mapped tensor by tensor whatever its size. */
class WeightsFileTest {
    @TempDir
    Path dir;

    @Test
    void aSafetensorsFileOverTwoGigabytesIsReadWithoutAnArrayOfItsSize() throws IOException {
        // Two U8 tensors of 1.1e9 bytes each (a sparse file: no disk is used), the last byte of each set.
        long n = 1_100_000_000L;
        String json = "{\"a\":{\"dtype\":\"U8\",\"shape\":[" + n + "],\"data_offsets\":[0," + n + "]},"
                + "\"b\":{\"dtype\":\"U8\",\"shape\":[" + n + "],\"data_offsets\":[" + n + "," + 2 * n + "]}}";
        byte[] header = (json + " ".repeat((8 - json.length() % 8) % 8)).getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve("big.safetensors");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length).array());
            f.write(header);
            long data = 8 + header.length;
            f.seek(data + n - 1);
            f.write(7);
            f.seek(data + 2 * n - 1);
            f.write(9);
        }
        assertTrue(Files.size(file) > Integer.MAX_VALUE);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
        Map<String, Tensor> read = WeightsFile.read(file);
        long allocated = mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        assertEquals(List.of("a", "b"), List.copyOf(read.keySet()));
        assertArrayEquals(new long[] {n}, read.get("b").shape());
        assertEquals(7, read.get("a").data().get((int) (n - 1)));
        assertEquals(9, read.get("b").data().get((int) (n - 1)));
        assertEquals(0, read.get("b").data().get(0));
        assertTrue(allocated < (8 << 20), "allocated " + allocated + " bytes to read a " + Files.size(file) + "-byte file");
    }

    @Test
    void whatIsNotARegularFileIsNamed() throws IOException {
        IOException e = assertThrows(IOException.class, () -> WeightsFile.read(dir));
        assertEquals(dir + ": is a directory; expected a weights file (safetensors or PyTorch checkpoint)", e.getMessage());
        Path missing = dir.resolve("missing.pth.tar");
        e = assertThrows(IOException.class, () -> WeightsFile.read(missing));
        assertTrue(e.getMessage().startsWith(missing + ": no such file"), e.getMessage());
    }
}
