package dev.tinify.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tinify.Tinify;
import dev.tinify.dsl.Metric;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A folder of weights holds one file per quality, or one file for every quality of a variable-rate model. */
class WeightsTest {
    @TempDir
    Path dir;

    @Test
    void aFolderServesEveryQualityFromTheVariableRateFile() throws IOException {
        ZooEntry q3 = Tinify.zooEntry("bmshj2018-hyperprior-vbr", 3, Metric.MSE);
        assertNull(Weights.fileIn(dir, q3));
        Path all = Files.createFile(dir.resolve("bmshj2018-hyperprior-vbr-mse.safetensors"));
        assertEquals(all, Weights.fileIn(dir, q3));
        assertEquals(all, Weights.fileIn(dir, Tinify.zooEntry("bmshj2018-hyperprior-vbr", 8, Metric.MSE)));
        Path own = Files.createFile(dir.resolve("bmshj2018-hyperprior-vbr-mse-3.safetensors"));
        assertEquals(own, Weights.fileIn(dir, q3), "a quality's own file comes first");
    }

    @Test
    void aFolderWithoutTheFileHasNone() throws IOException {
        Files.createDirectory(dir.resolve("bmshj2018-hyperprior-mse-3.safetensors"));
        assertNull(Weights.fileIn(dir, Tinify.zooEntry("bmshj2018-hyperprior", 3, Metric.MSE)), "a folder is not a file");
    }
}
