package dev.tinify.cli;

import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.Padding;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** One in-process run of the command line, with its exit status and captured output. */
record CliRun(int status, String out, String err) {
    /** The tiny model configuration the command tests use (bmshj2018-hyperprior, stride 64). */
    static final String[] TINY = {"-m", "bmshj2018-hyperprior", "--set", "N=16", "--set", "M=24", "--allow-untrained"};

    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int status = cli.execute(args);
        return new CliRun(status, out.toString(), err.toString());
    }

    /** {@code args} followed by the options of the tiny model. */
    static String[] tiny(String... args) {
        String[] all = new String[args.length + TINY.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(TINY, 0, all, args.length, TINY.length);
        return all;
    }

    /** The top-left {@code height x width} crop of a dev8 photograph. */
    static RgbImage dev8Crop(String name, int height, int width) throws IOException {
        RgbImage img = ImageFiles.read(ReferenceCase.sharedDir().resolve("data").resolve("dev8").resolve(name));
        return img.crop(new Padding(0, img.width() - width, 0, img.height() - height));
    }

    /** Writes a dev8 crop as an 8-bit PNG and returns its path. */
    static Path dev8Png(Path dir, String name, int height, int width) throws IOException {
        Path p = dir.resolve(name.replace(".png", "") + "-" + height + "x" + width + ".png");
        ImageFiles.writePng(dev8Crop(name, height, width), p);
        return p;
    }

    /** A training folder in {@code dir} with two 256x256 crops of the shared training set. */
    static Path trainData(Path dir) throws IOException {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        Path shared = ReferenceCase.sharedDir().resolve("data").resolve("train256");
        for (String f : List.of("00000.png", "00001.png")) {
            Files.copy(shared.resolve(f), data.resolve(f));
        }
        return data;
    }

    /** {@code tinify train SPEC -q 3} of a tiny model (N=8, M=12) on 64x64 patches, one per step, with {@code more} options. */
    static CliRun trainTiny(String spec, Path data, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "-m", spec, "-q", "3", "--set", "N=8", "--set", "M=12", "--data", data.toString(),
                "--patch", "64", "--batch", "1", "--out", out.toString(), "--threads", "1", "--quiet"));
        args.addAll(List.of(more));
        return of(args.toArray(String[]::new));
    }

    @Override
    public String toString() {
        return "status " + status + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
}
