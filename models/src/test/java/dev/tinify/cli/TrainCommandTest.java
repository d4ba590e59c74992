package dev.tinify.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code tinify train}: a short run writes checkpoints and a log, and a resumed run continues from them. */
class TrainCommandTest {
    @TempDir
    Path tmp;

    private int run(StringWriter out, StringWriter err, String... args) {
        CommandLine cli = new CommandLine(new TrainCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void trainsThenResumes() throws Exception {
        Path data = tmp.resolve("data");
        Files.createDirectories(data);
        Path shared = Path.of(System.getProperty("tinify.shared", "../../shared"), "data", "train256");
        for (String f : List.of("00000.png", "00001.png")) {
            Files.copy(shared.resolve(f), data.resolve(f));
        }
        Path runDir = tmp.resolve("run");
        String[] common = {"bmshj2018-hyperprior", "-q", "3", "--set", "N=8", "--set", "M=12", "--data", data.toString(), "--patch", "64",
            "--batch", "1", "--out", runDir.toString(), "--threads", "1", "--quiet"};
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, run(out, err, concat(common, "--steps", "2")), err.toString());
        assertTrue(out.toString().startsWith("done at step 2"), out.toString());
        assertTrue(err.toString().contains("lambda 0.0067"), "the zoo lambda of quality 3: " + err);
        assertTrue(Files.exists(runDir.resolve("checkpoint-00000002.safetensors")));

        out = new StringWriter();
        err = new StringWriter();
        assertEquals(0, run(out, err, concat(common, "--steps", "3", "--resume", runDir.toString())), err.toString());
        assertTrue(err.toString().contains("resumed bmshj2018-hyperprior at step 2"), err.toString());
        assertTrue(out.toString().startsWith("done at step 3"), out.toString());
        List<String> log = Files.readAllLines(runDir.resolve("train.jsonl"));
        assertEquals(3, log.stream().filter(l -> l.contains("\"event\":\"step\"")).count(), String.join("\n", log));
    }

    @Test
    void needsAQualityOrALambda() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new TrainCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println(e.getMessage());
            return 1;
        });
        assertEquals(1, cli.execute("bmshj2018-hyperprior", "--data", tmp.toString(), "--steps", "1"));
        assertTrue(err.toString().contains("-q QUALITY") && err.toString().contains("--lambda"), err.toString());
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = new String[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
