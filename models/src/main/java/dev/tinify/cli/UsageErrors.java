package dev.tinify.cli;

import dev.tinify.dsl.Kinds;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * How every command reports a usage error: one line naming what is wrong (an unknown option first,
 * with the closest option it may have meant, before any missing required option it caused) and
 * where the command's help is, instead of the whole usage text.
 */
final class UsageErrors implements IParameterExceptionHandler {
    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        String name = cmd.getCommandSpec().qualifiedName();
        String unknown = firstUnknownOption(cmd.getCommandSpec(), args);
        String message;
        if (unknown != null) {
            String near = Kinds.nearest(unknown, optionNames(cmd.getCommandSpec()));
            message = "unknown option '" + unknown + "'" + (near != null ? " (did you mean '" + near + "'?)" : "");
        } else if (ex instanceof CommandLine.UnmatchedArgumentException u && cmd.getParent() == null && !u.getUnmatched().isEmpty()
                && !cmd.getSubcommands().isEmpty()) {
            String command = u.getUnmatched().get(0);
            String near = Kinds.nearest(command, cmd.getSubcommands().keySet());
            message = "unknown command '" + command + "'" + (near != null ? " (did you mean '" + near + "'?)" : "");
        } else {
            message = ex.getMessage();
            if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
                message += " (did you mean " + String.join(" or ", u.getSuggestions()) + "?)";
            }
        }
        err.println(name + ": " + message.lines().findFirst().orElse("bad arguments")
                + " (see: tinify help" + (cmd.getParent() == null ? "" : " " + cmd.getCommandName()) + ")");
        err.flush();
        return Main.USAGE_STATUS;
    }

    /** The first argument after the command's name that looks like an option the command does not have, or null. */
    private static String firstUnknownOption(CommandSpec spec, String[] args) {
        List<String> mine = new ArrayList<>(Arrays.asList(args));
        int at = mine.indexOf(spec.name());
        List<String> after = spec.parent() == null || at < 0 ? mine : mine.subList(at + 1, mine.size());
        for (String a : after) {
            if (a.equals("--")) {
                return null;
            }
            if (a.startsWith("-") && a.length() > 1 && !Character.isDigit(a.charAt(1))) {
                String opt = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
                if (spec.findOption(opt) == null && !(opt.startsWith("-") && !opt.startsWith("--") && opt.length() > 2
                        && spec.findOption(opt.substring(0, 2)) != null)) {
                    return opt;
                }
            }
        }
        return null;
    }

    private static List<String> optionNames(CommandSpec spec) {
        List<String> names = new ArrayList<>();
        spec.options().forEach(o -> names.addAll(Arrays.asList(o.names())));
        return names;
    }
}
