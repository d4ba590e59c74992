package dev.tinify.cli;

import dev.tinify.TinifyException;
import dev.tinify.UndecodableFileException;
import dev.tinify.UntrainedWeightsException;
import dev.tinify.runtime.container.TinifyFormatException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that turns expected failures into one line on stderr and an exit status, however it
 * is run ({@link Main#run} or a bare {@code CommandLine}): a damaged {@code .tfy} file, or one
 * encoded with other weights, exits with {@value #EXIT_FORMAT}, any other bad input or I/O failure
 * with {@value #EXIT_FAILURE}. Output goes to the command line's writers, so callers can capture it.
 */
abstract class ToolCommand implements Callable<Integer> {
    static final int EXIT_FAILURE = 1;
    static final int EXIT_FORMAT = 2;
    /** System property that makes unexpected failures print their stack trace. */
    static final String DEBUG_PROPERTY = "tinify.debug";

    @Spec
    CommandSpec cmd;

    /** Runs the command; returns the exit status. */
    abstract int execute() throws Exception;

    @Override
    public final Integer call() throws Exception {
        try {
            int status = execute();
            out().flush();
            return status;
        } catch (TinifyFormatException | UndecodableFileException e) {
            return fail(e.getMessage(), EXIT_FORMAT);
        } catch (UncheckedIOException e) {
            return fail(message(e.getCause()), EXIT_FAILURE);
        } catch (TinifyException | IOException | IllegalArgumentException | IllegalStateException e) {
            return fail(message(e), EXIT_FAILURE);
        } catch (OutOfMemoryError | StackOverflowError e) {
            // Budgets and limits should prevent these; if one still happens, it is reported, not thrown at the user.
            return fail("ran out of " + (e instanceof OutOfMemoryError ? "memory" : "stack") + " (" + message(e)
                    + "); give Java more memory (TINIFY_JAVA_OPTS=-Xmx...) or use a smaller input", EXIT_FAILURE);
        } catch (RuntimeException e) {
            // Not an expected failure: still one line, with the stack trace on request.
            if (Boolean.getBoolean(DEBUG_PROPERTY)) {
                e.printStackTrace(err());
            }
            return fail("unexpected " + e.getClass().getSimpleName() + ": " + message(e) + " (-D" + DEBUG_PROPERTY
                    + "=true shows the stack trace)", EXIT_FAILURE);
        }
    }

    private int fail(String message, int status) {
        out().flush();
        err().println("tinify " + cmd.name() + ": " + message);
        err().flush();
        return status;
    }

    /** The exception's message, completed for the JDK's file exceptions that only name the file. */
    static String message(Throwable e) {
        if (e instanceof NoSuchFileException f) {
            return f.getFile() + ": no such file or directory";
        }
        if (e instanceof AccessDeniedException f) {
            return f.getFile() + ": permission denied";
        }
        if (e instanceof NotDirectoryException f) {
            return f.getFile() + ": not a directory";
        }
        if (e instanceof FileAlreadyExistsException f) {
            return f.getFile() + ": already exists";
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    PrintWriter out() {
        return cmd.commandLine().getOut();
    }

    PrintWriter err() {
        return cmd.commandLine().getErr();
    }

    /** Prints the untrained-weights warning on stderr. */
    /**
     * A model without trained weights: refused unless {@code allowed} ({@code --allow-untrained}),
     * then warned about.
     *
     * @throws UntrainedWeightsException if not {@code allowed}
     */
    void untrained(String what, boolean allowed) {
        if (!allowed) {
            throw new UntrainedWeightsException(what + ": no trained weights (none given and none shipped for this entry); "
                    + "pass --weights W.safetensors, or --allow-untrained to go on with it");
        }
        warnUntrained(what);
    }

    void warnUntrained(String what) {
        err().println("WARNING: " + what + ": untrained weights: the output is not a useful reconstruction"
                + " (pass --weights W.safetensors)");
        err().flush();
    }
}
