package dev.tinify.cli;

import dev.tinify.TinifyException;
import dev.tinify.dsl.Metric;
import dev.tinify.runtime.nn.NativeAllocator;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tinify} command line. */
@Command(name = "tinify", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Learned image compression: architectures as spec files, CompressAI-compatible.",
        subcommands = {InspectCommand.class, CheckCommand.class, EncodeCommand.class, DecodeCommand.class, UpdateCommand.class, ImportCommand.class,
                EvalCommand.class, TrainCommand.class, ExportCommand.class, BenchCommand.class, PlotCommand.class, BdRateCommand.class,
                ClipCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        NativeAllocator.configure();
        System.exit(run(args));
    }

    /** Exit status of a command line that does not parse (as picocli's usage status). */
    static final int USAGE_STATUS = 2;

    /** Runs the command line and returns the exit status (0 ok, 1 failure, 2 usage error or a file that cannot be decoded). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /**
     * The command line with its handlers, shared by every command: usage errors are one line naming
     * the unknown option or bad value ({@link UsageErrors}); choices such as metrics are parsed by
     * one converter each, so every command accepts the same spellings; expected failures print
     * their message, not a stack trace.
     */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.registerConverter(Metric.class, Metric::parse);
        cli.registerConverter(dev.tinify.eval.QualityAxis.class, dev.tinify.eval.QualityAxis::parse);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setAbbreviatedOptionsAllowed(false);
        cli.setUsageHelpAutoWidth(true);
        cli.setParameterExceptionHandler(new UsageErrors());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof TinifyException || e instanceof IllegalArgumentException) {
                cmd.getErr().println("tinify: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cli;
    }
}
