package dev.tinify.cli;

import dev.tinify.check.CaseRecorder;
import dev.tinify.check.CheckAgainst;
import dev.tinify.check.CheckRunner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tinify check DIR...}: compares against reference cases; {@code --record SPEC -o DIR} records one. */
@Command(name = "check", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run reference cases (folders with case.json, folders of them, or checkpoint sets with index.json) "
                + "and compare every output against the recorded numbers.",
                "Ends with 'N passed, M failed'; the exit status is 1 if any case failed.",
                "With --record SPEC -o DIR: record a golden case of SPEC into DIR instead (state dict, seeded input, "
                        + "y, likelihoods, x_hat, rANS symbols, strings, decompressed x_hat), to be checked later the same way."})
final class CheckCommand extends ToolCommand {
    @Parameters(arity = "0..*", paramLabel = "DIR", description = "A case folder, a folder of case folders, or a checkpoint set.")
    List<Path> dirs = new ArrayList<>();

    @Option(names = "--record", paramLabel = "SPEC", description = "Record a case of this spec file or bundled spec.")
    @Nullable String record;

    @Option(names = "--set", paramLabel = "NAME=VALUE", description = "With --record: a spec parameter, e.g. --set N=16 (repeatable).")
    Map<String, String> set = new LinkedHashMap<>();

    @Option(names = "--weights", paramLabel = "W",
            description = "With --record: the weights to record (default: initial parameters drawn with --seed). "
                    + "When checking: compare each model case's state dict with W first, naming the tensors that differ.")
    @Nullable Path weights;

    @Option(names = {"-m", "--model"}, paramLabel = "SPEC",
            description = "When checking: build recorded model cases from this spec file or bundled spec instead of the spec text they carry.")
    @Nullable String spec;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "0", description = "With --record: seed of the input and initial weights.")
    long seed;

    @Option(names = "--size", paramLabel = "HxW|N", defaultValue = "64x64",
            description = "With --record: input size, HxW for an image, the number of points N for a point cloud (default: ${DEFAULT-VALUE}).")
    String size = "64x64";

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", description = "With --record: the new case folder.")
    @Nullable Path output;

    @Override
    int execute() {
        if (record != null) {
            if (output == null || !dirs.isEmpty()) {
                throw new IllegalArgumentException("--record SPEC takes -o DIR and no case folders");
            }
            String[] hw = size.split("x");
            Path dir;
            if (hw.length == 1 && size.matches("\\d{1,6}")) {
                dir = CaseRecorder.recordPoints(record, Params.parse(set), weights, seed, Integer.parseInt(size), output);
            } else if (hw.length == 2 && hw[0].matches("\\d{1,5}") && hw[1].matches("\\d{1,5}")) {
                dir = CaseRecorder.record(record, Params.parse(set), weights, seed, Integer.parseInt(hw[0]), Integer.parseInt(hw[1]), output);
            } else {
                throw new IllegalArgumentException("--size " + size + ": expected HxW (e.g. 64x64) or a number of points (e.g. 256)");
            }
            out().println("recorded " + dir + " (check it with: tinify check " + dir + ")");
            return 0;
        }
        if (dirs.isEmpty()) {
            throw new IllegalArgumentException("check needs case folders, or --record SPEC -o DIR");
        }
        List<Path> cases = CheckRunner.expand(dirs);
        boolean ok = new CheckRunner(System.out, new CheckAgainst(spec, weights)).run(cases);
        System.out.flush();
        return ok ? 0 : 1;
    }
}
