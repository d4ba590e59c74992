package dev.tinify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tinify.dsl.Metric;
import dev.tinify.runtime.container.TfyContainer;
import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.Padding;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.reference.ReferenceCase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * One {@link Codec} shared by four threads, each encoding and decoding its own image 100 times,
 * gives the bytes and pixels one thread gets, and stays usable afterwards.
 */
class CodecConcurrencyTest {
    private static final int THREADS = 4;
    private static final int ROUNDS = 100;

    @Test
    void fourThreadsShareOneCodec() throws Exception {
        List<RgbImage> images = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            RgbImage img = ImageFiles.read(ReferenceCase.sharedDir().resolve("data").resolve("train256").resolve("0000" + t + ".png"));
            images.add(img.crop(new Padding(0, img.width() - 48, 0, img.height() - 32)));
        }
        try (Codec codec = Codec.open("bmshj2018-factorized", 1, Metric.MSE, Map.of("N", 8, "M", 8), null)) {
            List<byte[]> expectedBytes = new ArrayList<>();
            List<float[]> expectedPixels = new ArrayList<>();
            for (RgbImage image : images) {
                TfyContainer c = codec.compress(image);
                expectedBytes.add(c.toBytes());
                expectedPixels.add(codec.decompress(c).data());
            }
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<Integer>> done = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int id = t;
                    done.add(pool.submit(() -> {
                        for (int round = 0; round < ROUNDS; round++) {
                            TfyContainer c = codec.compress(images.get(id));
                            assertArrayEquals(expectedBytes.get(id), c.toBytes(), "thread " + id + " round " + round);
                            assertArrayEquals(expectedPixels.get(id), codec.decompress(c).data(), "thread " + id + " round " + round);
                        }
                        return ROUNDS;
                    }));
                }
                for (Future<Integer> f : done) {
                    assertEquals(ROUNDS, f.get());
                }
            } finally {
                pool.shutdownNow();
            }
            assertArrayEquals(expectedBytes.get(0), codec.compress(images.get(0)).toBytes(), "still usable afterwards");
        }
    }
}
