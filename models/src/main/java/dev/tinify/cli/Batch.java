package dev.tinify.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A command over a whole folder: every input file becomes one output file in the output folder,
 * spread over {@code jobs} workers (each with its own model, as a model is not shared between
 * threads), with a progress bar; an output newer than its input is kept (so an interrupted run
 * resumes where it stopped); one file's failure is reported in the summary, not fatal to the rest.
 */
final class Batch {
    /** One line of the summary. */
    record Row(String name, int width, int height, long bytes, double bpp, double seconds, String status) {}

    /** Processes one file; opened once per worker thread. */
    interface Worker extends AutoCloseable {
        Row process(Path input, Path output) throws Exception;

        @Override
        void close();
    }

    /** Opens a worker (its own model). */
    interface WorkerFactory {
        Worker open();
    }

    private Batch() {}

    /** Runs {@code inputs} into {@code outDir} as {@code <stem><extension>}; returns the rows in input order. */
    static List<Row> run(List<Path> inputs, Path outDir, String extension, int jobs, boolean quiet, WorkerFactory factory)
            throws Exception {
        boolean created = !Files.exists(outDir);
        Files.createDirectories(outDir);
        try {
            return runInto(inputs, outDir, extension, jobs, quiet, factory);
        } finally {
            // A folder this run made and left empty (every file failed) is not left behind.
            if (created) {
                try (Stream<Path> left = Files.list(outDir)) {
                    if (left.findAny().isEmpty()) {
                        Files.delete(outDir);
                    }
                }
            }
        }
    }

    private static List<Row> runInto(List<Path> inputs, Path outDir, String extension, int jobs, boolean quiet, WorkerFactory factory)
            throws Exception {
        List<Path> todo = new ArrayList<>();
        Row[] rows = new Row[inputs.size()];
        for (int i = 0; i < inputs.size(); i++) {
            Path in = inputs.get(i);
            Path out = outputFor(in, outDir, extension);
            if (Files.isRegularFile(out) && Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(in)) >= 0) {
                rows[i] = new Row(in.getFileName().toString(), 0, 0, Files.size(out), Double.NaN, 0, "up to date");
            } else {
                todo.add(in);
            }
        }
        AtomicInteger next = new AtomicInteger();
        int workers = Math.max(1, Math.min(jobs, todo.size()));
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try (Progress progress = Progress.start("files", todo.size(), quiet)) {
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                running.add(pool.submit(() -> {
                    try (Worker worker = factory.open()) {
                        for (int k = next.getAndIncrement(); k < todo.size(); k = next.getAndIncrement()) {
                            Path in = todo.get(k);
                            int index = inputs.indexOf(in);
                            try {
                                rows[index] = worker.process(in, outputFor(in, outDir, extension));
                            } catch (Exception e) {
                                rows[index] = new Row(in.getFileName().toString(), 0, 0, 0, Double.NaN, 0,
                                        "failed: " + ToolCommand.message(e));
                            }
                            synchronized (progress) {
                                progress.step(in.getFileName().toString());
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        List<Row> out = new ArrayList<>();
        Collections.addAll(out, rows);
        return out;
    }

    static Path outputFor(Path input, Path outDir, String extension) {
        String name = input.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return outDir.resolve((dot > 0 ? name.substring(0, dot) : name) + extension);
    }

    /** Prints the summary table and its totals; returns how many files failed. */
    static int summary(List<Row> rows, PrintWriter out) {
        int width = Math.max(4, rows.stream().mapToInt(r -> r.name().length()).max().orElse(4));
        out.println(String.format(Locale.ROOT, "%-" + width + "s %11s %12s %8s %8s  %s", "file", "size", "bytes", "bpp", "seconds",
                "status"));
        long bytes = 0;
        long pixels = 0;
        long coded = 0;
        int done = 0;
        int kept = 0;
        int failed = 0;
        for (Row r : rows) {
            String size = r.width() > 0 ? r.width() + "x" + r.height() : "-";
            out.println(String.format(Locale.ROOT, "%-" + width + "s %11s %,12d %8s %8s  %s", r.name(), size, r.bytes(),
                    Double.isNaN(r.bpp()) ? "-" : String.format(Locale.ROOT, "%.4f", r.bpp()),
                    r.seconds() > 0 ? String.format(Locale.ROOT, "%.2f", r.seconds()) : "-", r.status()));
            if (r.status().startsWith("failed")) {
                failed++;
            } else if (r.status().equals("up to date")) {
                kept++;
            } else {
                done++;
                bytes += r.bytes();
                if (!Double.isNaN(r.bpp())) {
                    pixels += (long) r.width() * r.height();
                    coded += Math.round(r.bpp() * r.width() * r.height() / 8);
                }
            }
        }
        out.println(String.format(Locale.ROOT, "%d done, %d up to date, %d failed; %,d bytes written%s", done, kept, failed, bytes,
                pixels > 0 ? String.format(Locale.ROOT, ", %.4f bpp over all pixels", 8.0 * coded / pixels) : ""));
        out.flush();
        return failed;
    }
}
