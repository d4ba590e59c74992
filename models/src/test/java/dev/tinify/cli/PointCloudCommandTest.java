package dev.tinify.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tinify.runtime.container.LatentSegment;
import dev.tinify.runtime.container.PointCloudContainer;
import dev.tinify.runtime.container.TfyReader;
import dev.tinify.runtime.pointcloud.Normalization;
import dev.tinify.runtime.pointcloud.PlyFiles;
import dev.tinify.runtime.pointcloud.PointCloud;
import dev.tinify.runtime.pointcloud.PointCloudFiles;
import dev.tinify.runtime.pointcloud.PointCloudMetrics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** encode, decode, inspect and eval of point clouds with an untrained sfu2023-pcc-rec-pointnet of 64 points. */
class PointCloudCommandTest {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    /** A regular octahedron of radius 2 centred on (10, 0, -5): a closed mesh. */
    static final String OCTAHEDRON = "OFF\n6 8 0\n12 0 -5\n8 0 -5\n10 2 -5\n10 -2 -5\n10 0 -3\n10 0 -7\n"
            + "3 0 2 4\n3 2 1 4\n3 1 3 4\n3 3 0 4\n3 2 0 5\n3 1 2 5\n3 3 1 5\n3 0 3 5\n";
    static final String[] MODEL = {"-m", "sfu2023-pcc-rec-pointnet", "--set", "num_points=64", "--allow-untrained"};

    @TempDir
    Path dir;

    static String[] with(String[] args, String... more) {
        String[] all = new String[args.length + more.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }

    private Path mesh() throws Exception {
        Path f = dir.resolve("octa.off");
        Files.writeString(f, OCTAHEDRON);
        return f;
    }

    /** The lines on stderr that are not warnings. */
    private static List<String> errors(CliRun run) {
        return run.err().lines().filter(l -> !l.startsWith("WARNING")).toList();
    }

    private void assertNoFile(String part) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().contains(part)), "no output or temporary file " + part);
        }
    }

    @Test
    void aMeshRoundTripsThroughEncodeAndDecode() throws Exception {
        Path tfy = dir.resolve("c.tfy");
        Path recon = dir.resolve("recon.ply");
        CliRun enc = CliRun.of(with(new String[] {"encode", mesh().toString(), "-o", tfy.toString(), "--recon", recon.toString(),
            "--json"}, MODEL));
        assertEquals(0, enc.status(), enc.toString());
        JsonNode e = JSON.readTree(enc.out());
        assertEquals(64, e.get("points").asInt());
        assertEquals(64, e.get("decoded_points").asInt());
        PointCloudContainer c = (PointCloudContainer) TfyReader.readAny(tfy);
        assertEquals(8.0 * c.stringBytes() / 64, e.get("bits_per_point").asDouble(), 1e-12);
        assertEquals(Files.size(tfy), e.get("file_bytes").asLong());
        // The peak is the longest bounding-box side of the reference: the 64 points sampled on the mesh with seed 0.
        PointCloud reference = PointCloudFiles.decode(OCTAHEDRON.getBytes(StandardCharsets.US_ASCII), 64, 0);
        assertEquals(PointCloudMetrics.defaultPeak(reference), e.get("peak").asDouble(), 1e-12);
        assertEquals(PointCloudMetrics.compare(reference, PlyFiles.read(recon), PointCloudMetrics.defaultPeak(reference)).d1Psnr(),
                e.get("d1-psnr").asDouble(), 1e-9);
        assertTrue(e.get("d1-psnr").asDouble() > 0 && e.get("chamfer").asDouble() > 0, enc.out());
        assertEquals(10.0, c.normalization().x(), 0.2);
        assertEquals(-5.0, c.normalization().z(), 0.2);

        Path out = dir.resolve("out.ply");
        CliRun dec = CliRun.of("decode", tfy.toString(), "-o", out.toString(), "--set", "num_points=64", "--allow-untrained",
                "--metrics", mesh().toString());
        assertEquals(0, dec.status(), dec.toString());
        assertTrue(dec.out().contains("64 points decoded (input had 64)") && dec.out().contains("bits per input point")
                && dec.out().contains("D1 PSNR") && dec.out().contains("Chamfer distance"), dec.out());
        // The decoder is the one encode ran: the same points, in the input's coordinates.
        PointCloud decoded = PlyFiles.read(out);
        assertArrayEquals(PlyFiles.read(recon).xyz(), decoded.xyz());

        CliRun inspect = CliRun.of("inspect", tfy.toString());
        assertTrue(inspect.out().contains("point cloud") && inspect.out().contains("64, centred on"), inspect.out());
    }

    @Test
    void untrainedWeightsAreRefusedWithoutTheFlag() throws Exception {
        CliRun run = CliRun.of("encode", mesh().toString(), "-m", "sfu2023-pcc-rec-pointnet", "--set", "num_points=64", "-o",
                dir.resolve("c.tfy").toString());
        assertEquals(1, run.status(), run.toString());
        assertTrue(run.err().contains("no trained weights") && run.err().contains("--allow-untrained"), run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertNoFile("c.tfy");
    }

    @Test
    void damagedAndHostileFilesExitTwoAndWriteNothing() throws Exception {
        Path tfy = dir.resolve("c.tfy");
        assertEquals(0, CliRun.of(with(new String[] {"encode", mesh().toString(), "-o", tfy.toString()}, MODEL)).status());
        byte[] good = Files.readAllBytes(tfy);
        byte[] flipped = good.clone();
        flipped[flipped.length - 6] ^= 0x20;
        Path bad = dir.resolve("bad.tfy");
        Files.write(bad, flipped);
        CliRun run = CliRun.of("decode", bad.toString(), "-o", dir.resolve("out.ply").toString(), "--set", "num_points=64",
                "--allow-untrained");
        assertEquals(2, run.status(), run.toString());
        assertTrue(run.err().startsWith("tinify decode: " + bad + ": ") && run.err().contains("checksum"), run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertNoFile("out.ply");

        // A well-formed file whose latent would be 2^24 values for a 64-point cloud.
        PointCloudContainer c = (PointCloudContainer) TfyReader.parseAny(good);
        PointCloudContainer hostile = new PointCloudContainer(c.architecture(), c.specHash(), c.weightsFingerprint(), c.quality(),
                c.metric(), c.entropyCoder(), c.entropyParams(), c.pointCount(), c.normalization(),
                new LatentSegment(List.of(1 << 24), c.segment().strings()));
        Path big = dir.resolve("big.tfy");
        hostile.write(big);
        run = CliRun.of("decode", big.toString(), "-o", dir.resolve("out.ply").toString(), "--set", "num_points=64",
                "--allow-untrained");
        assertEquals(2, run.status(), run.toString());
        assertTrue(run.err().contains("too large for a 4096-point cloud"), run.err());
        assertNoFile("out.ply");
    }

    @Test
    void aNormalizationThatTakesPointsPastFloat32IsRefusedWritingNothing() throws Exception {
        Path tfy = dir.resolve("c.tfy");
        assertEquals(0, CliRun.of(with(new String[] {"encode", mesh().toString(), "-o", tfy.toString()}, MODEL)).status());
        CliRun png = CliRun.of("decode", tfy.toString(), "-o", dir.resolve("out.png").toString(), "--set", "num_points=64",
                "--allow-untrained");
        assertEquals(1, png.status(), png.toString());
        assertEquals(List.of("tinify decode: -o " + dir.resolve("out.png") + ": a decoded point cloud is written as PLY: give a name "
                + "ending in .ply"), errors(png));
        assertNoFile("out.png");
        PointCloudContainer c = (PointCloudContainer) TfyReader.readAny(tfy);
        // A well-formed file (its checksum intact) whose centre and scale are the largest floats: undone, the points overflow.
        PointCloudContainer far = new PointCloudContainer(c.architecture(), c.specHash(), c.weightsFingerprint(), c.quality(),
                c.metric(), c.entropyCoder(), c.entropyParams(), c.pointCount(),
                new Normalization(Float.MAX_VALUE, Float.MAX_VALUE, Float.MAX_VALUE, Float.MAX_VALUE), c.segment());
        Path farFile = dir.resolve("far.tfy");
        far.write(farFile);
        CliRun run = CliRun.of("decode", farFile.toString(), "-o", dir.resolve("out.ply").toString(), "--set", "num_points=64",
                "--allow-untrained");
        assertEquals(2, run.status(), run.toString());
        assertEquals(List.of("tinify decode: " + farFile + ": the decoded points are not finite once the file's Normalization[x=3.4028235E38, "
                + "y=3.4028235E38, z=3.4028235E38, scale=3.4028235E38] is undone"), errors(run));
        assertNoFile("out.ply");
    }

    @Test
    void cloudsWiderThanFloat32AndTooManyMeshPointsAreRefusedOnOneLine() throws Exception {
        Path wide = dir.resolve("wide.ply");
        PlyFiles.write(wide, PointCloud.of(new float[] {-Float.MAX_VALUE, 0, 0, Float.MAX_VALUE, 0, 0, Float.MAX_VALUE, 1, 0}),
                PlyFiles.Encoding.BINARY_LITTLE_ENDIAN);
        CliRun run = CliRun.of(with(new String[] {"encode", wide.toString(), "-o", dir.resolve("c.tfy").toString()}, MODEL));
        assertEquals(1, run.status(), run.toString());
        assertEquals(1, errors(run).size(), run.toString());
        assertTrue(errors(run).get(0).contains("the cloud's coordinates lie up to 4.537097955180385E38 from their mean, beyond the "
                + "float32 range"), run.toString());
        // A decoded cloud is a PLY file, never written under another name.
        run = CliRun.of(with(new String[] {"encode", mesh().toString(), "-o", dir.resolve("c.tfy").toString(), "--recon",
            dir.resolve("r.png").toString()}, MODEL));
        assertEquals(1, run.status(), run.toString());
        assertEquals(List.of("tinify encode: --recon " + dir.resolve("r.png") + ": a decoded point cloud is written as PLY: give a name "
                + "ending in .ply"), errors(run));
        run = CliRun.of(with(new String[] {"encode", mesh().toString(), "-o", dir.resolve("c.tfy").toString(), "--points",
            "67108865"}, MODEL));
        assertEquals(1, run.status(), run.toString());
        assertEquals(List.of("tinify encode: --points must be 1..67108864, got 67108865"), errors(run));
        assertNoFile("c.tfy");
    }

    @Test
    void malformedCloudsGetOneLineNamingTheFileAndLine() throws Exception {
        Path ply = dir.resolve("bad.ply");
        Files.writeString(ply, "ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\nproperty float y\nproperty float z\n"
                + "end_header\n0 0 0\n1 1 x\n");
        CliRun run = CliRun.of(with(new String[] {"encode", ply.toString(), "-o", dir.resolve("c.tfy").toString()}, MODEL));
        assertEquals(1, run.status(), run.toString());
        assertTrue(run.err().startsWith("tinify encode: " + ply + ": line 9"), run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        Path off = dir.resolve("bad.off");
        Files.writeString(off, "OFF\n4 1 0\n0 0 0\n1 0 0\n0 1 0\n");
        run = CliRun.of(with(new String[] {"encode", off.toString(), "-o", dir.resolve("c.tfy").toString()}, MODEL));
        assertEquals(1, run.status(), run.toString());
        assertTrue(run.err().startsWith("tinify encode: " + off + ": "), run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertNoFile("c.tfy");
    }

    @Test
    void evalWritesPerCloudAndMeanResults() throws Exception {
        Path data = Files.createDirectories(dir.resolve("clouds"));
        Files.writeString(data.resolve("a.off"), OCTAHEDRON);
        PlyFiles.write(data.resolve("b.ply"), PointCloud.of(new float[] {0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1}),
                PlyFiles.Encoding.BINARY_LITTLE_ENDIAN);
        Path result = dir.resolve("r.json");
        CliRun run = CliRun.of(with(new String[] {"eval", "--data", data.toString(), "-o", result.toString(), "--quiet"}, MODEL));
        assertEquals(0, run.status(), run.toString());
        JsonNode r = JSON.readTree(result.toFile());
        assertEquals("sfu2023-pcc-rec-pointnet", r.get("name").asText());
        JsonNode rows = r.get("per_cloud");
        assertEquals(2, rows.size());
        assertEquals("a.off", rows.get(0).get("cloud").asText());
        assertEquals(5, rows.get(1).get("points").asInt());
        assertEquals(8.0 * rows.get(1).get("bytes").asLong() / 5, rows.get(1).get("bpp").asDouble(), 1e-12);
        double mean = (rows.get(0).get("d1-psnr").asDouble() + rows.get(1).get("d1-psnr").asDouble()) / 2;
        assertEquals(mean, r.get("results").get("d1-psnr").get(0).asDouble(), 1e-9);
    }
}
