package dev.tinify.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The checkpoint files of {@code fixtures/checkpoints}, written by PyTorch 1.13 from the cases'
 * state dicts: each gives its case's state dict bit for bit or is refused as its index says, and
 * nothing in them is run. Hand-made pickles cover what the files do not.
 */
class PyTorchCheckpointTest {
    static final Path CHECKPOINTS = ReferenceCase.sharedDir().resolve("fixtures").resolve("checkpoints");
    private static final Path MARKER = Path.of("tinify-pwned-marker");

    @TestFactory
    List<DynamicTest> everyIndexedFileGivesItsCaseOrIsRefused() throws IOException {
        JsonNode index = new ObjectMapper().readTree(CHECKPOINTS.resolve("index.json").toFile());
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode f : index.path("files")) {
            Path file = CHECKPOINTS.resolve(f.path("file").asText());
            tests.add(DynamicTest.dynamicTest(f.path("file").asText(), () -> {
                switch (f.path("expect").asText()) {
                    case "refused" -> {
                        IOException e = assertThrows(IOException.class, () -> WeightsFile.read(file));
                        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
                        assertFalse(e.getMessage().contains("\n"), e.getMessage());
                    }
                    case "equal" -> {
                        Map<String, Tensor> expected = ReferenceCase.fixture(f.path("case").asText()).stateDict();
                        Map<String, Tensor> loaded = CompressAiKeys.rename(WeightsFile.read(file), expected::containsKey);
                        assertEquals(expected.keySet(), loaded.keySet());
                        expected.forEach((k, t) -> assertSame(k, t, loaded.get(k)));
                    }
                    case "equal-after-update" -> {
                        Map<String, Tensor> expected = ReferenceCase.fixture(f.path("case").asText()).stateDict();
                        Map<String, Tensor> loaded = CompressAiKeys.rename(WeightsFile.read(file), expected::containsKey);
                        assertEquals(expected.keySet(), loaded.keySet());
                        expected.forEach((k, t) -> {
                            String last = k.substring(k.lastIndexOf('.') + 1);
                            if (StateDicts.RESIZED_ON_LOAD.contains(last)) {
                                assertEquals(0, loaded.get(k).elements(), k + " is saved before update()");
                            } else {
                                assertSame(k, t, loaded.get(k));
                            }
                        });
                    }
                    default -> throw new AssertionError("unknown expectation " + f.path("expect"));
                }
                assertFalse(Files.exists(MARKER), "the payload ran");
            }));
        }
        assertEquals(13, tests.size());
        return tests;
    }

    private static void assertSame(String key, Tensor expected, Tensor actual) {
        assertEquals(expected.dtype(), actual.dtype(), key);
        assertArrayEquals(expected.shape(), actual.shape(), key);
        assertEquals(expected.data().duplicate().rewind(), actual.data().duplicate().rewind(), key);
    }

    @Test
    void refusalNamesTheCalledGlobal() {
        IOException e = assertThrows(IOException.class,
                () -> WeightsFile.read(CHECKPOINTS.resolve("evil-system-legacy.pth.tar")));
        assertTrue(e.getMessage().contains("posix.system"), e.getMessage());
    }

    @Test
    void legacyStreamWithAHandMadeStateDict() throws IOException {
        // A 2x2 float tensor viewed transposed (stride (1, 2)) over a 4-element storage.
        Map<String, Tensor> sd = PyTorchCheckpoint.parse(legacy("K\u0002K\u0002\u0086", "K\u0001K\u0002\u0086"), "hand");
        assertArrayEquals(new float[] {1, 3, 2, 4}, sd.get("w").toFloats());
        assertArrayEquals(new long[] {2, 2}, sd.get("w").shape());
    }

    @Test
    void tensorReachingPastItsStorageIsRefused() {
        // Size (3, 2), stride (1, 2): the last element is storage[4] of 4.
        IOException e = assertThrows(IOException.class,
                () -> PyTorchCheckpoint.parse(legacy("K\u0003K\u0002\u0086", "K\u0001K\u0002\u0086"), "hand"));
        assertTrue(e.getMessage().startsWith("hand: storage 7 has 4 elements"), e.getMessage());
    }

    @Test
    void picklesThatCouldNeverEndOrCallAreRefused() {
        // A list that contains itself used as a dict key: hashing it would recurse forever.
        byte[] selfKey = concat(legacyPreamble(), pickle("}", "]q\u0000h\u0000a", "N", "s."));
        IOException e = assertThrows(IOException.class, () -> PyTorchCheckpoint.parse(selfKey, "key"));
        assertTrue(e.getMessage().contains("dict key of type list"), e.getMessage());
        // INST creates an instance of a named class by itself.
        byte[] inst = concat(legacyPreamble(), pickle("(Vx\n", "ios\nsystem\n."));
        e = assertThrows(IOException.class, () -> PyTorchCheckpoint.parse(inst, "inst"));
        assertTrue(e.getMessage().contains("INST"), e.getMessage());
        // A pickle that never reaches STOP.
        byte[] open = concat(legacyPreamble(), pickle("}"));
        e = assertThrows(IOException.class, () -> PyTorchCheckpoint.parse(open, "open"));
        assertTrue(e.getMessage().contains("before its STOP"), e.getMessage());
    }

    @Test
    void aValueSharedManyTimesOverIsDescribedInAMessageNotPrinted() {
        // The protocol-version pickle is a list of 2 lists of 2 lists ... 60 deep, every level the same
        // list twice: printing it would write 2^60 items.
        StringBuilder dag = new StringBuilder("]q\u00000");
        for (int level = 0; level < 60; level++) {
            char m = (char) level;
            dag.append("(h").append(m).append('h').append(m).append("lq").append((char) (level + 1)).append('0');
        }
        dag.append('h').append((char) 60).append('.');
        byte[] magic = Arrays.copyOf(legacyPreamble(), 15);
        byte[] file = concat(magic, pickle(dag.toString()));
        IOException e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThrows(IOException.class,
                () -> PyTorchCheckpoint.parse(file, "dag")));
        assertEquals("dag: legacy format: protocol version a list of 2 items, expected 1001", e.getMessage());
    }

    @Test
    void aDecimalIntegerOfAMillionDigitsIsRefusedBeforeItIsParsed() {
        byte[] magic = Arrays.copyOf(legacyPreamble(), 15);
        byte[] file = concat(magic, pickle("L" + "9".repeat(1_000_000) + "L\n."));
        IOException e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThrows(IOException.class,
                () -> PyTorchCheckpoint.parse(file, "digits")));
        assertTrue(e.getMessage().startsWith("digits: pickle byte 17: a decimal integer of 1000001 characters"), e.getMessage());
    }

    @Test
    void aPickleOfMillionsOfEmptyDictsIsRefusedWithinSixteenTimesItsSize() {
        // Each one-byte EMPTY_DICT would build a 56-byte object: 8 MB of them, 450 MB of dicts.
        byte[] file = concat(Arrays.copyOf(legacyPreamble(), 15), pickle("}".repeat(8 << 20) + "."));
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
        IOException e = assertThrows(IOException.class, () -> PyTorchCheckpoint.parse(file, "dicts"));
        long allocated = mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        assertTrue(e.getMessage().contains("builds more than " + Pickle.MAX_VALUES + " values"), e.getMessage());
        assertTrue(allocated < 16L * file.length, "allocated " + allocated + " bytes reading a " + file.length + "-byte file");
    }

    /** A legacy file holding {@code OrderedDict(w=tensor)} over one 4-float storage with the given size and stride tuples. */
    private static byte[] legacy(String size, String stride) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.writeBytes(legacyPreamble());
        p.writeBytes(pickle("ccollections\nOrderedDict\n)R", "(", str("w"), "ctorch._utils\n_rebuild_tensor_v2\n", "((", str("storage"),
                "ctorch\nFloatStorage\n", str("7"), str("cpu"), "K\u0004", "Nt", "Q", "K\u0000", size, stride, "\u0089",
                "ccollections\nOrderedDict\n)R", "tR", "u."));
        p.writeBytes(pickle("]", "(", str("7"), "e."));
        p.writeBytes(new byte[] {4, 0, 0, 0, 0, 0, 0, 0});
        for (float v : new float[] {1, 2, 3, 4}) {
            int b = Float.floatToIntBits(v);
            p.writeBytes(new byte[] {(byte) b, (byte) (b >> 8), (byte) (b >> 16), (byte) (b >> 24)});
        }
        return p.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.writeBytes(a);
        p.writeBytes(b);
        return p.toByteArray();
    }

    private static byte[] legacyPreamble() {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        // magic 0x1950a86a20f9469cfc6c as LONG1, protocol 1001, system info {little_endian: True}
        p.writeBytes(new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a,
                (byte) 0xa8, 0x50, 0x19, '.'});
        p.writeBytes(pickle("M\u00e9\u0003."));
        p.writeBytes(pickle("}", str("little_endian"), "\u0088s."));
        return p.toByteArray();
    }

    /** Protocol-2 pickle bytes from ISO-8859-1 pieces. */
    private static byte[] pickle(String... parts) {
        StringBuilder sb = new StringBuilder("\u0080\u0002");
        for (String s : parts) {
            sb.append(s);
        }
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String str(String s) {
        return "X" + (char) s.length() + "\u0000\u0000\u0000" + s;
    }
}
