package dev.tinify.cli;

import dev.tinify.TinifyException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tinify} command line. */
@Command(name = "tinify", mixinStandardHelpOptions = true, version = "tinify 0.1.0",
        description = "Learned image compression: architectures as spec files, CompressAI-compatible.",
        subcommands = {InspectCommand.class, CheckCommand.class, EncodeCommand.class, DecodeCommand.class, UpdateCommand.class,
                EvalCommand.class, TrainCommand.class, ExportCommand.class, BenchCommand.class, PlotCommand.class, BdRateCommand.class,
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
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit status (0 ok, 1 failure, 2 usage error). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The command line with its handler: expected failures print their message, not a stack trace. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
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
