package dev.tinify.runtime.coding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class EntropyCodersTest {
    @Test
    void listsAndFindsTheCodersByName() {
        assertEquals(List.of("ans", "range"), EntropyCoders.available());
        for (String name : EntropyCoders.available()) {
            assertEquals(name, EntropyCoders.get(name).name());
        }
        assertTrue(EntropyCoders.get("ans") instanceof RansCoder);
    }

    @Test
    void unknownNameListsTheAvailableOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EntropyCoders.get("rangecoder"));
        assertTrue(e.getMessage().contains("'rangecoder'") && e.getMessage().contains("ans, range"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EntropyCoders.setDefault("huffman"));
    }

    @Test
    void defaultIsAnsAndCanBeChanged() {
        assertEquals("ans", EntropyCoders.defaultCoder().name());
        try {
            EntropyCoders.setDefault("range");
            assertEquals("range", EntropyCoders.defaultCoder().name());
        } finally {
            EntropyCoders.setDefault("ans");
        }
        assertEquals("ans", EntropyCoders.defaultCoder().name());
    }
}
