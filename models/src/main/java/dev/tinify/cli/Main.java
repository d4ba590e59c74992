package dev.tinify.cli;

import dev.tinify.TinifyException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tinify} command line. */
@Command(name = "tinify", mixinStandardHelpOptions = true, version = "tinify 0.1.0",
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
        System.exit(run(args));
    }

    /** Exit status of a command line that does not parse (as picocli's usage status). */
    static final int USAGE_STATUS = 2;

    /** Runs the command line and returns the exit status (0 ok, 1 failure, 2 usage error or a file that cannot be decoded). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The command line with its handler: expected failures print their message, not a stack trace. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        // A usage mistake is one line, like every other error; `tinify help COMMAND` shows the usage.
        cli.setParameterExceptionHandler((e, args) -> {
            CommandLine c = e.getCommandLine();
            String name = c.getCommandSpec().qualifiedName();
            String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("bad arguments");
            c.getErr().println(name + ": " + message + " (see: tinify help" + (c.getParent() == null ? "" : " " + c.getCommandName()) + ")");
            c.getErr().flush();
            return USAGE_STATUS;
        });
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
