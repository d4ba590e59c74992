package dev.tinify.cli;

import dev.tinify.check.CheckRunner;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code tinify check DIR...}: compares against CompressAI reference cases. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Run CompressAI reference cases (folders with case.json, or a folder of such folders)",
                "and compare every output against CompressAI's numbers. Ends with 'N passed, M failed';",
                "exit status 1 if any case failed."})
final class CheckCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "DIR", description = "A case folder, or a folder of case folders.")
    List<Path> dirs;

    @Override
    public Integer call() {
        List<Path> cases = CheckRunner.expand(dirs);
        PrintStream out = System.out;
        boolean ok = new CheckRunner(out).run(cases);
        out.flush();
        return ok ? 0 : 1;
    }
}
